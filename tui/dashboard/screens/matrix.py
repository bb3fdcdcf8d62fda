"""Matrix: the framework matrix of a CFIR comparative case study (Damschroder and Lowery 2013, Table 3).

Themes down, grouped and ordered by CFIR domain (the study's own themes in a group of their own,
first), sites across ordered high, middle, low by the outcome (highest first) with each site's group
marked above its column, the canonical rating token in each cell, and the distinguishing label
(``**`` strong, ``*`` weak beside the theme; the label, diff, gap and the authors' judgement in the
last columns). Enter on a cell opens its evidence (tui/dashboard/dialogs/evidence.py); ``a`` the theme's
evidence at every site. Tokens are text, so no cue here is colour alone.

The grid is a GridTable: rows are laid out only when they come into view, and the cells are plain
ASCII strings (the token), so a row of 2,000 sites is one string join.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.strip import Strip
from textual.widgets import Input, Select, Static

from cases.model import BY_OUTCOME
from cases.rules import DISTINGUISHED, MARKS
from cases.rules import LABELS as RULE_LABELS
from metrics.numbers import figure
from tui.dashboard.dialogs.evidence import outcome_order
from tui.dashboard.rating import RatingKeys, rating_panel, show_cell
from tui.dashboard.screens.base import DashboardScreen
from tui.dashboard.widgets.grid import GAP, GridColumn, GridTable
from tui.dashboard.widgets.judgement import HEADER, judged, judgement_cell, judgement_count_line, judgement_words
from tui.dashboard.widgets.palette import GROUP_MARK
from tui.dashboard.widgets.rows import cells
from tui.dashboard.widgets.rule_text import rule_line
from tui.dashboard.widgets.safe_text import join, safe
from tui.dashboard.widgets.select import SafeSelect

if TYPE_CHECKING:
    from cases.model import Study

ALL = "__all__"
GROUPS = BY_OUTCOME
STUDY_GROUP = "This study's themes"
NO_DOMAIN = "No CFIR domain"
# CFIR domains in the framework's order; CFIR 2009 and CFIR 2.0 names of the same domain together
DOMAIN_ORDER = (
    ("innovation", "intervention characteristics"),
    ("outer setting",),
    ("inner setting",),
    ("individuals", "characteristics of individuals"),
    ("implementation process", "process"),
)
# what a cell shows for each canonical token (text, never colour alone); no row at all: "·"
CELL = {
    "+2": "+2",
    "+1": "+1",
    "0": "0",
    "-1": "-1",
    "-2": "-2",
    "X": "X",
    "Missing": "·",
    "N/A": "n/a",
    "E": "E",
    "I": "I",
}
ABSENT = "·"
MARK = {**MARKS, "insufficient": "?"}
LABELS = [
    ("Every label", ALL),
    ("Strong or weak", "distinguishing"),
    *((label.capitalize(), label) for label in RULE_LABELS),
]


def domain_rank(domain: str | None) -> tuple[int, str]:
    if not domain:
        return (len(DOMAIN_ORDER) + 1, "")
    low = domain.casefold().replace(" (cfir 2.0)", "").strip()
    for i, names in enumerate(DOMAIN_ORDER):
        if low in names:
            return (i, "")
    return (len(DOMAIN_ORDER), low)


def theme_groups(study, comparison) -> list[tuple[str, list]]:
    """(group title, [ThemeResult, ...]) in matrix order: the study's own themes, then CFIR domains."""
    order = {tid: i for i, tid in enumerate(study.themes)}
    own: list = []
    by_domain: dict[str | None, list] = {}
    for result in sorted(comparison.themes, key=lambda r: order.get(r.theme, len(order))):
        theme = study.themes.get(result.theme)
        if theme is not None and theme.kind == "study":
            own.append(result)
        else:
            by_domain.setdefault(result.domain or None, []).append(result)
    groups = [(STUDY_GROUP, own)] if own else []
    for domain in sorted(by_domain, key=domain_rank):
        groups.append((domain or NO_DOMAIN, by_domain[domain]))
    return groups


