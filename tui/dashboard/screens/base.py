"""What every dashboard screen shares: banner, split status line, size guard, and the data feed.

A screen reads the app's current ``study`` and watches its ``comparison`` reactive; it redraws when
the comparison changes (at once when it is the visible screen, else when it is shown again).
Screens talk to the app with messages (``OpenSite``, ``ShowSites``, ``ShowTheme``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from tui.dashboard.widgets.palette import GROUP_MARK, colours
from tui.dashboard.widgets.safe_text import safe
from tui.headless.render import BANNER, fmt, split_line

if TYPE_CHECKING:
    from metrics.results import Comparison

MIN_WIDTH, MIN_HEIGHT = 80, 24


@runtime_checkable
class Shows(Protocol):
    """What the app asks of a dashboard screen (every ``DashboardScreen``): draw a comparison, say
    where the user is (a snapshot's ``[view]``) and go back to such a view."""

    def show(self, comparison: Comparison) -> None: ...

    def view_state(self) -> dict: ...

    def apply_view(self, view: dict) -> None: ...


@dataclass
class OpenSite(Message):
    """Show one site's profile."""

    site: str


@dataclass
class ShowSites(Message):
    """Show the Sites screen with this filter (e.g. ``theme:ID``)."""

    filter: str


@dataclass
class ShowTheme(Message):
    """Show the Themes screen at this theme."""

    theme: str


class KeysFooter(Footer):
    """Textual's compact footer with the keys everyone needs first: "? Help" and "q Quit" lead the
    row, so a narrow terminal cuts off a screen's other keys, never these two (at 80 columns the
    row holds about a dozen keys; the help dialog lists them all)."""

    FIRST = ("help", "quit", "quit_error")

    def __init__(self, **kwargs) -> None:
        super().__init__(compact=True, **kwargs)

    def compose(self) -> ComposeResult:
        keys = list(super().compose())

        def rank(widget) -> int:
            action = getattr(widget, "action", None)  # a FooterKey's
            return self.FIRST.index(action) if action in self.FIRST else len(self.FIRST)

        yield from sorted(keys, key=rank)  # stable: the other keys keep their order


def status_text(comparison) -> str:
    """The split rule, its cut and the group sizes, as one line of our own wording."""
    s = comparison.split
    sizes = " · ".join(f"{GROUP_MARK[g]} {len(getattr(s, g))}" for g in ("high", "low", "middle"))
    if s.missing:
        sizes += f" · missing {len(s.missing)}"
    pending = "  p pending…" if comparison.pending else ""
    return f"{split_line(comparison)} │ {sizes}{pending}"


def changed_notes(app) -> list[str]:
    """What changed since the snapshot the dashboard was opened from (``sites.csv changed``, ...);
    empty when it was not opened from one, or nothing changed."""
    if getattr(app, "snapshot_figures", None) is None:
        return []
    return [str(n) for n in getattr(app, "snapshot_notes", None) or []]


class DashboardScreen(Screen):
    """A full screen of the dashboard. Subclasses implement ``compose_body`` and ``show``."""

    SCREEN_NAME = ""
    BINDINGS = [Binding("escape", "back", "Back", show=False)]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._stale = False
        self._shown = None

    def compose(self) -> ComposeResult:
        yield Header(icon="≡")
        yield Static(BANNER, id="banner", classes="banner")
        yield Static("", id="changed", classes="banner changed", markup=False)
        yield Static("", id="status", classes="status", markup=False)
        with Container(id="body", classes="body"):
            yield from self.compose_body()
        yield Static("", id="too-small", classes="too-small", markup=False)
        yield KeysFooter()

    def compose_body(self) -> ComposeResult:
        yield from ()

    # -- data feed -------------------------------------------------------------------------------
    @property
    def study(self):
        return getattr(self.app, "study", None)

    @property
    def comparison(self):
        return getattr(self.app, "comparison", None)

    @property
    def styles_map(self) -> dict[str, str]:
        """Styles of the groups and of better/worse, from the current theme's variables."""
        c = colours(self.app.theme_variables)
        return {
            "high": f"bold {c['group-high']}",
            "low": f"bold {c['group-low']}",
            "middle": c["group-middle"],
            "missing": "dim",
            "better": f"bold {c['better']}",
            "worse": f"bold {c['worse']}",
        }

    def on_mount(self) -> None:
        self.watch(self.app, "comparison", self._comparison_changed, init=True)
        self.watch(self.app, "updating", self._show_status, init=False)
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self._redraw())
        self._check_size(self.app.size.width, self.app.size.height)

    def _comparison_changed(self, comparison) -> None:
        if comparison is None:
            return
        if self.is_current:
            self._redraw()
        else:
            self._stale = True

    def on_screen_resume(self) -> None:
        if self._stale or self._shown is not self.comparison:
            self._redraw()

    def _redraw(self) -> None:
        comparison = self.comparison
        if comparison is None or self.study is None:
            return
        self._stale = False
        self._shown = comparison
        self.query_one("#banner").display = bool(comparison.synthetic)
        self._show_changed()
        self._show_status()
        self.sub_title = self.SCREEN_NAME
        self.show(comparison)

    def _show_changed(self) -> None:
        """A reopened snapshot whose study changed: which files, for as long as its figures are shown."""
        notes = changed_notes(self.app)
        banner = self.query_one("#changed", Static)
        banner.display = bool(notes)
        if notes:
            banner.update(safe(f"⚠ Since the snapshot: {'; '.join(notes)} · F: the snapshot as saved"))

    def _show_status(self, _updating: bool = False) -> None:
        if self.comparison is not None:
            busy = "  ⟳ updating…" if getattr(self.app, "updating", False) else ""
            self.query_one("#status", Static).update(safe(status_text(self.comparison) + busy))

    def show(self, comparison: Comparison) -> None:
        """Draw ``comparison`` (subclasses)."""

    def view_state(self) -> dict:
        """Where the user is, for a snapshot's ``[view]``."""
        return {"screen": self.SCREEN_NAME.lower()}

    def apply_view(self, view: dict) -> None:
        """Go back to a snapshot's view (subclasses that have sort, filter or selection)."""

    # -- size guard -----------------------------------------------------------------------------
    def on_resize(self, event) -> None:
        self._check_size(event.size.width, event.size.height)

    def _check_size(self, width: int, height: int) -> None:
        small = width < MIN_WIDTH or height < MIN_HEIGHT
        self.set_class(small, "-too-small")
        if small:
            self.query_one("#too-small", Static).update(
                f"The terminal is {width}×{height}.\n\nEnlarge the terminal to at least "
                f"{MIN_WIDTH}×{MIN_HEIGHT} to use the crosscase dashboard.\n\n(q quits)"
            )

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        elif self.app.current_mode != "compare":
            self.app.switch_mode("compare")


