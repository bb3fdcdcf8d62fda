"""Comparison statistics for crosscase: pure functions, no I/O.

Every input is a sequence of floats from which the caller has already
removed missing values (no None, no NaN).  "high" and "low" are the two
groups being compared; every signed statistic is oriented as high - low.

numpy is imported lazily, only inside :func:`permutation_test`, so that
``import metrics.stats`` stays cheap for the headless CLI.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "DEFAULT_SEED",
    "Describe",
    "Permutation",
    "average_ranks",
    "cliffs_delta",
    "describe",
    "hedges_g",
    "mean_difference",
    "median_difference",
    "permutation_test",
    "spearman",
]

DEFAULT_SEED = 20240
"""Seed of numpy.random.default_rng for the Monte Carlo permutation test."""

_TIE_TOL = 1e-9  # a relabeling counts when |d| >= |observed| - _TIE_TOL
_ZERO_VAR_REL = 1e-24  # pooled variance <= this * scale**2 counts as 0
_CHUNK_ELEMENTS = 1 << 18
_PURE_PYTHON_LIMIT = 5_000  # exact tests this small run without numpy (start-up cost)  # elements per numpy work array (cache-friendly chunks)


@dataclass(frozen=True)
class Describe:
    """Summary of one group; every field but n is None when n == 0."""

    n: int
    mean: float | None
    median: float | None
    min: float | None
    max: float | None


@dataclass(frozen=True)
class Permutation:
    """Result of :func:`permutation_test`.

    p: two-sided p-value (None when a group is empty); exact: True when every
    relabeling was enumerated; relabelings: how many relabelings p is based
    on (C(n, n1) when exact, the number of random resamples otherwise, 0 when
    p is None); seed: the RNG seed of the Monte Carlo path (None when exact).
    """

    p: float | None
    exact: bool
    relabelings: int
    seed: int | None


def _mean(values: Sequence[float]) -> float:
    """Arithmetic mean with a correctly rounded sum (math.fsum)."""
    return math.fsum(values) / len(values)


def median(values: Sequence[float]) -> float:
    """Middle value, as given (an int stays an int); the average of the two middle values for even n."""
    s = sorted(values)
    n = len(s)
    mid = n // 2
    return s[mid] if n % 2 else (s[mid - 1] + s[mid]) / 2


def _median(values: Sequence[float]) -> float:
    return float(median(values))


def _sum_sq_dev(values: Sequence[float]) -> float:
    """Sum of squared deviations from the mean, by a shifted two-pass method.

    Values are shifted by the first value before anything else, so a group
    whose values are all equal gives exactly 0.
    """
    shift = values[0]
    d = [v - shift for v in values]
    m = math.fsum(d) / len(d)
    return math.fsum((x - m) ** 2 for x in d)


def describe(values: Sequence[float]) -> Describe:
    """n, mean, median (average of the two middle values for even n), min
    and max of ``values``; all but n are None when n == 0."""
    n = len(values)
    if n == 0:
        return Describe(0, None, None, None, None)
    return Describe(n, _mean(values), _median(values), float(min(values)), float(max(values)))


def mean_difference(high: Sequence[float], low: Sequence[float]) -> float | None:
    """mean(high) - mean(low); None when either group is empty."""
    if not high or not low:
        return None
    return _mean(high) - _mean(low)


def median_difference(high: Sequence[float], low: Sequence[float]) -> float | None:
    """median(high) - median(low); None when either group is empty."""
    if not high or not low:
        return None
    return _median(high) - _median(low)


def hedges_g(high: Sequence[float], low: Sequence[float]) -> float | None:
    """Hedges' g: bias-corrected standardized mean difference, high - low.

    g = (mean(high) - mean(low)) / s_p * (1 - 3 / (4 * (n1 + n2) - 9)), where
    s_p**2 = ((n1 - 1) * s1**2 + (n2 - 1) * s2**2) / (n1 + n2 - 2) is the
    pooled variance and s1**2, s2**2 are the sample variances (n - 1
    denominators).  None when either group has fewer than 2 values or the
    pooled SD is 0; the pooled variance counts as 0 when it is
    <= 1e-24 * scale**2, scale being the largest |value| in either group
    (groups whose values are all equal give exactly 0).
    """
    n1, n2 = len(high), len(low)
    if n1 < 2 or n2 < 2:
        return None
    pooled = (_sum_sq_dev(high) + _sum_sq_dev(low)) / (n1 + n2 - 2)
    scale = max(max(abs(v) for v in high), max(abs(v) for v in low))
    if pooled <= 0.0 or pooled <= _ZERO_VAR_REL * scale * scale:
        return None
    d = (_mean(high) - _mean(low)) / math.sqrt(pooled)
    return d * (1.0 - 3.0 / (4 * (n1 + n2) - 9))


def cliffs_delta(high: Sequence[float], low: Sequence[float]) -> float | None:
    """Cliff's delta: (#pairs high > low - #pairs high < low) / (n1 * n2).

    Pairs run over every (h, l) with h in high and l in low; ties count in
    neither.  None when either group is empty.  O((n1 + n2) log n2).
    """
    if not high or not low:
        return None
    s = sorted(low)
    n2 = len(s)
    net = 0
    for h in high:
        net += bisect.bisect_left(s, h) - (n2 - bisect.bisect_right(s, h))
    return net / (len(high) * n2)


def average_ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks of ``values`` in input order; tied values all get the
    average of the ranks they span."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        rank = (i + j) / 2 + 1
        for k in range(i, j + 1):
            ranks[order[k]] = rank
        i = j + 1
    return ranks


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's rho: the Pearson correlation of the average ranks of x and
    of y (ties share their average rank).  None when there are fewer than 3
    pairs or either variable is constant.  x and y must have equal length."""
    if len(x) != len(y):
        raise ValueError("x and y must have the same length")
    n = len(x)
    if n < 3:
        return None
    rx, ry = average_ranks(x), average_ranks(y)
    m = (n + 1) / 2  # mean of the ranks 1..n, ties included
    dx = [r - m for r in rx]
    dy = [r - m for r in ry]
    sxx = math.fsum(a * a for a in dx)
    syy = math.fsum(b * b for b in dy)
    if sxx == 0.0 or syy == 0.0:
        return None
    sxy = math.fsum(a * b for a, b in zip(dx, dy))
    return max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))


