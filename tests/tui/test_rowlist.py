"""RowList (tui/dashboard/widgets/rows.py): the Compare screen's tables and group panels.

Driven with Pilot in a small app of its own: keys, clicks, messages, the fixed header, literal
text, and ``cells`` laying out columns.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult

from tui.dashboard.widgets.rows import RowList, cells


class RowsApp(App):
    CSS = "RowList { height: 6; }"

    def __init__(self, rows, header=None):
        super().__init__()
        self.rows, self.header, self.events = rows, header, []

    def compose(self) -> ComposeResult:
        yield RowList(id="list")

    def on_mount(self) -> None:
        self.query_one(RowList).set_rows(self.rows, header=self.header)
        self.query_one(RowList).focus()

    def on_row_list_highlighted(self, event: RowList.Highlighted) -> None:
        self.events.append(("highlighted", event.index, event.key))

    def on_row_list_selected(self, event: RowList.Selected) -> None:
        self.events.append(("selected", event.index, event.key))


def numbered(n: int, info_at=()) -> list:
    return [(None, Text(f"info {i}")) if i in info_at else (f"k{i}", Text(f"row {i}")) for i in range(n)]


def line_text(widget: RowList, y: int) -> str:
    return widget.render_line(y).text


async def test_keys_move_the_cursor_past_information_rows_and_enter_selects():
    app = RowsApp(numbered(12, info_at=(1, 11)), header=Text("Head"))
    async with app.run_test(size=(40, 10)) as pilot:
        rows = app.query_one(RowList)
        assert rows.cursor == 0 and app.events == []  # filling the rows is not a move
        await pilot.press("down")
        assert rows.cursor == 2 and rows.cursor_key == "k2"  # row 1 is information: passed over
        await pilot.press("up")
        assert rows.cursor == 0
        await pilot.press("end")
        assert rows.cursor == 10  # the last row is information too
        await pilot.press("home")
        assert rows.cursor == 0
        await pilot.press("pagedown")
        assert rows.cursor > 2
        await pilot.press("pageup")
        assert rows.cursor == 0
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.events[-1] == ("selected", 2, "k2")
        assert ("highlighted", 2, "k2") in app.events


async def test_the_header_stays_and_the_cursor_row_is_always_in_view():
    app = RowsApp(numbered(30), header=Text("Head"))
    async with app.run_test(size=(40, 10)) as pilot:
        rows = app.query_one(RowList)
        await pilot.press("end")
        await pilot.pause()
        assert line_text(rows, 0).startswith("Head")
        visible = [line_text(rows, y).strip() for y in range(1, rows.size.height)]
        assert "row 29" in visible
        await pilot.press("home")
        await pilot.pause()
        assert line_text(rows, 0).startswith("Head") and line_text(rows, 1).startswith("row 0")


async def test_new_rows_keep_the_cursor_place_and_clamp_it():
    app = RowsApp(numbered(10))
    async with app.run_test(size=(40, 10)) as pilot:
        rows = app.query_one(RowList)
        await pilot.press("down", "down", "down")
        assert rows.cursor == 3
        before = len(app.events)
        rows.set_rows(numbered(10))
        await pilot.pause()
        assert rows.cursor == 3 and len(app.events) == before
        rows.set_rows(numbered(2))
        assert rows.cursor == 1
        rows.set_rows([(None, Text("(no sites)"))])
        assert rows.cursor is None and rows.cursor_key is None
        await pilot.press("enter", "down", "end")
        await pilot.pause()
        assert not any(kind == "selected" for kind, *_ in app.events[before:])


async def test_a_click_selects_the_row_under_the_pointer_not_the_header():
    app = RowsApp(numbered(30), header=Text("Head"))
    async with app.run_test(size=(40, 10)) as pilot:
        rows = app.query_one(RowList)
        await pilot.click(RowList, offset=(2, 3))
        await pilot.pause()
        assert [e for e in app.events if e[0] == "selected"] == [("selected", 2, "k2")]  # once per click
        await pilot.press("end")  # scrolled: the header still is no row
        await pilot.pause()
        top = round(rows.scroll_y)
        assert top > 0
        app.events.clear()
        await pilot.click(RowList, offset=(2, 0))
        await pilot.pause()
        assert not any(kind == "selected" for kind, *_ in app.events)
        await pilot.click(RowList, offset=(2, 2))
        await pilot.pause()
        assert app.events[-1] == ("selected", top + 1, f"k{top + 1}")


async def test_page_up_reaches_the_first_row_past_information_rows():
    app = RowsApp(numbered(21, info_at=range(1, 20)))
    async with app.run_test(size=(40, 10)) as pilot:
        rows = app.query_one(RowList)
        await pilot.press("end")
        assert rows.cursor == 20
        await pilot.press("pageup")
        assert rows.cursor == 0


async def test_text_is_drawn_literally():
    hostile = "[b]bold?[/b] [@click=app.quit]quit[/] \x1b[31m"
    app = RowsApp([("k", Text(hostile))])
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert line_text(app.query_one(RowList), 0).startswith(hostile)
        assert app.is_running


async def test_the_cursor_row_is_marked_by_style():
    app = RowsApp(numbered(3))
    async with app.run_test(size=(40, 10)):
        rows = app.query_one(RowList)
        cursor_bg = rows.get_component_rich_style("rowlist--cursor").bgcolor
        assert cursor_bg is not None
        assert {seg.style.bgcolor for seg in rows.render_line(0) if seg.text.strip()} == {cursor_bg}
        assert cursor_bg not in {seg.style.bgcolor for seg in rows.render_line(1)}
        # not by colour alone: the focused cursor row is also bold (as in NO_COLOR terminals)
        assert all(seg.style.bold for seg in rows.render_line(0) if seg.text.strip())
        assert not any(seg.style.bold for seg in rows.render_line(1) if seg.text.strip())


def test_cells_pads_aligns_and_cuts_columns():
    row = cells(("ab", 4), ("7.5", 5, "right"), (Text("héllo wörld", style="bold"), 6), ("x", 1), gap=2)
    assert row.plain == "ab      7.5  héllo…  x"
    assert row.cell_len == 4 + 2 + 5 + 2 + 6 + 2 + 1
    bold = [span for span in row.spans if "bold" in str(span.style)]
    assert bold and row.plain[bold[0].start : bold[0].end] == "héllo…"
    assert cells(("abcdefgh", 4)).plain == "abc…"
    assert cells(("[b]x[/b]", 9), ("[@click=app.quit]", 17)).plain == "[b]x[/b]  [@click=app.quit]"
    assert not cells(("[b]x[/b]", 9)).spans
    assert cells(("▲", 1), ("", 3)).plain == "▲    "


async def test_rows_made_on_demand_are_made_only_when_shown_or_read():
    made: list[int] = []

    def maker(i):
        def make():
            made.append(i)
            return Text(f"lazy {i}")

        return make

    app = RowsApp([])
    async with app.run_test(size=(40, 10)) as pilot:
        rows = app.query_one(RowList)
        rows.set_rows([(f"k{i}", maker(i)) for i in range(100)], width=7)
        await pilot.pause()
        assert rows.virtual_size.width == 7
        assert 0 < len(made) <= rows.size.height  # only what is on screen
        await pilot.press("end")
        await pilot.pause()
        assert 99 in made and 50 not in made
        assert rows.row_text(50) == "lazy 50" and made.count(50) == 1
        assert rows.row_text(50) == "lazy 50" and made.count(50) == 1  # made once
