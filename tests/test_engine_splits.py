"""Split rules (metrics.splits) against re-implementations written from study-format.md.

"How the split rules place sites": a site without an outcome value is missing; every other site is
high, low or middle.
- median: above the median is high, below it is low, exactly at it is middle.
- threshold: at or above the threshold is high, below it is low.
- tertiles: k = n // 3; the k highest are high and the k lowest are low; a site tied in value with a
  site across either boundary is middle, as is everything between.
- quadrants: medians of the outcome and of `second`, each over the sites that have both values;
  high = above both, low = below both, anything else middle; a site missing either value is missing.
- explicit: the listed sites; sites in neither list are middle; a site in both lists or an unknown
  id is an error.

The references below deliberately use other formulations (statistics.median, counting the sites at
or below a value for tertiles) than the module does.
"""

from __future__ import annotations

import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.model import GROUPS, Outcome
from metrics.splits import split_sites

# Values from a small pool so that ties (and ties at the median / across tertile boundaries) are
# common; None is a missing value.
VALUE = st.one_of(st.none(), st.sampled_from([0.0, 1.0, 1.5, 2.0, 2.0, 3.0, 7.25, -1.0]))


def ids_for(n: int, shuffle_seed: int) -> list[str]:
    """Site ids in a 'sites-file order' that is not sorted, so order preservation is tested."""
    ids = [f"site-{i:02d}" for i in range(n)]
    k = shuffle_seed % (n or 1)
    return ids[k:][::-1] + ids[:k]


def ref_groups(order, placement) -> dict[str, list[str]]:
    out = {g: [] for g in GROUPS}
    for s in order:
        out[placement[s]].append(s)
    return out


def check_partition(split, order, expected: dict[str, list[str]]):
    got = {g: list(getattr(split, g)) for g in GROUPS}
    assert got == expected
    # every site in exactly one group, each group in sites-file order
    flat = [s for g in GROUPS for s in got[g]]
    assert sorted(flat) == sorted(order) and len(flat) == len(set(flat))
    for g in GROUPS:
        positions = [order.index(s) for s in got[g]]
        assert positions == sorted(positions)
        for s in got[g]:
            assert split.group_of(s) == g


# ---------------------------------------------------------------------------------------------
# references straight from the contract text


def ref_median(order, values):
    present = [s for s in order if values[s] is not None]
    placement = {s: "missing" for s in order if values[s] is None}
    cut = statistics.median([values[s] for s in present]) if present else None
    for s in present:
        v = values[s]
        placement[s] = "high" if v > cut else "low" if v < cut else "middle"
    return ref_groups(order, placement), cut


def ref_threshold(order, values, t):
    placement = {s: "missing" if values[s] is None else "high" if values[s] >= t else "low" for s in order}
    return ref_groups(order, placement)


def ref_tertiles(order, values):
    present = [s for s in order if values[s] is not None]
    n, k = len(present), len(present) // 3
    placement = {s: "missing" for s in order if values[s] is None}
    vals = [values[s] for s in present]
    for s in present:
        v = values[s]
        at_or_below = sum(1 for w in vals if w <= v)  # the block of sites tied with s ends here
        at_or_above = sum(1 for w in vals if w >= v)
        # s is among the k lowest with its whole tie block inside them: nothing tied across
        if k and at_or_below <= k:
            placement[s] = "low"
        elif k and at_or_above <= k:
            placement[s] = "high"
        else:
            placement[s] = "middle"
    if k == 0:
        cut = None
    else:
        srt = sorted(vals)
        cut = (srt[k - 1], srt[n - k])  # [max of the low third, min of the high third] by rank
    return ref_groups(order, placement), cut


def ref_quadrants(order, values, second):
    have = [s for s in order if values[s] is not None and second[s] is not None]
    placement = {s: "missing" for s in order if s not in have}
    cut = None
    if have:
        m1 = statistics.median([values[s] for s in have])
        m2 = statistics.median([second[s] for s in have])
        cut = (m1, m2)
        for s in have:
            if values[s] > m1 and second[s] > m2:
                placement[s] = "high"
            elif values[s] < m1 and second[s] < m2:
                placement[s] = "low"
            else:
                placement[s] = "middle"
    return ref_groups(order, placement), cut


def ref_explicit(order, values, high, low):
    placement = {}
    for s in order:
        if values[s] is None:
            placement[s] = "missing"
        elif s in high:
            placement[s] = "high"
        elif s in low:
            placement[s] = "low"
        else:
            placement[s] = "middle"
    return ref_groups(order, placement)


# ---------------------------------------------------------------------------------------------
# property tests


@settings(max_examples=300, deadline=None)
@given(st.lists(VALUE, max_size=14), st.integers(0, 50))
def test_median(vals, seed):
    order = ids_for(len(vals), seed)
    values = dict(zip(order, vals))
    split = split_sites(order, Outcome("y", "median"), values)
    expected, cut = ref_median(order, values)
    check_partition(split, order, expected)
    assert split.cut == cut
    assert split.rule == "median" and split.outcome == "y"


@settings(max_examples=300, deadline=None)
@given(st.lists(VALUE, max_size=14), st.integers(0, 50), st.sampled_from([-1.0, 0.0, 1.5, 2.0, 2.5, 100.0]))
def test_threshold(vals, seed, t):
    order = ids_for(len(vals), seed)
    values = dict(zip(order, vals))
    split = split_sites(order, Outcome("y", "threshold", threshold=t), values)
    check_partition(split, order, ref_threshold(order, values, t))
    assert split.cut == t
    assert split.options == {"threshold": t}


