"""Minimisation against an independent brute force, and the engine's own rules (analysis.md 3)."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.qca import Cuts, analyse
from metrics.qca_calibrate import IDM_095, check_anchors, crisp, direct, rating
from metrics.qca_minimize import notation, prime_implicants, solve


def configs_of_term(term):
    choices = [(0, 1) if d == 2 else (d,) for d in term]
    return {"".join(map(str, c)) for c in itertools.product(*choices)}


def brute_force(on, dc, k):
    allowed = set(on) | set(dc)
    implicants = [t for t in itertools.product((0, 1, 2), repeat=k) if configs_of_term(t) <= allowed]
    primes = [t for t in implicants if not any(u != t and configs_of_term(t) < configs_of_term(u) for u in implicants)]
    useful = [t for t in primes if configs_of_term(t) & set(on)]
    for size in range(1, len(useful) + 1):
        found = {
            frozenset(c)
            for c in itertools.combinations(useful, size)
            if set(on) <= set().union(*(configs_of_term(t) for t in c))
        }
        if found:
            return set(primes), found
    return set(primes), set()


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda k: st.tuples(st.just(k), st.lists(st.sampled_from("10-"), min_size=2**k, max_size=2**k))
    )
)
def test_minimal_covers_equal_brute_force(case):
    k, kinds = case
    configs = [format(m, f"0{k}b") for m in range(2**k)]
    on = [c for c, x in zip(configs, kinds) if x == "1"]
    dc = [c for c, x in zip(configs, kinds) if x == "-"]
    primes, expected = brute_force(on, dc, k)
    if on or dc:
        assert set(prime_implicants(set(on) | set(dc), k)) == primes
    got = solve(on, set(on) | set(dc), k)
    assert {frozenset(m) for m in got} == expected
    assert len(got) == len(expected)  # no model twice


def test_every_tie_is_kept_in_the_cyclic_chart():
    # the classic cyclic function: two minimal covers of three terms each
    on = ["000", "001", "011", "111", "110", "100"]
    models = solve(on, on, 3)
    names = ("A", "B", "C")
    assert [" + ".join(notation(t, names) for t in m) for m in models] == ["~A*~B + A*~C + B*C", "~A*C + A*B + ~B*~C"]


# -- calibration ----------------------------------------------------------------------------------


def test_direct_calibration_anchors_and_log_odds():
    assert direct(550, (400, 550, 900)) == 0.5
    assert math.isclose(direct(900, (400, 550, 900)), 1 / (1 + math.exp(-3)))  # 0.953
    assert math.isclose(direct(400, (400, 550, 900)), 1 / (1 + math.exp(3)))
    assert math.isclose(direct(900, (400, 550, 900), IDM_095), 0.95)
    assert math.isclose(direct(725, (400, 550, 900)), 1 / (1 + math.exp(-1.5)))  # half way up
    assert math.isclose(direct(475, (400, 550, 900)), 1 / (1 + math.exp(1.5)))  # half way down


def test_decreasing_anchors_mirror_increasing_ones():
    for x in (0, 3, 7.5, 10, 14, 30):
        assert math.isclose(direct(x, (14, 10, 6)), direct(-x, (-14, -10, -6)))
    assert direct(6, (14, 10, 6)) > 0.95 > 0.05 > direct(14, (14, 10, 6))
    out = direct(np.array([5.0, np.nan]), (14, 10, 6))
    assert out[0] > 0.95 and np.isnan(out[1])


@pytest.mark.parametrize("anchors", [(1, 1, 2), (1, 3, 2), (3, 1, 2), (1, 2), (0, float("nan"), 1)])
def test_anchors_not_strictly_ordered_are_refused(anchors):
    with pytest.raises(ValueError):
        check_anchors(anchors)


def test_crisp_and_rating_conditions():
    assert crisp(550, at_least=550) == 1 and crisp(549.9, at_least=550) == 0
    assert crisp(9, at_most=9) == 1 and crisp(None, at_most=9) is None
    assert rating("+1", at_least=1) == 1 and rating("0", at_least=1) == 0 and rating("2", at_least=1) == 1
    assert rating("-2", at_most=-1) == 1 and rating("X", at_least=1) is None and rating("Missing", at_least=1) is None


# -- the result ----------------------------------------------------------------------------------


def small():
    m = {
        "AU": {"DEV": 0.81, "URB": 0.12},
        "BE": {"DEV": 0.99, "URB": 0.89},
        "EE": {"DEV": 0.16, "URB": 0.5},
        "FI": {"DEV": 0.58, "URB": 0.03},
        "GR": {"DEV": 0.04, "URB": None},
        "PT": {"DEV": 0.2, "URB": 0.1},
    }
    y = {"AU": 0.05, "BE": 0.95, "EE": 0.12, "FI": 0.77, "GR": 0.06, "PT": 0.6}
    return m, y


def test_json_shape_is_the_contracts():
    m, y = small()
    r = analyse(["DEV", "URB"], m, y, outcome_name="SURV", cuts=Cuts(0.75), expect={"DEV": "present"})
    d = json.loads(json.dumps(r.to_dict()))
    assert list(d) == [
        "outcome",
        "conditions",
        "cuts",
        "cases",
        "left_out",
        "truth_table",
        "solutions",
        "necessity",
        "warnings",
    ]
    assert d["cuts"] == {"incl": 0.75, "n": 1, "pri": 0.0}
    assert d["cases"]["AU"] == {"DEV": 0.81, "URB": 0.12, "SURV": 0.05}
    assert d["left_out"] == [{"site": "GR", "reason": "no membership in URB"}]
    assert set(d["solutions"]) == {"conservative", "parsimonious", "intermediate"}
    model = d["solutions"]["conservative"]["models"][0]
    assert {"expression", "incl", "pri", "cov", "terms"} <= set(model)
    assert set(model["terms"][0]) == {"term", "incl", "pri", "cov", "cov_unique", "cases"}
    assert [n["condition"] for n in d["necessity"]] == ["DEV", "~DEV", "URB", "~URB"]
    assert set(d["truth_table"][0]) == {"configuration", "n", "incl", "pri", "out", "cases"}
    assert any("EE: membership in URB is exactly 0.5" in w for w in d["warnings"])
    assert all("EE" not in row["cases"] for row in d["truth_table"])  # 0.5 belongs to no row
    assert r.text_lines()[0].startswith("QCA of SURV on DEV, URB")


def test_cuts_apply_within_1e9_and_n_cut_makes_question_marks():
    m = {f"S{i}": {"A": 1.0} for i in range(5)} | {"T": {"A": 0.0}}
    y = {"S0": 1.0, "S1": 1.0, "S2": 1.0, "S3": 1.0, "S4": 0.0, "T": 0.0}
    r = analyse(["A"], m, y, cuts=Cuts(incl=0.8 + 5e-10))
    assert [x.out for x in r.truth_table] == ["0", "1"]  # incl 0.8 passes 0.8 + 5e-10
    r = analyse(["A"], m, y, cuts=Cuts(incl=0.81))
    assert [x.out for x in r.truth_table] == ["0", "0"]
    r = analyse(["A"], m, y, cuts=Cuts(incl=0.8, n=2))
    assert [(x.configuration, x.out) for x in r.truth_table] == [("0", "?"), ("1", "1")]
    (p,) = r.solutions["parsimonious"]
    assert p.expression == "1" and p.assumptions == ("0",)  # the "?" row is a remainder
    assert r.solutions["conservative"][0].expression == "A"


def test_contradictions_and_unknown_expectation():
    m = {"a": {"A": 1.0}, "b": {"A": 1.0}, "c": {"A": 0.0}}
    y = {"a": 1.0, "b": 0.0, "c": 0.0}
    r = analyse(["A"], m, y)
    assert any("row 1 is contradictory" in w for w in r.warnings)
    with pytest.raises(ValueError, match="not a condition"):
        analyse(["A"], m, y, expect={"B": "present"})
    with pytest.raises(ValueError, match="not a QCA name"):
        analyse(["2A"], {"a": {"2A": 1.0}}, {"a": 1.0})


def test_a_chart_over_the_search_budget_gives_one_greedy_cover_and_says_so(monkeypatch):
    import metrics.qca as qca
    import metrics.qca_minimize as qm
    from tests.test_qca_r import run

    monkeypatch.setattr(qm, "SEARCH_BUDGET", 1)
    r = run("CVF", "PROTEST")
    assert len(r.solutions["parsimonious"]) == 1
    assert any("too complex" in w and "parsimonious" in w for w in r.warnings)
    monkeypatch.setattr(qm, "SEARCH_BUDGET", 1000)
    monkeypatch.setattr(qca, "MAX_MODELS", 2)
    r = run("CVF", "PROTEST")
    assert len(r.solutions["parsimonious"]) == 2
    assert any("has 4 minimal covers; the first 2 are listed" in w for w in r.warnings)
