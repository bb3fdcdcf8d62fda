"""Change the distinguishing rule and its parameters (recomputed like a change of split)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from cases.rules import DEFAULTS, Rule, make_rule
from metrics.numbers import short
from tui.dashboard.dialogs.base import Dialog
from tui.dashboard.widgets.safe_text import safe_block
from tui.dashboard.widgets.select import SafeSelect

RULE_HELP = {
    "gap": "strong: gap >= strong_gap and diff >= strong_diff; weak: gap >= weak_gap and diff >= weak_diff "
    "(gap = lowest high rating - highest low rating; diff = difference in means)",
    "means": "strong: diff >= strong_diff; weak: diff >= weak_diff (diff = mean high - mean low)",
    "valence": "strong: every high site positive and every low site negative; "
    "weak: none against the pattern and diff >= weak_diff",
    "share": "weak: share >= min_share and z >= min_z; strong: also diff >= strong_diff (share = part of the "
    "high sites above every low site; z = diff / sqrt(1/n_high + 1/n_low))",
}


class RuleDialog(Dialog[Rule | None]):
    """A Select of the rule names and one Input per parameter of the chosen rule."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    RuleDialog #rule-problems { color: $error; height: auto; }
    RuleDialog #rule-help { height: auto; }
    """

    def __init__(self, rule: Rule) -> None:
        super().__init__()
        self.rule = rule

    def compose(self) -> ComposeResult:
        with Vertical(id="rule-box", classes="dialog"):
            yield Static("Change the distinguishing rule", classes="dialog-title", markup=False)
            yield Label("Rule")
            yield SafeSelect(
                [(name, name) for name in DEFAULTS],
                value=self.rule.name,
                allow_blank=False,
                id="rule-name",
                compact=True,
            )
            yield Static("", id="rule-help", classes="hint", markup=False)
            for name, defaults in DEFAULTS.items():
                for key, default in defaults.items():
                    value = self.rule.params.get(key, default) if name == self.rule.name else default
                    yield Label(f"{key} (default {short(default)})", classes=f"-{name}")
                    yield Input(
                        short(value),
                        id=f"rule-{name}-{key}",
                        placeholder=f"a number, e.g. {short(default)}",
                        compact=True,
                        classes=f"-{name}",
                    )
            yield Static("", id="rule-problems")
            with Horizontal(classes="buttons"):
                yield Button("Apply", id="rule-apply", variant="primary")
                yield Button("Cancel", id="rule-cancel")

    def on_mount(self) -> None:
        self._show_fields(self.rule.name)
        self.query_one("#rule-name").focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "rule-name" and isinstance(event.value, str):
            self._show_fields(event.value)

    def _show_fields(self, name: str) -> None:
        self.query_one("#rule-help", Static).update(RULE_HELP.get(name, ""))
        for other in DEFAULTS:
            for widget in self.query(f".-{other}"):
                widget.display = other == name

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "rule-apply":
            self.apply()
        else:
            self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.apply()

    def chosen(self) -> tuple[Rule | None, list[str]]:
        """The rule the fields describe, or the problems that stop it."""
        name = self.query_one("#rule-name", Select).value
        if not isinstance(name, str) or name not in DEFAULTS:
            return None, ["choose a rule"]
        params, problems = {}, []
        for key in DEFAULTS[name]:
            text = self.query_one(f"#rule-{name}-{key}", Input).value.strip()
            try:
                value = float(text)
            except ValueError:
                problems.append(f'{key}: "{text}" is not a number')
                continue
            if value != value or value in (float("inf"), float("-inf")):
                problems.append(f'{key}: "{text}" is not a finite number')
                continue
            params[key] = value
        if problems:
            return None, problems
        try:
            return make_rule(name, params), []
        except ValueError as exc:
            return None, [str(exc)]

    def apply(self) -> None:
        rule, problems = self.chosen()
        if problems:
            self.query_one("#rule-problems", Static).update(safe_block("\n".join(problems)))
            return
        self.dismiss(rule)

    def action_cancel(self) -> None:
        self.dismiss(None)
