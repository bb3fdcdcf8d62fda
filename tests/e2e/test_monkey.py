"""A monkey: thousands of random keys (seeded) pressed at the dashboard; nothing may crash.

The keys are the app's and every screen's bindings plus navigation keys, letters and digits, so
the monkey opens dialogs and types into them, sorts, filters, changes splits and exports. It never
presses a real quit key ('q', ctrl+q, ctrl+c) nor the command palette (whose "Quit" command Enter
could run), and never types a '/' into the export dialog's file name (a path outside tmp_path).

Keys go in as Pilot.press makes them (Key events through the app's driver), in bursts of 1 to
BURST keys (as a fast typist, key repeat or a slow SSH link delivers them), each burst followed by
a wait for the screen's queued messages only, not by Pilot.press's wait for the whole process to
look idle (which costs up to a second a key while a worker computes p-values or other work loads
the machine). Every ~50 keys, `pilot.pause()`. At least MIN_KEYS keys are pressed; after that the
monkey stops when TIME_BUDGET seconds have passed, or at KEYS.

A burst ends after a key that can open a Select's list (enter, space, up, down); the monkey then
waits for the screen to be laid out (`pilot.pause(0)`). PageUp/PageDown go in bursts like any other
key: Textual's own Select list raised KeyError on them before its first layout, which the
dashboard's SafeSelect (tui/dashboard/widgets/select.py) guards against; this monkey is its end-to-end test.
CROSSCASE_MONKEY_SEED and CROSSCASE_MONKEY_KEYS change the seed and the number of keys.

The monkey also runs on the study shapes of tests/shapes.py (no `[outcome] second`, an empty group,
two sites, hostile text, one metric, pseudonymised): at least SHAPE_MIN_KEYS keys on each, up to
SHAPE_KEYS within SHAPE_BUDGET seconds, each with its own seed derived from SEED
(CROSSCASE_MONKEY_SHAPE_KEYS changes the number).
"""

from __future__ import annotations

import os
import random
import string
import time
import unicodedata

import pytest
from e2e_helpers import EXAMPLE
from textual import events
from textual.app import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

from tui.dashboard.app import CrosscaseApp
from tui.dashboard.dialogs.export import ExportDialog

pytestmark = pytest.mark.slow

SEED = int(os.environ.get("CROSSCASE_MONKEY_SEED", "20261122"))
KEYS = int(os.environ.get("CROSSCASE_MONKEY_KEYS", "3000"))
MIN_KEYS = min(KEYS, 1000)
BURST = 6  # keys sent before waiting for the screen: 1 to BURST
TIME_BUDGET = 20.0
NEVER = {"q", "ctrl+q", "ctrl+c", "ctrl+p"}
SETTLE_AFTER = {"enter", "space", "up", "down"}  # keys that can open a Select's list

APP_KEYS = ["c", "s", "t", "v", "g", "o", "e", "d", "question_mark", "f1"]
SCREEN_KEYS = ["m", "h", "[", "]", "slash", "less_than_sign", "greater_than_sign", "p", "x", "j", "f", "n", "y"]
NAVIGATION = [
    "up",
    "down",
    "left",
    "right",
    "tab",
    "shift+tab",
    "enter",
    "escape",
    "space",
    "home",
    "end",
    "pageup",
    "pagedown",
    "backspace",
]
TYPING = [*(ch for ch in string.ascii_letters if ch.lower() != "q"), *string.digits, "=", ">", "<", ":", ",", "-"]


def key_pool() -> list[str]:
    # bindings and navigation weighted up, so that screens and dialogs change often
    pool = APP_KEYS * 6 + SCREEN_KEYS * 4 + NAVIGATION * 6 + TYPING
    assert not NEVER & set(pool)
    return pool


def key_event(key: str) -> events.Key:
    """The Key event Pilot.press makes for ``key`` (a key name or a single character)."""
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)
    original = REPLACED_KEYS.get(key, key)
    try:
        char = unicodedata.lookup(_get_unicode_name_from_key(original))
    except KeyError:
        char = key if len(key) == 1 else None
    return events.Key(key, char)


async def press(pilot, keys: list[str]) -> None:
    """Send ``keys`` as a burst (as a fast typist or a paste would), then wait for the screen."""
    app = pilot.app
    for key in keys:
        event = key_event(key)
        event.set_sender(app)
        app._driver.send_message(event)
    await pilot._wait_for_screen()


async def run_monkey(folder, seed: int, keys: int, min_keys: int, budget: float) -> set[str]:
    """Press at least ``min_keys`` random keys (at most ``keys``, stopping after ``budget`` seconds)
    at the dashboard on ``folder``; the names of the screens and dialogs it saw."""
    rng = random.Random(seed)
    pool = key_pool()
    app = CrosscaseApp(folder)
    seen: set[str] = set()
    pressed: list[str] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        start = time.monotonic()
        paused = 0
        while len(pressed) < keys:
            if len(pressed) >= min_keys and time.monotonic() - start > budget:
                break
            burst: list[str] = []
            for _ in range(rng.randint(1, BURST)):
                key = rng.choice(pool)
                if key == "slash" and (burst or isinstance(app.screen, ExportDialog)):
                    key = "backspace"  # no '/' where a file name may be typed
                burst.append(key)
                if key in SETTLE_AFTER:
                    break
            if burst:
                pressed += burst
                await press(pilot, burst)
                seen.add(type(app.screen).__name__)
                assert app.is_running and app._exception is None, pressed[-20:]
            if len(pressed) // 50 > paused:
                paused = len(pressed) // 50
                await pilot.pause()
            elif burst and burst[-1] in SETTLE_AFTER:
                await pilot.pause(0)  # handle what is queued and lay the screen out
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.is_running, pressed[-20:]
        assert app._exception is None
        print(f"monkey: {len(pressed)} keys in {time.monotonic() - start:.1f} s; screens: {sorted(seen)}")
    assert app.return_code in (None, 0)
    assert app._exception is None
    return seen


EVERYWHERE = {
    "CompareScreen",
    "SitesScreen",
    "ThemesScreen",
    "SensitivityScreen",
    "ConfigurationsScreen",
    "HelpDialog",
    "SplitDialog",
    "ExportDialog",
}


async def test_monkey_presses_thousands_of_keys_without_a_crash(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the export dialog's default file lands here
    seen = await run_monkey(EXAMPLE, SEED, KEYS, MIN_KEYS, TIME_BUDGET)
    # the monkey got around: every screen and dialog it can reach with these keys
    assert seen >= EVERYWHERE, seen


# Studies that are not the example (tests/shapes.py): a shorter run on each, its own seed.
MONKEY_SHAPES = ["no-second", "empty-group", "two-sites", "hostile", "single-metric", "pseudonymised"]
SHAPE_KEYS = int(os.environ.get("CROSSCASE_MONKEY_SHAPE_KEYS", "600"))
SHAPE_MIN_KEYS = min(SHAPE_KEYS, 300)
SHAPE_BUDGET = 8.0


@pytest.mark.parametrize("name", MONKEY_SHAPES)
async def test_monkey_on_study_shapes(study_shapes, name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    seed = SEED + MONKEY_SHAPES.index(name) + 1
    seen = await run_monkey(study_shapes[name].folder, seed, SHAPE_KEYS, SHAPE_MIN_KEYS, SHAPE_BUDGET)
    assert {"CompareScreen", "SplitDialog"} <= seen and len(seen & EVERYWHERE) >= 5, seen
