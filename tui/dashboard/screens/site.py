"""Site: one site's profile: its metrics against the other sites, attributes, every rating."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.dashboard.dialogs.evidence import excerpts_of
from tui.dashboard.rating import SiteRatingKeys, rating_panel, show_cell
from tui.dashboard.screens.base import DashboardScreen, digits_for, fmt_value, shown_value
from tui.dashboard.screens.compare import theme_order
from tui.dashboard.widgets.charts import marker_strip, numbers
from tui.dashboard.widgets.palette import GROUP_MARK
from tui.dashboard.widgets.safe_text import join, safe, safe_block
from tui.headless.render import fmt


class SiteScreen(SiteRatingKeys, DashboardScreen):
    SCREEN_NAME = "Site"
    AUTO_FOCUS = "#site-body"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("n", "step(1)", "Next site"),
        Binding("p", "step(-1)", "Previous site"),
    ]

    def __init__(self, site: str) -> None:
        super().__init__()
        self.site = site

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="site-body"):
            yield Static("", id="site-head")
            yield Static("", id="site-metrics")
            yield Static("", id="site-themes")
        yield from rating_panel(self.app)  # rating mode (tui/dashboard/rating.py)

    def show(self, comparison) -> None:
        study = self.study
        try:
            site = study.site(self.site)
        except KeyError:
            self.query_one("#site-head", Static).update(join("No site ", safe(self.site, 30), " in this study."))
            return
        group = comparison.split.group_of(site.id) or "missing"
        styles = self.styles_map
        head = join(
            Text(f"{GROUP_MARK[group]} ", style=styles[group]),
            safe(site.id, 20, "bold"),
            "  ",
            safe(site.label, 50, "bold"),
            Text(f"   {group} group", style=styles[group]),
        )
        attrs = [
            join("\n", safe(a, 20, "dim"), ": ", safe(site.attributes.get(a) or "-", 50)) for a in study.attributes
        ]
        self.query_one("#site-head", Static).update(join(head, *attrs))
        self.query_one("#site-metrics", Static).update(self._metrics_table(comparison, site))
        self.query_one("#site-themes", Static).update(self._themes_text(comparison, site))
        show_cell(self, self.rating_cell())

    def _metrics_table(self, c, site) -> Table:
        wide = self.size.width >= 110
        table = Table(
            box=None,
            pad_edge=False,
            expand=False,
            title_justify="left",
            title=Text("Metrics (◆ this site among all sites)", style="bold"),
        )
        table.add_column("Metric", no_wrap=True, max_width=40 if wide else 26)
        table.add_column("Value", justify="right", no_wrap=True)
        table.add_column("Among sites", no_wrap=True)
        table.add_column("H mean", justify="right", no_wrap=True)
        table.add_column("L mean", justify="right", no_wrap=True)
        results = {m.metric: m for m in c.metrics}
        style = self.styles_map.get(c.split.group_of(site.id) or "missing", "bold")
        for key, metric in self.study.metrics.items():
            every = [shown_value(self.study, key, s.values.get(key), c.disclosure) for s in self.study.sites]
            mine = shown_value(self.study, key, site.values.get(key), c.disclosure)
            m = results.get(key)
            name = safe(metric.label, 40 if wide else 26)
            if key == c.split.outcome:
                name.append(" (outcome)", style="italic")
            table.add_row(
                name,
                fmt_value(mine, digits_for(self.study, key)),
                marker_strip(numbers(every), mine if isinstance(mine, float) else None, 24 if wide else 16, style),
                fmt(m.high.mean, max(digits_for(self.study, key), 2)) if m else "",
                fmt(m.low.mean, max(digits_for(self.study, key), 2)) if m else "",
            )
        return table

    def _themes_text(self, c, site) -> Text:
        ratings = {r.theme: r for r in self.study.ratings if r.site == site.id}
        out = Text("\nTheme ratings and evidence\n", style="bold", end="")
        results = {t.theme: t for t in c.themes}
        ordered = sorted(
            (t for t in self.study.rated_themes() if t.id in ratings),
            key=lambda t: theme_order(results[t.id]) if t.id in results else (9, False),
        )
        self.rating_order([t.id for t in ordered])
        if not ordered:
            out.append("(this site has no theme ratings)", style="dim")
        for theme in ordered:
            r = ratings[theme.id]
            t = results.get(theme.id)
            flag = f"  [{t.distinguishing}{' reversed' if t.direction == 'reversed' else ''}]" if t else ""
            out.append(self.rating_mark(theme.id))
            out.append(Text(f"{r.token:>7}  ", style="bold"))
            out.append(safe(theme.title, 60, "bold"))
            out.append(Text(flag + "\n", style="dim"))
            memo = safe_block(r.evidence, style="italic") if r.evidence else Text("(no evidence memo)", style="dim")
            out.append(Text("         "))
            out.append(memo)
            out.append("\n")
            for e in excerpts_of(self.study, site.id, theme.id):  # evidence.csv's coded excerpts
                out.append(Text("         • "))
                out.append(safe_block(e.excerpt))
                out.append(join(Text(" — ", style="dim"), safe(e.source or "(no source)", 60, "dim"), "\n"))
        return out

    def action_step(self, step: int) -> None:
        c = self.comparison
        if c is None:
            return
        values = {s.id: s.values.get(c.split.outcome) for s in self.study.sites}
        order = sorted(values, key=lambda s: (values[s] is None, -(values[s] or 0.0)))
        if self.site in order:
            self.site = order[(order.index(self.site) + step) % len(order)]
            self._redraw()
            self.query_one("#site-body").scroll_home(animate=False)

    def view_state(self) -> dict:
        return {"screen": "site", "site": self.site}
