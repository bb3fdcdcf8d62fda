"""The Matrix grid draws only the window (issue 14 item 4): what it draws, scrolled anywhere, is the
whole row cut at the window, and its strips stay the window's length however far it scrolls."""

from __future__ import annotations

import importlib.util

import pytest
from tui_helpers import REPO, settle

from tui.dashboard.app import CrosscaseApp
from tui.dashboard.screens.matrix import MatrixGrid, MatrixScreen


def bench_study(folder, sites: int, themes: int):
    spec = importlib.util.spec_from_file_location("bench_dashboard", REPO / "tests/benchmarks/bench_dashboard.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench.make_study(folder, sites, themes, 7)


@pytest.fixture(scope="module")
def wide_study(tmp_path_factory):
    return bench_study(tmp_path_factory.mktemp("wide") / "study", 400, 6)


def expected_line(whole: str, fixed_w: int, scroll_x: int, width: int) -> str:
    """The oracle: the fixed columns, then the whole row from the window's left edge on."""
    fixed = min(fixed_w, width)
    text = whole[:fixed].ljust(fixed)
    if fixed < width:
        text += whole[fixed + scroll_x : scroll_x + width].ljust(width - fixed) if scroll_x else whole[fixed:width]
    return text.ljust(width)[:width]


def check_window(table: MatrixGrid) -> None:
    width = table.scrollable_content_region.width
    sx, sy = round(table.scroll_x), round(table.scroll_y)
    fixed_w = table._fixed_w
    lines = {0: table.marks_text, 1: table.header_text}
    for y in range(table.scrollable_content_region.height):
        index = sy + y - 2
        if y >= 2 and 0 <= index < table.row_count:
            lines[y] = table.row_text(index)
    for y, whole in lines.items():
        shown = table.render_line(y).text
        assert shown == expected_line(whole, fixed_w, sx, width), (y, sx)
    for strip in table._strips.values():  # the window's length, not the scrolled-to place's
        assert strip.cell_length <= fixed_w + width + max(c.width for c in table._columns) + 4


async def test_what_the_grid_draws_is_the_whole_row_cut_at_the_window(wide_study):
    app = CrosscaseApp(wide_study)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MatrixScreen)
        table = screen.query_one("#matrix-table", MatrixGrid)
        keys = table.column_keys
        sites = [i for i, k in enumerate(keys) if k.startswith("site:")]
        assert len(sites) == 400
        row = next(i for i, k in enumerate(table.keys) if k is not None)
        for column in (sites[0], sites[3], sites[len(sites) // 2], sites[-1], keys.index("label"), len(keys) - 1):
            table.move_cell(row + 2, column)
            await settle(pilot, 1)
            assert table.scroll_x > 0 or column < sites[20]
            check_window(table)
            # the cursor's cell is drawn in the cursor style, at its place in the window
            x = table._x[column] - round(table.scroll_x)
            strip = table.render_line(2 + table.cursor - round(table.scroll_y))
            cursor = table.get_component_rich_style("rowlist--cursor")
            marked = "".join(seg.text for seg in strip if seg.style and seg.style.bgcolor == cursor.bgcolor)
            assert marked.strip() == table.cell_text(table.cursor, column)
            assert strip.text[x : x + table._columns[column].width].strip() == marked.strip()
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        table.move_cell(row, sites[250])
        await settle(pilot, 1)
        check_window(table)
        screen.action_toggle_middle()  # a re-split of the columns keeps the window right too
        await settle(pilot, 1)
        check_window(table)


async def test_a_re_split_draws_the_new_groups_without_laying_the_screen_out(wide_study, monkeypatch):
    """The status line is one line of fixed size: a change of split redraws it (and the grid) without a
    layout pass of the whole screen (~25 ms at 2,000 sites; tests/benchmarks/bench_matrix.py)."""
    import dataclasses

    from textual.screen import Screen
    from tui_helpers import screen_text

    app = CrosscaseApp(wide_study)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        layouts = []
        real = Screen._refresh_layout
        monkeypatch.setattr(Screen, "_refresh_layout", lambda self, *a, **k: (layouts.append(1), real(self, *a, **k)))
        assert app.outcome is not None and app.comparison is not None
        before = app.comparison.split
        app.change_outcome(dataclasses.replace(app.outcome, split="tertiles"))
        await settle(pilot)
        split = app.comparison.split
        assert split.rule == "tertiles" and len(split.middle) != len(before.middle)
        assert layouts == []
        assert f"H {len(split.high)} · L {len(split.low)} · M {len(split.middle)}" in screen_text(app)
        table = app.screen.query_one("#matrix-table", MatrixGrid)
        check_window(table)
