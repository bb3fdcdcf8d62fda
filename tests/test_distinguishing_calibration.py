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

The default parameters of the ``gap`` rule are *chosen* here, by ``tune``: a search over a half-point
grid that maximises binary agreement over the tables it is given (ties: more exact agreement, then
more whole-number parameters, then the parameters nearest ``PRIOR``, the defaults before this
calibration). ``DEFAULTS["gap"]`` must equal ``tune(all tables)``. The honest estimate of how well
that procedure does on a table it has not seen is leave-one-table-out: tune on the other tables,
score on the held-out one. Those held-out figures are computed here, pinned, and must appear in
docs/distinguishing.md. Run ``python tests/test_distinguishing_calibration.py`` to print them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pytest

from cases.tokens import canonical_token, valence
from metrics.distinguishing import DEFAULTS, judge, make_rule

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "published"
TABLES = ("varsi2015", "hudson2020", "wilhelm2021", "pmc5316200", "damschroder2013")


@dataclass(frozen=True)
class Construct:
    name: str
    high: tuple[int, ...]
    low: tuple[int, ...]
    judgement: str          # strong | weak | distinguishing | none
    direction: str          # expected | reversed | "" (not stated)


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
    assessable: int          # both groups have at least one valence rating
    binary: int              # over every construct
    binary_assessable: int   # over assessable constructs only
    exact: int | None        # strong/weak/none, where the authors split strong from weak
    direction: tuple[int, int] | None   # (agreeing, compared) where the authors state a direction


def agreement(rule, rows: list[Construct]) -> Agreement:
    binary = binary_a = exact = assessable = 0
    dir_ok = dir_n = 0
    splits_strength = any(r.judgement in ("strong", "weak") for r in rows)
    for r in rows:
        label, direction = judge(rule, r.high, r.low)
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
    return Agreement(len(rows), assessable, binary, binary_a, exact if splits_strength else None,
                     (dir_ok, dir_n) if any(r.direction for r in rows) else None)



def _steps(lo: float, hi: float) -> list[float]:
    return [x / 2 for x in range(int(lo * 2), int(hi * 2) + 1)]


# The grid: weak thresholds, and strong thresholds at least as strict as the weak ones (so strong
# implies weak, and the binary result depends on the weak thresholds only).
GRID = tuple(
    {"strong_gap": sg, "strong_diff": sd, "weak_gap": wg, "weak_diff": wd}
    for wg in _steps(-1, 2) for wd in _steps(0.5, 3) for sg in _steps(wg, 3) for sd in _steps(wd, 4)
)
PRIOR = {"strong_gap": 1.0, "strong_diff": 2.0, "weak_gap": 0.0, "weak_diff": 1.0}   # before calibration


@pytest.fixture(scope="module")
def tables():
    return {name: load_table(name) for name in TABLES}


@pytest.fixture(scope="module")
def grid_scores(tables):
    return scores_over_grid(tables)


def scores_over_grid(tables) -> list[tuple[dict, dict[str, Agreement]]]:
    return [(p, {n: agreement(make_rule("gap", p), rows) for n, rows in tables.items()}) for p in GRID]


def _key(params: dict, by_table: dict[str, Agreement], names) -> tuple:
    return (sum(by_table[n].binary for n in names),
            sum(by_table[n].exact or 0 for n in names),
            sum(float(v).is_integer() for v in params.values()),
            -sum(abs(params[k] - PRIOR[k]) for k in params))


def tune(grid_scores, names) -> dict:
    """The grid's parameters that agree best with the authors over the tables ``names``."""
    return max(grid_scores, key=lambda item: _key(item[0], item[1], names))[0]


def held_out(grid_scores, tables) -> dict[str, tuple[dict, Agreement]]:
    """Leave-one-table-out: for each table, the parameters tuned on the others and their agreement on it."""
    out = {}
    for name in tables:
        params = tune(grid_scores, [n for n in tables if n != name])
        out[name] = (params, agreement(make_rule("gap", params), tables[name]))
    return out


def test_fixtures_parse(tables):
    assert {n: len(rows) for n, rows in tables.items()} == {
        "varsi2015": 28, "hudson2020": 27, "wilhelm2021": 23, "pmc5316200": 19, "damschroder2013": 31}
    # the visible judgements as the README counts them
    count = lambda n, j: sum(r.judgement == j for r in tables[n])  # noqa: E731
    assert (count("varsi2015", "strong"), count("varsi2015", "weak")) == (5, 5)
    assert (count("wilhelm2021", "strong"), count("wilhelm2021", "weak")) == (4, 5)
    assert (count("hudson2020", "strong"), count("hudson2020", "weak")) == (4, 4)
    assert count("pmc5316200", "distinguishing") == 12
    assert (count("damschroder2013", "strong"), count("damschroder2013", "weak")) == (9, 2)


