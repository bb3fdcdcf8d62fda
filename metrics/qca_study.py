"""The QCA of a study (analysis.md section 3): memberships from study.toml's conditions and [qca].

``memberships`` calibrates every condition and the outcome for every site; ``study_qca`` runs the
engine (metrics.qca.analyse) on them with the study's cut-offs or the caller's. The outcome
``high`` is membership of the high group of the comparison's split: 1 high, 0 low; middle and
missing sites are left out, with the reason.

Disclosure control: a membership in a condition on a count metric would place sites among counts
below ``min_count`` when the condition is fuzzy or calibrated (a membership is a monotone function of
the count) or crisp with a bound finer than ``min_count`` (the configuration table's rule): such a
condition is left out of the analysis, with a warning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from cases.model import Disclosure, Study
from cases.qca_spec import QcaCondition, QcaSpec
from metrics.qca import Cuts, QcaResult, analyse
from metrics.qca_calibrate import calibrated, crisp, direct, rating


class QcaUnavailable(ValueError):
    """The study defines no condition, or none is left: a one-line reason."""


@dataclass(frozen=True)
class Memberships:
    conditions: tuple[QcaCondition, ...]  # those in the analysis (after disclosure control)
    values: dict[str, dict[str, float | None]]  # site -> QCA name -> membership (None: missing)
    outcome: dict[str, float | None]  # site -> membership in the outcome
    outcome_name: str
    reasons: dict[str, str]  # site -> why its outcome is missing
    withheld: tuple[str, ...]  # conditions left out by disclosure control, with the reason


def _is_count(study: Study, metric: str | None) -> bool:
    from cases.model import is_count

    m = study.metrics.get(metric) if metric is not None else None
    return m is not None and is_count(m)


def withheld(c: QcaCondition, study: Study, disclosure: Disclosure) -> str | None:
    """Why disclosure control leaves the condition out (None: it stays)."""
    if disclosure.min_count <= 0 or not _is_count(study, c.metric):
        return None
    limit = disclosure.min_count
    if c.kind in ("fuzzy", "calibrated"):
        return (
            f'condition "{c.name}": left out of the QCA: its memberships would show the counts of '
            f"{c.metric}, below {limit} too (disclosure control)"
        )
    if c.kind == "crisp":
        from metrics.configurations import withheld_condition

        if withheld_condition(_as_crisp(c), study, disclosure):
            return (
                f'condition "{c.name}": left out of the QCA: its bound on {c.metric}, a count, would show '
                f"which sites have fewer than {limit} (disclosure control)"
            )
    return None


def _as_crisp(c: QcaCondition):
    from cases.model import Condition

    return Condition(c.name, metric=c.metric, at_least=c.at_least, at_most=c.at_most)


def condition_membership(c: QcaCondition, study: Study, site, log_odds: float) -> float | None:
    """One site's membership in one condition (None: the value or rating is missing)."""
    if c.kind == "attribute":
        v = site.attributes.get(c.attribute)
        return None if v is None else float(v == c.equals)
    if c.kind == "rating":
        token = study.rating_tokens.get(c.theme or "", {}).get(site.id)
        m = rating(token, c.at_least, c.at_most)
        return None if m is None else float(m)
    value = site.values.get(c.metric)
    if value is None:
        return None
    if c.kind == "crisp":
        m = crisp(value, c.at_least, c.at_most)
        return None if m is None else float(m)
    if c.kind == "fuzzy" and c.anchors is not None:
        return float(direct(value, c.anchors, log_odds))
    return calibrated(value)


def memberships(study: Study, split, disclosure: Disclosure | None = None) -> Memberships:
    spec: QcaSpec = study.qca or QcaSpec()
    disclosure = study.disclosure if disclosure is None else disclosure
    kept, notes = [], []
    for c in spec.conditions:
        why = withheld(c, study, disclosure)
        if why is None:
            kept.append(c)
        else:
            notes.append(why)
    values = {s.id: {c.qca_name: condition_membership(c, study, s, spec.log_odds) for c in kept} for s in study.sites}
    out, reasons = {}, {}
    o = spec.outcome
    if o.kind == "high":
        name = "high"
        for s in study.sites:
            group = split.group_of(s.id)
            out[s.id] = 1.0 if group == "high" else 0.0 if group == "low" else None
            if group == "middle":
                reasons[s.id] = "in the middle group: the outcome is membership of the high group (high 1, low 0)"
            elif out[s.id] is None:
                reasons[s.id] = "no outcome value"
    else:
        name = o.metric or "outcome"
        for s in study.sites:
            v = s.values.get(name)
            out[s.id] = (
                None
                if v is None
                else (calibrated(v) if o.anchors is None else float(direct(v, o.anchors, spec.log_odds)))
            )
            if v is None:
                reasons[s.id] = f"no value of {o.metric}"
    return Memberships(tuple(kept), values, out, name, reasons, tuple(notes))


