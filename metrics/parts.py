"""The parts of a Comparison (metrics.results): a metric's and a theme's figures, plain frozen dataclasses.

Below metrics.results so that what a Comparison holds beside them (metrics.literature's rows, which
carry a ThemeResult as their evidence) can name them without an import cycle. No logic here beyond
properties.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from metrics import stats


@dataclass(frozen=True)
class GroupFigures:
    n: int
    mean: float | None
    median: float | None
    min: float | None
    max: float | None
    values: tuple[tuple[str, float | str | None], ...]  # every site of the group; "<10" when suppressed


@dataclass(frozen=True)
class MetricResult:
    metric: str
    label: str
    unit: str | None
    higher_is_better: bool
    count: bool
    high: GroupFigures
    low: GroupFigures
    mean_difference: float | None
    median_difference: float | None
    hedges_g: float | None
    cliffs_delta: float | None
    permutation: stats.Permutation | None  # None while pending (the dashboard fills it in later)
    spearman_with_outcome: float | None
    suppressed: bool = False

    @property
    def p_permutation(self) -> float | None:
        return None if self.permutation is None else self.permutation.p


@dataclass(frozen=True)
class ThemeGroup:
    rated: int
    mean: float | None
    ratings: Sequence[tuple[str, str]]  # (site, canonical token), sites without a row left out (a tuple, or
    # metrics.themepass.LazyRatings for a large study: equal to the tuple, built on first full use)


@dataclass(frozen=True)
class ThemeResult:
    theme: str
    title: str
    domain: str | None
    high: ThemeGroup
    low: ThemeGroup
    middle: ThemeGroup
    distinguishing: str
    direction: str
    rule: str
    # What the rule looked at (filled by the theme pass; None where a group has no valence rating):
    diff: float | None = None  # mean(high) - mean(low) of the valence ratings
    gap: float | None = None  # lowest high rating - highest low rating
    met: str | None = None  # the threshold the label met, in words ("gap >= 1, diff >= 2")
    published: str | None = None  # the authors' own judgement, when the study records one
    judgement: str | None = None  # the analyst's own label (judgements.csv); never replaces ``distinguishing``
    judgement_reason: str | None = None