def ordered_sites(study, comparison, hide_middle: bool = False) -> list[tuple[str, str]]:
    """(site, group) across the matrix: high, middle, low, then sites without an outcome; within a
    group the highest outcome first (ties in sites-file order)."""
    split = comparison.split
    key = outcome_order(study, comparison)
    out = []
    for group in GROUPS:
        if group == "middle" and hide_middle:
            continue
        out += [(s, group) for s in sorted(getattr(split, group), key=key)]
    return out


def label_of(result) -> str:
    return result.distinguishing + ("↺" if result.direction == "reversed" else "")


def keeps(result, label: str) -> bool:
    if label == ALL:
        return True
    if label == "distinguishing":
        return result.distinguishing in DISTINGUISHED
    return result.distinguishing == label


class MatrixRow:
    """One theme's cells, made when asked for: the grid asks only for the columns in view."""

    __slots__ = ("head", "sites", "tail", "tokens")

    def __init__(self, head: list, tokens: dict, sites: list[str], tail: list) -> None:
        self.head, self.tokens, self.sites, self.tail = head, tokens, sites, tail

    def __len__(self) -> int:
        return len(self.head) + len(self.sites) + len(self.tail)

    def __getitem__(self, i: int):
        if i < len(self.head):
            return self.head[i]
        i -= len(self.head)
        if i < len(self.sites):
            token = self.tokens.get(self.sites[i])
            return CELL.get(token, ABSENT) if token is not None else ABSENT
        return self.tail[i - len(self.sites)]

    def __iter__(self):
        return (self[i] for i in range(len(self)))


