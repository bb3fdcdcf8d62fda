"""The built-in example study (data/example): its groups and the facts an evaluator expects.

The example is synthetic and built so that the contrasts of the literature show up; these tests pin
them, so a change in the engine or the data that loses them fails here.
"""

from __future__ import annotations

import json

import pytest

from cases.loader import load_study
from cases.model import Disclosure, Outcome
from cases.rules import make_rule
from metrics.analysis import analyse
from metrics.compare import compare
from metrics.results import Options
from metrics.summary import to_dict
from tui.headless.render import BANNER, render_markdown, render_text


@pytest.fixture(scope="module")
def study():
    from cases.catalogue import example_dir

    return load_study(example_dir())


@pytest.fixture(scope="module")
def comparison(study):
    return analyse(study)


def metric(c, key):
    return next(m for m in c.metrics if m.metric == key)


def theme(c, key):
    return next(t for t in c.themes if t.theme == key)


def test_default_split_groups(comparison):
    s = comparison.split
    assert (s.outcome, s.rule) == ("engagement", "median")
    assert s.high == ("S1", "S3", "S5")
    assert s.low == ("S2", "S6", "S7")
    assert s.middle == ("S4",)
    assert s.missing == ()


def test_metric_contrasts(comparison):
    keys = [m.metric for m in comparison.metrics]
    assert "engagement" not in keys and keys[0] == "contacts_per_participant"
    for key in ("fidelity", "supervisor_hours"):
        m = metric(comparison, key)
        assert m.mean_difference > 0 and m.median_difference > 0
        assert m.cliffs_delta == 1.0
        assert m.hedges_g > 0.8
        assert m.permutation.exact and m.permutation.relabelings == 20
        assert m.p_permutation == pytest.approx(0.1)  # the smallest p that 3 v 3 sites allow
        assert m.spearman_with_outcome > 0.9


def theme_results_of(study, rule):
    return {t.theme: t for t in compare(study, Options(rule=rule, permutations=False)).themes}


def test_theme_judgements(study, comparison):
    assert comparison.rule.name == "gap"
    for key in ("ward-staff-relationships", "supervisor-resourcing"):
        t = theme(comparison, key)
        assert (t.distinguishing, t.direction) == ("strong", "expected")
    t = theme(comparison, "boundary-crossing")
    assert t.high.mean < t.low.mean
    # its groups touch at 0 (0 -1 0 against +1 0 +1): not distinguishing under the calibrated default,
    # weak and reversed once touching groups may count (weak_gap 0, the default before calibration)
    assert (t.distinguishing, t.direction) == ("none", "expected")
    touching = theme_results_of(study, make_rule("gap", {"weak_gap": 0}))
    assert (touching["boundary-crossing"].distinguishing, touching["boundary-crossing"].direction) == (
        "weak",
        "reversed",
    )
    assert theme(comparison, "leadership-support").distinguishing == "none"


def test_example_warnings_and_no_suppression(comparison):
    assert comparison.warnings == (
        "small groups (3 high, 3 low): the figures describe these sites and do not generalise",
    )
    assert not metric(comparison, "participants").suppressed  # every site has >= 10 participants


def test_text_summary_shows_banner_split_members_and_warnings(study, comparison):
    text = render_text(comparison)
    assert text.startswith(BANNER)
    assert "Split: engagement by median, cut at the median" in text
    for s in study.sites:
        assert s.id in text and s.label in text
    for w in comparison.warnings:
        assert w in text
    md = render_markdown(comparison)
    assert BANNER in md and all(w in md for w in comparison.warnings)


def test_text_summary_lists_every_warning_when_there_are_many(study):
    c = compare(
        study, Options(outcome=Outcome("engagement", "threshold", threshold=0.0), disclosure=Disclosure(60, False))
    )
    assert len(c.warnings) > 5
    text = render_text(c)
    for w in c.warnings:
        assert w in text
    assert "<60" in json.dumps(to_dict(c))


def test_json_summary_shape(comparison):
    d = to_dict(comparison)
    assert d["split"] == {"outcome": "engagement", "rule": "median", "cut": pytest.approx(d["split"]["cut"])}
    assert d["groups"] == {"high": ["S1", "S3", "S5"], "low": ["S2", "S6", "S7"], "middle": ["S4"], "missing": []}
    fid = next(m for m in d["metrics"] if m["metric"] == "fidelity")
    assert fid["high"]["values"] == {"S1": 4.2, "S3": 4.13, "S5": 3.85}
    assert fid["permutation"] == {"exact": True, "relabelings": 20}
    json.dumps(d, allow_nan=False)
