"""study.toml: parse and check the manifest (title, outcome, metrics, rules, conditions)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from types import MappingProxyType

from cases.errors import Collector
from cases.model import (
    DERIVE_RULES,
    SPLIT_RULES,
    Condition,
    Derive,
    Disclosure,
    Link,
    Metric,
    Outcome,
    RuleSpec,
)
from cases.qca_spec import QcaSpec, is_qca_form, parse_qca
from cases.tomlspan import TomlLines

FILE = "study.toml"
_TOP = {"study", "outcome", "metrics", "distinguishing", "disclosure", "condition", "link", "qca"}
_KEYS = {
    "study": {"title", "description", "synthetic"},
    "outcome": {"metric", "split", "threshold", "second", "high", "low"},
    "metric": {"label", "unit", "min", "max", "higher_is_better", "count", "derive"},
    "disclosure": {"min_count", "pseudonymise"},
    "condition": {"name", "metric", "at_least", "at_most", "attribute", "equals"},
    "link": {"theme", "metric"},
}


@dataclass
class Manifest:
    title: str = ""
    description: str | None = None
    synthetic: bool = False
    outcome: Outcome | None = None
    metrics: dict[str, Metric] = field(default_factory=dict)
    conditions: list[Condition] = field(default_factory=list)
    distinguishing: RuleSpec = RuleSpec()
    disclosure: Disclosure = Disclosure()
    links: list[Link] = field(default_factory=list)
    link_tables: list[int] = field(default_factory=list)  # each link's [[link]] number (0-based), for its lines
    lines: TomlLines | None = None
    qca: QcaSpec | None = None  # every condition (calibrated ones too) and [qca]: cases/qca_spec.py


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and v == v and abs(v) != float("inf")


def _too_large(v: object) -> bool:
    """An integer that no float can hold (TOML integers have no size limit)."""
    if isinstance(v, int) and not isinstance(v, bool):
        try:
            float(v)
        except OverflowError:
            return True
    return False


TOO_LARGE = "is too large (the largest number crosscase reads is about 1.8e308)"
MAX_N = 1_000_000_000


class _Checker:
    def __init__(self, text: str, out: Collector):
        self.lines = TomlLines(text)
        self.out = out

    def err(self, table: tuple, key: str | None, message: str) -> None:
        self.out.add(FILE, self.lines.line(table, key), None, message)

    def unknown(self, table: tuple, data: dict, allowed: set[str], name: str) -> None:
        for key in data:
            if key not in allowed:
                self.err(table, key, f'[{name}] has an unknown key "{key}" (allowed: {", ".join(sorted(allowed))})')

    def string(self, table: tuple, data: dict, key: str, name: str, required: bool = False) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.err(table, None, f'[{name}] needs {key} = "..."')
            return None
        if not isinstance(value, str) or (required and not value.strip()):
            self.err(table, key, f"[{name}] {key} must be a non-empty text")
            return None
        return value

    def number(self, table: tuple, data: dict, key: str, name: str) -> float | None:
        value = data.get(key)
        if value is None:
            return None
        if _too_large(value):
            self.err(table, key, f"[{name}] {key} {TOO_LARGE}")
            return None
        if not _is_number(value):
            self.err(table, key, f"[{name}] {key} must be a number, not {value!r}")
            return None
        return float(value)

    def boolean(self, table: tuple, data: dict, key: str, name: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.err(table, key, f"[{name}] {key} must be true or false")
            return default
        return value


def parse_manifest(text: str, out: Collector) -> Manifest | None:
    """Parse study.toml; problems go to ``out``. None only when the TOML itself is broken."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        out.add(FILE, getattr(exc, "lineno", None) or _line_of(str(exc)), None, f"TOML syntax error: {_reason(exc)}")
        return None
    except RecursionError:
        out.add(FILE, deep_line(text), None, TOO_DEEP)
        return None
    c = _Checker(text, out)
    m = Manifest(lines=c.lines)
    for key in data:
        if key not in _TOP:
            c.err((key,), None, f"unknown table [{key}] (allowed: {', '.join(sorted(_TOP))})")
    study = _table(c, data, "study", required=True)
    if study is not None:
        c.unknown(("study",), study, _KEYS["study"], "study")
        m.title = c.string(("study",), study, "title", "study", required=True) or ""
        m.description = c.string(("study",), study, "description", "study")
        m.synthetic = c.boolean(("study",), study, "synthetic", "study", False)
    metrics = _table(c, data, "metrics", required=True)
    if metrics is not None:
        if not metrics:
            c.err(("metrics",), None, "defines no metric: add a [metrics.NAME] table per metric column")
        for key, spec in metrics.items():
            metric = _metric(c, key, spec)
            if metric is not None:
                m.metrics[key] = metric
    outcome = _table(c, data, "outcome", required=True)
    if outcome is not None:
        m.outcome = _outcome(c, outcome, m.metrics, metrics or {})
    m.distinguishing = _distinguishing(c, data.get("distinguishing"))
    m.disclosure = _disclosure(c, data.get("disclosure"))
    m.conditions = _conditions(c, data.get("condition"), m.metrics, metrics or {})
    m.links, m.link_tables = _links(c, data.get("link"), metrics or {}, m.outcome)
    m.qca = parse_qca(c.lines, data, metrics or {}, out)
    return m


