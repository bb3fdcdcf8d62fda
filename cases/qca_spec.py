"""study.toml's set-theoretic analysis (analysis.md section 3): the calibrated ``[[condition]]`` forms
and the ``[qca]`` table, parsed and checked; every problem names its study.toml line and key
(``study.toml:LINE: KEY: message``).

Beside the crisp conditions (``metric`` with ``at_least``/``at_most``, ``attribute`` with
``equals``; cases/manifest.py reads those for the configuration table) a condition may be
- ``fuzzy = [exclusion, crossover, inclusion]``: direct calibration of a metric (log-odds);
- ``calibrated = true``: the metric already holds memberships in [0, 1];
- ``theme = "..."`` with ``at_least`` (or ``at_most``): a rating condition, by the valence.
``parse_qca`` reads every condition (crisp ones too, in study order) and ``[qca]`` into a
``QcaSpec``; ``check_qca`` does what needs the sites and the themes (read after study.toml).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from cases.errors import Collector

FILE = "study.toml"
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
QCA_KEYS = ("fuzzy", "calibrated", "theme")  # a [[condition]] with one of these is a QCA form
CONDITION_KEYS = {"name", "metric", "theme", "fuzzy", "calibrated", "at_least", "at_most"}
QCA_TABLE_KEYS = {"outcome", "incl_cut", "n_cut", "pri_cut", "log_odds", "expect"}
DIRECTIONS = ("present", "absent")


@dataclass(frozen=True)
class QcaCondition:
    """One condition of the analysis, in study order; ``kind`` is crisp, attribute, fuzzy, calibrated
    or rating. ``qca_name`` is the name used in terms (the name itself, or C1, C2, ...)."""

    name: str
    qca_name: str
    kind: str
    metric: str | None = None
    theme: str | None = None
    attribute: str | None = None
    equals: str | None = None
    at_least: float | None = None
    at_most: float | None = None
    anchors: tuple[float, float, float] | None = None
    table: int = 0  # the [[condition]]'s number (0-based), for its lines


@dataclass(frozen=True)
class QcaOutcome:
    """``high`` (membership of the high group) or a metric, ``calibrated`` or calibrated by ``anchors``."""

    kind: str = "high"
    metric: str | None = None
    anchors: tuple[float, float, float] | None = None


@dataclass(frozen=True)
class QcaSpec:
    conditions: tuple[QcaCondition, ...] = ()
    outcome: QcaOutcome = QcaOutcome()
    incl_cut: float = 0.8
    n_cut: int = 1
    pri_cut: float = 0.0
    log_odds: float = 3.0
    expect: Mapping[str, str] | None = None  # QCA name -> present | absent
    defined: bool = False  # study.toml has a [qca] table
    lines: object = field(default=None, compare=False, repr=False)  # cases.tomlspan.TomlLines

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.qca_name for c in self.conditions)


def is_qca_form(item: object) -> bool:
    """Whether a [[condition]] table is a calibrated or rating condition (read here, not as a crisp one)."""
    return isinstance(item, dict) and any(k in item for k in QCA_KEYS)


def _number(v: object) -> bool:
    """A finite number that a float holds (TOML integers have no size limit)."""
    if isinstance(v, bool) or not isinstance(v, int | float):
        return False
    try:
        return math.isfinite(float(v))
    except OverflowError:
        return False


class _Out:
    def __init__(self, lines, out: Collector):
        self.lines, self.out = lines, out

    def err(self, table: tuple, key: str | None, message: str) -> None:
        self.out.add(FILE, self.lines.line(table, key), key, message)


def parse_qca(lines, data: dict, metrics: Mapping[str, object], out: Collector) -> QcaSpec:
    """Every [[condition]] (crisp ones as cases/manifest.py checks them) and [qca], as a QcaSpec.

    ``lines`` is the study.toml's TomlLines, ``data`` the parsed TOML, ``metrics`` the [metrics.*]
    tables as written; problems go to ``out``."""
    o = _Out(lines, out)
    items = data.get("condition")
    conditions: list[QcaCondition] = []
    seen: dict[str, bool] = {}  # name -> whether its first table is a QCA form
    for i, item in enumerate(items if isinstance(items, list) else []):
        if not isinstance(item, dict):
            continue
        found = _qca_condition(o, i, item, metrics) if is_qca_form(item) else _crisp(i, item)
        name = item.get("name")
        # two crisp tables of one name are manifest.py's to report; a QCA form's are reported here
        if isinstance(name, str) and name in seen and (is_qca_form(item) or seen[name]):
            o.err(("condition", i), "name", f'[[condition]] name "{name}" is used twice')
        if isinstance(name, str):
            seen.setdefault(name, is_qca_form(item))
        if found is not None:
            conditions.append(found)
    _check_clashes(o, conditions)
    spec = QcaSpec(tuple(conditions), lines=lines)
    spec_names = frozenset(seen)  # every [[condition]] named, also one refused above
    table = data.get("qca")
    if table is None:
        return spec
    if not isinstance(table, dict):
        o.err(("qca",), None, "qca must be a table: [qca]")
        return spec
    return _qca_table(o, table, spec, metrics, spec_names)


def _crisp(i: int, item: dict) -> QcaCondition | None:
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        return None
    qca_name = name if NAME.match(name) else f"C{i + 1}"
    if "metric" in item and "attribute" not in item:
        lo, hi = item.get("at_least"), item.get("at_most")
        if _number(lo) == _number(hi):
            return None
        return QcaCondition(
            name,
            qca_name,
            "crisp",
            metric=str(item["metric"]),
            at_least=float(lo) if isinstance(lo, int | float) else None,
            at_most=float(hi) if isinstance(hi, int | float) else None,
            table=i,
        )
    if "attribute" in item and "metric" not in item and isinstance(item.get("equals"), str | int | float):
        return QcaCondition(
            name, qca_name, "attribute", attribute=str(item["attribute"]), equals=str(item["equals"]), table=i
        )
    return None


def _anchors(o: _Out, table: tuple, value: object, what: str, key: str = "fuzzy") -> tuple[float, float, float] | None:
    if not isinstance(value, list) or len(value) != 3 or not all(_number(v) for v in value):
        o.err(table, key, f"{what} fuzzy must be three numbers: [exclusion, crossover, inclusion]")
        return None
    e, c, i = (float(v) for v in value)
    if not (e < c < i or e > c > i):
        o.err(
            table,
            key,
            f"{what} fuzzy anchors must be strictly ordered, increasing or decreasing (not {e:g}, {c:g}, {i:g})",
        )
        return None
    return e, c, i


def _qca_condition(o: _Out, i: int, item: dict, metrics: Mapping[str, object]) -> QcaCondition | None:
    t = ("condition", i)
    before = o.out.count()
    for key in item:
        if key not in CONDITION_KEYS:
            allowed = ", ".join(sorted(CONDITION_KEYS))
            o.err(
                t, key, f'[[condition]] has an unknown key "{key}" (allowed with fuzzy, calibrated or theme: {allowed})'
            )
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        o.err(t, "name" if "name" in item else None, '[[condition]] needs name = "..." (a non-empty text)')
        name = ""
    what = f'[[condition]] "{name}"' if name else "[[condition]]"
    forms = [k for k in QCA_KEYS if k in item]
    if len(forms) > 1:
        o.err(t, forms[1], f"{what} has {' and '.join(forms)}: use one of fuzzy, calibrated or theme")
        return None
    form = forms[0]
    anchors = None
    if form == "theme":
        theme = item.get("theme")
        if not isinstance(theme, str) or not theme:
            o.err(t, "theme", f"{what} theme must be a theme id")
        if "metric" in item:
            o.err(t, "metric", f"{what} has a theme and a metric: a condition is one or the other")
        bounds = [k for k in ("at_least", "at_most") if k in item]
        if len(bounds) != 1:
            o.err(t, "theme", f"{what} with a theme needs exactly one of at_least or at_most (a valence, -2 to +2)")
        for key in bounds:
            if not _number(item[key]) or not -2 <= float(item[key]) <= 2:
                o.err(t, key, f"{what} {key} must be a valence from -2 to +2, not {item[key]!r}")
    else:
        metric = item.get("metric")
        if metric is None:
            o.err(t, form, f'{what} with {form} needs metric = "..."')
        elif not isinstance(metric, str) or metric not in metrics:
            o.err(t, "metric", f'{what} metric "{metric}" is not a defined metric')
        for key in ("at_least", "at_most"):
            if key in item:
                o.err(t, key, f"{what} {key} goes with a crisp or rating condition, not with {form}")
        if form == "fuzzy":
            anchors = _anchors(o, t, item["fuzzy"], what)
        elif item["calibrated"] is not True:
            o.err(t, "calibrated", f"{what} calibrated must be true (leave it out for a crisp condition)")
    if o.out.count() > before:
        return None
    qca_name = name if NAME.match(name) else f"C{i + 1}"
    if form == "theme":
        lo, hi = item.get("at_least"), item.get("at_most")
        return QcaCondition(
            name,
            qca_name,
            "rating",
            theme=item["theme"],
            at_least=None if lo is None else float(lo),
            at_most=None if hi is None else float(hi),
            table=i,
        )
    return QcaCondition(name, qca_name, form, metric=item["metric"], anchors=anchors, table=i)


def _check_clashes(o: _Out, conditions: Sequence[QcaCondition]) -> None:
    """Two conditions whose names in terms are the same (a name such as "C2" beside a condition
    that gets C2 because its own name is not a QCA name)."""
    first: dict[str, QcaCondition] = {}
    for c in conditions:
        other = first.get(c.qca_name)
        if other is not None and other.name != c.name:
            o.err(
                ("condition", c.table),
                "name",
                f'[[condition]] "{c.name}" is written {c.qca_name} in terms, as is "{other.name}": '
                "rename one (QCA names: a letter, then letters, digits or _)",
            )
        first.setdefault(c.qca_name, c)


def _qca_table(
    o: _Out, table: dict, spec: QcaSpec, metrics: Mapping[str, object], written: frozenset[str] = frozenset()
) -> QcaSpec:
    t = ("qca",)
    for key in table:
        if key not in QCA_TABLE_KEYS:
            o.err(t, key, f'[qca] has an unknown key "{key}" (allowed: {", ".join(sorted(QCA_TABLE_KEYS))})')
    values: dict = {"defined": True}
    for key, lo, hi in (("incl_cut", 0.0, 1.0), ("pri_cut", 0.0, 1.0)):
        if key in table:
            v = table[key]
            if not _number(v) or not lo <= float(v) <= hi:
                o.err(t, key, f"[qca] {key} must be a number from 0 to 1, not {v!r}")
            else:
                values[key] = float(v)
    if "n_cut" in table:
        v = table["n_cut"]
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 1_000_000_000:
            o.err(t, "n_cut", f"[qca] n_cut must be a whole number of at least 1, not {v!r}")
        else:
            values["n_cut"] = v
    if "log_odds" in table:
        v = table["log_odds"]
        if not _number(v) or not 0 < float(v) <= 700:
            o.err(
                t,
                "log_odds",
                f"[qca] log_odds must be a positive number (3 as in fsQCA; ln 19 = 2.944 as R's idm = 0.95), not {v!r}",
            )
        else:
            values["log_odds"] = float(v)
    if "outcome" in table:
        outcome = _outcome(o, table["outcome"], metrics)
        if outcome is not None:
            values["outcome"] = outcome
    if "expect" in table:
        expect = _expect(o, table["expect"], spec.conditions, written)
        if expect is not None:
            values["expect"] = expect
    from dataclasses import replace

    return replace(spec, **values)


def _outcome(o: _Out, value: object, metrics: Mapping[str, object]) -> QcaOutcome | None:
    t = ("qca",)
    hint = '"high", { metric = "M", calibrated = true } or { metric = "M", fuzzy = [e, c, i] }'
    if value == "high":
        return QcaOutcome()
    if not isinstance(value, dict):
        o.err(t, "outcome", f"[qca] outcome must be {hint}, not {value!r}")
        return None
    before = o.out.count()
    for key in value:
        if key not in ("metric", "calibrated", "fuzzy"):
            o.err(t, "outcome", f'[qca] outcome has an unknown key "{key}" (allowed: calibrated, fuzzy, metric)')
    metric = value.get("metric")
    if not isinstance(metric, str) or metric not in metrics:
        o.err(t, "outcome", f'[qca] outcome metric "{metric}" is not a defined metric')
    if ("calibrated" in value) == ("fuzzy" in value):
        o.err(t, "outcome", f"[qca] outcome needs exactly one of calibrated = true or fuzzy = [e, c, i]: {hint}")
    elif "calibrated" in value and value["calibrated"] is not True:
        o.err(t, "outcome", "[qca] outcome calibrated must be true")
    anchors = None
    if "fuzzy" in value and o.out.count() == before:
        anchors = _anchors(o, t, value["fuzzy"], "[qca] outcome", "outcome")
    if o.out.count() > before:
        return None
    return QcaOutcome("fuzzy" if anchors else "calibrated", metric, anchors)


def _expect(
    o: _Out, value: object, conditions: Sequence[QcaCondition], written: frozenset[str] = frozenset()
) -> dict[str, str] | None:
    """``expect``'s directions by QCA name; a key naming a condition that was itself refused is
    left to that condition's problem (one line per problem)."""
    t = ("qca",)
    if not isinstance(value, dict):
        o.err(t, "expect", '[qca] expect must be a table: { NAME = "present" or "absent", ... }')
        return None
    by_name = {c.name: c.qca_name for c in conditions} | {c.qca_name: c.qca_name for c in conditions}
    found: dict[str, str] = {}
    bad = False
    for key, direction in value.items():
        if key in written and key not in by_name:
            bad = True
            continue
        if key not in by_name:
            bad = True
            known = ", ".join(c.qca_name for c in conditions) or "none defined"
            if not NAME.match(key):
                o.err(
                    t,
                    "expect",
                    f'[qca] expect "{key}" is not a QCA name (a letter, then letters, digits or _) '
                    f"nor a condition's name (conditions: {known})",
                )
            else:
                o.err(t, "expect", f"[qca] expect names {key}, which is not a condition (conditions: {known})")
        elif direction not in DIRECTIONS:
            bad = True
            o.err(t, "expect", f'[qca] expect {key} = {direction!r}: use "present" or "absent"')
        else:
            found[by_name[key]] = direction
    return None if bad else found