class MatrixGrid(GridTable):
    """A GridTable that lays out only the columns in view, with a line above the column titles
    (each site's group: H, M, L).

    A row of the matrix has a cell for every site (2,000 in the benchmark): GridTable would make and
    render the whole row for the few dozen cells on screen. Here a row's cells are asked for when it
    comes into view, and only the fixed columns and those in the window are laid out and rendered;
    scrolling sideways lays the rows in view out again. A row's strip holds the fixed columns, then
    the window's columns right after them (not at their place in the whole row, which is 16,000 cells
    wide at 2,000 sites: every strip operation is linear in its length), and the window is cut from
    it shifted by as much. ``row_text``, ``cell_text`` and ``header_text`` (for tests) still give the
    whole row.
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._marks: list[tuple[str, str]] | None = None
        self._makers: list = []
        self._whole: set[int] = set()
        self._fixed = 0
        self._range: tuple[int, int] | None = None
        self._base: Style | None = None  # the widget's style during one render pass
        self.laid_out = 0  # rows laid out since the grid was last set (for tests)

    def set_marks(self, marks: list[tuple[str, str]] | None) -> None:
        """The group line, one (text, style) per column; set before ``set_grid`` (the header's
        height counts it)."""
        self._marks = marks

    def set_grid(self, columns, rows, fixed: int = 0) -> None:
        """GridTable's, except that a row given as Text (a group's title) spans the columns, and that
        the header is not laid out whole (only the titles in view are, when drawn)."""
        self._columns = list(columns)
        self._x, x = [], 0
        for column in self._columns:
            self._x.append(x)
            x += column.width + GAP
        self._fixed = fixed = min(fixed, len(self._columns))
        self._fixed_w = self._x[fixed - 1] + self._columns[fixed - 1].width + GAP if fixed else 0
        self._whole = {i for i, (_key, row) in enumerate(rows) if isinstance(row, Text)}
        self._makers = [row for _key, row in rows]
        self._range = None
        self.laid_out = 0
        layout = [(c.width, c.align) for c in self._columns]

        def whole(make) -> Callable[[], Text]:  # the whole row, for row_text (tests)
            return lambda: cells(*((value, w, align) for value, (w, align) in zip(make(), layout)), gap=GAP)

        self.set_rows(
            [(key, row if isinstance(row, Text) else whole(row)) for key, row in rows],
            header=Text(" ", end=""),  # drawn by _strip(-1) from the titles in view
            width=max(x - GAP, 0),
        )
        self.set_reactive(GridTable.cursor_column, min(self.cursor_column, max(len(self._columns) - 1, 0)))
        self._keep_column_visible()

    @property
    def header_text(self) -> str:
        """Every column's title at its place (for tests)."""
        if not self._columns:
            return ""
        return cells(*((c.title, c.width, c.align) for c in self._columns), gap=GAP).plain

    @property
    def marks_text(self) -> str:
        if self._marks is None:
            return ""
        marks = self._marks
        return self._laid_out(lambda i: marks[i][0], 0, len(self._columns)).plain

    @property
    def _header_height(self) -> int:
        if self._header is None:
            return 0
        return 2 if self._marks is not None else 1

    # -- the window ------------------------------------------------------------------------------
    def _visible(self) -> tuple[int, int]:
        """The scrolling columns in view: [first, last)."""
        import bisect

        left = round(self.scroll_x)
        lo, hi = self._fixed_w + left, left + self.scrollable_content_region.width
        first = max(bisect.bisect_right(self._x, lo) - 1, self._fixed)
        last = bisect.bisect_left(self._x, hi)
        return first, max(last, first)

    def _shift(self, first: int) -> int:
        """How far left of its place in the whole row column ``first`` (the first scrolling column in
        view) is laid out: right after the fixed columns. 0 when the view is not scrolled."""
        start = max(first, self._fixed)
        return self._x[start] - self._fixed_w if start < len(self._x) else 0

    def _laid_out(self, value, first: int, last: int) -> Text:
        """The fixed columns, then columns [first, last) right after them (shifted by ``_shift``)."""
        columns = self._columns
        out = cells(*((value(i), columns[i].width, columns[i].align) for i in range(self._fixed)), gap=GAP)
        start = max(first, self._fixed)
        if start < last:
            out.append(" " * (self._x[start] - self._shift(first) - out.cell_len))
            out.append_text(
                cells(*((value(i), columns[i].width, columns[i].align) for i in range(start, last)), gap=GAP)
            )
        return out

    def _strip(self, index: int) -> Strip:
        if index in self._whole:
            return super()._strip(index)
        found = self._strips.get(index)
        if found is None:
            first, last = self._range or self._visible()
            if index < 0:
                titles = [c.title for c in self._columns]
                text = self._laid_out(titles.__getitem__, first, last)
                found = Strip(
                    Segment.apply_style(
                        list(text.render(self.app.console)), self.get_component_rich_style("rowlist--header")
                    )
                )
            else:
                self.laid_out += 1
                values = self._makers[index]()
                found = Strip(list(self._laid_out(values.__getitem__, first, last).render(self.app.console)))
                if index == self.cursor:
                    found = self._cursor_strip(found)
            self._strips[index] = found
        return found

    def _cursor_strip(self, strip: Strip) -> Strip:
        """GridTable's, with the cursor's cell at its place in the shifted strip."""
        row_style = self._row_style()
        column = self.cursor_column
        first, last = self._range or self._visible()
        if not (0 <= column < len(self._columns)) or not (column < self._fixed or first <= column < last):
            return Strip(Segment.apply_style(list(strip), post_style=row_style))
        x = self._x[column] - (0 if column < self._fixed else self._shift(first))
        return self._mark_cell(strip, x, self._columns[column].width, row_style)

    def _marks_strip(self) -> Strip:
        found = self._strips.get(-2)
        if found is None:
            first, last = self._range or self._visible()
            marks = self._marks
            assert marks is not None, "render_line draws the marks row only when there are marks"
            text = self._laid_out(lambda i: Text(marks[i][0], style=marks[i][1]), first, last)
            found = self._strips[-2] = Strip(
                Segment.apply_style(
                    list(text.render(self.app.console)), self.get_component_rich_style("rowlist--header")
                )
            )
        return found

    def _shifted(self, strip: Strip, scroll_x: int, width: int, fill: Style) -> Strip:
        """The window of a strip laid out by ``_laid_out``: the fixed columns, then the scrolling part
        of the view, ``_shift`` cells further left than in the whole row."""
        fixed = min(self._fixed_w, width)
        shift = self._shift(self._range[0]) if self._range is not None else 0
        right = strip.crop_extend(fixed + scroll_x - shift, scroll_x + width - shift, fill)
        return Strip.join([strip.crop_extend(0, fixed, fill), right]) if fixed else right

    def render_lines(self, crop):
        self._base = self.rich_style  # once a pass, not once a line: it looks at every ancestor
        try:
            return super().render_lines(crop)
        finally:
            self._base = None

    def render_line(self, y: int) -> Strip:
        if not self._columns:
            return super().render_line(y)
        window = self._visible()
        if window != self._range:  # scrolled sideways: the rows in view are laid out again
            self._range = window
            self._strips.clear()
        width = self.scrollable_content_region.width
        base = self._base or self.rich_style
        scroll_x = round(self.scroll_x)
        if y < self._header_height:
            strip = self._marks_strip() if self._marks is not None and y == 0 else self._strip(-1)
            fill = Style.combine([base, self.get_component_rich_style("rowlist--header")])
        else:
            index = round(self.scroll_y) + y - self._header_height
            if not 0 <= index < len(self._rows):
                return Strip.blank(width, base)
            strip = self._strip(index)
            fill = base if index != self.cursor else Style.combine([base, self._row_style()])
            if index in self._whole:  # a group's title: laid out whole, from the left
                return GridTable._window(self, strip, scroll_x, width, fill).apply_style(base)
        return self._shifted(strip, scroll_x, width, fill).apply_style(base)