def cuts_of(spec: QcaSpec, incl: float | None = None, n: int | None = None, pri: float | None = None) -> Cuts:
    return Cuts(
        spec.incl_cut if incl is None else incl, spec.n_cut if n is None else n, spec.pri_cut if pri is None else pri
    )


def study_qca(study: Study, split, disclosure: Disclosure | None = None, cuts: Cuts | None = None) -> QcaResult:
    """The QCA of the study on the comparison's split; QcaUnavailable when there is no condition
    (or none left), ValueError for what the engine refuses (e.g. more than 14 conditions)."""
    spec: QcaSpec = study.qca or QcaSpec()
    if not spec.conditions:
        raise QcaUnavailable("the study defines no [[condition]]: QCA needs at least one")
    m = memberships(study, split, disclosure)
    if not m.conditions:
        raise QcaUnavailable("every condition is left out by disclosure control: " + "; ".join(m.withheld))
    names = tuple(c.qca_name for c in m.conditions)
    if m.outcome_name in names:
        raise QcaUnavailable(f"the outcome {m.outcome_name} is also a condition's name in terms")
    expect = None if spec.expect is None else {k: v for k, v in spec.expect.items() if k in names}
    result = analyse(
        names,
        m.values,
        m.outcome,
        outcome_name=m.outcome_name,
        cuts=cuts or cuts_of(spec),
        expect=expect or (None if spec.expect is None else {}),
        sites=[s.id for s in study.sites],
    )
    left_out = tuple(_reason(x, m.reasons) for x in result.left_out)
    return replace(result, left_out=left_out, warnings=(*m.withheld, *result.warnings))


def _reason(item: Mapping, reasons: Mapping[str, str]) -> dict:
    site, reason = item["site"], item["reason"]
    why = reasons.get(site)
    if why is None:
        return dict(item)
    rest = reason.replace(", the outcome", "").replace("no membership in the outcome", "")
    return {"site": site, "reason": why + (f"; {rest}" if rest else "")}


def qca_and_reason(study: Study, comparison) -> tuple[QcaResult | None, str | None]:
    """For the comparison (analysis.analyse): the QCA when the study defines conditions and the engine
    can run it; else None, and why when the study asks for one (the engine's refusal, e.g. more
    conditions than it takes: a warning for the comparison)."""
    if study.qca is None or not study.qca.conditions:
        return None, None
    try:
        return study_qca(study, comparison.split, comparison.disclosure), None
    except ValueError as exc:
        return None, f"no QCA: {exc} (crosscase qca says the same)"


def with_qca(study: Study, comparison):
    """The comparison with its QCA, or with a warning that says why the study's QCA is missing."""
    from dataclasses import replace

    result, reason = qca_and_reason(study, comparison)
    if reason is not None:
        return replace(comparison, warnings=(*comparison.warnings, reason))
    return replace(comparison, qca=result)


def summary_part(comparison) -> dict:
    """The summary's (and the snapshot's) ``qca`` key, when the comparison carries a QCA."""
    result = getattr(comparison, "qca", None)
    return {} if result is None else {"qca": result.to_dict()}


def result_from_dict(data: Mapping | None) -> QcaResult | None:
    """A QcaResult rebuilt from its ``to_dict`` (a summary's or a snapshot's ``qca``; a figure that
    the TOML left out, being null, is None again)."""
    from metrics.qca import Fit, Model, Necessity, TableRow, TermFit

    if not data:
        return None

    def fit(d: Mapping) -> Fit:
        return Fit(d.get("incl"), d.get("pri"), d.get("cov"))

    def model(d: Mapping) -> Model:
        terms = tuple(
            TermFit(t["term"], fit(t), t.get("cov_unique"), tuple(t.get("cases", ()))) for t in d.get("terms", ())
        )
        assumptions = d.get("assumptions")
        return Model(d["expression"], fit(d), terms, None if assumptions is None else tuple(assumptions))

    cuts = data.get("cuts") or {}
    return QcaResult(
        data["outcome"],
        tuple(data.get("conditions", ())),
        Cuts(cuts.get("incl", 0.8), int(cuts.get("n", 1)), cuts.get("pri", 0.0)),
        {s: dict(m) for s, m in (data.get("cases") or {}).items()},
        tuple(dict(x) for x in data.get("left_out", ())),
        tuple(
            TableRow(r["configuration"], r["n"], r.get("incl"), r.get("pri"), r["out"], tuple(r.get("cases", ())))
            for r in data.get("truth_table", ())
        ),
        {k: tuple(model(m) for m in (v or {}).get("models", ())) for k, v in (data.get("solutions") or {}).items()},
        tuple(Necessity(n["condition"], n.get("incl"), n.get("cov"), n.get("ron")) for n in data.get("necessity", ())),
        tuple(data.get("warnings", ())),
    )
