"""Faults while the dashboard is open: the terminal shrinks to 20x10 and back; the study folder
changes or disappears. The app keeps working on what it loaded, and never crashes."""

from __future__ import annotations

import shutil
import tomllib

from textual.widgets import Static
from tui_helpers import EXAMPLE, export_via_dialog, screen_text, settle

from tui.dashboard.app import CrosscaseApp
from tui.dashboard.screens.compare import CompareScreen


async def test_a_terminal_of_20x10_and_back():
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for size in ((20, 10), (100, 30), (20, 10), (80, 24)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            small = size[0] < 80 or size[1] < 24
            assert app.screen.has_class("-too-small") == small
            assert app.screen.query_one("#too-small", Static).display == small
        await pilot.press("s")  # keys still work after the round trip
        await settle(pilot)
        assert "Northgate" in screen_text(app)


async def test_the_study_folder_disappears_while_open(tmp_path, monkeypatch):
    study = tmp_path / "study"
    shutil.copytree(EXAMPLE, study)
    monkeypatch.chdir(tmp_path)
    app = CrosscaseApp(study)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        shutil.rmtree(study)  # gone: the dashboard works on what it loaded
        for key in ("s", "t", "v", "g", "c"):
            await pilot.press(key)
            await settle(pilot)
        app.change_outcome(app.outcome.__class__(app.outcome.metric, "tertiles"))
        await settle(pilot)
        assert app.comparison.split.rule == "tertiles"
        await export_via_dialog(pilot, "after.toml")
        assert isinstance(app.screen, CompareScreen) and app.is_running
    snapshot = tomllib.loads((tmp_path / "after.toml").read_text(encoding="utf-8"))
    assert snapshot["split"]["rule"] == "tertiles" and snapshot["study"]["folder"] == "study"


async def test_the_study_files_change_while_open(tmp_path):
    study = tmp_path / "study"
    shutil.copytree(EXAMPLE, study)
    app = CrosscaseApp(study)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        before = app.comparison
        (study / "sites.csv").write_text("garbage,\n\x00\x01", encoding="utf-8")
        (study / "study.toml").unlink()
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert app.comparison.split == before.split and app.is_running
