"""A snapshot's own figures, read-only: beside a recomputed study that changed, or on their own.

A pseudonymised snapshot cannot be matched to its study, so it opens here; a snapshot whose study
files changed since it was written opens on the recomputed figures, and this screen (key F) shows
what the snapshot recorded.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from tui.dashboard.widgets.safe_text import safe, safe_block

NO_QCA = "No QCA in this snapshot."


def snapshot_qca_text(figures: dict) -> str:
    """The snapshot's ``[qca]`` as recorded: its outcome, conditions and cut-offs, truth table, solutions
    with their consistency (incl, PRI) and coverage, and necessity, in crosscase qca's text form
    (metrics/qca_text.py); ``NO_QCA`` when it holds none."""
    from metrics.qca_study import result_from_dict
    from metrics.qca_text import text_lines

    qca = figures.get("qca")
    result = result_from_dict(qca) if isinstance(qca, dict) else None
    if result is None:
        return NO_QCA
    return "\n".join(["QCA as recorded in the snapshot", *text_lines(result)])


def snapshot_text(figures: dict) -> str:
    """The snapshot's figures in the headless text form (tui.headless.render), rebuilt from the file."""
    from metrics.summary import from_dict
    from tui.headless.render import render_text

    return render_text(from_dict(figures))


class SnapshotScreen(Screen):
    """Read-only text of a snapshot's figures. ``alone``: no study behind it (q quits).

    Escape has two bindings, one shown at a time (``check_action``): "Back" beside a study, "Quit"
    alone, where it ends the dashboard."""

    DEFAULT_CSS = """
    SnapshotScreen #snapshot-qca {
        width: auto;
        margin-top: 1;
    }
    """
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("escape", "quit_alone", "Quit"),
        Binding("q", "close", "Quit", show=False),
    ]

    def __init__(self, figures: dict, notes: list[str], *, alone: bool) -> None:
        super().__init__()
        self.figures = figures
        self.notes = list(notes)
        self.alone = alone

    def compose(self) -> ComposeResult:
        yield Header(icon="≡")
        heading = "The snapshot's own figures (read-only)"
        if self.alone:
            heading += ": its study cannot be opened beside it"
        yield Static(safe(heading, 200), id="snapshot-title")
        if self.notes:
            yield Static(safe_block("\n".join(f"⚠ {n}" for n in self.notes), limit=20_000), id="snapshot-notes")
        with VerticalScroll(id="snapshot-body"):
            yield Static(safe_block(snapshot_text(self.figures), limit=2_000_000), id="snapshot-text")
            yield Static(safe_block(snapshot_qca_text(self.figures), limit=2_000_000), id="snapshot-qca")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = "snapshot"
        self.query_one("#snapshot-body").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return not self.alone
        if action == "quit_alone":
            return self.alone
        return True

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_quit_alone(self) -> None:
        self.app.exit(return_code=0)

    def action_close(self) -> None:
        if self.alone:
            self.action_quit_alone()
        else:
            self.action_back()
