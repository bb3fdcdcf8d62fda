"""Benchmark: the headless summary's cost (not a test; prints figures and ratios).

    python tests/benchmarks/bench_headless.py [--rows 10000000] [--sites 40] [--format csv|parquet] [--runs 5]

1. `crosscase summary` on the built-in example versus `python -c "import polars"` (goal <= 1.5x).
2. `crosscase summary` on a study whose engagement is derived from a generated contact log
   (default 10 million rows over 40 sites, made at run time from a seed) versus the same
   aggregation written directly in polars (goals: <= 1.2x wall time, <= 1.1x peak memory).
Each command runs in its own process; wall time is the median of the runs, peak memory the
child's maximum resident set size (getrusage via os.wait4).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}

DIRECT = r"""
import sys, polars as pl
path = sys.argv[1]
schema = {"site": pl.String, "participant": pl.String, "date": pl.Date, "minutes": pl.Float64}
lf = pl.scan_parquet(path) if path.endswith(".parquet") else pl.scan_csv(path, schema=schema)
empty = pl.col("date").is_null() & pl.col("minutes").is_null()
pp = lf.group_by("site", "participant").agg((~empty).sum().alias("contacts")).collect(engine="streaming")
out = pp.group_by("site").agg((pl.col("contacts") >= 1).mean().alias("engagement"), pl.len().alias("participants"))
print(out.sort("site").height)
"""


def run(cmd: list[str]) -> tuple[float, int]:
    """(wall seconds, peak RSS in MiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stderr.read().decode()}")
    return wall, usage.ru_maxrss // 1024


def measure(cmd: list[str], runs: int) -> tuple[float, int]:
    results = [run(cmd) for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def make_study(folder: Path, rows: int, sites: int, fmt: str, seed: int = 7) -> Path:
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    site_of_row = rng.integers(0, sites, rows)
    per_site = max(rows // (8 * sites), 1)  # about 8 contacts per participant
    participant = site_of_row * per_site + rng.integers(0, per_site, rows)
    listing = rng.random(rows) < 0.05
    days = rng.integers(0, 900, rows)
    minutes = rng.integers(15, 121, rows)
    dates = (pl.lit("2017-01-01").str.to_date() + pl.duration(days=pl.Series(days))).dt.strftime("%Y-%m-%d")
    frame = (
        pl.DataFrame(
            {
                "site": "S" + pl.Series(site_of_row + 1).cast(pl.String),
                "participant": "P" + pl.Series(participant).cast(pl.String),
                "listing": listing,
                "minutes": minutes,
            }
        )
        .with_columns(
            pl.when(pl.col("listing")).then(None).otherwise(pl.select(dates).to_series()).alias("date"),
            pl.when(pl.col("listing")).then(None).otherwise(pl.col("minutes")).alias("minutes"),
        )
        .select("site", "participant", "date", "minutes")
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"contacts.{fmt}"
    if fmt == "parquet":
        frame.with_columns(pl.col("date").str.to_date()).write_parquet(path)
    else:
        frame.write_csv(path)
    lines = ["site,label,fidelity"] + [f"S{i + 1},Site {i + 1},{3 + (i % 5) * 0.3:.1f}" for i in range(sites)]
    (folder / "sites.csv").write_text("\n".join(lines) + "\n")
    (folder / "study.toml").write_text(
        '[study]\ntitle = "Benchmark"\nsynthetic = true\n[outcome]\nmetric = "engagement"\n'
        '[metrics.engagement]\nlabel = "Engagement"\nmin = 0.0\nmax = 1.0\n'
        'derive = { from = "contacts", rule = "share_with_at_least", n = 1 }\n'
        '[metrics.participants]\nlabel = "Participants"\nderive = { from = "contacts", rule = "participants" }\n'
        '[metrics.fidelity]\nlabel = "Fidelity"\n'
    )
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--sites", type=int, default=40)
    ap.add_argument("--format", choices=("csv", "parquet"), default="parquet")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    py = sys.executable
    # an installed package has its bytecode compiled; do the same for the source tree
    subprocess.run(
        [py, "-m", "compileall", "-q", str(ROOT / "cases"), str(ROOT / "metrics"), str(ROOT / "tui")],
        check=True,
        env={k: v for k, v in ENV.items() if k != "PYTHONDONTWRITEBYTECODE"},
    )
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores")
    base, _ = measure([py, "-c", "import polars"], args.runs)
    ours, _ = measure([py, "-m", "tui.cli", "summary"], args.runs)
    print(
        f"example summary: {ours * 1000:.0f} ms; import polars: {base * 1000:.0f} ms; ratio {ours / base:.2f} (goal <= 1.5)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        path = make_study(Path(tmp) / "big", args.rows, args.sites, args.format)
        size = path.stat().st_size / 2**20
        print(
            f"generated {args.rows:,} contacts over {args.sites} sites as {args.format} ({size:.0f} MiB) in {time.perf_counter() - t0:.1f} s"
        )
        runs = max(1, min(args.runs, 3))
        direct_t, direct_m = measure([py, "-c", DIRECT, str(path)], runs)
        ours_t, ours_m = measure([py, "-m", "tui.cli", "summary", str(Path(tmp) / "big")], runs)
        print(f"direct polars aggregation: {direct_t:.2f} s, peak {direct_m} MiB")
        print(f"crosscase summary:         {ours_t:.2f} s, peak {ours_m} MiB")
        print(f"ratios: wall {ours_t / direct_t:.2f} (goal <= 1.2), peak memory {ours_m / direct_m:.2f} (goal <= 1.1)")


if __name__ == "__main__":
    main()
