"""The distinguishing rule in force is shown on Compare and Themes, and the Themes screen shows what
the rule found for each theme (diff, gap, the threshold met) and the authors' published judgement.

The theme pass fills ``diff``, ``gap``, ``met`` and ``published``; here they are set by hand on the
comparison's ThemeResults, so the display is tested whatever the engine puts there."""

from __future__ import annotations

from dataclasses import replace

from screens_studies import write_study
from textual.widgets import Static
from tui_helpers import settle

from cases.rules import make_rule
from tui.dashboard.app import CrosscaseApp
from tui.dashboard.screens.themes import ThemesScreen
from tui.dashboard.widgets.rows import RowList
from tui.dashboard.widgets.rule_text import rule_line

SITES = [dict(site=f"R{i}", label=f"Reed {i}", outcome=v) for i, v in enumerate([0.1, 0.2, 0.3, 0.6, 0.7, 0.8])]
RATINGS = [(f"R{i}", "leadership-support", t) for i, t in enumerate(["-1", "-2", "0", "+1", "+2", "+1"])] + [
    (f"R{i}", "peer-role-clarity", t) for i, t in enumerate(["0", "+1", "0", "0", "+1", "0"])
]
RULE = "rule: means (strong: diff>=1.5; weak: diff>=1)"


def test_rule_line_names_the_rule_and_its_parameters():
    gap = make_rule("gap", {"strong_gap": 1, "strong_diff": 2, "weak_gap": 0, "weak_diff": 1})
    assert rule_line(gap) == "rule: gap (strong: gap>=1, diff>=2; weak: gap>=0, diff>=1)"
    share = make_rule("share", {"min_share": 0.75, "min_z": 0.8, "strong_diff": 2.25})
    assert rule_line(share) == "rule: share (strong: diff>=2.25; min_share=0.75, min_z=0.8)"
    assert rule_line(make_rule("means", {"strong_diff": 1.5})) == RULE
    assert rule_line(make_rule("valence")) == "rule: valence (weak: diff>=1)"


async def test_rule_on_compare_and_themes_and_each_themes_findings(tmp_path):
    folder = write_study(
        tmp_path,
        SITES,
        {"outcome": {"label": "Outcome"}},
        outcome="outcome",
        ratings=RATINGS,
        distinguishing={"rule": "means", "strong_diff": 1.5},
    )
    app = CrosscaseApp(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert str(app.screen.query_one("#rule-line", Static).render()).strip() == RULE
        await pilot.press("t")
        await settle(pilot, 1)
        screen = app.screen
        assert isinstance(screen, ThemesScreen)
        assert str(screen.query_one("#themes-rule", Static).render()).strip() == RULE

        def detail() -> str:
            return str(screen.query_one("#theme-detail-text", Static).render())

        c = app.comparison
        by_id = {t.theme: t for t in c.themes}
        # nothing recorded: a dash for each
        app.comparison = replace(
            c, themes=tuple(replace(t, diff=None, gap=None, met=None, published=None) for t in c.themes)
        )
        await settle(pilot, 1)
        listed = screen.query_one("#themes-list", RowList)
        listed.move_to(listed.keys.index("leadership-support"))
        await settle(pilot, 1)
        assert "diff – · gap – · met: –" in detail() and "authors' judgement" not in detail()
        assert RULE in detail()
        assert "(authors)" not in listed.header_text

        # what the rule found, and the authors' judgement beside the rule's label
        lead = replace(by_id["leadership-support"], diff=2.5, gap=1.0, met="diff >= 1.5", published="weak")
        app.comparison = replace(c, themes=tuple(lead if t.theme == lead.theme else t for t in c.themes))
        await settle(pilot, 1)
        assert "diff 2.50 · gap 1 · met: diff >= 1.5" in detail()
        assert f"authors' judgement: weak · rule's: {lead.distinguishing}" in detail()
        assert "Dist. (authors)" in listed.header_text
        row = listed.row_text(listed.keys.index("leadership-support"))
        assert row.startswith(f"{lead.distinguishing[:6]}") and "(weak)" in row
        other = listed.row_text(listed.keys.index("peer-role-clarity"))
        assert "(" not in other.split("  ")[0]  # no published judgement: none shown
        await pilot.press("q")
