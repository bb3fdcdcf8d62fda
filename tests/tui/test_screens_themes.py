"""The Themes screen: its scope comes back when a snapshot is reopened (issue 10.13)."""

from __future__ import annotations

import shutil

from textual.widgets import Select
from tui_helpers import EXAMPLE, export_via_dialog, settle

from tui.dashboard.app import CrosscaseApp
from tui.dashboard.screens.themes import ThemesScreen
from tui.dashboard.widgets.rows import RowList


async def test_reopening_a_snapshot_restores_the_themes_scope(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    study = tmp_path / "example"
    shutil.copytree(EXAMPLE, study)
    target = tmp_path / "themes-view.toml"
    app = CrosscaseApp(study)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot, 1)
        screen = app.screen
        assert isinstance(screen, ThemesScreen)
        screen.query_one("#theme-scope", Select).value = "literature"
        await settle(pilot, 1)
        assert screen.scope == "literature"
        listed = screen.query_one("#themes-list", RowList)
        listed.focus()
        await pilot.press("end")
        await settle(pilot, 1)
        chosen = screen.current_theme()
        assert chosen is not None
        await export_via_dialog(pilot, str(target))
        await pilot.press("q")
    assert target.exists()
    assert 'scope = "literature"' in target.read_text(encoding="utf-8")

    reopened = CrosscaseApp(None, snapshot=str(target))
    async with reopened.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = reopened.screen
        assert isinstance(screen, ThemesScreen)
        assert screen.scope == "literature"
        assert screen.query_one("#theme-scope", Select).value == "literature"
        assert screen.current_theme() == chosen
        await pilot.press("q")
