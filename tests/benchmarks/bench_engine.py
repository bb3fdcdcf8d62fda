"""Benchmark: the engine path (compare, sensitivity, configurations, splits, stats) on many sites.

    python tests/benchmarks/bench_engine.py [--sites 1000000] [--metrics 1|2] [--ratings] [--rule median]

Not a test: prints the time of each step. The study is generated in memory from a seed (no
files), so that only the engine is measured (loading is measured elsewhere). ``--metrics 1`` has the
outcome only; ``--metrics 2`` adds a second metric (figures, permutation test, Spearman's rho); a
condition on that metric and on an attribute feed the configuration table; ``--ratings`` rates one
theme at every site.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def make_study(n: int, metrics: int, ratings: bool, rule: str, seed: int = 7):
    import random

    from cases.catalogue import load_catalogue
    from cases.model import Condition, Metric, Outcome, Rating, Site, Study

    rng = random.Random(seed)
    keys = ["y", "m"][:metrics]
    sites = []
    for i in range(n):
        values = {"y": float(rng.randrange(0, 10 * n))}
        if metrics > 1:
            values["m"] = None if i % 97 == 0 else round(rng.random() * 5, 3)
        sites.append(Site(f"S{i}", f"Site {i}", values, {"employer": "NHS" if i % 3 else "Other"}))
    themes = {t.id: t for t in load_catalogue().themes}
    tokens = ["-2", "-1", "0", "+1", "+2", "X"]
    rated = tuple(Rating(s.id, "leadership-support", rng.choice(tokens)) for s in sites) if ratings else ()
    conditions = [Condition("NHS", attribute="employer", equals="NHS")]
    if metrics > 1:
        conditions.append(Condition("M big", metric="m", at_least=2.5))
    return Study(
        folder=Path("/nonexistent/bench"),
        title="bench",
        description=None,
        synthetic=True,
        outcome=Outcome(
            "y", rule, threshold=5.0 * n if rule == "threshold" else None, second="m" if metrics > 1 else None
        ),
        metrics={k: Metric(k, k.upper()) for k in keys},
        sites=tuple(sites),
        attributes=("employer",),
        themes=themes,
        ratings=rated,
        conditions=tuple(conditions),
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=1_000_000)
    ap.add_argument("--metrics", type=int, default=1, choices=(1, 2))
    ap.add_argument("--ratings", action="store_true")
    ap.add_argument("--rule", default="median")
    ap.add_argument("--render", action="store_true", help="also time to_dict and the text renderer")
    args = ap.parse_args()

    from cases.rules import make_rule
    from metrics.compare import compare
    from metrics.configurations import configurations
    from metrics.results import Options
    from metrics.sensitivity import sensitivity

    t0 = time.perf_counter()
    study = make_study(args.sites, args.metrics, args.ratings, args.rule)
    print(f"generate   {time.perf_counter() - t0:8.2f} s  ({args.sites} sites, {args.metrics} metrics)")
    rule = make_rule("gap")
    steps = {}
    t = time.perf_counter()
    comparison = compare(study, Options(rule=rule))
    steps["compare"] = time.perf_counter() - t
    t = time.perf_counter()
    sens = sensitivity(study, study.outcome, rule)
    steps["sensitivity"] = time.perf_counter() - t
    t = time.perf_counter()
    conf = configurations(study, comparison.split)
    steps["configurations"] = time.perf_counter() - t
    for name, secs in steps.items():
        print(f"{name:<14} {secs:8.2f} s")
    print(f"engine total   {sum(steps.values()):8.2f} s   ({len(sens.cuts)} sensitivity cuts kept)")
    if args.render:
        from dataclasses import replace

        from metrics.summary import to_dict
        from tui.headless.render import render_text

        full = replace(comparison, sensitivity=sens, configurations=conf)
        t = time.perf_counter()
        to_dict(full)
        print(f"to_dict        {time.perf_counter() - t:8.2f} s")
        t = time.perf_counter()
        render_text(full)
        print(f"render_text    {time.perf_counter() - t:8.2f} s")


if __name__ == "__main__":
    main()