def fmt_value(value: float | str | None, digits: int = 2) -> str:
    """A site's value: a number with ``digits`` decimals, a suppressed count as is, '-' when missing."""
    return fmt(float(value) if isinstance(value, int) and not isinstance(value, bool) else value, digits)


def digits_for(study, metric_key: str) -> int:
    """Decimals for a metric: 0 for whole numbers, else as its spread needs (tui/dashboard/widgets/figures.py)."""
    if study is None:
        return 2
    cached = _DIGITS.get((id(study), metric_key))
    if cached is not None and cached[0] is study:
        return cached[1]
    from tui.dashboard.widgets.figures import decimals

    digits = decimals(study.column(metric_key).values())
    if len(_DIGITS) > 64:
        _DIGITS.clear()
    _DIGITS[(id(study), metric_key)] = (study, digits)
    return digits


_DIGITS: dict[tuple[int, str], tuple[object, int]] = {}


def shown_value(study, metric_key: str, value: float | str | None, disclosure) -> float | str | None:
    """A site's value as it may be shown: a count below the disclosure limit becomes "<N"."""
    metric = study.metrics.get(metric_key) if study is not None else None
    limit = getattr(disclosure, "min_count", 0) or 0
    if (
        metric is not None
        and metric.count
        and limit > 0
        and isinstance(value, int | float)
        and not isinstance(value, bool)
        and value < limit
    ):
        return f"<{limit}"
    return value
