"""Issue 10.9: the Sites filter says what is wrong with a term (an unknown column, a value that is
not a number) instead of showing an empty table, and its placeholder uses the study's own columns."""

from __future__ import annotations

from screens_studies import write_study
from textual.widgets import Input, Static
from tui_helpers import settle

from tui.dashboard.app import CrosscaseApp
from tui.dashboard.screens import site_rows
from tui.dashboard.screens.sites import SitesScreen
from tui.dashboard.widgets.grid import GridTable

SITES = [
    dict(site="W1", label="Wharf", region="North", beds=12, share=0.41),
    dict(site="W2", label="Weir", region="South", beds=30, share=0.55),
    dict(site="W3", label="Wold", region="North", beds=18, share=0.62),
    dict(site="W4", label="Wick", region="East", beds=44, share=0.70),
    dict(site="W5", label="Wren", region="South", beds=25, share=0.35),
]
METRICS = {"share": {"label": "Share", "min": 0.0, "max": 1.0}, "beds": {"label": "Beds", "min": 0}}


def study(tmp_path):
    return write_study(
        tmp_path, SITES, METRICS, outcome="share", attributes=("region",), ratings=[("W1", "leadership-support", "+1")]
    )


def test_filter_problems_name_the_term():
    cols = [
        site_rows.Column("group", "Grp", "group"),
        site_rows.Column("site", "Site", "text"),
        site_rows.Column("beds", "beds", "metric"),
        site_rows.Column("region", "region", "attribute"),
    ]
    assert site_rows.filter_problems("beds>4 region=North word group=H", cols, {"t1"}) == []
    [unknown] = site_rows.filter_problems("bedz>4", cols)
    assert unknown.startswith('no column "bedz"') and 'did you mean "beds"' in unknown
    assert "columns: group, site, beds, region" in unknown
    assert site_rows.filter_problems("beds>abc", cols) == ['"abc" is not a number']
    assert site_rows.filter_problems("region>3", cols) == ['"region" holds text, not numbers: use region=WORD']
    assert site_rows.filter_problems("theme:t2", cols, {"t1"})[0].startswith('no theme "t2"')
    assert site_rows.filter_problems("10:30", cols) == []  # a word with a colon is a word


async def test_sites_filter_says_what_is_wrong_and_hints_with_the_studys_columns(tmp_path):
    app = CrosscaseApp(study(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SitesScreen)
        placeholder = screen.query_one("#sites-filter", Input).placeholder
        assert "region=North" in placeholder and "beds>25" in placeholder
        assert "theme:leadership-support" in placeholder
        assert "employer" not in placeholder and "fidelity" not in placeholder
        note = screen.query_one("#sites-note", Static)
        assert not note.display  # nothing to say yet
        table = screen.query_one("#sites-table", GridTable)

        await pilot.press("slash", *"bedz>20")
        await settle(pilot, 1)
        assert table.row_count == 0
        assert note.display
        text = str(note.render())
        assert 'no column "bedz"' in text and "beds" in text and "region" in text

        screen.set_filter("beds>abc")
        await settle(pilot, 1)
        assert '"abc" is not a number' in str(note.render())

        screen.set_filter("beds>20")
        await settle(pilot, 1)
        assert table.row_count == 3
        assert "3 of 5 sites match" in str(note.render()) and "filter:" not in str(note.render())

        screen.set_filter("")
        await settle(pilot, 1)
        assert not note.display and table.row_count == 5
        await pilot.press("q")
