"""The Comparison as the plain object of interfaces.md (the JSON summary; the TOML snapshot's body).

Numbers are written with 12 significant digits, so that the same inputs give the same text on any
machine; ``None`` stays ``None`` here (TOML writers leave it out).
"""

from __future__ import annotations

from cases.model import COMPARED, GROUPS, SPLIT_OPTIONS
from cases.version import __version__
from metrics.numbers import num
from metrics.results import Comparison, GroupFigures, MetricResult, ThemeGroup, ThemeResult


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
        "n": g.n,
        "mean": num(g.mean),
        "median": num(g.median),
        "min": num(g.min),
        "max": num(g.max),
        "values": {s: (v if isinstance(v, str) else num(v)) for s, v in g.values},
    }


def metric_dict(m: MetricResult) -> dict:
    perm = m.permutation
    out = {
        "metric": m.metric,
        "label": m.label,
        "higher_is_better": m.higher_is_better,
        "high": _group(m.high),
        "low": _group(m.low),
        "mean_difference": num(m.mean_difference),
        "median_difference": num(m.median_difference),
        "hedges_g": num(m.hedges_g),
        "cliffs_delta": num(m.cliffs_delta),
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
    out: dict[str, object] = {"theme": t.theme, "title": t.title}
    if t.domain:
        out["domain"] = t.domain
    out.update(
        {
            "high": _theme_group(t.high),
            "low": _theme_group(t.low),
            "distinguishing": t.distinguishing,
            "direction": t.direction,
            "rule": t.rule,
            # what the rule looked at (high minus low; null when a group has no valence rating), and the
            # threshold its label met in words (for none: the nearest one it did not meet)
            "diff": num(t.diff),
            "gap": num(t.gap),
            "threshold": t.met,
        }
    )
    if t.published is not None:
        out["published"] = t.published  # the authors' own judgement (ratings-wide.csv)
    if t.judgement is not None:  # the analyst's own label and reason (judgements.csv)
        out["judgement"] = t.judgement
        out["judgement_reason"] = t.judgement_reason
    if t.middle.ratings:
        out["middle"] = _theme_group(t.middle)
    return out


def judgement_counts(c: Comparison) -> dict:
    """How many themes carry the analyst's judgement, and in how many it differs from the rule's label."""
    judged = [t for t in c.themes if t.judgement is not None]
    return {"recorded": len(judged), "disagree": sum(t.judgement != t.distinguishing for t in judged)}


def to_dict(c: Comparison) -> dict:
    """The summary object of interfaces.md, plus the optional extra top-level keys."""
    out: dict[str, object] = {
        "crosscase": __version__,
        "study": {"title": c.title, "synthetic": c.synthetic, "fingerprint": c.fingerprint},
        "split": split_dict(c),
        "groups": {g: list(getattr(c.split, g)) for g in GROUPS},
        "metrics": [metric_dict(m) for m in c.metrics],
        "themes": [theme_dict(t) for t in c.themes],
        "warnings": list(c.warnings),
        "distinguishing": {"rule": c.rule.name, **{k: num(v) for k, v in sorted(c.rule.params.items())}},
        "disclosure": {"min_count": c.disclosure.min_count, "pseudonymise": c.disclosure.pseudonymise},
        "labels": dict(c.labels),
    }
    judged = judgement_counts(c)
    if judged["recorded"]:
        out["judgements"] = judged
    if c.sensitivity is not None:
        out["sensitivity"] = c.sensitivity.to_dict()
    if c.configurations is not None:
        out["configurations"] = c.configurations.to_dict()
    if c.literature is not None:
        out["literature"] = c.literature.to_dict()
        out["links"] = [link.to_dict() for link in c.links or ()]
    from metrics.qca_study import summary_part

    out.update(summary_part(c))  # "qca" (analysis.md section 3)
    return out


def from_dict(data: dict, folder: str = "") -> Comparison:
    """A Comparison rebuilt from a summary object (or a snapshot with its nulls restored).

    The inverse of ``to_dict`` for everything but the sensitivity and configuration tables, which
    are left out (the literature and links are rebuilt: metrics.literature.restore); used to show a snapshot's own figures when its study is not at hand.
    """
    from cases.model import Disclosure
    from cases.rules import Rule

    split = _split_from(data)
    rule_data = dict(data.get("distinguishing") or {"rule": "gap"})
    rule = Rule(rule_data.pop("rule"), {k: float(v) for k, v in rule_data.items()})
    d = data.get("disclosure") or {}
    disclosure = Disclosure(int(d.get("min_count", 10)), bool(d.get("pseudonymise", False)))
    metrics = tuple(_metric_from(m) for m in data.get("metrics", []))
    themes = tuple(_theme_from(t, rule.describe()) for t in data.get("themes", []))
    from metrics.qca_study import result_from_dict as qca_from_dict

    study = data.get("study", {})
    literature, links = None, None
    if "literature" in data:
        from metrics.literature import restore, restore_links

        literature = restore(data["literature"], themes)
        links = restore_links(data.get("links") or (), metrics, themes)
    return Comparison(
        title=study.get("title", ""),
        synthetic=bool(study.get("synthetic", False)),
        fingerprint=study.get("fingerprint", ""),
        folder=study.get("folder", folder),
        split=split,
        rule=rule,
        disclosure=disclosure,
        metrics=metrics,
        themes=themes,
        warnings=tuple(data.get("warnings", [])),
        labels=dict(data.get("labels") or {}),
        literature=literature,
        links=links,
        qca=qca_from_dict(data.get("qca")),
    )


def _split_from(data: dict):
    from metrics.splits import Split

    s = data["split"]
    cut = s.get("cut")
    options = {k: v for k, v in s.items() if k in SPLIT_OPTIONS}
    groups = data["groups"]
    return Split(
        s["outcome"],
        s["rule"],
        tuple(cut) if isinstance(cut, list) else cut,
        options,
        *(tuple(groups.get(g, ())) for g in GROUPS),
    )


def _group_from(g: dict) -> GroupFigures:
    return GroupFigures(
        g.get("n", 0),
        g.get("mean"),
        g.get("median"),
        g.get("min"),
        g.get("max"),
        tuple((site, v) for site, v in (g.get("values") or {}).items()),
    )


def _permutation_from(m: dict):
    """A metric's permutation test; None while it is pending (not computed yet)."""
    from metrics.stats import Permutation

    info = m.get("permutation")
    if info is None:
        return Permutation(None, False, 0, None) if not m.get("pending") else None
    return Permutation(
        m.get("p_permutation"), bool(info.get("exact")), int(info.get("relabelings", 0)), info.get("seed")
    )


def _metric_from(m: dict) -> MetricResult:
    return MetricResult(
        m["metric"],
        m.get("label", m["metric"]),
        m.get("unit"),
        m.get("higher_is_better", True),
        bool(m.get("count", False)),
        _group_from(m["high"]),
        _group_from(m["low"]),
        m.get("mean_difference"),
        m.get("median_difference"),
        m.get("hedges_g"),
        m.get("cliffs_delta"),
        _permutation_from(m),
        m.get("spearman_with_outcome"),
        suppressed=any(isinstance(v, str) for g in COMPARED for v in (m[g].get("values") or {}).values()),
    )


def _theme_group_from(g: dict | None) -> ThemeGroup:
    g = g or {}
    return ThemeGroup(g.get("rated", 0), g.get("mean"), tuple((g.get("ratings") or {}).items()))


def _theme_from(t: dict, rule_words: str) -> ThemeResult:
    """A theme's result; ``rule_words`` (the study's rule described) when the theme names none."""
    return ThemeResult(
        t["theme"],
        t.get("title", t["theme"]),
        t.get("domain"),
        _theme_group_from(t.get("high")),
        _theme_group_from(t.get("low")),
        _theme_group_from(t.get("middle")),
        t["distinguishing"],
        t.get("direction", "expected"),
        t.get("rule", rule_words),
        diff=t.get("diff"),
        gap=t.get("gap"),
        met=t.get("threshold"),
        published=t.get("published"),
        judgement=t.get("judgement"),
        judgement_reason=t.get("judgement_reason"),
    )
