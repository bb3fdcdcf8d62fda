"""Pilot tests: every screen and control of the dashboard, driven as a person would."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import DataTable, Input, Select, Static
from tui_helpers import EXAMPLE, settle

from metrics.numbers import fmt_p
from tui.dashboard.app import CrosscaseApp
from tui.dashboard.dialogs.help import HelpDialog
from tui.dashboard.dialogs.split import SplitDialog
from tui.dashboard.screens.compare import CompareScreen
from tui.dashboard.screens.site import SiteScreen
from tui.dashboard.screens.sites import SitesScreen
from tui.dashboard.screens.tables import ConfigurationsScreen, SensitivityScreen
from tui.dashboard.screens.themes import ALL, ThemesScreen
from tui.dashboard.widgets.grid import GridTable
from tui.dashboard.widgets.rows import RowList


def options_of(screen, selector: str) -> list[str]:
    """The site ids listed in a group panel of the Compare screen (information rows left out)."""
    return [key for key in screen.query_one(selector, RowList).keys if key]


async def test_opens_on_compare_with_groups_banner_and_p_values():
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        assert screen.query_one("#banner").display
        assert "ILLUSTRATIVE DATA" in str(screen.query_one("#banner", Static).render())
        assert sorted(options_of(screen, "#high-sites")) == ["S1", "S3", "S5"]
        assert sorted(options_of(screen, "#low-sites")) == ["S2", "S6", "S7"]
        assert "S4" in str(screen.query_one("#middle-sites", Static).render())
        metrics = screen.query_one("#metrics-table", RowList)
        assert metrics.row_count == len(app.comparison.metrics)
        assert metrics.header_text.split()[-1] == "p"
        assert not app.comparison.pending
        assert not any("pending" in metrics.row_text(i) for i in range(metrics.row_count))
        assert metrics.row_text(0).split()[-1] == fmt_p(app.comparison.metrics[0])
        themes = screen.query_one("#themes-table", RowList)
        flags = [themes.row_text(i).split()[0] for i in range(themes.row_count)]
        assert flags[0] == "strong" and flags[-1] in ("none", "insufficient")


async def test_every_screen_opens_and_escape_goes_back():
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key, kind in (
            ("s", SitesScreen),
            ("t", ThemesScreen),
            ("v", SensitivityScreen),
            ("g", ConfigurationsScreen),
            ("c", CompareScreen),
        ):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, kind), key
            assert app.screen.query_one("#banner").display
        await pilot.press("v")
        await pilot.pause()
        assert app.screen.query_one("#cuts-table", DataTable).row_count == len(app.comparison.sensitivity.cuts)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)
        # help, with ? and F1
        for key in ("question_mark", "f1"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, HelpDialog)
            rows = app.screen.key_rows()
            described = {description for _, _, description in rows}
            keys = {keys for _, keys, _ in rows}
            assert {"Split…", "Export…", "Sort ↑", "Sites with theme", "Next site", "Help", "Quit"} <= described
            assert "? / f1" in keys and "<" in keys
            assert {
                ("Lists and tables", "Page down"),
                ("Lists and tables", "Select"),
                ("Lists and tables", "Right"),
            } <= {(t, d) for t, _, d in rows}
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, CompareScreen)
        # the light theme keeps the colour-blind-safe palette
        await pilot.press("d")
        await pilot.pause()
        assert app.theme == "crosscase-light"
        assert app.theme_variables["group-high"].upper() == "#0072B2"
        await pilot.press("q")
    assert app.return_code == 0


async def test_split_dialog_changes_the_groups():
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SplitDialog)
        dialog.query_one("#split-rule", Select).value = "threshold"
        await pilot.pause()
        assert dialog.query_one("#split-threshold", Input).display
        dialog.query_one("#split-threshold", Input).value = "lots"
        await pilot.click("#split-apply")
        await pilot.pause()
        assert isinstance(app.screen, SplitDialog)
        assert "not a number" in str(dialog.query_one("#split-problems", Static).render())
        dialog.query_one("#split-threshold", Input).value = "0.5"
        dialog.query_one("#split-threshold", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        assert app.comparison.split.rule == "threshold"
        assert sorted(options_of(screen, "#high-sites")) == ["S1", "S3", "S4", "S5"]
        assert "threshold at 0.500" in str(screen.query_one("#status", Static).render())
        # the other screens follow
        await pilot.press("s")
        await pilot.pause()
        table = app.screen.query_one("#sites-table", GridTable)
        assert table.column_texts(0).count("H") == 4


async def test_command_palette_opens_the_split_dialog():
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"split")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SplitDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"show si")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SitesScreen)


async def test_site_screen_from_sites_and_compare():
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SiteScreen) and screen.site == "S1"
        text = str(screen.query_one("#site-themes", Static).render())
        assert "Managers at Northgate were described as visible champions" in text
        assert "Northgate" in str(screen.query_one("#site-head", Static).render())
        await pilot.press("n")
        await pilot.pause()
        assert screen.site == "S3"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SitesScreen)
        await pilot.press("c")
        await pilot.pause()
        app.screen.query_one("#low-sites").focus()
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SiteScreen) and app.screen.site in ("S2", "S6", "S7")


async def test_sites_filter_and_sort():
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await pilot.pause()
        screen = app.screen
        table = screen.query_one("#sites-table", GridTable)
        assert table.column_texts(1)[0] == "S1"  # sorted by the outcome, highest first
        await pilot.press("slash")
        await pilot.press(*"employer=NHS")
        await pilot.pause()
        assert sorted(table.column_texts(1)) == ["S1", "S3", "S5", "S6"]
        await pilot.press("enter")  # back to the table
        await pilot.pause()
        assert screen.focused is table
        await pilot.press("right", "right")  # the label column
        await pilot.press("less_than_sign")  # sort it, ascending
        await pilot.pause()
        assert table.column_texts(2) == sorted(table.column_texts(2))
        assert screen.view_state()["sort"] == "label"
        screen.set_filter("fidelity>4 group=H")
        await pilot.pause()
        assert sorted(table.column_texts(1)) == ["S1", "S3"]
        screen.set_filter("")
        await pilot.pause()
        assert table.row_count == 7
        await pilot.press("x")
        screen.query_one("#scatter-metric", Select).value = "supervisor_hours"
        await pilot.pause()
        assert screen.scatter_metric == "supervisor_hours"


async def test_themes_filter_by_domain_and_jump_to_sites():
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await pilot.pause()
        screen = app.screen
        listing = screen.query_one("#themes-list", RowList)
        assert listing.row_count == 12
        screen.query_one("#theme-domain", Select).value = "Outer Setting"
        await pilot.pause()
        assert listing.row_count == 1
        detail = str(screen.query_one("#theme-detail-text", Static).render())
        assert "Working across employing organisations" in detail and "doi:" in detail
        screen.query_one("#theme-scope", Select).value = "all"
        await pilot.pause()
        assert listing.row_count > 1
        screen.query_one("#theme-scope", Select).value = "rated"
        await pilot.pause()
        listing.focus()
        await pilot.press("j")
        await pilot.pause()
        sites = app.screen
        assert isinstance(sites, SitesScreen)
        assert sites.filter_text == "theme:cross-organisation-working"
        shown = sites.query_one("#sites-table", GridTable).column_texts(1)
        assert "S1" not in shown and len(shown) == 6  # S1 rates it N/A


async def test_themes_domain_box_follows_the_filter_it_applies():
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await pilot.pause()
        screen = app.screen
        domain = screen.query_one("#theme-domain", Select)
        screen.apply_view({"filter": "domain=Outer Setting"})  # as a snapshot's view does
        await pilot.pause()
        assert domain.value == "Outer Setting" == screen.domain
        assert all(app.study.themes[t].domain == "Outer Setting" for t in screen._ids)
        screen.select_theme("leadership-support")  # not in that domain: widened
        await pilot.pause()
        assert domain.value == ALL == screen.domain and screen.current_theme() == "leadership-support"
        app.change_outcome(replace(app.outcome, split="tertiles"))  # a new split keeps the box
        await settle(pilot)
        assert domain.value == ALL and screen.current_theme() == "leadership-support"


async def test_theme_row_on_compare_jumps_to_the_theme():
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.query_one("#themes-table").focus()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ThemesScreen)
        assert (
            app.screen.current_theme()
            == sorted(app.comparison.themes, key=lambda t: ({"strong": 0, "weak": 1}.get(t.distinguishing, 2),))[
                0
            ].theme
        )


async def test_too_small_terminal_shows_a_message():
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.has_class("-too-small")
        assert "Enlarge the terminal to at least 80×24" in str(screen.query_one("#too-small", Static).render())
        assert not screen.query_one("#body").display  # the screen's content is hidden
        assert screen.query_one("#too-small").display
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not app.screen.has_class("-too-small")
        assert app.screen.query_one("#body").display and not app.screen.query_one("#too-small").display


async def test_split_dialog_opens_on_a_study_without_a_second_metric(make_study, tmp_path):
    """Issue 10.1: without [outcome] second, 'o' crashed with InvalidSelectValueError (Select.BLANK)."""
    import re

    folder = make_study(tmp_path, study_toml=lambda t: re.sub(r"(?m)^second\s*=.*\n", "", t))
    assert "second" not in (folder / "study.toml").read_text().split("[outcome]")[1].split("[")[0]
    app = CrosscaseApp(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SplitDialog)
        assert dialog.query_one("#split-second", Select).value is Select.NULL
        dialog.query_one("#split-rule", Select).value = "quadrants"
        await pilot.pause()
        await pilot.click("#split-apply")
        await pilot.pause()
        assert isinstance(app.screen, SplitDialog)  # quadrants needs a second metric: a problem, not a crash
        assert str(dialog.query_one("#split-problems", Static).render()).strip()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)
        await pilot.press("q")
    assert app.return_code == 0
