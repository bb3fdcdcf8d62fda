"""Export: a TOML snapshot (where, a note, whether to include the evidence excerpts), the paper's
table (``crosscase table``'s: Markdown, CSV, LaTeX or xlsx; never with evidence), or a REFI-QDA
project for the QDA tools (``crosscase export --format qdpx``'s; evidence only when ticked)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from cases.escape import clean
from tui.dashboard.dialogs.base import Dialog
from tui.dashboard.widgets.select import SafeSelect

SNAPSHOT = "snapshot"
PROJECT = "qdpx"
KINDS = [
    ("TOML snapshot: the comparison and this view", SNAPSHOT),
    ("Table for the paper: Markdown", "markdown"),
    ("Table for the paper: CSV", "csv"),
    ("Table for the paper: LaTeX (booktabs)", "latex"),
    ("Table for the paper: Excel workbook (xlsx)", "xlsx"),
    ("REFI-QDA project (.qdpx) for NVivo, MAXQDA, ATLAS.ti, QualCoder", PROJECT),
]
SUFFIX = {SNAPSHOT: ".toml", "markdown": ".md", "csv": ".csv", "latex": ".tex", "xlsx": ".xlsx", PROJECT: ".qdpx"}
STEM = {SNAPSHOT: "-snapshot", PROJECT: "-project"}  # the offered name's ending; a table's is "-table"
TABLE_NOTE = (
    "The table as `crosscase table` writes it: ratings and marks, a legend naming the rule and the split; "
    "never evidence; pseudonyms when they are on."
)
PROJECT_NOTE = (
    "The sites as cases with their variables, the themes as codes, the ratings as variables; "
    "not with pseudonyms. The comparison itself stays here."
)


@dataclass(frozen=True)
class ExportRequest:
    path: Path
    include_evidence: bool
    note: str | None
    table: str | None = None  # a table format (markdown, csv, latex, xlsx); None: a snapshot
    project: bool = False  # a REFI-QDA project (.qdpx) rather than a snapshot


def path_for(path: str, kind: str) -> str:
    """The path with the suffix of ``kind`` when it has one of the known suffixes (the user's own
    stays), and the offered ``-snapshot`` name as ``-table`` for a table, ``-project`` for a
    project (and back)."""
    p = Path(path)
    if not path or p.suffix.lower() not in SUFFIX.values():
        return path
    stem = p.stem
    for ending in ("-snapshot", "-table", "-project"):
        if stem.endswith(ending):
            stem = stem[: -len(ending)] + STEM.get(kind, "-table")
            break
    return str(p.with_name(stem + SUFFIX[kind]))


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
        self.kind = SNAPSHOT

    def compose(self) -> ComposeResult:
        with Vertical(id="export-box", classes="dialog"):
            yield Static("Export the current comparison", classes="dialog-title", markup=False)
            yield SafeSelect(KINDS, id="export-kind", value=SNAPSHOT, allow_blank=False, compact=True)
            yield Label("File")
            # an Input draws its value as is: an escape sequence in a folder name would reach the terminal
            yield Input(clean(self.default_path), id="export-path", compact=True)
            yield Label("Note (optional)", id="export-note-label")
            yield Input("", id="export-note", compact=True, placeholder="e.g. steering group, month 6")
            yield TextCheckbox(
                "Include evidence excerpts (only if they may leave this machine)",
                value=False,
                id="export-evidence",
                compact=True,
            )
            yield Static(TABLE_NOTE, id="export-table-note", classes="hint", markup=False)
            yield Static(PROJECT_NOTE, id="export-project-note", classes="hint", markup=False)
            yield Static("", id="export-problem", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Write", id="export-write", variant="primary")
                yield Button("Cancel", id="export-cancel")

    def on_mount(self) -> None:
        self._show_kind()
        self.query_one("#export-path").focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "export-kind" and event.value in SUFFIX:
            self.set_kind(str(event.value))

    def set_kind(self, kind: str) -> None:
        """A snapshot, a table format or a project: the file's suffix follows; a table has no note
        and no evidence, a project no note."""
        self.kind = kind
        field = self.query_one("#export-path", Input)
        field.value = path_for(field.value, kind)
        select = self.query_one("#export-kind", Select)
        if select.value != kind:
            with select.prevent(Select.Changed):
                select.value = kind
        self._show_kind()

    def _show_kind(self) -> None:
        snapshot, project = self.kind == SNAPSHOT, self.kind == PROJECT
        for selector in ("#export-note-label", "#export-note"):
            self.query_one(selector).display = snapshot
        self.query_one("#export-evidence").display = snapshot or project
        self.query_one("#export-table-note").display = not (snapshot or project)
        self.query_one("#export-project-note").display = project

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
        evidence = self.query_one("#export-evidence", Checkbox).value
        if self.kind == PROJECT:  # a project: no note (it has no place for one)
            self.dismiss(ExportRequest(Path(text).expanduser(), evidence, None, project=True))
            return
        if self.kind != SNAPSHOT:  # the table: never evidence, no note (the legend says what it is)
            self.dismiss(ExportRequest(Path(text).expanduser(), False, None, table=self.kind))
            return
        note = self.query_one("#export-note", Input).value.strip() or None
        self.dismiss(ExportRequest(Path(text).expanduser(), evidence, note))

    def action_cancel(self) -> None:
        self.dismiss(None)
