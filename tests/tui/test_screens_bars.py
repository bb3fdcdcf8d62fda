"""Issue 10.11: bars start at zero, so a bar's length is its value (35 against 57 is not nothing
against everything); with values below zero the bars start at the lowest value and say so."""

from __future__ import annotations

from screens_studies import write_study
from textual.widgets import Static
from tui_helpers import settle

from tui.dashboard.app import CrosscaseApp
from tui.dashboard.screens.sites import SitesScreen
from tui.dashboard.widgets.charts import bar, bar_scale, baseline_note
from tui.dashboard.widgets.grid import GridTable
from tui.dashboard.widgets.rows import RowList

BLOCKS = set("▏▎▍▌▋▊▉█")


def _two_sites(root):
    """Two sites, no second metric, no ratings: participants 35 and 57, a score from -2 to +1."""
    return write_study(
        root,
        [
            dict(site="A", label="Alder", outcome=0.4, participants=35, score=-2.0),
            dict(site="B", label="Birch", outcome=0.9, participants=57, score=1.0),
        ],
        {
            "outcome": {"label": "Outcome", "min": 0.0, "max": 1.0},
            "participants": {"label": "Participants", "count": False},
            "score": {"label": "Score", "min": -2.0, "max": 2.0},
        },
        outcome="outcome",
    )


def test_bar_scale_starts_at_zero_for_values_of_zero_or_more():
    assert bar_scale([35, 57]) == (0.0, 57)
    lo, hi = bar_scale([35, 57])
    assert bar(35.0, lo, hi, 10).count("█") >= 6  # 35/57 of ten cells, not an empty bar
    assert bar_scale([0, 0]) == (0.0, 1.0) and bar(0.0, 0.0, 1.0, 4) == "    "  # no bar for zero
    assert bar_scale([-2, 1]) == (-2, 1)  # below zero: from the lowest value
    assert baseline_note(0.0) == "" and baseline_note(-2.0, 0) == "bars from -2"
    assert bar_scale([None, "<10"]) == (None, None)


async def test_compare_and_sites_draw_the_lowest_site_a_bar(tmp_path):
    app = CrosscaseApp(_two_sites(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        metrics = screen.query_one("#metrics-table", RowList)
        assert [m.metric for m in app.comparison.metrics] == ["participants", "score"]
        low = screen.query_one("#low-sites", RowList)
        row = next(low.row_text(i) for i in range(low.row_count) if "A Alder" in low.row_text(i))
        assert BLOCKS & set(row), row  # 35 of 57: a bar, not nothing
        assert "35" in row
        # a metric with a value below zero: the bars start at its lowest value, and the panel says so
        metrics.focus()
        await pilot.press("down")
        await settle(pilot, 1)
        assert "bars from -2" in str(low.border_subtitle)

        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, SitesScreen)
        table = app.screen.query_one("#sites-table", GridTable)
        keys = table.column_keys
        cells = table.column_texts(keys.index("participants"))
        assert all(BLOCKS & set(c) for c in cells), cells  # 35 has a bar too
        note = str(app.screen.query_one("#sites-note", Static).render())
        assert app.screen.query_one("#sites-note").display
        assert "score: bars from -2" in note and "participants" not in note
