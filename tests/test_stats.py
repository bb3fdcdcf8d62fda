"""Tests for metrics.stats against independent implementations.

References: numpy (describe, differences), statistics.variance (Hedges' g),
a brute-force double loop and scipy.stats.mannwhitneyu (Cliff's delta),
scipy.stats.spearmanr / rankdata (Spearman, ranks), a literal
itertools.combinations enumeration and scipy.stats.permutation_test
(permutation p-values).
"""

from __future__ import annotations

import itertools
import math
import os
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.stats
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics import stats
from metrics.stats import (
    DEFAULT_SEED,
    Describe,
    Permutation,
    average_ranks,
    cliffs_delta,
    describe,
    hedges_g,
    mean_difference,
    median_difference,
    permutation_test,
    spearman,
)

REPO = Path(__file__).resolve().parents[1]
TOL = 1e-9

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Values on a quarter grid: plenty of ties, exact sums, so permutation
# statistics that are mathematically equal compare equal in every
# implementation and distinct ones differ by far more than 1e-9.
grid = st.integers(-12, 12).map(lambda i: i / 4)
reals = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, allow_subnormal=False)
values = st.one_of(grid, reals)


def close(a, b, tol=TOL):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


# ---------------------------------------------------------------- describe


@SETTINGS
@given(st.lists(values, max_size=40))
def test_describe_matches_numpy(xs):
    d = describe(xs)
    assert d.n == len(xs)
    if not xs:
        assert d == Describe(0, None, None, None, None)
        return
    a = np.array(xs)
    assert close(d.mean, float(np.mean(a)))
    assert close(d.median, float(np.median(a)))
    assert d.min == a.min() and d.max == a.max()


def test_describe_even_median_and_frozen():
    d = describe([4.0, 1.0, 3.0, 2.0])
    assert d == Describe(4, 2.5, 2.5, 1.0, 4.0)
    with pytest.raises(AttributeError):
        d.n = 3  # type: ignore[misc]


# ------------------------------------------------------------ differences


@SETTINGS
@given(st.lists(values, max_size=30), st.lists(values, max_size=30))
def test_mean_and_median_difference(h, l):
    if not h or not l:
        assert mean_difference(h, l) is None and median_difference(h, l) is None
        return
    assert close(mean_difference(h, l), float(np.mean(h) - np.mean(l)))
    assert close(median_difference(h, l), float(np.median(h) - np.median(l)))


# --------------------------------------------------------------- Hedges' g


def ref_hedges(h, l):
    """Hedges' g through statistics.variance (exact rational arithmetic)."""
    if len(h) < 2 or len(l) < 2:
        return None
    n1, n2 = len(h), len(l)
    pooled = ((n1 - 1) * statistics.variance(h) + (n2 - 1) * statistics.variance(l)) / (n1 + n2 - 2)
    scale = max(abs(v) for v in h + l)
    if pooled == 0 or pooled <= 1e-24 * scale**2:
        return None
    d = (statistics.fmean(h) - statistics.fmean(l)) / math.sqrt(pooled)
    return d * (1 - 3 / (4 * (n1 + n2) - 9))


@SETTINGS
@given(st.lists(values, max_size=25), st.lists(values, max_size=25))
def test_hedges_matches_reference(h, l):
    assert close(hedges_g(h, l), ref_hedges(h, l))


@SETTINGS
@given(reals, reals, st.integers(2, 12), st.integers(2, 12))
def test_hedges_constant_groups_is_none(a, b, n1, n2):
    assert hedges_g([a] * n1, [b] * n2) is None


def test_hedges_known_values_and_thresholds():
    # d = (2 - 5) / 1 = -3, J = 1 - 3 / (4 * 6 - 9) = 0.8
    assert close(hedges_g([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]), -2.4)
    assert hedges_g([0.1] * 7, [0.3] * 5) is None
    assert hedges_g([1.0], [1.0, 2.0]) is None
    assert hedges_g([1.0, 2.0], []) is None
    assert hedges_g([1.0, 1.0], [2.0, 3.0]) is not None  # one constant group suffices
    # Differences at the rounding level of the values count as zero spread.
    assert hedges_g([1e8, 1e8 + 1.5e-8], [2e8, 2e8]) is None


