"""Benchmark: the Sites screen's scatter at 2,000 sites (not a test).

    python tests/benchmarks/bench_scatter.py [--sites 2000] [--runs 20] [--seed 7]

The study is tests/benchmarks/bench_dashboard.py's (generated from a seed in a temporary folder).
The dashboard runs headless with Pilot, on the Sites screen, at 120x40 (table and scatter) and at
80x24 (the scatter alone, after p). Each figure is wall-clock, min / median / max over ``runs``:
  points  ``_draw_scatter``: the sites in view made into points and handed to the plot (what a sort,
          a filter or a change of the scatter's metric costs before drawing);
  render  the plot drawn at its size: plotext's frame and axes, the sites gathered by cell, the
          labels and numbers laid out, the key (what every redraw of the plot costs); and its CPU
          time (on a shared machine the CPU time says what the work costs, the wall clock what a
          user waits).
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

from tests.benchmarks.bench_dashboard import make_study  # noqa: E402


def figures(times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    return f"min {ms[0]:6.1f}  median {statistics.median(ms):6.1f}  max {ms[-1]:6.1f} ms"


async def measure(study: Path, size: tuple[int, int], runs: int) -> None:
    from tests.benchmarks.bench_dashboard import until
    from tui.dashboard.app import CrosscaseApp
    from tui.dashboard.screens.sites import Scatter, SitesScreen

    app = CrosscaseApp(study)
    async with app.run_test(size=size) as pilot:
        await until(pilot, lambda: app.comparison is not None, "the study")
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, SitesScreen), "the Sites screen")
        screen = app.screen
        if size[1] < 32:
            await pilot.press("p")
        await pilot.pause(0.2)
        plot = screen.query_one("#scatter", Scatter)
        points, render, cpu = [], [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            screen._draw_scatter()
            points.append(time.perf_counter() - t0)
            t0, c0 = time.perf_counter(), time.process_time()
            plot.render()
            render.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        print(f"{size[0]}x{size[1]}, plot {plot.size.width}x{plot.size.height}, {len(plot._points)} points")
        print(f"  points      {figures(points)}")
        print(f"  render      {figures(render)}")
        print(f"  render CPU  {figures(cpu)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        study = make_study(Path(tmp), args.sites, 10, args.seed)
        for size in ((120, 40), (80, 24)):
            asyncio.run(measure(study, size, args.runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
