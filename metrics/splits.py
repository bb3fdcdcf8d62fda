"""Split rules: how sites are placed in the high, low, middle and missing groups.

The rules and their tie handling are those of study-format.md; every rule uses the outcome's raw
values, whatever ``higher_is_better`` says.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

from cases.model import Outcome
from metrics.stats import median

GROUPS = ("high", "low", "middle", "missing")


@dataclass(frozen=True)
class Split:
    """The result of a split rule: options used, the cut, and the site ids of every group."""

    outcome: str
    rule: str
    cut: float | tuple[float, ...] | None
    options: Mapping[str, object] = field(default_factory=dict)
    high: tuple[str, ...] = ()
    low: tuple[str, ...] = ()
    middle: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    # disclosure control: the count metrics whose values the cut would reveal; the cut is then None
    withheld: tuple[str, ...] = ()

    @cached_property
    def _group_index(self) -> dict[str, str]:
        return {site: name for name in reversed(GROUPS) for site in getattr(self, name)}

    def group_of(self, site: str) -> str | None:
        """The group of ``site`` (high, low, middle, missing), or None for an unknown site."""
        return self._group_index.get(site)


Values = Mapping[str, float | None]
Groups = dict[str, list[str]]
Cut = float | tuple[float, ...] | None
# a rule places the sites: (order, outcome, values, second) -> (cut, options, groups)
Placed = tuple[Cut, dict[str, object], Groups]
Rule = Callable[[list[str], Outcome, Values, Values | None], Placed]


def split_sites(
    order: list[str],
    outcome: Outcome,
    values: Mapping[str, float | None],
    second: Mapping[str, float | None] | None = None,
) -> Split:
    """Place every site of ``order`` (the sites file's order) by the rule of ``outcome``.

    ``values`` holds the outcome per site; ``second`` the second metric for quadrants.
    Raises ValueError for an explicit list naming an unknown site or a site in both lists.
    """
    rule = RULES.get(outcome.split)
    if rule is None:
        raise ValueError(f'unknown split rule "{outcome.split}"')
    cut, options, groups = rule(order, outcome, values, second)
    return _make(outcome.metric, outcome.split, cut, options, groups)


def _empty_groups() -> Groups:
    return {g: [] for g in GROUPS}


def _present(order: list[str], values: Values) -> dict[str, float]:
    """The sites of ``order`` with a value, in that order, and their values."""
    return {s: v for s in order if (v := values.get(s)) is not None}


def _missing_apart(order: list[str], values: Values) -> tuple[dict[str, float], Groups]:
    """The sites with a value, and the groups with the missing ones already placed."""
    groups = _empty_groups()
    groups["missing"] = [s for s in order if values.get(s) is None]
    return _present(order, values), groups


def _split_explicit(order: list[str], outcome: Outcome, values: Values, second: Values | None) -> Placed:
    """The study's own high and low lists; a site in neither is middle, a site without a value missing."""
    known = set(order)
    for s in (*outcome.high, *outcome.low):
        if s not in known:
            raise ValueError(f'explicit split: "{s}" is not a site')
    both = set(outcome.high) & set(outcome.low)
    if both:
        raise ValueError(f'explicit split: "{sorted(both)[0]}" is in both high and low')
    options: dict[str, object] = {"high": list(outcome.high), "low": list(outcome.low)}
    high, low = set(outcome.high), set(outcome.low)
    groups = _empty_groups()
    for s in order:
        if values.get(s) is None:
            groups["missing"].append(s)
        elif s in high:
            groups["high"].append(s)
        elif s in low:
            groups["low"].append(s)
        else:
            groups["middle"].append(s)
    return None, options, groups


def _split_quadrants(order: list[str], outcome: Outcome, values: Values, second: Values | None) -> Placed:
    """High above both medians, low below both, middle otherwise; missing without both values."""
    first = _present(order, values)
    other = _present(order, second or {})
    have = [s for s in first if s in other]
    groups = _empty_groups()
    cut: Cut = None
    if have:
        m1 = median([first[s] for s in have])
        m2 = median([other[s] for s in have])
        cut = (m1, m2)
    for s in order:
        if s not in other or s not in first:
            groups["missing"].append(s)
        elif first[s] > m1 and other[s] > m2:
            groups["high"].append(s)
        elif first[s] < m1 and other[s] < m2:
            groups["low"].append(s)
        else:
            groups["middle"].append(s)
    return cut, {"second": outcome.second}, groups


def _split_median(order: list[str], outcome: Outcome, values: Values, second: Values | None) -> Placed:
    """Above the median high, below it low, at it middle."""
    present, groups = _missing_apart(order, values)
    if not present:
        return None, {}, groups
    cut = median(list(present.values()))
    for s, v in present.items():
        groups["high" if v > cut else "low" if v < cut else "middle"].append(s)
    return cut, {}, groups


def _split_threshold(order: list[str], outcome: Outcome, values: Values, second: Values | None) -> Placed:
    """At or above the study's threshold high, below it low."""
    present, groups = _missing_apart(order, values)
    cut = outcome.threshold
    if cut is None:
        raise ValueError("threshold split needs a threshold")
    for s, v in present.items():
        groups["high" if v >= cut else "low"].append(s)
    return cut, {"threshold": cut}, groups


def _split_tertiles(order: list[str], outcome: Outcome, values: Values, second: Values | None) -> Placed:
    """The k = n // 3 highest high, the k lowest low (see ``_tertiles``)."""
    present, groups = _missing_apart(order, values)
    return _tertiles(list(present), present, groups), {}, groups


RULES: dict[str, Rule] = {
    "median": _split_median,
    "threshold": _split_threshold,
    "tertiles": _split_tertiles,
    "quadrants": _split_quadrants,
    "explicit": _split_explicit,
}


def _tertiles(present: list[str], values: Mapping[str, float], groups: Groups) -> tuple[float, float] | None:
    """k = n // 3 highest are high, k lowest are low; a site tied across a boundary is middle."""
    n = len(present)
    k = n // 3
    if k == 0:
        groups["middle"].extend(present)
        return None
    ranked = sorted(present, key=lambda s: values[s])
    low_vals = [values[s] for s in ranked[:k]]
    high_vals = [values[s] for s in ranked[n - k :]]
    rest_low = [values[s] for s in ranked[k:]]  # everything not in the k lowest
    rest_high = [values[s] for s in ranked[: n - k]]  # everything not in the k highest
    low_bound, high_bound = max(low_vals), min(high_vals)
    above_low = min(rest_low) if rest_low else None  # the smallest value not among the k lowest
    below_high = max(rest_high) if rest_high else None  # the largest value not among the k highest
    for s in present:
        v = values[s]
        in_low = v <= low_bound and (above_low is None or v < above_low)
        in_high = v >= high_bound and (below_high is None or v > below_high)
        groups["high" if in_high else "low" if in_low else "middle"].append(s)
    return (low_bound, high_bound)


def _middle(values: list[float]) -> list[float]:
    """The value(s) a median is made of: the middle one, or the two middle ones for even n."""
    s = sorted(values)
    mid = len(s) // 2
    return s[mid : mid + 1] if len(s) % 2 else s[mid - 1 : mid + 1]


def withhold_cut(
    split: Split,
    limits: Mapping[str, int],
    values: Mapping[str, float | None],
    second: Mapping[str, float | None] | None = None,
) -> Split:
    """The split with its cut left out when a printed cut would reveal a count below its limit.

    ``limits`` maps the count metrics among the outcome (and quadrants' second metric) to their
    ``min_count``. A cut made of site values (a median: the middle value or the two middle ones;
    a tertile boundary: one site's value) is withheld when any of those values is below the
    limit: with the groups beside it, such a number gives a site's count away. A cut is withheld
    whole (a quadrants or tertiles cut with one such part is left out entirely). A threshold is
    the user's own number and never withheld (``threshold_problem`` refuses one below the limit);
    an explicit split has no cut.
    """
    if split.cut is None or split.rule not in ("median", "tertiles", "quadrants"):
        return split
    sources: dict[str, list[float]] = {}
    placed = (*split.high, *split.low, *split.middle)  # the sites with a value
    if split.rule == "tertiles":
        sources[split.outcome] = list(split.cut) if isinstance(split.cut, tuple) else [split.cut]
    else:  # median, quadrants
        sources[split.outcome] = _middle(list(_present(list(placed), values).values()))
        key = split.options.get("second")
        if isinstance(key, str) and second is not None:
            sources[key] = _middle(list(_present(list(placed), second).values()))
    withheld = tuple(k for k, vals in sources.items() if k in limits and any(v < limits[k] for v in vals))
    if not withheld:
        return split
    return replace(split, cut=None, withheld=withheld)


def threshold_problem(outcome: Outcome, limit: int | None) -> str | None:
    """Why a threshold split on a count cannot be shown, or None.

    A threshold is the user's own number, so it may be printed; but the low group holds exactly the
    sites below it. Below ``min_count`` that band is finer than the "<N" disclosure control allows
    (a threshold of 1 names every site with no participant), so such a split is refused. At or
    above ``min_count``, the low group says only "fewer than T" (no finer than "<N") and the high
    group holds counts of at least ``min_count``, which may be shown anyway.
    """
    if outcome.split != "threshold" or outcome.threshold is None or not limit or outcome.threshold >= limit:
        return None
    return (
        f"a threshold of {outcome.threshold:g} on {outcome.metric}, a count of people, is below min_count "
        f"{limit}: the low group would show which sites have fewer than {outcome.threshold:g} (disclosure "
        f"control); use a threshold of at least {limit} or another split rule"
    )


def _make(outcome: str, rule: str, cut, options, groups) -> Split:
    return Split(outcome, rule, cut, options, *(tuple(groups[g]) for g in GROUPS))
