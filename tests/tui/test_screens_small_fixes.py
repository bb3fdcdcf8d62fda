"""Three things the SVG snapshots showed wrong (issue 12.7's review): each checked on what is drawn."""

from __future__ import annotations

from textual.widgets import Select
from textual.widgets._select import SelectCurrent
from tui_helpers import settle

from tui.dashboard.app import CrosscaseApp
from tui.dashboard.screens.sites import SitesScreen
from tui.dashboard.screens.snapshot import SnapshotScreen
from tui.dashboard.screens.themes import ThemesScreen


async def test_themes_of_a_study_without_ratings_say_so_not_blame_a_filter(study_shapes):
    shape = study_shapes["no-ratings"]
    app = CrosscaseApp(shape.folder)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot, 1)
        screen = app.screen
        assert isinstance(screen, ThemesScreen)
        text = str(screen.query_one("#theme-detail-text").render())
        assert "no ratings yet" in text and "filter" not in text
        await pilot.press("q")


async def test_the_scatter_choice_shows_the_start_of_a_long_label_on_its_one_row(study_shapes):
    """A label with no space in its first 33 characters wrapped onto a hidden row: only "x:" showed."""
    shape = study_shapes["hostile"]
    app = CrosscaseApp(shape.folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot, 1)
        screen = app.screen
        assert isinstance(screen, SitesScreen)
        current = screen.query_one("#scatter-metric", Select).query_one(SelectCurrent)
        label = current.query_one("#label")
        shown = "".join(s.text for s in label.render_line(0)).strip()
        assert shown.startswith("x: ") and len(shown) > len("x: ") + 5, shown
        await pilot.press("q")


async def test_a_snapshot_alone_says_escape_quits(tmp_path, study_shapes, monkeypatch):
    """With no study behind it, escape ends the dashboard: its footer said "Back"."""
    from snapshot_apps import exported

    target = exported(study_shapes["pseudonymised"].folder, tmp_path)
    monkeypatch.chdir(tmp_path)
    app = CrosscaseApp(None, snapshot=target.name)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SnapshotScreen) and screen.alone
        assert screen.active_bindings["escape"].binding.description == "Quit"
        await pilot.press("escape")
        await settle(pilot, 1)
    assert app.return_code == 0
