"""Issue 14 item 4 from the dashboard: the paper's table from the export dialog, in each format, byte
for byte what ``crosscase table`` writes for the same comparison (disclosure included); written in a
worker through the atomic writer; an existing file replaced only after the confirmation dialog."""

from __future__ import annotations

import dataclasses
import shutil
import threading
import zipfile
from pathlib import Path

import pytest
from textual.widgets import Checkbox, Input, Select
from tui_helpers import EXAMPLE, screen_text, settle

from cases.loader import load_study
from tests.cli_helpers import run_cli
from tui.dashboard.app import CrosscaseApp
from tui.dashboard.dialogs.confirm import ConfirmScreen
from tui.dashboard.dialogs.export import ExportDialog, path_for


def notes(app) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


SUFFIX = {"markdown": ".md", "csv": ".csv", "latex": ".tex", "xlsx": ".xlsx"}


@pytest.fixture
def study(tmp_path) -> Path:
    folder = tmp_path / "study"
    shutil.copytree(EXAMPLE, folder)
    (folder / "evidence.csv").write_text("site,theme,excerpt\nS1,leadership-support,EXCERPT-TEXT\n")
    (folder / "judgements.csv").write_text('theme,label,reason\nleadership-support,strong,"REASON-TEXT"\n')
    return folder


def sheets(path: Path) -> dict[str, bytes]:
    """A workbook's cells and strings (not its properties, which carry the time it was written)."""
    with zipfile.ZipFile(path) as book:
        return {n: book.read(n) for n in book.namelist() if n.startswith(("xl/worksheets/", "xl/sharedStrings"))}


def cli_table(capsys, study: Path, fmt: str, out: Path, *options: str) -> bytes:
    rc, _, err = run_cli(capsys, "table", study, "--format", fmt, "-o", out, *options)
    assert rc == 0, err
    return out.read_bytes()


async def export_table(pilot, fmt: str, path: Path) -> ExportDialog:
    """e, the table's format in the dialog's first choice, the file name, Enter."""
    await pilot.press("e")
    await settle(pilot, 1)
    dialog = pilot.app.screen
    assert isinstance(dialog, ExportDialog)
    dialog.query_one("#export-kind", Select).value = fmt
    await pilot.pause()
    assert dialog.query_one("#export-path", Input).value.endswith(SUFFIX[fmt])  # the suffix follows
    assert not dialog.query_one("#export-evidence", Checkbox).display  # a table has no evidence to offer
    dialog.query_one("#export-path", Input).value = str(path)
    dialog.query_one("#export-path", Input).focus()
    await pilot.press("enter")
    await settle(pilot)
    return dialog


@pytest.mark.parametrize("pseudonymise", [False, True], ids=["named", "pseudonymised"])
async def test_each_format_is_what_crosscase_table_writes(capsys, study, tmp_path, pseudonymise):
    options = ("--pseudonymise",) if pseudonymise else ()
    expected = {fmt: cli_table(capsys, study, fmt, tmp_path / f"cli{SUFFIX[fmt]}", *options) for fmt in SUFFIX}
    disclosure = {"min_count": None, "pseudonymise": True} if pseudonymise else None
    app = CrosscaseApp(study, disclosure=disclosure)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        for fmt in SUFFIX:
            path = tmp_path / f"dash{SUFFIX[fmt]}"
            await export_table(pilot, fmt, path)
            assert path.exists(), fmt
            if fmt == "xlsx":
                assert sheets(path) == sheets(tmp_path / "cli.xlsx")
            else:
                assert path.read_bytes() == expected[fmt], fmt
            assert b"EXCERPT-TEXT" not in path.read_bytes() and b"REASON-TEXT" not in path.read_bytes()
        assert "Table written to" in notes(app)
    if pseudonymise:
        real = {x for s in load_study(study).sites for x in (s.id, s.label)}
        text = (tmp_path / "dash.md").read_text()
        assert "Site A" in text and not any(f"| {r} " in text or f" {r} (" in text for r in real)


async def test_the_table_follows_the_dashboards_split(capsys, study, tmp_path):
    expected = cli_table(capsys, study, "csv", tmp_path / "cli.csv", "--split", "tertiles")
    app = CrosscaseApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.outcome is not None
        app.change_outcome(dataclasses.replace(app.outcome, split="tertiles"))
        await settle(pilot)
        await export_table(pilot, "csv", tmp_path / "dash.csv")
    assert (tmp_path / "dash.csv").read_bytes() == expected