def _table(c: _Checker, data: dict, name: str, required: bool = False) -> dict | None:
    value = data.get(name)
    if value is None:
        if required:
            c.err((), None, f"needs a [{name}] table")
        return None
    if not isinstance(value, dict):
        c.err((name,), None, f"{name} must be a table: [{name}]")
        return None
    return value


def _metric(c: _Checker, key: str, spec: object) -> Metric | None:
    table = ("metrics", key)
    name = f"metrics.{key}"
    if not isinstance(spec, dict):
        c.err(("metrics",), key, f"[{name}] must be a table")
        return None
    before = c.out.count()
    c.unknown(table, spec, _KEYS["metric"], name)
    label = c.string(table, spec, "label", name, required=True)
    unit = c.string(table, spec, "unit", name)
    lo, hi = c.number(table, spec, "min", name), c.number(table, spec, "max", name)
    if lo is not None and hi is not None and lo > hi:
        c.err(table, "min", f"[{name}] min {lo:g} is above max {hi:g}")
    hib = c.boolean(table, spec, "higher_is_better", name, True)
    count = c.boolean(table, spec, "count", name, False)
    derive = None
    if "derive" in spec:
        derive = _derive(c, table, name, spec["derive"])
        if derive is not None and derive.rule == "participants":
            count = True
    if c.out.count() > before:
        return None
    return Metric(key, label or key, unit, lo, hi, hib, count, derive)


def _derive(c: _Checker, table: tuple, name: str, spec: object) -> Derive | None:
    if not isinstance(spec, dict):
        c.err(table, "derive", f'[{name}] derive must be a table: {{ from = "contacts", rule = "..." }}')
        return None
    for key in spec:
        if key not in ("from", "rule", "n"):
            c.err(table, "derive", f'[{name}] derive has an unknown key "{key}"')
    if spec.get("from") != "contacts":
        c.err(table, "derive", f'[{name}] derive.from must be "contacts"')
    rule = spec.get("rule")
    if rule not in DERIVE_RULES:
        c.err(table, "derive", f"[{name}] derive.rule {rule!r} is not one of {', '.join(DERIVE_RULES)}")
        return None
    n = spec.get("n", 1)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        c.err(table, "derive", f"[{name}] derive.n must be a whole number of at least 1")
        return None
    if n > MAX_N:
        c.err(table, "derive", f"[{name}] derive.n must be a whole number from 1 to {MAX_N}")
        return None
    if rule != "share_with_at_least" and "n" in spec:
        c.err(table, "derive", f'[{name}] derive.n applies only to rule "share_with_at_least"')
        return None
    return Derive(rule, n)


