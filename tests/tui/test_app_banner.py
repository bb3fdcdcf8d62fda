"""A reopened snapshot whose study changed: a banner names each changed file on every screen, for
as long as the recomputed figures are shown (a toast faded after 20 s and named no file)."""

from __future__ import annotations

import shutil

from tui_helpers import EXAMPLE, screen_text, settle

from tui.cli import main
from tui.dashboard.app import CrosscaseApp
from tui.dashboard.screens.site import SiteScreen
from tui.dashboard.screens.snapshot import SnapshotScreen


def _changed_snapshot(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    study = tmp_path / "example"
    shutil.copytree(EXAMPLE, study)
    target = tmp_path / "round.toml"
    assert main(["export", str(study), "-o", str(target)]) == 0
    sites = study / "sites.csv"
    sites.write_text(sites.read_text(encoding="utf-8").replace("Northgate", "Northgate Central"), encoding="utf-8")
    (study / "ratings.csv").unlink()
    return target


async def test_the_changed_files_stay_named_on_every_screen(tmp_path, monkeypatch):
    target = _changed_snapshot(tmp_path, monkeypatch)
    app = CrosscaseApp(None, snapshot=str(target))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.pause(1.0)
        app.clear_notifications()  # the toasts have faded
        await pilot.pause()
        for key in ("c", "s", "t", "v", "g"):
            await pilot.press(key)
            await settle(pilot)
            text = screen_text(app)
            assert "sites.csv changed" in text and "ratings.csv removed" in text, (key, text)
            assert "Since the snapshot" in text
        await app.push_screen(SiteScreen("S1"))
        await settle(pilot)
        assert "sites.csv changed" in screen_text(app)
        await pilot.press("escape")
        app.change_outcome(app.outcome.__class__(app.outcome.metric, "tertiles"))  # still the changed study
        await settle(pilot)
        assert "sites.csv changed" in screen_text(app)
        await pilot.press("F")
        await pilot.pause()
        assert isinstance(app.screen, SnapshotScreen)


async def test_no_banner_when_nothing_changed_or_no_snapshot(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    study = tmp_path / "example"
    shutil.copytree(EXAMPLE, study)
    target = tmp_path / "same.toml"
    assert main(["export", str(study), "-o", str(target)]) == 0
    for app in (CrosscaseApp(None, snapshot=str(target)), CrosscaseApp(study)):
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert not app.screen.query_one("#changed").display
            assert "Since the snapshot" not in screen_text(app)