def check_qca(spec: QcaSpec | None, sites: Sequence, themes: Mapping[str, object], out: Collector) -> None:
    """What needs the sites and themes: a rating condition's theme exists; a calibrated metric (a
    condition's or the outcome's) holds memberships in [0, 1] at every site."""
    if spec is None:
        return
    o = _Out(spec.lines, out)
    for c in spec.conditions:
        t = ("condition", c.table)
        if c.kind == "rating" and c.theme not in themes:
            o.err(
                t,
                "theme",
                f'[[condition]] "{c.name}" theme "{c.theme}" is not a theme in themes.toml or the built-in catalogue',
            )
        if c.kind == "calibrated":
            _memberships(o, t, "calibrated", f'[[condition]] "{c.name}"', c.metric, sites)
    if spec.outcome.kind == "calibrated":
        _memberships(o, ("qca",), "outcome", "[qca] outcome", spec.outcome.metric, sites)


def _memberships(o: _Out, table: tuple, key: str, what: str, metric: str | None, sites: Sequence) -> None:
    bad = [(s.id, v) for s in sites if (v := s.values.get(metric)) is not None and not 0.0 <= v <= 1.0]
    if bad:
        shown = ", ".join(f"{sid} = {v:g}" for sid, v in bad[:5]) + (
            f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        )
        o.err(table, key, f"{what}: {metric} is calibrated = true but a membership lies outside [0, 1]: {shown}")
