"""Calibration of the distinguishing rules against published CFIR judgements.

tests/fixtures/published/ holds rating tables transcribed from open-access CFIR studies, with the
authors' own judgement of each construct (see the README there, and its caveats: partial tables,
inferred site levels). Here each table's ``_high`` sites are the high group and its ``_low`` sites
the low group (``_medium`` sites are middle and ignored, as crosscase ignores middle sites); the
ratings are parsed with cases.tokens; metrics.distinguishing.judge labels every construct; and the
label is compared with the authors':

- binary agreement: distinguishing (strong or weak, in either direction) or not (none or
  insufficient), against the authors' strong/weak/distinguishing vs none;
- exact agreement (tables whose authors split strong from weak): strong / weak / none, with the
  rule's ``insufficient`` counted as none.

Two rule families are tuned here, each by a search over a grid that maximises binary agreement
over the tables it is given (ties: more exact agreement, then a family's own order, below):

- ``gap`` (``tune``): ties go to more whole-number parameters, then to the parameters nearest
  ``PRIOR``, the defaults before the first calibration. ``DEFAULTS["gap"]`` = ``tune(all tables)``.
- ``share`` (``tune_share``, the default rule): ties go to the larger ``min_share`` (the stricter
  rule), then to the middle of the tied ``min_z`` values, then of the tied ``strong_diff`` values.
  ``DEFAULTS["share"]`` = ``tune_share(all tables)``.

The honest estimate of how well a procedure does on a table it has not seen is leave-one-table-out:
tune on the other four tables, score on the fifth. Those figures are computed here (nothing is
pinned but the default's held-out total) and must appear in docs/distinguishing.md. The default
rule is the family with the better held-out agreement. Run
``python tests/test_distinguishing_calibration.py`` to print them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from statistics import median_low

import pytest

from cases.rules import DEFAULT_RULE, DEFAULTS, make_rule
from cases.tokens import canonical_token, valence
from metrics.distinguishing import Summary, judge, judge_summaries

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "published"
TABLES = ("varsi2015", "hudson2020", "wilhelm2021", "pmc5316200", "damschroder2013")


@dataclass(frozen=True)
class Construct:
    name: str
    high: tuple[int, ...]
    low: tuple[int, ...]
    judgement: str  # strong | weak | distinguishing | none
    direction: str  # expected | reversed | "" (not stated)


def load_table(name: str) -> list[Construct]:
    text = (FIXTURES / f"{name}.csv").read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    out = []
    for row in csv.DictReader(io.StringIO(body)):
        high, low = [], []
        for col, raw in row.items():
            level = col.rsplit("_", 1)[-1]
            if level not in ("high", "medium", "low"):
                continue
            token = canonical_token(raw)
            assert token is not None, f"{name}: {row['construct']}: {col}: {raw!r} is not a rating token"
            v = valence(token)
            if v is not None and level != "medium":
                (high if level == "high" else low).append(v)
        assert row["judgement"] in ("strong", "weak", "distinguishing", "none")
        out.append(Construct(row["construct"], tuple(high), tuple(low), row["judgement"], row["direction"]))
    return out


@dataclass(frozen=True)
class Agreement:
    constructs: int
    assessable: int  # both groups have at least one valence rating
    binary: int  # over every construct
    binary_assessable: int  # over assessable constructs only
    exact: int | None  # strong/weak/none, where the authors split strong from weak
    direction: tuple[int, int] | None  # (agreeing, compared) where the authors state a direction


def agreement(rule, rows: list[Construct]) -> Agreement:
    binary = binary_a = exact = assessable = 0
    dir_ok = dir_n = 0
    splits_strength = any(r.judgement in ("strong", "weak") for r in rows)
    for r in rows:
        label, direction = judge_summaries(rule, _summary(r.high), _summary(r.low))
        mine = label in ("strong", "weak")
        theirs = r.judgement != "none"
        binary += mine == theirs
        if label != "insufficient":
            assessable += 1
            binary_a += mine == theirs
        exact += (label if mine else "none") == r.judgement
        if r.direction and mine and theirs:
            dir_n += 1
            dir_ok += direction == r.direction
    return Agreement(
        len(rows),
        assessable,
        binary,
        binary_a,
        exact if splits_strength else None,
        (dir_ok, dir_n) if any(r.direction for r in rows) else None,
    )


@cache
def _summary(ratings: tuple[int, ...]) -> Summary | None:
    return Summary.of(ratings) if ratings else None


def _steps(lo: float, hi: float) -> list[float]:
    return [x / 2 for x in range(int(lo * 2), int(hi * 2) + 1)]


# The grid: weak thresholds, and strong thresholds at least as strict as the weak ones (so strong
# implies weak, and the binary result depends on the weak thresholds only).
GRID = tuple(
    {"strong_gap": sg, "strong_diff": sd, "weak_gap": wg, "weak_diff": wd}
    for wg in _steps(-1, 2)
    for wd in _steps(0.5, 3)
    for sg in _steps(wg, 3)
    for sd in _steps(wd, 4)
)
PRIOR = {"strong_gap": 1.0, "strong_diff": 2.0, "weak_gap": 0.0, "weak_diff": 1.0}  # before calibration


# The share family's grid (binary agreement depends on min_share and min_z only; strong_diff splits
# strong from weak). Shares are eighths, so every share a table of up to four high sites can show
# (0, 1/4, 1/3, 1/2, 2/3, 3/4, 1) falls between two grid points.
SHARE_GRID = tuple(
    {"min_share": sh / 8, "min_z": z / 10, "strong_diff": sd / 4}
    for sh in range(9)
    for z in range(3, 21)
    for sd in range(4, 17)
)


@pytest.fixture(scope="module")
def tables():
    return {name: load_table(name) for name in TABLES}


@pytest.fixture(scope="module")
def grid_scores(tables):
    return scores_over_grid(tables)


@pytest.fixture(scope="module")
def share_scores(tables):
    return scores_over_grid(tables, "share", SHARE_GRID)


def scores_over_grid(tables, family: str = "gap", grid=GRID) -> list[tuple[dict, dict[str, Agreement]]]:
    return [(p, {n: agreement(make_rule(family, p), rows) for n, rows in tables.items()}) for p in grid]


def _key(params: dict, by_table: dict[str, Agreement], names) -> tuple:
    return (
        sum(by_table[n].binary for n in names),
        sum(by_table[n].exact or 0 for n in names),
        sum(float(v).is_integer() for v in params.values()),
        -sum(abs(params[k] - PRIOR[k]) for k in params),
    )


def tune(grid_scores, names) -> dict:
    """The gap grid's parameters that agree best with the authors over the tables ``names``."""
    return max(grid_scores, key=lambda item: _key(item[0], item[1], names))[0]


