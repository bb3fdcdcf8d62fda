"""Rating mode (``crosscase STUDY --rater NAME``): the controller the Site and Matrix screens call.

analysis.md section 2 and docs/raters.md. In rating mode the dashboard shows one rater's own ratings
(``ratings/NAME.csv``) in place of the study's: the consensus (ratings.csv) and every other rater's
file are hidden, so that the ratings stay independent; a (site, theme) this rater has not rated yet
is shown as Missing. The keys, on the Site screen (the theme under the ▶ marker, j/k to move it) and
the Matrix screen (the cursor's cell):

    1 2 3 4 5  rate -2 -1 0 +1 +2      X  X (mixed)     M  Missing     N  N/A
    w          write a memo for the cell (the rater file's evidence column)
    u          undo the last change

Each change is written at once (cases.rating_write: atomic, every other row kept, audited in
audit.csv) in a worker thread, one at a time; the figures are then compared again (a worker). A rater
file changed on disk meanwhile is never overwritten: the dashboard offers to reload it.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from types import MappingProxyType
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Static

from cases.errors import Collector
from cases.escape import clean
from cases.model import Rating, Study
from cases.rating_write import Change, ChangedOnDisk, RatingFile, RatingWriteError
from cases.ratings import read_long
from cases.textio import decode, parse_delimited
from tui.dashboard.dialogs.base import Dialog
from tui.dashboard.dialogs.evidence import excerpts_of
from tui.dashboard.widgets.safe_text import join, safe, safe_block

KEYS = {"1": "-2", "2": "-1", "3": "0", "4": "+1", "5": "+2", "X": "X", "M": "Missing", "N": "N/A"}
RATING_ACTIONS = ("rate", "memo", "undo_rating", "rating_theme")
CSS = """
#rating-panel { height: auto; max-height: 35%; padding: 0 1; border-top: solid $accent; }
"""
HELP = "1-5 rate -2..+2 · X mixed · M Missing · N N/A · w memo · u undo"
BINDINGS: list[BindingType] = [
    *(
        Binding(key, f"rate('{token}')", "Rate", key_display="1-5 X M N")
        if key == "1"
        else Binding(key, f"rate('{token}')", f"Rate {token}", show=False)
        for key, token in KEYS.items()
    ),
    Binding("w", "memo", "Memo…"),
    Binding("u", "undo_rating", "Undo"),
]


def rating_themes(study) -> list[str]:
    """The study's own themes (themes.toml) and those rated anywhere in it (ratings.csv or a rater
    file), in the study's theme order: the rows a rater can rate (which themes others rated is not
    hidden, their tokens are)."""
    seen = {t.id for t in study.themes.values() if t.kind == "study"}
    seen.update(r.theme for r in study.ratings)
    for rows in study.raters.values():
        seen.update(r.theme for r in rows)
    return [t for t in study.themes if t in seen]


class RatingController:
    """One rater's session: the rater file, the study as this rater sees it, the writes."""

    def __init__(self, rater: str) -> None:
        self.rater = rater
        self.file: RatingFile | None = None
        self.full: Study | None = None  # the study as loaded (every rater, the consensus): never shown in rating mode
        self.unrated: set[tuple[str, str]] = set()
        self.problems: list[str] = []
        self._lock = threading.Lock()  # one write at a time, in the order the keys came

    # -- the study as this rater sees it (loading thread, then after every change) --------------
    def open(self, study, options=None):
        """The study for rating mode (called in the loading thread); UsageError for a bad rater name,
        a name that differs from a rater file's only in case, or a study shown under pseudonyms."""
        from metrics.compare import resolve
        from metrics.results import Options
        from tui.core.errors import UsageError

        if resolve(study, options or Options())[2].pseudonymise:
            raise UsageError(
                "rating mode writes ratings under the real site ids: this study is shown under pseudonyms "
                "([disclosure] pseudonymise in study.toml)"
            )
        try:
            self.file = self._file_for(study)
        except RatingWriteError as exc:
            raise UsageError(f"--rater: {exc}") from None
        self.full = study
        return self.study()

    def _file_for(self, study) -> RatingFile:
        return RatingFile.for_rater(study.folder, self.rater)

    def own_ratings(self) -> list[Rating]:
        """This rater's ratings as the file now holds them (read by the loader's rules)."""
        assert self.file is not None and self.full is not None
        if self.file.data is None:
            return []
        out = Collector()
        text = decode(self.file.data, self.file.rel, out)
        table = None if text is None else parse_delimited(text, self.file.rel, out, ",")
        sites = {s.id for s in self.full.sites}
        rows = [] if table is None else read_long(table, self.file.rel, sites, dict(self.full.themes), out)
        self.problems = [str(p) for p in out.problems]  # an edit on disk may have made the file invalid
        return rows

    def study(self):
        """The study with this rater's ratings only; every cell not rated yet shown as Missing."""
        full = self.full
        assert full is not None
        own = {(r.site, r.theme): r for r in self.own_ratings()}
        rows, self.unrated = list(own.values()), set()
        for theme in rating_themes(full):
            for site in full.sites:
                if (site.id, theme) not in own:
                    rows.append(Rating(site.id, theme, "Missing"))
                    self.unrated.add((site.id, theme))
        mine = tuple(r for r in rows if (r.site, r.theme) not in self.unrated)
        return replace(full, ratings=tuple(rows), raters=MappingProxyType({self.rater: mine}))

    # -- what the screens call ---------------------------------------------------------------
    def rate(self, screen, cell: tuple[str, str] | None, token: str) -> None:
        if cell is not None:
            self._write(screen.app, lambda f: f.set(cell[0], cell[1], token))
        else:
            screen.app.notify("Put the cursor on a site's cell to rate it.", markup=False)

    def memo(self, screen, cell: tuple[str, str] | None) -> None:
        if cell is None or self.file is None:
            screen.app.notify("Put the cursor on a site's cell to write its memo.", markup=False)
            return
        found = self.file.get(*cell)
        site, theme = cell

        def done(text: str | None) -> None:
            if text is not None:
                self._write(screen.app, lambda f: f.set(site, theme, None, memo=text.strip()))

        title = join("Memo of ", safe(site, 20, "bold"), " · ", safe(theme, 50, "bold"), f" ({self.rater})")
        screen.app.push_screen(TextDialog(title, found[1] if found else "", MEMO_HINT), done)

    def undo(self, screen) -> None:
        self._write(screen.app, lambda f: f.undo() or "nothing")

    def cell_text(self, study, cell: tuple[str, str] | None) -> Text:
        """The panel under the cursor: this rater's token and memo for the cell, and its excerpts."""
        if cell is None or self.file is None:
            return Text(f"Rating as {self.rater}: put the cursor on a site's cell · {HELP}", style="dim")
        site, theme = cell
        found = None if cell in self.unrated else self.file.get(site, theme)
        title = study.themes[theme].title if theme in study.themes else theme
        head = join(
            Text(f"Rating as {self.rater} · ", style="bold"),
            safe(site, 20, "bold"),
            " · ",
            safe(title, 50, "bold"),
            " · ",
            Text(found[0] if found else "not rated yet", style="bold reverse" if found else "dim"),
        )
        parts = [head, Text("\n  memo: ", style="dim"), safe_block(found[1] or "(none)" if found else "(none)")]
        for e in excerpts_of(study, site, theme):
            parts += [Text("\n  • "), safe_block(e.excerpt), Text(" — ", style="dim"), safe(e.source or "", 40, "dim")]
        if not excerpts_of(study, site, theme):
            parts.append(Text("\n  (no coded excerpts for this cell)", style="dim"))
        parts.append(Text(f"\n{HELP}", style="dim"))
        return join(*parts)

    # -- writing -----------------------------------------------------------------------------
    def _write(self, app, step) -> None:
        def run() -> None:
            with self._lock:
                assert self.file is not None
                try:
                    result = step(self.file)
                except ChangedOnDisk as exc:
                    app.call_from_thread(self._changed, app, str(exc))
                    return
                except RatingWriteError as exc:
                    app.call_from_thread(_error, app, str(exc))
                    return
                study = self.study() if isinstance(result, Change) else None
            app.call_from_thread(self._written, app, result, study)

        app.run_worker(run, thread=True, group="rating", description="write a rating", exit_on_error=False)

    def _written(self, app, change, study) -> None:
        if app.quitting:
            return
        if not isinstance(change, Change):
            app.notify("Nothing to undo." if change == "nothing" else "No change.", markup=False)
            return
        what = "undone" if change.action == "undo" else "written"
        tokens = f"{change.from_token or 'not rated'} → {change.to_token or 'not rated'}"
        if change.from_token == change.to_token:
            tokens = "memo " + ("removed" if not change.to_memo else "kept")
            if change.action == "consensus":
                tokens, what = f"{change.to_token} confirmed", "recorded: audit.csv"
        app.notify(
            clean(f"{change.site} · {change.theme}: {tokens} ({what}: {change.rel})"),
            markup=False,
            timeout=4,
        )
        refresh(app, study)

    def _changed(self, app, message: str) -> None:
        from tui.dashboard.dialogs.confirm import ConfirmScreen

        def answer(yes: bool | None) -> None:
            if yes:
                assert self.file is not None
                try:
                    self.file.reload()
                except RatingWriteError as exc:
                    _error(app, str(exc))
                    return
                app.notify(f"{self.file.rel} reloaded; undo starts afresh.", markup=False)
                refresh(app, self.study())
                if self.problems:  # rows with a problem are left out until the file is fixed
                    more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
                    _error(app, self.problems[0] + more)

        app.push_screen(ConfirmScreen(f"{message}. Reload it now?", yes="Reload"), answer)


