"""Consensus (K): the raters' disagreements, settled into the study's ratings.csv.

analysis.md section 2: each (site, theme) where the rater files' tokens differ (metrics.agreement),
with each rater's token and memo, the cell's coded excerpts and the current consensus (ratings.csv).
Choosing the agreed token (the rating keys: 1-5 for -2..+2, X, M Missing, N N/A) asks for the reason,
then writes ratings.csv by the rater files' rules (tui/dashboard/rating.py, cases/rating_write.py:
atomic, every other row kept, audited in audit.csv with the decision and its reason); u undoes the
last decision. Not in rating mode (--rater), which hides the other raters' ratings, nor under
pseudonyms (ratings.csv holds the real site ids).
"""

from __future__ import annotations

import getpass
from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from metrics.agreement import Agreement
from tui.dashboard.dialogs.evidence import excerpts_of
from tui.dashboard.rating import KEYS, ConsensusController, TextDialog
from tui.dashboard.screens.base import DashboardScreen
from tui.dashboard.widgets.rows import RowList, cells
from tui.dashboard.widgets.safe_text import join, safe, safe_block

REASON_HINT = ("Enter: record the decision · Escape: cancel", "the reason (what the team agreed on, and why)")


def who() -> str:
    """Who records a decision in the audit log: the login name."""
    try:
        return getpass.getuser() or "unknown"
    except (OSError, KeyError, ImportError):
        return "unknown"


def open_consensus(app) -> None:
    """The K key: the Consensus screen, or one line saying why not."""
    if app.comparison is None or app.study is None or app.quitting:
        return
    if getattr(app, "rating", None) is not None:
        app.notify(
            "Consensus shows every rater's ratings: open the dashboard without --rater to settle them.",
            markup=False,
            timeout=8,
        )
        return
    if isinstance(app.screen, ConsensusScreen):
        return
    from tui.core.errors import UsageError

    owner = ConsensusController(who())
    try:
        owner.open(app.study, app.options)
    except UsageError as exc:
        app.notify(" ".join(exc.lines).replace("--rater: ", ""), severity="error", markup=False, timeout=10)
        return
    app.push_screen(ConsensusScreen(owner))


class ConsensusScreen(DashboardScreen):
    SCREEN_NAME = "Consensus"
    AUTO_FOCUS = "#consensus-list"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        *(
            Binding(key, f"decide('{token}')", "Agree on…", key_display="1-5 X M N", show=key == "1")
            for key, token in KEYS.items()
        ),
        Binding("u", "undo_decision", "Undo"),
    ]
    DEFAULT_CSS = """
    #consensus-head { height: auto; padding: 0 1; }
    #consensus-list { height: 1fr; min-height: 5; }
    #consensus-detail-box { height: 1fr; border-top: solid $accent; padding: 0 1; }
    """

    def __init__(self, owner: ConsensusController) -> None:
        super().__init__()
        self.owner = owner
        self._units: list[tuple[str, str]] = []
        self._agreement: Agreement | None = None

    def compose_body(self) -> ComposeResult:
        yield Static("", id="consensus-head")
        yield RowList(id="consensus-list")
        with VerticalScroll(id="consensus-detail-box"):
            yield Static("", id="consensus-detail")

    def show(self, comparison) -> None:
        from metrics.agreement import TooFewRaters, study_agreement

        study = self.study
        head = self.query_one("#consensus-head", Static)
        try:
            self._agreement = found = study_agreement(study, study.raters)
        except TooFewRaters:
            self._agreement = None
            head.update(Text("Consensus needs two rater files (ratings/RATER.csv): see docs/raters.md.", style="dim"))
            self.query_one("#consensus-list", RowList).set_rows([])
            return
        settled = sum(d.consensus is not None for d in found.disagreements)
        head.update(
            Text(
                f"{len(found.disagreements)} disagreements between {', '.join(found.raters)} · "
                f"{settled} with a consensus in ratings.csv · ordinal alpha {_fig(found.overall.alpha_ordinal)} · "
                "1-5 (-2..+2), X, M (Missing), N (N/A): the agreed token · u: undo",
                style="dim",
            )
        )
        width = max(self.size.width - 4, 60)
        name_w = max(min(12, max(len(r) for r in found.raters)), 5)
        header = cells(
            ("Theme", 32), ("Site", 10), *((safe(r, name_w), name_w) for r in found.raters), ("Consensus", 10)
        )
        rows: list[tuple[str | None, Text | Callable[[], Text]]] = []
        self._units = []
        for i, d in enumerate(found.disagreements):
            title = study.themes[d.theme].title if d.theme in study.themes else d.theme
            tokens = dict(d.ratings)
            rows.append(
                (
                    str(i),
                    cells(
                        (safe(title, 32), 32),
                        (safe(d.site, 10), 10),
                        *((tokens.get(r, "absent"), name_w) for r in found.raters),
                        (d.consensus or "none", 10),
                    ),
                )
            )
            self._units.append((d.site, d.theme))
        table = self.query_one("#consensus-list", RowList)
        table.set_rows(rows, header=header, width=min(width, header.cell_len))
        self._show_detail()

    def current(self):
        table = self.query_one("#consensus-list", RowList)
        key = table.cursor_key
        if key is None or self._agreement is None or int(key) >= len(self._agreement.disagreements):
            return None
        return self._agreement.disagreements[int(key)]

    def on_row_list_highlighted(self, event) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#consensus-detail", Static)
        d = self.current()
        if d is None:
            detail.update(Text("(no disagreement to settle)", style="dim"))
            return
        study = self.study
        title = study.themes[d.theme].title if d.theme in study.themes else d.theme
        memos = {r: {(x.site, x.theme): x.evidence for x in rows} for r, rows in study.raters.items()}
        parts: list[Text | str] = [safe(d.site, 20, "bold"), " · ", safe(title, 60, "bold")]
        for rater, token in d.ratings:
            memo = memos.get(rater, {}).get((d.site, d.theme))
            parts += ["\n", safe(rater, 20, "bold"), f": {token}  ", safe_block(memo or "(no memo)", style="italic")]
        parts += ["\n", Text(f"consensus (ratings.csv): {d.consensus or 'none yet'}", style="bold"), "\n"]
        found = excerpts_of(study, d.site, d.theme)
        for e in found:
            parts += [
                Text("• "),
                safe_block(e.excerpt),
                Text(" — ", style="dim"),
                safe(e.source or "", 40, "dim"),
                "\n",
            ]
        if not found:
            parts.append(Text("(no coded excerpts for this cell)", style="dim"))
        detail.update(join(*parts))

    def action_decide(self, token: str) -> None:
        d = self.current()
        if d is None:
            return
        cell = (d.site, d.theme)
        title = join("Consensus of ", safe(d.site, 20, "bold"), " · ", safe(d.theme, 40, "bold"), f": {token}")

        def done(reason: str | None) -> None:
            if reason is not None:
                self.owner.decide(self.app, cell, token, reason.strip())

        self.app.push_screen(TextDialog(title, "", REASON_HINT), done)

    def action_undo_decision(self) -> None:
        self.owner.undo(self)

    def view_state(self) -> dict:
        return {"screen": "compare"}


def _fig(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"
