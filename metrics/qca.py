"""Set-theoretic analysis (QCA) to the definitions of analysis.md section 3.

Pure functions: memberships in (already calibrated, see ``metrics.qca_calibrate``) conditions and
in the outcome go in, a ``QcaResult`` comes out: the truth table, the conservative, parsimonious
and (with directional expectations) intermediate solutions with every minimal cover, the fits of
each term and model, and necessity for each condition and its negation. ``to_dict`` is the JSON
of ``crosscase qca``; ``text_lines`` is for people. Checked against R's QCA package
(tests/test_qca_r.py, with R's printed outputs in tests/fixtures/qca/).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from metrics.numbers import num
from metrics.qca_minimize import (
    FREE,
    Term,
    configurations_of,
    easy_counterfactuals,
    notation,
    simplifying_assumptions,
    solve_checked,
    term_bits,
)

TOL = 1e-9
MAX_MODELS = 24  # minimal covers listed per solution (a warning says when there are more)
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
KINDS = ("conservative", "parsimonious", "intermediate")


@dataclass(frozen=True)
class Cuts:
    incl: float = 0.8
    n: int = 1
    pri: float = 0.0


@dataclass(frozen=True)
class Fit:
    incl: float | None
    pri: float | None
    cov: float | None


@dataclass(frozen=True)
class TermFit:
    term: str
    fit: Fit
    cov_unique: float | None
    cases: tuple[str, ...]


@dataclass(frozen=True)
class Model:
    expression: str
    fit: Fit
    terms: tuple[TermFit, ...]
    assumptions: tuple[str, ...] | None = None  # remainders used (parsimonious, intermediate)


@dataclass(frozen=True)
class TableRow:
    configuration: str
    n: int
    incl: float | None
    pri: float | None
    out: str
    cases: tuple[str, ...]


@dataclass(frozen=True)
class Necessity:
    condition: str
    incl: float | None
    cov: float | None
    ron: float | None


@dataclass(frozen=True)
class QcaResult:
    outcome: str
    conditions: tuple[str, ...]
    cuts: Cuts
    cases: dict[str, dict[str, float]]
    left_out: tuple[dict, ...]
    truth_table: tuple[TableRow, ...]
    solutions: dict[str, tuple[Model, ...]]
    necessity: tuple[Necessity, ...]
    warnings: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict:
        return {
            "outcome": self.outcome,
            "conditions": list(self.conditions),
            "cuts": {"incl": num(self.cuts.incl), "n": self.cuts.n, "pri": num(self.cuts.pri)},
            "cases": {s: {k: num(v) for k, v in m.items()} for s, m in self.cases.items()},
            "left_out": [dict(x) for x in self.left_out],
            "truth_table": [
                {
                    "configuration": r.configuration,
                    "n": r.n,
                    "incl": num(r.incl),
                    "pri": num(r.pri),
                    "out": r.out,
                    "cases": list(r.cases),
                }
                for r in self.truth_table
            ],
            "solutions": {k: {"models": [_model_dict(m) for m in self.solutions.get(k, ())]} for k in KINDS},
            "necessity": [
                {"condition": n.condition, "incl": num(n.incl), "cov": num(n.cov), "ron": num(n.ron)}
                for n in self.necessity
            ],
            "warnings": list(self.warnings),
        }

    def text_lines(self) -> list[str]:
        from metrics.qca_text import text_lines

        return text_lines(self)


def _fit_dict(fit: Fit) -> dict:
    return {"incl": num(fit.incl), "pri": num(fit.pri), "cov": num(fit.cov)}


def _model_dict(m: Model) -> dict:
    out = {
        "expression": m.expression,
        **_fit_dict(m.fit),
        "terms": [
            {"term": t.term, **_fit_dict(t.fit), "cov_unique": num(t.cov_unique), "cases": list(t.cases)}
            for t in m.terms
        ],
    }
    if m.assumptions is not None:
        out["assumptions"] = list(m.assumptions)
    return out


def qca_names(names: Sequence[str]) -> tuple[str, ...]:
    """The names used in terms: a condition's own name when it is a QCA name, else C1, C2, ..."""
    return tuple(n if NAME.match(n) else f"C{i + 1}" for i, n in enumerate(names))


