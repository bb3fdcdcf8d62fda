"""Compare: the opening view. High group left, low group right, every metric and theme below."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option

from tui.render import fmt, fmt_p, symbol
from tui.screens.base import DashboardScreen, OpenSite, ShowTheme, digits_for, fmt_value, shown_value, site_index
from tui.widgets.charts import bar, numbers, strip
from tui.widgets.palette import GROUP_MARK
from tui.widgets.safe_text import join, safe

PANEL_LIMIT = 60
ORDER = {"strong": 0, "weak": 1, "none": 2, "insufficient": 3}


def theme_order(t) -> tuple:
    return (ORDER.get(t.distinguishing, 9), t.direction == "reversed")


def tokens(group, width: int) -> Text:
    text = " ".join(tok for _, tok in group.ratings[: width // 2 + 1]) or "-"
    return safe(text, width)


class CompareScreen(DashboardScreen):
    SCREEN_NAME = "Compare"
    AUTO_FOCUS = "#metrics-table"
    BINDINGS = [
        Binding("m", "focus('metrics-table')", "Metrics", show=False),
        Binding("h", "focus('themes-table')", "Theme list", show=False),
        Binding("[", "focus('high-sites')", "High sites", show=False),
        Binding("]", "focus('low-sites')", "Low sites", show=False),
    ]

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="groups"):
            yield OptionList(id="high-sites", classes="group-panel -high")
            yield OptionList(id="low-sites", classes="group-panel -low")
        yield Static("", id="middle-sites", markup=False)
        yield DataTable(id="metrics-table", cursor_type="row")
        yield DataTable(id="themes-table", cursor_type="row")

    def action_focus(self, widget_id: str) -> None:
        self.query_one(f"#{widget_id}").focus()

    @property
    def wide(self) -> bool:
        return self.size.width >= 110

    def show(self, comparison) -> None:
        self._width = self.size.width
        self._fill_metrics(comparison)
        self._fill_themes(comparison)
        self._fill_groups(comparison, self._current_metric())

    def on_resize(self, event) -> None:
        super().on_resize(event)
        if self._shown is not None and getattr(self, "_width", None) != self.size.width:
            self.show(self._shown)

    # -- metrics -------------------------------------------------------------------------------
    def _current_metric(self):
        table = self.query_one("#metrics-table", DataTable)
        c = self.comparison
        if c is None or not c.metrics:
            return None
        row = min(max(table.cursor_row, 0), len(c.metrics) - 1)
        return c.metrics[row]

    def _fill_metrics(self, c) -> None:
        table = self.query_one("#metrics-table", DataTable)
        keep = table.cursor_row
        table.clear(columns=True)
        strip_w = 24 if self.wide else 15
        label_w = max(16, min(40, self.size.width - strip_w - (62 if self.wide else 44)))
        columns = [("", 1), ("Metric", label_w), ("Sites (H L M)", strip_w)]
        if self.wide:
            columns += [("High", 7), ("Low", 7)]
        columns += [("Diff", 7), ("g", 5), ("δ", 5), ("p", 7)]
        for name, width in columns:
            table.add_column(name, key=name or "sym", width=width)
        styles = self.styles_map
        for m in c.metrics:
            sym = symbol(m)
            sym_style = styles["better"] if sym == "▲" else styles["worse"] if sym == "▼" else ""
            points = [(v, "high") for _, v in m.high.values] + [(v, "low") for _, v in m.low.values]
            points += [(self._value(c, s, m.metric), "middle") for s in c.split.middle]
            row = [Text(sym, style=sym_style), safe(m.label, label_w), strip(points, strip_w, styles)]
            if self.wide:
                row += [Text(fmt(m.high.mean)), Text(fmt(m.low.mean))]
            row += [Text(fmt(m.mean_difference)), Text(fmt(m.hedges_g, 2)), Text(fmt(m.cliffs_delta, 2)),
                    Text(fmt_p(m), style="dim italic" if m.permutation is None else "")]
            table.add_row(*row, key=m.metric)
        if c.metrics:
            table.move_cursor(row=min(max(keep, 0), len(c.metrics) - 1), animate=False)

    def _value(self, c, site: str, metric: str):
        found = site_index(self.study).get(site)
        value = found.values.get(metric) if found is not None else None
        return shown_value(self.study, metric, value, c.disclosure)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "metrics-table" and self.comparison is not None:
            self._fill_groups(self.comparison, self._current_metric())

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "themes-table" and event.row_key.value:
            self.post_message(ShowTheme(event.row_key.value))

    # -- groups --------------------------------------------------------------------------------
    def _fill_groups(self, c, m) -> None:
        key = (id(c), m.metric if m else None, self.app.theme, self.size.width)
        if key == getattr(self, "_panel_key", None):
            return
        self._panel_key = key
        styles = self.styles_map
        every = []
        if m is not None:
            every = [v for _, v in (*m.high.values, *m.low.values)]
            every += [self._value(c, s, m.metric) for s in c.split.middle]
        lo, hi = (min(numbers(every)), max(numbers(every))) if numbers(every) else (None, None)
        for group, figures in (("high", m.high if m else None), ("low", m.low if m else None)):
            panel = self.query_one(f"#{group}-sites", OptionList)
            values = list(figures.values) if figures else [(s, None) for s in getattr(c.split, group)]
            self._fill_panel(panel, c, group, values, lo, hi, styles[group])
            mean = f" · mean {fmt(figures.mean, 2)}" if figures and figures.mean is not None else ""
            panel.border_title = Text(f"{GROUP_MARK[group]} {group.capitalize()} ({len(values)}){mean}")
            panel.border_subtitle = safe(m.label, 28) if m else None
        self._fill_middle(c, m)

    def _fill_panel(self, panel: OptionList, c, group: str, values, lo, hi, style: str) -> None:
        inner = max(self.size.width // 2 - 5, 30)
        bar_w = 10 if inner >= 40 else 6
        name_w = inner - bar_w - 9
        digits = digits_for(self.study, self._current_metric().metric) if self._current_metric() else 2
        ordered = sorted(values, key=lambda sv: (not isinstance(sv[1], float), -(sv[1]) if isinstance(sv[1], float) else 0))
        options = []
        for site, value in ordered[:PANEL_LIMIT]:
            name = safe(f"{site} {c.labels.get(site, site)}", name_w)
            name.pad_right(name_w - name.cell_len)
            num = value if isinstance(value, float) else None
            prompt = join(Text(GROUP_MARK[group] + " ", style=style), name, " ",
                          Text(bar(num, lo, hi, bar_w), style=style), " ", Text(fmt_value(value, digits).rjust(7)))
            options.append(Option(prompt, id=site))
        if len(ordered) > PANEL_LIMIT:
            options.append(Option(Text(f"… and {len(ordered) - PANEL_LIMIT} more (see Sites)", style="dim"),
                                  disabled=True))
        if not options:
            options.append(Option(Text("(no sites)", style="dim"), disabled=True))
        highlighted = panel.highlighted
        panel.clear_options()
        panel.add_options(options)
        if highlighted is not None and highlighted < len(options):
            panel.highlighted = highlighted

    def _fill_middle(self, c, m) -> None:
        parts: list[Text | str] = []
        for group in ("middle", "missing"):
            sites = getattr(c.split, group)
            if not sites:
                continue
            parts.append(Text(f"{GROUP_MARK[group]} {group.capitalize()} ({len(sites)}): ",
                              style=self.styles_map[group]))
            shown = []
            for s in sites[:12]:
                value = (f" {fmt_value(self._value(c, s, m.metric), digits_for(self.study, m.metric))}"
                         if m is not None and group == "middle" else "")
                shown.append(f"{s} {c.labels.get(s, s)}{value}")
            more = f", … {len(sites) - 12} more" if len(sites) > 12 else ""
            parts += [safe(", ".join(shown) + more, max(self.size.width - 24, 20)), "   "]
        if not parts:
            parts = [Text("No middle or missing sites: every site is in the high or the low group.", style="dim")]
        self.query_one("#middle-sites", Static).update(join(*parts))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.post_message(OpenSite(event.option.id))

    # -- themes --------------------------------------------------------------------------------
    def _fill_themes(self, c) -> None:
        table = self.query_one("#themes-table", DataTable)
        keep = table.cursor_row
        table.clear(columns=True)
        wide = self.wide
        group_w, middle_w = (20, 14) if wide else (12, 8)
        title_w = max(16, min(48, self.size.width - 2 * group_w - middle_w - 28))
        for name, width in (("Distinguishing", 14), ("Theme", title_w), ("H high", group_w), ("L low", group_w),
                            ("M middle", middle_w)):
            table.add_column(name, key=name, width=width)
        styles = self.styles_map
        for t in sorted(c.themes, key=theme_order):
            flag = t.distinguishing + (" rev" if t.direction == "reversed" else "")
            style = "bold" if t.distinguishing == "strong" else "" if t.distinguishing == "weak" else "dim"
            table.add_row(Text(flag, style=style), safe(t.title, title_w),
                          self._styled(tokens(t.high, group_w), styles["high"]),
                          self._styled(tokens(t.low, group_w), styles["low"]),
                          self._styled(tokens(t.middle, middle_w), styles["middle"]), key=t.theme)
        if c.themes:
            table.move_cursor(row=min(max(keep, 0), len(c.themes) - 1), animate=False)

    @staticmethod
    def _styled(text: Text, style: str) -> Text:
        text.stylize(style)
        return text

    def view_state(self) -> dict:
        view = super().view_state()
        m = self._current_metric()
        if m is not None:
            view["metric"] = m.metric
        return view
