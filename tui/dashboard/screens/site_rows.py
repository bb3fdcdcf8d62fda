"""The case-ordered matrix behind the Sites screen: columns, rows, sorting and filtering.

Pure functions over the study and the comparison (no widgets), so they are quick to test and cheap
to run in a worker. Values are shown as the disclosure rules allow (``shown_value``).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from tui.dashboard.screens.base import shown_value
from tui.dashboard.widgets.palette import GROUP_MARK

GROUP_ORDER = {"high": 0, "middle": 1, "low": 2, "missing": 3}
HIDDEN_TOKENS = ("Missing", "N/A")
_TERM = re.compile(r"^(?P<col>[A-Za-z_][\w.-]*)(?P<op>>=|<=|!=|=|>|<|:)(?P<val>.*)$")


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: str  # group | text | metric | attribute


def columns(study, comparison) -> list[Column]:
    outcome = comparison.split.outcome
    cols = [
        Column("group", "Grp", "group"),
        Column("site", "Site", "text"),
        Column("label", "Label", "text"),
        Column(outcome, outcome, "metric"),
    ]
    cols += [Column(k, k, "metric") for k in study.metrics if k != outcome]
    cols += [Column(a, a, "attribute") for a in study.attributes]
    return cols


def rows(study, comparison) -> list[dict]:
    groups = group_map(comparison.split)
    keys = list(study.metrics)
    out = []
    for site in study.sites:
        row = {"group": groups.get(site.id, "missing"), "site": site.id, "label": site.label}
        for key in keys:
            row[key] = shown_value(study, key, site.values.get(key), comparison.disclosure)
        for attr in study.attributes:
            row[attr] = site.attributes.get(attr)
        out.append(row)
    return out


def group_map(split) -> dict[str, str]:
    """site -> group name for every site the split placed."""
    return {s: g for g in ("high", "low", "middle", "missing") for s in getattr(split, g)}


def _number(value) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def sort_key(column: Column, descending: bool):
    """A key that sorts undefined values last whatever the direction."""

    def key(row: dict):
        value = row.get(column.key)
        if column.kind == "group":
            rank = GROUP_ORDER.get(value, 9) if isinstance(value, str) else 9
            return (0, -rank if descending else rank, "")
        num = _number(value)
        if column.kind == "metric":
            if num is None:
                return (1, 0.0, str(value or ""))
            return (0, -num if descending else num, "")
        text = "" if value is None else str(value).casefold()
        return (0 if text else 1, 0.0, text)

    return key


def sort_rows(rows: list[dict], column: Column, descending: bool) -> list[dict]:
    key = sort_key(column, descending)
    if column.kind in ("text", "attribute"):
        present = sorted((r for r in rows if r.get(column.key) not in (None, "")), key=key, reverse=descending)
        return present + [r for r in rows if r.get(column.key) in (None, "")]
    return sorted(rows, key=key)


def _cell_text(key: str, value) -> str:
    if key == "group":
        return f"{GROUP_MARK.get(value, '-')} {value}"
    if value is None:
        return ""
    num = _number(value)
    return f"{num:g}" if num is not None else str(value)


def _terms(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        return text.split()


def make_filter(text: str, cols: list[Column], theme_sites):
    """A predicate over rows for the filter ``text`` (terms joined by AND).

    Terms: ``word`` (any cell contains it), ``column=word`` (contains), ``column!=word``,
    ``column>x``, ``column<x``, ``column>=x``, ``column<=x`` (numbers), ``theme:ID`` (the site has
    a rating of the theme other than Missing or N/A). ``theme_sites(ID)`` returns those site ids.
    """
    known = {c.key.casefold(): c for c in cols}
    tests = []
    for term in _terms(text.strip()):
        m = _TERM.match(term)
        col = known.get(m.group("col").casefold()) if m else None
        if m and m.group("col").casefold() == "theme" and m.group("op") in (":", "="):
            sites = theme_sites(m.group("val"))
            tests.append(lambda row, sites=sites: row["site"] in sites)
        elif m and col is not None:
            tests.append(_column_test(col, m.group("op"), m.group("val")))
        else:
            needle = term.casefold()
            tests.append(lambda row, needle=needle: any(needle in _cell_text(k, v).casefold() for k, v in row.items()))
    return lambda row: all(t(row) for t in tests)


def _column_test(col: Column, op: str, raw: str):
    needle = raw.casefold()
    if op in ("=", ":", "!="):

        def contains(row):
            text = _cell_text(col.key, row.get(col.key)).casefold()
            hit = (needle in text) if col.kind != "group" else (needle in (text, text[:1], text[2:]))
            return hit != (op == "!=")

        return contains
    try:
        bound = float(raw)
    except ValueError:
        return lambda row: False
    compare = {">": float.__gt__, "<": float.__lt__, ">=": float.__ge__, "<=": float.__le__}[op]

    def numeric(row):
        num = _number(row.get(col.key))
        return num is not None and compare(num, bound)

    return numeric


NUMERIC_OPS = (">", "<", ">=", "<=")


def filter_problems(text: str, cols: list[Column], themes=None) -> list[str]:
    """What is wrong with the filter ``text``, one line each (empty when every term is usable).

    A term naming no column (``fidlity>4``), a comparison with something that is not a number
    (``fidelity>abc``) or with a column of text, and ``theme:ID`` of a theme the study does not
    know (``themes``, when given, holds the known ids). Such a term matches no site, so without a
    word the table would just be empty.
    """
    import difflib

    known = {c.key.casefold(): c for c in cols}
    problems = []
    for term in _terms(text.strip()):
        m = _TERM.match(term)
        if not m:
            continue
        name, op, raw = m.group("col"), m.group("op"), m.group("val")
        col = known.get(name.casefold())
        if name.casefold() == "theme" and op in (":", "="):
            if themes is not None and raw not in themes:
                near = difflib.get_close_matches(raw, list(themes), n=1)
                hint = f': did you mean "{near[0]}"?' if near else " (t lists the themes)"
                problems.append(f'no theme "{raw}"{hint}')
        elif col is None:
            if op == ":":
                continue  # a word with a colon in it ("10:30"): searched as a word
            near = difflib.get_close_matches(name.casefold(), list(known), n=1)
            hint = f'did you mean "{known[near[0]].key}"? ' if near else ""
            problems.append(f'no column "{name}" ({hint}columns: {", ".join(c.key for c in cols)})')
        elif op in NUMERIC_OPS:
            if col.kind != "metric":
                problems.append(f'"{col.key}" holds text, not numbers: use {col.key}=WORD')
            elif not raw.strip():
                problems.append(f'"{term}": a number is missing after {op}')
            else:
                try:
                    float(raw)
                except ValueError:
                    problems.append(f'"{raw}" is not a number')
    return problems


def filter_hint(study, comparison) -> str:
    """The filter box's placeholder, made of the study's own columns, values and themes."""
    from cases.escape import shorten

    terms = ["word"]
    for attr in study.attributes:
        value = next((s.attributes.get(attr) for s in study.sites if s.attributes.get(attr)), None)
        if value is not None and " " not in str(value):
            terms.append(f"{shorten(attr, 16)}={shorten(value, 12)}")
            break
    for key in (k for k in study.metrics if k != comparison.split.outcome):
        nums = sorted(v for v in study.column(key).values() if _number(v) is not None)
        if nums:
            terms.append(f"{shorten(key, 16)}>{_round2(nums[len(nums) // 2])}")
            break
    terms.append("group=H")
    rated = study.rated_themes()
    if rated:
        terms.append(f"theme:{shorten(rated[0].id, 24)}")
    return "/ filter: " + ", ".join(terms)


def _round2(x: float) -> str:
    """``x`` to about two significant digits, as a person would type it (0.61, 4.2, 1234)."""
    import math

    if x == 0 or not math.isfinite(x):
        return "0"
    digits = max(0, 1 - math.floor(math.log10(abs(x))))
    return f"{round(x, digits):.{digits}f}"


def theme_sites(study, theme: str) -> set[str]:
    """Sites that show ``theme``: a rating other than Missing or N/A."""
    return {r.site for r in study.ratings if r.theme == theme and r.token not in HIDDEN_TOKENS}
