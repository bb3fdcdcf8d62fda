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
from cases.tomlcheck import TOO_LARGE, TomlChecker, too_large_for_float
from cases.tomlspan import TomlLines, syntax_problem

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


MAX_N = 1_000_000_000


def parse_manifest(text: str, out: Collector) -> Manifest | None:
    """Parse study.toml; problems go to ``out``. None only when the TOML itself is broken."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problem = syntax_problem(exc)
        out.add(FILE, problem.line, None, problem.message)
        return None
    except RecursionError:
        out.add(FILE, deep_line(text), None, TOO_DEEP)
        return None
    c = TomlChecker(FILE, text, out)
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


def _table(c: TomlChecker, data: dict, name: str, required: bool = False) -> dict | None:
    value = data.get(name)
    if value is None:
        if required:
            c.err((), None, f"needs a [{name}] table")
        return None
    if not isinstance(value, dict):
        c.err((name,), None, f"{name} must be a table: [{name}]")
        return None
    return value


def _metric(c: TomlChecker, key: str, spec: object) -> Metric | None:
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


def _derive(c: TomlChecker, table: tuple, name: str, spec: object) -> Derive | None:
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


def _outcome(c: TomlChecker, spec: dict, metrics: dict[str, Metric], raw_metrics: dict) -> Outcome | None:
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


def _distinguishing(c: TomlChecker, spec: object) -> RuleSpec:
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
    huge = [k for k, v in params.items() if too_large_for_float(v) or (isinstance(v, float) and abs(v) == float("inf"))]
    for key in huge:
        c.err(
            t,
            key,
            f"[distinguishing] {key} must be a finite number"
            if not too_large_for_float(params[key])
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


def _disclosure(c: TomlChecker, spec: object) -> Disclosure:
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


def _conditions(c: TomlChecker, spec: object, metrics: dict[str, Metric], raw_metrics: dict) -> list[Condition]:
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


def _links(c: TomlChecker, spec: object, raw_metrics: dict, outcome: Outcome | None) -> tuple[list[Link], list[int]]:
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
        line = c.line(t)
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
            message = f'[[link]] theme "{link.theme}" is not a theme in themes.toml or the built-in catalogue'
            if manifest.lines is None:
                out.add(FILE, link.line, None, message)
            else:
                TomlChecker(FILE, manifest.lines, out).err(("link", i), "theme", message)


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
