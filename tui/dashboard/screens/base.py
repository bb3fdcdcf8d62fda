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

from cases.model import PLACED
from tui.dashboard.widgets.palette import GROUP_MARK, colours
from tui.dashboard.widgets.safe_text import safe
from tui.headless.render import BANNER, split_line

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
    """Textual's compact footer, with its keys in priority order and only as many as fit whole.

    "? Help" and "q Quit" lead the row, then the screen's own keys, then the app's in their BINDINGS
    order; the key of the screen one is on (c on Compare, Q on QCA) is left out, as it does nothing
    there. A key that does not fit whole beside the command-palette key is left out with every key
    after it (Textual's footer ran them on under the palette key, cut mid-word): the help dialog
    (? or F1) lists them all. At 80 columns the Compare screen shows Help, Quit and Sites to
    Literature; Split…, Export…, Matrix and QCA (about 40 more columns) are in the help. At 120 the
    app's keys all show on Compare, Sensitivity, Configurations and QCA; screens with keys of their
    own show fewer of the app's.
    """

    FIRST = ("help", "quit", "quit_error")

    def __init__(self, **kwargs) -> None:
        super().__init__(compact=True, **kwargs)
        self._keys_shown: tuple[tuple[object, ...], ...] | None = None

    def bindings_changed(self, screen) -> None:
        """Textual's Footer rebuilds its keys (removes and mounts a dozen widgets, restyles them) on
        every change of focus or screen, about half of a key press's cost; this one rebuilds only
        when the keys it would show differ from those it shows."""
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._rebuild_if_changed)

    def on_resize(self) -> None:
        """Another width may hold more or fewer keys."""
        if self._bindings_ready:
            self.call_after_refresh(self._rebuild_if_changed)

    def keys_wanted(self) -> tuple[tuple[object, ...], ...]:
        """What ``compose`` would show: each shown binding's key, label, action, state and group, and the
        width it has to fit in."""
        app = self.app
        active = self.screen.active_bindings
        keys: tuple[tuple[object, ...], ...] = tuple(
            (
                binding.key,
                app.get_key_display(binding),
                binding.description,
                binding.action,
                enabled,
                tooltip,
                binding.tooltip,
                None if binding.group is None else (binding.group.description, binding.group.compact),
            )
            for _node, binding, enabled, tooltip in active.values()
            if binding.show
        )
        palette = self.show_command_palette and app.ENABLE_COMMAND_PALETTE
        command = active.get(app.COMMAND_PALETTE_BINDING) if palette else None
        if command is not None:
            _node, binding, enabled, _tooltip = command
            keys += (("palette", app.get_key_display(binding), binding.description, enabled, binding.tooltip),)
        return (*keys, ("width", app.size.width))

    async def _rebuild_if_changed(self) -> None:
        if not self.is_attached:
            return
        wanted = self.keys_wanted()
        if wanted == self._keys_shown:
            return
        self._keys_shown = wanted
        await self.recompose()

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        palette = [w for w in widgets if w.has_class("-command-palette")]
        keys = [w for w in widgets if w not in palette and not self._on_its_screen(w)]

        def rank(widget) -> int:
            action = getattr(widget, "action", None)  # a FooterKey's
            return self.FIRST.index(action) if action in self.FIRST else len(self.FIRST)

        # the palette key: a border on its left and a space on its right (app.tcss)
        room = self.app.size.width - sum(key_cells(w) + 2 for w in palette)
        for widget in sorted(keys, key=rank):  # stable: the other keys keep their order
            room -= key_cells(widget) + 1  # a space after each key (Textual's compact footer)
            if room < 0 and rank(widget) == len(self.FIRST):
                break
            yield widget
        yield from palette

    def _on_its_screen(self, widget) -> bool:
        """Is ``widget`` the key that shows the screen this footer is on (``show('compare')`` on Compare)?"""
        from textual.actions import parse

        _namespace, name, params = parse(str(getattr(widget, "action", "")))
        if name != "show" or not params:
            return False
        return type(self.screen) is self.app.MODES.get(str(params[0]))


def key_cells(widget) -> int:
    """The cells a compact footer key takes: its key, then a space and its description (if any)."""
    from rich.cells import cell_len

    description = str(getattr(widget, "description", "") or "")
    cells = cell_len(str(getattr(widget, "key_display", "")))
    return cells + (1 + cell_len(description) if description else 0)


def status_text(comparison) -> str:
    """The split rule, its cut and the group sizes, as one line of our own wording."""
    s = comparison.split
    sizes = " · ".join(f"{GROUP_MARK[g]} {len(getattr(s, g))}" for g in PLACED)
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
            # one line of fixed size (.status): drawn again without a layout of the whole screen, which
            # on a change of split cost ~25 ms (bench_matrix.py)
            self.query_one("#status", Static).update(safe(status_text(self.comparison) + busy), layout=False)

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


def digits_for(study, metric_key: str) -> int:
    """Decimals for a metric: 0 for whole numbers, else as its spread needs (metrics.numbers.decimals)."""
    if study is None:
        return 2
    cached = _DIGITS.get((id(study), metric_key))
    if cached is not None and cached[0] is study:
        return cached[1]
    from metrics.numbers import decimals

    digits = decimals(study.column(metric_key).values())
    if len(_DIGITS) > 64:
        _DIGITS.clear()
    _DIGITS[(id(study), metric_key)] = (study, digits)
    return digits


_DIGITS: dict[tuple[int, str], tuple[object, int]] = {}
