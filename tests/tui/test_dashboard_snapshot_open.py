"""crosscase open: a changed study shows a warning and offers the snapshot's own figures; a
pseudonymised snapshot opens on its own figures, read-only."""

from __future__ import annotations

import shutil

from tui_helpers import EXAMPLE, settle

from tui.app import CrosscaseApp
from tui.cli import main
from tui.screens.compare import CompareScreen
from tui.screens.snapshot import SnapshotScreen


def _export(tmp_path, *extra: str):
    study = tmp_path / "example"
    shutil.copytree(EXAMPLE, study)
    target = tmp_path / "round.toml"
    assert main(["export", str(study), "-o", str(target), *extra]) == 0
    return study, target


async def test_a_changed_study_offers_the_snapshots_own_figures(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    study, target = _export(tmp_path)
    sites = study / "sites.csv"
    sites.write_text(sites.read_text(encoding="utf-8").replace("Northgate", "Northgate Central"), encoding="utf-8")
    app = CrosscaseApp(None, snapshot=str(target))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        shown = [n.message for n in app._notifications]
        assert any("sites.csv changed" in m for m in shown)
        assert any("press F" in m for m in shown)
        await pilot.press("F")
        await pilot.pause()
        assert isinstance(app.screen, SnapshotScreen)
        text = str(app.screen.query_one("#snapshot-text").render())
        assert "Northgate" in text and "Northgate Central" not in text   # what the snapshot recorded
        assert "sites.csv changed" in str(app.screen.query_one("#snapshot-notes").render())
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)


async def test_an_unchanged_study_has_no_snapshot_figures_key(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    _, target = _export(tmp_path)
    app = CrosscaseApp(None, snapshot=str(target))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("F")
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)
        assert app.snapshot_figures is None


async def test_a_pseudonymised_snapshot_opens_read_only_on_its_own_figures(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    _, target = _export(tmp_path, "--pseudonymise")
    app = CrosscaseApp(None, snapshot=str(target))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SnapshotScreen)
        text = str(app.screen.query_one("#snapshot-text").render())
        assert "Site A" in text and "Northgate" not in text and "S1" not in text.split()
        await pilot.press("s")            # no study: the other screens are not offered
        await pilot.pause()
        assert isinstance(app.screen, SnapshotScreen)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_a_pseudonymised_snapshot_with_an_untyped_field_shows_the_problem(tmp_path, monkeypatch):
    """Issue 11.9: a rule parameter written as text crashed the snapshot view (float("many"))."""
    from tui.screens.error import ErrorScreen

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    _, target = _export(tmp_path, "--pseudonymise")
    text = target.read_text(encoding="utf-8")
    assert "\nstrong_diff = 2.0\n" in text
    target.write_text(text.replace("\nstrong_diff = 2.0\n", '\nstrong_diff = "many"\n', 1), encoding="utf-8")
    app = CrosscaseApp(None, snapshot=str(target))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ErrorScreen)
        shown = str(app.screen.query_one("#error-text").render())
        assert "distinguishing.strong_diff: must be a number" in shown
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 2
