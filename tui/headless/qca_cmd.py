"""``crosscase qca STUDY [--format text|markdown|json|toml] [--incl-cut X] [--n-cut N] [--pri-cut X]``
(analysis.md section 3).

The set-theoretic analysis of the study's conditions: the figures come from metrics.qca (through
metrics.qca_study, which calibrates study.toml's conditions); this module loads the study, renders
and prints. JSON and TOML are the contract's object; text and markdown are for people, with each
condition's name in terms beside its study.toml name and calibration. Exit 2 (UsageError) on a bad
study, bad cut-offs, or a study without conditions. Headless: it never imports textual, plotext or
rich (tests/test_imports.py).
"""

from __future__ import annotations

import json
import sys
from dataclasses import replace

from cases.escape import clean, escape_serialised


def render_json(result, spec=None) -> str:
    return escape_serialised(json.dumps(result.to_dict(), indent=2, ensure_ascii=False)) + "\n"


def render_toml(result, spec=None) -> str:
    import tomli_w

    from tui.headless.render import drop_nulls

    return escape_serialised(tomli_w.dumps(drop_nulls(result.to_dict())))


def legend(result, spec) -> list[str]:
    """``C1 = Well-resourced supervision: supervisor_hours >= 4 (crisp)`` for every condition in the analysis."""
    from metrics.qca_text import condition_rule, outcome_rule

    by_name = {c.qca_name: c for c in spec.conditions}
    lines = [f"Outcome {result.outcome}: {outcome_rule(spec.outcome)}"]
    for name in result.conditions:
        c = by_name[name]
        shown = name if c.name == name else f"{name} = {c.name}"
        lines.append(f"  {shown}: {condition_rule(c)}")
    return [clean(line) for line in lines]


def render_text(result, spec) -> str:
    lines = legend(result, spec) + [clean(line) for line in result.text_lines()]
    return "".join(line + "\n" for line in lines)


def _md(text: object) -> str:
    from tui.headless.render import _md as md

    return md(text)


def _expr(text: object) -> str:
    """A term or model in Markdown: ``*`` and ``~`` shown as written, not as emphasis or strikethrough."""
    return _md(text).replace("*", "\\*").replace("~", "\\~")


def _f(v) -> str:
    return "-" if v is None else f"{v:.3f}"


def render_markdown(result, spec) -> str:
    from metrics.qca_text import condition_rule, outcome_rule

    by_name = {c.qca_name: c for c in spec.conditions}
    out = [f"# QCA of {_md(result.outcome)}", "", f"Outcome: {_md(outcome_rule(spec.outcome))}", ""]
    out += ["| Condition | Name in study.toml | Calibration |", "|---|---|---|"]
    for name in result.conditions:
        c = by_name[name]
        out.append(f"| {_md(name)} | {_md(c.name)} | {_md(condition_rule(c))} |")
    cuts = result.cuts
    out += ["", f"## Truth table (incl_cut {cuts.incl:g}, n_cut {cuts.n}, pri_cut {cuts.pri:g})", ""]
    out += ["| " + " | ".join(_md(n) for n in result.conditions) + " | OUT | n | incl | PRI | cases |"]
    out += ["|" + "---|" * (len(result.conditions) + 5)]
    for r in result.truth_table:
        cells = " | ".join(r.configuration)
        out.append(f"| {cells} | {r.out} | {r.n} | {_f(r.incl)} | {_f(r.pri)} | {_md(', '.join(r.cases))} |")
    for kind in ("conservative", "parsimonious", "intermediate"):
        models = result.solutions.get(kind, ())
        if kind == "intermediate" and not models:
            continue
        out += ["", f"## {kind.capitalize()} solution", ""]
        if not models:
            out.append("None: no truth-table row has OUT = 1.")
        for i, m in enumerate(models, 1):
            out += [
                f"**M{i}: {_expr(m.expression)}** (incl {_f(m.fit.incl)}, PRI {_f(m.fit.pri)}, cov {_f(m.fit.cov)})",
                "",
                "| term | incl | PRI | cov | cov (unique) | cases |",
                "|---|---|---|---|---|---|",
            ]
            for t in m.terms:
                out.append(
                    f"| {_expr(t.term)} | {_f(t.fit.incl)} | {_f(t.fit.pri)} | {_f(t.fit.cov)} | "
                    f"{_f(t.cov_unique)} | {_md(', '.join(t.cases))} |"
                )
            if m.assumptions:
                out += ["", f"Simplifying assumptions: {', '.join(m.assumptions)}"]
            out.append("")
    out += ["", "## Necessity", "", "| condition | incl | cov | RoN |", "|---|---|---|---|"]
    for n in result.necessity:
        out.append(f"| {_expr(n.condition)} | {_f(n.incl)} | {_f(n.cov)} | {_f(n.ron)} |")
    if result.left_out:
        out += ["", "## Left out", ""] + [f"- {_md(x['site'])}: {_md(x['reason'])}" for x in result.left_out]
    if result.warnings:
        out += ["", "## Warnings", ""] + [f"- {_md(w)}" for w in result.warnings]
    return "\n".join(out).rstrip("\n") + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json, "toml": render_toml}


def check_cuts(args) -> None:
    from tui.core.errors import UsageError

    problems = []
    for key, flag in (("incl_cut", "--incl-cut"), ("pri_cut", "--pri-cut")):
        v = getattr(args, key, None)
        if v is not None and not 0.0 <= v <= 1.0:
            problems.append(f"{flag} must be a number from 0 to 1, not {v:g}")
    n = getattr(args, "n_cut", None)
    if n is not None and n < 1:
        problems.append(f"--n-cut must be a whole number of at least 1, not {n}")
    if problems:
        raise UsageError(*problems)


def qca_result(args):
    """(study, result): the study loaded with the command line's options, and its QCA."""
    from metrics.compare import compare, resolve
    from metrics.pseudonyms import pseudonymise
    from metrics.qca_study import QcaUnavailable, cuts_of, study_qca
    from tui.core.errors import UsageError
    from tui.core.study import load, options_from, study_path

    check_cuts(args)
    study = load(args.study, pseudonymise=bool(args.pseudonymise))
    options = replace(options_from(args, study), permutations=False)
    try:
        _, _, disclosure = resolve(study, options)
        if disclosure.pseudonymise:
            study, options = pseudonymise(study, options)
        comparison = compare(study, options)
        spec = study.qca
        cuts = None if spec is None else cuts_of(spec, args.incl_cut, args.n_cut, args.pri_cut)
        return study, study_qca(study, comparison.split, comparison.disclosure, cuts)
    except QcaUnavailable as exc:
        raise UsageError(clean(f"{study_path(args.study)}: {exc}")) from None
    except ValueError as exc:
        raise UsageError(*(clean(line) for line in str(exc).splitlines())) from None


def qca_command(args) -> int:
    study, result = qca_result(args)
    sys.stdout.write(RENDERERS[args.format](result, study.qca))
    return 0
