"""Themes: the literature catalogue with each theme's sources and the ratings of every site."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Select, Static

from cases.model import GROUPS
from tui.dashboard.dialogs.evidence import excerpts_of
from tui.dashboard.screens.base import DashboardScreen, ShowSites
from tui.dashboard.widgets.judgement import HEADER, judged, judgement_cell, judgement_count_line, judgement_words
from tui.dashboard.widgets.palette import GROUP_MARK
from tui.dashboard.widgets.rows import Cell, RowList, cells
from tui.dashboard.widgets.rule_text import rule_line, theme_findings
from tui.dashboard.widgets.safe_text import join, safe, safe_block
from tui.dashboard.widgets.select import SafeSelect

if TYPE_CHECKING:
    from metrics.results import Comparison

SCOPES = [
    ("Themes rated in this study", "rated"),
    ("Literature themes", "literature"),
    ("All themes and CFIR constructs", "all"),
]
ALL = "__all__"
GROUP_LIMIT = 25  # sites listed per group in the detail; j lists them all in Sites
LIST_SHARE = 45  # the list's share of the screen's width (#themes-list in app.tcss), before its layout
MIN_TITLE = 16  # the title's cells below which a row's labels are made shorter
# the authors' judgement by its initial when the row is short of room: "none (S)" under "Dist.(auth)"
INITIAL = {"strong": "S", "weak": "W", "none": "N", "distinguishing": "D"}


def rule_flag(r) -> str:
    """The rule's label (cut to 6: "insuff"), with ↺ when the theme is reversed."""
    return (r.distinguishing[:6] + ("↺" if r.direction == "reversed" else "")) if r is not None else ""


def flag_text(r, short: bool) -> str:
    """``none (strong)``: the rule's label then the authors' published one; ``none (S)`` when short."""
    flag = rule_flag(r)
    if r is not None and r.published is not None:
        flag += f" ({INITIAL.get(r.published, r.published[:1].upper()) if short else r.published})"
    return flag


def flag_header(authors: bool, short: bool) -> str:
    return ("Dist.(auth)" if short else "Dist. (authors)") if authors else "Dist."


def theme_layout(results: list, width: int, analyst: bool) -> tuple[int, bool, int, int, int]:
    """(gap, short, flag, analyst, title) widths for rows of ``width`` cells: the labels in full with
    two spaces between the columns when the title keeps MIN_TITLE cells, else one space, else the
    authors' label by its initial; each row then takes ``width`` cells at most."""
    authors = any(r is not None and r.published is not None for r in results)
    analyst_w = max(len(HEADER), *(len(judgement_cell(r, 8)) for r in results)) if analyst else 0
    best: tuple[int, bool, int, int, int] | None = None
    for gap, short in ((2, False), (1, False), (1, True)):
        flag_w = max(len(flag_header(authors, short)), *(len(flag_text(r, short)) for r in results))
        title_w = width - flag_w - gap - (analyst_w + gap if analyst else 0)
        layout = (gap, short, flag_w, analyst_w, title_w)
        if title_w >= MIN_TITLE:
            return layout
        if best is None or title_w > best[4]:
            best = layout
    assert best is not None
    return best


def theme_rows(themes, results: dict, width: int, analyst: bool) -> tuple[list, Text]:
    """The Themes list's rows (key, Text) and header, no wider than ``width`` cells: the rule's label,
    the authors' (in brackets), the analyst's (``strong ≠``: text, not colour, marks a difference)
    and the title. What a short row leaves out is in the theme's detail."""
    shown = [results.get(t.id) for t in themes]
    gap, short, flag_w, analyst_w, title_w = theme_layout(shown or [None], width, analyst)
    authors = any(r is not None and r.published is not None for r in shown)
    title_w = max(title_w, 1)
    rows: list[tuple[str | None, Text | Callable[[], Text]]] = []
    for theme, r in zip(themes, shown):
        style = "bold" if r is not None and r.distinguishing == "strong" else ""
        columns: list[Cell] = [(safe(flag_text(r, short), flag_w, style), flag_w)]
        if analyst:
            columns.append((judgement_cell(r, analyst_w), analyst_w))
        columns.append((safe(theme.title, title_w), title_w))
        rows.append((theme.id, cells(*columns, gap=gap)))
    header: list[Cell] = [(flag_header(authors, short), flag_w)]
    if analyst:
        header.append((HEADER, analyst_w))
    header.append(("Theme", title_w))
    return rows, cells(*header, gap=gap)


