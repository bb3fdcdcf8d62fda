"""Benchmark: the QCA engine (truth table, three solutions, fits, necessity) on generated data.

    python tests/benchmarks/bench_qca.py [--sites 2000] [--conditions 10] [--seed 7]

Not a test: prints the time of one whole analysis. Memberships are drawn from a seed (a mix of
crisp and fuzzy conditions; the outcome follows two conjunctions with noise), with directional
expectations for every condition so that the intermediate solution is computed too.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def make_data(n: int, k: int, seed: int):
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.beta(0.6, 0.6, size=(n, k))
    x[:, ::3] = np.round(x[:, ::3])  # every third condition crisp
    y = np.maximum(np.minimum(x[:, 0], x[:, 1]), np.minimum(x[:, 2], 1 - x[:, 3]) if k > 3 else 0)
    y = np.clip(y + rng.normal(0, 0.08, n), 0, 1)
    names = [f"C{j + 1}" for j in range(k)]
    sites = [f"S{i}" for i in range(n)]
    memberships = {s: dict(zip(names, map(float, row))) for s, row in zip(sites, x)}
    return names, memberships, dict(zip(sites, map(float, y)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=2000)
    ap.add_argument("--conditions", type=int, default=10)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    from metrics.qca import Cuts, analyse

    names, m, y = make_data(args.sites, args.conditions, args.seed)
    start, cpu = time.perf_counter(), time.process_time()
    r = analyse(names, m, y, outcome_name="Y", cuts=Cuts(0.8), expect=dict.fromkeys(names, "present"))
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    counts = {k: len(v) for k, v in r.solutions.items()}
    print(
        f"qca: {args.sites} sites, {args.conditions} conditions, {len(r.truth_table)} rows, "
        f"models {counts}: {took:.3f} s ({cpu:.3f} s of CPU: on a busy machine the wall time is longer)"
    )
    for w in r.warnings:
        if "minimal cover" in w:
            print(f"  warning: {w}")


if __name__ == "__main__":
    main()
