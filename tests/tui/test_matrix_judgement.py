"""Issue 14 item 3 on screen: the analyst's judgement (judgements.csv) beside the rule's label on Matrix,
Themes and Compare, the count where the two differ in view, the reason in words; the rule's label
never replaced, the mark of a difference text (not colour), data text literal, no reason with
pseudonyms."""

from __future__ import annotations

import shutil

import pytest
from textual.widgets import Static
from tui_helpers import EXAMPLE, NASTY_LABEL, screen_text, settle

from tui.dashboard.app import CrosscaseApp
from tui.dashboard.dialogs.evidence import EvidenceDialog
from tui.dashboard.screens.matrix import MatrixGrid, MatrixScreen
from tui.dashboard.widgets.rows import RowList

REASON = "we read the memos as strong, not none"
# leadership-support is "none" by the example's rule, peer-role-clarity is "weak" (checked below)
JUDGEMENTS = f'theme,label,reason\nleadership-support,Strong,"{REASON}"\npeer-role-clarity,weak,\n'
ESC = "\\x1b"  # how an ESC character reads on screen


@pytest.fixture
def judged_study(tmp_path):
    folder = tmp_path / "study"
    shutil.copytree(EXAMPLE, folder)
    (folder / "judgements.csv").write_text(JUDGEMENTS)
    return folder


def expected_cell(judgement: str | None, rule: str) -> str:
    """Written out here, not the screen's helper: the label, then " ≠" when it differs from the rule's."""
    if judgement is None:
        return ""
    return judgement + (" ≠" if judgement != rule else "")


async def open_screen(pilot, key: str):
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)
    return pilot.app.screen


async def test_matrix_shows_the_judgement_beside_the_rules_label(judged_study):
    app = CrosscaseApp(judged_study)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_screen(pilot, "M")
        assert isinstance(screen, MatrixScreen) and app.comparison is not None
        results = {r.theme: r for r in app.comparison.themes}
        assert results["leadership-support"].distinguishing == "none"  # the example's rule: the two differ
        assert results["peer-role-clarity"].distinguishing == "weak"  # and agree
        table = screen.query_one("#matrix-table", MatrixGrid)
        keys = table.column_keys
        assert keys.index("judgement") > keys.index("label")  # beside, after the rule's label
        for i, theme in enumerate(table.keys):
            if theme is None:
                continue
            r = results[theme]
            rule = r.distinguishing + ("↺" if r.direction == "reversed" else "")
            assert table.cell_text(i, keys.index("label")) == rule  # never replaced
            judgement = {"leadership-support": "strong", "peer-role-clarity": "weak"}.get(theme)
            assert table.cell_text(i, keys.index("judgement")) == expected_cell(judgement, r.distinguishing)
        text = screen_text(app)
        assert "Analyst" in text and "strong ≠" in text
        assert "Analyst's judgements: 2 recorded, 1 differs from the rule's label (≠)" in text
        # the cursor on the theme (not a site): the line under the grid gives both labels and the reason
        row = table.keys.index("leadership-support")
        table.move_cell(row, 0)
        await settle(pilot, 1)
        line = str(screen.query_one("#matrix-cell", Static).render())
        assert f"analyst: strong ≠ rule's none ({REASON[:20]}" in line  # cut to the line; in full in the dialog
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, EvidenceDialog)
        plain = app.screen.text.plain
        assert f"analyst: strong ≠ rule's none · reason: {REASON}" in plain


async def test_matrix_at_80x24_keeps_the_count_in_view(judged_study):
    app = CrosscaseApp(judged_study)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_screen(pilot, "M")
        assert "2 recorded, 1 differs from the rule" in screen_text(app)
        await pilot.press("right_square_bracket", "right", "right", "right")  # the label columns, then Analyst
        await settle(pilot, 1)
        table = screen.query_one("#matrix-table", MatrixGrid)
        assert table.column_keys[table.cursor_column] == "judgement"
        assert "strong ≠" in screen_text(app) and "Analyst" in table.header_text


async def test_themes_screen_lists_and_explains_the_judgement(judged_study):
    app = CrosscaseApp(judged_study)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_screen(pilot, "t")
        table = screen.query_one("#themes-list", RowList)
        rows = {key: table.row_text(i) for i, key in enumerate(table.keys)}
        assert "Analyst" in table.header_text
        assert rows["leadership-support"].startswith("none")  # the rule's label first, unchanged
        assert "strong ≠" in rows["leadership-support"]
        assert "weak" in rows["peer-role-clarity"] and "≠" not in rows["peer-role-clarity"]
        assert "2 recorded, 1 differs from the rule's label (≠)" in screen_text(app)
        screen.select_theme("leadership-support")
        await settle(pilot, 1)
        detail = str(screen.query_one("#theme-detail-text", Static).render())
        assert f"analyst: strong ≠ rule's none · reason: {REASON}" in detail
        assert "distinguishing: none" in detail


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_compare_shows_the_judgement_column_and_the_count(judged_study, size):
    app = CrosscaseApp(judged_study)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#themes-table", RowList)
        rows = {key: table.row_text(i) for i, key in enumerate(table.keys) if key}
        assert table.header_text.split()[:2] == ["Dist.", "Analyst"]
        assert rows["leadership-support"].startswith("none") and "strong ≠" in rows["leadership-support"]
        others = [t for t in rows if t not in ("leadership-support", "peer-role-clarity")]
        assert others and all("≠" not in rows[t] for t in others)
        assert len(table.header_text) <= size[0] - 2  # the rows still fit the screen
        assert "2 recorded, 1 differs from the rule's label (≠)" in screen_text(app)


async def test_without_judgements_no_column_and_no_count():
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "Analyst" not in app.screen.query_one("#themes-table", RowList).header_text
        assert not app.screen.query_one("#judged-line").display
        screen = await open_screen(pilot, "M")
        assert "judgement" not in screen.query_one("#matrix-table", MatrixGrid).column_keys
        assert "Analyst" not in screen_text(app)
        screen = await open_screen(pilot, "t")
        assert "Analyst" not in screen.query_one("#themes-list", RowList).header_text


async def test_a_hostile_reason_is_literal_and_pseudonyms_drop_it(judged_study):
    (judged_study / "judgements.csv").write_text(
        'theme,label,reason\nleadership-support,strong,"' + NASTY_LABEL.replace('"', '""') + '"\n'
    )
    shown = NASTY_LABEL.replace(chr(27), ESC)
    app = CrosscaseApp(judged_study)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_screen(pilot, "t")
        screen.select_theme("leadership-support")
        await settle(pilot, 1)
        assert shown in str(screen.query_one("#theme-detail-text", Static).render())
        assert app.is_running
    app = CrosscaseApp(judged_study, disclosure={"min_count": 10, "pseudonymise": True})
    async with app.run_test(size=(160, 40)) as pilot:
        screen = await open_screen(pilot, "M")
        table = screen.query_one("#matrix-table", MatrixGrid)
        row = table.keys.index("leadership-support")
        assert table.cell_text(row, table.column_keys.index("judgement")) == "strong ≠"  # the label is no evidence
        table.move_cell(row, 0)
        await settle(pilot, 1)
        assert "[b]bold" not in str(screen.query_one("#matrix-cell", Static).render())
        screen = await open_screen(pilot, "t")
        screen.select_theme("leadership-support")
        await settle(pilot, 1)
        detail = str(screen.query_one("#theme-detail-text", Static).render())
        assert "analyst: strong ≠ rule's none" in detail and "reason" not in detail and "[b]bold" not in detail