def test_defaults_are_what_the_tuning_picks_on_all_tables(grid_scores, tables):
    assert DEFAULTS["gap"] == tune(grid_scores, TABLES)
    assert make_rule().name == "gap"


# Leave-one-table-out, as docs/distinguishing.md reports it: table -> (binary agreeing, constructs).
HELD_OUT = {
    "varsi2015": (25, 28),
    "hudson2020": (24, 27),
    "wilhelm2021": (21, 23),
    "pmc5316200": (15, 19),
    "damschroder2013": (24, 31),
}


def test_held_out_agreement(grid_scores, tables):
    got = {n: (a.binary, a.constructs) for n, (_, a) in held_out(grid_scores, tables).items()}
    assert got == HELD_OUT
    agreeing, total = sum(b for b, _ in got.values()), sum(n for _, n in got.values())
    assert (agreeing, total) == (109, 128)
    # the goal was 95% on held-out tables; it is not reached, and the docs say so
    assert agreeing / total < 0.95


# The chosen default rule on every table (in-sample: these tables chose it): (binary, exact).
PINNED_DEFAULT = {
    "varsi2015": (27, 25),
    "hudson2020": (24, 23),
    "wilhelm2021": (22, 20),
    "pmc5316200": (15, None),
    "damschroder2013": (31, 29),
}


@pytest.mark.parametrize("name", TABLES)
def test_default_rule_agreement_per_table(tables, name):
    a = agreement(make_rule(), tables[name])
    assert (a.binary, a.exact) == PINNED_DEFAULT[name]


def test_default_rule_no_longer_calls_touching_groups_weak(tables):
    """Issue 10 section 3: with weak_gap 0 the rule called seven D&L constructs weak where a low site
    is rated as high as a high site (gap 0); the authors never did. The tuned weak_gap is above 0."""
    old = make_rule("gap", PRIOR)
    rows = tables["damschroder2013"]
    false_weak = [r.name for r in rows if judge(old, r.high, r.low)[0] == "weak" and r.judgement == "none"]
    assert len(false_weak) == 7
    assert all(min(r.high) - max(r.low) == 0 for r in rows if r.name in false_weak)
    assert agreement(old, rows).binary == 24
    assert not [r.name for r in rows if judge(make_rule(), r.high, r.low)[0] == "weak" and r.judgement == "none"]


def test_docs_report_the_computed_figures(grid_scores, tables):
    doc = (Path(__file__).resolve().parents[1] / "docs" / "distinguishing.md").read_text(encoding="utf-8")
    for name, (params, a) in held_out(grid_scores, tables).items():
        assert f"| {name} | {_params_text(params)} | {a.binary}/{a.constructs} |" in doc, name
    assert "109/128" in doc
    d = DEFAULTS["gap"]
    assert f"`strong_gap = {d['strong_gap']:g}`, `strong_diff = {d['strong_diff']:g}`, " \
           f"`weak_gap = {d['weak_gap']:g}`, `weak_diff = {d['weak_diff']:g}`" in doc


def _params_text(p: dict) -> str:
    return ", ".join(f"{k} {p[k]:g}" for k in ("strong_gap", "strong_diff", "weak_gap", "weak_diff"))


SETTINGS = {
    "gap (default)": make_rule("gap"),
    "gap (before calibration)": make_rule("gap", PRIOR),
    "means (default)": make_rule("means"),
    "means weak_diff=1.5": make_rule("means", {"weak_diff": 1.5}),
    "valence (default)": make_rule("valence"),
}


def test_alternative_rules_agree_less_or_equally(tables):
    def total(rule):
        return sum(agreement(rule, rows).binary for rows in tables.values())

    default = total(make_rule())
    for rule in SETTINGS.values():
        assert total(rule) <= default


def test_pmc_direction(tables):
    # the only table with a stated sign. Design Quality & Packaging is printed "+ association"
    # although its ratings run -1 (high) to +1 (low) (README caveat 4); Organizational Tracking
    # ("- association") has no low-site valence rating, so the rule says insufficient.
    assert agreement(make_rule(), tables["pmc5316200"]).direction == (8, 9)


if __name__ == "__main__":
    data = {name: load_table(name) for name in TABLES}
    scores = scores_over_grid(data)
    print("tuned on all tables:", tune(scores, TABLES))
    for name, (params, a) in held_out(scores, data).items():
        print(f"| {name} | {_params_text(params)} | {a.binary}/{a.constructs} | exact {a.exact} |")
    for setting, rule in SETTINGS.items():
        row = [f"{agreement(rule, data[n]).binary}/{len(data[n])}" for n in TABLES]
        print(setting, row, sum(agreement(rule, data[n]).binary for n in TABLES))
