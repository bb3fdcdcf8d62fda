"""The crosscase dashboard: assembles screens, keys, commands and the workers that feed them.

Data work (loading, comparing, permutation p-values, writing snapshots) runs in thread workers;
results come back as messages and land in the ``comparison`` reactive that every screen watches.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Header, Static
from textual.worker import get_current_worker

from cases.escape import clean
from tui.dashboard.dialogs.confirm import ConfirmScreen
from tui.dashboard.dialogs.export import ExportDialog, ExportRequest
from tui.dashboard.dialogs.help import HelpDialog
from tui.dashboard.dialogs.split import SplitDialog
from tui.dashboard.screens.base import KeysFooter, OpenSite, Shows, ShowSites, ShowTheme
from tui.dashboard.screens.compare import CompareScreen
from tui.dashboard.screens.error import ErrorScreen
from tui.dashboard.screens.literature import LiteratureScreen
from tui.dashboard.screens.matrix import MatrixScreen
from tui.dashboard.screens.qca import QcaScreen
from tui.dashboard.screens.site import SiteScreen
from tui.dashboard.screens.sites import SitesScreen
from tui.dashboard.screens.snapshot import SnapshotScreen
from tui.dashboard.screens.tables import ConfigurationsScreen, SensitivityScreen
from tui.dashboard.screens.themes import ThemesScreen
from tui.dashboard.session import SnapshotOnlyError, analyse_quick, analyse_split, open_study
from tui.dashboard.widgets.grid import GridTable
from tui.dashboard.widgets.palette import DEFAULTS, THEMES
from tui.dashboard.widgets.rows import RowList

if TYPE_CHECKING:
    from cases.model import Outcome, Study
    from cases.rules import Rule
    from metrics.results import Comparison, Options

SCREENS_BY_MODE = {
    "compare": CompareScreen,
    "sites": SitesScreen,
    "themes": ThemesScreen,
    "sensitivity": SensitivityScreen,
    "configurations": ConfigurationsScreen,
    "literature": LiteratureScreen,
    "matrix": MatrixScreen,
    "qca": QcaScreen,
}


@dataclass
class StudyReady(Message):
    study: Study
    options: Options
    comparison: Comparison
    view: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    figures: dict | None = None  # a snapshot's own figures, when its study changed since


@dataclass
class ComparisonReady(Message):
    comparison: Comparison
    generation: int
    final: bool = True  # False: a fuller comparison of the same change follows
    filled_from: Comparison | None = None  # for p-values: the comparison they were computed for


@dataclass
class LoadFailed(Message):
    title: str
    problems: list[str]


@dataclass
class SnapshotOnly(Message):
    """A snapshot that cannot be matched to its study (pseudonymised): show its own figures."""

    figures: dict
    notes: list[str]


@dataclass
class ExportDone(Message):
    request: ExportRequest
    path: Path | None = None
    error: str | None = None
    exists: bool = False


class CrosscaseApp(App[int]):
    CSS_PATH = "app.tcss"
    TITLE = "crosscase"
    MODES = dict(SCREENS_BY_MODE)
    BINDINGS = [
        Binding("c", "show('compare')", "Compare"),
        Binding("s", "show('sites')", "Sites"),
        Binding("t", "show('themes')", "Themes"),
        Binding("v", "show('sensitivity')", "Sensitivity"),
        Binding("g", "show('configurations')", "Configs"),
        Binding("l", "show('literature')", "Literature"),
        Binding("o", "split", "Split…"),
        Binding("r", "rule", "Distinguishing rule…", show=False),
        Binding("e", "export", "Export…"),
        Binding("M", "show('matrix')", "Matrix", key_display="M"),  # after o and e: a narrow footer keeps those
        Binding("Q", "show('qca')", "QCA", key_display="Q"),  # after M: the footer keeps what fits, in order
        Binding("d", "toggle_theme", "Light/dark", show=False),
        Binding("question_mark,f1", "help", "Help", key_display="?"),
        Binding("q", "quit", "Quit"),
        Binding("F", "snapshot_figures", "Snapshot figures", key_display="F"),
        Binding("K", "consensus", "Consensus", key_display="K", show=False),  # tui/dashboard/screens/consensus.py
    ]
    comparison: reactive[Comparison | None] = reactive(None, init=False, always_update=True)
    updating = reactive(False, init=False)

    def __init__(
        self,
        study_path: Path | None = None,
        *,
        snapshot: str | None = None,
        snapshot_study: str | None = None,
        disclosure: dict | None = None,
        rater: str | None = None,
    ) -> None:
        super().__init__()
        from tui.dashboard.rating import RatingController

        self.rating = RatingController(rater) if rater else None  # rating mode: --rater NAME
        self.study_path = study_path
        self.disclosure = disclosure
        self.snapshot = snapshot
        self.snapshot_study = snapshot_study
        self.study: Study | None = None
        self.outcome: Outcome | None = None
        self.options: Options | None = None
        self.generation = 0
        self._busy_timer: Timer | None = None
        self._view: dict = {}  # the view the export dialog was opened on
        self.snapshot_figures: dict | None = None  # a snapshot's own figures, when its study changed since
        self.snapshot_notes: list[str] = []
        self.daemons: list[threading.Thread] = []  # threads nobody waits for (the loading), see in_daemon_thread
        for theme in THEMES:
            self.register_theme(theme)
        self.theme = THEMES[0].name

    # -- quitting ----------------------------------------------------------------------------------
    quitting = False  # set once quit is asked for: nothing new opens after it

    def exit(self, result=None, return_code: int = 0, message=None) -> None:
        self.quitting = True
        super().exit(result, return_code, message)

    async def on_event(self, event: events.Event) -> None:
        # Keys typed ahead of a slow link arrive together: "q" then "e" used to compose the export
        # dialog while the app was closing down (a traceback). After quit, input is ignored.
        if self.quitting and isinstance(event, events.InputEvent):
            return
        await super().on_event(event)

    def get_driver_class(self):
        driver = super().get_driver_class()
        if driver.__name__ == "LinuxDriver" and driver.__module__ == "textual.drivers.linux_driver":
            return _terminal_driver()
        if driver.__name__ == "WebDriver" and driver.__module__ == "textual.drivers.web_driver":
            return _web_driver()
        return driver

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return dict(DEFAULTS)

    def compose(self) -> ComposeResult:
        yield Header(icon="≡")
        yield Static("Loading the study…", id="loading", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.load()

    def on_unmount(self) -> None:
        import gc

        gc.unfreeze()  # give back what on_study_ready froze (tests run many apps in one process)
        if not any(thread.is_alive() for thread in self.daemons):
            gc.enable()  # in case the app ends in the middle of a change (see _collector)
        # else: quit while loading; a collection now would walk everything read so far before the
        # app could end. The loading thread enables the collector when it finishes (in_daemon_thread).

    # -- loading -------------------------------------------------------------------------------
    @work(exclusive=True, group="load", description="load the study")
    async def load(self) -> None:
        # Not a thread worker: those run in asyncio's default executor, which the app's event loop
        # and then the interpreter wait for at exit, so q while a large study was being read took
        # as long as the reading (13.5 s for a million sites). A daemon thread is waited for by
        # nobody: quitting ends the app at once and drops what the thread was reading.
        import gc

        # Reading a large study makes millions of objects; each full pass of the cyclic garbage
        # collector then walks them all while holding the interpreter lock (1.5 s at a time with
        # a million sites), and no key, q included, is read meanwhile. Reference counting frees
        # what loading drops; the collector runs again once the study is shown or has failed.
        gc.disable()
        message = await in_daemon_thread(self._open, name="crosscase-load", started=self.daemons, abandoned=gc.enable)
        if not isinstance(message, StudyReady):
            gc.enable()  # a StudyReady: enabled once the study is painted (_painted)
        self.post_message(message)

    def _open(self) -> Message:
        """Open and compare the study (in the loading thread); the message that says how it went."""
        from cases.errors import StudyError
        from tui.core.errors import UsageError

        where = self.snapshot or self.study_path or "the built-in example"
        try:
            opened = open_study(self.study_path, self.snapshot, self.snapshot_study, self.disclosure)
            if self.rating is not None:  # rating mode: this rater's ratings only (tui/dashboard/rating.py)
                opened = replace(opened, study=self.rating.open(opened.study, opened.options))
            comparison = analyse_quick(opened.study, opened.options)
        except SnapshotOnlyError as exc:
            return SnapshotOnly(exc.figures, exc.notes)
        except StudyError as exc:
            return LoadFailed(f"{where}: this study cannot be opened", [str(p) for p in exc.problems])
        except UsageError as exc:
            return LoadFailed(f"{where}: cannot be opened", list(exc.lines))
        except ImportError as exc:
            return LoadFailed("This installation cannot open it", [f"missing module: {exc.name or exc}"])
        except (OSError, ValueError) as exc:
            return LoadFailed(f"{where}: cannot be opened", str(exc).splitlines() or [repr(exc)])
        figures = opened.figures if opened.warnings else None
        return StudyReady(opened.study, opened.options, comparison, opened.view, opened.warnings, figures)

    async def on_study_ready(self, message: StudyReady) -> None:
        import gc

        if self.quitting:
            return
        self._collector(False)  # still off since loading began (load): on again once painted, or in 2 s
        self.snapshot_figures = message.figures
        # The loaded study lives as long as the app: move it (and everything made so far) out of
        # the garbage collector's view, so that its full collections no longer walk 100,000
        # ratings in the middle of a change of split.
        gc.freeze()
        self.study = message.study
        self.options = message.options
        self.outcome = _outcome_of(message.study, message.comparison)
        self.comparison = message.comparison
        if self.snapshot_figures is not None:  # the screens' banner names what changed
            self.snapshot_notes = [str(w) for w in message.warnings]
        screen = str(message.view.get("screen", "compare")).lower()
        mode = screen if screen in SCREENS_BY_MODE else "compare"
        await self.switch_mode(mode)
        if isinstance(mode_screen := self.screen_stack[0], Shows):
            mode_screen.apply_view(message.view)
        if screen == "site" and isinstance(message.view.get("site"), str):
            self.push_screen(SiteScreen(message.view["site"]))
        for line in message.warnings:
            self.notify(clean(line), severity="warning", markup=False, timeout=20)
        if self.snapshot_figures is not None:
            self.notify(
                "The study changed since the snapshot: press F (shift+f) for the snapshot's own figures.",
                severity="warning",
                markup=False,
                timeout=20,
            )
        self.call_after_refresh(self._painted, message.comparison, self.generation)

    def on_load_failed(self, message: LoadFailed) -> None:
        if self.quitting:
            return
        self.push_screen(ErrorScreen(message.title, message.problems))

    def on_snapshot_only(self, message: SnapshotOnly) -> None:
        if self.quitting:
            return
        self.push_screen(SnapshotScreen(message.figures, message.notes, alone=True))

    def action_snapshot_figures(self) -> None:
        """Show what the snapshot recorded, beside the recomputed figures of a changed study."""
        if self.snapshot_figures is not None:
            self.push_screen(SnapshotScreen(self.snapshot_figures, self.snapshot_notes, alone=False))

    # -- the comparison ------------------------------------------------------------------------
    def change_outcome(self, outcome: Outcome | None) -> None:
        """Compare again with another outcome or split (a worker; the screens update when it ends)."""
        if outcome is None or self.study is None or self.options is None:
            return
        from dataclasses import replace

        self.outcome = outcome
        self.options = replace(self.options, outcome=outcome)
        self.generation += 1
        # "updating" shows only if the answer is slow: drawing it at once competes with the
        # comparison for the interpreter lock and made every change ~30 ms slower
        self._busy_later(self.generation)
        self._collector(False)
        self.workers.cancel_group(self, "permutations")  # the old split's p-values: not needed now
        self.reanalyse(self.options, self.comparison, self.generation)

    @work(thread=True, exclusive=True, group="analysis", description="compare again")
    def reanalyse(self, options: Options, previous: Comparison | None, generation: int) -> None:
        study = self.study
        if study is None:
            return
        try:
            comparison, incomplete = analyse_split(study, options, previous)
            # with a new outcome the sensitivity table is still to compute: the groups go first
            self.post_message(ComparisonReady(comparison, generation, final=not incomplete))
            if incomplete and not get_current_worker().is_cancelled:
                comparison = analyse_quick(study, options)
                self.post_message(ComparisonReady(comparison, generation))
        except ValueError as exc:
            self.call_from_thread(self.notify, clean(str(exc), multiline=True), severity="error", markup=False)
            self.call_from_thread(self._change_failed, generation)
        # the p-values start once the new groups are on screen (_painted)

    @work(thread=True, exclusive=True, group="permutations", description="permutation p-values")
    def fill_permutations(self, comparison: Comparison, generation: int) -> None:
        from metrics.compare import fill_permutations

        worker = get_current_worker()
        if comparison.pending and not worker.is_cancelled:
            filled = fill_permutations(comparison, lambda: worker.is_cancelled or generation != self.generation)
            if filled is not None:
                self.post_message(ComparisonReady(filled, generation, filled_from=comparison))

    BUSY_AFTER = 0.15  # seconds before a change still being computed says "updating…"

    def _busy_later(self, generation: int) -> None:
        if self._busy_timer is not None:
            self._busy_timer.stop()
        self._busy_timer = self.set_timer(self.BUSY_AFTER, lambda: self._busy(generation))

    def _busy(self, generation: int) -> None:
        if generation == self.generation and self._busy_timer is not None:
            self.updating = True

    def _not_busy(self) -> None:
        if self._busy_timer is not None:
            self._busy_timer.stop()
            self._busy_timer = None
        self.updating = False

    def _change_failed(self, generation: int) -> None:
        if generation == self.generation:  # a newer change has its own note and collector
            self._not_busy()
            self._collector(True)

    PERMUTATIONS_AFTER = 0.05  # seconds after the new groups are painted before their p-values start
    COLLECTOR_AT_MOST = 2.0  # seconds the garbage collector may stay paused for one change

    def _collector(self, on: bool) -> None:
        """Pause Python's cyclic garbage collector while a change of split is computed and drawn.

        Its full passes (20-30 ms with a study of 2,000 sites) landed in the middle of changes;
        reference counting still frees memory meanwhile. It runs again once the change is painted,
        or after COLLECTOR_AT_MOST seconds whatever happens.
        """
        import gc

        if on:
            gc.enable()
        else:
            gc.disable()
            self.set_timer(self.COLLECTOR_AT_MOST, gc.enable)

    def on_comparison_ready(self, message: ComparisonReady) -> None:
        if message.generation != self.generation:
            return
        if message.filled_from is not None and message.filled_from is not self.comparison:
            return  # p-values of a comparison no longer shown
        self._not_busy()
        self.comparison = message.comparison
        self.call_after_refresh(self._painted, message.comparison, message.generation, message.final)

    def _painted(self, comparison: Comparison, generation: int, final: bool = True) -> None:
        """``comparison`` is on screen: the collector may run; its p-values start shortly after
        (computed at once, they would share the interpreter lock with the paint still in flight).
        The p-values of a comparison that is not final wait for the fuller one of the same change."""
        if generation != self.generation or comparison is not self.comparison:
            return
        self._collector(True)
        if final and comparison.pending:
            self.set_timer(self.PERMUTATIONS_AFTER, lambda: self._start_permutations(comparison, generation))

    def _start_permutations(self, comparison: Comparison, generation: int) -> None:
        if generation == self.generation and comparison is self.comparison:
            self.fill_permutations(comparison, generation)

    # -- navigation ----------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "export" and self.rating is not None:
            return False  # rating mode: the figures are one rater's, not the study's (docs/raters.md)
        if action in ("show", "split", "export"):
            return self.comparison is not None and not isinstance(self.screen, ErrorScreen | SnapshotScreen)
        if action == "snapshot_figures":
            return self.snapshot_figures is not None and not isinstance(self.screen, SnapshotScreen)
        return True

    async def action_show(self, mode: str) -> None:
        await self.switch_mode(mode)
        while len(self.screen_stack) > 1 and not getattr(self.screen, "is_modal", False):
            self.pop_screen()

    async def on_open_site(self, message: OpenSite) -> None:
        await self.push_screen(SiteScreen(message.site))

    async def on_show_sites(self, message: ShowSites) -> None:
        await self.action_show("sites")
        if isinstance(screen := self.screen_stack[0], SitesScreen):
            screen.set_filter(message.filter)

    async def on_show_theme(self, message: ShowTheme) -> None:
        await self.action_show("themes")
        if isinstance(screen := self.screen_stack[0], ThemesScreen):
            screen.select_theme(message.theme)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpDialog):
            return
        sections = [("Everywhere", self.BINDINGS)]
        sections += [
            (cls.SCREEN_NAME, cls.BINDINGS)
            for cls in (CompareScreen, SitesScreen, SiteScreen, ThemesScreen, LiteratureScreen, MatrixScreen, QcaScreen)
        ]
        sections += [("Lists and tables", RowList.BINDINGS + GridTable.BINDINGS)]
        if self.rating is not None:
            from tui.dashboard.rating import BINDINGS as RATING_KEYS
            from tui.dashboard.rating import SiteRatingKeys

            sections += [("Rating mode (Site and Matrix)", RATING_KEYS + SiteRatingKeys.BINDINGS)]
        from tui.dashboard.dialogs.evidence import EvidenceDialog

        sections += [("Dialogs", ConfirmScreen.BINDINGS + SplitDialog.BINDINGS + EvidenceDialog.BINDINGS)]
        self.push_screen(HelpDialog(sections))

    def action_consensus(self) -> None:
        from tui.dashboard.screens.consensus import open_consensus

        open_consensus(self)

    def action_toggle_theme(self) -> None:
        self.theme = "crosscase-light" if self.theme == "crosscase-dark" else "crosscase-dark"

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        if self.comparison is not None:
            yield SystemCommand(
                "Change split…", "Change the outcome metric, the split rule and its threshold", self.action_split
            )
            yield SystemCommand(
                "Change distinguishing rule…",
                "Change the rule that labels themes, and its parameters",
                self.action_rule,
            )
            yield SystemCommand("Export snapshot…", "Write the comparison and view as TOML", self.action_export)
            for mode, cls in SCREENS_BY_MODE.items():
                yield SystemCommand(
                    f"Show {cls.SCREEN_NAME}",
                    f"Open the {cls.SCREEN_NAME} screen",
                    lambda mode=mode: self.call_later(self.action_show, mode),
                )

    # -- dialogs -------------------------------------------------------------------------------
    def action_split(self) -> None:
        if self.study is not None and self.outcome is not None:
            self.push_screen(SplitDialog(self.study, self.outcome), self.change_outcome)

    def action_rule(self) -> None:
        if self.study is not None and self.comparison is not None:
            from tui.dashboard.dialogs.rule import RuleDialog

            self.push_screen(RuleDialog(self.comparison.rule), self.change_rule)

    def change_rule(self, rule: Rule | None) -> None:
        """Compare again with another distinguishing rule, as a change of split does."""
        if rule is not None and self.study is not None and self.options is not None:
            from dataclasses import replace

            self.options = replace(self.options, rule=rule)
            self.change_outcome(self.outcome)

    def action_export(self) -> None:
        if self.study is None:
            return
        self._view = self._current_view()
        from tui.core.snapshots import default_snapshot_path

        self.push_screen(ExportDialog(str(default_snapshot_path(self.study))), self._export)

    def _current_view(self) -> dict:
        screen = self.screen
        return screen.view_state() if isinstance(screen, Shows) else {"screen": "compare"}

    def _export(self, request: ExportRequest | None, force: bool = False) -> None:
        if request is not None:
            self.write_snapshot(request, force, dict(self._view))

    @work(thread=True, group="export", description="write a snapshot")
    def write_snapshot(self, request: ExportRequest, force: bool, view: dict) -> None:
        from metrics.compare import fill_permutations

        try:
            from tui.core.snapshots import write_snapshot_file

            comparison, study = self.comparison, self.study
            if comparison is None or study is None:
                return
            if request.table is not None:  # the paper's table: crosscase table's builder, disclosure and write
                from tui.headless.table_cmd import write_table_file

                path = write_table_file(comparison, study, request.path, request.table, force=force)
            elif request.project:  # a REFI-QDA project: crosscase export --format qdpx's refusals and write
                from tui.core.exchange import write_qdpx_file

                write_qdpx_file(
                    study, request.path, comparison.disclosure, force=force, include_evidence=request.include_evidence
                )
                path = request.path
            else:
                if comparison.pending:
                    comparison = fill_permutations(comparison)
                path = write_snapshot_file(
                    comparison,
                    study,
                    request.path,
                    force=force,
                    include_evidence=request.include_evidence,
                    note=request.note,
                    view=view,
                )
        except FileExistsError:
            self.post_message(ExportDone(request, exists=True))
        except ImportError as exc:
            self.post_message(ExportDone(request, error=f"export is not available: {exc}"))
        except (OSError, ValueError) as exc:
            self.post_message(ExportDone(request, error=str(exc)))
        else:
            self.post_message(ExportDone(request, path=Path(path)))

    def on_export_done(self, message: ExportDone) -> None:
        if self.quitting:
            return
        if message.exists:

            def answer(yes: bool | None) -> None:
                if yes:
                    self.write_snapshot(message.request, True, dict(self._view))
                else:
                    self.notify("Nothing written.", markup=False)

            self.push_screen(ConfirmScreen(f"{message.request.path} exists. Replace it?", yes="Replace"), answer)
        elif message.error is not None:
            self.notify(
                clean(message.error, multiline=True), title="Export failed", severity="error", markup=False, timeout=10
            )
        elif message.path is not None:
            self.notify(
                f"{_written(message.request)} written to {clean(message.path.resolve())}",
                title="Exported",
                markup=False,
                timeout=10,
            )


def _written(request: ExportRequest) -> str:
    if request.table:
        return "Table"
    if request.project:
        return "REFI-QDA project" + (" (with evidence)" if request.include_evidence else "")
    return "Snapshot"


async def in_daemon_thread(
    fn: Callable[[], Any], name: str, started: list[threading.Thread], abandoned: Callable[[], object] | None = None
) -> Any:
    """``fn()`` run in a daemon thread, awaited without blocking the event loop.

    If the awaiting task is cancelled (the app quits), the thread runs on unwatched and its
    result is dropped (and ``abandoned()`` called, in the thread or on the loop); being a daemon,
    it does not hold up the end of the process. The thread is appended to ``started``.
    """
    import asyncio

    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def drop() -> None:
        if abandoned is not None:
            abandoned()

    def deliver(result, error) -> None:
        if future.done():  # cancelled: nobody wants it any more
            drop()
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    def run() -> None:
        try:
            result, error = fn(), None
        except BaseException as exc:  # handed to the awaiting task, which raises it as a worker would
            result, error = None, exc
        try:
            loop.call_soon_threadsafe(deliver, result, error)
        except RuntimeError:  # the event loop has closed: the app has ended
            drop()

    thread = threading.Thread(target=run, name=name, daemon=True)
    started.append(thread)
    thread.start()
    return await future


@functools.cache
def _terminal_driver():
    """Textual's Linux driver, except that the dashboard ends when its input ends.

    Textual's input thread treats end of input as nothing read and polls again at once: when the
    terminal (or the SSH session) went away, the dashboard spun a core at 100% for ever. Here, end
    of input (or EIO from a terminal that has gone) asks the app to exit, with status 0.
    """
    import os
    import selectors
    from codecs import getincrementaldecoder

    from textual._parser import ParseError
    from textual._xterm_parser import XTermParser
    from textual.drivers.linux_driver import LinuxDriver

    class TerminalDriver(LinuxDriver):
        def run_input_thread(self) -> None:  # LinuxDriver's, with the end of input handled
            selector = selectors.SelectSelector()
            selector.register(self.fileno, selectors.EVENT_READ)
            parser = XTermParser(self._debug)
            decode = getincrementaldecoder("utf-8")().decode
            try:
                while not self.exit_event.is_set():
                    for _key, mask in selector.select(0.1):
                        if not mask & selectors.EVENT_READ:
                            continue
                        try:
                            data = os.read(self.fileno, 1024 * 4)
                        except OSError:  # EIO: the terminal has gone
                            data = b""
                        if not data:
                            self._loop.call_soon_threadsafe(self._app.exit)
                            return
                        for event in parser.feed(decode(data)):
                            self.process_message(event)
                    for event in parser.tick():
                        self.process_message(event)
            finally:
                selector.close()
                try:
                    for _event in parser.feed(""):
                        pass
                except (EOFError, ParseError):
                    pass

    return TerminalDriver


@functools.cache
def _web_driver():
    """Textual's web driver (under crosscase serve), except that the app ends when its input ends.

    Textual's input thread just stops when the pipe from the server closes (the server was killed
    or stopped without saying "quit"), and the app ran on without a reader for ever.
    """
    from textual.drivers.web_driver import WebDriver

    class BrowserDriver(WebDriver):
        def run_input_thread(self) -> None:
            super().run_input_thread()
            if not self.exit_event.is_set():  # the input ended; not the app stopping
                try:
                    self._loop.call_soon_threadsafe(self._app.exit)
                except RuntimeError:  # the event loop has closed already
                    pass

    return BrowserDriver


def _outcome_of(study: Study, comparison: Comparison) -> Outcome:
    """The Outcome the comparison was made with (the study's, with the split that was used)."""
    from cases.model import outcome_of

    s = comparison.split
    return outcome_of({"outcome": s.outcome, "rule": s.rule, **s.options}, study.outcome)


def run_dashboard(
    study_path: Path | None,
    snapshot: str | None = None,
    snapshot_study: str | None = None,
    disclosure: dict | None = None,
    rater: str | None = None,
) -> int:
    """Run the dashboard; the exit status (0 on a normal quit, 2 after an error screen).

    ``disclosure`` ({"min_count": N or None, "pseudonymise": bool}) overrides the study's
    [disclosure] for every screen and export, as ``--min-count`` and ``--pseudonymise`` do.
    """
    app = CrosscaseApp(study_path, snapshot=snapshot, snapshot_study=snapshot_study, disclosure=disclosure, rater=rater)
    problem = no_terminal(app, study_path if snapshot is None else None)
    if problem is not None:
        import sys

        print(problem, file=sys.stderr)
        return 2
    app.run()
    code = app.return_code or 0
    if any(thread.is_alive() for thread in app.daemons):
        # Quit while the study was still loading: the terminal is restored and nothing is left to
        # write, but the interpreter's own exit would wait for the loading thread to let go of the
        # interpreter lock (5 s and more with a million sites, inside polars). End here instead.
        _exit_now(code)
    return code


def no_terminal(app: CrosscaseApp, study_path: Path | None) -> str | None:
    """Why the dashboard cannot run here (one line), or None.

    Textual's terminal driver reads keys from stdin and draws on stderr; with either (or stdout)
    not a terminal, as in ``crosscase STUDY </dev/null >out.txt`` or a cron job, it never ends and
    spins a core. Under ``crosscase serve`` the app runs with Textual's web driver (textual-serve
    sets TEXTUAL_DRIVER), whose pipes to the browser are meant not to be terminals: no check then.
    """
    import sys

    if not _is_terminal_driver(app.driver_class):
        return None
    streams = {"stdin": sys.__stdin__, "stdout": sys.__stdout__, "stderr": sys.__stderr__}
    missing = [name for name, stream in streams.items() if not _is_tty(stream)]
    if not missing:
        return None
    import shlex

    from cases.catalogue import example_dir

    study = "" if study_path is None or Path(study_path) == example_dir() else f" {clean(shlex.quote(str(study_path)))}"
    if study_path is None and app.snapshot is not None:
        study = " STUDY"
    names = missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])} and {missing[-1]}"
    verb = "is not a terminal" if len(missing) == 1 else "are not terminals"
    return f"crosscase: the dashboard needs a terminal ({names} {verb}); for the comparison as text: crosscase summary{study}"


def _is_tty(stream) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):  # closed
        return False


def _is_terminal_driver(driver_class) -> bool:
    """Textual's own terminal drivers (and ours, made from the Linux one), not the web or headless ones."""
    return any(
        cls.__module__ in ("textual.drivers.linux_driver", "textual.drivers.windows_driver")
        for cls in driver_class.__mro__
    )


def _exit_now(code: int) -> None:
    import os
    import sys

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    os._exit(code)
