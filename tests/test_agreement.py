"""``metrics.agreement`` against an independent reference written here from Krippendorff (2011),
"Computing Krippendorff's alpha-reliability" (the pairwise formulation, not the coincidence matrix),
and against brute force for exact, within-one agreement, weighted kappa and the disagreement list."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.escape import clean
from cases.model import Rating
from metrics.agreement import ABSENT, TooFewRaters, agreement, alpha, kappa_quadratic
from metrics.numbers import num

# --- the reference ---------------------------------------------------------------------------------


def ref_alpha(units: list[list[int]], metric: str) -> Fraction | None:
    """alpha = 1 - D_o / D_e, written pairwise (Krippendorff 2011, section A and the general form):
    D_o averages, within each pairable unit u of m_u values, the differences of every ordered pair
    of values of different raters, weighted 1/(m_u - 1), over the n pairable values; D_e averages
    the differences of every ordered pair of the n pooled values. The ordinal difference uses the
    frequencies n_g of the pooled values (the paper's section E)."""
    units = [u for u in units if len(u) >= 2]
    pooled = [v for u in units for v in u]
    n = len(pooled)
    freq = Counter(pooled)
    if len(freq) < 2:
        return None

    def d2(a: int, b: int) -> Fraction:
        if metric == "nominal":
            return Fraction(a != b)
        if metric == "interval":
            return Fraction((a - b) ** 2)
        lo, hi = min(a, b), max(a, b)
        return (sum(freq[g] for g in range(lo, hi + 1)) - Fraction(freq[a] + freq[b], 2)) ** 2

    d_o = (
        sum(
            (
                Fraction(sum(d2(u[i], u[j]) for i in range(len(u)) for j in range(len(u)) if i != j), len(u) - 1)
                for u in units
            ),
            Fraction(0),
        )
        / n
    )
    d_e = Fraction(sum(d2(pooled[i], pooled[j]) for i in range(n) for j in range(n) if i != j), n * (n - 1))
    if d_e == 0:
        return None
    return 1 - d_o / d_e


def ref_kappa(pairs: list[tuple[int, int]]) -> float | None:
    """Cohen's weighted kappa from the 5 x 5 table of proportions, weights (i - j)^2 / (k - 1)^2."""
    if not pairs:
        return None
    cats = range(-2, 3)
    n = len(pairs)
    p = {(i, j): Fraction(sum(1 for a, b in pairs if (a, b) == (i, j)), n) for i in cats for j in cats}
    row = {i: sum(p[(i, j)] for j in cats) for i in cats}
    col = {j: sum(p[(i, j)] for i in cats) for j in cats}
    w = {(i, j): Fraction((i - j) ** 2, 16) for i in cats for j in cats}
    expected = sum(w[c] * row[c[0]] * col[c[1]] for c in w)
    if expected == 0:
        return None
    return float(1 - sum(w[c] * p[c] for c in w) / expected)


# --- Krippendorff's own example --------------------------------------------------------------------
# The reliability data of Krippendorff (2011), 4 observers (A-D) x 12 units, values 1-5, "." missing,
# as transcribed in pln-fing-udelar/fast-krippendorff, tests/test_krippendorff.py (test_ordinal_metric,
# commit 13c1938f), the same table as "the 4 observers-by-12 units reliability data matrix" quoted
# from the paper in another stored README. The paper gives alpha nominal .743, ordinal .815, interval .849.
N = None
PAPER = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    "C": [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
}
PAPER_ALPHA = {"nominal": 0.743, "ordinal": 0.815, "interval": 0.849}


def paper_units() -> list[list[int]]:
    return [[v for v in col if v is not None] for col in zip(*PAPER.values())]


@pytest.mark.parametrize("metric", list(PAPER_ALPHA))
def test_reference_reproduces_the_papers_example(metric):
    assert round(float(ref_alpha(paper_units(), metric)), 3) == PAPER_ALPHA[metric]


@pytest.mark.parametrize("metric", list(PAPER_ALPHA))
def test_engine_reproduces_the_papers_example(metric):
    assert alpha(paper_units(), metric) == float(ref_alpha(paper_units(), metric))
    assert round(alpha(paper_units(), metric), 3) == PAPER_ALPHA[metric]


TOKEN = {1: "-2", 2: "-1", 3: "0", 4: "+1", 5: "+2"}  # the paper's 1..5 as valences (alpha is unchanged by a shift)


def test_paper_example_through_rater_files():
    raters = {
        r: [Rating(f"U{u + 1}", "theme-a", TOKEN[v]) for u, v in enumerate(vals) if v is not None]
        for r, vals in PAPER.items()
    }
    a = agreement(raters, ["theme-a"], [f"U{u}" for u in range(1, 13)]).to_dict()
    o = a["overall"]
    assert {k: round(o[f"alpha_{k}"], 3) for k in PAPER_ALPHA} == PAPER_ALPHA
    assert (o["units"], o["pairable"]) == (12, 11)  # unit 12 has B's value only
    assert o["exact"] == num(8 / 11) and o["within_one"] == num(10 / 11)  # units 2, 6, 8 differ; 6 by 3
    assert "kappa_quadratic" not in o  # four raters: no kappa
    assert [d["site"] for d in a["disagreements"]] == ["U1", "U2", "U6", "U8", "U10", "U11", "U12"]
    assert a["disagreements"][0]["ratings"] == {"A": "-2", "B": "-2", "C": ABSENT, "D": "-2"}


# --- generated studies -----------------------------------------------------------------------------

TOKENS = ["-2", "-1", "0", "+1", "+2", "X", "Missing", "N/A", "E", "I"]
SITES = ["S1", "S2", "S3", "S4", "S5", "S6"]
THEMES = ["t-b", "t-a", "t-c"]  # a theme order that is not alphabetical


@st.composite
def studies(draw, raters=None):
    names = ["ana", "Ben", "cy"][: raters or draw(st.sampled_from([2, 3]))]
    cells = st.one_of(st.none(), st.sampled_from(TOKENS[:5]), st.sampled_from(TOKENS))  # None = no row
    ratings = {}
    for name in names:
        rows = []
        for site in SITES:
            for theme in THEMES:
                token = draw(cells)
                if token is not None:
                    rows.append(Rating(site, theme, token))
        ratings[name] = draw(st.permutations(rows))
    consensus = {(s, t): draw(st.sampled_from(TOKENS)) for s in SITES for t in THEMES if draw(st.booleans())}
    return ratings, consensus


def brute(ratings, consensus, themes, sites):
    """Every figure from the definitions, directly."""
    order = sorted(ratings, key=str.casefold)
    token = {(r, x.site, x.theme): x.token for r in order for x in ratings[r]}
    units = [(s, t) for t in themes for s in sites if any((r, s, t) in token for r in order)]
    vals = {u: [int(token[(r, *u)]) for r in order if token.get((r, *u), "X") in TOKENS[:5]] for u in units}

    def figs(us):
        pair = [u for u in us if len(vals[u]) >= 2]
        out = {"units": len(us), "pairable": len(pair)}
        for m in ("nominal", "ordinal", "interval"):
            a = ref_alpha([vals[u] for u in pair], m)
            out[f"alpha_{m}"] = num(None if a is None else float(a))
        every = lambda ok: (
            num(sum(1 for u in pair if all(ok(a, b) for a, b in itertools.combinations(vals[u], 2))) / len(pair))
            if pair
            else None
        )
        out["exact"] = every(lambda a, b: a == b)
        out["within_one"] = every(lambda a, b: abs(a - b) <= 1)
        if len(order) == 2:
            both = [
                tuple(int(token[(r, *u)]) for r in order)
                for u in us
                if all(token.get((r, *u), "X") in TOKENS[:5] for r in order)
            ]
            out["kappa_quadratic"] = num(ref_kappa(both))
        return out

    dis = []
    for s_t in units:
        toks = {r: token.get((r, *s_t), ABSENT) for r in order}
        if len(set(toks.values())) > 1:
            dis.append({"site": s_t[0], "theme": s_t[1], "ratings": toks, "consensus": consensus.get(s_t)})
    return {
        "raters": order,
        "overall": figs(units),
        "themes": [
            {"theme": t, **figs([u for u in units if u[1] == t])} for t in themes if any(u[1] == t for u in units)
        ],
        "disagreements": dis,
    }


@settings(max_examples=150, deadline=None)
@given(studies())
def test_engine_equals_reference_on_generated_studies(study):
    ratings, consensus = study
    got = agreement(ratings, THEMES, SITES, consensus).to_dict()
    assert got == brute(ratings, consensus, THEMES, SITES)
    json.dumps(got, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(studies(raters=2))
def test_kappa_equals_the_table_formula(study):
    ratings, _ = study
    a, b = ({(x.site, x.theme): x.token for x in ratings[r]} for r in sorted(ratings, key=str.casefold))
    pairs = [(int(a[u]), int(b[u])) for u in a if u in b and a[u] in TOKENS[:5] and b[u] in TOKENS[:5]]
    assert kappa_quadratic(pairs) == ref_kappa(pairs)


# --- edges -----------------------------------------------------------------------------------------


def test_alpha_is_null_without_two_values_and_exact_is_one():
    raters = {
        "ana": [Rating("S1", "t", "+1"), Rating("S2", "t", "+1")],
        "ben": [Rating("S1", "t", "+1"), Rating("S2", "t", "+1")],
    }
    o = agreement(raters, ["t"], ["S1", "S2"]).to_dict()["overall"]
    assert o == {
        "units": 2,
        "pairable": 2,
        "alpha_nominal": None,
        "alpha_ordinal": None,
        "alpha_interval": None,
        "exact": 1.0,
        "within_one": 1.0,
        "kappa_quadratic": None,
    }


def test_no_pairable_unit_and_non_valence_tokens_still_disagree():
    raters = {"ana": [Rating("S1", "t", "X"), Rating("S2", "t", "+2")], "ben": [Rating("S1", "t", "N/A")]}
    a = agreement(raters, ["t"], ["S1", "S2"], {("S1", "t"): "0"}).to_dict()
    assert a["overall"]["units"] == 2 and a["overall"]["pairable"] == 0
    assert a["overall"]["exact"] is None and a["overall"]["alpha_ordinal"] is None
    assert a["disagreements"] == [
        {"site": "S1", "theme": "t", "ratings": {"ana": "X", "ben": "N/A"}, "consensus": "0"},
        {"site": "S2", "theme": "t", "ratings": {"ana": "+2", "ben": ABSENT}, "consensus": None},
    ]


def test_one_rater_is_refused():
    with pytest.raises(TooFewRaters, match="at least two rater files"):
        agreement({"ana": [Rating("S1", "t", "+1")]}, ["t"], ["S1"])


def test_json_shape_is_the_contracts():
    raters = {
        "ana": [Rating("S1", "t", "+2"), Rating("S2", "t", "0")],
        "ben": [Rating("S1", "t", "0"), Rating("S2", "t", "0")],
        "cy": [Rating("S1", "t", "+1")],
    }
    a = agreement(raters, ["t"], ["S1", "S2"], {("S1", "t"): "+1"}).to_dict()
    assert list(a) == ["raters", "overall", "themes", "disagreements"]
    keys = ["units", "pairable", "alpha_nominal", "alpha_ordinal", "alpha_interval", "exact", "within_one"]
    assert list(a["overall"]) == keys  # three raters: no kappa
    assert list(a["themes"][0]) == ["theme", *keys]
    assert a["disagreements"] == [
        {"site": "S1", "theme": "t", "ratings": {"ana": "+2", "ben": "0", "cy": "+1"}, "consensus": "+1"},
        {"site": "S2", "theme": "t", "ratings": {"ana": "0", "ben": "0", "cy": ABSENT}, "consensus": None},
    ]  # cy has no row: "absent" differs


def test_text_says_how_to_read_alpha_and_lists_disagreements():
    raters = {
        r: [Rating(f"U{u + 1}", "theme-a", TOKEN[v]) for u, v in enumerate(vals) if v is not None]
        for r, vals in PAPER.items()
    }
    raters["A"].append(Rating("S\x1b[31m", "theme-a", "+1"))
    lines = agreement(raters, ["theme-a"], []).text_lines(clean)
    text = "\n".join(lines)
    assert "0.800" in text and "0.667" in text and "tentative" in text
    assert "\x1b" not in text and "S\\x1b[31m" in text
    assert "  theme-a  U6: A -2, B -1, C 0, D +1; consensus (none yet)" in lines
    assert any(line.startswith("Disagreements (8)") for line in lines)
