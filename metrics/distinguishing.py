"""Whether a theme distinguishes high from low sites: named, documented, configurable rules.

Published CFIR studies (Damschroder & Lowery 2013) judge a construct *distinguishing* when its
ratings follow the sites' implementation level, "strong" or "weak", by looking at the pattern.
crosscase makes that judgement a rule over the valence ratings (-2..+2) of the two groups:

``share`` (the default)
    share = the part of the high sites rated above every low site; z = diff / sqrt(1/n_high + 1/n_low),
    the difference in means in standard errors if ratings scatter by one point (so one site a side
    needs a larger difference than four against one); diff = mean(high) - mean(low).
    weak: share >= min_share and z >= min_z;  strong: weak and diff >= strong_diff.
    Defaults chosen over five published tables, judged leave-one-table-out
    (tests/test_distinguishing_calibration.py, docs/distinguishing.md).
``gap``
    gap = lowest high-site rating - highest low-site rating.
    strong: gap >= strong_gap and diff >= strong_diff;  weak: gap >= weak_gap and diff >= weak_diff.
``means``
    on the difference in means alone: strong when diff >= strong_diff, weak when diff >= weak_diff.
``valence``
    on the signs: strong when every high site is positive and every low site negative;
    weak when no high site is negative, no low site positive and diff >= weak_diff.

Every rule says ``insufficient`` when either group has no valence rating. A theme that the same
rule labels with the groups swapped (low sites rated higher) gets that label, direction "reversed".
See docs/distinguishing.md for the calibration against published judgements.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from cases.model import COMPARED
from cases.rules import VALENCES, Rule
from metrics.numbers import short


@dataclass(frozen=True)
class Summary:
    """What every rule looks at in one group's valence ratings."""

    n: int
    min: float
    max: float
    mean: float
    hist: tuple[int, ...] | None = None  # how many ratings of each of VALENCES (-2..+2); None: not counted

    @classmethod
    def of(cls, ratings: Sequence[int]) -> Summary:
        hist = tuple(sum(1 for r in ratings if r == v) for v in VALENCES)
        return cls(
            len(ratings),
            min(ratings),
            max(ratings),
            sum(ratings) / len(ratings),
            hist if sum(hist) == len(ratings) else None,
        )


def share_above(high: Summary, low: Summary) -> float:
    """The part of ``high``'s ratings above every one of ``low``'s (1 when the groups do not touch)."""
    if high.min > low.max:
        return 1.0
    if high.max <= low.max:
        return 0.0
    if high.hist is None:
        raise ValueError("the share rule needs each group's count of every valence (Summary.hist)")
    return sum(c for v, c in zip(VALENCES, high.hist) if v > low.max) / high.n


def z_of(high: Summary, low: Summary) -> float:
    """diff / sqrt(1/n_high + 1/n_low): the difference in means over its standard error at SD 1."""
    return (high.mean - low.mean) / math.sqrt(1 / high.n + 1 / low.n)


def _label(rule: Rule, high: Summary, low: Summary) -> str:
    p = rule.params
    diff = high.mean - low.mean
    eps = 1e-9
    if rule.name == "gap":
        gap = high.min - low.max
        if gap >= p["strong_gap"] - eps and diff >= p["strong_diff"] - eps:
            return "strong"
        if gap >= p["weak_gap"] - eps and diff >= p["weak_diff"] - eps:
            return "weak"
        return "none"
    if rule.name == "share":
        if share_above(high, low) >= p["min_share"] - eps and z_of(high, low) >= p["min_z"] - eps:
            return "strong" if diff >= p["strong_diff"] - eps else "weak"
        return "none"
    if rule.name == "means":
        if diff >= p["strong_diff"] - eps:
            return "strong"
        if diff >= p["weak_diff"] - eps:
            return "weak"
        return "none"
    # valence
    if high.min > 0 and low.max < 0:
        return "strong"
    if high.min >= 0 and low.max <= 0 and diff >= p["weak_diff"] - eps:
        return "weak"
    return "none"


def judge_summaries(rule: Rule, high: Summary | None, low: Summary | None) -> tuple[str, str]:
    """(label, direction) from the two groups' summaries; None = the group has no valence rating."""
    if high is None or low is None or not high.n or not low.n:
        return "insufficient", "expected"
    label = _label(rule, high, low)
    if label != "none":
        return label, "expected"
    swapped = _label(rule, low, high)
    if swapped != "none":
        return swapped, "reversed"
    return "none", "expected"


