"""Compare: the opening view. High group left, low group right, every metric and theme below."""

from __future__ import annotations

import functools
from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Static

from cases.escape import clean
from metrics.literature import SYMBOLS
from tui.dashboard.screens.base import DashboardScreen, OpenSite, ShowTheme, digits_for, fmt_value, shown_value
from tui.dashboard.screens.literature import link_marker
from tui.dashboard.widgets.charts import bar, bar_scale, baseline_note, strip
from tui.dashboard.widgets.palette import GROUP_MARK
from tui.dashboard.widgets.rows import RowList, cells
from tui.dashboard.widgets.rule_text import rule_line
from tui.dashboard.widgets.safe_text import join, safe
from tui.headless.render import fmt, fmt_p, symbol

PANEL_LIMIT = 60
ORDER = {"strong": 0, "weak": 1, "none": 2, "insufficient": 3}


def _links_by_theme(c) -> dict[str, list]:
    """theme id -> its [[link]] results, in study.toml order."""
    out: dict[str, list] = {}
    for link in c.links or ():
        out.setdefault(link.theme, []).append(link)
    return out


def theme_order(t) -> tuple:
    return (ORDER.get(t.distinguishing, 9), t.direction == "reversed")


def flexible(screen_width: int, widths: list[int], least: int, most: int, gap: int = 2) -> int:
    """The width left for the one flexible column (width 0 in ``widths``), between least and most.

    Two cells are kept for a vertical scrollbar, so that a row fits without scrolling sideways.
    """
    taken = sum(widths) + gap * (len(widths) - 1) + 2
    return max(least, min(most, screen_width - taken))


def figure_width(values, digits: int, least: int = 5) -> int:
    """The cells a column of these values needs at ``digits`` decimals (at least ``least``)."""
    least = max(least, 5)
    nums = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    texts = [fmt_value(x, digits) for x in (min(nums), max(nums))] if nums else []
    texts += [v for v in values if isinstance(v, str)]  # suppressed counts ("<10")
    return max([least, *(len(t) for t in texts)])


def tokens(order, theme_tokens: dict[str, str], width: int, sep: str = ", ") -> Text:
    """A group's ratings of one theme, each with its site ("S1 +2, S3 +1, S5 0"), in ``order``.

    ``order`` is the group's (site, outcome value) pairs in the panel's order; sites without a
    rating of the theme are left out. Only as many as fit in ``width`` are looked at. ``sep`` is
    ", " on a wide screen and a space on a narrow one (three sites fit in 18 cells).
    """
    shown, used = [], 0
    for site, _ in order:
        token = theme_tokens.get(site)
        if token is None:
            continue
        item = f"{site} {token}"
        shown.append(item)
        used += len(item) + len(sep)
        if used > width:
            break
    return safe(sep.join(shown) or "-", width)