# -- figures -------------------------------------------------------------------------------------


def _ratio(a: float, b: float) -> float | None:
    return a / b if b > 0 else None


def sufficiency(x: np.ndarray, y: np.ndarray) -> Fit:
    """incl = Σmin(X,Y)/ΣX, pri = (Σmin(X,Y) - Σmin(X,Y,1-Y)) / (ΣX - Σmin(X,Y,1-Y)), cov = Σmin(X,Y)/ΣY."""
    xy = np.minimum(x, y)
    sxy, sx = float(xy.sum()), float(x.sum())
    both = float(np.minimum(xy, 1.0 - y).sum())
    return Fit(_ratio(sxy, sx), _ratio(sxy - both, sx - both), _ratio(sxy, float(y.sum())))


def necessity(x: np.ndarray, y: np.ndarray, condition: str) -> Necessity:
    """incl = Σmin(X,Y)/ΣY, cov = Σmin(X,Y)/ΣX, RoN = Σ(1-X)/Σ(1-min(X,Y))."""
    xy = np.minimum(x, y)
    sxy = float(xy.sum())
    return Necessity(
        condition,
        _ratio(sxy, float(y.sum())),
        _ratio(sxy, float(x.sum())),
        _ratio(float((1.0 - x).sum()), float((1.0 - xy).sum())),
    )


def term_membership(term: Term, x: np.ndarray) -> np.ndarray:
    """Min over the term's literals (x or 1 - x) for every site; 1 for the empty term."""
    out = np.ones(x.shape[0])
    for j, d in enumerate(term):
        if d != FREE:
            out = np.minimum(out, x[:, j] if d == 1 else 1.0 - x[:, j])
    return out


def _passes(value: float | None, cut: float) -> bool:
    return (value if value is not None else 0.0) >= cut - TOL


# -- the truth table -----------------------------------------------------------------------------


def truth_table(x: np.ndarray, y: np.ndarray, sites: Sequence[str], cuts: Cuts) -> list[TableRow]:
    """The observed rows in configuration order (remainders are not listed)."""
    k = x.shape[1]
    clear = ~np.any(x == 0.5, axis=1)
    bits = (x > 0.5).astype(np.int64)
    code = bits @ (1 << np.arange(k - 1, -1, -1, dtype=np.int64)) if k else np.zeros(len(sites), np.int64)
    rows = []
    for c in np.unique(code[clear]):
        config = format(int(c), f"0{k}b")
        members = np.flatnonzero(clear & (code == c))
        term = tuple(int(ch) for ch in config)
        fit = sufficiency(term_membership(term, x), y)
        n = len(members)
        if n < cuts.n:
            out = "?"
        else:
            out = "1" if _passes(fit.incl, cuts.incl) and _passes(fit.pri, cuts.pri) else "0"
        rows.append(TableRow(config, n, fit.incl, fit.pri, out, tuple(sites[int(i)] for i in members)))
    return rows


def table_warnings(
    x: np.ndarray, y: np.ndarray, sites: Sequence[str], names: Sequence[str], rows: Sequence[TableRow], cuts: Cuts
) -> list[str]:
    out = []
    for i, j in zip(*np.nonzero(x == 0.5)):
        out.append(f"{sites[int(i)]}: membership in {names[int(j)]} is exactly 0.5, so the site belongs to no row")
    for i in np.flatnonzero(y == 0.5):
        out.append(f"{sites[int(i)]}: membership in the outcome is exactly 0.5")
    index = {s: i for i, s in enumerate(sites)}
    for r in rows:
        ys = y[[index[s] for s in r.cases]]
        if np.any(ys > 0.5) and np.any(ys < 0.5):
            out.append(f"row {r.configuration} is contradictory: it holds sites in and out of the outcome")
    k = len(names)
    if rows and len(rows) < 2**k:
        out.append(
            f"limited diversity: {len(rows)} of {2**k} configurations observed; "
            f"the other {2**k - len(rows)} are remainders"
        )
    few = [r.configuration for r in rows if r.n < cuts.n]
    if few:
        out.append(f"{len(few)} row(s) with fewer than n_cut = {cuts.n} sites count as remainders: {', '.join(few)}")
    single = [r.configuration for r in rows if r.n == 1 and r.n >= cuts.n]
    if single:
        out.append(f"{len(single)} row(s) rest on a single site: {', '.join(single)}")
    return out


