"""RowList: rows of text laid out by the caller, a keyboard cursor, drawn a line at a time.

The Compare screen rebuilds its tables and group panels on every change of split. Textual's
DataTable and OptionList measure and render every cell or option again when refilled, which at
2,000 sites was most of the time a change took. A RowList is handed each row as one finished
``rich.text.Text`` (columns already padded: see ``cells``); it renders a row to a strip only when
the row comes into view, keeps it until the rows change, and draws the cursor over it.

Rows are ``(key, text)``; a row whose key is None is information ("… and 12 more") that the
cursor passes over. ``text`` may also be a function that makes the row's Text: it is called only
when the row is first drawn or read (a panel of 60 sites shows 7), and the caller then gives the
rows' ``width``. Keys: up/down, page up/down, home/end, enter; a click moves the cursor and
selects. Messages: ``RowList.Highlighted`` when the cursor moves to another row, and
``RowList.Selected`` on enter or click. Text is drawn as given, never read as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

Cell = tuple[Text | str, int] | tuple[Text | str, int, str]


def cells(*columns: Cell, gap: int = 1) -> Text:
    """One row from columns of (text, width[, "left" | "right"]): each cut or padded to its width.

    Text longer than its column is cut with an ellipsis; callers shorten data text with
    ``safe(value, width)`` first, so this is a safety net, not the usual path. Plain strings are
    our own wording and figures; data text comes as Text from ``safe``.
    """
    out = Text(end="", no_wrap=True)
    plain: list[str] = []  # runs of unstyled text, appended to ``out`` at once
    spacer = " " * gap
    for i, column in enumerate(columns):
        value, width = column[0], column[1]
        right = len(column) > 2 and column[2] == "right"
        if i:
            plain.append(spacer)
        if isinstance(value, str) and value.isascii() and value.isprintable():
            value = value if len(value) <= width else value[: max(width - 1, 0)] + "…"[:width]
            plain.append(value.rjust(width) if right else value.ljust(width))
            continue
        text = value if isinstance(value, Text) else Text(value, end="")
        if text.cell_len > width:
            text = text.copy()
            text.truncate(width, overflow="ellipsis")
        pad = " " * (width - text.cell_len)
        if right:
            plain.append(pad)
        if plain:
            out.append("".join(plain))
            plain.clear()
        out.append_text(text)
        if not right:
            plain.append(pad)
    if plain:
        out.append("".join(plain))
    return out


@dataclass
class RowMessage(Message):
    """About one row of a RowList: its index and key."""

    row_list: RowList
    index: int
    key: str

    @property
    def control(self) -> RowList:
        return self.row_list


class RowList(ScrollView, can_focus=True):
    """A scrollable list of pre-laid-out rows with an optional fixed header and a row cursor."""

    COMPONENT_CLASSES = {"rowlist--header", "rowlist--cursor"}
    DEFAULT_CSS = """
    RowList {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        & > .rowlist--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .rowlist--cursor {
            background: $block-cursor-blurred-background;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .rowlist--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
    }
    """
    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "select", "Select", show=False),
    ]

    cursor: reactive[int | None] = reactive(None, init=False)

    class Highlighted(RowMessage):
        """The cursor moved to another row (not sent when new rows keep it in place)."""

    class Selected(RowMessage):
        """Enter, or a click, on a row."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._header: Text | None = None
        self._rows: list[tuple[str | None, Text | Callable[[], Text]]] = []
        self._strips: dict[int, Strip] = {}

    # -- content ---------------------------------------------------------------------------------
    def set_rows(
        self,
        rows: Sequence[tuple[str | None, Text | Callable[[], Text]]],
        header: Text | None = None,
        width: int | None = None,
    ) -> None:
        """Replace every row (and the header); the cursor stays on the same position when it can.

        ``width`` (cells) is needed when rows are made on demand; otherwise it is measured.
        """
        self._rows = list(rows)
        self._header = header
        self._strips.clear()
        if width is None:
            width = max((self._text(i).cell_len for i in range(len(self._rows))), default=0)
        if header is not None:
            width = max(width, header.cell_len)
        self.virtual_size = Size(width, len(self._rows) + self._header_height)
        keep = self.cursor
        if keep is None or not self._selectable(keep):
            keep = self._nearest(0 if keep is None else min(keep, len(self._rows) - 1))
        self.set_reactive(RowList.cursor, keep)  # same place, new rows: no Highlighted message
        self._keep_cursor_visible()
        self.refresh()

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def keys(self) -> list[str | None]:
        return [key for key, _ in self._rows]

    def row_text(self, index: int) -> str:
        """The plain text of row ``index`` (for tests and screen readers of the buffer)."""
        return self._text(index).plain

    def _text(self, index: int) -> Text:
        key, text = self._rows[index]
        if not isinstance(text, Text):
            text = text()
            self._rows[index] = (key, text)
        return text

    @property
    def header_text(self) -> str:
        return self._header.plain if self._header is not None else ""

    @property
    def cursor_key(self) -> str | None:
        return self._rows[self.cursor][0] if self.cursor is not None and self.cursor < len(self._rows) else None

    @property
    def _header_height(self) -> int:
        return 0 if self._header is None else 1

    def _selectable(self, index: int) -> bool:
        return 0 <= index < len(self._rows) and self._rows[index][0] is not None

    def _nearest(self, index: int) -> int | None:
        """The selectable row at ``index`` or the closest one after it, else before it."""
        for i in (*range(max(index, 0), len(self._rows)), *range(min(index, len(self._rows)) - 1, -1, -1)):
            if self._selectable(i):
                return i
        return None

    # -- cursor ----------------------------------------------------------------------------------
    def move_to(self, index: int | None) -> None:
        """Put the cursor on row ``index`` (or the nearest selectable row)."""
        self.cursor = None if index is None else self._nearest(min(max(index, 0), len(self._rows) - 1))

    def watch_cursor(self, old: int | None, new: int | None) -> None:
        for index in (old, new):  # both rows are drawn again: one loses the cursor
            if index is not None:
                self._strips.pop(index, None)
        self._keep_cursor_visible()
        self.refresh()
        # the cursor is only ever put on a selectable row (a key that is not None)
        if new is not None and new != old and (key := self._rows[new][0]) is not None:
            self.post_message(self.Highlighted(self, new, key))

    def _step(self, start: int, delta: int) -> int | None:
        i = start + delta
        while 0 <= i < len(self._rows):
            if self._selectable(i):
                return i
            i += delta
        return None

    def action_cursor(self, delta: int) -> None:
        if self.cursor is None:
            self.cursor = self._nearest(0)
            return
        found = self._step(self.cursor, delta)
        if found is not None:
            self.cursor = found

    def action_page(self, direction: int) -> None:
        page = max(self.scrollable_content_region.height - self._header_height - 1, 1)
        target = min(max((self.cursor or 0) + direction * page, 0), max(len(self._rows) - 1, 0))
        if direction > 0 or self._selectable(target):
            found = self._nearest(target)
        else:
            found = self._step(target, -1)
            if found is None:
                found = self._nearest(target)
        if found is not None:
            self.cursor = found

    def action_first(self) -> None:
        self.cursor = self._nearest(0)

    def action_last(self) -> None:
        last = self._step(len(self._rows), -1)
        if last is not None:
            self.cursor = last

    def action_select(self) -> None:
        if self.cursor is not None and (key := self._rows[self.cursor][0] if self._selectable(self.cursor) else None):
            self.post_message(self.Selected(self, self.cursor, key))

    def _keep_cursor_visible(self) -> None:
        if self.cursor is None:
            return
        visible = max(self.scrollable_content_region.height - self._header_height, 1)
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False, immediate=True)

    def on_resize(self, event: events.Resize) -> None:
        self._keep_cursor_visible()

    async def _on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is not None:
            self._clicked(offset.x, offset.y)

    def _clicked(self, x: int, y: int) -> None:
        """A click at (x, y) of the content: the row under it is highlighted and selected."""
        if y < self._header_height:
            return
        index = round(self.scroll_y) + y - self._header_height
        if self._selectable(index):
            self.cursor = index
            self.action_select()

    # -- drawing ---------------------------------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def _strip(self, index: int) -> Strip:
        """Row ``index`` (-1: the header) rendered whole, unscrolled; kept until the rows change."""
        found = self._strips.get(index)
        if found is None:
            if index < 0:
                text, style = self._header, self.get_component_rich_style("rowlist--header")
            else:
                text, style = self._text(index), None
            segments = list(text.render(self.app.console)) if text is not None else []
            if index >= 0 and index == self.cursor:
                found = self._cursor_strip(Strip(segments))
            else:
                found = Strip(Segment.apply_style(segments, style) if style is not None else segments)
            self._strips[index] = found
        return found

    def _cursor_strip(self, strip: Strip) -> Strip:
        """The cursor row drawn over (subclasses mark a cell instead)."""
        return Strip(Segment.apply_style(list(strip), post_style=self.get_component_rich_style("rowlist--cursor")))

    def _window(self, strip: Strip, scroll_x: int, width: int, fill: Style) -> Strip:
        """The part of a row the widget shows, scrolled sideways by ``scroll_x``."""
        return strip.crop_extend(scroll_x, scroll_x + width, fill)

    def _row_fill(self, index: int) -> Style:
        return (
            self.rich_style
            if index != self.cursor
            else Style.combine([self.rich_style, self.get_component_rich_style("rowlist--cursor")])
        )

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        scroll_x, scroll_y = round(self.scroll_x), round(self.scroll_y)
        if y < self._header_height:
            strip = self._strip(-1)
            fill = Style.combine([base, self.get_component_rich_style("rowlist--header")])
        else:
            index = scroll_y + y - self._header_height
            if not 0 <= index < len(self._rows):
                return Strip.blank(width, base)
            strip = self._strip(index)
            fill = self._row_fill(index)
        return self._window(strip, scroll_x, width, fill).apply_style(base)
