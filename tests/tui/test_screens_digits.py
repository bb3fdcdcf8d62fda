"""Issue 10.13: digits follow the metric's spread. Small proportions (0.07 against 0.068) showed
two decimals, so two different values read as one and a difference of 0.002 read as 0.01."""

from __future__ import annotations

from screens_studies import write_study
from tui_helpers import settle

from metrics.numbers import decimals
from tui.dashboard.app import CrosscaseApp
from tui.dashboard.screens.base import digits_for
from tui.dashboard.widgets.grid import GridTable
from tui.dashboard.widgets.rows import RowList

# a share of 5 to 9 per cent (readmission, say) beside an outcome; no second metric, no ratings
SITES = [
    dict(site="P1", label="Pine", outcome=0.9, readmitted=0.070),
    dict(site="P2", label="Poplar", outcome=0.8, readmitted=0.068),
    dict(site="P3", label="Plane", outcome=0.7, readmitted=0.090),
    dict(site="P4", label="Plum", outcome=0.3, readmitted=0.052),
    dict(site="P5", label="Pear", outcome=0.2, readmitted=0.050),
    dict(site="P6", label="Palm", outcome=0.1, readmitted=0.061),
]
METRICS = {
    "outcome": {"label": "Outcome", "min": 0.0, "max": 1.0},
    "readmitted": {"label": "Readmitted", "min": 0.0, "max": 1.0},
}


def test_decimals_follow_the_spread_within_the_datas_precision():
    assert decimals([0.07, 0.068, 0.09, 0.052, 0.05]) == 3  # 0.070 and 0.068 differ
    assert decimals([0.0681234, 0.0701234]) == 4  # 2 significant digits of 0.002
    assert decimals([0.001, 0.9]) == 3  # the smallest value is not 0.00
    assert decimals([4.2, 3.15, 4.13]) == 2  # written with 2 decimals: 2
    assert decimals([6.0, 1.5]) == 2  # at least 2
    assert decimals([35, 57, 44]) == 0 and decimals([1.0, 2.0]) == 0
    assert decimals([1 / 3, 2 / 3]) == 2
    assert decimals([]) == 2 and decimals([None, "<10"]) == 2
    assert decimals([1e-9, 2e-9]) == 4  # never more than 4


async def test_small_proportions_are_told_apart_on_compare_and_sites(tmp_path):
    app = CrosscaseApp(write_study(tmp_path, SITES, METRICS, outcome="outcome"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert digits_for(app.study, "readmitted") == 3
        high = app.screen.query_one("#high-sites", RowList)
        rows = {high.keys[i]: high.row_text(i) for i in range(high.row_count)}
        assert rows["P1"].rstrip().endswith("0.070") and rows["P2"].rstrip().endswith("0.068")
        await pilot.press("s")
        await settle(pilot)
        table = app.screen.query_one("#sites-table", GridTable)
        cells = table.column_texts(table.column_keys.index("readmitted"))
        assert any(c.endswith("0.068") for c in cells) and any(c.endswith("0.070") for c in cells)
        await pilot.press("q")
