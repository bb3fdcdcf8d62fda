"""What the engine returns: the Comparison and its parts (metrics.parts, re-exported here), plain frozen dataclasses.

The headless summary, the snapshot and the dashboard all render these objects (metrics.compare
makes them), so they cannot disagree. No logic here beyond properties.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cases.model import Disclosure, Outcome
from cases.rules import Rule
from metrics.parts import GroupFigures, MetricResult, ThemeGroup, ThemeResult
from metrics.splits import Split

if TYPE_CHECKING:  # below metrics.results (no cycle); not loaded at run time
    from metrics.configurations import Configurations
    from metrics.literature import LinkResult, Literature
    from metrics.qca import QcaResult
    from metrics.sensitivity import Sensitivity

__all__ = ["Comparison", "GroupFigures", "MetricResult", "Options", "ThemeGroup", "ThemeResult"]


@dataclass(frozen=True)
class Options:
    """What the user may override on the command line or in the dashboard (None = study.toml's)."""

    outcome: Outcome | None = None
    rule: Rule | None = None
    disclosure: Disclosure | None = None
    permutations: bool = True


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
    sensitivity: Sensitivity | None = None  # analyse(); None from compare() alone
    configurations: Configurations | None = None
    literature: Literature | None = None  # analyse(); None from compare() alone
    links: tuple[LinkResult, ...] | None = None  # one per [[link]] (with the literature)
    qca: QcaResult | None = None  # analyse(), when the study defines conditions (metrics.qca_study)

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