def test_hedges_seeded_random():
    rng = np.random.default_rng(1)
    for _ in range(200):
        n1, n2 = rng.integers(2, 60, size=2)
        h = list(rng.normal(rng.normal(), rng.uniform(0.1, 10), n1))
        l = list(rng.normal(0, rng.uniform(0.1, 10), n2))
        assert close(hedges_g(h, l), ref_hedges(h, l))


# ----------------------------------------------------------- Cliff's delta


def ref_cliffs_loop(h, l):
    if not h or not l:
        return None
    return sum((x > y) - (x < y) for x in h for y in l) / (len(h) * len(l))


def ref_cliffs_mwu(h, l):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        u = scipy.stats.mannwhitneyu(h, l, alternative="two-sided", method="asymptotic").statistic
    return 2 * u / (len(h) * len(l)) - 1


@SETTINGS
@given(st.lists(values, max_size=30), st.lists(values, max_size=30))
def test_cliffs_matches_loop_and_mannwhitney(h, l):
    got = cliffs_delta(h, l)
    assert close(got, ref_cliffs_loop(h, l))
    if h and l:
        assert close(got, ref_cliffs_mwu(h, l))


def test_cliffs_small_cases():
    assert cliffs_delta([1.0], [0.0]) == 1.0
    assert cliffs_delta([1.0], [1.0]) == 0.0
    assert cliffs_delta([1.0, 2.0], [2.0, 3.0]) == -0.75
    assert cliffs_delta([], [1.0]) is None and cliffs_delta([1.0], []) is None


def test_cliffs_large_is_fast_and_correct():
    rng = np.random.default_rng(2)
    h = list(np.round(rng.normal(0.2, 1, 2000), 1))  # rounding creates ties
    l = list(np.round(rng.normal(0.0, 1, 2000), 1))
    t = time.perf_counter()
    got = cliffs_delta(h, l)
    assert time.perf_counter() - t < 0.5
    assert close(got, ref_cliffs_mwu(h, l))


# ---------------------------------------------------------------- Spearman


def ref_spearman(x, y):
    if len(x) < 3:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = scipy.stats.spearmanr(x, y).statistic
    return None if math.isnan(r) else float(r)


pairs = st.integers(0, 30).flatmap(
    lambda n: st.tuples(st.lists(values, min_size=n, max_size=n), st.lists(values, min_size=n, max_size=n))
)


@SETTINGS
@given(pairs)
def test_spearman_matches_scipy(xy):
    x, y = xy
    assert close(spearman(x, y), ref_spearman(x, y))


@SETTINGS
@given(st.lists(values, max_size=40))
def test_average_ranks_matches_rankdata(xs):
    assert np.allclose(average_ranks(xs), scipy.stats.rankdata(xs, method="average"), rtol=0, atol=TOL)


def test_spearman_edge_cases():
    assert spearman([1.0, 2.0], [2.0, 1.0]) is None  # fewer than 3 pairs
    assert spearman([1.0, 1.0, 1.0], [1.0, 2.0, 3.0]) is None  # constant x
    assert spearman([1.0, 2.0, 3.0], [5.0, 5.0, 5.0]) is None  # constant y
    assert spearman([1.0, 2.0, 3.0], [10.0, 20.0, 30.0]) == 1.0
    assert spearman([1.0, 2.0, 3.0], [3.0, 2.0, 1.0]) == -1.0
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=2000), rng.normal(size=2000)
    x[::7] = 0.5  # ties
    assert close(spearman(list(x), list(y)), ref_spearman(x, y))


# ------------------------------------------------------- permutation test


