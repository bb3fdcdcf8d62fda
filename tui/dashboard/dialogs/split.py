"""Change the outcome metric, the split rule and its threshold (or second metric, or site lists)."""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from cases.escape import clean
from cases.model import SPLIT_RULES, Outcome
from tui.dashboard.dialogs.base import Dialog
from tui.dashboard.widgets.safe_text import safe, safe_block
from tui.dashboard.widgets.select import SafeSelect

RULE_HELP = {
    "median": "above the median: high; below: low; at the median: middle",
    "threshold": "at or above the threshold: high; below: low",
    "tertiles": "highest third: high; lowest third: low; the rest: middle",
    "quadrants": "above both medians: high; below both: low (needs a second metric)",
    "explicit": "the sites you list are high or low; the others: middle",
}


def parse_ids(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in text.split(",") if s.strip())


SHOWN_PROBLEMS = 3  # more would push the buttons off an 80x24 screen


class SplitDialog(Dialog[Outcome | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, study, outcome: Outcome) -> None:
        super().__init__()
        self.study = study
        self.outcome = outcome

    def compose(self) -> ComposeResult:
        o = self.outcome
        metrics = [(safe(f"{m.label} ({k})", 50), k) for k, m in self.study.metrics.items()]
        with Vertical(id="split-box", classes="dialog"):
            yield Static("Change the outcome and the split", classes="dialog-title", markup=False)
            yield Label("Outcome metric")
            yield SafeSelect(metrics, value=o.metric, allow_blank=False, id="split-metric", compact=True)
            yield Label("Split rule")
            yield SafeSelect(
                [(r, r) for r in SPLIT_RULES], value=o.split, allow_blank=False, id="split-rule", compact=True
            )
            yield Static("", id="split-rule-help", markup=False)
            yield Label("Threshold", classes="-threshold")
            yield Input(
                "" if o.threshold is None else f"{o.threshold:g}",
                id="split-threshold",
                placeholder="a number, e.g. 0.6",
                compact=True,
                classes="-threshold",
            )
            yield Label("Second metric", classes="-quadrants")
            yield SafeSelect(
                metrics,
                value=o.second if o.second in self.study.metrics else SafeSelect.NULL,
                id="split-second",
                compact=True,
                classes="-quadrants",
            )
            yield Label("High sites (comma-separated ids)", classes="-explicit")
            yield Input(
                self._ids_text(o.high), id="split-high", compact=True, classes="-explicit", placeholder="e.g. S1,S3"
            )
            yield Label("Low sites (comma-separated ids)", classes="-explicit")
            yield Input(
                self._ids_text(o.low), id="split-low", compact=True, classes="-explicit", placeholder="e.g. S6,S7"
            )
            yield Static("", id="split-problems")
            with Horizontal(classes="buttons"):
                yield Button("Apply", id="split-apply", variant="primary")
                yield Button("Cancel", id="split-cancel")

    @staticmethod
    def _ids_text(ids) -> str:
        # an Input draws its value as is: an escape sequence in an id would reach the terminal
        return ",".join(clean(i) for i in ids)

    def _ids(self, text: str) -> tuple[str, ...]:
        """The ids typed or shown in a field, each back to the study's own spelling."""
        real = {clean(site.id): site.id for site in self.study.sites}
        return tuple(real.get(i, i) for i in parse_ids(text))

    def on_mount(self) -> None:
        self._show_fields(self.outcome.split)
        self.query_one("#split-rule").focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "split-rule" and isinstance(event.value, str):
            self._show_fields(event.value)

    def _show_fields(self, rule: str) -> None:
        self.query_one("#split-rule-help", Static).update(RULE_HELP.get(rule, ""))
        for name in ("threshold", "quadrants", "explicit"):
            for widget in self.query(f".-{name}"):
                widget.display = rule == name

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "split-apply":
            self.apply()
        else:
            self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.apply()

    def chosen(self) -> tuple[Outcome | None, list[str]]:
        """The outcome the fields describe, or the problems that stop it."""
        from metrics.compare import check_outcome

        rule = self.query_one("#split-rule", Select).value
        metric = self.query_one("#split-metric", Select).value
        second = self.query_one("#split-second", Select).value
        text = self.query_one("#split-threshold", Input).value.strip()
        if not isinstance(rule, str) or not isinstance(metric, str):  # never: neither select allows a blank
            return None, ["choose an outcome metric and a split rule"]
        threshold = self.outcome.threshold
        if rule == "threshold":
            try:
                threshold = float(text) if text else None
            except ValueError:
                return None, [f'the threshold "{text}" is not a number']
        outcome = replace(
            self.outcome,
            metric=metric,
            split=rule,
            threshold=threshold,
            second=second if isinstance(second, str) else None,
            high=self._ids(self.query_one("#split-high", Input).value),
            low=self._ids(self.query_one("#split-low", Input).value),
        )
        problems = check_outcome(self.study, outcome)
        return (None, problems) if problems else (outcome, [])

    def apply(self) -> None:
        outcome, problems = self.chosen()
        if problems:
            shown = problems[:SHOWN_PROBLEMS]
            if len(problems) > SHOWN_PROBLEMS:
                shown.append(f"… and {len(problems) - SHOWN_PROBLEMS} more")
            self.query_one("#split-problems", Static).update(safe_block("\n".join(shown)))
            return
        self.dismiss(outcome)

    def action_cancel(self) -> None:
        self.dismiss(None)
