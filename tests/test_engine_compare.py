"""metrics.compare.compare against independent computations of interfaces.md's "The summary".

Every figure is recomputed here with numpy / scipy / brute force (itertools.combinations for the
permutation p-value, a double loop for Cliff's delta) on random small studies built directly as
``cases.model.Study`` objects: missing values, groups of 0, 1 and 2 sites, zero variance, ties.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
import scipy.stats
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.catalogue import load_catalogue
from cases.model import Disclosure, Metric, Outcome, Rating, RuleSpec, Site, Study, Theme
from cases.ratings import merge_themes
from cases.tokens import CANONICAL, valence
from metrics.analysis import analyse
from metrics.compare import compare
from metrics.results import Options
from metrics.summary import to_dict

FIGURES = ("mean_difference", "median_difference", "hedges_g", "cliffs_delta", "p_permutation", "spearman_with_outcome")


# ---------------------------------------------------------------------------------------------
# a small factory of studies


def make_study(
    sites,
    metrics,
    outcome,
    ratings=(),
    own_themes=(),
    conditions=(),
    disclosure=Disclosure(),
    rule=RuleSpec(),
    title="Test study",
    attributes=(),
):
    """``sites``: [(id, label, {metric: value}, {attribute: value})]; ``metrics``: [key] or [Metric]."""
    ms = {}
    for m in metrics:
        m = m if isinstance(m, Metric) else Metric(m, m.replace("_", " ").title())
        ms[m.key] = m
    return Study(
        folder=Path("/nonexistent/test-study"),
        title=title,
        description=None,
        synthetic=False,
        outcome=outcome,
        metrics=ms,
        sites=tuple(Site(i, lab, dict(vals), dict(attrs)) for i, lab, vals, attrs in sites),
        attributes=tuple(attributes),
        themes=merge_themes(list(own_themes), load_catalogue().themes),
        ratings=tuple(Rating(s, t, tok, ev) for s, t, tok, *rest in ratings for ev in [rest[0] if rest else None]),
        conditions=tuple(conditions),
        distinguishing=rule,
        disclosure=disclosure,
        fingerprint="sha256:" + "0" * 64,
    )


def close(a, b, tol=1e-9):
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


# ---------------------------------------------------------------------------------------------
# independent reference figures


def ref_hedges(h, lo):
    n1, n2 = len(h), len(lo)
    if n1 < 2 or n2 < 2:
        return None
    if len(set(h)) == 1 and len(set(lo)) == 1:  # pooled SD exactly 0
        return None
    pooled = ((n1 - 1) * np.var(h, ddof=1) + (n2 - 1) * np.var(lo, ddof=1)) / (n1 + n2 - 2)
    return (np.mean(h) - np.mean(lo)) / math.sqrt(pooled) * (1 - 3 / (4 * (n1 + n2) - 9))


def ref_cliffs(h, lo):
    if not h or not lo:
        return None
    return sum((a > b) - (a < b) for a in h for b in lo) / (len(h) * len(lo))


def ref_permutation(h, lo):
    if not h or not lo:
        return None, 0
    pooled = [*h, *lo]
    n, n1 = len(pooled), len(h)
    obs = abs(np.mean(h) - np.mean(lo))
    count = total = 0
    for idx in itertools.combinations(range(n), n1):
        chosen = set(idx)
        a = [pooled[i] for i in idx]
        b = [pooled[i] for i in range(n) if i not in chosen]
        total += 1
        count += abs(np.mean(a) - np.mean(b)) >= obs - 1e-9
    return count / total, total


def ref_spearman(pairs):
    if len(pairs) < 3:
        return None
    x, y = zip(*pairs)
    if len(set(x)) == 1 or len(set(y)) == 1:
        return None
    return float(scipy.stats.spearmanr(x, y).statistic)


def ref_default_label(h, lo):
    """The default rule (share: min_share 0.75, min_z 0.8, strong_diff 2.25), written out."""
    if not h or not lo:
        return "insufficient", "expected"

    def one(a, b):
        share = np.mean([x > max(b) for x in a])
        diff = np.mean(a) - np.mean(b)
        z = diff / np.sqrt(1 / len(a) + 1 / len(b))
        if share >= 0.75 - 1e-9 and z >= 0.8 - 1e-9:
            return "strong" if diff >= 2.25 - 1e-9 else "weak"
        return "none"

    if one(h, lo) != "none":
        return one(h, lo), "expected"
    if one(lo, h) != "none":
        return one(lo, h), "reversed"
    return "none", "expected"


# ---------------------------------------------------------------------------------------------
# random studies

OUTCOME_POOL = [0.1, 0.2, 0.2, 0.35, 0.5, 0.5, 0.8, 0.9]
OWN = (
    Theme("own-zeta", "Own zeta"),
    Theme("boundary-crossing", "Own boundary crossing"),
    Theme("own-alpha", "Own alpha"),
)
THEME_IDS = [
    "leadership-support",
    "own-alpha",
    "boundary-crossing",
    "ward-staff-relationships",
    "own-zeta",
    "funding-and-sustainability",
]


@st.composite
def studies(draw, max_sites=12):
    n = draw(st.integers(1, max_sites))
    ids = [f"x{i}" for i in draw(st.permutations(range(n)))]
    outcome_vals = draw(st.lists(st.one_of(st.none(), st.sampled_from(OUTCOME_POOL)), min_size=n, max_size=n))
    columns = {
        "y": outcome_vals,
        # continuous, a few missing
        "cont": draw(
            st.lists(
                st.one_of(st.none(), st.floats(-50, 50, allow_nan=False).map(lambda v: round(v, 3))),
                min_size=n,
                max_size=n,
            )
        ),
        # heavy ties
        "tied": draw(st.lists(st.one_of(st.none(), st.sampled_from([1.0, 2.0, 2.0, 3.0])), min_size=n, max_size=n)),
        # constant (zero variance everywhere) or missing
        "flat": draw(st.lists(st.sampled_from([4.0, 4.0, None]), min_size=n, max_size=n)),
        # two-valued
        "bin": draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=n, max_size=n)),
    }
    keys = draw(st.permutations(list(columns)))
    rule = draw(st.sampled_from(["median", "threshold", "tertiles", "quadrants", "explicit"]))
    if rule == "threshold":
        outcome = Outcome("y", "threshold", threshold=draw(st.sampled_from([0.2, 0.3, 0.5, 0.95])))
    elif rule == "quadrants":
        outcome = Outcome("y", "quadrants", second=draw(st.sampled_from(["cont", "tied", "bin"])))
    elif rule == "explicit":
        where = draw(st.lists(st.sampled_from(["high", "low", "none"]), min_size=n, max_size=n))
        outcome = Outcome(
            "y",
            "explicit",
            high=tuple(s for s, w in zip(ids, where) if w == "high"),
            low=tuple(s for s, w in zip(ids, where) if w == "low"),
        )
    else:
        outcome = Outcome("y", rule)
    sites = [(s, f"Label {s}", {k: columns[k][i] for k in keys}, {}) for i, s in enumerate(ids)]
    ratings = []
    for t in draw(st.lists(st.sampled_from(THEME_IDS), unique=True, max_size=5)):
        for s in ids:
            tok = draw(st.one_of(st.none(), st.sampled_from(CANONICAL), st.sampled_from(["-2", "-1", "0", "+1", "+2"])))
            if tok is not None:
                ratings.append((s, t, tok))
    return make_study(sites, keys, outcome, ratings=draw(st.permutations(ratings)), own_themes=OWN)


def column(study, key):
    return {s.id: s.values.get(key) for s in study.sites}


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(studies())
def test_compare_matches_independent_figures(study):
    c = compare(study)
    split = c.split
    outcome = study.outcome
    y = column(study, "y")

    # metric list: every metric but the outcome (and the quadrant's second), study.toml order
    skip = {"y"} | ({outcome.second} if outcome.split == "quadrants" else set())
    assert [m.metric for m in c.metrics] == [k for k in study.metrics if k not in skip]

    expected_warnings = []
    for g in ("high", "low"):
        if not getattr(split, g):
            expected_warnings.append(f"the {g} group is empty")
    small = len(split.high) < 5 or len(split.low) < 5
    assert any("small groups" in w for w in c.warnings) == small

    for m in c.metrics:
        vals = column(study, m.metric)
        h = [vals[s] for s in split.high if vals[s] is not None]
        lo = [vals[s] for s in split.low if vals[s] is not None]
        for fig, grp, sites in ((m.high, h, split.high), (m.low, lo, split.low)):
            assert fig.n == len(grp)
            assert fig.values == tuple((s, vals[s]) for s in sites)  # every site, None where missing
            if grp:
                assert close(fig.mean, np.mean(grp)) and close(fig.median, np.median(grp))
                assert fig.min == min(grp) and fig.max == max(grp)
            else:
                assert fig.mean is fig.median is fig.min is fig.max is None
        expected = {
            "mean_difference": np.mean(h) - np.mean(lo) if h and lo else None,
            "median_difference": np.median(h) - np.median(lo) if h and lo else None,
            "hedges_g": ref_hedges(h, lo),
            "cliffs_delta": ref_cliffs(h, lo),
            "p_permutation": ref_permutation(h, lo)[0],
            "spearman_with_outcome": ref_spearman(
                [(vals[s], y[s]) for s in vals if vals[s] is not None and y[s] is not None]
            ),
        }
        for name, want in expected.items():
            got = getattr(m, name)
            assert close(got, want), (m.metric, name, got, want)
            if got is None:
                expected_warnings.append(f"{m.metric}: {name} is null")
        if h and lo:
            assert m.permutation.exact and m.permutation.relabelings == math.comb(len(h) + len(lo), len(h))

    # one line per null figure, the empty-group notes, the small-groups note, nothing else
    for w in expected_warnings:
        assert sum(1 for got in c.warnings if got.startswith(w)) == 1, (w, c.warnings)
    assert len(c.warnings) == len(expected_warnings) + small

    # themes: every rated theme, the study's own (themes.toml order) then the catalogue's
    rated = {r.theme for r in study.ratings}
    order = [t.id for t in OWN] + [t.id for t in load_catalogue().themes if t.id not in {o.id for o in OWN}]
    assert [t.theme for t in c.themes] == [t for t in order if t in rated]
    by = {(r.site, r.theme): r.token for r in study.ratings}
    for t in c.themes:
        vals = {}
        for g in ("high", "low", "middle"):
            group = getattr(t, g)
            rows = [(s, by[s, t.theme]) for s in getattr(split, g) if (s, t.theme) in by]
            assert group.ratings == tuple(rows)  # sites without a rating row are left out
            assert all(tok in CANONICAL for _, tok in group.ratings)
            vals[g] = [valence(tok) for _, tok in rows if tok in ("-2", "-1", "0", "+1", "+2")]
            assert group.rated == len(vals[g])  # X, Missing, N/A, E, I not counted
            assert close(group.mean, np.mean(vals[g]) if vals[g] else None)
        assert (t.distinguishing, t.direction) == ref_default_label(vals["high"], vals["low"])
        assert t.rule == "share:min_share=0.75,min_z=0.8,strong_diff=2.25"

    # the plain object: rounded to 12 significant digits, groups' values keyed by every site
    d = to_dict(c)
    assert d["groups"] == {g: list(getattr(split, g)) for g in ("high", "low", "middle", "missing")}
    for md, m in zip(d["metrics"], c.metrics):
        assert list(md["high"]["values"]) == list(split.high)
        for name in FIGURES:
            got = getattr(m, name)
            assert md[name] == (None if got is None else float(f"{got:.12g}") + 0.0)
    json.dumps(d, allow_nan=False)


# ---------------------------------------------------------------------------------------------
# targeted cases


def simple_study(outcome_vals, metric_vals, **kw):
    ids = [f"s{i}" for i in range(len(outcome_vals))]
    sites = [(s, s, {"y": a, "m": b}, {}) for s, a, b in zip(ids, outcome_vals, metric_vals)]
    return make_study(sites, ["y", "m"], kw.pop("outcome", Outcome("y", "median")), **kw)


def test_empty_group_gives_null_figures_and_a_warning():
    study = simple_study([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], outcome=Outcome("y", "threshold", threshold=0.0))
    c = compare(study)
    assert c.split.low == () and c.split.high == ("s0", "s1", "s2")
    m = c.metrics[0]
    assert m.low.n == 0 and m.low.mean is None
    for name in ("mean_difference", "median_difference", "hedges_g", "cliffs_delta", "p_permutation"):
        assert getattr(m, name) is None
        assert any(w.startswith(f"m: {name} is null") for w in c.warnings)
    assert m.spearman_with_outcome == pytest.approx(1.0)
    assert "the low group is empty: its figures are null" in c.warnings
    assert any(w.startswith("small groups (3 high, 0 low)") for w in c.warnings)


def test_one_site_per_group_and_zero_variance():
    # one site each: differences defined, hedges_g null (fewer than 2 values)
    c = compare(simple_study([1.0, 2.0, 3.0], [5.0, 0.0, 7.0]))
    m = c.metrics[0]
    assert (m.mean_difference, m.cliffs_delta, m.p_permutation) == (2.0, 1.0, 1.0)
    assert m.hedges_g is None
    assert "m: hedges_g is null: a group has fewer than 2 values" in c.warnings
    # two sites each, every value within each group equal: hedges_g null, others defined
    c = compare(simple_study([1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 1.0, 9.0, 3.0, 3.0]))
    m = c.metrics[0]
    assert m.hedges_g is None and m.mean_difference == 2.0 and m.cliffs_delta == 1.0
    assert "m: hedges_g is null: every value within each group is equal" in c.warnings


def test_no_small_groups_note_with_five_per_group():
    c = compare(simple_study([float(i) for i in range(11)], [float(i % 4) for i in range(11)]))
    assert len(c.split.high) == len(c.split.low) == 5
    assert not any("small groups" in w for w in c.warnings)


def test_spearman_uses_middle_sites():
    # the middle site (s2, at the median) carries the whole correlation
    c = compare(simple_study([1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 2.0, 3.0, 4.0, 5.0]))
    assert c.split.middle == ("s2",)
    study = simple_study([1.0, 2.0, 3.0, 4.0, 5.0], [2.0, 1.0, 9.0, 4.0, 3.0])
    rho = compare(study).metrics[0].spearman_with_outcome
    assert rho == pytest.approx(scipy.stats.spearmanr([1, 2, 3, 4, 5], [2, 1, 9, 4, 3]).statistic)
    assert rho != pytest.approx(scipy.stats.spearmanr([1, 2, 4, 5], [2, 1, 4, 3]).statistic)


OTHER_SPLITS = [
    Outcome("y", "median"),
    Outcome("y", "tertiles"),
    Outcome("y", "threshold", threshold=0.5),
    Outcome("y", "quadrants", second="cont"),
    Outcome("cont", "median"),
    Outcome("tied", "tertiles"),
]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(studies(), st.sampled_from(OTHER_SPLITS), st.sampled_from([0, 2, 3]))
def test_a_previous_comparison_changes_nothing(study, other, min_count):
    """compare(previous=...) reuses what does not depend on the split; the result is the same."""
    from dataclasses import replace

    study = replace(study, metrics={**study.metrics, "tied": replace(study.metrics["tied"], count=True)})
    options = Options(disclosure=Disclosure(min_count, False))
    previous = compare(study, replace(options, outcome=other))
    assert compare(study, options, previous) == compare(study, options)


def test_a_previous_comparison_lends_rho_only_for_the_same_outcome(monkeypatch):
    rows = [(1.0, 2.0, 5.0), (2.0, 1.0, 1.0), (3.0, 9.0, 4.0), (4.0, 4.0, 2.0), (5.0, 3.0, 3.0)]
    sites = [(f"s{i}", f"s{i}", {"y": y, "m": m, "z": z}, {}) for i, (y, m, z) in enumerate(rows)]
    study = make_study(sites, ["y", "m", "z"], Outcome("y", "median"))
    fresh = compare(study).metrics[0].spearman_with_outcome
    assert fresh == pytest.approx(scipy.stats.spearmanr([r[0] for r in rows], [r[1] for r in rows]).statistic)
    same_outcome = compare(study, Options(outcome=Outcome("y", "tertiles")))
    assert (
        compare(study, Options(outcome=Outcome("y", "threshold", threshold=3.0)), same_outcome)
        .metrics[0]
        .spearman_with_outcome
        == fresh
    )
    by_z = compare(study, Options(outcome=Outcome("z", "median")))  # m's rho there is with z
    assert by_z.metrics[1].spearman_with_outcome != pytest.approx(fresh)
    assert compare(study, previous=by_z).metrics[0].spearman_with_outcome == fresh
    # reused, not recomputed: no rank correlation at all for the same outcome
    import metrics.compare as engine

    calls = []
    monkeypatch.setattr(engine, "spearman_with", lambda *a: calls.append(a) or 0.5)
    compare(study, Options(outcome=Outcome("y", "threshold", threshold=3.0)), same_outcome)
    assert calls == []
    compare(study, previous=by_z)
    assert len(calls) == 2  # m and z, with y


def test_quadrants_drop_second_metric_and_keep_order():
    sites = [
        (f"s{i}", f"s{i}", {"b": float(i), "y": float(i), "a": float(-i), "z": float(i % 3)}, {}) for i in range(6)
    ]
    study = make_study(sites, ["b", "y", "a", "z"], Outcome("y", "quadrants", second="a"))
    assert [m.metric for m in compare(study).metrics] == ["b", "z"]
    study = make_study(sites, ["b", "y", "a", "z"], Outcome("y", "median"))
    assert [m.metric for m in compare(study).metrics] == ["b", "a", "z"]


def test_loaded_ratings_are_canonical_tokens(tmp_path):
    from conftest import build_study

    from cases.loader import load_study

    rows = [
        "site,theme,rating",
        "S1,leadership-support,2",
        "S3,leadership-support,\u22121",
        "S5,leadership-support,Mixed",
        "S2,leadership-support,0 (mixed)",
        "S6,leadership-support,n/a",
        "S7,leadership-support,",
        "S4,leadership-support,1",
    ]
    study = load_study(build_study(tmp_path, ratings_csv="\n".join(rows) + "\n"))
    (t,) = compare(study).themes
    assert t.high.ratings == (("S1", "+2"), ("S3", "-1"), ("S5", "X"))
    assert t.low.ratings == (("S2", "X"), ("S6", "N/A"), ("S7", "Missing"))
    assert t.middle.ratings == (("S4", "+1"),)
    assert (t.high.rated, t.high.mean, t.low.rated, t.low.mean) == (2, 0.5, 0, None)
    assert (t.distinguishing, t.direction) == ("insufficient", "expected")


# ---------------------------------------------------------------------------------------------
# disclosure control


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([0.1, 0.3, 0.5, 0.7, 0.9]), st.sampled_from([0.0, 3.0, 9.0, 10.0, 12.0, 40.0])),
        min_size=2,
        max_size=9,
    ),
    st.sampled_from([1, 5, 10, 11]),
    st.booleans(),
)
def test_disclosure_of_count_metrics(rows, min_count, as_int):
    ids = [f"s{i}" for i in range(len(rows))]
    conv = int if as_int else float
    sites = [(s, s, {"y": a, "people": conv(b), "score": b}, {}) for s, (a, b) in zip(ids, rows)]
    study = make_study(
        sites,
        ["y", Metric("people", "People", count=True), "score"],
        Outcome("y", "median"),
        disclosure=Disclosure(min_count, False),
    )
    c = compare(study)
    people, score = c.metrics
    shown = [*c.split.high, *c.split.low]
    small = [s for s in shown if study.value(s, "people") < min_count]
    d = to_dict(c)["metrics"][0]
    assert people.suppressed == bool(small)
    if small:
        for g in ("high", "low"):
            assert d[g]["mean"] is d[g]["median"] is d[g]["min"] is d[g]["max"] is None
            for s, v in d[g]["values"].items():
                raw = study.value(s, "people")
                assert v == (f"<{min_count}" if raw < min_count else raw)
        for name in FIGURES:
            assert d[name] is None
        assert sum(1 for w in c.warnings if w.startswith("people: counts below")) == 1
        assert f"<{min_count}" in json.dumps(d)
    else:
        assert not any(w.startswith("people: counts below") for w in c.warnings)
        assert all(not isinstance(v, str) for g in ("high", "low") for v in d[g]["values"].values())
    # a metric that is not a count is never suppressed, whatever its values
    assert not score.suppressed
    assert all(not isinstance(v, str) for _, v in score.high.values + score.low.values)


def test_min_count_zero_disables_suppression():
    study = make_study(
        [("a", "a", {"y": 1.0, "n": 1.0}, {}), ("b", "b", {"y": 2.0, "n": 2.0}, {})],
        ["y", Metric("n", "N", count=True)],
        Outcome("y", "median"),
        disclosure=Disclosure(0, False),
    )
    assert not compare(study).metrics[0].suppressed


# ---------------------------------------------------------------------------------------------
# pseudonymisation


def secret_study(rule="median"):
    ids = ["qx-northgate", "qx-fenmoor", "qx-eastbrook", "qx-harrow", "qx-ashcombe", "qx-kestrel"]
    labels = ["Zorbleton Ward", "Quimby House", "Vexmoor Unit", "Plumtree Lodge", "Wuzzle Court", "Yarrow Place"]
    sites = [
        (s, lab, {"y": float(i), "m": float(i * i), "n": float(5 + 3 * i)}, {"employer": "NHS" if i % 2 else "Other"})
        for i, (s, lab) in enumerate(zip(ids, labels))
    ]
    outcome = (
        Outcome("y", "explicit", high=(ids[0], ids[4]), low=(ids[1], ids[5]))
        if rule == "explicit"
        else Outcome("y", rule)
    )
    ratings = [
        (s, "leadership-support", tok, f"At {lab} ({s}) the manager said ...")
        for s, lab, tok in zip(ids, labels, ["+2", "-1", "X", "0", "+1", "Missing"])
    ]
    from cases.model import Condition

    conds = (Condition("NHS", attribute="employer", equals="NHS"), Condition("big", metric="m", at_least=4))
    study = make_study(
        sites,
        ["y", "m", Metric("n", "N", count=True)],
        outcome,
        ratings=ratings,
        conditions=conds,
        attributes=("employer",),
    )
    return study, ids, labels


@pytest.mark.parametrize("rule", ["median", "tertiles", "explicit"])
def test_pseudonymise_removes_every_site_id_and_label(rule):
    study, ids, labels = secret_study(rule)
    c = analyse(study, Options(disclosure=Disclosure(10, True)))
    text = json.dumps(to_dict(c), ensure_ascii=False)
    for secret in (*ids, *labels, "qx-", "Zorbleton", "manager said"):
        assert secret not in text
    names = [f"Site {L}" for L in "ABCDEF"]
    assert c.labels == dict(zip(names, names))
    everything = [s for g in ("high", "low", "middle", "missing") for s in getattr(c.split, g)]
    assert sorted(everything) == names
    # the same figures as without pseudonyms, under the new names (sites-file order = A, B, ...)
    plain = analyse(study, Options(disclosure=Disclosure(10, False)))
    rename = dict(zip(ids, names))
    for g in ("high", "low", "middle", "missing"):
        assert getattr(c.split, g) == tuple(rename[s] for s in getattr(plain.split, g))
    assert [m.mean_difference for m in c.metrics] == [m.mean_difference for m in plain.metrics]
    if rule == "explicit":
        assert to_dict(c)["split"]["high"] == ["Site A", "Site E"]


def test_pseudonymise_from_study_toml():
    from dataclasses import replace

    study, ids, _ = secret_study()
    study = replace(study, disclosure=Disclosure(10, True))
    text = json.dumps(to_dict(analyse(study)))
    assert not any(s in text for s in ids)
    assert re.search(r'"Site F"', text)


@pytest.mark.parametrize("conv", [float, int])
def test_pending_permutations_filled_later_match(conv):
    from metrics.compare import fill_permutations

    ids = [f"s{i}" for i in range(7)]
    sites = [
        (s, s, {"y": float(i), "m": conv((i * 7) % 5), "e": None if i < 4 else 1.0}, {}) for i, s in enumerate(ids)
    ]
    study = make_study(sites, ["y", "m", "e"], Outcome("y", "median"))
    pending = compare(study, Options(permutations=False))
    # pending exactly where p is computable; a group without values has its null p at once
    assert pending.pending
    assert [m.permutation is None for m in pending.metrics] == [bool(m.high.n and m.low.n) for m in pending.metrics]
    filled = fill_permutations(pending)
    direct = compare(study)
    assert not filled.pending
    assert [m.permutation for m in filled.metrics] == [m.permutation for m in direct.metrics]
    assert filled.warnings == direct.warnings  # same lines in the same order


def test_monte_carlo_permutation_above_the_exact_limit():
    from metrics.stats import DEFAULT_SEED

    n = 41  # 20 high, 20 low, 1 middle: C(40, 20) > 200,000 relabelings
    study = simple_study([float(i) for i in range(n)], [float((i * 13) % 7) for i in range(n)])
    c = compare(study)
    m = c.metrics[0]
    assert (m.high.n, m.low.n) == (20, 20)
    assert m.permutation.exact is False and m.permutation.relabelings == 10_000 and m.permutation.seed == DEFAULT_SEED
    assert to_dict(c)["metrics"][0]["permutation"] == {"exact": False, "relabelings": 10_000, "seed": DEFAULT_SEED}
    assert compare(study).metrics[0].p_permutation == m.p_permutation  # seeded: reproducible
    assert 1 / 10_001 <= m.p_permutation <= 1
    assert not any("small groups" in w for w in c.warnings)
