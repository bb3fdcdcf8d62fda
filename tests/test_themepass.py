"""The large-study theme pass (numpy, lazy ratings) gives exactly the small-study pass's results."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_engine_compare import make_study

import metrics.compare as compare_module
from cases.catalogue import example_dir, load_catalogue
from cases.loader import load_study
from cases.model import Outcome
from cases.rules import make_rule
from metrics.compare import compare
from metrics.results import Options
from metrics.summary import to_dict
from metrics.themepass import LazyRatings

THEMES = [t.id for t in load_catalogue().themes[:6]]
TOKENS = ["-2", "-1", "0", "+1", "+2", "X", "Missing", "N/A", "E", "I"]


def both_paths(study, options, monkeypatch):
    monkeypatch.setattr(compare_module, "LARGE_THEME_PASS", 10**9)
    small = compare(study, options)
    monkeypatch.setattr(compare_module, "LARGE_THEME_PASS", 0)
    large = compare(study, options)
    monkeypatch.undo()
    return small, large


@pytest.mark.parametrize(
    "split",
    [
        {},
        {"split": "tertiles"},
        {"split": "quadrants", "second": "fidelity"},
        {"split": "threshold", "threshold": 0.99},
        {"split": "explicit", "high": ("S1",), "low": ()},
    ],
)
@pytest.mark.parametrize("rule", ["gap", "means", "valence", "share"])
def test_the_example_by_both_paths(split, rule, monkeypatch):
    study = load_study(example_dir())
    options = Options(outcome=replace(study.outcome, **split), rule=make_rule(rule), permutations=False)
    small, large = both_paths(study, options, monkeypatch)
    assert to_dict(large) == to_dict(small)
    assert large.themes == small.themes  # ThemeGroup equality holds with lazy ratings too


@settings(max_examples=60, deadline=None)
@given(
    outcome=st.lists(st.one_of(st.none(), st.integers(0, 6).map(float)), min_size=1, max_size=12),
    cells=st.lists(st.tuples(st.integers(0, 11), st.sampled_from(THEMES), st.sampled_from(TOKENS)), max_size=60),
    rule=st.sampled_from(["gap", "means", "valence", "share"]),
)
def test_random_studies_by_both_paths(outcome, cells, rule):
    import _pytest.monkeypatch

    ids = [f"s{i}" for i in range(len(outcome))]
    sites = [(s, s, {"y": v}, {}) for s, v in zip(ids, outcome)]
    seen, ratings = set(), []
    for i, theme, token in cells:
        if i < len(ids) and (ids[i], theme) not in seen:
            seen.add((ids[i], theme))
            ratings.append((ids[i], theme, token))
    study = make_study(sites, ["y"], Outcome("y", "median"), ratings=ratings)
    mp = _pytest.monkeypatch.MonkeyPatch()
    small, large = both_paths(study, Options(rule=make_rule(rule), permutations=False), mp)
    assert to_dict(large) == to_dict(small)


def test_lazy_ratings_read_a_prefix_without_building_the_rest():
    class Counting(dict):
        looked = 0

        def __contains__(self, key):
            Counting.looked += 1
            return super().__contains__(key)

    tokens = Counting({f"s{i}": "+1" for i in range(0, 1000, 2)})  # every other site rated
    lazy = LazyRatings(tuple(f"s{i}" for i in range(1000)), tokens)
    assert lazy[:3] == (("s0", "+1"), ("s2", "+1"), ("s4", "+1"))
    assert Counting.looked < 10
    assert len(lazy) == 500 and lazy == tuple((f"s{i}", "+1") for i in range(0, 1000, 2))
    assert dict(lazy)["s998"] == "+1"