def _diffs(s_small, n1: int, n2: int, total: float, small_is_high: bool):
    """Mean differences S_h / n1 - (T - S_h) / n2 from the sums of the
    smaller group (high when ``small_is_high``, else low)."""
    s_high = s_small if small_is_high else total - s_small
    return s_high / n1 - (total - s_high) / n2


def _random_masks(rng, m: int, n: int, k: int):
    """An (m, n) boolean array; each row a uniformly random choice of k of
    the n positions: those holding the k smallest of n i.i.d. uniform keys.
    A row whose k-th and (k+1)-th smallest keys tie is drawn again (keys are
    exchangeable, so the accepted choice stays uniform)."""
    import numpy as np

    keys = rng.random((m, n), dtype=np.float32)
    mask = np.empty((m, n), dtype=bool)
    todo = np.arange(m)
    while todo.size:
        part = keys[todo]  # a copy, partitioned in place
        part.partition(k - 1, axis=1)
        kth = part[:, k - 1]
        tied = part[:, k:].min(axis=1) <= kth
        done = todo[~tied]
        mask[done] = keys[done] <= kth[~tied, None]
        todo = todo[tied]
        keys[todo] = rng.random((todo.size, n), dtype=np.float32)
    return mask


def _exact_small(high: list[float], low: list[float]) -> Permutation:
    """The exact test by plain enumeration, for small groups (no numpy import)."""
    import itertools

    n1, n2 = len(high), len(low)
    pooled = [*high, *low]
    total = math.fsum(pooled)
    obs = math.fsum(high) / n1 - (total - math.fsum(high)) / n2
    threshold = abs(obs) - _TIE_TOL
    extreme = count = 0
    for combo in itertools.combinations(pooled, n1):
        s_high = math.fsum(combo)
        count += 1
        if abs(s_high / n1 - (total - s_high) / n2) >= threshold:
            extreme += 1
    return Permutation(extreme / count, True, count, None)