class ConsensusController(RatingController):
    """The consensus step: writes ratings.csv (the same rules), each decision audited with its reason;
    ``rater`` is who records it (the login name)."""

    def _file_for(self, study) -> RatingFile:
        return RatingFile.consensus(study.folder, self.rater)

    def study(self):
        """The study with ratings.csv as it now is (every rater file kept: the consensus screen lists them)."""
        assert self.full is not None
        return replace(self.full, ratings=tuple(self.own_ratings()))

    def decide(self, app, cell: tuple[str, str], token: str, reason: str) -> None:
        self._write(app, lambda f: f.set(cell[0], cell[1], token, reason=reason))


def _error(app, message: str) -> None:
    app.notify(clean(message, multiline=True), title="Not written", severity="error", markup=False, timeout=15)


def refresh(app, study) -> None:
    """Show ``study`` (the new ratings): the figures are compared again in a worker (the change of
    split's path, with the same outcome and split)."""
    if study is None:
        return
    app.study = study
    app.change_outcome(app.outcome)


def controller(screen) -> RatingController | None:
    return getattr(screen.app, "rating", None)


class RatingKeys(Screen):
    """Mixed into the Site and Matrix screens (before DashboardScreen): the rating keys, live only in
    rating mode. The screen gives ``rating_cell()``: the (site, theme) under its cursor, or None."""

    BINDINGS: ClassVar[list[BindingType]] = BINDINGS
    DEFAULT_CSS = CSS

    def rating_cell(self) -> tuple[str, str] | None:
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in RATING_ACTIONS:
            return controller(self) is not None
        return super().check_action(action, parameters)

    def action_rate(self, token: str) -> None:
        found = controller(self)
        if found is not None:
            found.rate(self, self.rating_cell(), token)

    def action_memo(self) -> None:
        found = controller(self)
        if found is not None:
            found.memo(self, self.rating_cell())

    def action_undo_rating(self) -> None:
        found = controller(self)
        if found is not None:
            found.undo(self)


