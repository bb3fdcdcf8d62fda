"""Headless renderers of a Comparison: text and markdown for people, JSON and TOML for scripts.

Every text from data passes through ``cases.escape.clean`` before it is printed.
"""

from __future__ import annotations

import json
import re

from cases.escape import clean, escape_serialised, shorten
from cases.model import GROUPS
from cases.rules import LABEL_RANK
from metrics.numbers import fmt, fmt_p
from metrics.parts import MetricResult, ThemeResult
from metrics.results import Comparison
from metrics.summary import judgement_counts, to_dict

BANNER = "ILLUSTRATIVE DATA: this study is synthetic; its figures are not real results."


def symbol(m: MetricResult) -> str:
    """▲ the high group is better on this metric, ▼ worse, = no difference (by higher_is_better)."""
    d = m.mean_difference
    if d is None:
        return "?"
    if abs(d) < 1e-12:
        return "="
    return "▲" if (d > 0) == m.higher_is_better else "▼"


def split_line(c: Comparison) -> str:
    s = c.split
    text = f"{clean(s.outcome)} by {s.rule}"
    # one number for threshold and median, a pair for tertiles and quadrants; None: none or withheld
    cut, pair = (None, s.cut) if isinstance(s.cut, tuple) else (s.cut, None)
    if s.rule == "threshold":
        text += f" at {fmt(cut)} (high: at or above)"
    elif s.rule == "median" and cut is not None:
        text += f", cut at the median {fmt(cut)}"
    elif s.rule == "tertiles" and pair is not None:
        text += f", lowest third up to {fmt(pair[0])}, highest third from {fmt(pair[1])}"
    elif s.rule == "quadrants" and pair is not None:
        text += f" and {clean(s.options.get('second'))}, medians {fmt(pair[0])} and {fmt(pair[1])}"
    if getattr(s, "withheld", ()):
        text += ", cut withheld (disclosure control)"
    return text


def members(c: Comparison, group: str) -> str:
    ids = getattr(c.split, group)
    if not ids:
        return "-"
    return ", ".join(_site(c, s) for s in ids)


def _site(c: Comparison, s: str) -> str:
    label = c.labels.get(s, s)
    return clean(s) if label == s else f"{clean(s)} ({clean(label)})"


def theme_ratings(t: ThemeResult, group: str) -> str:
    ratings = getattr(t, group).ratings
    return " ".join(f"{clean(s)}:{tok}" for s, tok in ratings) or "-"


def render_text(c: Comparison) -> str:
    lines = []
    if c.synthetic:
        lines += [BANNER, ""]
    lines.append(clean(c.title))
    lines.append(f"Study folder: {clean(c.folder)}   fingerprint {c.fingerprint[:19]}…")
    lines.append(f"Split: {split_line(c)}")
    for g in GROUPS:
        lines.append(f"  {g.capitalize():<8}({len(getattr(c.split, g))}): {members(c, g)}")
    lines.append("")
    lines.append("Metrics, high minus low   (▲ high group better, ▼ worse, = equal; p~ = Monte Carlo)")
    head = f"  {'':2}{'metric':<30}{'high':>8}{'low':>8}{'diff':>8}{'g':>7}{'delta':>7}{'p':>8}{'rho':>7}"
    lines.append(head)
    for m in c.metrics:
        lines.append(
            f"  {symbol(m):2}{shorten(m.label, 29):<30}{fmt(m.high.mean):>8}{fmt(m.low.mean):>8}"
            f"{fmt(m.mean_difference):>8}{fmt(m.hedges_g, 2):>7}{fmt(m.cliffs_delta, 2):>7}{fmt_p(m):>8}"
            f"{fmt(m.spearman_with_outcome, 2):>7}"
        )
    lines.append("")
    lines.append(f"Themes   (distinguishing rule: {c.rule.describe()})")
    judged = judgement_counts(c)
    if judged["recorded"]:
        lines.append(
            f"  judgements recorded: {judged['recorded']}, differing from the rule's label: {judged['disagree']}"
        )
    for t in sorted(c.themes, key=theme_order):
        flag = t.distinguishing + (" (reversed)" if t.direction == "reversed" else "")
        lines.append(f"  {flag:<22}{shorten(t.title, 54)}")
        lines.append(f"      rule  {theme_figures(t)}")
        lines.append(f"      high  mean {fmt(t.high.mean, 2):>5}  {theme_ratings(t, 'high')}")
        lines.append(f"      low   mean {fmt(t.low.mean, 2):>5}  {theme_ratings(t, 'low')}")
        if t.middle.ratings:
            lines.append(f"      middle           {theme_ratings(t, 'middle')}")
    lines += _literature(c)
    lines += _tables(c)
    lines.append("")
    lines.append("Warnings")
    lines += [f"  - {clean(w)}" for w in c.warnings] or ["  (none)"]
    return "\n".join(lines) + "\n"


