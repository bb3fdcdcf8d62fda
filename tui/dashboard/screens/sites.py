"""Sites: the case-ordered matrix (Miles and Huberman), sortable and filterable, with a scatter."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Input, Select, Static
from textual_plotext import PlotextPlot

from cases.escape import shorten
from cases.model import BY_OUTCOME
from metrics.numbers import fmt
from tui.dashboard.screens import site_rows
from tui.dashboard.screens.base import DashboardScreen, OpenSite, digits_for
from tui.dashboard.widgets.charts import (
    Layout,
    Point,
    bar,
    bar_scale,
    baseline_note,
    canvas_of,
    key_lines,
    lay_out,
    limits,
    overlay,
    spots_of,
)
from tui.dashboard.widgets.grid import GridColumn, GridTable
from tui.dashboard.widgets.palette import GROUP_MARK
from tui.dashboard.widgets.safe_text import safe
from tui.dashboard.widgets.select import SafeSelect

if TYPE_CHECKING:
    from cases.model import Disclosure, Study

LABELLED_POINTS = 30
DEFAULT_SCATTER = "fidelity"
SHORT = 32  # below this height the table and the scatter take turns (p)
KEY_LINES = 3  # the scatter's key (number = site) takes at most these lines under the plot
MIN_PLOT = 8  # ... and leaves the plot at least these


class Scatter(PlotextPlot):
    """The scatter of the Sites screen. plotext draws the title, the frame and the axes with their ticks;
    the sites' marks and labels are laid out cell by cell (widgets/charts.py), so that no label is
    drawn over another or over a mark: a site whose label finds no room is numbered, and the key
    under the plot names it. Labels are data text, drawn literally."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._points: list[Point] = []
        self._styles: dict[str, str] = {}
        self._limits: tuple[tuple[float, float], tuple[float, float]] | None = None

    def show_points(self, points: list[Point], styles: dict[str, str], title: str, xlabel="", ylabel="") -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        self._points, self._styles, self._limits = points, styles, None
        if points:
            xlim, ylim = limits([p.x for p in points]), limits([p.y for p in points])
            self._limits = (xlim, ylim)
            plt.scatter(list(xlim), list(ylim), marker=" ")  # the axes' range; the marks are drawn over it
            plt.xlim(*xlim)
            plt.ylim(*ylim)
            plt.title(title)
            plt.xlabel(xlabel)
            plt.ylabel(ylabel)
        self.refresh()

    def render(self):
        if self._limits is None:
            return super().render()
        width, height = self.size.width, self.size.height
        lines, layout = self._draw(width, height)
        room = min(KEY_LINES, height - MIN_PLOT)
        if layout.keyed and room > 0:
            need = len(key_lines(layout, width, room, self._styles))
            lines, layout = self._draw(width, height - need)
            lines += key_lines(layout, width, need, self._styles)
        return Text("\n", end="").join(lines)

    def _draw(self, width: int, height: int) -> tuple[list[Text], Layout]:
        """The plot in ``height`` lines with the marks and labels on its canvas, and their layout."""
        assert self._limits is not None
        plt = self.plt
        plt.plotsize(width, height)
        plt._set_size(width, height)
        plt.theme(self._get_plotext_theme_name(self.app.theme))
        lines = Text.from_ansi(plt.build(), end="").split("\n", allow_blank=True)[:height]
        canvas = canvas_of([line.plain for line in lines])
        if canvas is None:
            return lines, Layout([], [], 0)
        first, end, top, bottom = canvas
        spots = spots_of(self._points, *self._limits, end - first, bottom - top)
        layout = lay_out(spots, end - first, bottom - top, LABELLED_POINTS)
        overlay(lines, canvas, layout, self._styles)
        return lines, layout


@dataclass
class _Base:
    """Every site's row but its group, kept while the study and its disclosure settings stay, and
    each column's layout (width, bar scale, digits) from those rows."""

    study: Study
    disclosure: Disclosure
    rows: list[dict]
    layouts: dict[str, tuple[int, float | None, float | None, int]] = field(default_factory=dict)