def test_threshold_without_threshold_is_an_error():
    with pytest.raises(ValueError):
        split_sites(["a"], Outcome("y", "threshold"), {"a": 1.0})


@settings(max_examples=400, deadline=None)
@given(st.lists(VALUE, max_size=16), st.integers(0, 50))
def test_tertiles(vals, seed):
    order = ids_for(len(vals), seed)
    values = dict(zip(order, vals))
    split = split_sites(order, Outcome("y", "tertiles"), values)
    expected, cut = ref_tertiles(order, values)
    check_partition(split, order, expected)
    assert split.cut == cut
    present = [s for s in order if values[s] is not None]
    k = len(present) // 3
    assert len(split.high) <= k and len(split.low) <= k


@pytest.mark.parametrize(
    "vals, high, low, middle",
    [
        ([], [], [], []),
        ([1.0], [], [], ["a"]),  # n < 3: k = 0, everything middle
        ([1.0, 2.0], [], [], ["a", "b"]),
        ([1.0, 2.0, 3.0], ["c"], ["a"], ["b"]),
        ([5.0, 5.0, 5.0], [], [], ["a", "b", "c"]),  # all equal: every site tied across both
        ([5.0] * 7, [], [], list("abcdefg")),
        ([1.0, 1.0, 2.0, 3.0, 3.0, 4.0], ["f"], ["a", "b"], list("cde")),  # high boundary tie: d, e middle
        ([1.0, 2.0, 2.0, 3.0, 4.0, 5.0], ["e", "f"], ["a"], list("bcd")),  # low boundary tie: b, c middle
        ([1.0, 2.0, 3.0, 4.0, 4.0, 4.0], [], ["a", "b"], list("cdef")),  # high boundary tie
        ([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], ["f", "g"], ["a", "b"], ["c", "d", "e"]),
        ([1.0, 2.0, 2.0, 4.0, 5.0, 6.0, 7.0], ["f", "g"], ["a"], ["b", "c", "d", "e"]),
    ],
)
def test_tertiles_examples(vals, high, low, middle):
    order = list("abcdefg")[: len(vals)]
    split = split_sites(order, Outcome("y", "tertiles"), dict(zip(order, vals)))
    assert (list(split.high), list(split.low), list(split.middle)) == (high, low, middle)


def test_tertiles_cut_is_low_max_and_high_min():
    order = list("abcdef")
    split = split_sites(order, Outcome("y", "tertiles"), dict(zip(order, [6.0, 1.0, 4.0, 2.0, 5.0, 3.0])))
    assert split.cut == (2.0, 5.0)
    assert split.high == ("a", "e") and split.low == ("b", "d") and split.middle == ("c", "f")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(VALUE, VALUE), max_size=14), st.integers(0, 50))
def test_quadrants(pairs, seed):
    order = ids_for(len(pairs), seed)
    values = {s: a for s, (a, _) in zip(order, pairs)}
    second = {s: b for s, (_, b) in zip(order, pairs)}
    split = split_sites(order, Outcome("y", "quadrants", second="z"), values, second)
    expected, cut = ref_quadrants(order, values, second)
    check_partition(split, order, expected)
    assert split.cut == cut
    assert split.options == {"second": "z"}


def test_quadrants_medians_use_only_sites_with_both_values():
    order = list("abcde")
    y = {"a": 1.0, "b": 2.0, "c": 3.0, "d": 100.0, "e": None}
    z = {"a": 1.0, "b": 2.0, "c": 3.0, "d": None, "e": 50.0}
    split = split_sites(order, Outcome("y", "quadrants", second="z"), y, z)
    assert split.cut == (2.0, 2.0)
    assert split.high == ("c",) and split.low == ("a",) and split.middle == ("b",)
    assert split.missing == ("d", "e")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(VALUE, st.sampled_from(["high", "low", "neither"])), max_size=14), st.integers(0, 50))
def test_explicit(rows, seed):
    order = ids_for(len(rows), seed)
    values = {s: v for s, (v, _) in zip(order, rows)}
    high = tuple(s for s, (_, g) in zip(order, rows) if g == "high")
    low = tuple(s for s, (_, g) in zip(order, rows) if g == "low")
    split = split_sites(order, Outcome("y", "explicit", high=high[::-1], low=low), values)
    check_partition(split, order, ref_explicit(order, values, set(high), set(low)))
    assert split.cut is None
    assert split.options == {"high": list(high[::-1]), "low": list(low)}


def test_explicit_errors():
    order = ["a", "b", "c"]
    values = {"a": 1.0, "b": 2.0, "c": 3.0}
    with pytest.raises(ValueError, match="not a site"):
        split_sites(order, Outcome("y", "explicit", high=("a", "zz"), low=("b",)), values)
    with pytest.raises(ValueError, match="both"):
        split_sites(order, Outcome("y", "explicit", high=("a", "b"), low=("b",)), values)


def test_unknown_rule_is_an_error():
    with pytest.raises(ValueError):
        split_sites(["a"], Outcome("y", "deciles"), {"a": 1.0})


def test_median_exact_at_median_is_middle_and_raw_values_are_used():
    order = ["a", "b", "c", "d", "e"]
    split = split_sites(order, Outcome("y", "median"), dict(zip(order, [3.0, 1.0, 2.0, 5.0, 2.0])))
    assert split.cut == 2.0
    assert split.high == ("a", "d") and split.low == ("b",) and split.middle == ("c", "e")
    # even n: the median is the mean of the two middle values; nobody sits exactly at it here
    split = split_sites(order[:4], Outcome("y", "median"), dict(zip(order, [3.0, 1.0, 2.0, 5.0])))
    assert split.cut == 2.5 and split.middle == ()