class CompareScreen(DashboardScreen):
    SCREEN_NAME = "Compare"
    AUTO_FOCUS = "#metrics-table"
    BINDINGS = [
        Binding("m", "focus('metrics-table')", "Metrics", show=False),
        Binding("h", "focus('themes-table')", "Theme list", show=False),
        Binding("[", "focus('high-sites')", "High sites", show=False),
        Binding("]", "focus('low-sites')", "Low sites", show=False),
    ]

    # The four lists are RowLists (tui/dashboard/widgets/rows.py), not DataTable and OptionList: they are
    # refilled on every change of split, and at 2,000 sites re-measuring every cell and option
    # was most of the time a change took (docs/performance.md).
    def compose_body(self) -> ComposeResult:
        with Horizontal(id="groups"):
            yield RowList(id="high-sites", classes="group-panel -high")
            yield RowList(id="low-sites", classes="group-panel -low")
        yield Static("", id="middle-sites", markup=False)
        yield RowList(id="metrics-table", classes="table")
        yield Static("", id="rule-line", markup=False)  # the distinguishing rule in force
        yield RowList(id="themes-table", classes="table")

    async def action_focus(self, widget_id: str) -> None:  # async, as Screen.action_focus that it replaces
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
        table = self.query_one("#metrics-table", RowList)
        c = self.comparison
        if c is None or not c.metrics:
            return None
        row = min(max(table.cursor or 0, 0), len(c.metrics) - 1)
        return c.metrics[row]

    def _fill_metrics(self, c) -> None:
        table = self.query_one("#metrics-table", RowList)
        strip_w = 24 if self.wide else 15
        columns: list[tuple[str, int] | tuple[str, int, str]] = [("", 1), ("Metric", 0), ("Sites (H L M)", strip_w)]
        if self.wide:
            columns += [("High", 7, "right"), ("Low", 7, "right")]
        columns += [("Diff", 7, "right"), ("g", 5, "right"), ("δ", 5, "right"), ("p", 7, "right")]
        label_w = flexible(self.size.width, [c[1] for c in columns], 16, 40)
        columns[1] = ("Metric", label_w)
        head = cells(*columns, gap=2)
        styles = self.styles_map
        rows = []
        middle = c.split.middle
        for m in c.metrics:
            sym = symbol(m)
            sym_style = styles["better"] if sym == "▲" else styles["worse"] if sym == "▼" else ""
            points = [(v, "high") for _, v in m.high.values] + [(v, "low") for _, v in m.low.values]
            points += [(v, "middle") for v in self._values(c, middle, m.metric)]
            row = [Text(sym, style=sym_style), safe(m.label, label_w), strip(points, strip_w, styles)]
            if self.wide:
                row += [Text(fmt(m.high.mean)), Text(fmt(m.low.mean))]
            row += [
                Text(fmt(m.mean_difference)),
                Text(fmt(m.hedges_g, 2)),
                Text(fmt(m.cliffs_delta, 2)),
                Text(fmt_p(m), style="dim italic" if m.permutation is None else ""),
            ]
            rows.append((m.metric, cells(*((value, *column[1:]) for value, column in zip(row, columns)), gap=2)))
        table.set_rows(rows, header=head)

    def _value(self, c, site: str, metric: str):
        return self._values(c, (site,), metric)[0]

    def _values(self, c, sites, metric: str) -> list[float | str | None]:
        """The values of ``sites`` for ``metric`` as they may be shown (disclosure applied)."""
        column = self.study.column(metric)
        return [shown_value(self.study, metric, column.get(s), c.disclosure) for s in sites]

    def on_row_list_highlighted(self, event: RowList.Highlighted) -> None:
        if event.row_list.id == "metrics-table" and self.comparison is not None:
            self._fill_groups(self.comparison, self._current_metric())

    def on_row_list_selected(self, event: RowList.Selected) -> None:
        if event.row_list.id == "themes-table":
            self.post_message(ShowTheme(event.key))
        elif event.row_list.id in ("high-sites", "low-sites"):
            self.post_message(OpenSite(event.key))

    # -- groups --------------------------------------------------------------------------------
    def _order(self, c) -> dict[str, list[tuple[str, float | str | None]]]:
        """Each group's sites with their outcome value as shown, highest outcome first.

        The panels list their sites in this order and the theme table gives each group's ratings
        in the same order, so a rating reads against the panel's row of its site. Computed once per
        comparison (a change of the highlighted metric keeps it). Suppressed counts ("<10") come
        after the numbers, missing values last; ties keep the sites file's order.
        """
        found = getattr(self, "_order_of", None)
        if found is not None and found[0] is c:
            return found[1]
        outcome = c.split.outcome

        def rank(sv):
            v = sv[1]
            if isinstance(v, int | float) and not isinstance(v, bool):
                return (0, -float(v))
            return (1, 0.0) if v is not None else (2, 0.0)

        order = {}
        for group in ("high", "low", "middle"):
            sites = getattr(c.split, group)
            order[group] = sorted(zip(sites, self._values(c, sites, outcome)), key=rank)
        self._order_of = (c, order)
        return order

    def _fill_groups(self, c, m) -> None:
        key = (m.metric if m else None, self.app.theme, self.size.width)
        drawn = getattr(self, "_panel_key", None)
        if drawn is not None and drawn[0] is c and drawn[1] == key:
            return
        self._panel_key = (c, key)
        styles = self.styles_map
        order = self._order(c)
        every = []
        if m is not None:
            every = [v for _, v in (*m.high.values, *m.low.values)]
            every += self._values(c, c.split.middle, m.metric)
        lo, hi = bar_scale(every)  # from zero, so that a bar's length is its value
        digits = digits_for(self.study, m.metric) if m is not None else 2
        note = baseline_note(lo, digits)
        title_w = max(self.size.width // 2 - 6, 20)
        for group, figures in (("high", m.high if m else None), ("low", m.low if m else None)):
            panel = self.query_one(f"#{group}-sites", RowList)
            values = dict(figures.values) if figures else {}
            rows = [(site, shown, values.get(site)) for site, shown in order[group]]
            self._fill_panel(panel, c, m, group, rows, lo, hi, styles[group], digits)
            head = f"{GROUP_MARK[group]} {group.capitalize()} ({len(rows)})"
            if m is None:
                panel.border_title = Text(head)
            else:
                mean = "withheld" if m.suppressed or figures is None else fmt(figures.mean, max(digits, 2))
                tail = f": mean {mean}"
                room = max(title_w - len(head) - 3 - len(tail), 8)
                panel.border_title = join(f"{head} · ", safe(m.label, room), tail)
            panel.border_subtitle = safe(
                " · ".join(x for x in (note, self._outcome_range(c, group, order)) if x), title_w
            )
        self._fill_middle(c, m)

    def _outcome_range(self, c, group: str, order) -> str:
        """The group's outcome values and the cut that made it: "engagement 0.65–0.83 · cut 0.611"."""
        outcome = c.split.outcome
        digits = digits_for(self.study, outcome)
        nums = [v for _, v in order[group] if isinstance(v, int | float) and not isinstance(v, bool)]
        text = outcome
        if nums:
            lo, hi = fmt_value(min(nums), digits), fmt_value(max(nums), digits)
            text += f" {lo}" if lo == hi else f" {lo}–{hi}"
        cut = c.split.cut
        if isinstance(cut, tuple):
            cut = (cut[1] if group == "high" else cut[0]) if c.split.rule == "tertiles" else cut[0]
        if isinstance(cut, int | float) and not isinstance(cut, bool):
            text += f" · cut {fmt(float(cut))}"
        return text

    def _fill_panel(self, panel: RowList, c, m, group: str, rows, lo, hi, style: str, digits: int) -> None:
        """One group's sites: the site, its outcome value, and the highlighted metric's bar and value."""
        inner = max(self.size.width // 2 - 5, 30)
        bar_w = 10 if inner >= 50 else 5
        out_digits = digits_for(self.study, c.split.outcome)
        out_w = figure_width([ov for _, ov, _ in rows], out_digits, least=min(len(c.split.outcome), 6))
        val_w = figure_width([v for _, _, v in rows], digits)
        name_w = max(inner - bar_w - out_w - val_w - 3, 8)

        def row(site, outcome_value, value) -> Text:
            num = value if isinstance(value, float) else None
            return cells(
                (Text(GROUP_MARK[group], style=style), 1),
                (safe(f"{site} {c.labels.get(site, site)}", name_w), name_w),
                (fmt_value(outcome_value, out_digits), out_w, "right"),
                (Text(bar(num, lo, hi, bar_w), style=style), bar_w),
                (fmt_value(value, digits), val_w, "right"),
            )

        header = cells(
            ("", 1),
            ("Site", name_w),
            (safe(c.split.outcome, out_w), out_w, "right"),
            (safe(m.label if m is not None else "", bar_w + 1 + val_w), bar_w + 1 + val_w, "right"),
        )
        # rows are made when first shown: a panel shows about 7 of its 60
        shown: list = [(site, functools.partial(row, site, ov, v)) for site, ov, v in rows[:PANEL_LIMIT]]
        if len(rows) > PANEL_LIMIT:
            shown.append((None, Text(f"… and {len(rows) - PANEL_LIMIT} more (see Sites)", style="dim")))
        if not shown:
            shown.append((None, Text("(no sites)", style="dim")))
        made_later = 1 + name_w + out_w + bar_w + val_w + 4
        panel.set_rows(
            shown, header=header, width=max([made_later, *(t.cell_len for _, t in shown if isinstance(t, Text))])
        )

    def _fill_middle(self, c, m) -> None:
        parts: list[Text | str] = []
        order = self._order(c)
        out_digits = digits_for(self.study, c.split.outcome)
        for group in ("middle", "missing"):
            sites = getattr(c.split, group)
            if not sites:
                continue
            named = ""
            if group == "middle":
                named = f" [{clean(c.split.outcome)}" + (f" · {clean(m.label)}" if m is not None else "") + "]"
            parts.append(
                Text(f"{GROUP_MARK[group]} {group.capitalize()} ({len(sites)}){named}: ", style=self.styles_map[group])
            )
            shown = []
            listed = order[group] if group == "middle" else [(s, None) for s in sites]
            for s, outcome_value in listed[:12]:
                value = ""
                if group == "middle":
                    value = f" {fmt_value(outcome_value, out_digits)}"
                    if m is not None:
                        value += f" · {fmt_value(self._value(c, s, m.metric), digits_for(self.study, m.metric))}"
                shown.append(f"{s} {c.labels.get(s, s)}{value}")
            more = f", … {len(sites) - 12} more" if len(sites) > 12 else ""
            parts += [safe(", ".join(shown) + more, max(self.size.width - 24, 20)), "   "]
        if not parts:
            parts = [Text("No middle or missing sites: every site is in the high or the low group.", style="dim")]
        self.query_one("#middle-sites", Static).update(join(*parts))

    # -- themes --------------------------------------------------------------------------------
    def _fill_themes(self, c) -> None:
        self.query_one("#rule-line", Static).update(safe(rule_line(c.rule), max(self.size.width - 1, 20), "dim"))
        table = self.query_one("#themes-table", RowList)
        wide = self.wide
        group_w, middle_w = (24, 16) if wide else (18, 8)
        title_w = flexible(self.size.width, [10, 0, group_w, group_w, middle_w], 16, 48)
        widths = (10, title_w, group_w, group_w, middle_w)
        head = cells(*zip(("Dist.", "Theme", "H high", "L low", "M middle"), widths), gap=2)
        styles = self.styles_map
        order = self._order(c)
        rating_tokens = self.study.rating_tokens
        sep = ", " if wide else " "

        linked = _links_by_theme(c)

        def row(t) -> Text:
            flag = t.distinguishing + (" rev" if t.direction == "reversed" else "")
            style = "bold" if t.distinguishing == "strong" else "" if t.distinguishing == "weak" else "dim"
            mine = rating_tokens.get(t.theme, {})
            # a [[link]]ed theme: ⇄ and each link's fit symbol before the title (the metric below, when wide)
            mark = (
                "⇄" + "".join(SYMBOLS.get(link.fit, "?") for link in linked.get(t.theme, ())) + " "
                if t.theme in linked
                else ""
            )
            return cells(
                *zip(
                    (
                        Text(flag, style=style),
                        join(mark, safe(t.title, title_w - len(mark))),
                        self._styled(tokens(order["high"], mine, group_w, sep), styles["high"]),
                        self._styled(tokens(order["low"], mine, group_w, sep), styles["low"]),
                        self._styled(tokens(order["middle"], mine, middle_w, sep), styles["middle"]),
                    ),
                    widths,
                ),
                gap=2,
            )

        rows: list[tuple[str | None, Text | Callable[[], Text]]] = []
        for t in sorted(c.themes, key=theme_order):
            rows.append((t.theme, functools.partial(row, t)))
            if wide:  # each link's metric effect and fit, under its theme (the cursor passes over it)
                rows += [(None, _link_line(link, widths[0] + 2)) for link in linked.get(t.theme, ())]
        table.set_rows(rows, header=head, width=head.cell_len)

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


def _link_line(link, indent: int) -> Text:
    """A [[link]]'s fit and metric effect, on the line under its theme."""
    return Text(
        " " * indent
        + f"{link_marker(link)} {link.fit}"
        + (
            f" · {link.label or link.metric} high minus low {link.mean_difference:+.3g}"
            if link.mean_difference is not None
            else ""
        ),
        style="dim",
        end="",
    )
