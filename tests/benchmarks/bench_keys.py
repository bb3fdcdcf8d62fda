"""Benchmark: what one key press costs in the dashboard, and how much of it is the footer (not a test).

    python tests/benchmarks/bench_keys.py [--rounds 10] [--size 80x24] [--stock-footer]

Opens the example study headless with Pilot and presses, `rounds` times, the keys of a walk over the
screens (s Sites, t Themes, v Sensitivity, g Configurations, c Compare, then o / Escape for the
split dialog, ? / Escape for help). For each press it measures the process's CPU time and the wall
time until the app is idle again (Pilot's own wait, ~40 ms of sleeping, is in the wall figure), and
counts how often the footer rebuilt its keys. `--stock-footer` runs the same walk with Textual's own
Footer behaviour (a rebuild on every change of focus or screen), for the comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

KEYS = ("s", "t", "v", "g", "c", "o", "escape", "question_mark", "escape")


async def walk(rounds: int, size: tuple[int, int], stock: bool) -> dict:
    from textual.widgets import Footer

    from tui.dashboard.app import CrosscaseApp
    from tui.dashboard.screens.base import KeysFooter

    rebuilds = 0
    original = Footer.recompose

    async def counted(self):
        nonlocal rebuilds
        rebuilds += 1
        return await original(self)

    Footer.recompose = counted  # type: ignore[method-assign]
    if stock:
        KeysFooter.bindings_changed = Footer.bindings_changed  # type: ignore[method-assign]
    app = CrosscaseApp(ROOT / "data" / "example")
    cpu: list[float] = []
    wall: list[float] = []
    try:
        async with app.run_test(size=size) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            rebuilds = 0
            for _ in range(rounds):
                for key in KEYS:
                    c0, w0 = time.process_time(), time.perf_counter()
                    await pilot.press(key)
                    await app.workers.wait_for_complete()
                    await pilot.pause()
                    cpu.append(time.process_time() - c0)
                    wall.append(time.perf_counter() - w0)
            await pilot.press("q")
    finally:
        Footer.recompose = original  # type: ignore[method-assign]
    return {"cpu": cpu, "wall": wall, "rebuilds": rebuilds, "presses": len(cpu)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--size", default="80x24")
    parser.add_argument("--stock-footer", action="store_true", help="Textual's Footer: rebuild on every change")
    args = parser.parse_args(argv)
    width, height = (int(n) for n in args.size.split("x"))
    result = asyncio.run(walk(args.rounds, (width, height), args.stock_footer))
    ms = lambda xs: f"median {statistics.median(xs) * 1000:6.1f} ms, mean {statistics.fmean(xs) * 1000:6.1f} ms"
    label = "stock Footer" if args.stock_footer else "KeysFooter"
    print(f"{label}: {result['presses']} key presses at {args.size}, keys {' '.join(KEYS)}")
    print(f"  CPU per press:  {ms(result['cpu'])}")
    print(f"  wall per press: {ms(result['wall'])}")
    print(f"  footer rebuilds: {result['rebuilds']} ({result['rebuilds'] / result['presses']:.2f} a press)")
    print(f"  total CPU {sum(result['cpu']):.2f} s, wall {sum(result['wall']):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
