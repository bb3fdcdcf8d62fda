"""Issue 10.14: at 80x24 the Sensitivity screen's "Seen" column is read whole: in words ("H > L",
not a lone "+" that looked like a column cut to one character) and as wide as its longest entry."""

from __future__ import annotations

from screens_studies import write_study
from textual.widgets import DataTable
from tui_helpers import screen_text, settle

from tui.dashboard.app import CrosscaseApp
from tui.dashboard.screens.tables import SensitivityScreen, robust_widths, seen_text

# eight sites, no second metric: the theme's label changes with the cut (strong, weak, reversed...)
VALUES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]
TOKENS = ["-2", "-2", "-1", "+1", "+2", "+2", "-1", "+2"]
SITES = [dict(site=f"K{i}", label=f"Key {i}", outcome=v, staff=i + 1) for i, v in enumerate(VALUES)]
RATINGS = [(f"K{i}", "leadership-support", t) for i, t in enumerate(TOKENS)]


def test_seen_in_words_and_widths_that_fit():
    assert seen_text(("+",), "metric") == "H > L" and seen_text(("+", "-"), "metric") == "H > L, H < L"
    assert seen_text(("weak reversed", "none"), "theme") == "weak rev, none"
    assert seen_text((), "theme") == "-"
    label_w, seen_w = robust_widths(80, ["strong, weak rev, none"])
    assert seen_w >= len("strong, weak rev, none") and label_w >= 20
    assert 14 + 6 + label_w + seen_w + 8 + 2 <= 80


async def test_seen_column_is_read_whole_at_80x24(tmp_path):
    folder = write_study(
        tmp_path,
        SITES,
        {"outcome": {"label": "Outcome"}, "staff": {"label": "Staff"}},
        outcome="outcome",
        ratings=RATINGS,
        # gap with touching groups weak: the label runs strong, weak, none across the cuts
        distinguishing={"rule": "gap", "weak_gap": 0, "strong_diff": 2},
    )
    app = CrosscaseApp(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, SensitivityScreen)
        sens = app.comparison.sensitivity
        robust = app.screen.query_one("#robust-table", DataTable)
        seen_col = list(robust.columns.values())[-1]
        texts = {f"metric:{r.key}": seen_text(r.seen, "metric") for r in sens.metrics}
        texts.update({f"theme:{r.key}": seen_text(r.seen, "theme") for r in sens.themes})
        assert any(len(t) > 16 for t in texts.values()), texts  # longer than the old 16 cells
        assert seen_col.width >= max(len(t) for t in texts.values())
        for key, text in texts.items():
            assert str(robust.get_cell(key, seen_col.key)) == text
        shown = screen_text(app)
        assert "H > L" in shown
        for text in texts.values():
            assert text in shown  # on screen, whole (two rows)
        await pilot.press("q")
