"""Help: every key of every screen (from their BINDINGS), and how to change the split."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from tui.dashboard.dialogs.base import Dialog

INTRO = (
    "crosscase compares the high and the low group of sites. Colours are doubled by text: "
    "H/L/M mark the high, low and middle groups; ▲ the high group is better on a metric, "
    "▼ worse, = equal. p~ is a Monte Carlo p-value; 'pending' fills in when ready. "
    "Ctrl+P opens the command palette (Change split…, themes). Mouse clicks work too."
)


class HelpDialog(Dialog[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "close", "Close")]

    def __init__(self, sections: list[tuple[str, list]]) -> None:
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box", classes="dialog"):
            yield Static("Keys", classes="dialog-title", markup=False)
            with VerticalScroll(id="help-body"):
                yield Static(Text(INTRO), id="help-intro")
                yield Static(self._table(), id="help-keys")
            yield Static("Escape closes this help", classes="hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def key_rows(self) -> list[tuple[str, str, str]]:
        """(section, keys, description) for every binding with a description."""
        rows = []
        for title, bindings in self.sections:
            seen = set()
            for b in bindings:
                b = b if isinstance(b, Binding) else Binding(*b)
                if b.description and (b.key, b.description) not in seen:
                    seen.add((b.key, b.description))
                    keys = [b.key_display or self.app.get_key_display(Binding(k.strip(), "")) for k in b.key.split(",")]
                    if len(keys) > 1:
                        keys = [self.app.get_key_display(Binding(k.strip(), "")) for k in b.key.split(",")]
                    rows.append((title, " / ".join(keys), b.description))
        return rows

    def _table(self) -> Table:
        table = Table(box=None, show_header=False, pad_edge=False)
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("action")
        section = None
        for title, keys, description in self.key_rows():
            if title != section:
                section = title
                table.add_row(Text(""), Text(title, style="bold underline"))
            table.add_row(Text(keys), Text(description))
        return table

    def action_close(self) -> None:
        self.dismiss(None)
