"""What the engine returns: the Comparison and its parts, plain frozen dataclasses.

The headless summary, the snapshot and the dashboard all render these objects (metrics.compare
makes them), so they cannot disagree. No logic here beyond properties.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cases.model import Disclosure, Outcome
from cases.rules import Rule
from metrics import stats
from metrics.splits import Split


@dataclass(frozen=True)
class Options:
    """What the user may override on the command line or in the dashboard (None = study.toml's)."""

    outcome: Outcome | None = None
    rule: Rule | None = None
    disclosure: Disclosure | None = None
    permutations: bool = True


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
    ratings: tuple[tuple[str, str], ...]  # (site, canonical token), sites without a row left out


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


@dataclass(frozen=True, repr=False)
class Comparison:
    title: str
    synthetic: bool
    fingerprint: str
    folder: str
    split: Split
    rule: Rule
    disclosure: Disclosure
    metrics: tuple[MetricResult, ...]
    themes: tuple[ThemeResult, ...]
    warnings: tuple[str, ...]
    labels: dict[str, str] = field(default_factory=dict)  # site id -> label
    sensitivity: object | None = None
    configurations: object | None = None
    literature: object | None = None  # metrics.literature.Literature (analyse(); None from compare() alone)
    links: tuple | None = None  # metrics.literature.LinkResult per [[link]] (with the literature)
    qca: object | None = None  # metrics.qca.QcaResult (analyse(), when the study defines conditions)

    @property
    def pending(self) -> bool:
        return any(m.permutation is None for m in self.metrics)

    def __repr__(self) -> str:
        # short on purpose: Textual and debuggers repr arguments, and a full repr of 2,000 sites is slow
        s = self.split
        return (
            f"Comparison({self.title!r}, {s.outcome} by {s.rule}: high {len(s.high)}, low {len(s.low)}, "
            f"middle {len(s.middle)}, missing {len(s.missing)}; {len(self.metrics)} metrics, "
            f"{len(self.themes)} themes{', p pending' if self.pending else ''})"
        )
