"""The shared words and helpers (issue 12.4): each has one home, and its users agree with it."""

from __future__ import annotations

import dataclasses

import pytest

from cases.model import BY_OUTCOME, COMPARED, GROUPS, PLACED, SPLIT_OPTIONS, SPLIT_RULES, Outcome, outcome_of, site_ids
from cases.rules import DISTINGUISHED, FITS, LABEL_RANK, LABELS
from metrics.compare import shown, shown_value
from metrics.numbers import figure, fixed, fmt, plain, short, signed
from metrics.splits import Split


def test_groups_are_the_split_s_fields_in_the_summary_order():
    fields = [f.name for f in dataclasses.fields(Split)]
    assert [f for f in fields if f in GROUPS] == list(GROUPS)
    assert COMPARED == ("high", "low") and PLACED == ("high", "low", "middle")
    assert sorted(BY_OUTCOME) == sorted(GROUPS) and BY_OUTCOME[-1] == "missing"


def test_split_options_are_outcome_fields():
    names = {f.name for f in dataclasses.fields(Outcome)}
    assert set(SPLIT_OPTIONS) <= names


def test_the_command_line_offers_every_split_rule_and_no_other():
    from tui.cli import build_parser

    parser = build_parser()
    summary = parser._subparsers._group_actions[0].choices["summary"]  # type: ignore[union-attr]
    split = next(a for a in summary._actions if a.dest == "split")
    assert tuple(split.choices) == SPLIT_RULES


def test_labels_rank_strongest_first():
    assert sorted(LABELS, key=LABEL_RANK.__getitem__) == list(LABELS)
    assert DISTINGUISHED == ("strong", "weak")
    assert FITS[0] == "confirmation" and len(set(FITS)) == len(FITS)


@pytest.mark.parametrize(
    ("text", "ids"),
    [("S1,S2", ("S1", "S2")), (" S1 , S3,,S5 ", ("S1", "S3", "S5")), ("", ()), (",", ()), ("S 1", ("S 1",))],
)
def test_site_ids(text, ids):
    assert site_ids(text) == ids


def test_overridden_replaces_only_what_is_given_and_makes_site_lists_tuples():
    base = Outcome("engagement", "median", threshold=0.5, second="fidelity")
    out = base.overridden(split="explicit", high=["S1", "S2"], low=iter(["S3"]))
    assert out == Outcome("engagement", "explicit", 0.5, "fidelity", ("S1", "S2"), ("S3",))
    assert base.overridden() == base
    assert base.overridden(second=None).second is None  # a given None clears a field (the split dialog)


def test_outcome_of_a_split_dict_over_the_study_s_outcome():
    base = Outcome("engagement", "median", threshold=0.5, second="fidelity", high=("S9",))
    split = {"outcome": "fidelity", "rule": "explicit", "high": ["S1"], "low": ["S2"], "cut": 3.0}
    assert outcome_of(split, base) == Outcome("fidelity", "explicit", 0.5, "fidelity", ("S1",), ("S2",))
    assert outcome_of({"outcome": "y", "rule": "threshold", "threshold": 2.0}) == Outcome("y", "threshold", 2.0)


def test_the_disclosure_display_rule():
    assert shown(3, 10) == "<10" and shown(3.5, 10) == "<10"
    assert shown(10, 10) == 10 and shown(None, 10) is None and shown("<10", 10) == "<10"
    assert shown(3, 0) == 3  # min_count 0: nothing suppressed
    assert shown(True, 10) is True  # not a count


def test_shown_value_suppresses_count_metrics_only():
    from cases.model import Disclosure, Metric

    class Study:
        metrics = {"n": Metric("n", "n", count=True), "score": Metric("score", "score")}

    policy = Disclosure(min_count=10)
    assert shown_value(Study(), "n", 4, policy) == "<10"
    assert shown_value(Study(), "score", 4, policy) == 4
    assert shown_value(Study(), "unknown", 4, policy) == 4
    assert shown_value(None, "n", 4, policy) == 4
    assert shown_value(Study(), "n", 4, None) == 4


def test_the_number_forms():
    assert fmt(None) == "-" and fmt("<10") == "<10" and fmt(1.0650000000000004, 2) == "1.07" and fmt(2, 2) == "2.00"
    with pytest.raises(TypeError):
        fmt([1.0])
    assert short(2.5) == "2.5" and short(1.0) == "1" and short(0.75) == "0.75" and short("x") == "x"
    assert short(True) == "True"
    assert signed(0.2134) == "+0.213" and signed(-1.5) == "-1.5" and signed(None) == "n/a"
    assert plain(0.125, 2) == "0.12" and plain(None, 2) == "-" and plain(None, 2, "n/a") == "n/a"
    assert fixed(0.125, 2) == "0.13"  # why plain and fixed stay two functions (metrics/numbers.py)
    assert figure(1.0) == "1" and figure(1.666) == "1.67" and figure(None) == "–" and figure(True) == "–"
