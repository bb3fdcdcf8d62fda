"""Benchmark: the Matrix screen at 2,000 sites x 50 themes: open, scroll, re-split (not a test).

    python tests/benchmarks/bench_matrix.py [--sites 2000] [--themes 50] [--runs 10] [--seed 7] [--profile]

The study is tests/benchmarks/bench_dashboard.py's (generated from a seed in a temporary folder);
the dashboard runs headless with Pilot at 120x40. Each figure is wall-clock from the event (a key
sent to the driver as a terminal would, or the split dialog's result handed to the app) until the
screen shows its effect and Textual's compositor has laid the screen out and rendered it
(``screen._on_timer_update()``, called at once instead of waiting for the next refresh tick, so that
no idle sleep of Pilot's is counted):
  open      M from Compare until the Matrix shows the comparison (the first time: compose + mount);
            then c and M again, ``runs`` times (the screen is kept, only re-shown);
  scroll    right across the first site columns (each press moves the cursor one site; a press
            that scrolls sideways lays the rows in view out again), left across the last ones (the
            window 16,000 cells from the left), PgDn/PgUp, and ] / [ (the label columns and back:
            the widest jumps);
  re-split  ``app.change_outcome`` over median / tertiles / threshold / quadrants on the Matrix,
            scrolled half-way across the sites, until its columns follow the new groups (the
            comparison in the worker included, as on the other screens).
Each prints min / median / max wall-clock and the median CPU time of the process (all threads: on a
shared machine the CPU time says what the work costs, the wall clock what a user waits); the goal is
150 ms for each (docs/performance.md). With --profile
the scroll and re-split phases run again under cProfile and the top functions are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.benchmarks.bench_dashboard import GOAL_MS, make_study, outcomes, revision, until  # noqa: E402


def paint(app) -> float:
    """Lay the screen out and render it now (what the refresh tick does); the time it ended."""
    app.screen._on_timer_update()
    return time.perf_counter()


async def key(pilot, name: str, done) -> tuple[float, float]:
    """Send ``name`` as a terminal key, wait until ``done()``, render; the milliseconds it took (wall
    clock, and the process's CPU time in all its threads)."""
    from textual import events

    app = pilot.app
    t0, c0 = time.perf_counter(), time.process_time()
    event = events.Key(name, name if len(name) == 1 else None)
    event.set_sender(app)
    app._driver.send_message(event)
    await until(pilot, done, f"the key {name}")
    await quiet(app)
    return 1000 * (paint(app) - t0), 1000 * (time.process_time() - c0)


async def quiet(app) -> None:
    """Let the messages the key posted (Highlighted, the cursor's line) be handled."""
    for _ in range(3):
        await asyncio.sleep(0)
    while any(not node._message_queue.empty() for node in (app.screen, *app.screen.walk_children())):
        await asyncio.sleep(0.001)


def figures(pairs: list[tuple[float, float]]) -> str:
    """min / median / max of the wall-clock times, then the median and max CPU time."""
    if not pairs:
        return "-"
    values = [wall for wall, _ in pairs]
    cpu = [c for _, c in pairs]
    return (
        f"min {min(values):5.0f}  median {statistics.median(values):5.0f}  max {max(values):5.0f} ms"
        f"  (CPU median {statistics.median(cpu):4.0f}, max {max(cpu):4.0f} ms; n={len(values)}; goal {GOAL_MS:.0f}: "
        f"{'met' if max(values) <= GOAL_MS else 'median met' if statistics.median(values) <= GOAL_MS else 'NOT met'})"
    )


async def measure(study: Path, runs: int, profile=None) -> dict:
    import tui.dashboard.app as app_module
    from tui.dashboard.app import CrosscaseApp
    from tui.dashboard.screens.compare import CompareScreen
    from tui.dashboard.screens.matrix import MatrixGrid, MatrixScreen

    app = CrosscaseApp(study)
    spent = {"analysis": 0.0, "show": 0.0, "render": 0.0}  # the parts of a re-split: CPU time of their thread

    def timed(part: str, function):
        def run(*args, **kwargs):
            t = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[part] += time.thread_time() - t

        return run

    app_module.analyse_split = timed("analysis", app_module.analyse_split)  # the worker's comparison
    app_module.analyse_quick = timed("analysis", app_module.analyse_quick)
    MatrixScreen.show = timed("show", MatrixScreen.show)  # filling the widgets
    MatrixGrid.render_line = timed("render", MatrixGrid.render_line)  # the grid's lines (the rest: Textual's)
    out: dict = {
        "open_first": [],
        "open": [],
        "right": [],
        "right_scrolled": [],
        "far": [],
        "page": [],
        "jump": [],
        "split": [],
    }
    async with app.run_test(size=(120, 40)) as pilot:
        await until(
            pilot,
            lambda: app.comparison is not None and not app.comparison.pending and app.screen._shown is not None,
            "the study",
        )
        await app.workers.wait_for_complete()
        await pilot.pause()
        out["sites"], out["themes"] = len(app.study.sites), len(app.comparison.themes)

        def matrix_shown() -> bool:
            screen = app.screen
            return isinstance(screen, MatrixScreen) and screen._shown is app.comparison

        for i in range(runs + 1):
            ms = await key(pilot, "M", matrix_shown)
            out["open_first" if i == 0 else "open"].append(ms)
            if i < runs:
                await key(pilot, "c", lambda: isinstance(app.screen, CompareScreen))
        screen = app.screen
        table = screen.query_one("#matrix-table", MatrixGrid)
        table.focus()
        await pilot.pause()
        if profile is not None:
            profile.enable()
        for _ in range(runs):
            for _ in range(40):
                before_x, before_c = table.scroll_x, table.cursor_column
                took = await key(pilot, "right", lambda c=before_c: table.cursor_column == c + 1)
                out["right_scrolled" if table.scroll_x != before_x else "right"].append(took)
            for name in ("pagedown", "pageup"):
                before = table.cursor
                out["page"].append(await key(pilot, name, lambda b=before: table.cursor != b))
            for name, column in (("right_square_bracket", "label"), ("left_square_bracket", None)):
                keys = table.column_keys
                want = keys.index("label") if column else MatrixScreen.FIXED
                out["jump"].append(await key(pilot, name, lambda w=want: table.cursor_column == w))
                if column:  # at the far right (16,000 cells in): left across the last sites
                    for _ in range(20):
                        before_c = table.cursor_column
                        out["far"].append(await key(pilot, "left", lambda c=before_c: table.cursor_column == c - 1))
        middle = [k for k in table.column_keys if k.startswith("site:")]
        table.move_cell(table.cursor, table.column_keys.index(middle[len(middle) // 2]))  # scrolled half-way
        await pilot.pause()
        for outcome in outcomes(app, runs):
            before = app.comparison
            spent.update(dict.fromkeys(spent, 0.0))
            t0, c0 = time.perf_counter(), time.process_time()
            app.change_outcome(outcome)  # what the split dialog's Apply leads to
            generation = app.generation
            await until(
                pilot,
                lambda: (
                    app.comparison is not before
                    and app.generation == generation
                    and app.comparison.split.rule == outcome.split
                    and matrix_shown()
                ),
                f"the {outcome.split} split on the Matrix",
            )
            await quiet(app)
            wall = 1000 * (paint(app) - t0)
            out["split"].append((outcome.split, (wall, 1000 * (time.process_time() - c0)), table.laid_out, dict(spent)))
            await app.workers.wait_for_complete()  # the p-values, before the next change
            await pilot.pause()
        if profile is not None:
            profile.disable()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=2000)
    parser.add_argument("--themes", type=int, default=50)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", action="store_true", help="cProfile the scroll and re-split phases")
    args = parser.parse_args(argv)
    profile = None
    if args.profile:
        import cProfile

        profile = cProfile.Profile()
    with tempfile.TemporaryDirectory(prefix="crosscase-bench-matrix-") as tmp:
        t = time.perf_counter()
        study = make_study(Path(tmp) / "study", args.sites, args.themes, args.seed)
        made = time.perf_counter() - t
        print(f"crosscase {revision()}, Python {sys.version.split()[0]}")
        print(f"study: {args.sites} sites x {args.themes} themes, seed {args.seed} (generated in {made:.1f} s)")
        out = asyncio.run(measure(study, args.runs, profile))
    print(f"loaded: {out['sites']} sites, {out['themes']} rated themes; Pilot at 120x40; {args.runs} runs")
    print(f"open (first, compose + mount):   {figures(out['open_first'])}")
    print(f"open (again, from Compare):      {figures(out['open'])}")
    print(f"scroll: right, in view:          {figures(out['right'])}")
    print(f"scroll: right, scrolls sideways: {figures(out['right_scrolled'])}")
    print(f"scroll: left at the far right:   {figures(out['far'])}")
    print(f"scroll: PgDn / PgUp:             {figures(out['page'])}")
    print(f"scroll: ] and [ (widest jumps):  {figures(out['jump'])}")
    split = [took for _, took, _, _ in out["split"]]
    print(f"re-split (change_outcome):       {figures(split)}")
    for rule, (wall, cpu), laid, parts in out["split"]:
        of = ", ".join(f"{k} {1000 * v:.0f}" for k, v in parts.items())
        print(f"  {rule:10} {wall:5.0f} ms, CPU {cpu:4.0f} ms  (CPU of which {of}; {laid} rows laid out)")
    if profile is not None:
        import pstats

        print("\nprofile of the scroll and re-split phases (cumulative, top 30):")
        pstats.Stats(profile, stream=sys.stdout).sort_stats("cumulative").print_stats(30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
