"""GridTable (tui/dashboard/widgets/grid.py): the Sites matrix's table, driven with Pilot in an app of its own."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult

from tui.dashboard.widgets.grid import GAP, GridColumn, GridTable

COLUMNS = [GridColumn("g", "G", 1), GridColumn("site", "Site", 4), GridColumn("label", "Label", 10)]
COLUMNS += [GridColumn(f"m{i}", f"M{i}", 6, "right") for i in range(8)]
FIXED_W = 1 + GAP + 4 + GAP + 10 + GAP


def row_cells(i: int) -> list:
    return ["H" if i % 2 else "L", f"S{i}", Text(f"[b]L{i}[/b]"), *(f"{i}.{m}" for m in range(8))]


class GridApp(App):
    CSS = "GridTable { height: 8; width: 50; }"

    def __init__(self, rows: int = 20):
        super().__init__()
        self.count, self.events = rows, []

    def compose(self) -> ComposeResult:
        yield GridTable(id="grid")

    def on_mount(self) -> None:
        grid = self.query_one(GridTable)
        grid.set_grid(COLUMNS, [(f"S{i}", lambda i=i: row_cells(i)) for i in range(self.count)], fixed=3)
        grid.focus()

    def on_grid_table_header_selected(self, event: GridTable.HeaderSelected) -> None:
        self.events.append(("header", event.key))

    def on_row_list_selected(self, event: GridTable.Selected) -> None:
        self.events.append(("selected", event.key, event.row_list.cursor_column))


async def test_cells_columns_and_literal_text():
    app = GridApp()
    async with app.run_test(size=(60, 12)):
        grid = app.query_one(GridTable)
        assert grid.column_keys[:3] == ["g", "site", "label"]
        assert grid.column_texts(1)[:3] == ["S0", "S1", "S2"]
        assert grid.cell_text(3, 2) == "[b]L3[/b]"  # data text shown as written
        assert grid.cell_text(3, 4) == "3.1"
        assert grid.row_text(3)[FIXED_W : FIXED_W + 6] == "   3.0"  # figures right-aligned
        assert grid.render_line(0).text.startswith("G  Site  Label" + " " * 11 + "M0")  # titles aligned too


async def test_right_moves_the_cell_cursor_and_scrolls_keeping_fixed_columns():
    app = GridApp()
    async with app.run_test(size=(60, 12)) as pilot:
        grid = app.query_one(GridTable)
        assert grid.cursor_column == 0 and round(grid.scroll_x) == 0
        await pilot.press(*["right"] * 10)
        await pilot.pause()
        assert grid.cursor_column == len(COLUMNS) - 1
        assert round(grid.scroll_x) > 0
        line = grid.render_line(1).text  # row 0, scrolled sideways
        assert line.startswith("L  S0    [b]L0[/b] ")  # the fixed columns stayed
        assert line.rstrip().endswith("0.7")  # the last column came into view
        assert line.count("0.") <= len(COLUMNS) - 3
        await pilot.press(*["left"] * 10)
        await pilot.pause()
        assert grid.cursor_column == 0 and round(grid.scroll_x) == 0


async def test_the_cursor_cell_is_marked_and_its_row_lighter():
    app = GridApp()
    async with app.run_test(size=(60, 12)) as pilot:
        grid = app.query_one(GridTable)
        await pilot.press("down", "right")
        await pilot.pause()
        cursor_bg = grid.get_component_rich_style("rowlist--cursor").bgcolor
        segments = [seg for seg in grid.render_line(2) if seg.text]  # header, row 0, row 1
        marked = "".join(seg.text for seg in segments if seg.style and seg.style.bgcolor == cursor_bg)
        assert marked.strip() == "S1"
        other_rows = {seg.style.bgcolor for seg in grid.render_line(1) if seg.text.strip()}
        assert cursor_bg not in other_rows


async def test_header_click_names_the_column_and_cell_click_selects_its_row():
    app = GridApp()
    async with app.run_test(size=(60, 12)) as pilot:
        app.query_one(GridTable)
        await pilot.click(GridTable, offset=(5, 0))
        await pilot.pause()
        assert app.events[-1] == ("header", "site")
        await pilot.click(GridTable, offset=(FIXED_W + 1, 3))
        await pilot.pause()
        assert [e for e in app.events if e[0] == "selected"] == [("selected", "S2", 3)]  # once per click
        await pilot.press(*["right"] * 10)  # scrolled: clicks follow the view
        await pilot.pause()
        await pilot.click(GridTable, offset=(FIXED_W + 1, 0))
        await pilot.pause()
        shown = app.events[-1]
        assert shown[0] == "header" and shown[1] != "m0" and shown[1].startswith("m")
        await pilot.click(GridTable, offset=(2, 0))  # a fixed column does not scroll
        await pilot.pause()
        assert app.events[-1] == ("header", "g")


async def test_a_click_past_the_last_column_is_no_column():
    app = GridApp()
    async with app.run_test(size=(200, 12)) as pilot:
        app.query_one(GridTable).styles.width = 190
        await pilot.pause()
        width = sum(c.width for c in COLUMNS) + GAP * (len(COLUMNS) - 1)
        await pilot.click(GridTable, offset=(width + 5, 0))
        await pilot.pause()
        assert app.events == []
        await pilot.click(GridTable, offset=(width - 1, 0))
        await pilot.pause()
        assert app.events == [("header", "m7")]


async def test_only_rows_in_view_are_laid_out():
    made: list[int] = []

    def make(i):
        made.append(i)
        return row_cells(i)

    app = GridApp(0)
    async with app.run_test(size=(60, 12)) as pilot:
        grid = app.query_one(GridTable)
        grid.set_grid(COLUMNS, [(f"S{i}", lambda i=i: make(i)) for i in range(2000)], fixed=3)
        await pilot.pause()
        assert 0 < len(made) <= grid.size.height
        assert grid.virtual_size.width == sum(c.width for c in COLUMNS) + GAP * (len(COLUMNS) - 1)
