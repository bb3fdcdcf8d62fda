"""GridTable: a RowList with columns, a cell cursor and columns that stay put (the Sites matrix).

The Sites screen lists every site (2,000 in the benchmark) with a dozen columns and redraws on
every change of split. Like RowList, a GridTable lays a row out only when it is shown and keeps
the rendering until the rows change. On top of RowList it knows its columns: left/right move a
cell cursor (the cell is drawn in the cursor colour, its row in a lighter one), the first
``fixed`` columns stay on the left while the others scroll sideways, and a click on a header
posts ``GridTable.HeaderSelected`` with the column's key. Rows are
``(key, function returning the row's cells)``, one cell per column: Text (data, from ``safe``)
or a plain string (our own wording and figures).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip

from tui.dashboard.widgets.rows import RowList, cells

GAP = 2


@dataclass(frozen=True)
class GridColumn:
    key: str
    title: Text | str
    width: int
    align: str = "left"


class GridTable(RowList):
    COMPONENT_CLASSES = RowList.COMPONENT_CLASSES | {"gridtable--cursor-row"}
    DEFAULT_CSS = """
    GridTable > .gridtable--cursor-row {
        background: $block-hover-background;
    }
    """
    BINDINGS = [
        Binding("left", "column(-1)", "Left", show=False),
        Binding("right", "column(1)", "Right", show=False),
    ]

    cursor_column: reactive[int] = reactive(0, init=False)

    @dataclass
    class HeaderSelected(Message):
        grid: GridTable
        key: str

        @property
        def control(self) -> GridTable:
            return self.grid

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._columns: list[GridColumn] = []
        self._x: list[int] = []
        self._fixed_w = 0

    def set_grid(
        self, columns: Sequence[GridColumn], rows: list[tuple[str, Callable[[], list]]], fixed: int = 0
    ) -> None:
        """Replace the columns and rows; ``fixed`` leading columns stay when scrolling sideways."""
        self._columns = list(columns)
        self._x, x = [], 0
        for column in self._columns:
            self._x.append(x)
            x += column.width + GAP
        width = max(x - GAP, 0)
        fixed = min(fixed, len(self._columns))
        self._fixed_w = self._x[fixed - 1] + self._columns[fixed - 1].width + GAP if fixed else 0
        layout = [(c.width, c.align) for c in self._columns]

        def laid_out(make: Callable[[], list]) -> Callable[[], Text]:
            return lambda: cells(*((value, w, align) for value, (w, align) in zip(make(), layout)), gap=GAP)

        header = cells(*((c.title, c.width, c.align) for c in self._columns), gap=GAP)
        self.set_rows([(key, laid_out(make)) for key, make in rows], header=header, width=width)
        self.set_reactive(GridTable.cursor_column, min(self.cursor_column, max(len(self._columns) - 1, 0)))
        self._keep_column_visible()

    @property
    def column_keys(self) -> list[str]:
        return [c.key for c in self._columns]

    def cell_text(self, index: int, column: int) -> str:
        """The plain text of one cell, without its padding (for tests)."""
        x, width = self._x[column], self._columns[column].width
        return self.row_text(index)[x : x + width].strip()

    def column_texts(self, column: int) -> list[str]:
        return [self.cell_text(i, column) for i in range(self.row_count)]

    def move_cell(self, row: int | None, column: int) -> None:
        self.move_to(row)
        self.cursor_column = min(max(column, 0), max(len(self._columns) - 1, 0))

    # -- cursor ----------------------------------------------------------------------------------
    def action_column(self, delta: int) -> None:
        self.cursor_column = min(max(self.cursor_column + delta, 0), max(len(self._columns) - 1, 0))

    def watch_cursor_column(self) -> None:
        if self.cursor is not None:
            self._strips.pop(self.cursor, None)
        self._keep_column_visible()
        self.refresh()

    def _keep_column_visible(self) -> None:
        if not self._columns or self.cursor_column < 0 or self.cursor_column >= len(self._columns):
            return
        x, width = self._x[self.cursor_column], self._columns[self.cursor_column].width
        if x < self._fixed_w:  # a fixed column is always in view
            return
        view = self.scrollable_content_region.width
        left = round(self.scroll_x)
        if x < self._fixed_w + left:
            self.scroll_to(x=x - self._fixed_w, animate=False, immediate=True)
        elif x + width > left + view:
            self.scroll_to(x=x + width - view, animate=False, immediate=True)

    def _column_at(self, x: int) -> int | None:
        """The column under content position ``x`` of the widget (fixed columns and scrolling);
        None past the last column."""
        if x >= self._fixed_w:
            x += round(self.scroll_x)
        for i in range(len(self._columns) - 1, -1, -1):
            if x >= self._x[i]:
                return i if x < self._x[i] + self._columns[i].width + GAP else None
        return None

    def _clicked(self, x: int, y: int) -> None:
        """A header click names its column; a cell click moves the cursor there and selects the row."""
        column = self._column_at(x)
        if y < self._header_height:
            if column is not None:
                self.post_message(self.HeaderSelected(self, self._columns[column].key))
            return
        index = round(self.scroll_y) + y - self._header_height
        if self._selectable(index):
            self.cursor = index
            if column is not None:
                self.cursor_column = column
            self.action_select()

    # -- drawing ---------------------------------------------------------------------------------
    def _row_style(self) -> Style:
        """The cursor row's background only: the row keeps its own colours (group marks)."""
        return Style(bgcolor=self.get_component_rich_style("gridtable--cursor-row").bgcolor)

    def _cursor_strip(self, strip: Strip) -> Strip:
        row_style = self._row_style()
        if not self._columns:
            return Strip(Segment.apply_style(list(strip), post_style=row_style))
        return self._mark_cell(strip, self._x[self.cursor_column], self._columns[self.cursor_column].width, row_style)

    def _mark_cell(self, strip: Strip, x: int, width: int, row_style: Style) -> Strip:
        """The cursor row's strip with the cell at ``x`` (``width`` cells) in the cursor's style."""
        strip = strip.extend_cell_length(x + width)
        before, cell, after = strip.divide([x, x + width, strip.cell_length])
        cursor = self.get_component_rich_style("rowlist--cursor")
        return Strip.join(
            [
                Strip(Segment.apply_style(list(before), post_style=row_style)),
                Strip(Segment.apply_style(list(cell), post_style=cursor)),
                Strip(Segment.apply_style(list(after), post_style=row_style)),
            ]
        )

    def _row_fill(self, index: int) -> Style:
        return self.rich_style if index != self.cursor else Style.combine([self.rich_style, self._row_style()])

    def _window(self, strip: Strip, scroll_x: int, width: int, fill: Style) -> Strip:
        fixed = min(self._fixed_w, width)
        if not fixed or not scroll_x:
            return strip.crop_extend(scroll_x, scroll_x + width, fill)
        return Strip.join(
            [strip.crop_extend(0, fixed, fill), strip.crop_extend(fixed + scroll_x, scroll_x + width, fill)]
        )