def _tables(c: Comparison) -> list[str]:
    """The sensitivity and configuration tables, each line through the one escaping path."""
    lines: list[str] = []
    for table in (c.sensitivity, c.configurations):
        if table is not None:
            lines += ["", *map(clean, table.text_lines())]
    return lines


def _literature(c: Comparison) -> list[str]:
    """The joint display (literature rows, new themes) and the statistics by themes, through clean."""
    if c.literature is None:
        return []
    lines = ["", *map(clean, c.literature.text_lines())]
    if c.links:
        lines += ["", "Statistics by themes: each [[link]]'s theme beside its metric (high minus low)"]
        lines += [clean(link.text()) for link in c.links]
    return lines


def theme_figures(t: ThemeResult) -> str:
    """diff, gap, the threshold the label met and, when the study records one, the authors' judgement."""
    out = f"diff {fmt(t.diff, 2)}  gap {fmt(t.gap, 2)}  {t.met or ''}".rstrip()
    out += f"  published: {t.published}" if t.published is not None else ""
    if t.judgement is not None:  # the analyst's own label, beside the rule's (never in its place)
        out += f"  judgement: {t.judgement}" + (f" ({clean(t.judgement_reason)})" if t.judgement_reason else "")
    return out


def theme_order(t: ThemeResult) -> tuple[int, bool]:
    """The order of the themes in every list: strongest label first, the reversed ones after the others."""
    return (LABEL_RANK.get(t.distinguishing, 9), t.direction == "reversed")


_MD_SPECIAL = str.maketrans(
    {"\\": "\\\\", "|": "\\|", "[": "\\[", "]": "\\]", "!": "\\!", "`": "\\`", "&": "&amp;", "<": "&lt;", ">": "&gt;"}
)


def _md(text: object) -> str:
    """Text from data in Markdown: shown as written, never as HTML (``<img>``, ``<script>``), a link, an
    image or a code span that a rendered report would fetch or run; a table cell's ``|`` stays inside it."""
    return clean(text).translate(_MD_SPECIAL)


def _fenced(lines: list[str]) -> list[str]:
    """A code block whose fence no line of data can close (a fence longer than any run of backticks)."""
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence, *lines, fence]


