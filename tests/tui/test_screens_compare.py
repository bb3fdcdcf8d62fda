"""Compare on a study that is not the example (no second metric, six sites, outcome order unlike
the sites file's): the panels name the metric whose mean they give and show each site's outcome
value and the cut (issue 10.12); the theme table labels each rating with its site, in the panels'
order (issue 10.4)."""

from __future__ import annotations

import re

from screens_studies import write_study
from tui_helpers import settle

from tui.dashboard.app import CrosscaseApp
from tui.dashboard.screens.compare import CompareScreen
from tui.dashboard.widgets.rows import RowList

# the sites file's order is not the outcome's: E C A are low (0.1 0.2 0.5), B D F high (0.9 0.7 0.8)
SITES = [
    dict(site="E", label="Elm", uptake=0.1, staff=9, hours=1.5),
    dict(site="B", label="Beech", uptake=0.9, staff=2, hours=6.0),
    dict(site="C", label="Cedar", uptake=0.2, staff=1, hours=2.5),
    dict(site="D", label="Dogwood", uptake=0.7, staff=8, hours=4.0),
    dict(site="A", label="Ash", uptake=0.5, staff=5, hours=3.0),
    dict(site="F", label="Fir", uptake=0.8, staff=4, hours=5.0),
]
METRICS = {
    "uptake": {"label": "Uptake", "min": 0.0, "max": 1.0},
    "staff": {"label": "Staff", "min": 0},
    "hours": {"label": "Hours", "min": 0.0},
}
RATINGS = [
    ("E", "leadership-support", "-2"),
    ("B", "leadership-support", "+2"),
    ("C", "leadership-support", "-1"),
    ("D", "leadership-support", "0"),
    ("A", "leadership-support", "X"),
    ("F", "leadership-support", "+1"),
]


def study(tmp_path):
    return write_study(tmp_path, SITES, METRICS, outcome="uptake", ratings=RATINGS)


def panel_sites(screen, group: str) -> list[str]:
    return [k for k in screen.query_one(f"#{group}-sites", RowList).keys if k]


async def test_panels_name_the_metric_and_show_the_outcome_and_the_cut(tmp_path):
    app = CrosscaseApp(study(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        assert app.comparison.split.cut == 0.6 and [m.metric for m in app.comparison.metrics] == ["staff", "hours"]
        high, low = (screen.query_one(f"#{g}-sites", RowList) for g in ("high", "low"))
        # the header names the metric whose mean it gives (staff: high B D F = 2 8 4, low E C A = 9 1 5)
        assert "Staff" in str(high.border_title) and "mean 4.67" in str(high.border_title)
        assert "Staff" in str(low.border_title) and "mean 5.00" in str(low.border_title)
        # each site's outcome value is in its row, highest first; the cut is under the panel
        assert panel_sites(screen, "high") == ["B", "F", "D"] and panel_sites(screen, "low") == ["A", "C", "E"]
        values = {s["site"]: s["uptake"] for s in SITES}
        for panel in (high, low):
            for i, key in enumerate(panel.keys):
                assert f"{values[key]:.2f}" in panel.row_text(i), panel.row_text(i)
            assert "uptake" in panel.header_text
        assert "cut 0.600" in str(high.border_subtitle) and "uptake 0.70–0.90" in str(high.border_subtitle)
        assert "uptake 0.10–0.50" in str(low.border_subtitle)
        # another metric highlighted: the header follows it, the outcome values stay
        screen.query_one("#metrics-table", RowList).focus()
        await pilot.press("down")
        await settle(pilot, 1)
        assert "Hours" in str(high.border_title) and "mean 5.00" in str(high.border_title)
        assert "0.90" in high.row_text(0) and "6.00" in high.row_text(0)
        await pilot.press("q")


async def test_theme_ratings_carry_their_site_in_the_panels_order(tmp_path):
    app = CrosscaseApp(study(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        themes = screen.query_one("#themes-table", RowList)
        row = themes.row_text(themes.keys.index("leadership-support"))
        tokens = {site: token for site, _, token in RATINGS}
        for group in ("high", "low"):
            order = panel_sites(screen, group)
            expected = " ".join(f"{s} {tokens[s]}" for s in order)
            assert expected in row, (expected, row)
        # the order follows the panels, not the sites file (B D F, E C A there)
        assert row.index("B +2") < row.index("F +1") < row.index("D 0")
        assert row.index("A X") < row.index("C -1") < row.index("E -2")
        # on a wide screen the ratings are separated by commas, same order
        await pilot.resize_terminal(130, 40)
        await settle(pilot, 1)
        row = themes.row_text(themes.keys.index("leadership-support"))
        assert "B +2, F +1, D 0" in row and "A X, C -1, E -2" in row
        assert re.search(r"\b(strong|weak|none|insufficient)\b", row)
        await pilot.press("q")
