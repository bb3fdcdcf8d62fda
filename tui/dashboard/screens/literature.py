"""Literature: the study held against the literature (the joint display of analysis.md section 1).

Counts on top (the headline), then one row per literature theme with its fit as a symbol and a
word (never colour alone), the study's new themes (expansion) below them; the detail of the row
under the cursor gives the paper(s), the claim, the theme that carried the study's evidence with
its ratings by group, its distinguishing label, and the [[link]]s of that theme with their metric's
effect. Enter opens the evidence's theme in Themes. Filters: by fit and by CFIR domain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Select, Static

from metrics.literature import FITS, SYMBOLS
from tui.dashboard.screens.base import DashboardScreen, ShowTheme
from tui.dashboard.widgets.palette import GROUP_MARK
from tui.dashboard.widgets.rows import RowList, cells
from tui.dashboard.widgets.safe_text import join, safe, safe_block
from tui.dashboard.widgets.select import SafeSelect

if TYPE_CHECKING:
    from metrics.results import Comparison

ALL = "__all__"
FIT_CHOICES = [("All fits", ALL)] + [(f"{SYMBOLS[f]} {f}", f) for f in FITS]
NEW_PREFIX = "new:"  # the key of a new theme's row (a theme id has no colon)
GROUP_LIMIT = 12  # sites listed per group in the detail
HOW = {"own": "the theme itself", "cfir2009": "its CFIR 2009 construct", "cfir2": "its CFIR 2.0 construct"}
MEANING = {
    "confirmation": "the high sites are rated higher, as the literature expects",
    "discordance": "the low sites are rated higher: the study contradicts the literature",
    "no-difference": "the study rated it, and the groups do not differ",
    "insufficient": "too few ratings to tell",
    "silence": "the study rated neither the theme nor its CFIR construct",
    "expansion": "a theme of the study's own that distinguishes: it adds to the literature",
}


def link_marker(link) -> str:
    """A [[link]] in a few cells: ``⇄ supervisor_hours g=2.78 ✓`` (the metric's key, Hedges' g, the fit)."""
    g = "n/a" if link.hedges_g is None else f"{link.hedges_g:.2f}"
    return f"⇄ {link.metric} g={g} {SYMBOLS.get(link.fit, '?')}"


class LiteratureScreen(DashboardScreen):
    SCREEN_NAME = "Literature"
    AUTO_FOCUS = "#literature-list"
    BINDINGS = [
        Binding("f", "focus_fit", "Fit filter"),
        Binding("m", "focus_domain", "Domain filter"),
    ]
    DEFAULT_CSS = """
    #literature-head { height: auto; max-height: 3; padding: 0 1; }
    #literature-controls { height: 1; }
    #literature-controls Select { width: 1fr; }
    #literature-split { height: 1fr; }
    #literature-list { width: 55%; height: 1fr; }
    #literature-detail { width: 1fr; height: 1fr; padding: 0 1; border-left: vkey $panel; }
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fit = ALL
        self.domain = ALL
        self._want: str | None = None
        self._domains_of: list[str] | None = None
        self._detail_key: tuple[Comparison | None, tuple[str | None, str, int]] | None = None

    def compose_body(self) -> ComposeResult:
        yield Static("", id="literature-head")
        with Horizontal(id="literature-controls"):
            yield SafeSelect(FIT_CHOICES, id="literature-fit", value=ALL, allow_blank=False, compact=True)
            yield SafeSelect(
                [(Text("All domains"), ALL)], id="literature-domain", value=ALL, allow_blank=False, compact=True
            )
        with Horizontal(id="literature-split"):
            yield RowList(id="literature-list")
            with VerticalScroll(id="literature-detail"):
                yield Static("", id="literature-detail-text")

    # -- drawing ---------------------------------------------------------------------------------
    def show(self, comparison) -> None:
        lit = comparison.literature
        head = self.query_one("#literature-head", Static)
        if lit is None:
            head.update(Text("The literature is not part of this comparison.", style="dim"))
            return
        head.update(join(Text("This study ", style="bold"), safe(lit.headline().removeprefix("this study "))))
        self._fill_domains(lit)
        fit = self.query_one("#literature-fit", Select)
        if fit.value != self.fit:
            with fit.prevent(Select.Changed):
                fit.value = self.fit
        self._fill_list(comparison)

    def _fill_domains(self, lit) -> None:
        select = self.query_one("#literature-domain", Select)
        domains = sorted({r.domain for r in (*lit.rows, *lit.new) if r.domain})
        if self.domain != ALL and self.domain not in domains:
            self.domain = ALL
        with select.prevent(Select.Changed):
            if self._domains_of != domains:
                select.set_options([(Text("All domains"), ALL)] + [(safe(d, 30), d) for d in domains])
                self._domains_of = domains
            if select.value != self.domain:
                select.value = self.domain

    def _visible(self, items):
        return [
            r
            for r in items
            if (self.fit == ALL or r.fit == self.fit) and (self.domain == ALL or r.domain == self.domain)
        ]

    def _fill_list(self, comparison) -> None:
        lit = comparison.literature
        table = self.query_one("#literature-list", RowList)
        keep = self._want or self.current_key()
        self._want = None
        fit_w = 15
        title_w = max(int(self.size.width * 0.55) - fit_w - 5, 16)
        linked = {link.theme for link in comparison.links or ()}

        def row(item, key_prefix: str = ""):
            mark = " ⇄" if item.theme in linked or getattr(item, "via", None) in linked else ""
            return (
                key_prefix + item.theme,
                cells(
                    (f"{SYMBOLS[item.fit]} {item.fit}", fit_w),
                    (join(safe(item.title, title_w - len(mark)), mark), title_w),
                    gap=2,
                ),
            )

        rows = [row(r) for r in self._visible(lit.rows)]
        new = self._visible(lit.new)
        if new:
            rows.append((None, Text("New themes of the study (expansion)", style="bold")))
            rows += [row(n, NEW_PREFIX) for n in new]
        if not rows:
            rows = [(None, Text("No literature theme matches these filters.", style="dim"))]
        table.set_rows(rows, header=cells(("Fit", fit_w), ("Literature theme", title_w), gap=2))
        keys = table.keys
        if keep in keys:
            table.move_to(keys.index(keep))
        self._show_detail(self.current_key())

    def current_key(self) -> str | None:
        return self.query_one("#literature-list", RowList).cursor_key

    def _item(self, key: str | None):
        lit = self.comparison.literature if self.comparison is not None else None
        if key is None or lit is None:
            return None
        if key.startswith(NEW_PREFIX):
            return next((n for n in lit.new if n.theme == key[len(NEW_PREFIX) :]), None)
        return next((r for r in lit.rows if r.theme == key), None)

    def _show_detail(self, key: str | None) -> None:
        state = (key, self.app.theme, self.size.width)
        if self._detail_key is not None and self._detail_key[0] is self.comparison and self._detail_key[1] == state:
            return
        self._detail_key = (self.comparison, state)
        detail = self.query_one("#literature-detail-text", Static)
        item = self._item(key)
        detail.update(Text("No theme matches these filters.", style="dim") if item is None else self._detail(item))

    def _detail(self, item) -> Text:
        width = max(self.size.width // 2, 30)
        out = join(safe(item.title, 200, "bold"), "\n")
        facts = (
            [f"id {item.theme}"]
            + ([f"influence {item.influence}"] if getattr(item, "influence", None) else [])
            + ([f"domain {item.domain}"] if item.domain else [])
        )
        out.append(safe(" · ".join(facts), 300, "dim"))
        out.append("\n\nFit: ")
        out.append(f"{SYMBOLS[item.fit]} {item.fit}", style="bold")
        out.append(f" — {MEANING[item.fit]}")
        out.append("\n\nThe study's evidence\n", style="bold")
        via = getattr(item, "via", item.theme)
        if via is None:
            out.append("none: the study rated neither this theme nor its CFIR construct\n", style="dim")
        else:
            how = HOW.get(getattr(item, "via_kind", None) or "own", "")
            title = getattr(item, "via_title", None) or (item.evidence.title if item.evidence is not None else via)
            out.append(
                join(
                    safe(title, 200),
                    " ",
                    safe(f"[{via}]", 100, "dim"),
                    f" ({how})" if how and hasattr(item, "via_kind") else "",
                )
            )
            out.append("\ndistinguishing: ")
            out.append(f"{item.distinguishing}", style="bold")
            out.append(f", {item.direction}\n")
            out.append(self._ratings(item.ratings))
        self._append_links(out, item, via, width)
        if item.claim:
            out.append("\nClaim\n", style="bold")
            out.append(safe_block(item.claim))
        self._append_papers(out, item)
        if via is not None:
            out.append("\nEnter: ", style="dim")
            out.append(safe(via, 100, "dim"))
            out.append(" in Themes", style="dim")
        return out

    def _append_links(self, out: Text, item, via: str | None, width: int) -> None:
        """The metrics linked to the theme (or to the CFIR construct it was read through)."""
        links = [link for link in self.comparison.links or () if link.theme in (item.theme, via)]
        if links:
            out.append("\nLinked metrics (statistics by themes)\n", style="bold")
            for link in links:
                diff = "n/a" if link.mean_difference is None else f"{link.mean_difference:+.3g}"
                out.append(
                    join(
                        safe(link_marker(link), width),
                        " ",
                        f"{link.fit}\n  ",
                        safe(link.label or link.metric, 200),
                        f": high minus low {diff}\n",
                    )
                )

    @staticmethod
    def _append_papers(out: Text, item) -> None:
        """The papers the theme's claim comes from."""
        papers = getattr(item, "papers", ())
        if papers:
            out.append(
                ("\n\n" if item.claim else "\n") + "Paper" + ("s" if len(papers) > 1 else "") + "\n", style="bold"
            )
            for p in papers:
                out.append("• ")
                out.append(safe(p.citation or p.title or p.ref, 300))
                if p.doi:
                    out.append("\n  ")
                    out.append(safe(f"doi:{p.doi}", 200, "dim"))
                out.append("\n")
        else:
            out.append("\n")

    def _ratings(self, ratings) -> Text:
        styles = self.styles_map
        out = Text(end="")
        for group in ("high", "low", "middle"):
            entries = ratings.get(group) or ()
            if not entries and group == "middle":
                continue
            out.append(f"{GROUP_MARK[group]} {group}: ", style=styles[group])
            shown = ", ".join(f"{site} {token}" for site, token in list(entries)[:GROUP_LIMIT]) or "no ratings"
            if len(entries) > GROUP_LIMIT:
                shown += f", … and {len(entries) - GROUP_LIMIT} more"
            out.append(safe(shown, 400))
            out.append("\n")
        return out

    # -- events ----------------------------------------------------------------------------------
    def on_row_list_highlighted(self, event: RowList.Highlighted) -> None:
        if self.comparison is not None:
            self._show_detail(self.current_key())

    def on_row_list_selected(self, event: RowList.Selected) -> None:
        item = self._item(event.key)
        if item is not None:
            self.post_message(ShowTheme(getattr(item, "via", None) or item.theme))

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "literature-fit":
            self.fit = str(event.value)
        elif event.select.id == "literature-domain":
            self.domain = str(event.value)
        else:
            return
        if self.comparison is not None and self.comparison.literature is not None:
            self._fill_list(self.comparison)

    def action_focus_fit(self) -> None:
        self.query_one("#literature-fit").focus()

    def action_focus_domain(self) -> None:
        self.query_one("#literature-domain").focus()

    # -- snapshots' [view] -----------------------------------------------------------------------
    def view_state(self) -> dict:
        view = super().view_state()
        key = self.current_key()
        if key:
            view["theme"] = key.removeprefix(NEW_PREFIX)
        filters = [f"fit={self.fit}"] if self.fit != ALL else []
        filters += [f"domain={self.domain}"] if self.domain != ALL else []
        if filters:
            view["filter"] = ";".join(filters)
        return view

    def apply_view(self, view: dict) -> None:
        flt = view.get("filter")
        if isinstance(flt, str):
            for part in flt.split(";"):
                name, _, value = part.partition("=")
                if name == "fit" and value in FITS:
                    self.fit = value
                elif name == "domain" and value:
                    self.domain = value
        theme = view.get("theme")
        if isinstance(theme, str):
            lit = self.comparison.literature if self.comparison is not None else None
            new = lit is not None and any(n.theme == theme for n in lit.new)
            self._want = (NEW_PREFIX if new else "") + theme
        if self.comparison is not None and self._shown is not None:
            self.show(self.comparison)