def tune_share(share_scores, names) -> dict:
    """The share grid's parameters that agree best over ``names``: most binary, then most exact
    agreements; then the largest min_share (the stricter rule); then the middle tied min_z and
    strong_diff (the setting furthest from the edges of the tie, not one that only just passes)."""

    def total(by_table, field):
        return sum(getattr(by_table[n], field) or 0 for n in names)

    best = max((total(t, "binary"), total(t, "exact")) for _, t in share_scores)
    tied = [p for p, t in share_scores if (total(t, "binary"), total(t, "exact")) == best]
    top = max(p["min_share"] for p in tied)
    tied = [p for p in tied if p["min_share"] == top]
    z = median_low(sorted({p["min_z"] for p in tied}))
    tied = [p for p in tied if p["min_z"] == z]
    sd = median_low(sorted({p["strong_diff"] for p in tied}))
    return next(p for p in tied if p["strong_diff"] == sd)


def held_out(grid_scores, tables, family: str = "gap", tuner=tune) -> dict[str, tuple[dict, Agreement]]:
    """Leave-one-table-out: for each table, the parameters tuned on the others and their agreement on it."""
    out = {}
    for name in tables:
        params = tuner(grid_scores, [n for n in tables if n != name])
        out[name] = (params, agreement(make_rule(family, params), tables[name]))
    return out


