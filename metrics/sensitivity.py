"""Split sensitivity: does a contrast survive every cut of the outcome?

For the outcome, every distinct cut-point between the sites' values (midway between neighbouring
distinct values) splits the sites into low (below) and high (above). At each cut we record which
sites moved from high to low, the sign of every metric's mean difference and every theme's
distinguishing label. Over the cuts that leave at least two sites per group (the counted cuts),
each metric and theme gets a verdict (``VERDICTS``):

- ``robust``: a contrast at every counted cut, always the same: a metric's mean difference has the
  same sign, ``+`` or ``-``; a theme has the same ``strong`` or ``weak`` label and direction;
- ``unstable``: a contrast at some counted cut, but not the same one at every counted cut;
- ``no contrast``: never a contrast (a metric's difference ``0``, a theme ``none``; cuts where it
  cannot be judged aside) at a counted cut where it can be judged;
- ``no verdict``: it cannot be judged at any counted cut (a theme ``insufficient``: a group has no
  valence rating; a metric: a group has no value);
- ``undetermined``: there is no counted cut.

``robust`` (the older field) is True only for ``robust``, None for ``no verdict`` and
``undetermined``, False otherwise.

With more than ``MAX_CUTS`` distinct cut points (many sites), ``MAX_CUTS`` of them are kept, spread
evenly by rank (``spread``); ``total_cuts`` then says how many there were.

Disclosure control: when the outcome is a count of people, a cut next to a count below
``min_count`` (its lower neighbour is such a count) is withheld: its value is None. Printed, a
midpoint gives a neighbour's count away once the other neighbour is known, and one count known
gives them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from cases.model import Disclosure, Outcome, Study, count_limits
from cases.rules import VALENCES, Rule
from metrics.distinguishing import Summary, judge_summaries
from metrics.numbers import num

MIN_PER_GROUP = 2
VERDICTS = ("robust", "unstable", "no contrast", "no verdict", "undetermined")
LIST_SITES_UP_TO = 60  # cuts list their full groups only for studies this small
MAX_CUTS = 2_000  # at most this many cuts, spread evenly by rank, when there are more


@dataclass(frozen=True)
class Cut:
    value: float | None  # None: withheld by disclosure control
    n_high: int
    n_low: int
    moved: tuple[str, ...]  # sites that joined the low group at this cut
    high: tuple[str, ...] | None  # full groups for small studies
    low: tuple[str, ...] | None
    metrics: dict[str, str | None]  # metric -> "+", "-", "0" or None (a group has no value)
    themes: dict[str, str]  # theme -> "strong", "weak reversed", "none", "insufficient"

    @property
    def withheld(self) -> bool:
        return self.value is None

    @property
    def shown(self) -> str:
        """The cut as printed: 4 significant digits, or "withheld" (disclosure control)."""
        return "withheld" if self.value is None else f"{self.value:.4g}"

    @property
    def qualifies(self) -> bool:
        return self.n_high >= MIN_PER_GROUP and self.n_low >= MIN_PER_GROUP


@dataclass(frozen=True)
class Robustness:
    key: str
    label: str
    robust: bool | None
    seen: tuple[str, ...]  # the distinct directions/labels at qualifying cuts
    verdict: str = "undetermined"  # one of VERDICTS


@dataclass(frozen=True)
class Sensitivity:
    outcome: str
    cuts: tuple[Cut, ...]
    metrics: tuple[Robustness, ...]
    themes: tuple[Robustness, ...]
    total_cuts: int | None = None  # every distinct cut point, when more than MAX_CUTS: only some are kept

    @property
    def capped(self) -> bool:
        return self.total_cuts is not None and self.total_cuts > len(self.cuts)

    def to_dict(self) -> dict:
        return {
            "outcome": self.outcome,
            "min_per_group": MIN_PER_GROUP,
            **({"cuts_total": self.total_cuts, "max_cuts": MAX_CUTS} if self.capped else {}),
            "cuts": [_cut_dict(c) for c in self.cuts],
            "metrics": [
                {"metric": r.key, "verdict": r.verdict, "robust": r.robust, "seen": list(r.seen)} for r in self.metrics
            ],
            "themes": [
                {"theme": r.key, "verdict": r.verdict, "robust": r.robust, "seen": list(r.seen)} for r in self.themes
            ],
        }

    def text_lines(self) -> list[str]:
        kept = (
            f"{len(self.cuts)} of its {self.total_cuts} cuts (spread evenly by rank)"
            if self.capped
            else f"{len(self.cuts)} cuts"
        )
        lines = [
            f"Split sensitivity of {self.outcome}: {kept}, "
            f"{sum(c.qualifies for c in self.cuts)} with at least {MIN_PER_GROUP} sites per group"
        ]
        for c in self.cuts:
            mark = " " if c.qualifies else "*"
            lines.append(f"  {mark} cut {c.shown}: high {c.n_high}, low {c.n_low}; joins low: {', '.join(c.moved)}")
        lines.append("  (* fewer than 2 sites in a group: not counted for robustness)")
        if any(c.withheld for c in self.cuts):
            lines.append("  (cut withheld: next to a count below min_count (disclosure control))")
        for title, rows in (("Metrics", self.metrics), ("Themes", self.themes)):
            lines.append(f"  {title}:")
            for r in rows:
                lines.append(f"    {r.verdict:<13}{r.label}  ({', '.join(r.seen) or '-'})")
        return lines


def _cut_dict(c: Cut) -> dict:
    out: dict[str, object] = {
        "cut": num(c.value),
        **({"withheld": True} if c.withheld else {}),
        "high": c.n_high,
        "low": c.n_low,
        "qualifies": c.qualifies,
        "moved": list(c.moved),
    }
    if c.high is not None and c.low is not None:  # both or neither: the full groups of a small study
        out["high_sites"], out["low_sites"] = list(c.high), list(c.low)
    out["metrics"] = {k: v for k, v in c.metrics.items() if v is not None}
    out["themes"] = dict(c.themes)
    return out


def _sign(d: float | None) -> str | None:
    if d is None:
        return None
    return "0" if abs(d) < 1e-12 else ("+" if d > 0 else "-")


class _Prefix:
    """Running count/sum/min/max of values along the sites sorted by the outcome (index i = first i)."""

    def __init__(self, values: Sequence[float | None]):
        inf = float("inf")
        self.n = [0, *accumulate(v is not None for v in values)]
        self.s = [0.0, *accumulate(0.0 if v is None else v for v in values)]
        self.lo = [inf, *accumulate((inf if v is None else v for v in values), min)]
        self.hi = [-inf, *accumulate((-inf if v is None else v for v in values), max)]
        self.c = [[0, *accumulate(v == k for v in values)] for k in VALENCES]  # per valence, for Summary.hist

    def summary(self, i: int) -> Summary | None:
        """The first i values' Summary (None when none of them is a value)."""
        n = self.n[i]
        return Summary(n, self.lo[i], self.hi[i], self.s[i] / n, tuple(c[i] for c in self.c)) if n else None