def brute_p(h, l):
    """Literal definition: every choice of which n1 pooled values go to
    'high'; count |d| >= |d_obs| - 1e-9, the observed labelling included."""
    pooled, n1, n2 = list(h) + list(l), len(h), len(l)

    def d(hi):
        chosen = set(hi)
        lo = [pooled[i] for i in range(len(pooled)) if i not in chosen]
        return math.fsum(pooled[i] for i in hi) / n1 - math.fsum(lo) / n2

    obs = d(range(n1))
    combos = list(itertools.combinations(range(len(pooled)), n1))
    return sum(abs(d(c)) >= abs(obs) - 1e-9 for c in combos) / len(combos)


def mean_diff_stat(x, y, axis=-1):
    return np.mean(x, axis=axis) - np.mean(y, axis=axis)


def scipy_exact(h, l):
    return scipy.stats.permutation_test(
        (np.asarray(h), np.asarray(l)),
        mean_diff_stat,
        permutation_type="independent",
        alternative="two-sided",
        n_resamples=np.inf,
        vectorized=True,
    )


def p_from_scipy_null(h, l):
    """Our definition evaluated on scipy's full (exact) null distribution.
    scipy's own two-sided p doubles the smaller one-sided tail instead, which
    only coincides with ours when the null distribution is symmetric."""
    res = scipy_exact(h, l)
    null = res.null_distribution
    assert len(null) == math.comb(len(h) + len(l), len(h))
    return float(np.mean(np.abs(null) >= abs(res.statistic) - 1e-9))


small_groups = st.tuples(st.lists(grid, min_size=1, max_size=7), st.lists(grid, min_size=1, max_size=7))


@settings(max_examples=120, deadline=None)
@given(small_groups)
def test_exact_matches_bruteforce_and_scipy_null(hl):
    h, l = hl
    r = permutation_test(h, l)
    n = len(h) + len(l)
    assert r.exact and r.seed is None and r.relabelings == math.comb(n, len(h))
    assert close(r.p, brute_p(h, l))
    if min(len(h), len(l)) >= 2:  # scipy needs two or more values per sample
        assert close(r.p, p_from_scipy_null(h, l))


@settings(max_examples=60, deadline=None)
@given(
    st.integers(2, 7).flatmap(
        lambda k: st.tuples(st.lists(grid, min_size=k, max_size=k), st.lists(grid, min_size=k, max_size=k))
    )
)
def test_exact_equal_sizes_matches_scipy_p(hl):
    # With n1 == n2, swapping the groups negates d, so the null distribution
    # is symmetric and scipy's "double the smaller tail" two-sided p (capped
    # at 1) equals the share of |d| >= |d_obs|.  Grid data keeps d exact.
    h, l = hl
    assert close(permutation_test(h, l).p, float(scipy_exact(h, l).pvalue))


def test_exact_seeded_continuous_data():
    rng = np.random.default_rng(4)
    for _ in range(30):
        n1, n2 = rng.integers(1, 8, size=2)
        h = list(rng.normal(rng.uniform(0, 2), 1, n1) * 10 ** rng.uniform(-3, 3))
        l = list(rng.normal(0, 1, n2) * 10 ** rng.uniform(-3, 3))
        assert close(permutation_test(h, l).p, brute_p(h, l))


def test_exact_small_known_cases():
    assert permutation_test([1.0], [2.0]) == Permutation(1.0, True, 2, None)
    # d over the 6 relabelings: -2, -1, 0, 0, 1, 2; observed -2.
    assert permutation_test([1.0, 2.0], [3.0, 4.0]) == Permutation(1 / 3, True, 6, None)
    assert permutation_test([3.0, 3.0, 3.0], [3.0, 3.0]).p == 1.0
    assert permutation_test([0.1, 0.2, 0.3], [0.1, 0.2, 0.3]).p == 1.0
    assert permutation_test([], [1.0]) == Permutation(None, False, 0, None)
    assert permutation_test([1.0], []) == Permutation(None, False, 0, None)


