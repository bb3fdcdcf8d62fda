"""The model a study folder loads into. Plain frozen dataclasses: no I/O here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import TypeGuard

from cases.qca_spec import QcaSpec
from cases.rules import DEFAULT_RULE
from cases.tokens import VALENCE_OF

SPLIT_RULES = ("median", "threshold", "tertiles", "quadrants", "explicit")
# crosscase import's choices (cases/qdpx_sites.py, cases/qdpx_read.py position_units): what a site is,
# and how a coded selection's positions count characters
SITES_FROM = ("cases", "sources", "sets")
POSITIONS = ("auto", "code-points", "utf16")
# the groups a split puts the sites in, in the order of the summary and a snapshot
GROUPS = ("high", "low", "middle", "missing")
COMPARED = GROUPS[:2]  # the two groups whose figures are compared
PLACED = GROUPS[:3]  # the groups of the sites with an outcome value (their ratings are counted)
BY_OUTCOME = ("high", "middle", "low", "missing")  # top to bottom, as the tables and lists show them
# what a split records beyond its outcome metric and rule (Split.options, a summary's and snapshot's split)
SPLIT_OPTIONS = ("threshold", "second", "high", "low")
DERIVE_RULES = ("share_with_at_least", "mean_contacts", "median_contacts", "participants")


@dataclass(frozen=True)
class Derive:
    """How a metric is computed from the contact log instead of read from sites."""

    rule: str
    n: int = 1


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    higher_is_better: bool = True
    count: bool = False
    derive: Derive | None = None


def is_number(value: object) -> TypeGuard[int | float]:
    """An int or a float: not a bool (True is an int in Python), not a suppressed count's "<10", not None."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_count(metric: Metric) -> bool:
    """A count of people: ``count = true``, or derived as the number of participants."""
    return bool(metric.count) or (metric.derive is not None and metric.derive.rule == "participants")


def count_limits(study: Study, keys: Iterable[str], disclosure: Disclosure) -> dict[str, int]:
    """key -> min_count for each of ``keys`` that is a count metric under disclosure control."""
    if disclosure.min_count <= 0:
        return {}
    return {k: disclosure.min_count for k in keys if k in study.metrics and is_count(study.metrics[k])}


@dataclass(frozen=True)
class Outcome:
    """How sites are split into high and low groups (the study's ``[outcome]``)."""

    metric: str
    split: str = "median"
    threshold: float | None = None
    second: str | None = None
    high: tuple[str, ...] = ()
    low: tuple[str, ...] = ()

    def overridden(self, **changes) -> Outcome:
        """This outcome with the given fields replaced: the one way the command line's options, a
        snapshot's split and the split dialog's fields override it (site lists: any iterable of ids)."""
        for key in ("high", "low"):
            if key in changes:
                changes[key] = tuple(changes[key])
        return replace(self, **changes)


def outcome_of(split: Mapping, base: Outcome | None = None) -> Outcome:
    """The Outcome a split was made with (a summary's or snapshot's ``split``: outcome, rule and
    SPLIT_OPTIONS), over ``base`` (the study's own [outcome]) where there is one."""
    changes = {"metric": split["outcome"], "split": split["rule"], **{k: split[k] for k in SPLIT_OPTIONS if k in split}}
    return (base if base is not None else Outcome(split["outcome"])).overridden(**changes)


def site_ids(text: str) -> tuple[str, ...]:
    """A comma-separated list of site ids, blanks dropped: "S1, S3,,S5" is ("S1", "S3", "S5")."""
    return tuple(s.strip() for s in text.split(",") if s.strip())


@dataclass(frozen=True)
class Condition:
    """A crisp condition of the configuration table: a metric with a bound, or an attribute value."""

    name: str
    metric: str | None = None
    at_least: float | None = None
    at_most: float | None = None
    attribute: str | None = None
    equals: str | None = None


@dataclass(frozen=True)
class Disclosure:
    min_count: int = 10
    pseudonymise: bool = False

    def overridden(self, min_count: int | None = None, pseudonymise: bool = False) -> Disclosure:
        """This policy with the command line's overrides: a given min_count replaces it, and
        pseudonymise can only be switched on (never off)."""
        return Disclosure(self.min_count if min_count is None else min_count, pseudonymise or self.pseudonymise)


@dataclass(frozen=True)
class RuleSpec:
    """The distinguishing rule as written: a name and its parameters (checked by ``metrics``)."""

    name: str = DEFAULT_RULE
    params: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    domain: str | None = None
    construct: str | None = None
    summary: str | None = None
    sources: tuple[str, ...] = ()
    kind: str = "study"  # study | literature | cfir2009 | cfir2
    influence: str | None = None  # facilitator | barrier | both (literature themes)
    parent: str | None = None
    cfir2009: str | None = None  # the CFIR 2009 construct's title (literature themes)


@dataclass(frozen=True)
class Link:
    """A study.toml ``[[link]]``: a theme and the metric that measures the same thing (``line`` in study.toml)."""

    theme: str
    metric: str
    line: int | None = None