async def test_an_existing_file_is_replaced_only_after_confirmation(study, tmp_path, monkeypatch):
    import cases.atomic

    writes = []
    real = cases.atomic.write_atomic

    def recorded(path, text, force=False):
        writes.append((Path(path).name, force, threading.current_thread() is threading.main_thread()))
        return real(path, text, force=force)

    monkeypatch.setattr(cases.atomic, "write_atomic", recorded)
    target = tmp_path / "table.tex"
    target.write_text("old")
    app = CrosscaseApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await export_table(pilot, "latex", target)
        assert isinstance(app.screen, ConfirmScreen) and "exists. Replace it?" in screen_text(app)
        await pilot.press("n")
        await settle(pilot)
        assert target.read_text() == "old" and "Nothing written." in notes(app)
        await export_table(pilot, "latex", target)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert target.read_text().startswith("\\begin{tabular}")
    # every write went through the atomic writer, in a worker thread, with force only after "y"
    assert writes == [("table.tex", False, False), ("table.tex", False, False), ("table.tex", True, False)]


async def test_a_study_file_is_refused_and_left_alone(study, tmp_path):
    before = (study / "ratings.csv").read_bytes()
    app = CrosscaseApp(study)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await export_table(pilot, "csv", study / "ratings.csv")
        if isinstance(app.screen, ConfirmScreen):
            await pilot.press("y")
            await settle(pilot)
        assert "is one of the study's own files" in notes(app)
    assert (study / "ratings.csv").read_bytes() == before


async def test_the_kind_is_chosen_with_the_keyboard_and_a_snapshot_still_works(study, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = CrosscaseApp(study)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot, 1)
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        offered = dialog.query_one("#export-path", Input).value
        assert offered.endswith("study-snapshot.toml")
        dialog.query_one("#export-kind", Select).focus()
        await pilot.press("enter", "down", "enter")  # open the choice, the next one (Markdown), take it
        await settle(pilot, 1)
        assert dialog.kind == "markdown" and dialog.query_one("#export-path", Input).value == offered.replace(
            "-snapshot.toml", "-table.md"
        )
        assert "never evidence" in screen_text(app)
        dialog.query_one("#export-kind", Select).value = "snapshot"
        await pilot.pause()
        assert dialog.query_one("#export-path", Input).value == offered  # and back
        assert dialog.query_one("#export-evidence", Checkbox).display
        dialog.query_one("#export-path", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "Snapshot written to" in notes(app)
    assert Path(offered).read_text().startswith('schema = "crosscase.snapshot/1"')


def test_path_for_keeps_the_users_own_name():
    assert path_for("out/my-results.toml", "csv") == str(Path("out/my-results.csv"))
    assert path_for("x-snapshot.toml", "xlsx") == "x-table.xlsx"
    assert path_for("x-table.xlsx", "snapshot") == "x-snapshot.toml"
    assert path_for("notes.txt", "latex") == "notes.txt"  # a suffix of the user's own is left alone
    assert path_for("", "markdown") == ""


@pytest.mark.parametrize(
    "name", ["two-sites", "empty-group", "no-ratings", "wide-only", "hostile", "pseudonymised", "min-count"]
)
async def test_on_each_study_shape_the_dashboards_table_is_the_commands(capsys, study_shapes, tmp_path, name):
    """tests/shapes.py's shapes: whatever the shape (an empty group, no ratings, a published table only,
    hostile text, the study's own pseudonyms or min_count), the dashboard writes the command's bytes."""
    shape = study_shapes[name]
    expected = {
        fmt: cli_table(capsys, shape.folder, fmt, tmp_path / f"cli{SUFFIX[fmt]}") for fmt in ("markdown", "latex")
    }
    app = CrosscaseApp(shape.folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        for fmt, data in expected.items():
            path = tmp_path / f"dash{SUFFIX[fmt]}"
            await export_table(pilot, fmt, path)
            assert path.read_bytes() == data, (name, fmt)
            for secret in shape.hidden:
                assert secret.encode() not in data