def test_exact_limit_boundary():
    h, l = [1.0, 2.5, 3.0], [0.0, 0.5, 1.5, 2.0]  # C(7, 3) = 35
    assert permutation_test(h, l, exact_limit=35).exact
    r = permutation_test(h, l, exact_limit=34)
    assert not r.exact and r.relabelings == 10_000 and r.seed == DEFAULT_SEED


def test_exact_largest_default_case():
    # C(20, 10) = 184,756 <= 200,000: exact and fast.  Reference: every
    # 20-bit mask with ten bits set marks a 'high' group.
    rng = np.random.default_rng(5)
    h, l = list(rng.normal(0.5, 1, 10)), list(rng.normal(0, 1, 10))
    t = time.perf_counter()
    r = permutation_test(h, l)
    assert time.perf_counter() - t < 2.0
    assert r.exact and r.relabelings == 184_756
    codes = np.arange(1 << 20)
    bits = (codes[:, None] >> np.arange(20)) & 1
    bits = bits[bits.sum(axis=1) == 10].astype(float)
    assert len(bits) == 184_756
    pooled = np.array(h + l)
    d = bits @ pooled / 10 - (1 - bits) @ pooled / 10
    obs = np.mean(h) - np.mean(l)
    assert close(r.p, float(np.mean(np.abs(d) >= abs(obs) - 1e-9)))
    # 9 v 9 (48,620 relabelings), symmetric null: scipy's exact p.
    h9, l9 = list(np.round(rng.normal(0.5, 1, 9), 2)), list(np.round(rng.normal(0, 1, 9), 2))
    assert close(permutation_test(h9, l9).p, float(scipy_exact(h9, l9).pvalue))
    # Unequal sizes near the limit, and the low group enumerated (n1 > n2).
    h2 = list(rng.normal(0.3, 1, 600))
    l2 = [0.1, -0.4]  # C(602, 2) = 180,901
    r2 = permutation_test(h2, l2)
    assert r2.exact and r2.relabelings == 180_901
    pooled = np.array(h2 + l2)
    obs = abs(np.mean(h2) - np.mean(l2))
    i, j = np.triu_indices(602, k=1)
    low_sum = pooled[i] + pooled[j]
    d = (pooled.sum() - low_sum) / 600 - low_sum / 2
    assert close(r2.p, float(np.mean(np.abs(d) >= obs - 1e-9)))


def test_monte_carlo_agrees_with_exact():
    rng = np.random.default_rng(6)
    cases = [(10, 10, 0.6), (3, 7, 1.0), (1, 30, 1.5), (25, 5, 0.4), (8, 12, 0.0)]
    for n1, n2, shift in cases:
        h, l = list(rng.normal(shift, 1, n1)), list(rng.normal(0, 1, n2))
        exact = permutation_test(h, l)
        mc = permutation_test(h, l, exact_limit=0)
        assert exact.exact and not mc.exact
        assert mc.relabelings == 10_000 and mc.seed == DEFAULT_SEED
        B, p = mc.relabelings, exact.p
        assert abs(mc.p - p) <= 4 * math.sqrt(p * (1 - p) / B) + 1 / (B + 1), (n1, n2, p, mc.p)
        b = mc.p * (B + 1) - 1
        assert abs(b - round(b)) < 1e-6  # p = (b + 1) / (B + 1)


def test_monte_carlo_deterministic_for_seed():
    rng = np.random.default_rng(7)
    h, l = list(rng.normal(0.3, 1, 40)), list(rng.normal(0, 1, 40))
    a = permutation_test(h, l, exact_limit=0, resamples=3000, seed=11)
    b = permutation_test(h, l, exact_limit=0, resamples=3000, seed=11)
    assert a == b and a.seed == 11 and a.relabelings == 3000
    assert permutation_test(h, l) == permutation_test(h, l)  # default seed
    c = permutation_test(h, l, exact_limit=0, resamples=3000, seed=12)
    assert c.seed == 12