def test_fixtures_parse(tables):
    assert {n: len(rows) for n, rows in tables.items()} == {
        "varsi2015": 28,
        "hudson2020": 27,
        "wilhelm2021": 23,
        "pmc5316200": 19,
        "damschroder2013": 31,
    }
    # the visible judgements as the README counts them
    count = lambda n, j: sum(r.judgement == j for r in tables[n])
    assert (count("varsi2015", "strong"), count("varsi2015", "weak")) == (5, 5)
    assert (count("wilhelm2021", "strong"), count("wilhelm2021", "weak")) == (4, 5)
    assert (count("hudson2020", "strong"), count("hudson2020", "weak")) == (4, 4)
    assert count("pmc5316200", "distinguishing") == 12
    assert (count("damschroder2013", "strong"), count("damschroder2013", "weak")) == (9, 2)


def test_defaults_are_what_the_tuning_picks_on_all_tables(grid_scores, share_scores):
    assert DEFAULTS["gap"] == tune(grid_scores, TABLES)
    assert DEFAULTS["share"] == tune_share(share_scores, TABLES)


def _total(results) -> int:
    return sum(a.binary for _, a in results.values())


def test_the_default_rule_is_the_family_that_agrees_best_held_out(grid_scores, share_scores, tables):
    gap, share = held_out(grid_scores, tables), held_out(share_scores, tables, "share", tune_share)
    assert _total(share) > _total(gap)
    assert DEFAULT_RULE == "share" and make_rule().name == "share"
    from cases.model import RuleSpec

    assert RuleSpec().name == DEFAULT_RULE  # a study that names no rule gets the default


def test_held_out_agreement(share_scores, tables):
    results = held_out(share_scores, tables, "share", tune_share)
    total = sum(a.constructs for _, a in results.values())
    assert (_total(results), total) == (122, 128)
    assert _total(results) / total >= 0.95  # the goal, on tables the defaults were not tuned on


def test_what_no_rule_over_the_ratings_can_get_right(tables):
    """The ceiling: four judgements that no monotone rule over the valence ratings can reproduce
    (raising a high site or lowering a low site never makes a theme less distinguishing)."""
    by = {(n, r.name): r for n, rows in tables.items() for r in rows}
    # no valence rating at the low site, yet judged distinguishing (from the memos)
    for name in ("Engaging: Champions", "Organizational Tracking"):
        r = by["pmc5316200", name]
        assert r.judgement == "distinguishing" and not r.low
    # within one table: the same pattern with one high site a point higher, judged none
    access, knowledge = (
        by["wilhelm2021", "Access to Information & Knowledge"],
        by["wilhelm2021", "Knowledge & Beliefs About the Intervention"],
    )
    assert (access.high, access.low, access.judgement) == ((1, 0), (-1,), "weak")
    assert (knowledge.high, knowledge.low, knowledge.judgement) == ((2, 0), (-1,), "none")
    # between tables: +1 +1 against -2 +1 weak in hudson2020, +2 +1 (or +1 +2) against -2 +1 none in D&L
    hudson = by["hudson2020", "Structural Characteristics"]
    assert (hudson.high, hudson.low, hudson.judgement) == ((1, 1), (-2, 1), "weak")
    for name in ("Evidence Strength and Quality", "Compatibility"):
        r = by["damschroder2013", name]
        assert (sorted(r.high), sorted(r.low), r.judgement) == ([1, 2], [-2, 1], "none")
    # so at most 124 of 128 in-sample, which the default reaches
    assert sum(agreement(make_rule(), rows).binary for rows in tables.values()) == 124


def test_the_damschroder_fold_depends_on_the_stricter_tie_break(share_scores, tables):
    """Tuned on the other four, min_share 0 ties with 0.75 (hudson2020's +1 +1 against -2 +1 for it,
    wilhelm2021's +2 0 against 0 -2 against); the stricter tie-break keeps 0.75. Said in the docs."""
    others = [n for n in TABLES if n != "damschroder2013"]
    params = tune_share(share_scores, others)
    lax = {**params, "min_share": 0.0}
    scores = {tuple(sorted(p.items())): t for p, t in share_scores}
    train = lambda p: sum(scores[tuple(sorted(p.items()))][n].binary for n in others)
    assert train(lax) == train(params)
    assert agreement(make_rule("share", params), tables["damschroder2013"]).binary == 31
    assert agreement(make_rule("share", lax), tables["damschroder2013"]).binary == 21


