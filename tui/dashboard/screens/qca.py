"""QCA: the set-theoretic analysis of the study's conditions (analysis.md section 3), next to the sites.

Five sections of one table (keys 1-5): the calibration of each condition and of the outcome, the
truth table, the solutions (conservative, parsimonious, intermediate; every model and term with its
fits), necessity, and the warnings QCA needs (memberships of exactly 0.5, contradictory rows, rows
with fewer than n_cut sites, limited diversity). The lower table lists the sites behind the selected
row: their value, membership and a small bar of it; Enter opens a site with its evidence. The
cut-offs change in place (i/I, n/N, p/P; 0 goes back to study.toml's), and the analysis runs in a
worker. Text from the study is shown literally (safe_text).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from metrics.compare import shown_value
from metrics.qca import Cuts, QcaResult
from tui.dashboard.screens.base import DashboardScreen, OpenSite
from tui.dashboard.widgets.safe_text import join, safe

SECTIONS = ("calibration", "truth", "solutions", "necessity", "warnings")
TITLES = {
    "calibration": "Calibration",
    "truth": "Truth table",
    "solutions": "Solutions",
    "necessity": "Necessity",
    "warnings": "Warnings",
}
SHORT = {"conservative": "cons", "parsimonious": "pars", "intermediate": "int"}
BAR = 10


def _f(v: float | None) -> str:
    return "-" if v is None else f"{v:.3f}"


def bar(value: float | None, width: int = BAR) -> str:
    """A membership as a bar of ``width`` cells: █ filled, ░ the rest; blank when missing."""
    if value is None:
        return ""
    full = round(max(0.0, min(1.0, value)) * width)
    return "█" * full + "░" * (width - full)


@dataclass
class Calibration:
    """One condition (or the outcome): its name in terms, how it calibrates, each site's raw value
    as it may be shown and its membership."""

    name: str
    title: str
    rule: str
    values: dict[str, object] = field(default_factory=dict)
    memberships: dict[str, float | None] = field(default_factory=dict)


@dataclass
class QcaView:
    result: QcaResult | None
    error: str | None
    calibration: list[Calibration]
    cuts: Cuts | None


def compute(study, comparison, cuts) -> QcaView:
    """The data work (in a worker): the QCA with these cut-offs and the calibration tables."""
    from metrics.qca_study import QcaUnavailable, cuts_of, memberships, study_qca
    from metrics.qca_text import condition_rule, outcome_rule

    spec = study.qca
    if spec is None or not spec.conditions:
        return QcaView(None, "The study defines no [[condition]] in study.toml: no QCA.", [], cuts)
    cuts = cuts or cuts_of(spec)
    try:
        result = study_qca(study, comparison.split, comparison.disclosure, cuts)
    except QcaUnavailable as exc:
        return QcaView(None, str(exc), [], cuts)
    except ValueError as exc:
        return QcaView(None, f"QCA is not possible: {exc}", [], cuts)
    m = memberships(study, comparison.split, comparison.disclosure)
    rows = []
    for c in m.conditions:
        cal = Calibration(c.qca_name, c.name, condition_rule(c))
        for s in study.sites:
            cal.values[s.id] = _raw(study, c, s, comparison.disclosure)
            cal.memberships[s.id] = m.values[s.id][c.qca_name]
        rows.append(cal)
    out = Calibration(m.outcome_name, "the outcome", outcome_rule(spec.outcome))
    for s in study.sites:
        if spec.outcome.kind == "high":
            out.values[s.id] = comparison.split.group_of(s.id)
        else:
            out.values[s.id] = shown_value(
                study, spec.outcome.metric, s.values.get(spec.outcome.metric), comparison.disclosure
            )
        out.memberships[s.id] = m.outcome[s.id]
    rows.append(out)
    return QcaView(result, None, rows, cuts)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _raw(study, c, site, disclosure) -> object:
    if c.kind == "attribute":
        return site.attributes.get(c.attribute)
    if c.kind == "rating":
        return study.rating_tokens.get(c.theme, {}).get(site.id)
    return shown_value(study, c.metric, site.values.get(c.metric), disclosure)


class QcaScreen(DashboardScreen):
    SCREEN_NAME = "QCA"
    AUTO_FOCUS = "#qca-table"
    DEFAULT_CSS = """
    QcaScreen #qca-table { height: 1fr; }
    QcaScreen #qca-sites { height: 8; }
    QcaScreen #qca-sites-head { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("1", "section('calibration')", "Calibration", show=False),
        Binding("2", "section('truth')", "Truth table", show=False),
        Binding("3", "section('solutions')", "Solutions", show=False),
        Binding("4", "section('necessity')", "Necessity", show=False),
        Binding("5", "section('warnings')", "Warnings", show=False),
        Binding("i", "cut('incl', 0.05)", "incl_cut +0.05", show=False),
        Binding("I", "cut('incl', -0.05)", "incl_cut -0.05", show=False, key_display="I"),
        Binding("n", "cut('n', 1)", "n_cut +1", show=False),
        Binding("N", "cut('n', -1)", "n_cut -1", show=False, key_display="N"),
        Binding("p", "cut('pri', 0.05)", "pri_cut +0.05", show=False),
        Binding("P", "cut('pri', -0.05)", "pri_cut -0.05", show=False, key_display="P"),
        Binding("0", "reset_cuts", "Cut-offs of study.toml", show=False),
        Binding("tab", "app.focus_next", "Sites below / table", show=False),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.section = "solutions"
        self.cuts: Cuts | None = None  # None: study.toml's
        self.view: QcaView | None = None
        self._computed_for: tuple | None = None
        self._row_sites: dict[str, tuple[str, ...]] = {}

    def compose_body(self) -> ComposeResult:
        yield Static("", id="qca-head", classes="table-head")
        yield DataTable(id="qca-table", cursor_type="row")
        yield Static("", id="qca-sites-head")
        yield DataTable(id="qca-sites", cursor_type="row")

    # -- data --------------------------------------------------------------------------------------
    def show(self, comparison) -> None:
        key = (comparison, self.cuts)
        if self.view is not None and self._computed_for == key:
            self._draw()
            return
        self._computed_for = key
        if self.view is None:
            self.query_one("#qca-head", Static).update(Text("The QCA is being computed…", style="dim italic"))
        self._compute(self.study, comparison, self.cuts, key)

    @work(thread=True, exclusive=True, group="qca")
    def _compute(self, study, comparison, cuts, key) -> None:
        view = compute(study, comparison, cuts)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._computed, view, key)

    def _computed(self, view: QcaView, key) -> None:
        if key != self._computed_for:
            return
        self.view = view
        self._draw()

    # -- keys --------------------------------------------------------------------------------------
    def action_section(self, section: str) -> None:
        self.section = section
        self._draw()

    def action_cut(self, which: str, step: float) -> None:
        if self.view is None or self.view.cuts is None:
            return
        c = self.cuts or self.view.cuts
        if which == "incl":
            c = Cuts(round(min(1.0, max(0.0, c.incl + step)), 4), c.n, c.pri)
        elif which == "pri":
            c = Cuts(c.incl, c.n, round(min(1.0, max(0.0, c.pri + step)), 4))
        else:
            c = Cuts(c.incl, max(1, c.n + int(step)), c.pri)
        self.cuts = c
        if self.comparison is not None:
            self.show(self.comparison)

    def action_reset_cuts(self) -> None:
        self.cuts = None
        if self.comparison is not None:
            self.show(self.comparison)

    # -- drawing -----------------------------------------------------------------------------------
    def _draw(self) -> None:
        view = self.view
        head = self.query_one("#qca-head", Static)
        table = self.query_one("#qca-table", DataTable)
        table.clear(columns=True)
        self._row_sites = {}
        self._clear_sites()
        if view is None:
            return
        if view.result is None:
            head.update(safe(view.error or "No QCA.", 400, "dim"))
            return
        r = view.result
        tabs = []
        for i, s in enumerate(SECTIONS, 1):
            title = TITLES[s] + (f" ({len(r.warnings)})" if s == "warnings" else "")
            tabs.append(Text(f"{i} {title}", style="bold reverse" if s == self.section else ""))
            tabs.append(Text("  "))
        cuts = r.cuts
        changed = " (changed: 0 resets)" if self.cuts is not None else ""
        head.update(
            join(
                safe(
                    f"QCA of {r.outcome} on {_count(len(r.conditions), 'condition')}, {_count(len(r.cases), 'site')}"
                    f"{f', {len(r.left_out)} left out' if r.left_out else ''} · incl_cut {cuts.incl:.2f} (i/I) "
                    f"n_cut {cuts.n} (n/N) pri_cut {cuts.pri:.2f} (p/P){changed}",
                    200,
                ),
                "\n",
                *tabs,
            )
        )
        getattr(self, f"_draw_{self.section}")(table, r)
        if table.row_count:
            table.move_cursor(row=0)
            self._show_sites(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    def _wide(self) -> bool:
        return self.size.width >= 110

    def _draw_calibration(self, table: DataTable, r) -> None:
        assert self.view is not None
        for name, width in (
            ("Name", 8),
            ("Condition", 28 if self._wide() else 20),
            ("Calibration", 60 if self._wide() else 36),
        ):
            table.add_column(name, key=name, width=width)
        for i, cal in enumerate(self.view.calibration):
            table.add_row(safe(cal.name, 8), safe(cal.title, 28), safe(cal.rule, 60), key=f"cal:{i}")

    def _draw_truth(self, table: DataTable, r) -> None:
        for name in r.conditions:
            table.add_column(name[:6], key=f"c:{name}", width=max(1, min(len(name), 6)))
        for name, width in (("OUT", 3), ("n", 4), ("incl", 5), ("PRI", 5), ("Sites", 60 if self._wide() else 24)):
            table.add_column(name, key=name, width=width)
        for i, row in enumerate(r.truth_table):
            key = f"row:{i}"
            self._row_sites[key] = row.cases
            table.add_row(
                *[Text(ch, style="bold" if ch == "1" else "dim") for ch in row.configuration],
                Text(row.out, style="bold" if row.out == "1" else ""),
                Text(str(row.n)),
                Text(_f(row.incl)),
                Text(_f(row.pri)),
                safe(", ".join(row.cases), 60),
                key=key,
            )

    def _draw_solutions(self, table: DataTable, r) -> None:
        wide = self._wide()
        for name, width in (
            ("Solution", 7),
            ("Model / term", 40 if wide else 22),
            ("incl", 5),
            ("PRI", 5),
            ("cov", 5),
            ("covU", 5),
            ("Sites", 40 if wide else 12),
        ):
            table.add_column(name, key=name, width=width)
        for kind in ("conservative", "parsimonious", "intermediate"):
            models = r.solutions.get(kind, ())
            if not models:
                table.add_row(Text(SHORT[kind]), Text("none", style="dim"), *[Text("")] * 5, key=f"{kind}:none")
            for i, m in enumerate(models, 1):
                sites = tuple(dict.fromkeys(s for t in m.terms for s in t.cases))
                self._row_sites[f"{kind}:{i}"] = sites
                table.add_row(
                    Text(f"{SHORT[kind]} M{i}", style="bold"),
                    safe(m.expression, 40, "bold"),
                    Text(_f(m.fit.incl)),
                    Text(_f(m.fit.pri)),
                    Text(_f(m.fit.cov)),
                    Text(""),
                    safe(", ".join(sites), 40),
                    key=f"{kind}:{i}",
                )
                for j, t in enumerate(m.terms):
                    key = f"{kind}:{i}:{j}"
                    self._row_sites[key] = t.cases
                    table.add_row(
                        Text(""),
                        safe("  " + t.term, 40),
                        Text(_f(t.fit.incl)),
                        Text(_f(t.fit.pri)),
                        Text(_f(t.fit.cov)),
                        Text(_f(t.cov_unique)),
                        safe(", ".join(t.cases), 40),
                        key=key,
                    )

    def _draw_necessity(self, table: DataTable, r) -> None:
        for name, width in (("Condition", 20), ("incl", 5), ("cov", 5), ("RoN", 5), ("Reads", 30)):
            table.add_column(name, key=name, width=width)
        for i, n in enumerate(r.necessity):
            reads = "necessary? (incl >= 0.9)" if (n.incl or 0) >= 0.9 - 1e-9 else ""
            table.add_row(
                safe(n.condition, 20), Text(_f(n.incl)), Text(_f(n.cov)), Text(_f(n.ron)), Text(reads), key=f"nec:{i}"
            )

    def _draw_warnings(self, table: DataTable, r) -> None:
        table.add_column("Warning", key="Warning", width=max(self.size.width - 6, 40))
        if not r.warnings and not r.left_out:
            table.add_row(Text("No warning.", style="dim"), key="none")
        for i, w in enumerate(r.warnings):
            table.add_row(safe(w, 300), key=f"warn:{i}")
        for i, x in enumerate(r.left_out):
            self._row_sites[f"left:{i}"] = (x["site"],)
            table.add_row(safe(f"left out: {x['site']}: {x['reason']}", 300), key=f"left:{i}")

    # -- the sites below ---------------------------------------------------------------------------
    def _clear_sites(self) -> None:
        self.query_one("#qca-sites", DataTable).clear(columns=True)
        self.query_one("#qca-sites-head", Static).update("")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "qca-table" and event.row_key is not None:
            self._show_sites(event.row_key.value)

    def _show_sites(self, key: str | None) -> None:
        view = self.view
        sites = self.query_one("#qca-sites", DataTable)
        head = self.query_one("#qca-sites-head", Static)
        sites.clear(columns=True)
        if view is None or view.result is None or key is None:
            return
        r = view.result
        labels = {s.id: s.label for s in self.study.sites} if self.study is not None else {}
        if key.startswith("cal:"):
            cal = view.calibration[int(key[4:])]
            head.update(
                safe(f"{cal.name}: membership against value, sites by value (the bars trace the calibration)", 200)
            )
            for name, width in (("Site", 14), ("Value", 12), ("Membership", 10), ("", BAR)):
                sites.add_column(name or "bar", key=name or "bar", width=width)
            for sid, value in by_value(cal.values):
                m = cal.memberships.get(sid)
                sites.add_row(
                    safe(_site(sid, labels), 14),
                    safe("-" if value is None else (f"{value:g}" if isinstance(value, float) else value), 12),
                    Text(_f(m), style="bold" if m == 0.5 else ""),
                    Text(bar(m)),
                    key=sid,
                )
            return
        if key.startswith("nec:"):
            n = r.necessity[int(key[4:])]
            name = n.condition.lstrip("~")
            head.update(safe(f"{n.condition} against {r.outcome} at every site: X and Y memberships", 200))
            for col, width in (("Site", 14), ("X", 6), ("Y", 6), ("", BAR)):
                sites.add_column(col or "bar", key=col or "bar", width=width)
            for sid, ms in r.cases.items():
                x = ms[name] if not n.condition.startswith("~") else 1.0 - ms[name]
                sites.add_row(safe(_site(sid, labels), 14), Text(_f(x)), Text(_f(ms[r.outcome])), Text(bar(x)), key=sid)
            return
        behind = self._row_sites.get(key, ())
        head.update(
            safe(f"The sites behind this row: {len(behind)} (Enter opens a site)", 200)
            if behind
            else Text("No site behind this row.", style="dim")
        )
        sites.add_column("Site", key="Site", width=20)
        sites.add_column(r.outcome[:10], key="outcome", width=max(6, min(len(r.outcome), 10)))
        sites.add_column("", key="bar", width=BAR)
        for sid in behind:
            y = r.cases.get(sid, {}).get(r.outcome)
            sites.add_row(safe(_site(sid, labels), 20), Text(_f(y)), Text(bar(y)), key=sid)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value if event.row_key is not None else None
        if key is None:
            return
        if event.data_table.id == "qca-sites":
            if self.study is not None and key in {s.id for s in self.study.sites}:
                self.post_message(OpenSite(key))
            return
        behind = self._row_sites.get(key, ())
        if len(behind) == 1:
            self.post_message(OpenSite(behind[0]))
        elif self.query_one("#qca-sites", DataTable).row_count:
            self.query_one("#qca-sites", DataTable).focus()

    def view_state(self) -> dict:
        return {"screen": "qca", "section": self.section}

    def apply_view(self, view: dict) -> None:
        section = view.get("section")
        if section in SECTIONS:
            self.section = section


def by_value(values: dict[str, object]) -> list[tuple[str, object]]:
    """Sites in order of their value (numbers ascending, then text, then missing), so that the
    membership bars beside them draw the calibration curve; ties keep the sites file's order."""

    def key(item: tuple[str, object]) -> tuple:
        v = item[1]
        if isinstance(v, int | float) and not isinstance(v, bool):
            return (0, float(v), "")
        return (1, 0.0, str(v)) if v is not None else (2, 0.0, "")

    return sorted(values.items(), key=key)


def _site(sid: str, labels: dict[str, str]) -> str:
    label = labels.get(sid, sid)
    return sid if label == sid else f"{sid} {label}"
