"""Split sensitivity and configurations against brute-force recomputations.

Sensitivity (metrics.sensitivity): the cuts are every midpoint between neighbouring distinct outcome
values; at each cut, high = above it, low = below it. Metric signs and theme labels are checked
against an independent path: metrics.compare.compare with a *threshold* split at that cut.
Robustness: the same sign (label) at every cut that leaves at least two sites per group.

Configurations (metrics.configurations): Ragin's crisp-set formulas, counted by brute force:
consistency = |X ∩ Y| / |X|, coverage = |X ∩ Y| / |Y|, Y = the high group (middle and low sites are
not Y), sites missing the outcome or a condition's value left out and listed.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.catalogue import load_catalogue
from cases.model import Condition, Metric, Outcome, Rating, Site, Study
from cases.rules import make_rule
from metrics.compare import compare
from metrics.configurations import configurations
from metrics.results import Options
from metrics.sensitivity import MIN_PER_GROUP, sensitivity
from metrics.splits import split_sites

THEMES = ["leadership-support", "ward-staff-relationships", "boundary-crossing", "supervisor-resourcing"]
TOKENS = ["-2", "-1", "0", "+1", "+2", "X", "Missing", "N/A"]


def make_study(sites, metrics, outcome, ratings=(), conditions=(), attributes=()):
    return Study(
        folder=Path("/nonexistent/s"),
        title="t",
        description=None,
        synthetic=False,
        outcome=outcome,
        metrics={k: Metric(k, k.upper()) for k in metrics},
        sites=tuple(Site(i, i, dict(v), dict(a)) for i, v, a in sites),
        attributes=tuple(attributes),
        themes={t.id: t for t in load_catalogue().themes},
        ratings=tuple(Rating(s, t, tok) for s, t, tok in ratings),
        conditions=tuple(conditions),
    )


@st.composite
def studies(draw):
    n = draw(st.integers(1, 10))
    ids = [f"s{i}" for i in draw(st.permutations(range(n)))]
    col = lambda pool: draw(st.lists(st.one_of(st.none(), st.sampled_from(pool)), min_size=n, max_size=n))
    cols = {
        "y": col([1.0, 2.0, 2.0, 3.5, 4.0, 6.0, 6.0, 9.0]),
        "a": col([0.0, 1.0, 2.0, 5.0, 7.5]),
        "b": col([3.0, 3.0, 4.0]),
        "c": col([1.0]),
    }
    keys = draw(st.permutations(list(cols)))
    attrs = draw(st.lists(st.sampled_from(["NHS", "Other", None]), min_size=n, max_size=n))
    sites = [(s, {k: cols[k][i] for k in keys}, {"employer": attrs[i]}) for i, s in enumerate(ids)]
    ratings = [
        (s, t, draw(st.sampled_from(TOKENS)))
        for t in draw(st.lists(st.sampled_from(THEMES), unique=True, max_size=3))
        for s in ids
        if draw(st.booleans())
    ]
    conds = [
        Condition("A big", metric="a", at_least=2.0),
        Condition("B small", metric="b", at_most=3.0),
        Condition("NHS", attribute="employer", equals="NHS"),
    ][: draw(st.integers(0, 3))]
    rule = draw(st.sampled_from(["median", "tertiles", "threshold"]))
    outcome = Outcome("y", rule, threshold=3.0 if rule == "threshold" else None)
    return make_study(sites, keys, outcome, ratings, conds, ("employer",))


def sign(d):
    return None if d is None else "0" if abs(d) < 1e-12 else "+" if d > 0 else "-"


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(studies(), st.sampled_from(["gap", "means", "valence"]))
def test_sensitivity_against_threshold_splits(study, rule_name):
    rule = make_rule(rule_name)
    sens = sensitivity(study, study.outcome, rule)
    y = {s.id: s.values["y"] for s in study.sites if s.values["y"] is not None}
    distinct = sorted(set(y.values()))
    assert [c.value for c in sens.cuts] == [(a + b) / 2 for a, b in itertools.pairwise(distinct)]
    previous_low: set[str] = set()
    for cut in sens.cuts:
        high = {s for s, v in y.items() if v > cut.value}
        low = {s for s, v in y.items() if v < cut.value}
        assert (cut.n_high, cut.n_low) == (len(high), len(low))
        assert set(cut.high) == high and set(cut.low) == low
        assert set(cut.moved) == low - previous_low
        previous_low = low
        assert cut.qualifies == (len(high) >= MIN_PER_GROUP and len(low) >= MIN_PER_GROUP)
        # the independent path: compare() with a threshold split at this cut
        c = compare(study, Options(outcome=Outcome("y", "threshold", threshold=cut.value), rule=rule))
        assert set(c.split.high) == high and set(c.split.low) == low
        assert cut.metrics == {m.metric: sign(m.mean_difference) for m in c.metrics}
        assert cut.themes == {
            t.theme: t.distinguishing + (" reversed" if t.direction == "reversed" else "") for t in c.themes
        }
    # robustness, from the cuts with >= 2 sites per group
    counted = [c for c in sens.cuts if c.qualifies]
    for r in sens.metrics:
        seen = [c.metrics[r.key] for c in counted]
        assert r.verdict == expected_verdict(seen, unjudged=None, flat="0")
        assert r.robust == {"robust": True, "no verdict": None, "undetermined": None}.get(r.verdict, False)
    for r in sens.themes:
        seen = [c.themes[r.key] for c in counted]
        assert r.verdict == expected_verdict(seen, unjudged="insufficient", flat="none")
        assert r.robust == {"robust": True, "no verdict": None, "undetermined": None}.get(r.verdict, False)
    assert [r.key for r in sens.metrics] == [k for k in study.metrics if k != "y"]
    assert [r.key for r in sens.themes] == [t.id for t in study.rated_themes()]


def expected_verdict(seen, unjudged, flat):
    """The verdict by its definition: robust = one contrast (strong/weak and direction, or a sign)
    at every counted cut; no contrast = never one where it can be judged; no verdict = never judged."""
    if not seen:
        return "undetermined"
    if all(v == unjudged for v in seen):
        return "no verdict"
    if all(v in (unjudged, flat) for v in seen):
        return "no contrast"
    if all(v == seen[0] for v in seen):
        return "robust"
    return "unstable"


def test_verdicts_of_themes_without_a_contrast():
    # s0..s5 by y; "ins" is rated at the two lowest sites only: the high group never has a valence
    # (insufficient at every counted cut); "flat" is +1 everywhere (none at every cut); "lead" runs
    # with y (a contrast at every cut); "mixed" has a contrast at some cuts only
    sites = [(f"s{i}", {"y": float(i)}, {}) for i in range(6)]
    t1, t2, t3, t4 = THEMES
    ratings = (
        [("s0", t1, "+1"), ("s1", t1, "-1")]
        + [(f"s{i}", t2, "+1") for i in range(6)]
        + [(f"s{i}", t3, tok) for i, tok in enumerate(["-2", "-2", "-1", "+1", "+2", "+2"])]
        + [(f"s{i}", t4, tok) for i, tok in enumerate(["-2", "-2", "+2", "-2", "+2", "+2"])]
    )
    study = make_study(sites, ["y"], Outcome("y"), ratings)
    # gap with its former defaults (touching groups weak), named so the cases stay as designed
    sens = sensitivity(study, study.outcome, make_rule("gap", {"weak_gap": 0, "strong_diff": 2}))
    verdicts = {r.key: (r.verdict, r.robust) for r in sens.themes}
    assert verdicts[t1] == ("no verdict", None)
    assert verdicts[t2] == ("no contrast", False)
    assert verdicts[t3] == ("robust", True)
    assert verdicts[t4] == ("unstable", False)  # weak, none, weak at the counted cuts
    text = "\n".join(sens.text_lines())
    title = {t.id: t.title for t in study.rated_themes()}
    assert f"no verdict   {title[t1]}" in text and f"no contrast  {title[t2]}" in text
    assert f"robust       {title[t3]}" in text
    rows = {r["theme"]: r for r in sens.to_dict()["themes"]}
    assert rows[t1]["verdict"] == "no verdict" and rows[t1]["robust"] is None
    assert rows[t2]["verdict"] == "no contrast" and rows[t2]["robust"] is False


def test_sensitivity_example_cuts():
    from cases.catalogue import example_dir
    from cases.loader import load_study

    study = load_study(example_dir())
    sens = sensitivity(study, study.outcome, make_rule("gap"))
    assert len(sens.cuts) == 6 and sum(c.qualifies for c in sens.cuts) == 4
    assert [c.moved for c in sens.cuts] == [("S2",), ("S7",), ("S6",), ("S4",), ("S5",), ("S3",)]
    rob = {r.key: r.robust for r in sens.metrics}
    assert rob["fidelity"] and rob["supervisor_hours"]


def test_robustness_undetermined_without_a_qualifying_cut():
    study = make_study([(f"s{i}", {"y": float(i), "m": float(i)}, {}) for i in range(3)], ["y", "m"], Outcome("y"))
    sens = sensitivity(study, study.outcome, make_rule("gap"))
    assert len(sens.cuts) == 2 and not any(c.qualifies for c in sens.cuts)
    assert sens.metrics[0].robust is None


# ---------------------------------------------------------------------------------------------
# configurations


def member(cond, site):
    if cond.metric is not None:
        v = site.values.get(cond.metric)
        if v is None:
            return None
        return int(v >= cond.at_least) if cond.at_least is not None else int(v <= cond.at_most)
    v = site.attributes.get(cond.attribute)
    return None if v is None else int(v == cond.equals)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(studies())
def test_configurations_brute_force(study):
    order = [s.id for s in study.sites]
    split = split_sites(order, study.outcome, {s.id: s.values["y"] for s in study.sites})
    conf = configurations(study, split)
    conds = study.conditions
    included, excluded = [], []
    for s in study.sites:
        vals = tuple(member(c, s) for c in conds)
        if s.values["y"] is None or None in vals:
            excluded.append(s.id)
        else:
            included.append((s.id, vals, s.id in split.high))  # middle and low sites are not Y
    assert list(conf.excluded) == excluded
    y_total = sum(1 for *_, y in included if y)
    assert conf.with_outcome == y_total
    observed = {v for _, v, _ in included}
    assert {r.values for r in conf.rows} == observed and len(conf.rows) == len(observed)
    for r in conf.rows:
        x = [(s, y) for s, v, y in included if v == r.values]
        xy = [s for s, y in x if y]
        assert set(r.sites) == {s for s, _ in x} and set(r.outcome_sites) == set(xy)
        assert r.consistency == len(xy) / len(x)
        assert r.coverage == (len(xy) / y_total if y_total else None)
    assert [s.name for s in conf.singles] == [c.name for c in conds]
    for i, single in enumerate(conf.singles):
        x = [y for _, v, y in included if v[i] == 1]
        assert single.members == len(x)
        assert single.consistency == (sum(x) / len(x) if x else None)
        assert single.coverage == (sum(x) / y_total if y_total else None)


def test_configurations_example():
    from cases.catalogue import example_dir
    from cases.loader import load_study

    study = load_study(example_dir())
    conf = configurations(study, compare(study).split)
    single = {s.name: (s.members, s.consistency, s.coverage) for s in conf.singles}
    assert single["Well-resourced supervision"] == (3, 1.0, 1.0)
    assert single["Positive ward relationships"] == (4, 0.75, 1.0)  # S4 (middle) counts as not high
    assert conf.excluded == ()


async def test_the_sensitivity_screen_shows_each_verdict(tmp_path):
    # stakeholder-engagement rated X (no valence) at every site: no verdict, never "✔ robust"
    from textual.widgets import DataTable

    from tests.conftest import build_study
    from tui.dashboard.app import CrosscaseApp
    from tui.dashboard.screens.tables import VERDICT

    extra = "".join(f"S{i},stakeholder-engagement,X,\n" for i in range(1, 8))
    folder = build_study(tmp_path, ratings_csv=lambda t: t + extra)
    app = CrosscaseApp(folder)
    async with app.run_test(size=(140, 40)) as pilot:
        for key in ("c", "v"):
            await pilot.press(key)
            for _ in range(3):
                await app.workers.wait_for_complete()
                await pilot.pause()
        table = app.screen.query_one("#robust-table", DataTable)
        sens = app.comparison.sensitivity
        rows = {r.key: r for r in (*sens.metrics, *sens.themes)}
        assert rows["stakeholder-engagement"].verdict == "no verdict"
        for key in table.rows:
            kind, _, name = key.value.partition(":")
            assert str(table.get_row(key)[0]) == VERDICT[rows[name].verdict][0]
        shown = str(table.get_row("theme:stakeholder-engagement")[0])
        assert shown == "? no verdict"