# -- solutions -----------------------------------------------------------------------------------


def model_fits(
    terms: Sequence[Term],
    x: np.ndarray,
    y: np.ndarray,
    names: Sequence[str],
    rows: Sequence[TableRow],
    assumptions=None,
    memo: dict | None = None,
) -> Model:
    """A model's fits and its terms': membership of the model = max over its terms. ``memo``
    keeps each term's membership, fit and cases between the models of one analysis."""
    memo = {} if memo is None else memo
    parts = [_term_part(t, x, y, names, rows, memo) for t in terms]
    ms = [m for m, _ in parts]
    whole = np.max(ms, axis=0) if ms else np.zeros(x.shape[0])
    cov = sufficiency(whole, y).cov
    fits = []
    for i, (_, tf) in enumerate(parts):
        others = [m for j, m in enumerate(ms) if j != i]
        rest = sufficiency(np.max(others, axis=0), y).cov if others else 0.0
        unique = None if cov is None else cov - (rest or 0.0)
        fits.append(TermFit(tf.term, tf.fit, unique, tf.cases))
    expression = " + ".join(f.term for f in fits)
    return Model(expression, sufficiency(whole, y), tuple(fits), None if assumptions is None else tuple(assumptions))


def _term_part(term: Term, x, y, names, rows, memo):
    if term not in memo:
        mask, value = term_bits(term)
        m = term_membership(term, x)
        cases = tuple(s for r in rows if r.out == "1" and (int(r.configuration, 2) & mask) == value for s in r.cases)
        memo[term] = (m, TermFit(notation(term, names), sufficiency(m, y), None, cases))
    return memo[term]


def solutions(
    rows: Sequence[TableRow],
    x: np.ndarray,
    y: np.ndarray,
    names: Sequence[str],
    expect: Mapping[str, str] | None,
    warnings: list[str] | None = None,
) -> dict[str, tuple[Model, ...]]:
    """Conservative ("1" rows only), parsimonious (remainders as don't-cares: rows with n < n_cut
    and unobserved ones) and, with ``expect``, intermediate (R's ``dir.exp``): for every pair of a
    conservative and a parsimonious model, the "1" rows plus the easy counterfactuals."""
    k = len(names)
    on = [r.configuration for r in rows if r.out == "1"]
    off = {r.configuration for r in rows if r.out == "0"}
    remainders = [c for c in configurations_of(k) if c not in off and c not in set(on)]
    warnings = [] if warnings is None else warnings

    def solve(on_rows, permitted, kind):
        models, complete = solve_checked(on_rows, permitted, k)
        if not complete:
            warnings.append(
                f"the prime-implicant chart of the {kind} solution is too complex to search "
                "every minimal cover: one cover found greedily is shown, not guaranteed minimal"
            )
        if len(models) > MAX_MODELS:
            warnings.append(f"the {kind} solution has {len(models)} minimal covers; the first {MAX_MODELS} are listed")
        return models[:MAX_MODELS]

    cons = solve(on, on, "conservative")
    pars = solve(on, set(on) | set(remainders), "parsimonious")
    memo: dict = {}
    out = {"conservative": tuple(model_fits(m, x, y, names, rows, None, memo) for m in cons)}
    assumed = [simplifying_assumptions(m, on, k, remainders) for m in pars]
    out["parsimonious"] = tuple(model_fits(m, x, y, names, rows, a, memo) for m, a in zip(pars, assumed))
    if expect is None:
        out["intermediate"] = ()
        return out
    directions = _directions(expect, names)
    seen, models, solved = set(), [], set()
    for c in cons:
        for p, sa in zip(pars, assumed):
            ec = easy_counterfactuals(c, p, sa, directions)
            if tuple(ec) in solved:
                continue
            solved.add(tuple(ec))
            for m in solve(on, set(on) | set(ec), "intermediate"):
                key = frozenset(m)
                if key not in seen:
                    seen.add(key)
                    models.append(model_fits(m, x, y, names, rows, ec, memo))
    if len(models) > MAX_MODELS:
        warnings.append(f"the intermediate solution has {len(models)} models; the first {MAX_MODELS} are listed")
    out["intermediate"] = tuple(models[:MAX_MODELS])
    return out