def permutation_test(
    high: Sequence[float],
    low: Sequence[float],
    *,
    exact_limit: int = 200_000,
    resamples: int = 10_000,
    seed: int = DEFAULT_SEED,
) -> Permutation:
    """Two-sided permutation test on the difference in means, high - low.

    A relabeling assigns n1 of the n = n1 + n2 pooled values to 'high' and
    the rest to 'low'; its statistic is d = mean(high') - mean(low').  It
    counts as extreme when |d| >= |d_obs| - 1e-9 (d_obs: the observed
    labelling, computed the same way as the relabelings).

    Exact when C(n, n1) <= exact_limit: p = (#extreme relabelings) / C(n, n1)
    over every relabeling, the observed one included.  Otherwise Monte Carlo:
    B = resamples random relabelings from numpy.random.default_rng(seed),
    p = (b + 1) / (B + 1) with b the number of extreme ones (each random
    relabeling puts the smaller group on the positions of the smallest of n
    uniform keys, see _random_masks; deterministic for a given seed).  p is
    None (relabelings 0) when either group is empty.
    """
    n1, n2 = len(high), len(low)
    if n1 == 0 or n2 == 0:
        return Permutation(None, False, 0, None)
    n_comb = math.comb(n1 + n2, n1)
    if n_comb <= min(exact_limit, _PURE_PYTHON_LIMIT):
        return _exact_small(list(high), list(low))
    if n_comb <= exact_limit:
        return _exact_numpy(high, low)
    if resamples < 1:
        raise ValueError("resamples must be >= 1")
    return _monte_carlo(high, low, resamples, seed)


def _pooled(high: Sequence[float], low: Sequence[float]):
    """The pooled values (high first) as a float64 array, their sum, whether the smaller group is
    high, and its size."""
    import numpy as np

    n1, n2 = len(high), len(low)
    pooled = np.asarray([*high, *low], dtype=np.float64)
    small_is_high = n1 <= n2
    return pooled, float(pooled.sum()), small_is_high, n1 if small_is_high else n2


def _exact_numpy(high: Sequence[float], low: Sequence[float]) -> Permutation:
    """The exact test over every relabeling, enumerated in chunks of index rows with numpy."""
    import itertools

    import numpy as np

    n1, n2 = len(high), len(low)
    n = n1 + n2
    pooled, total, small_is_high, k = _pooled(high, low)
    n_comb = math.comb(n, n1)

    # Rows of indices into `pooled` of the smaller group's members.
    def sums(idx):
        return pooled[idx].sum(axis=1)

    ident = np.arange(0, n1) if small_is_high else np.arange(n1, n)
    obs = _diffs(sums(ident[None, :]), n1, n2, total, small_is_high)[0]
    threshold = abs(obs) - _TIE_TOL
    combos = itertools.combinations(range(n), k)
    rows = max(1, _CHUNK_ELEMENTS // k)
    extreme = 0
    while True:
        flat = np.fromiter(itertools.chain.from_iterable(itertools.islice(combos, rows)), dtype=np.intp)
        if flat.size == 0:
            break
        d = _diffs(sums(flat.reshape(-1, k)), n1, n2, total, small_is_high)
        extreme += int(np.count_nonzero(np.abs(d) >= threshold))
    return Permutation(extreme / n_comb, True, n_comb, None)


def _monte_carlo(high: Sequence[float], low: Sequence[float], resamples: int, seed: int) -> Permutation:
    """The Monte Carlo test: ``resamples`` random relabelings from numpy.random.default_rng(seed)."""
    import numpy as np

    n1, n2 = len(high), len(low)
    n = n1 + n2
    pooled, total, small_is_high, k = _pooled(high, low)
    # Rows of 0/1 membership masks of the smaller group over `pooled`.
    ident = np.zeros((1, n), dtype=bool)
    ident[0, :n1] = small_is_high
    ident[0, n1:] = not small_is_high
    obs = _diffs(ident @ pooled, n1, n2, total, small_is_high)[0]
    threshold = abs(obs) - _TIE_TOL
    rng = np.random.default_rng(seed)
    rows = max(1, _CHUNK_ELEMENTS // n)
    extreme = 0
    done = 0
    while done < resamples:
        m = min(rows, resamples - done)
        d = _diffs(_random_masks(rng, m, n, k) @ pooled, n1, n2, total, small_is_high)
        extreme += int(np.count_nonzero(np.abs(d) >= threshold))
        done += m
    return Permutation((extreme + 1) / (resamples + 1), False, resamples, seed)