class ThemesScreen(DashboardScreen):
    SCREEN_NAME = "Themes"
    AUTO_FOCUS = "#themes-list"
    BINDINGS = [
        Binding("j", "jump", "Sites with theme"),
        Binding("f", "focus_domain", "Domain filter"),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.scope = "rated"
        self.domain = ALL
        self._ids: list[str] = []
        self._want: str | None = None
        self._domains_of = None  # the study whose domains the filter lists
        self._fitted: tuple[int, int, int] | None = None  # the list's size and rows the layout was made for
        self._detail_key: tuple[Comparison | None, tuple[str | None, str, int]] | None = (
            None  # what the detail shows (theme, comparison): drawn once
        )

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="themes-controls"):
            yield SafeSelect(SCOPES, id="theme-scope", value="rated", allow_blank=False, compact=True)
            yield SafeSelect(
                [(Text("All domains"), ALL)], id="theme-domain", value=ALL, allow_blank=False, compact=True
            )
        yield Static("", id="themes-rule", markup=False)  # the distinguishing rule in force
        yield Static("", id="themes-judged", markup=False)  # the analyst's judgements: how many differ
        with Horizontal(id="themes-split"):
            yield RowList(id="themes-list")
            with VerticalScroll(id="theme-detail"):
                yield Static("", id="theme-detail-text")

    def show(self, comparison) -> None:
        scope = self.query_one("#theme-scope", Select)
        if scope.value != self.scope:
            with scope.prevent(Select.Changed):
                scope.value = self.scope
        self._fill_domains()
        self.query_one("#themes-rule", Static).update(
            safe(rule_line(comparison.rule), max(self.size.width - 1, 20), "dim")
        )
        count = judgement_count_line(comparison)
        judged_line = self.query_one("#themes-judged", Static)
        judged_line.display = bool(count)
        judged_line.update(safe(count, max(self.size.width - 1, 20)))
        self._fill_list(comparison)

    def _themes(self):
        study = self.study
        rated = study.ratings_by_theme
        if self.scope == "rated":
            themes = [t for t in study.themes.values() if t.id in rated]
        elif self.scope == "literature":
            themes = [t for t in study.themes.values() if t.kind in ("literature", "study")]
        else:
            themes = list(study.themes.values())
        return [t for t in themes if self.domain == ALL or t.domain == self.domain]

    def _fill_domains(self) -> None:
        """The domain filter: its choices (refilled for a new study only) and its value."""
        select = self.query_one("#theme-domain", Select)
        domains = sorted({t.domain for t in self.study.themes.values() if t.domain})
        if self.domain != ALL and self.domain not in domains:
            self.domain = ALL
        with select.prevent(Select.Changed):
            if self._domains_of is not self.study:
                select.set_options([(Text("All domains"), ALL)] + [(safe(d, 30), d) for d in domains])
                self._domains_of = self.study
            if select.value != self.domain:
                select.value = self.domain

    def _fill_list(self, c) -> None:
        table = self.query_one("#themes-list", RowList)
        keep = self._want or self.current_theme()
        self._want = None
        themes = self._themes()
        width = self._list_width(table, len(themes))
        self._fitted = (table.size.width, table.size.height, len(themes))
        rows, header = theme_rows(themes, {t.theme: t for t in c.themes}, width, judged(c))
        self._ids = [t.id for t in themes]
        table.set_rows(rows, header=header)
        if keep in self._ids:
            table.move_to(self._ids.index(keep))
        self._show_detail(self.current_theme())
        if not table.size.width:  # laid out for the first time: fit the rows to its real width then
            self.call_after_refresh(self._refit)

    def _list_width(self, table: RowList, count: int) -> int:
        """The cells a row may take: the list's width (before its first layout, its share of the
        screen), less the vertical scrollbar when the rows will not all be in view."""
        width = table.size.width or self.size.width * LIST_SHARE // 100
        if not table.size.height or count + 1 > table.size.height:
            width -= table.styles.scrollbar_size_vertical
        return max(width, 1)

    def on_resize(self, event) -> None:
        super().on_resize(event)
        self.call_after_refresh(self._refit)

    def _refit(self) -> None:
        """Lay the rows out again when the list's size changed since they were made (a resize, the
        first layout)."""
        if self.comparison is None or self._shown is None or self._fitted is None:
            return
        table = self.query_one("#themes-list", RowList)
        if (table.size.width, table.size.height) != self._fitted[:2]:
            self._fill_list(self.comparison)

    def current_theme(self) -> str | None:
        return self.query_one("#themes-list", RowList).cursor_key

    def _show_detail(self, theme_id: str | None) -> None:
        key = (theme_id, self.app.theme, self.size.width)
        if self._detail_key is not None and self._detail_key[0] is self.comparison and self._detail_key[1] == key:
            return
        self._detail_key = (self.comparison, key)
        detail = self.query_one("#theme-detail-text", Static)
        if theme_id is None:
            detail.update(Text(self._none_shown(), style="dim"))
            return
        detail.update(self._detail(theme_id))

    def _none_shown(self) -> str:
        """Why the list is empty: a study without ratings says so, rather than blame a filter."""
        if self.scope == "rated" and not self.study.ratings_by_theme:
            return "This study has no ratings yet, so no theme is rated: choose Literature themes above to read them."
        return "No theme matches this filter."

    def _detail(self, theme_id: str) -> Text:
        from cases.catalogue import load_catalogue

        study, c = self.study, self.comparison
        theme = study.themes[theme_id]
        out = join(safe(theme.title, 200, "bold"), "\n")
        facts = [f"id {theme.id}", f"kind {theme.kind}"] + ([f"influence {theme.influence}"] if theme.influence else [])
        out.append(safe(" · ".join(facts), 200, "dim"))
        out.append("\nCFIR: ")
        out.append(safe(" / ".join(x for x in (theme.domain, theme.construct) if x) or "-", 200))
        if theme.summary:
            out.append("\n\n")
            out.append(safe_block(theme.summary))
        if theme.sources:
            out.append("\n\nSources\n", style="bold")
            catalogue = load_catalogue()
            for ref in theme.sources:
                source = catalogue.source_for(ref)
                line = f"• {source.citation}" + (f" — doi:{source.doi}" if source.doi else "") if source else f"• {ref}"
                out.append(safe(line, 300))
                out.append("\n")
        result = next((t for t in c.themes if t.theme == theme_id), None)
        out.append("\nRatings", style="bold")
        if result is not None:
            out.append(f"  (distinguishing: {result.distinguishing}, {result.direction})", style="dim")
            out.append("\n")
            out.append(safe(theme_findings(result), 300))
            if result.published is not None:
                out.append("\n")
                out.append(
                    join(
                        "authors' judgement: ",
                        safe(result.published, 60, "bold"),
                        " · rule's: ",
                        Text(result.distinguishing, style="bold"),
                    )
                )
            if result.judgement is not None:  # beside the rule's label, never in its place
                out.append("\n")
                out.append(judgement_words(result), style="bold")
                if result.judgement_reason:
                    out.append_text(join(" · reason: ", safe_block(result.judgement_reason)))
            out.append("\n")
            out.append(safe(rule_line(c.rule), 300, "dim"))
        out.append("\n")
        out.append(self._ratings(theme_id))
        out.append("\nj or Enter: the sites that show this theme", style="dim")
        return out

    def _ratings(self, theme_id: str) -> Text:
        c, styles = self.comparison, self.styles_map
        tokens = self.study.rating_tokens.get(theme_id, {})
        out = Text(end="")
        if not tokens:
            return Text("(no site rates this theme)\n", style="dim")
        for group in GROUPS:
            sites = [s for s in getattr(c.split, group) if s in tokens]
            if not sites:
                continue
            out.append(f"{GROUP_MARK[group]} {group} ({len(sites)})\n", style=styles[group])
            for s in sites[:GROUP_LIMIT]:
                out.append(f"  {tokens[s]:>7}  ", style="bold")
                out.append(safe(f"{s} {c.labels.get(s, s)}", 40))
                out.append("\n")
                for e in excerpts_of(self.study, s, theme_id):  # evidence.csv's excerpts, one line each
                    out.append(safe(f"           • {e.excerpt} — {e.source or '(no source)'}", 120, "dim"))
                    out.append("\n")
            if len(sites) > GROUP_LIMIT:
                out.append(f"  … and {len(sites) - GROUP_LIMIT} more (j: all of them in Sites)\n", style="dim")
        return out

    def on_row_list_highlighted(self, event: RowList.Highlighted) -> None:
        if self.comparison is not None:
            self._show_detail(self.current_theme())

    def on_row_list_selected(self, event: RowList.Selected) -> None:
        self.action_jump()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "theme-scope":
            self.scope = str(event.value)
        elif event.select.id == "theme-domain":
            self.domain = str(event.value)
        if self.comparison is not None:
            self._fill_list(self.comparison)

    def action_jump(self) -> None:
        theme = self.current_theme()
        if theme is not None:
            self.post_message(ShowSites(f"theme:{theme}"))

    def action_focus_domain(self) -> None:
        self.query_one("#theme-domain").focus()

    def select_theme(self, theme_id: str) -> None:
        """Show ``theme_id`` (widening the filters if it is hidden)."""
        if theme_id not in [t.id for t in self._themes()]:
            self.scope, self.domain = "all", ALL
        self._want = theme_id
        if self.comparison is not None and self._shown is not None:
            self.show(self.comparison)

    def view_state(self) -> dict:
        view = super().view_state()
        theme = self.current_theme()
        if theme:
            view["theme"] = theme
        view["scope"] = self.scope
        if self.domain != ALL:
            view["filter"] = f"domain={self.domain}"
        return view

    def apply_view(self, view: dict) -> None:
        flt = view.get("filter")
        scope = view.get("scope")
        if isinstance(flt, str) and flt.startswith("domain="):
            self.domain = flt[len("domain=") :]
            self.scope = "all"  # a snapshot written before [view] had a scope
        if scope in {value for _, value in SCOPES}:
            self.scope = scope
        if isinstance(view.get("theme"), str):
            self.select_theme(view["theme"])
        elif self.comparison is not None and self._shown is not None:
            self.show(self.comparison)