class MatrixScreen(RatingKeys, DashboardScreen):
    SCREEN_NAME = "Matrix"
    AUTO_FOCUS = "#matrix-table"
    BINDINGS = [
        Binding("slash", "focus_filter", "Filter"),
        Binding("f", "focus_domain", "Domain"),
        Binding("b", "focus_label", "Label filter", show=False),  # l is Literature
        Binding("h", "toggle_middle", "Hide middle"),
        Binding("a", "all_sites", "Every site"),
        Binding("left_square_bracket", "edge(0)", "First site", show=False, key_display="["),
        Binding("right_square_bracket", "edge(1)", "Label columns", show=False, key_display="]"),
    ]
    FIXED = 2  # the theme and its mark stay on the left

    DEFAULT_CSS = """
    #matrix-controls { height: 1; }
    #matrix-filter { width: 1fr; }
    #matrix-domain { width: 30; }
    #matrix-label { width: 20; }
    #matrix-table { height: 1fr; }
    #matrix-cell { height: 1; padding: 0 1; color: $text-muted; }
    #matrix-empty { height: auto; padding: 1 1; }
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filter_text = ""
        self.domain = ALL
        self.label = ALL
        self.hide_middle = False
        self._sites: list[tuple[str, str]] = []
        self._columns: list[GridColumn] = []
        self._row_themes: list[str | None] = []
        self._domains_of: tuple[Study, list[str]] | None = None
        self._site_columns: dict = {}
        self._wide: bool | None = None
        self._want: tuple[str | None, str | None] | None = None  # (theme, site) to put the cursor on

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="matrix-controls"):
            yield Input(placeholder="/ filter themes: words of the title or id", id="matrix-filter", compact=True)
            yield SafeSelect(
                [(Text("All domains"), ALL)], id="matrix-domain", value=ALL, allow_blank=False, compact=True
            )
            yield SafeSelect(
                [(Text(t), v) for t, v in LABELS], id="matrix-label", value=ALL, allow_blank=False, compact=True
            )
        yield Static("", id="matrix-rule", markup=False)
        yield Static("", id="matrix-judged", markup=False)  # the analyst's judgements: how many differ
        yield Static("", id="matrix-empty", markup=False)
        yield MatrixGrid(id="matrix-table")
        yield Static("", id="matrix-cell", markup=False)
        yield from rating_panel(self.app)  # rating mode (tui/dashboard/rating.py)

    # -- data ----------------------------------------------------------------------------------
    def show(self, comparison) -> None:
        self._fill_domains(comparison)
        self._update(
            "#matrix-rule",
            safe(
                rule_line(comparison.rule) + " · ** strong, * weak, ? insufficient, ↺ reversed; · no rating",
                max(self.size.width - 1, 20),
                "dim",
            ),
        )
        count = judgement_count_line(comparison)
        self.query_one("#matrix-judged", Static).display = bool(count)
        self._update("#matrix-judged", safe(count, max(self.size.width - 1, 20)))
        self._fill_table()

    def _update(self, selector: str, text) -> None:
        """Update a line only when its text changes; the cursor's line (one row, always) without
        laying the screen out again, which every move of the cursor would otherwise do."""
        widget = self.query_one(selector, Static)
        plain = text.plain if isinstance(text, Text) else str(text)
        if getattr(widget, "_matrix_text", None) != plain:
            setattr(widget, "_matrix_text", plain)  # noqa: B010  (our own attribute on textual's Static)
            widget.update(text, layout=selector != "#matrix-cell")

    def _fill_domains(self, comparison) -> None:
        select = self.query_one("#matrix-domain", Select)
        names = [name for name, _ in theme_groups(self.study, comparison)]
        if self.domain != ALL and self.domain not in names:
            self.domain = ALL
        with select.prevent(Select.Changed):
            if self._domains_of != (self.study, names):
                self._domains_of = (self.study, names)
                select.set_options([(Text("All domains"), ALL)] + [(safe(n, 28), n) for n in names])
            if select.value != self.domain:
                select.value = self.domain
        label = self.query_one("#matrix-label", Select)
        if label.value != self.label:
            with label.prevent(Select.Changed):
                label.value = self.label

    def _results(self) -> list[tuple[str, list]]:
        words = self.filter_text.casefold().split()
        out = []
        for name, results in theme_groups(self.study, self.comparison):
            if self.domain != ALL and name != self.domain:
                continue
            kept = [
                r
                for r in results
                if keeps(r, self.label) and all(w in f"{r.theme} {r.title}".casefold() for w in words)
            ]
            if kept:
                out.append((name, kept))
        return out

    def _fill_table(self) -> None:
        study, comparison = self.study, self.comparison
        table = self.query_one("#matrix-table", MatrixGrid)
        empty = self.query_one("#matrix-empty", Static)
        keep_theme, keep_column = self.current_theme(), table.cursor_column
        keep_site = self.current_site()
        if self._want is not None:
            keep_theme, keep_site = self._want
            self._want = None
        if not study.ratings:
            self._update(
                "#matrix-empty", "This study has no ratings: the matrix needs ratings.csv (or ratings-wide.csv)."
            )
            empty.display, table.display = True, False
            self._row_themes = []
            self._show_cell()
            return
        groups = self._results()
        sites = self._sites = ordered_sites(study, comparison, self.hide_middle)
        authors = any(r.published is not None for r in comparison.themes)
        wide = self._wide = self.size.width >= 110
        title_w = 30 if wide else 22
        columns = self._columns = self._grid_columns(sites, authors, title_w)
        rows, row_themes = self._grid_rows(groups, [s for s, _ in sites], authors, title_w)
        table.set_marks(self._grid_marks(sites, len(columns)))
        table.set_grid(columns, rows, fixed=self.FIXED)
        self._row_themes = row_themes
        shown = any(t is not None for t in row_themes)
        empty.display = not shown
        if not shown:
            self._update("#matrix-empty", "No theme matches the filters.")
        table.display = True
        keys = [c.key for c in columns]
        if keep_site is not None and f"site:{keep_site}" in keys:
            keep_column = keys.index(f"site:{keep_site}")
        elif keep_column < self.FIXED or keep_column >= len(columns):
            keep_column = self.FIXED if len(columns) > self.FIXED else 0
        row = row_themes.index(keep_theme) if keep_theme in row_themes else 0
        table.move_cell(row, keep_column)
        self._show_cell()

    def _grid_columns(self, sites: list, authors: bool, title_w: int) -> list[GridColumn]:
        """Theme and mark, a column per site (kept for the study: a change of split only reorders
        them), the label, diff and gap, and the authors' and the analyst's judgements when the study has them."""
        site_w = max(3, min(6, max((len(s) for s, _ in sites), default=3)))
        columns = [GridColumn("theme", "Theme", title_w), GridColumn("mark", "", 2)]
        made = self._site_columns
        if made.get(None) != (self.study, site_w):
            made.clear()
            made[None] = (self.study, site_w)
        for s, _ in sites:
            column = made.get(s)
            if column is None:
                title = s if s.isascii() and s.isprintable() else safe(s, site_w)
                column = made[s] = GridColumn(f"site:{s}", title, site_w, "right")
            columns.append(column)
        columns += [
            GridColumn("label", "Dist.", 13),
            GridColumn("diff", "diff", 5, "right"),
            GridColumn("gap", "gap", 5, "right"),
        ]
        if authors:
            columns.append(GridColumn("published", "Authors", 12))
        if judged(self.comparison):  # the analyst's judgement: beside the rule's label, never in its place
            columns.append(GridColumn("judgement", HEADER, 14))
        return columns

    def _grid_marks(self, sites: list, width: int) -> list[tuple[str, str]]:
        """The line over the header: the key of the marks, and each site's group over its tokens."""
        styles = self.styles_map
        marks = [("H/M/L: high/middle/low", "dim"), ("", "")]
        marks += [(GROUP_MARK[g], styles.get(g, "")) for _s, g in sites]  # over each token (right-aligned)
        return marks + [("", "")] * (width - len(marks))

    def _grid_rows(
        self, groups: list, site_ids: list[str], authors: bool, title_w: int
    ) -> tuple[list, list[str | None]]:
        """A heading row per domain and a (lazily built) row per theme; each row's theme (None: a heading)."""
        tokens = self.study.rating_tokens
        analyst = judged(self.comparison)  # the analyst's judgements (judgements.csv): a column of their own
        rows: list = []
        row_themes: list[str | None] = []
        for name, results in groups:
            rows.append((None, Text(f"▸ {name} ({len(results)})", style="bold", end="")))
            row_themes.append(None)
            for r in results:
                rows.append(
                    (
                        r.theme,
                        functools.partial(self._row, r, tokens.get(r.theme, {}), site_ids, authors, title_w, analyst),
                    )
                )
                row_themes.append(r.theme)
        return rows, row_themes

    @staticmethod
    def _row(result, tokens: dict, sites: list[str], authors: bool, title_w: int, analyst: bool = False) -> MatrixRow:
        mark = MARK.get(result.distinguishing, "") + ("↺" if result.direction == "reversed" else "")
        head = [safe(result.title, title_w, "bold" if result.distinguishing == "strong" else ""), mark]
        tail: list[str | Text] = [label_of(result), figure(result.diff), figure(result.gap)]
        if authors:
            tail.append(safe(result.published or "", 12))
        if analyst:
            tail.append(judgement_cell(result, 14))
        return MatrixRow(head, tokens, sites, tail)

    # -- the cursor ----------------------------------------------------------------------------
    def current_theme(self) -> str | None:
        return self.query_one("#matrix-table", MatrixGrid).cursor_key if self._row_themes else None

    def rating_cell(self) -> tuple[str, str] | None:
        theme, site = self.current_theme(), self.current_site()
        return (site, theme) if theme and site else None

    def current_site(self) -> str | None:
        table = self.query_one("#matrix-table", MatrixGrid)
        if not self._columns or table.cursor_column >= len(self._columns):
            return None
        key = self._columns[table.cursor_column].key
        return key[len("site:") :] if key.startswith("site:") else None

    def _show_cell(self) -> None:
        """The line under the grid: the cursor's theme and site in full, and its rating."""
        line = functools.partial(self._update, "#matrix-cell")
        theme, site = self.current_theme(), self.current_site()
        show_cell(self, self.rating_cell())
        if theme is None:
            line("")
            return
        result = next((r for r in self.comparison.themes if r.theme == theme), None)
        title = result.title if result is not None else theme
        if site is None:
            findings = f"{label_of(result)} · diff {figure(result.diff)} · gap {figure(result.gap)}" if result else ""
            if result is not None and result.published is not None:
                findings += f" · authors: {result.published}"
            analyst = judgement_words(result)
            if result is not None and analyst:
                findings += f" · {analyst}" + (f" ({result.judgement_reason})" if result.judgement_reason else "")
            line(join(safe(title, 40, "bold"), " · ", safe(findings, 90), " · Enter/a: every site's evidence"))
            return
        group = dict(self._sites).get(site, "missing")
        token = self.study.rating_tokens.get(theme, {}).get(site, "no rating")
        label = self.comparison.labels.get(site, site)
        line(
            join(
                safe(title, 30, "bold"),
                " · ",
                safe(f"{site} {label}", 30),
                f" ({GROUP_MARK[group]})",
                " · ",
                Text(str(token), style="bold"),
                " · Enter: evidence",
            )
        )

    def on_row_list_highlighted(self, event) -> None:
        if self.comparison is not None:
            self._show_cell()

    def on_mount(self) -> None:
        super().on_mount()
        self.watch(
            self.query_one("#matrix-table", MatrixGrid),
            "cursor_column",
            lambda _c: self._show_cell() if self.comparison is not None and self._columns else None,
            init=False,
        )

    def on_row_list_selected(self, event) -> None:
        site = self.current_site()
        if site is None:
            self.action_all_sites()
        else:
            self.open_evidence(event.key, site)

    def open_evidence(self, theme: str, site: str | None) -> None:
        from tui.dashboard.dialogs.evidence import EvidenceDialog

        self.app.push_screen(EvidenceDialog(self.study, self.comparison, theme, site))

    def action_all_sites(self) -> None:
        theme = self.current_theme()
        if theme is not None:
            self.open_evidence(theme, None)

    def on_resize(self, event) -> None:
        super().on_resize(event)
        if self._wide is not None and (event.size.width >= 110) != self._wide and self._shown is not None:
            self.show(self.comparison)  # the theme column widens (or narrows) with the terminal

    # -- controls ------------------------------------------------------------------------------
    def action_edge(self, end: int) -> None:
        table = self.query_one("#matrix-table", MatrixGrid)
        keys = [c.key for c in self._columns]
        if keys:
            table.cursor_column = keys.index("label") if end else min(self.FIXED, len(keys) - 1)

    def action_toggle_middle(self) -> None:
        self.hide_middle = not self.hide_middle
        self.notify("Middle group hidden." if self.hide_middle else "Middle group shown.", markup=False, timeout=3)
        if self.comparison is not None:
            self._fill_table()

    def action_focus_filter(self) -> None:
        self.query_one("#matrix-filter").focus()

    def action_focus_domain(self) -> None:
        self.query_one("#matrix-domain").focus()

    def action_focus_label(self) -> None:
        self.query_one("#matrix-label").focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "matrix-filter":
            self.set_filter(event.value, update_input=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#matrix-table").focus()

    def set_filter(self, text: str, update_input: bool = True) -> None:
        self.filter_text = text
        if update_input:
            field = self.query_one("#matrix-filter", Input)
            with field.prevent(Input.Changed):
                field.value = text
        if self.comparison is not None and self._shown is not None:
            self._fill_table()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "matrix-domain":
            self.domain = str(event.value)
        elif event.select.id == "matrix-label":
            self.label = str(event.value)
        else:
            return
        if self.comparison is not None and self._shown is not None:
            self._fill_table()

    def action_back(self) -> None:
        if isinstance(self.focused, Input | Select):
            self.query_one("#matrix-table").focus()
        else:
            super().action_back()

    # -- snapshot view -------------------------------------------------------------------------
    def view_state(self) -> dict:
        view = super().view_state()
        theme, site = self.current_theme(), self.current_site()
        if theme:
            view["theme"] = theme
        if site:
            view["site"] = site
        if self.filter_text.strip():
            view["filter"] = self.filter_text
        if self.domain != ALL:
            view["domain"] = self.domain
        if self.label != ALL:
            view["label"] = self.label
        if self.hide_middle:
            view["middle"] = "hidden"
        return view

    def apply_view(self, view: dict) -> None:
        """Back to a snapshot's view: the filters, the middle group, the cursor's theme and site."""
        if isinstance(view.get("domain"), str):
            self.domain = view["domain"]
        if view.get("label") in {value for _, value in LABELS}:
            self.label = view["label"]
        self.hide_middle = view.get("middle") == "hidden"
        self._want = (
            view.get("theme") if isinstance(view.get("theme"), str) else None,
            view.get("site") if isinstance(view.get("site"), str) else None,
        )
        self.filter_text = str(view.get("filter", "")) if isinstance(view.get("filter", ""), str) else ""
        field = self.query_one("#matrix-filter", Input)
        with field.prevent(Input.Changed):
            field.value = self.filter_text
        if self.comparison is not None and self._shown is not None:
            self.show(self.comparison)