def _outcome(c: _Checker, spec: dict, metrics: dict[str, Metric], raw_metrics: dict) -> Outcome | None:
    t = ("outcome",)
    c.unknown(t, spec, _KEYS["outcome"], "outcome")
    metric = c.string(t, spec, "metric", "outcome", required=True)
    if metric is not None and metric not in raw_metrics:
        c.err(t, "metric", f'[outcome] metric "{metric}" is not a defined metric')
    split = spec.get("split", "median")
    if split not in SPLIT_RULES:
        c.err(t, "split", f"[outcome] split {split!r} is not one of {', '.join(SPLIT_RULES)}")
        return None
    threshold = c.number(t, spec, "threshold", "outcome")
    if split == "threshold" and threshold is None and "threshold" not in spec:
        c.err(t, "split", '[outcome] split = "threshold" needs threshold = <number>')
    second = c.string(t, spec, "second", "outcome")
    if second is not None and second not in raw_metrics:
        c.err(t, "second", f'[outcome] second "{second}" is not a defined metric')
    if split == "quadrants":
        if second is None and "second" not in spec:
            c.err(t, "split", '[outcome] split = "quadrants" needs second = "<metric>"')
        elif second is not None and second == metric:
            c.err(t, "second", "[outcome] second must be another metric than the outcome")
    lists = {}
    for key in ("high", "low"):
        value = spec.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str | int) and not isinstance(v, bool) for v in value):
            c.err(t, key, f"[outcome] {key} must be a list of site ids")
            value = []
        lists[key] = tuple(str(v) for v in value)
    if split == "explicit":
        for key in ("high", "low"):
            if key not in spec:
                c.err(t, "split", f'[outcome] split = "explicit" needs {key} = ["site", ...]')
        for site in sorted(set(lists["high"]) & set(lists["low"])):
            c.err(t, "low", f'[outcome] site "{site}" is in both high and low')
    if metric is None or metric not in metrics:
        return None
    return Outcome(metric, split, threshold, second, lists["high"], lists["low"])


def _distinguishing(c: _Checker, spec: object) -> RuleSpec:
    from cases.rules import check_rule

    t = ("distinguishing",)
    if spec is None:
        return RuleSpec()
    if not isinstance(spec, dict):
        c.err(t, None, "[distinguishing] must be a table")
        return RuleSpec()
    name = spec.get("rule", RuleSpec.name)
    params = {k: v for k, v in spec.items() if k != "rule"}
    if not isinstance(name, str):
        c.err(t, "rule", "[distinguishing] rule must be a text")
        return RuleSpec()
    huge = [k for k, v in params.items() if _too_large(v) or (isinstance(v, float) and abs(v) == float("inf"))]
    for key in huge:
        c.err(
            t,
            key,
            f"[distinguishing] {key} must be a finite number"
            if not _too_large(params[key])
            else f"[distinguishing] {key} {TOO_LARGE}",
        )
    if huge:
        return RuleSpec()
    problems = check_rule(name, params)
    for key, message in problems:
        c.err(t, key, f"[distinguishing] {message}")
    if problems:
        return RuleSpec()
    return RuleSpec(name, MappingProxyType({k: float(v) for k, v in params.items()}))


def _disclosure(c: _Checker, spec: object) -> Disclosure:
    t = ("disclosure",)
    if spec is None:
        return Disclosure()
    if not isinstance(spec, dict):
        c.err(t, None, "[disclosure] must be a table")
        return Disclosure()
    c.unknown(t, spec, _KEYS["disclosure"], "disclosure")
    n = spec.get("min_count", 10)
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        c.err(t, "min_count", "[disclosure] min_count must be a whole number of 0 or more")
        n = 10
    return Disclosure(n, c.boolean(t, spec, "pseudonymise", "disclosure", False))


