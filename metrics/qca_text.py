"""The QCA result as lines of text for people (three decimals, as R's QCA prints)."""

from __future__ import annotations


def _f(v: float | None) -> str:
    return "  -  " if v is None else f"{v:.3f}"


def _table(result) -> list[str]:
    head = " ".join(result.conditions)
    lines = [
        f"Truth table (outcome {result.outcome}; incl_cut {result.cuts.incl:g}, n_cut {result.cuts.n}, "
        f"pri_cut {result.cuts.pri:g}; remainders not listed)",
        f"  {head}  OUT   n   incl    PRI   cases",
    ]
    for r in result.truth_table:
        cells = " ".join(ch.rjust(len(n)) for ch, n in zip(r.configuration, result.conditions))
        lines.append(f"  {cells}   {r.out:>2} {r.n:>3}  {_f(r.incl)}  {_f(r.pri)}   {', '.join(r.cases)}")
    return lines


def _models(kind: str, models) -> list[str]:
    if not models:
        return [f"{kind.capitalize()} solution: none"]
    lines = [f"{kind.capitalize()} solution"]
    for i, m in enumerate(models, 1):
        lines.append(f"  M{i}: {m.expression}  (incl {_f(m.fit.incl)}, PRI {_f(m.fit.pri)}, cov {_f(m.fit.cov)})")
        width = max(len(t.term) for t in m.terms)
        for t in m.terms:
            lines.append(
                f"      {t.term:<{width}}  incl {_f(t.fit.incl)}  PRI {_f(t.fit.pri)}  "
                f"cov {_f(t.fit.cov)}  covU {_f(t.cov_unique)}  {', '.join(t.cases)}"
            )
        if m.assumptions:
            lines.append(f"      simplifying assumptions: {', '.join(m.assumptions)}")
    return lines


def text_lines(result) -> list[str]:
    lines = [f"QCA of {result.outcome} on {', '.join(result.conditions)} ({len(result.cases)} sites)"]
    lines += _table(result)
    for kind in ("conservative", "parsimonious", "intermediate"):
        if kind != "intermediate" or result.solutions.get(kind):
            lines += _models(kind, result.solutions.get(kind, ()))
    lines.append("Necessity:  condition  incl  cov  RoN")
    for n in result.necessity:
        lines.append(f"  {n.condition:<12} {_f(n.incl)}  {_f(n.cov)}  {_f(n.ron)}")
    for x in result.left_out:
        lines.append(f"  left out: {x['site']} ({x['reason']})")
    lines += [f"  warning: {w}" for w in result.warnings]
    return lines


def _bound(v: float | None) -> str:
    return "" if v is None else f"{v:g}"


def condition_rule(c) -> str:
    """How a condition (cases.qca_spec.QcaCondition) makes a membership, in words (text from the
    study, not yet escaped for display)."""
    if c.kind == "attribute":
        return f"{c.attribute} = {c.equals} (crisp)"
    if c.kind == "rating":
        sign = ">=" if c.at_least is not None else "<="
        v = c.at_least if c.at_least is not None else c.at_most
        return f"rating of {c.theme} {sign} {v:+g} (crisp; X, Missing, N/A: no membership)"
    if c.kind == "crisp":
        sign = ">=" if c.at_least is not None else "<="
        return f"{c.metric} {sign} {_bound(c.at_least if c.at_least is not None else c.at_most)} (crisp)"
    if c.kind == "fuzzy":
        e, x, i = c.anchors
        return f"{c.metric}: fuzzy, exclusion {e:g}, crossover {x:g}, inclusion {i:g}"
    return f"{c.metric}: already set memberships (calibrated)"


def outcome_rule(o) -> str:
    """The outcome (cases.qca_spec.QcaOutcome) in words."""
    if o.kind == "high":
        return "membership of the high group (high 1, low 0; middle and missing sites left out)"
    if o.kind == "fuzzy":
        e, x, i = o.anchors
        return f"{o.metric}: fuzzy, exclusion {e:g}, crossover {x:g}, inclusion {i:g}"
    return f"{o.metric}: already set memberships (calibrated)"
