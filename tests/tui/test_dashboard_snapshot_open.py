"""crosscase open: a changed study shows a warning and offers the snapshot's own figures; a
pseudonymised snapshot opens on its own figures, read-only."""

from __future__ import annotations

import shutil

from tui_helpers import EXAMPLE, settle

from tui.cli import main
from tui.dashboard.app import CrosscaseApp
from tui.dashboard.screens.compare import CompareScreen
from tui.dashboard.screens.snapshot import SnapshotScreen


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
        assert "Northgate" in text and "Northgate Central" not in text  # what the snapshot recorded
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
        await pilot.press("s")  # no study: the other screens are not offered
        await pilot.pause()
        assert isinstance(app.screen, SnapshotScreen)
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_a_pseudonymised_snapshot_with_an_untyped_field_shows_the_problem(tmp_path, monkeypatch):
    """Issue 11.9: a rule parameter written as text crashed the snapshot view (float("many"))."""
    import re

    from tui.dashboard.screens.error import ErrorScreen

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    _, target = _export(tmp_path, "--pseudonymise")
    text = target.read_text(encoding="utf-8")
    text, replaced = re.subn(
        r"\n\[distinguishing\]\nrule = (.*)\n", '\n[distinguishing]\nrule = \\1\nstrong_diff = "many"\n', text
    )
    assert replaced == 1
    target.write_text(re.sub(r"\nstrong_diff = [0-9.]+\n", "\n", text, count=1), encoding="utf-8")
    app = CrosscaseApp(None, snapshot=str(target))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ErrorScreen)
        shown = str(app.screen.query_one("#error-text").render())
        assert "distinguishing.strong_diff: must be a number" in shown
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 2


async def _export_with_the_default_path(study, monkeypatch, cwd):
    """Open the dashboard on ``study`` from ``cwd``, press e and accept the offered file name."""
    from pathlib import Path

    from textual.widgets import Input

    monkeypatch.chdir(cwd)
    app = CrosscaseApp(Path(study))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        offered = app.screen.query_one("#export-path", Input).value
        await pilot.press("enter")
        await settle(pilot)
        assert any("Snapshot written" in str(n.message) for n in app._notifications), offered
    return Path(cwd) / offered


async def test_a_snapshot_exported_with_the_default_path_reopens_without_study(tmp_path, monkeypatch):
    """Issue 10.6: from elsewhere, and from inside the study (crosscase .), the round trip needs no --study."""
    from tui.core.snapshots import open_snapshot
    from tui.headless.snapshot_cmds import check_open

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    study = tmp_path / "studies" / "my-study"
    shutil.copytree(EXAMPLE, study)
    elsewhere = tmp_path / "home"
    elsewhere.mkdir()
    for cwd, arg in ((elsewhere, study), (study, "."), (study.parent, "my-study")):
        written = await _export_with_the_default_path(arg, monkeypatch, cwd)
        assert written.resolve() == (study.parent / "my-study-snapshot.toml").resolve(), (cwd, arg)
        monkeypatch.chdir(elsewhere)
        check_open(written.resolve())
        assert open_snapshot(written.resolve()).folder.resolve() == study.resolve()
        assert main(["open", str(written.resolve()), "--study", str(tmp_path / "nope")]) == 2
        written.unlink()


def test_a_snapshot_inside_its_study_folder_reopens_without_study(tmp_path, monkeypatch):
    from tui.core.snapshots import open_snapshot

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    study = tmp_path / "my-study"
    shutil.copytree(EXAMPLE, study)
    inside = study / "round.toml"
    assert main(["export", str(study), "-o", str(inside)]) == 0
    assert open_snapshot(inside).folder.resolve() == study.resolve()
    monkeypatch.chdir(study)
    assert open_snapshot("round.toml").folder.resolve() == study.resolve()


async def test_a_study_protected_after_the_snapshot_opens_protected(tmp_path, monkeypatch):
    """Issue 11.2: the snapshot's [disclosure] never lowers the study's."""
    from tui_helpers import screen_text

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    study, target = _export(tmp_path)
    toml = study / "study.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("pseudonymise = false", "pseudonymise = true"), encoding="utf-8"
    )
    app = CrosscaseApp(None, snapshot=str(target))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        assert app.comparison.disclosure.pseudonymise is True
        text = screen_text(app)
        assert "Site A" in text and "Northgate" not in text and "S1 " not in text
        assert app.snapshot_figures is None
        await pilot.press("s")
        await settle(pilot)
        text = screen_text(app)
        assert "Site A" in text and "Northgate" not in text
