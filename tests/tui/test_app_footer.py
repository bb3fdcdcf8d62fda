"""The footer at 80x24 and 120x40 on every screen: "? Help" and "q Quit" whole, and nothing in the
bottom-right cell (Textual's compact footer let the end of the key row show through there)."""

from __future__ import annotations

import html
import re
import shutil

import pytest
from tui_helpers import EXAMPLE, settle

from tui.dashboard.app import CrosscaseApp
from tui.dashboard.screens.error import ErrorScreen
from tui.dashboard.screens.site import SiteScreen

SIZES = [(80, 24), (120, 40)]
CELL = 12.2  # rich's export_svg: the width of one cell in the SVG


def screen_rows(app) -> list[str]:
    """The current screen as rows of cells, read from the SVG screenshot (row and column of each text)."""
    svg = app.export_screenshot()
    width, height = app.size
    rows = [[" "] * width for _ in range(height)]
    for x, line, text in re.findall(
        r'<text[^>]*x="([\d.]+)"[^>]*clip-path="url\(#terminal-\d+-line-(\d+)\)">([^<]*)</text>', svg
    ):
        col = round(float(x) / CELL)
        for i, ch in enumerate(html.unescape(text).replace("\xa0", " ")):
            if 0 <= col + i < width:
                rows[int(line)][col + i] = ch
    return ["".join(r) for r in rows]


def assert_footer(app, where: str, quit_key: bool = True) -> None:
    footer = screen_rows(app)[-1]
    assert "? Help" in footer, f"{where}: {footer!r}"
    if quit_key:
        assert "q Quit" in footer, f"{where}: {footer!r}"
    assert footer[-1] == " ", f"{where}: a stray {footer[-1]!r} in the bottom-right cell: {footer!r}"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_every_dashboard_screen_shows_help_and_quit_whole(size):
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for key, name in (
            ("c", "Compare"),
            ("s", "Sites"),
            ("t", "Themes"),
            ("v", "Sensitivity"),
            ("g", "Configurations"),
        ):
            await pilot.press(key)
            await settle(pilot)
            assert name == app.screen.SCREEN_NAME
            assert_footer(app, name)
        await app.push_screen(SiteScreen("S1"))
        await settle(pilot)
        assert_footer(app, "Site")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_error_and_loading_screens_show_help_and_quit_whole(size, tmp_path, monkeypatch):
    study = tmp_path / "study"
    shutil.copytree(EXAMPLE, study)
    (study / "sites.csv").write_text("site,label\nS1,x\n", encoding="utf-8")
    app = CrosscaseApp(study)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ErrorScreen)
        assert_footer(app, "error")
    monkeypatch.setattr(CrosscaseApp, "load", lambda self: None)  # stays on "Loading the study…"
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert "Loading the study" in "\n".join(screen_rows(app))
        assert_footer(app, "loading")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_snapshot_screen_has_no_stray_cell(size, tmp_path, monkeypatch):
    from tui.cli import main
    from tui.dashboard.screens.snapshot import SnapshotScreen

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    _, target = tmp_path / "example", tmp_path / "round.toml"
    assert main(["export", "-o", str(target), "--pseudonymise"]) == 0
    app = CrosscaseApp(None, snapshot=str(target))
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SnapshotScreen)
        assert_footer(app, "snapshot", quit_key=False)  # its q is shown as the screen's own key
