"""Export: where to write the TOML snapshot, and whether to include the evidence excerpts."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, Static

from cases.escape import clean
from tui.dashboard.dialogs.base import Dialog


@dataclass(frozen=True)
class ExportRequest:
    path: Path
    include_evidence: bool
    note: str | None


class TextCheckbox(Checkbox):
    """A checkbox whose state reads in plain text too: ``▐X▌`` when ticked, ``▐ ▌`` when not.

    Textual's draws the X in both states and tells them apart by colour only, so without colour
    (NO_COLOR, a monochrome terminal, a screen reader, a copied screen) it always read as ticked.
    """

    @property
    def _button(self):
        from textual.content import Content

        button = super()._button
        if self.value:
            return button
        left, _inner, right = button.divide([1, 1 + len(self.BUTTON_INNER)])
        return Content.assemble(left, (" " * len(self.BUTTON_INNER), self.get_visual_style("toggle--button")), right)


class ExportDialog(Dialog[ExportRequest | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, default_path: str) -> None:
        super().__init__()
        self.default_path = default_path

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box", classes="dialog"):
            yield Static(
                "Export the current comparison and view as a TOML snapshot", classes="dialog-title", markup=False
            )
            yield Label("File")
            # an Input draws its value as is: an escape sequence in a folder name would reach the terminal
            yield Input(clean(self.default_path), id="export-path", compact=True)
            yield Label("Note (optional)")
            yield Input("", id="export-note", compact=True, placeholder="e.g. steering group, month 6")
            yield TextCheckbox(
                "Include evidence excerpts (only if they may leave this machine)",
                value=False,
                id="export-evidence",
                compact=True,
            )
            yield Static("", id="export-problem", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Write", id="export-write", variant="primary")
                yield Button("Cancel", id="export-cancel")

    def on_mount(self) -> None:
        self.query_one("#export-path").focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._write()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "export-write":
            self._write()
        else:
            self.dismiss(None)

    def _write(self) -> None:
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            self.query_one("#export-problem", Static).update("Give a file name, e.g. snapshot.toml")
            return
        note = self.query_one("#export-note", Input).value.strip() or None
        evidence = self.query_one("#export-evidence", Checkbox).value
        self.dismiss(ExportRequest(Path(text).expanduser(), evidence, note))

    def action_cancel(self) -> None:
        self.dismiss(None)