def test_monte_carlo_large_groups():
    rng = np.random.default_rng(8)
    h, l = list(rng.normal(0.04, 1, 2000)), list(rng.normal(0, 1, 2000))
    permutation_test(h[:50], l[:50])  # warm up the numpy import
    t = time.perf_counter()
    r = permutation_test(h, l)
    elapsed = time.perf_counter() - t
    assert elapsed < 2.0, elapsed  # typically ~0.3 s
    assert not r.exact and r.relabelings == 10_000 and r.seed == DEFAULT_SEED
    # For n = 4000 the permutation distribution of d is close to normal with
    # variance s^2 * (1/n1 + 1/n2), s^2 the pooled sample variance (n - 1).
    pooled = np.array(h + l)
    sd = math.sqrt(pooled.var(ddof=1) * (1 / 2000 + 1 / 2000))
    z = abs(np.mean(h) - np.mean(l)) / sd
    p_norm = 2 * scipy.stats.norm.sf(z)
    assert 0.05 < p_norm < 0.95
    assert abs(r.p - p_norm) < 0.025, (r.p, p_norm)


def test_default_seed_constant():
    assert DEFAULT_SEED == 20240 == stats.DEFAULT_SEED


# ------------------------------------------------------------ import cost


def test_import_does_not_load_numpy():
    code = (
        "import sys\n"
        "import metrics.stats as s\n"
        "assert 'numpy' not in sys.modules, 'numpy imported at import time'\n"
        "s.describe([1.0, 2.0]); s.hedges_g([1.0, 2.0], [2.0, 4.0])\n"
        "s.cliffs_delta([1.0], [2.0]); s.spearman([1.0, 2.0, 3.0], [3.0, 1.0, 2.0])\n"
        "s.mean_difference([1.0], [2.0]); s.median_difference([1.0], [2.0])\n"
        "s.average_ranks([2.0, 1.0, 2.0]); s.permutation_test([], [1.0])\n"
        "assert 'numpy' not in sys.modules, 'numpy imported by a pure function'\n"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


class CoarseRng:
    """Stand-in generator whose keys take only 8 values, so that ties at the
    k-th key (which _random_masks must redraw) are common."""

    def __init__(self, seed):
        self.gen = np.random.default_rng(seed)
        self.calls = 0

    def random(self, size, dtype):
        self.calls += 1
        return (np.floor(self.gen.random(size) * 8) / 8).astype(dtype)


def test_random_masks_choose_k_uniformly():
    # The Monte Carlo path's subset sampler (private helper): exactly k chosen
    # per row, all C(n, k) subsets equally likely, also when boundary ties
    # force redraws.
    m = stats._random_masks(np.random.default_rng(9), 40, 30_000, 15_000)
    assert (m.sum(axis=1) == 15_000).all()
    for rng in (np.random.default_rng(10), CoarseRng(11)):
        m = stats._random_masks(rng, 30_000, 5, 2)
        assert (m.sum(axis=1) == 2).all()
        counts = np.unique(m @ (1 << np.arange(5)), return_counts=True)[1]
        assert len(counts) == 10
        assert scipy.stats.chisquare(counts).pvalue > 1e-4
    assert rng.calls > 3  # redraws happened


def test_pure_python_and_numpy_exact_paths_agree(monkeypatch):
    """Small exact tests skip numpy; forcing the numpy path must give the same p-values."""
    import random

    rng = random.Random(11)
    for _ in range(40):
        n1, n2 = rng.randint(1, 7), rng.randint(1, 7)
        high = [float(rng.randint(0, 4)) for _ in range(n1)]
        low = [rng.gauss(1, 1) for _ in range(n2)]
        small = stats.permutation_test(high, low)
        monkeypatch.setattr(stats, "_PURE_PYTHON_LIMIT", 0)
        big = stats.permutation_test(high, low)
        monkeypatch.undo()
        assert small.exact and big.exact
        assert small.relabelings == big.relabelings
        assert abs(small.p - big.p) < 1e-12