def sensitivity(study: Study, outcome: Outcome, rule: Rule, disclosure: Disclosure | None = None) -> Sensitivity:
    """The table; ``disclosure`` (None: the study's own) withholds cuts next to small counts."""
    limit = count_limits(study, [outcome.metric], study.disclosure if disclosure is None else disclosure).get(
        outcome.metric
    )
    valued = sorted(
        ((v, s) for s in study.sites if (v := s.values.get(outcome.metric)) is not None), key=lambda vs: vs[0]
    )
    ranked = [s for _, s in valued]
    ids = [s.id for s in ranked]
    y = [v for v, _ in valued]
    n = len(ranked)
    bounds = [i for i in range(1, n) if y[i] > y[i - 1]]  # low = ranked[:i], high = ranked[i:]
    total = len(bounds)
    bounds = spread(bounds, n)
    metric_keys = [k for k in study.metrics if k != outcome.metric]
    columns = {k: [s.values.get(k) for s in ranked] for k in metric_keys}
    pre = {k: _Prefix(v) for k, v in columns.items()}
    suf = {k: _Prefix(v[::-1]) for k, v in columns.items()}
    by_theme = study.ratings_by_theme
    themes = study.rated_themes()
    tpre, tsuf = {}, {}
    for t in themes:
        col = [r.valence if (r := by_theme[t.id].get(i)) is not None else None for i in ids]
        tpre[t.id], tsuf[t.id] = _Prefix(col), _Prefix(col[::-1])
    cuts = []
    previous = 0
    small = len(study.sites) <= LIST_SITES_UP_TO
    for i in bounds:
        m_signs = {k: _mean_sign(pre[k], suf[k], i, n) for k in metric_keys}
        t_labels = {t.id: _label_at(rule, tpre[t.id], tsuf[t.id], i, n) for t in themes}
        value = None if limit is not None and y[i - 1] < limit else (y[i - 1] + y[i]) / 2
        cuts.append(
            Cut(
                value,
                n - i,
                i,
                tuple(ids[previous:i]),
                tuple(ids[i:]) if small else None,
                tuple(ids[:i]) if small else None,
                m_signs,
                t_labels,
            )
        )
        previous = i
    counted = [c for c in cuts if c.qualifies]
    metrics = tuple(
        _robust(k, study.metrics[k].label, [c.metrics[k] for c in counted], signs=True) for k in metric_keys
    )
    theme_rows = tuple(_robust(t.id, t.title, [c.themes[t.id] for c in counted], signs=False) for t in themes)
    return Sensitivity(outcome.metric, tuple(cuts), metrics, theme_rows, total if total > len(bounds) else None)