def _directions(expect: Mapping[str, str], names: Sequence[str]) -> dict[int, int]:
    out = {}
    for cond, direction in expect.items():
        if cond not in names:
            raise ValueError(f"expect names {cond!r}, which is not a condition ({', '.join(names)})")
        if direction not in ("present", "absent"):
            raise ValueError(f'expect {cond} = {direction!r}: use "present" or "absent"')
        out[names.index(cond)] = 1 if direction == "present" else 0
    return out


# -- the whole analysis --------------------------------------------------------------------------


def _kept(membership: float | None) -> float:
    """A membership of a site ``_collect`` kept: never None (a site missing one is left out)."""
    if membership is None:
        raise ValueError("a site without this membership was kept")
    return float(membership)


def _collect(names, memberships, outcome, sites):
    kept, left_out = [], []
    for s in sites:
        m = memberships.get(s, {})
        missing = [n for n in names if m.get(n) is None]
        if outcome.get(s) is None:
            missing.append("the outcome")
        if missing:
            left_out.append({"site": s, "reason": f"no membership in {', '.join(missing)}"})
        else:
            kept.append(s)
    return kept, left_out


def analyse(
    names: Sequence[str],
    memberships: Mapping[str, Mapping[str, float | None]],
    outcome: Mapping[str, float | None],
    *,
    outcome_name: str = "high",
    cuts: Cuts = Cuts(),
    expect: Mapping[str, str] | None = None,
    sites: Sequence[str] | None = None,
) -> QcaResult:
    """The QCA of ``outcome`` on the conditions ``names`` (QCA names, study order).

    ``memberships[site][name]`` and ``outcome[site]`` are set memberships in [0, 1] (None:
    missing; such a site is left out, with the reason). ``sites`` gives the order (default: that
    of ``memberships``)."""
    names = tuple(names)
    for n in names:
        if not NAME.match(n):
            raise ValueError(f"{n!r} is not a QCA name ([A-Za-z][A-Za-z0-9_]*)")
    order = list(memberships) if sites is None else list(sites)
    kept, left_out = _collect(names, memberships, outcome, order)
    x = np.array([[_kept(memberships[s][n]) for n in names] for s in kept], dtype=np.float64).reshape(
        len(kept), len(names)
    )
    y = np.array([_kept(outcome[s]) for s in kept], dtype=np.float64)
    if np.any((x < 0) | (x > 1)) or np.any((y < 0) | (y > 1)):
        raise ValueError("memberships must lie in [0, 1]")
    rows = truth_table(x, y, kept, cuts)
    warnings = table_warnings(x, y, kept, names, rows, cuts)
    if expect is not None:
        _directions(expect, names)
    sols: dict[str, tuple[Model, ...]] = (
        solutions(rows, x, y, names, expect, warnings) if kept else dict.fromkeys(KINDS, ())
    )
    nec = []
    for j, n in enumerate(names):
        nec += [necessity(x[:, j], y, n), necessity(1.0 - x[:, j], y, "~" + n)]
    cases = {s: {**{n: _kept(memberships[s][n]) for n in names}, outcome_name: _kept(outcome[s])} for s in kept}
    return QcaResult(outcome_name, names, cuts, cases, tuple(left_out), tuple(rows), sols, tuple(nec), tuple(warnings))