def test_default_rule_no_longer_calls_touching_groups_weak(tables):
    """Issue 10 section 3: with weak_gap 0 the rule called seven D&L constructs weak where a low site
    is rated as high as a high site (gap 0); the authors never did. Neither default does now."""
    old = make_rule("gap", PRIOR)
    rows = tables["damschroder2013"]
    false_weak = [r.name for r in rows if judge(old, r.high, r.low)[0] == "weak" and r.judgement == "none"]
    assert len(false_weak) == 7
    assert all(min(r.high) - max(r.low) == 0 for r in rows if r.name in false_weak)
    assert agreement(old, rows).binary == 24
    for rule in (make_rule(), make_rule("gap")):
        assert not [r.name for r in rows if judge(rule, r.high, r.low)[0] == "weak" and r.judgement == "none"]


def _params_text(p: dict) -> str:
    return ", ".join(f"{k} {p[k]:g}" for k in p)


def _in_sample_text(a: Agreement) -> str:
    return f"{a.binary}/{a.constructs}" + (f", exact {a.exact}" if a.exact is not None else "")


def test_docs_report_the_computed_figures(grid_scores, share_scores, tables):
    doc = (Path(__file__).resolve().parents[1] / "docs" / "distinguishing.md").read_text(encoding="utf-8")
    for family, scores, tuner in (("gap", grid_scores, tune), ("share", share_scores, tune_share)):
        results = held_out(scores, tables, family, tuner)
        for name, (params, a) in results.items():
            assert f"| {family} | {name} | {_params_text(params)} | {a.binary}/{a.constructs} |" in doc, (family, name)
        assert f"{_total(results)}/128" in doc
    for setting, rule in SETTINGS.items():
        cells = " | ".join(_in_sample_text(agreement(rule, tables[n])) for n in TABLES)
        total = sum(agreement(rule, tables[n]).binary for n in TABLES)
        assert f"| {setting} | {cells} | {total}/128" in doc, setting
    for name, p in (("share", DEFAULTS["share"]), ("gap", DEFAULTS["gap"])):
        assert ", ".join(f"`{k} = {v:g}`" for k, v in p.items()) in doc, name


SETTINGS = {
    "`share` (default)": make_rule("share"),
    "`gap` (default)": make_rule("gap"),
    "`gap` before calibration (1, 2, 0, 1)": make_rule("gap", PRIOR),
    "`means` (default)": make_rule("means"),
    "`means` weak_diff=1.5": make_rule("means", {"weak_diff": 1.5}),
    "`valence` (default)": make_rule("valence"),
}


def test_alternative_rules_agree_less_or_equally(tables):
    def total(rule):
        return sum(agreement(rule, rows).binary for rows in tables.values())

    default = total(make_rule())
    for rule in SETTINGS.values():
        assert total(rule) <= default


def test_pmc_direction(tables):
    # the only table with a stated sign. Design Quality & Packaging is printed "+ association"
    # although its ratings run -1 (high) to +1 (low) (README caveat 4); Champions and Organizational
    # Tracking have no low-site valence rating, so the rule says insufficient.
    assert agreement(make_rule(), tables["pmc5316200"]).direction == (8, 9)


if __name__ == "__main__":
    data = {name: load_table(name) for name in TABLES}
    for family, tuner, grid in (("gap", tune, GRID), ("share", tune_share, SHARE_GRID)):
        scores = scores_over_grid(data, family, grid)
        print(family, "tuned on all tables:", tuner(scores, TABLES))
        results = held_out(scores, data, family, tuner)
        for name, (params, a) in results.items():
            print(f"| {family} | {name} | {_params_text(params)} | {a.binary}/{a.constructs} | exact {a.exact} |")
        print(family, "held out:", f"{_total(results)}/128")
    for setting, rule in SETTINGS.items():
        cells = " | ".join(_in_sample_text(agreement(rule, data[n])) for n in TABLES)
        print(f"| {setting} | {cells} | {sum(agreement(rule, data[n]).binary for n in TABLES)}/128 |")
