"""Sensitivity and Configurations: the engine's split-sensitivity table and truth table."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from metrics.numbers import plain
from tui.dashboard.screens.base import DashboardScreen
from tui.dashboard.widgets.safe_text import join, safe

VERDICT = {
    "robust": ("✔ robust", "better"),
    "unstable": ("✘ unstable", "worse"),
    "no contrast": ("· no contrast", ""),
    "no verdict": ("? no verdict", ""),
    "undetermined": ("? undetermined", ""),
}


def _ratio(value: float | None) -> str:
    return plain(value, 2)  # as the configuration table's text prints it


class TwoTablesScreen(DashboardScreen):
    """A head line over two tables, each half the screen (``PARTS``: the ids of the three)."""

    PARTS = ("", "", "")

    def compose_body(self) -> ComposeResult:
        head, first, second = self.PARTS
        yield Static("", id=head, classes="table-head")
        yield DataTable(id=first, cursor_type="row", classes="half")
        yield DataTable(id=second, cursor_type="row", classes="half")

    def cleared(self) -> tuple[Static, DataTable, DataTable]:
        """The head and the two tables, the tables emptied of their rows and columns."""
        head, first, second = self.PARTS
        tables = self.query_one(f"#{first}", DataTable), self.query_one(f"#{second}", DataTable)
        for table in tables:
            table.clear(columns=True)
        return self.query_one(f"#{head}", Static), *tables


class SensitivityScreen(TwoTablesScreen):
    SCREEN_NAME = "Sensitivity"
    AUTO_FOCUS = "#cuts-table"
    PARTS = ("sensitivity-head", "cuts-table", "robust-table")

    def show(self, comparison) -> None:
        sens = comparison.sensitivity
        key = (self.app.theme, self.size.width >= 110)
        drawn = getattr(self, "_drawn", None)  # the table itself, not its id(): ids are reused
        if sens is not None and drawn is not None and drawn[0] is sens and drawn[1] == key:
            return
        self._drawn = (sens, key)
        head, cuts, robust = self.cleared()
        if sens is None:
            head.update(Text("The split-sensitivity table is being computed…", style="dim italic"))
            return
        counted = sum(c.qualifies for c in sens.cuts)
        head.update(
            safe(
                f"Every cut of {sens.outcome}: which sites join the low group as the cut rises "
                f"({len(sens.cuts)}{f' of {sens.total_cuts}' if sens.capped else ''} cuts, {counted} with at least 2 sites per group; * = not counted). "
                "A contrast is robust when it keeps its direction at every counted cut "
                "(H > L: the high group higher).",
                400,
            )
        )
        wide = self.size.width >= 110
        for name, width in (("", 1), ("Cut", 9), ("High", 5), ("Low", 5), ("Sites joining low", 80 if wide else 48)):
            cuts.add_column(name, key=name or "mark", width=width)
        labels = comparison.labels
        for i, c in enumerate(sens.cuts):
            moved = ", ".join(f"{s} {labels.get(s, s)}" if labels.get(s, s) != s else s for s in c.moved)
            cuts.add_row(
                Text(" " if c.qualifies else "*"),
                Text(c.shown),
                Text(str(c.n_high)),
                Text(str(c.n_low)),
                safe(moved, 80 if wide else 48),
                key=str(i),
            )
        styles = self.styles_map
        rows = [
            (kind, r, seen_text(r.seen, kind))
            for kind, rows in (("metric", sens.metrics), ("theme", sens.themes))
            for r in rows
        ]
        label_w, seen_w = robust_widths(self.size.width, [seen for _, _, seen in rows])
        for name, width in (("Verdict", 14), ("Kind", 6), ("Metric or theme", label_w), ("Seen at the cuts", seen_w)):
            robust.add_column(name, key=name, width=width)
        for kind, r, seen in rows:
            text, style = VERDICT[r.verdict]
            robust.add_row(
                Text(text, style=styles.get(style, "")),
                Text(kind),
                safe(r.label, label_w),
                safe(seen, seen_w),
                key=f"{kind}:{r.key}",
            )


SIGNS = {"+": "H > L", "-": "H < L", "0": "H = L", "none": "no value"}


def seen_text(seen, kind: str) -> str:
    """What a row saw at the counted cuts, in words: "H > L" for a metric whose high group was
    higher (the engine's "+"), "weak rev" for a theme labelled weak with the groups reversed."""
    if kind == "metric":
        words = [SIGNS.get(s, s) for s in seen]
    else:
        words = [s.replace(" reversed", " rev") for s in seen]
    return ", ".join(words) or "-"


def robust_widths(screen_width: int, seen: list[str]) -> tuple[int, int]:
    """The widths of the robustness table's two text columns: "Seen" gets what its longest entry
    needs (up to 40), the label the rest (at least 20). At 80 columns the verdict (14) and the
    kind (6) take 20 cells, the cell padding 8 and the scrollbar 2, which leaves 50."""
    room = screen_width - 14 - 6 - 2 * 4 - 2 - 1
    seen_w = min(max([len("Seen at the cuts"), *(len(s) for s in seen)]), 40)
    label_w = max(room - seen_w, 20)
    if label_w > 50:
        label_w = 50
    return label_w, max(min(seen_w, room - label_w), 8)


class ConfigurationsScreen(TwoTablesScreen):
    SCREEN_NAME = "Configurations"
    AUTO_FOCUS = "#truth-table"
    PARTS = ("configurations-head", "truth-table", "singles-table")

    def show(self, comparison) -> None:
        conf = comparison.configurations
        head, truth, singles = self.cleared()
        if conf is None:
            head.update(Text("The configuration table is being computed…", style="dim italic"))
            return
        if not conf.conditions:
            head.update(Text("No configuration table: the study defines no [[condition]] in study.toml.", style="dim"))
            return
        legend = [join(f"C{i + 1} = ", safe(name, 60)) for i, name in enumerate(conf.conditions)]
        note = f"Outcome: membership of the high group ({conf.with_outcome} sites); 1 = the condition holds."
        note += " Q: the QCA screen (calibrated conditions, solutions, necessity)."
        if conf.excluded:
            note += f" Left out (missing values): {', '.join(conf.excluded)}."
        head.update(join(*[join(x, "   ") for x in legend], "\n", safe(note, 300)))
        wide = self.size.width >= 110
        for i in range(len(conf.conditions)):
            truth.add_column(f"C{i + 1}", key=f"C{i + 1}", width=3)
        for name, width in (("Consistency", 11), ("Coverage", 8), ("Sites (* in the high group)", 60 if wide else 36)):
            truth.add_column(name, key=name, width=width)
        for i, r in enumerate(conf.rows):
            names = ", ".join(s + ("*" if s in r.outcome_set else "") for s in r.sites)
            truth.add_row(
                *[Text(str(v), style="bold" if v else "dim") for v in r.values],
                Text(_ratio(r.consistency)),
                Text(_ratio(r.coverage)),
                safe(names, 60),
                key=str(i),
            )
        for name, width in (
            ("Condition alone", 40 if wide else 30),
            ("Sites", 6),
            ("Consistency", 11),
            ("Coverage", 8),
        ):
            singles.add_column(name, key=name, width=width)
        for s in conf.singles:
            singles.add_row(
                safe(s.name, 40),
                Text(str(s.members)),
                Text(_ratio(s.consistency)),
                Text(_ratio(s.coverage)),
                key=s.name,
            )