def _conditions(c: _Checker, spec: object, metrics: dict[str, Metric], raw_metrics: dict) -> list[Condition]:
    if spec is None:
        return []
    if not isinstance(spec, list):
        c.err(("condition",), None, "condition must be written as [[condition]] tables")
        return []
    found = []
    names: set[str] = set()
    for i, item in enumerate(spec):
        t = ("condition", i)
        if not isinstance(item, dict):
            c.err(("condition",), None, f"[[condition]] number {i + 1} must be a table")
            continue
        if is_qca_form(item):  # fuzzy, calibrated or theme: cases/qca_spec.py reads it
            continue
        before = c.out.count()
        c.unknown(t, item, _KEYS["condition"], "[condition]")
        name = c.string(t, item, "name", "[condition]", required=True)
        if name in names:
            c.err(t, "name", f'[[condition]] name "{name}" is used twice')
        names.add(name or "")
        metric, attribute = item.get("metric"), item.get("attribute")
        if (metric is None) == (attribute is None):
            c.err(t, None, "[[condition]] needs either metric (with at_least or at_most) or attribute (with equals)")
        elif metric is not None:
            if metric not in raw_metrics:
                c.err(t, "metric", f'[[condition]] metric "{metric}" is not a defined metric')
            at_least = c.number(t, item, "at_least", "[condition]")
            at_most = c.number(t, item, "at_most", "[condition]")
            if ("at_least" in item) == ("at_most" in item):
                c.err(t, "metric", "[[condition]] with a metric needs exactly one of at_least or at_most")
            if "equals" in item:
                c.err(t, "equals", "[[condition]] equals goes with attribute, not metric")
            if c.out.count() == before:
                found.append(Condition(name or "", metric=metric, at_least=at_least, at_most=at_most))
        else:
            equals = item.get("equals")
            if not isinstance(attribute, str) or not attribute:
                c.err(t, "attribute", "[[condition]] attribute must be a column name")
            if not isinstance(equals, str | int | float) or isinstance(equals, bool):
                c.err(t, "attribute", '[[condition]] with an attribute needs equals = "value"')
            if c.out.count() == before:
                found.append(Condition(name or "", attribute=attribute, equals=str(equals)))
    return found


def _links(c: _Checker, spec: object, raw_metrics: dict, outcome: Outcome | None) -> tuple[list[Link], list[int]]:
    """``[[link]]`` tables: a theme and the metric that measures the same thing (analysis.md section 1).

    The theme is checked against themes.toml and the catalogue later (``check_link_themes``): the
    themes are read after study.toml."""
    if spec is None:
        return [], []
    if not isinstance(spec, list):
        c.err(("link",), None, "link must be written as [[link]] tables")
        return [], []
    found: list[Link] = []
    tables: list[int] = []
    first: dict[tuple[str, str], int] = {}
    for i, item in enumerate(spec):
        t = ("link", i)
        if not isinstance(item, dict):
            c.err(("link",), None, f"[[link]] number {i + 1} must be a table")
            continue
        before = c.out.count()
        c.unknown(t, item, _KEYS["link"], "[link]")
        theme = c.string(t, item, "theme", "[link]", required=True)
        metric = c.string(t, item, "metric", "[link]", required=True)
        if metric is not None:
            if metric not in raw_metrics:
                c.err(t, "metric", f'[[link]] metric "{metric}" is not a defined metric')
            elif outcome is not None and metric == outcome.metric:
                c.err(
                    t,
                    "metric",
                    f'[[link]] metric "{metric}" is the outcome: a link ties a theme to '
                    "another metric (the outcome splits the sites)",
                )
        line = c.lines.line(t)
        if theme is not None and metric is not None:
            if (theme, metric) in first:
                c.err(
                    t,
                    None,
                    f'[[link]] theme "{theme}" and metric "{metric}" are linked twice '
                    f"(first at line {first[(theme, metric)]})",
                )
            else:
                first[(theme, metric)] = line or 0
        if c.out.count() == before:
            found.append(Link(theme or "", metric or "", line))
            tables.append(i)
    return found, tables


def check_link_themes(manifest: Manifest, themes, out: Collector) -> None:
    """Each [[link]]'s theme must be a theme of themes.toml or the built-in catalogue."""
    for i, link in zip(manifest.link_tables, manifest.links):
        if link.theme not in themes:
            out.add(
                FILE,
                manifest.lines.line(("link", i), "theme") if manifest.lines else link.line,
                None,
                f'[[link]] theme "{link.theme}" is not a theme in themes.toml or the built-in catalogue',
            )


TOO_DEEP = "arrays or tables are nested too deeply to read (more than a few hundred levels)"


def deep_line(text: str) -> int | None:
    """The line where brackets first open 200 levels deep (a rough guide for a nesting bomb)."""
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        for ch in line:
            depth += ch in "[{"
            depth -= ch in "]}"
            if depth >= 200:
                return number
    return None


def _reason(exc: Exception) -> str:
    text = str(exc)
    return text.split(" (at line")[0]


def _line_of(message: str) -> int | None:
    import re

    match = re.search(r"at line (\d+)", message)
    return int(match.group(1)) if match else None
