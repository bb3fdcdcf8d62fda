"""The snapshot screen: escape "Quit" alone, "Back" beside a changed study (two bindings, one shown at a
time)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from test_app_footer import screen_rows
from tui_helpers import EXAMPLE, settle

from tui.cli import main
from tui.dashboard.app import CrosscaseApp
from tui.dashboard.screens.compare import CompareScreen
from tui.dashboard.screens.snapshot import SnapshotScreen


def example_snapshot(root: Path, *options: str) -> Path:
    """``crosscase export`` of (a copy of) the built-in example, which has a [qca], with a fixed date."""
    copy = root / "example"
    shutil.copytree(EXAMPLE, copy)
    target = root / "snapshot.toml"
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    try:
        assert main(["export", str(copy), "-o", str(target), *options]) == 0
    finally:
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    return target


async def test_escape_quits_alone_and_goes_back_beside_a_study(tmp_path):
    """Two escape bindings, one shown at a time: the footer reads "esc Quit" alone, "esc Back" beside a
    changed study, and escape does what it says (the screen once swapped its private ``_bindings``)."""
    (tmp_path / "alone").mkdir()
    alone = example_snapshot(tmp_path / "alone", "--pseudonymise")
    for size in ((80, 24), (120, 40)):
        app = CrosscaseApp(None, snapshot=str(alone))
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, SnapshotScreen) and screen.alone
            footer = screen_rows(app)[-1]
            assert footer.startswith("esc Quit ? Help ") and "Back" not in footer, footer
            assert screen.active_bindings["escape"].binding.description == "Quit"
            await pilot.press("escape")
            await settle(pilot, 1)
        assert app.return_code == 0 and app.quitting

    (tmp_path / "beside").mkdir()
    beside = example_snapshot(tmp_path / "beside")
    sites = tmp_path / "beside" / "example" / "sites.csv"
    sites.write_text(sites.read_text(encoding="utf-8").replace("Northgate", "Northgate One", 1), encoding="utf-8")
    app = CrosscaseApp(None, snapshot=str(beside))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen) and app.snapshot_figures is not None
        await pilot.press("F")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SnapshotScreen) and not screen.alone
        footer = screen_rows(app)[-1]
        assert footer.startswith("esc Back ? Help ") and "Quit" not in footer, footer
        assert screen.active_bindings["escape"].binding.description == "Back"
        await pilot.press("escape")
        await settle(pilot, 1)
        assert isinstance(app.screen, CompareScreen) and not app.quitting
        await pilot.press("q")
    assert app.return_code == 0