@dataclass(frozen=True)
class Rating:
    site: str
    theme: str
    token: str  # canonical token, see cases.tokens
    evidence: str | None = None

    @property
    def valence(self) -> int | None:
        return VALENCE_OF.get(self.token)


@dataclass(frozen=True)
class Excerpt:
    """One coded excerpt of evidence.csv (``row``: its row in the file, header = 1)."""

    site: str
    theme: str
    excerpt: str
    source: str | None
    row: int


@dataclass(frozen=True)
class Site:
    id: str
    label: str
    values: Mapping[str, float | None]
    attributes: Mapping[str, str | None]


@dataclass(frozen=True)
class Study:
    """A loaded, valid study folder."""

    folder: Path
    title: str
    description: str | None
    synthetic: bool
    outcome: Outcome
    metrics: Mapping[str, Metric]  # in study.toml order
    sites: tuple[Site, ...]  # in sites-file order
    attributes: tuple[str, ...]  # attribute column names, in file order
    themes: Mapping[str, Theme]  # the study's own themes first, then the catalogue's
    ratings: tuple[Rating, ...]
    raters: Mapping[str, tuple[Rating, ...]] = field(
        default_factory=dict
    )  # rater -> ratings/RATER.csv (agreement only)
    conditions: tuple[Condition, ...] = ()
    distinguishing: RuleSpec = RuleSpec()
    disclosure: Disclosure = Disclosure()
    files: Mapping[str, str] = field(default_factory=dict)  # file name -> "sha256:<hex>"
    fingerprint: str = ""
    published: Mapping[str, str] = field(default_factory=dict)  # theme id -> the authors' judgement (ratings-wide.csv)
    notes: tuple[str, ...] = ()  # FILE:ROW: COLUMN: lines that are not problems (how a cell was read)
    links: tuple[Link, ...] = ()  # study.toml's [[link]]s, in file order
    evidence: tuple[Excerpt, ...] = ()  # evidence.csv's excerpts, in file order (evidence: disclosure applies)
    judgements: Mapping[str, tuple[str, str | None]] = field(
        default_factory=dict
    )  # theme -> (label, reason): judgements.csv
    qca: QcaSpec | None = None  # every [[condition]] (calibrated and rating ones too) and [qca]

    @property
    def name(self) -> str:
        return self.folder.name

    @cached_property
    def _site_index(self) -> dict[str, Site]:
        return {s.id: s for s in self.sites}

    def site(self, site_id: str) -> Site:
        """The site with this id (KeyError if none): a lookup, not a walk over a million sites."""
        return self._site_index[site_id]

    def value(self, site_id: str, metric: str) -> float | None:
        return self.site(site_id).values.get(metric)

    @cached_property
    def _columns(self) -> dict[str, Mapping[str, float | None]]:
        return {}

    def column(self, metric: str) -> Mapping[str, float | None]:
        """site id -> the site's value of ``metric`` (None when missing), in sites-file order; built once."""
        found = self._columns.get(metric)
        if found is None:
            found = self._columns[metric] = MappingProxyType({s.id: s.values.get(metric) for s in self.sites})
        return found

    @cached_property
    def ratings_by_theme(self) -> dict[str, dict[str, Rating]]:
        """theme id -> site id -> rating (computed once per study)."""
        index: dict[str, dict[str, Rating]] = {}
        for r in self.ratings:
            index.setdefault(r.theme, {})[r.site] = r
        return index

    @cached_property
    def rating_entries(self) -> dict[str, list[tuple[str, str, int | None]]]:
        """theme id -> [(site id, canonical token, valence or None)] in sites-file order."""
        order = {s.id: i for i, s in enumerate(self.sites)}
        return {
            t: [
                (s, r.token, r.valence) for s, r in sorted(by_site.items(), key=lambda kv: order.get(kv[0], len(order)))
            ]
            for t, by_site in self.ratings_by_theme.items()
        }

    @cached_property
    def rating_tokens(self) -> dict[str, dict[str, str]]:
        """theme id -> site id -> canonical token."""
        return {t: {s: r.token for s, r in by_site.items()} for t, by_site in self.ratings_by_theme.items()}

    def rated_themes(self) -> list[Theme]:
        """Themes with at least one rating, the study's own first, then catalogue order."""
        rated = self.ratings_by_theme
        return [t for t in self.themes.values() if t.id in rated]

    @cached_property
    def _excerpt_index(self) -> dict[tuple[str, str], tuple[Excerpt, ...]]:
        index: dict[tuple[str, str], list[Excerpt]] = {}
        for e in self.evidence:
            index.setdefault((e.site, e.theme), []).append(e)
        return {k: tuple(v) for k, v in index.items()}

    def excerpts(self, site: str, theme: str) -> tuple[Excerpt, ...]:
        """The excerpts of (site, theme) in file order (empty when none): a lookup, built once."""
        return self._excerpt_index.get((site, theme), ())
