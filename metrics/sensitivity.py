"""Split sensitivity: does a contrast survive every cut of the outcome?

For the outcome, every distinct cut-point between the sites' values (midway between neighbouring
distinct values) splits the sites into low (below) and high (above). At each cut we record which
sites moved from high to low, the sign of every metric's mean difference and every theme's
distinguishing label. A metric is *robust* when its mean difference has the same sign at every cut
that leaves at least two sites per group; a theme when its label and direction are the same at
every such cut. With no such cut, robustness is undetermined (None).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import accumulate

from cases.model import Outcome, Study
from metrics.distinguishing import VALENCES, Rule, Summary, judge_summaries
from metrics.summary import num

MIN_PER_GROUP = 2
LIST_SITES_UP_TO = 60   # cuts list their full groups only for studies this small


@dataclass(frozen=True)
class Cut:
    value: float
    n_high: int
    n_low: int
    moved: tuple[str, ...]                 # sites that joined the low group at this cut
    high: tuple[str, ...] | None           # full groups for small studies
    low: tuple[str, ...] | None
    metrics: dict[str, str | None]         # metric -> "+", "-", "0" or None (a group has no value)
    themes: dict[str, str]                 # theme -> "strong", "weak reversed", "none", "insufficient"

    @property
    def qualifies(self) -> bool:
        return self.n_high >= MIN_PER_GROUP and self.n_low >= MIN_PER_GROUP


@dataclass(frozen=True)
class Robustness:
    key: str
    label: str
    robust: bool | None
    seen: tuple[str, ...]                  # the distinct directions/labels at qualifying cuts


@dataclass(frozen=True)
class Sensitivity:
    outcome: str
    cuts: tuple[Cut, ...]
    metrics: tuple[Robustness, ...]
    themes: tuple[Robustness, ...]

    def to_dict(self) -> dict:
        return {
            "outcome": self.outcome,
            "min_per_group": MIN_PER_GROUP,
            "cuts": [_cut_dict(c) for c in self.cuts],
            "metrics": [{"metric": r.key, "robust": r.robust, "seen": list(r.seen)} for r in self.metrics],
            "themes": [{"theme": r.key, "robust": r.robust, "seen": list(r.seen)} for r in self.themes],
        }

    def text_lines(self, comparison=None) -> list[str]:
        lines = [f"Split sensitivity of {self.outcome}: {len(self.cuts)} cuts, "
                 f"{sum(c.qualifies for c in self.cuts)} with at least {MIN_PER_GROUP} sites per group"]
        for c in self.cuts:
            mark = " " if c.qualifies else "*"
            lines.append(f"  {mark} cut {c.value:.4g}: high {c.n_high}, low {c.n_low}; joins low: {', '.join(c.moved)}")
        lines.append("  (* fewer than 2 sites in a group: not counted for robustness)")
        for title, rows in (("Metrics", self.metrics), ("Themes", self.themes)):
            lines.append(f"  {title}:")
            for r in rows:
                verdict = {True: "robust", False: "NOT robust", None: "undetermined"}[r.robust]
                lines.append(f"    {verdict:<13}{r.label}  ({', '.join(r.seen) or '-'})")
        return lines


def _cut_dict(c: Cut) -> dict:
    out = {"cut": num(c.value), "high": c.n_high, "low": c.n_low, "qualifies": c.qualifies, "moved": list(c.moved)}
    if c.high is not None:
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

    def __init__(self, values: list[float | None]):
        inf = float("inf")
        self.n = [0, *accumulate(v is not None for v in values)]
        self.s = [0.0, *accumulate(0.0 if v is None else v for v in values)]
        self.lo = [inf, *accumulate((inf if v is None else v for v in values), min)]
        self.hi = [-inf, *accumulate((-inf if v is None else v for v in values), max)]
        self.c = [[0, *accumulate(v == k for v in values)] for k in VALENCES]   # per valence, for Summary.hist

    def summary(self, i: int) -> Summary | None:
        """The first i values' Summary (None when none of them is a value)."""
        n = self.n[i]
        return Summary(n, self.lo[i], self.hi[i], self.s[i] / n, tuple(c[i] for c in self.c)) if n else None


def sensitivity(study: Study, outcome: Outcome, rule: Rule) -> Sensitivity:
    ranked = sorted((s for s in study.sites if s.values.get(outcome.metric) is not None),
                    key=lambda s: s.values[outcome.metric])
    ids = [s.id for s in ranked]
    y = [s.values[outcome.metric] for s in ranked]
    n = len(ranked)
    bounds = [i for i in range(1, n) if y[i] > y[i - 1]]   # low = ranked[:i], high = ranked[i:]
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
        m_signs = {}
        for k in metric_keys:
            a, b = pre[k], suf[k]
            nl, nh = a.n[i], b.n[n - i]
            m_signs[k] = _sign(b.s[n - i] / nh - a.s[i] / nl) if nl and nh else None
        t_labels = {}
        for t in themes:
            a, b = tpre[t.id], tsuf[t.id]
            low, high = a.summary(i), b.summary(n - i)
            label, direction = judge_summaries(rule, high, low)
            t_labels[t.id] = label + (" reversed" if direction == "reversed" else "")
        cuts.append(Cut((y[i - 1] + y[i]) / 2, n - i, i, tuple(ids[previous:i]),
                        tuple(ids[i:]) if small else None, tuple(ids[:i]) if small else None, m_signs, t_labels))
        previous = i
    counted = [c for c in cuts if c.qualifies]
    metrics = tuple(_robust(k, study.metrics[k].label, [c.metrics[k] for c in counted], signs=True) for k in metric_keys)
    theme_rows = tuple(_robust(t.id, t.title, [c.themes[t.id] for c in counted], signs=False) for t in themes)
    return Sensitivity(outcome.metric, tuple(cuts), metrics, theme_rows)


def _robust(key: str, label: str, seen: list, signs: bool) -> Robustness:
    distinct = tuple(dict.fromkeys("none" if v is None else v for v in seen))
    if not seen:
        return Robustness(key, label, None, distinct)
    if signs:
        robust = len(distinct) == 1 and distinct[0] in ("+", "-")
    else:
        robust = len(distinct) == 1
    return Robustness(key, label, robust, distinct)