def render_markdown(c: Comparison) -> str:
    out = [f"# {_md(c.title)}", ""]
    if c.synthetic:
        out += [f"> **{BANNER}**", ""]
    out.append(f"**Split:** {_md(split_line(c))}  ")
    for g in GROUPS:
        out.append(f"**{g.capitalize()}** ({len(getattr(c.split, g))}): {_md(members(c, g))}  ")
    out += [
        "",
        "## Metrics (high minus low)",
        "",
        "| | metric | high mean | low mean | difference | Hedges' g | Cliff's delta | p | Spearman |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in c.metrics:
        out.append(
            f"| {symbol(m)} | {_md(m.label)} | {fmt(m.high.mean)} | {fmt(m.low.mean)} | {fmt(m.mean_difference)} "
            f"| {fmt(m.hedges_g, 2)} | {fmt(m.cliffs_delta, 2)} | {fmt_p(m)} | {fmt(m.spearman_with_outcome, 2)} |"
        )
    judged = judgement_counts(c)
    out += [
        "",
        f"## Themes (rule `{c.rule.describe()}`)",
        "",
        *(
            [f"Judgements recorded: {judged['recorded']}, differing from the rule's label: {judged['disagree']}", ""]
            if judged["recorded"]
            else []
        ),
        "| distinguishing | theme | high | low | middle | diff, gap, threshold |",
        "|---|---|---|---|---|---|",
    ]
    for t in sorted(c.themes, key=theme_order):
        flag = t.distinguishing + (" (reversed)" if t.direction == "reversed" else "")
        out.append(
            f"| {flag} | {_md(t.title)} | {_md(theme_ratings(t, 'high'))} (mean {fmt(t.high.mean, 2)}) "
            f"| {_md(theme_ratings(t, 'low'))} (mean {fmt(t.low.mean, 2)}) | {_md(theme_ratings(t, 'middle'))} "
            f"| {_md(theme_figures(t))} |"
        )
    out += _literature_markdown(c)
    if c.sensitivity is not None:
        out += ["", "## Split sensitivity", "", *_fenced(list(map(clean, c.sensitivity.text_lines())))]
    if c.configurations is not None:
        out += ["", "## Configurations", "", *_fenced(list(map(clean, c.configurations.text_lines())))]
    out += ["", "## Warnings", ""] + [f"- {_md(w)}" for w in c.warnings]
    return "\n".join(out) + "\n"


def _literature_markdown(c: Comparison) -> list[str]:
    """The joint display as Markdown tables: a row per literature theme, the new themes, the links."""
    lit = c.literature
    if lit is None:
        return []
    from metrics.literature import SYMBOLS

    out = [
        "",
        "## The study against the literature",
        "",
        f"This study {_md(lit.headline()).removeprefix('this study ')}.",
        "",
        "| fit | literature theme | claim | evidence in this study | sources |",
        "|---|---|---|---|---|",
    ]
    for r in lit.rows:
        evidence = "none" if r.via is None else f"{r.via_title or r.via} ({r.via}): {r.distinguishing}, {r.direction}"
        papers = "; ".join(p.text() for p in r.papers) or "-"
        out.append(
            f"| {SYMBOLS[r.fit]} {r.fit} | {_md(r.title)} | {_md(r.claim or '-')} | {_md(evidence)} | {_md(papers)} |"
        )
    if lit.new:
        out += ["", "New themes (expansion):", "", "| fit | theme | distinguishing |", "|---|---|---|"]
        out += [f"| {SYMBOLS[n.fit]} {n.fit} | {_md(n.title)} | {n.distinguishing}, {n.direction} |" for n in lit.new]
    if c.links:
        out += [
            "",
            "### Statistics by themes",
            "",
            "| fit | theme | distinguishing | metric | difference | Hedges' g | Cliff's delta |",
            "|---|---|---|---|---:|---:|---:|",
        ]
        for link in c.links:
            label = "unrated" if link.distinguishing is None else f"{link.distinguishing}, {link.direction}"
            out.append(
                f"| {SYMBOLS[link.fit]} {link.fit} | {_md(link.title or link.theme)} | {label} "
                f"| {_md(link.label or link.metric)} | {fmt(link.mean_difference)} | {fmt(link.hedges_g, 2)} "
                f"| {fmt(link.cliffs_delta, 2)} |"
            )
    return out


def render_json(c: Comparison) -> str:
    """JSON (UTF-8); DEL, C1 controls and bidi overrides are written as \\u escapes, as JSON already
    writes the other control characters, so the text is safe to print to a terminal."""
    return escape_serialised(json.dumps(to_dict(c), indent=2, ensure_ascii=False)) + "\n"


def drop_nulls(value):
    """The same object without None values (TOML has no null)."""
    if isinstance(value, dict):
        return {k: drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_nulls(v) for v in value if v is not None]
    return value


def render_toml(c: Comparison) -> str:
    import tomli_w

    return escape_serialised(tomli_w.dumps(drop_nulls(to_dict(c))))  # C1 and bidi as \\u escapes, as in JSON


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json, "toml": render_toml}