class SitesScreen(DashboardScreen):
    SCREEN_NAME = "Sites"
    AUTO_FOCUS = "#sites-table"
    BINDINGS = [
        Binding("slash", "focus_filter", "Filter"),
        Binding("less_than_sign", "sort(False)", "Sort ↑", key_display="<"),
        Binding("greater_than_sign", "sort(True)", "Sort ↓", key_display=">"),
        Binding("p", "toggle_plot", "Plot/table"),
        Binding("x", "focus_scatter", "Scatter metric", show=False),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.sort_column: str | None = None
        self.descending = True
        self.filter_text = ""
        self.scatter_metric: str | None = None
        self._cols: list[site_rows.Column] = []
        self._rows: list[dict] = []
        self._visible: list[dict] = []
        self._want_site: str | None = None
        self._row_sites: list[str] = []
        self._base: _Base | None = None
        self._select_for: tuple | None = None
        self._bars_note: list[str] = []
        self._filter_lines: list[str] = []
        self._hint_for = None

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="sites-controls"):
            yield Input(
                placeholder="/ filter: word, column=word, column>number, group=H, theme:ID",
                id="sites-filter",
                compact=True,
            )
            yield SafeSelect([], id="scatter-metric", compact=True, allow_blank=True, prompt="scatter x")
        # one line, shown only when it has something to say: what is wrong with the filter, and
        # where the bars of a metric with values below zero start (the others start at zero)
        yield Static("", id="sites-note", markup=False)
        # a GridTable, not a DataTable: it lays out only the rows on screen, so a change of split at
        # 2,000 sites does not re-render every cell (docs/performance.md)
        yield GridTable(id="sites-table")
        yield Scatter(id="scatter")

    # -- data ----------------------------------------------------------------------------------
    def show(self, comparison) -> None:
        study = self.study
        self._cols = site_rows.columns(study, comparison)
        base = self._base
        if base is None or base.study is not study or base.disclosure != comparison.disclosure:
            # every value but the group: kept while the study and its disclosure settings stay
            base = self._base = _Base(study, comparison.disclosure, site_rows.rows(study, comparison))
        group_of = comparison.split.group_of
        for row in base.rows:  # the rows are this screen's own: a new split sets each group
            row["group"] = group_of(row["site"]) or "missing"
        self._rows = base.rows
        if self.sort_column is None or self.sort_column not in {c.key for c in self._cols}:
            self.sort_column, self.descending = comparison.split.outcome, True
        self._fill_select(comparison)
        if self._hint_for is not study:
            self._hint_for = study
            self.query_one("#sites-filter", Input).placeholder = site_rows.filter_hint(study, comparison)
        self._refresh_table()

    def _fill_select(self, comparison) -> None:
        select = self.query_one("#scatter-metric", Select)
        keys = [k for k in self.study.metrics if k != comparison.split.outcome]
        if self.scatter_metric not in keys:
            self.scatter_metric = DEFAULT_SCATTER if DEFAULT_SCATTER in keys else (keys[0] if keys else None)
        with select.prevent(Select.Changed):
            if self._select_for != (self.study, keys):  # the choices change with the outcome only
                self._select_for = (self.study, keys)
                select.set_options([(safe(f"x: {self.study.metrics[k].label}", 40), k) for k in keys])
            if self.scatter_metric is not None and select.value != self.scatter_metric:
                select.value = self.scatter_metric

    def _refresh_table(self) -> None:
        column = next((c for c in self._cols if c.key == self.sort_column), self._cols[0])
        keep = self._want_site or self._cursor_site()
        self._want_site = None
        column_at = self.query_one("#sites-table", GridTable).cursor_column
        ordered = site_rows.sort_rows(self._rows, column, self.descending)
        self._filter_lines = []
        if self.filter_text.strip():
            test = site_rows.make_filter(
                self.filter_text, self._cols, lambda theme: site_rows.theme_sites(self.study, theme)
            )
            ordered = [r for r in ordered if test(r)]
            self._filter_lines = [
                f"filter: {p}" for p in site_rows.filter_problems(self.filter_text, self._cols, self.study.themes)
            ]
            if not self._filter_lines:
                self._filter_lines = [f"{len(ordered)} of {len(self._rows)} sites match the filter"]
        self._visible = ordered
        self._fill_table(ordered)
        self._move_to(keep, column_at)
        self._draw_scatter()

    def _fill_table(self, ordered: list[dict]) -> None:
        """Fill the table: every site's row, laid out when it comes into view."""
        table = self.query_one("#sites-table", GridTable)
        styles = self.styles_map
        layouts = {col.key: self._layout(col) for col in self._cols}
        columns = []
        for col in self._cols:
            arrow = (" ↓" if self.descending else " ↑") if col.key == self.sort_column else ""
            align = "right" if col.kind == "metric" else "left"
            columns.append(GridColumn(col.key, safe(shorten(col.title, 14) + arrow), layouts[col.key][0], align))

        def cell(col, value):
            if col.kind == "metric":
                _, lo, hi, digits = layouts[col.key]
                num = value if isinstance(value, float) else None
                # our own wording (blocks and digits, never data text), so a plain string is safe
                return f"{bar(num, lo, hi, 4)} {fmt(value, digits)}"
            return safe("" if value is None else value, 18 if col.key == "label" else 14)

        def row(r: dict) -> list:
            return [self._mark(r["group"], styles), *(cell(col, r.get(col.key)) for col in self._cols[1:])]

        table.set_grid(columns, [(r["site"], functools.partial(row, r)) for r in ordered], fixed=3)
        self._row_sites = [r["site"] for r in ordered]
        self._bars_note = [
            f"{shorten(col.title, 20)}: {baseline_note(layouts[col.key][1], layouts[col.key][3])}"
            for col in self._cols
            if col.kind == "metric" and baseline_note(layouts[col.key][1])
        ]
        self._show_note()

    def _show_note(self) -> None:
        """The note line: the filter's problems (or how many sites it matches), then where bars
        do not start at zero."""
        parts = list(self._filter_lines)
        if self._bars_note:
            parts.append("bars start at 0, except " + "; ".join(self._bars_note))
        text = " · ".join(parts)
        if text == getattr(self, "_note_text", None):
            return  # unchanged (a change of split): no update, no layout
        self._note_text = text
        note = self.query_one("#sites-note", Static)
        note.update(safe(text, 400))
        note.display = bool(parts)

    @staticmethod
    def _mark(group: str, styles: dict[str, str]) -> Text:
        return Text(GROUP_MARK.get(group, "-"), style=styles.get(group, ""))

    def _layout(self, col) -> tuple[int, float | None, float | None, int]:
        """A column's width, scale and digits from every site's value (kept with the rows)."""
        assert self._base is not None, "show() keeps the rows before the table is filled"
        layouts = self._base.layouts
        found = layouts.get(col.key)
        if found is None:
            rows = self._base.rows
            if col.kind == "group":
                found = (3, None, None, 0)
            elif col.kind == "metric":
                digits = digits_for(self.study, col.key)
                longest = max((len(fmt(r.get(col.key), digits)) for r in rows), default=1)
                lo, hi = bar_scale(r.get(col.key) for r in rows)
                found = (max(5 + longest, min(len(col.title), 14) + 2), lo, hi, digits)
            else:
                limit = 18 if col.key == "label" else 14
                longest = max((len(str(r.get(col.key) or "")) for r in rows), default=1)
                found = (min(max(longest, len(col.title) + 2), limit), None, None, 0)
            layouts[col.key] = found
        return found

    def _cursor_site(self) -> str | None:
        return self.query_one("#sites-table", GridTable).cursor_key

    def _move_to(self, site: str | None, column: int = 0) -> None:
        sites = self._row_sites
        row = sites.index(site) if site in sites else 0
        self.query_one("#sites-table", GridTable).move_cell(row, column)

    # -- scatter -------------------------------------------------------------------------------
    def _draw_scatter(self) -> None:
        plot = self.query_one("#scatter", Scatter)
        outcome, x = self.comparison.split.outcome, self.scatter_metric
        if x is None:
            plot.show_points([], {}, "")
            return
        points = [
            Point(r[x], r[outcome], r["group"], r["site"], r["label"] or "")
            for r in self._visible
            if r["group"] in BY_OUTCOME[:3] and isinstance(r.get(x), float) and isinstance(r.get(outcome), float)
        ]
        title = shorten(f"{outcome} against {x}, {len(points)} sites (H high, L low, M middle)", 90)
        plot.show_points(points, self.styles_map, title, shorten(x, 30), shorten(outcome, 20))

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "scatter-metric" and isinstance(event.value, str):
            self.scatter_metric = event.value
            self._draw_scatter()

    # -- controls ------------------------------------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "sites-filter":
            self.set_filter(event.value, update_input=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#sites-table").focus()

    def set_filter(self, text: str, update_input: bool = True) -> None:
        self.filter_text = text
        if update_input:
            field = self.query_one("#sites-filter", Input)
            with field.prevent(Input.Changed):
                field.value = text
        if self._cols:
            self._refresh_table()

    def action_focus_filter(self) -> None:
        self.query_one("#sites-filter").focus()

    def action_toggle_plot(self) -> None:
        self.toggle_class("-plot")
        self.query_one("#scatter-metric" if self.has_class("-plot") else "#sites-table").focus()

    def on_resize(self, event) -> None:
        super().on_resize(event)
        self.set_class(event.size.height < SHORT, "-short")

    def action_focus_scatter(self) -> None:
        self.query_one("#scatter-metric").focus()

    def action_sort(self, descending: bool) -> None:
        table = self.query_one("#sites-table", GridTable)
        if self._cols:
            self.sort_by(self._cols[min(table.cursor_column, len(self._cols) - 1)].key, descending)

    def sort_by(self, column: str, descending: bool) -> None:
        self.sort_column, self.descending = column, descending
        if self._cols:
            self._refresh_table()

    def on_grid_table_header_selected(self, event: GridTable.HeaderSelected) -> None:
        self.sort_by(event.key, not self.descending if event.key == self.sort_column else True)

    def on_row_list_selected(self, event: GridTable.Selected) -> None:
        self.post_message(OpenSite(event.key))

    def action_back(self) -> None:
        if isinstance(self.focused, Input):
            self.query_one("#sites-table").focus()
        else:
            super().action_back()

    # -- snapshot view -------------------------------------------------------------------------
    def view_state(self) -> dict:
        view = super().view_state()
        site = self._cursor_site()
        if site is not None:
            view["site"] = site
        if self.sort_column:
            view["sort"] = self.sort_column
            view["order"] = "descending" if self.descending else "ascending"
        if self.filter_text.strip():
            view["filter"] = self.filter_text
        if self.scatter_metric:
            view["scatter"] = self.scatter_metric
        return view

    def apply_view(self, view: dict) -> None:
        if isinstance(view.get("sort"), str):
            self.sort_column = view["sort"]
            self.descending = view.get("order", "descending") != "ascending"
        if isinstance(view.get("scatter"), str):
            self.scatter_metric = view["scatter"]
        self.set_filter(str(view.get("filter", "")))
        if isinstance(view.get("site"), str):
            self._want_site = view["site"]
            if self._cols:
                self._refresh_table()
