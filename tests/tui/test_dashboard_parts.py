"""The dashboard's pure parts: safe text, inline charts, the sites matrix, the fast re-split."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from tui_helpers import EXAMPLE, NASTY_LABEL

from cases.loader import load_study
from metrics.analysis import analyse
from metrics.results import Options
from metrics.summary import to_dict
from tui.dashboard.screens import site_rows
from tui.dashboard.session import analyse_quick, analyse_split
from tui.dashboard.widgets.charts import bar, marker_strip, strip
from tui.dashboard.widgets.palette import GROUP_MARK
from tui.dashboard.widgets.safe_text import safe, safe_block


def test_safe_text_is_literal_and_shortened():
    text = safe(NASTY_LABEL, 20)
    assert isinstance(text, Text) and not text.spans
    assert text.plain == "[b]bold[/b] [@click…"
    assert "\x1b" not in safe(NASTY_LABEL).plain and "\\x1b[31mred" in safe(NASTY_LABEL).plain
    block = safe_block("line one\nline two\x07 " + "x" * 5000, limit=100)
    assert block.plain.startswith("line one\nline two\\x07") and block.plain.endswith("…") and len(block.plain) == 100


def test_bar_and_strips():
    assert bar(None, 0, 1, 4) == "    "
    assert bar(1.0, 0.0, 1.0, 4) == "████" and bar(0.5, 0.0, 1.0, 4) == "██  "
    assert bar(0.0, 0.0, 1.0, 4) == "    " and bar(3.0, 3.0, 3.0, 2) == "██"
    s = strip([(1.0, "high"), (0.0, "low"), (0.5, "middle"), (1.0, "low"), ("<10", "high")], 5, {})
    assert s.plain == "L·M·*"
    assert strip([], 6, {}).plain == "(no va"
    # groups other than H, L, M: their own mark, or * when they share a cell with another group
    assert (
        strip([(0.0, "missing"), (1.0, "elsewhere"), (1.0, "nowhere"), (0.5, "high")], 3, {}).plain
        == f"{GROUP_MARK['missing']}H*"
    )


def test_strip_matches_a_plain_reference():
    import math
    import random

    def reference(points, width):
        pts = [(float(v), g) for v, g in points if isinstance(v, float)]
        lo, hi = min(v for v, _ in pts), max(v for v, _ in pts)
        cells = [set() for _ in range(width)]
        for v, g in pts:
            at = math.floor((v - lo) / (hi - lo) * (width - 1) + 0.5) if hi > lo else width // 2  # halves up
            cells[at].add(g)
        return "".join("·" if not c else "*" if len(c) > 1 else GROUP_MARK[next(iter(c))] for c in cells)

    rng = random.Random(5)
    for _ in range(300):
        width = rng.randint(1, 30)
        points = [
            (rng.choice([rng.random(), float(rng.randint(0, 3)), "<10"]), rng.choice(["high", "low", "middle"]))
            for _ in range(rng.randint(1, 40))
        ]
        if any(isinstance(v, float) for v, _ in points):
            assert strip(points, width, {}).plain == reference(points, width), (points, width)
    assert marker_strip([0.0, 1.0, 2.0], 2.0, 5, "").plain == "· · ◆"


def test_site_rows_sort_and_filter():
    study = load_study(EXAMPLE)
    comparison = analyse_quick(study, Options())
    cols = site_rows.columns(study, comparison)
    rows = site_rows.rows(study, comparison)
    assert [c.key for c in cols[:4]] == ["group", "site", "label", "engagement"]
    by = {c.key: c for c in cols}
    ordered = site_rows.sort_rows(rows, by["engagement"], descending=True)
    assert [r["site"] for r in ordered][:3] == ["S1", "S3", "S5"]
    assert next(r["group"] for r in site_rows.sort_rows(rows, by["group"], False)) == "high"
    labels = [r["label"] for r in site_rows.sort_rows(rows, by["label"], False)]
    assert labels == sorted(labels, key=str.casefold)

    def keep(text):
        test = site_rows.make_filter(text, cols, lambda theme: site_rows.theme_sites(study, theme))
        return sorted(r["site"] for r in rows if test(r))

    assert keep("") == [f"S{i}" for i in range(1, 8)]
    assert keep("employer=NHS") == ["S1", "S3", "S5", "S6"]
    assert keep("employer!=NHS") == ["S2", "S4", "S7"]
    assert keep("fidelity>=4.13 group=H") == ["S1", "S3"]
    assert keep("group=M") == ["S4"]
    assert keep("marsh") == ["S7"]
    assert keep("theme:cross-organisation-working") == ["S2", "S3", "S4", "S5", "S6", "S7"]
    assert keep("fidelity>lots") == []
    assert keep('"Kestrel Vale"') == ["S6"]
    assert keep('unbalanced "quote') == []


def test_counts_below_the_disclosure_limit_are_never_shown():
    study = load_study(EXAMPLE)
    study = replace(study, disclosure=replace(study.disclosure, min_count=40))
    comparison = analyse_quick(study, Options())
    rows = {r["site"]: r for r in site_rows.rows(study, comparison)}
    assert rows["S1"]["participants"] == "<40" and rows["S2"]["participants"] == 57.0


def test_the_fast_resplit_matches_the_engine():
    """analyse_split reuses the split sensitivity; the result must equal a full analyse()."""
    study = load_study(EXAMPLE)
    first = analyse_quick(study, Options())
    for outcome in (
        replace(study.outcome, split="threshold", threshold=0.5),
        replace(study.outcome, split="tertiles"),
        replace(study.outcome, metric="fidelity"),
    ):
        options = Options(outcome=outcome)
        fast, incomplete = analyse_split(study, options, first)
        full = analyse(study, replace(options, permutations=False))
        # the literature and links follow every split, also before the sensitivity table is done
        assert fast.literature.to_dict() == full.literature.to_dict()
        assert [link.to_dict() for link in fast.links] == [link.to_dict() for link in full.links]
        if incomplete:
            assert fast.sensitivity is None and outcome.metric != study.outcome.metric
        else:
            assert to_dict(fast) == to_dict(full)
            assert fast.sensitivity.to_dict() == full.sensitivity.to_dict()
            assert fast.configurations.to_dict() == full.configurations.to_dict()
