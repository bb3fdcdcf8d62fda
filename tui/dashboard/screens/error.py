"""The error screen: every problem of a study that cannot be opened, as literal text, never a traceback."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from tui.dashboard.screens.base import KeysFooter
from tui.dashboard.widgets.safe_text import safe, safe_block


class ErrorScreen(Screen):
    BINDINGS = [Binding("q", "quit_error", "Quit"), Binding("escape", "quit_error", "Quit", show=False)]

    def __init__(self, title: str, problems: list[str]) -> None:
        super().__init__()
        self.heading = title
        self.problems = list(problems)

    def compose(self) -> ComposeResult:
        yield Header(icon="≡")
        count = len(self.problems)
        yield Static(safe(f"{self.heading} ({count} problem{'s' if count != 1 else ''})", 200), id="error-title")
        with VerticalScroll(id="error-list"):
            yield Static(safe_block("\n".join(self.problems), limit=200_000), id="error-text")
        yield Static(
            "Fix the files listed above (file:row: column: problem), then open the study again. q quits.",
            id="error-hint",
            markup=False,
        )
        yield KeysFooter()

    def on_mount(self) -> None:
        self.sub_title = "cannot open"
        self.query_one("#error-list").focus()

    def action_quit_error(self) -> None:
        self.app.exit(return_code=2)