class SiteRatingKeys(RatingKeys):
    """The Site screen's rating keys: a theme marker (▶) that j and k move, rated with the keys above."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "rating_theme(1)", "Next theme"),
        Binding("k", "rating_theme(-1)", "Previous theme", show=False),
    ]
    site: str

    def rating_order(self, themes: list[str]) -> None:
        """The themes the screen lists, in its order (the marker stays on its theme if it can)."""
        self._rating_order = themes
        if getattr(self, "_rating_theme", None) not in themes:
            self._rating_theme = themes[0] if themes else None

    def rating_mark(self, theme: str) -> Text:
        if controller(self) is None:
            return Text("")
        return Text("▶ " if theme == getattr(self, "_rating_theme", None) else "  ", style="bold")

    def rating_cell(self) -> tuple[str, str] | None:
        theme = getattr(self, "_rating_theme", None)
        return None if theme is None else (self.site, theme)

    def action_rating_theme(self, step: int) -> None:
        order = getattr(self, "_rating_order", [])
        if order:
            at = order.index(self._rating_theme) if self._rating_theme in order else 0
            self._rating_theme = order[(at + step) % len(order)]
            redraw = getattr(self, "_redraw", None)  # DashboardScreen's, after this class in the MRO
            if redraw is not None:
                redraw()


def rating_panel(app) -> ComposeResult:
    """The panel a screen shows under its body in rating mode (nothing otherwise)."""
    if getattr(app, "rating", None) is not None:
        yield Static("", id="rating-panel", classes="rating-panel")


def show_cell(screen, cell: tuple[str, str] | None) -> None:
    """Put the cursor's cell in the rating panel (a screen calls it when its cursor moves)."""
    found = controller(screen)
    if found is None or screen.study is None:
        return
    screen.sub_title = f"{screen.SCREEN_NAME} · rating as {found.rater}"
    for panel in screen.query("#rating-panel"):
        if isinstance(panel, Static):
            panel.update(found.cell_text(screen.study, cell))


MEMO_HINT = ("Enter: keep · Escape: cancel · an empty memo removes it", "why this rating (the evidence you read)")


class TextDialog(Dialog[str | None]):
    """One line of text (a memo, a consensus reason): Enter keeps it, Escape cancels (None)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    DEFAULT_CSS = """
    TextDialog { align: center middle; }
    #memo-box { width: 80; max-width: 100%; height: auto; padding: 1 2; border: round $accent; background: $surface; }
    #memo-input { margin-top: 1; }
    """

    def __init__(self, title: Text, value: str | None, hint: tuple[str, str]) -> None:
        super().__init__()
        # a control character in the text is shown as its code (cases.escape), never sent to the terminal;
        # submitted unchanged, the text is kept as it was
        self.original, self.value, self.title_text, self.hint = value or "", clean(value or ""), title, hint

    def compose(self) -> ComposeResult:
        with Vertical(id="memo-box", classes="dialog"):
            yield Static(self.title_text)
            yield Static(Text(self.hint[0], style="dim"))
            yield Input(value=self.value, id="memo-input", placeholder=self.hint[1])

    def on_mount(self) -> None:
        self.query_one("#memo-input", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(self.original if event.value == self.value else event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
