"""The Comparison as the plain object of interfaces.md (the JSON summary; the TOML snapshot's body).

Numbers are written with 12 significant digits, so that the same inputs give the same text on any
machine; ``None`` stays ``None`` here (TOML writers leave it out).
"""

from __future__ import annotations

from cases.version import __version__
from metrics.compare import Comparison, GroupFigures, MetricResult, ThemeGroup, ThemeResult

DIGITS = 12


def num(value: float | int | None) -> float | None:
    """A number rounded to 12 significant digits (None stays None; -0.0 becomes 0.0)."""
    if value is None:
        return None
    out = float(f"{float(value):.{DIGITS}g}")
    return 0.0 if out == 0 else out


def _cut(cut):
    if cut is None:
        return None
    if isinstance(cut, tuple):
        return [num(c) for c in cut]
    return num(cut)


def split_dict(c: Comparison) -> dict:
    out: dict = {"outcome": c.split.outcome, "rule": c.split.rule}
    if c.split.cut is not None:
        out["cut"] = _cut(c.split.cut)
    for key, value in c.split.options.items():
        out[key] = num(value) if isinstance(value, float) else value
    return out


def _group(g: GroupFigures) -> dict:
    return {
        "n": g.n, "mean": num(g.mean), "median": num(g.median), "min": num(g.min), "max": num(g.max),
        "values": {s: (v if isinstance(v, str) else num(v)) for s, v in g.values},
    }


def metric_dict(m: MetricResult) -> dict:
    perm = m.permutation
    out = {
        "metric": m.metric, "label": m.label, "higher_is_better": m.higher_is_better,
        "high": _group(m.high), "low": _group(m.low),
        "mean_difference": num(m.mean_difference), "median_difference": num(m.median_difference),
        "hedges_g": num(m.hedges_g), "cliffs_delta": num(m.cliffs_delta),
        "p_permutation": None if perm is None else num(perm.p),
        "permutation": None if perm is None else _perm(perm),
        "spearman_with_outcome": num(m.spearman_with_outcome),
    }
    if m.unit:
        out["unit"] = m.unit
    if m.count:
        out["count"] = True
    if perm is None:
        out["pending"] = True
    return out


def _perm(perm) -> dict:
    out = {"exact": perm.exact, "relabelings": perm.relabelings}
    if not perm.exact and perm.seed is not None:
        out["seed"] = perm.seed
    return out


def _theme_group(g: ThemeGroup) -> dict:
    return {"rated": g.rated, "mean": num(g.mean), "ratings": dict(g.ratings)}


def theme_dict(t: ThemeResult) -> dict:
    out = {"theme": t.theme, "title": t.title}
    if t.domain:
        out["domain"] = t.domain
    out.update({
        "high": _theme_group(t.high), "low": _theme_group(t.low),
        "distinguishing": t.distinguishing, "direction": t.direction, "rule": t.rule,
    })
    if t.middle.ratings:
        out["middle"] = _theme_group(t.middle)
    return out


def to_dict(c: Comparison) -> dict:
    """The summary object of interfaces.md, plus the optional extra top-level keys."""
    out = {
        "crosscase": __version__,
        "study": {"title": c.title, "synthetic": c.synthetic, "fingerprint": c.fingerprint},
        "split": split_dict(c),
        "groups": {g: list(getattr(c.split, g)) for g in ("high", "low", "middle", "missing")},
        "metrics": [metric_dict(m) for m in c.metrics],
        "themes": [theme_dict(t) for t in c.themes],
        "warnings": list(c.warnings),
        "distinguishing": {"rule": c.rule.name, **{k: num(v) for k, v in sorted(c.rule.params.items())}},
        "disclosure": {"min_count": c.disclosure.min_count, "pseudonymise": c.disclosure.pseudonymise},
        "labels": dict(c.labels),
    }
    if c.sensitivity is not None:
        out["sensitivity"] = c.sensitivity.to_dict()
    if c.configurations is not None:
        out["configurations"] = c.configurations.to_dict()
    return out
