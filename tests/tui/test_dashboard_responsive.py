"""A change of split: the order things happen in, and what the user sees while waiting.

The timing itself is measured by tests/benchmarks/bench_dashboard.py, not here; these tests pin
the behaviour the speed relies on.
"""

from __future__ import annotations

import gc
import threading
import time
from dataclasses import replace

from textual.widgets import Static
from tui_helpers import EXAMPLE, settle

import metrics.compare
import tui.dashboard.app
from tui.dashboard.app import CrosscaseApp
from tui.dashboard.screens.compare import CompareScreen


def status(app) -> str:
    return str(app.screen.query_one("#status", Static).render())


async def test_a_slow_comparison_says_updating_and_a_fast_one_never_does(monkeypatch):
    app = CrosscaseApp(EXAMPLE)
    seen: list[str] = []
    gate = threading.Event()
    real = tui.dashboard.app.analyse_split

    def slow(*args, **kwargs):
        gate.wait(10)
        return real(*args, **kwargs)

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # fast: the answer comes before the "updating" delay, so the word never shows
        app.watch(app, "updating", lambda busy: seen.append(status(app)) if busy else None, init=False)
        app.change_outcome(replace(app.outcome, split="tertiles"))
        await settle(pilot)
        await pilot.pause(app.BUSY_AFTER + 0.1)
        assert app.comparison.split.rule == "tertiles" and not app.updating and seen == []
        # slow: after BUSY_AFTER the status line says so, and stops saying it with the answer
        monkeypatch.setattr(tui.dashboard.app, "analyse_split", slow)
        app.change_outcome(replace(app.outcome, split="median"))
        await pilot.pause(app.BUSY_AFTER + 0.2)
        assert app.updating and "updating" in status(app)
        assert app.comparison.split.rule == "tertiles"  # the old groups stay until then
        gate.set()
        await settle(pilot)
        assert app.comparison.split.rule == "median"
        assert not app.updating and "updating" not in status(app)


async def test_p_values_start_after_the_new_groups_are_drawn(monkeypatch):
    app = CrosscaseApp(EXAMPLE)
    events: list[tuple[str, object]] = []
    show = CompareScreen.show
    fill = metrics.compare.fill_permutations

    def recording_show(self, comparison):
        events.append(("show", comparison.split.rule, comparison.pending, time.perf_counter()))
        return show(self, comparison)

    def recording_fill(comparison, cancelled=None):
        events.append(("fill", comparison.split.rule, time.perf_counter()))
        return fill(comparison, cancelled)

    monkeypatch.setattr(CompareScreen, "show", recording_show)
    monkeypatch.setattr(metrics.compare, "fill_permutations", recording_fill)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        events.clear()
        app.change_outcome(replace(app.outcome, split="tertiles"))
        await settle(pilot)
        kinds = [(e[0], e[1]) + ((e[2],) if e[0] == "show" else ()) for e in events]
        assert kinds[0] == ("show", "tertiles", True)  # groups first, p pending
        assert kinds.index(("fill", "tertiles")) > 0
        assert kinds[-1] == ("show", "tertiles", False)  # then the p-values
        assert not app.comparison.pending
        shown_at, filled_at = events[0][3], next(e[2] for e in events if e[0] == "fill")
        assert filled_at - shown_at >= app.PERMUTATIONS_AFTER  # not in the paint's way


async def test_a_new_outcome_fills_p_values_once_for_its_full_comparison(monkeypatch):
    """A new outcome metric sends its groups first, then the comparison with its sensitivity table:
    only the latter gets p-values, and it is what stays on screen."""
    app = CrosscaseApp(EXAMPLE)
    gate = threading.Event()
    real_quick = tui.dashboard.app.analyse_quick
    fill = metrics.compare.fill_permutations
    filled: list[bool] = []

    def slow_quick(*args, **kwargs):
        gate.wait(10)
        return real_quick(*args, **kwargs)

    def recording_fill(comparison, cancelled=None):
        filled.append(comparison.sensitivity is not None)
        return fill(comparison, cancelled)

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        monkeypatch.setattr(tui.dashboard.app, "analyse_quick", slow_quick)
        monkeypatch.setattr(metrics.compare, "fill_permutations", recording_fill)
        app.change_outcome(replace(app.outcome, metric="fidelity", split="median"))
        await pilot.pause(0.3)
        assert app.comparison.split.outcome == "fidelity" and app.comparison.sensitivity is None
        assert filled == []  # not for the groups-only comparison
        gate.set()
        await settle(pilot)
        assert filled == [True]
        assert app.comparison.sensitivity is not None and not app.comparison.pending


async def test_the_garbage_collector_pauses_during_a_change_only(monkeypatch):
    app = CrosscaseApp(EXAMPLE)
    gate = threading.Event()
    seen: list[bool] = []
    real = tui.dashboard.app.analyse_split

    def slow(*args, **kwargs):
        seen.append(gc.isenabled())
        gate.wait(10)
        return real(*args, **kwargs)

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert gc.isenabled()
        monkeypatch.setattr(tui.dashboard.app, "analyse_split", slow)
        app.change_outcome(replace(app.outcome, split="tertiles"))
        await pilot.pause(0.1)
        assert seen == [False] and not gc.isenabled()
        gate.set()
        await settle(pilot)
        assert gc.isenabled() and app.comparison.split.rule == "tertiles"
        # a change that fails (a threshold split without a threshold) gives it back too
        app.change_outcome(replace(app.outcome, split="threshold", threshold=None))
        await settle(pilot)
        assert gc.isenabled() and not app.updating
        assert app.comparison.split.rule == "tertiles"
    assert gc.isenabled()


async def test_a_newer_change_wins_over_an_older_slow_one(monkeypatch):
    app = CrosscaseApp(EXAMPLE)
    gate = threading.Event()
    real = tui.dashboard.app.analyse_split

    def first_slow(study, options, previous):
        if options.outcome.split == "tertiles":
            gate.wait(10)
        return real(study, options, previous)

    monkeypatch.setattr(tui.dashboard.app, "analyse_split", first_slow)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.change_outcome(replace(app.outcome, split="tertiles"))
        await pilot.pause(0.05)
        app.change_outcome(replace(app.outcome, split="threshold", threshold=0.5))
        await pilot.pause(0.2)
        gate.set()
        await settle(pilot)
        assert app.comparison.split.rule == "threshold" and not app.comparison.pending
        assert not app.updating and "threshold" in status(app)