def _mean_sign(pre: _Prefix, suf: _Prefix, i: int, n: int):
    """The sign of mean(high) - mean(low) when the i lowest-ranked sites are low; None if a group has no value."""
    nl, nh = pre.n[i], suf.n[n - i]
    return _sign(suf.s[n - i] / nh - pre.s[i] / nl) if nl and nh else None


def _label_at(rule: Rule, pre: _Prefix, suf: _Prefix, i: int, n: int) -> str:
    """The theme's label (with " reversed") when the i lowest-ranked sites are low."""
    label, direction = judge_summaries(rule, suf.summary(n - i), pre.summary(i))
    return label + (" reversed" if direction == "reversed" else "")


def spread(bounds: list[int], n: int, limit: int | None = None) -> list[int]:
    """At most ``limit`` (MAX_CUTS) of ``bounds`` (the sizes of the low group at each distinct cut,
    increasing): for j = 1..limit, the first bound at or above rank j * n / (limit + 1), each once.
    All of them when there are no more than ``limit``."""
    import bisect

    limit = MAX_CUTS if limit is None else limit
    if len(bounds) <= limit:
        return bounds
    picked = dict.fromkeys(
        bounds[min(bisect.bisect_left(bounds, j * n / (limit + 1)), len(bounds) - 1)] for j in range(1, limit + 1)
    )
    return list(picked)


def _robust(key: str, label: str, seen: list, signs: bool) -> Robustness:
    """The verdict of one metric (``signs``) or theme over its values at the counted cuts."""
    distinct = tuple(dict.fromkeys("none" if v is None else v for v in seen))
    if not seen:
        return Robustness(key, label, None, distinct, "undetermined")
    unjudged: set[str | None]
    if signs:
        unjudged, flat = {None}, {"0"}
    else:
        unjudged, flat = {"insufficient"}, {"none"}
    judged = [v for v in seen if v not in unjudged]
    contrasts = set(judged) - flat
    if not judged:
        verdict = "no verdict"
    elif not contrasts:
        verdict = "no contrast"
    elif len(set(seen)) == 1:
        verdict = "robust"
    else:
        verdict = "unstable"
    robust = {"robust": True, "no verdict": None}.get(verdict, False)
    return Robustness(key, label, robust, distinct, verdict)
