"""The REFI-QDA project from the dashboard's export dialog (issue 17's way back, from the screen):
byte for byte what ``crosscase export --format qdpx`` writes for the same study and disclosure,
evidence only when ticked, the same refusals, written in a worker through the atomic writer."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import Button, Checkbox, Input, Select
from tui_helpers import EXAMPLE, screen_text, settle

from tests.cli_helpers import run_cli
from tui.dashboard.app import CrosscaseApp
from tui.dashboard.dialogs.confirm import ConfirmScreen
from tui.dashboard.dialogs.export import ExportDialog, path_for


def notes(app) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


@pytest.fixture
def study(tmp_path) -> Path:
    folder = tmp_path / "study"
    shutil.copytree(EXAMPLE, folder)
    return folder


async def open_project_kind(pilot) -> ExportDialog:
    await pilot.press("e")
    await settle(pilot, 1)
    dialog = pilot.app.screen
    assert isinstance(dialog, ExportDialog)
    dialog.query_one("#export-kind", Select).value = "qdpx"
    await pilot.pause()
    return dialog


async def write_project(pilot, path: Path, evidence: bool) -> None:
    dialog = await open_project_kind(pilot)
    dialog.query_one("#export-evidence", Checkbox).value = evidence
    dialog.query_one("#export-path", Input).value = str(path)
    dialog.query_one("#export-path", Input).focus()
    await pilot.press("enter")
    await settle(pilot)


def cli_project(capsys, study: Path, out: Path, *options: str) -> tuple[int, str]:
    rc, _, err = run_cli(capsys, "export", study, "--format", "qdpx", "-o", out, *options)
    return rc, err


async def test_the_dialog_offers_a_project_with_evidence_only_when_ticked(capsys, study, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cli_project(capsys, study, tmp_path / "cli.qdpx")
    cli_project(capsys, study, tmp_path / "cli-ev.qdpx", "--include-evidence")
    app = CrosscaseApp(study)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        dialog = await open_project_kind(pilot)
        offered = dialog.query_one("#export-path", Input).value
        assert offered.endswith("study-project.qdpx")
        assert dialog.query_one("#export-evidence", Checkbox).display
        assert not dialog.query_one("#export-note", Input).display  # a project has no place for a note
        assert "not with pseudonyms" in screen_text(app)
        write = dialog.query_one("#export-write", Button)
        assert write.region.bottom <= 24 and write.region.height > 0  # the button is on an 80x24 screen
        await pilot.press("escape")
        await settle(pilot, 1)
        await write_project(pilot, tmp_path / "dash.qdpx", evidence=False)
        assert "REFI-QDA project written to" in notes(app)
        await write_project(pilot, tmp_path / "dash-ev.qdpx", evidence=True)
        assert "REFI-QDA project (with evidence) written to" in notes(app)
    assert (tmp_path / "dash.qdpx").read_bytes() == (tmp_path / "cli.qdpx").read_bytes()
    assert (tmp_path / "dash-ev.qdpx").read_bytes() == (tmp_path / "cli-ev.qdpx").read_bytes()
    assert (tmp_path / "dash.qdpx").read_bytes() != (tmp_path / "dash-ev.qdpx").read_bytes()


async def test_pseudonyms_are_refused_on_screen_as_on_the_command_line(capsys, study, tmp_path):
    rc, err = cli_project(capsys, study, tmp_path / "cli.qdpx", "--pseudonymise")
    assert rc == 2 and "pseudonyms" in err
    app = CrosscaseApp(study, disclosure={"min_count": None, "pseudonymise": True})
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await write_project(pilot, tmp_path / "dash.qdpx", evidence=True)
        assert "cannot be exported with pseudonyms" in notes(app)
    assert not (tmp_path / "dash.qdpx").exists()


async def test_an_existing_project_is_replaced_only_after_confirmation(study, tmp_path):
    target = tmp_path / "old.qdpx"
    target.write_bytes(b"keep")
    app = CrosscaseApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await write_project(pilot, target, evidence=False)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert target.read_bytes() == b"keep"
        await write_project(pilot, target, evidence=False)
        await pilot.press("y")
        await settle(pilot)
    assert target.read_bytes()[:2] == b"PK"


def test_path_for_names_a_project():
    assert path_for("x-snapshot.toml", "qdpx") == "x-project.qdpx"
    assert path_for("x-project.qdpx", "csv") == "x-table.csv"
    assert path_for("x-project.qdpx", "snapshot") == "x-snapshot.toml"
    assert path_for("mine.qdpx", "snapshot") == "mine.toml"


@pytest.mark.parametrize(
    "name",
    ["two-sites", "empty-group", "no-ratings", "wide-only", "hostile", "pseudonymised", "min-count", "no-second"],
)
async def test_on_each_study_shape_the_dashboards_project_is_the_commands(capsys, study_shapes, tmp_path, name):
    """Whatever the shape, the dashboard writes the command's bytes, or refuses what it refuses."""
    shape = study_shapes[name]
    rc, err = cli_project(capsys, shape.folder, tmp_path / "cli.qdpx")
    app = CrosscaseApp(shape.folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await write_project(pilot, tmp_path / "dash.qdpx", evidence=False)
        if rc == 0:
            assert (tmp_path / "dash.qdpx").read_bytes() == (tmp_path / "cli.qdpx").read_bytes(), name
        else:
            assert not (tmp_path / "dash.qdpx").exists()
            assert err.splitlines()[0].removeprefix("crosscase: ").split(":")[0] in notes(app), (err, notes(app))