def judge(rule: Rule, high: Sequence[int], low: Sequence[int]) -> tuple[str, str]:
    """(label, direction) for the valence ratings of the high and the low group."""
    return judge_summaries(rule, Summary.of(high) if high else None, Summary.of(low) if low else None)


@dataclass(frozen=True)
class Assessment:
    """A rule's label and what it looked at: the figures and, in words, the threshold the label met."""

    label: str
    direction: str
    diff: float | None  # mean(high) - mean(low); None when a group has no valence rating
    gap: float | None  # min(high) - max(low)
    met: str  # e.g. "strong: gap >= 1 and diff >= 2.5"; for none the nearest unmet threshold


def _conditions(rule: Rule, level: str, high: Summary, low: Summary) -> list[tuple[str, bool, str]]:
    """(condition in words, met?, the figure it looked at) for one level of ``rule`` (groups as given)."""
    p = rule.params
    eps = 1e-9
    diff, gap = high.mean - low.mean, high.min - low.max
    if rule.name == "gap":
        g, d = p[f"{level}_gap"], p[f"{level}_diff"]
        return [
            (f"gap >= {short(g)}", gap >= g - eps, f"gap {short(_r(gap))}"),
            (f"diff >= {short(d)}", diff >= d - eps, f"diff {short(_r(diff))}"),
        ]
    if rule.name == "share":
        sh, z = share_above(high, low), z_of(high, low)
        out = [
            (f"share >= {short(p['min_share'])}", sh >= p["min_share"] - eps, f"share {short(_r(sh))}"),
            (f"z >= {short(p['min_z'])}", z >= p["min_z"] - eps, f"z {short(_r(z))}"),
        ]
        if level == "strong":
            out.append(
                (f"diff >= {short(p['strong_diff'])}", diff >= p["strong_diff"] - eps, f"diff {short(_r(diff))}")
            )
        return out
    if rule.name == "means":
        d = p[f"{level}_diff"]
        return [(f"diff >= {short(d)}", diff >= d - eps, f"diff {short(_r(diff))}")]
    if level == "strong":
        return [
            ("every high site > 0", high.min > 0, f"lowest high {short(high.min)}"),
            ("every low site < 0", low.max < 0, f"highest low {short(low.max)}"),
        ]
    d = p["weak_diff"]
    return [
        ("no high site < 0", high.min >= 0, f"lowest high {short(high.min)}"),
        ("no low site > 0", low.max <= 0, f"highest low {short(low.max)}"),
        (f"diff >= {short(d)}", diff >= d - eps, f"diff {short(_r(diff))}"),
    ]


def _r(x: float) -> float:
    return round(x, 3) + 0.0


def _met_text(label: str, conditions) -> str:
    return f"{label}: " + " and ".join(c for c, _, _ in conditions)


def assess_summaries(rule: Rule, high: Summary | None, low: Summary | None) -> Assessment:
    """The label, the direction, diff, gap and the threshold met (judge_summaries, explained)."""
    label, direction = judge_summaries(rule, high, low)
    if label == "insufficient" or high is None or low is None:  # judge_summaries: insufficient without both
        empty = [g for g, s in zip(COMPARED, (high, low), strict=True) if s is None or not s.n]
        why = "neither group has a" if len(empty) == 2 else f"the {empty[0]} group has no"
        return Assessment(label, direction, None, None, f"insufficient: {why} valence rating")
    diff, gap = float(high.mean - low.mean), float(high.min - low.max)
    if label != "none":
        a, b = (high, low) if direction == "expected" else (low, high)
        met = _met_text(label, _conditions(rule, label, a, b))
        if direction == "reversed":
            met += " (groups swapped: the low sites rated higher)"
        return Assessment(label, direction, diff, gap, met)
    a, b, swapped = (high, low, False) if diff >= 0 else (low, high, True)
    unmet = [(c, seen) for c, ok, seen in _conditions(rule, "weak", a, b) if not ok]
    met = "none: weak needs " + " and ".join(f"{c} ({seen})" for c, seen in unmet)
    if swapped:
        met += " with the groups swapped"
    return Assessment(label, direction, diff, gap, met)


def assess(rule: Rule, high: Sequence[int], low: Sequence[int]) -> Assessment:
    """assess_summaries for the valence ratings of the high and the low group."""
    return assess_summaries(rule, Summary.of(high) if high else None, Summary.of(low) if low else None)
