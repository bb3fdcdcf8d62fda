"""Unit tests of metrics.distinguishing: judge(), the three rules, rule parsing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.rules import DEFAULTS, Rule, check_rule, make_rule, parse_rule_option
from metrics.distinguishing import Summary, assess, judge, judge_summaries, share_above

GAP, MEANS, VALENCE, SHARE = make_rule("gap"), make_rule("means"), make_rule("valence"), make_rule("share")
RATINGS = st.lists(st.integers(-2, 2), max_size=6)


@pytest.mark.parametrize("rule", [GAP, MEANS, VALENCE, SHARE])
def test_insufficient_when_a_group_has_no_valence_rating(rule):
    assert judge(rule, [], [1, 2]) == ("insufficient", "expected")
    assert judge(rule, [2, 2], []) == ("insufficient", "expected")
    assert judge(rule, [], []) == ("insufficient", "expected")


@pytest.mark.parametrize("rule", [GAP, MEANS, VALENCE, SHARE])
def test_one_rated_site_per_group_is_enough(rule):
    assert judge(rule, [2], [-2]) == ("strong", "expected")
    assert judge(rule, [-2], [2]) == ("strong", "reversed")
    assert judge(rule, [0], [0]) == ("none", "expected")


def test_gap_rule_definition():
    # strong: gap >= 1 and diff >= 2.5; weak: gap >= 1 and diff >= 1 (the calibrated defaults)
    assert judge(GAP, [2, 1], [-1, -1]) == ("strong", "expected")  # gap 2, diff 2.5
    assert judge(GAP, [2, 0], [-1, -2]) == ("strong", "expected")  # gap 1, diff 2.5
    assert judge(GAP, [2, 1], [-1, 0]) == ("weak", "expected")  # gap 1, diff 2: not strong
    assert judge(GAP, [2, 0], [0, -2]) == ("none", "expected")  # gap 0 (the groups touch), diff 2
    assert judge(GAP, [2, -1], [-2, 0]) == ("none", "expected")  # gap -1 (overlap), diff 1.5
    assert judge(GAP, [1, 1], [0, 0]) == ("weak", "expected")  # gap 1, diff 1
    assert judge(GAP, [1, 0], [0, 0]) == ("none", "expected")  # diff 0.5
    # thresholds are inclusive, with float sums
    assert judge(GAP, [1, 1, 0], [-1, -1, -1]) == ("weak", "expected")  # diff 1.667: not strong


def test_share_rule_definition():
    # weak: share of high sites above every low site >= 0.75 and z = diff / sqrt(1/nh + 1/nl) >= 0.8;
    # strong: also diff >= 2.25 (the calibrated defaults)
    assert make_rule() == SHARE
    assert judge(SHARE, [2, 2, 0, 1], [0]) == ("weak", "expected")  # 3 of 4 above, z 1.12
    assert judge(SHARE, [2, 1], [-2, 1]) == ("none", "expected")  # 1 of 2 above, though diff 2
    assert judge(SHARE, [0], [-1]) == ("none", "expected")  # one a side, diff 1: z 0.71
    assert judge(SHARE, [1], [-1]) == ("weak", "expected")  # one a side, diff 2: z 1.41
    assert judge(SHARE, [0, 0, 0, 0], [-1]) == ("weak", "expected")  # z 0.89
    assert judge(SHARE, [1, 1], [0, 0]) == ("weak", "expected")  # z 1
    assert judge(SHARE, [2, 2], [-2, -1]) == ("strong", "expected")  # diff 3.5
    assert judge(SHARE, [2, 1], [0, 0]) == ("weak", "expected")  # diff 1.5 < 2.25
    assert judge(SHARE, [2, 1], [0, -1]) == ("weak", "expected")  # diff 2 < 2.25
    assert judge(SHARE, [2, 2], [0, -1]) == ("strong", "expected")  # diff 2.5
    assert judge(SHARE, [0, -1, 0], [1, 0, 1]) == ("none", "expected")  # reversed share 2/3 < 0.75
    assert judge(SHARE, [-2], [0]) == ("weak", "reversed")
    assert assess(SHARE, [1, 0], [0, 0]).met == "none: weak needs share >= 0.75 (share 0.5) and z >= 0.8 (z 0.5)"
    assert assess(SHARE, [2, 2, 0, 1], [0]).met == "weak: share >= 0.75 and z >= 0.8"


def test_share_reads_the_counts_only_when_the_groups_overlap():
    low = Summary(1, 0, 0, 0.0)
    assert share_above(Summary(2, 1, 2, 1.5), low) == 1.0  # every high above: no counts needed
    assert share_above(Summary(2, -1, 0, -0.5), low) == 0.0  # none above
    with pytest.raises(ValueError, match="count of every valence"):
        share_above(Summary(2, 0, 2, 1.0), low)
    assert share_above(Summary.of([0, 2]), Summary.of([0])) == 0.5
    assert Summary.of([2, -2, 0, 2]).hist == (1, 0, 1, 0, 2)
    assert judge_summaries(SHARE, Summary.of([2, 2, 2, 0]), Summary.of([0])) == ("weak", "expected")


def test_means_and_valence_definitions():
    assert judge(MEANS, [2, -1], [-2, 0]) == ("weak", "expected")  # overlap does not matter
    assert judge(MEANS, [2, 2], [0, 0]) == ("strong", "expected")
    assert judge(VALENCE, [1, 1], [-1, -2]) == ("strong", "expected")  # all positive v all negative
    assert judge(VALENCE, [2, 0], [0, -1]) == ("weak", "expected")  # none against, diff 1.5
    assert judge(VALENCE, [2, 2], [1, 1]) == ("none", "expected")  # low sites positive
    assert judge(VALENCE, [1, 0], [0, 0]) == ("none", "expected")  # diff 0.5 < weak_diff


@pytest.mark.parametrize("rule", [GAP, MEANS, VALENCE, SHARE])
def test_reversed_is_the_same_label_with_the_groups_swapped(rule):
    for high, low, label in (([-2, -1], [1, 2], "strong"), ([-1, -1], [0, 0], "weak")):
        if rule is VALENCE and label == "weak":
            high, low = [0, -1], [1, 0]
        assert judge(rule, high, low) == (label, "reversed")
        assert judge(rule, low, high) == (label, "expected")


@settings(max_examples=300, deadline=None)
@given(RATINGS, RATINGS, st.sampled_from([GAP, MEANS, VALENCE, SHARE]))
def test_swapping_groups_swaps_direction(high, low, rule):
    label, direction = judge(rule, high, low)
    swapped = judge(rule, low, high)
    if label in ("none", "insufficient"):
        assert swapped[0] == label
    elif direction == "reversed":
        assert swapped == (label, "expected")
    else:
        assert swapped == (label, "reversed")
    assert label in ("strong", "weak", "none", "insufficient") and direction in ("expected", "reversed")
    if direction == "reversed":
        assert sum(high) / len(high) < sum(low) / len(low)


def test_strong_implies_weak_conditions_under_defaults():
    for name, p in DEFAULTS.items():
        if "strong_diff" in p and "weak_diff" in p:
            assert p["strong_diff"] > p["weak_diff"]
        if "strong_gap" in p:
            assert p["strong_gap"] >= p["weak_gap"]


def test_describe_and_parse():
    rule = parse_rule_option("gap:strong_diff=1.5,weak_diff=1")
    assert rule == Rule("gap", {"strong_gap": 1.0, "strong_diff": 1.5, "weak_gap": 1.0, "weak_diff": 1.0})
    assert rule.describe() == "gap:strong_diff=1.5,strong_gap=1,weak_diff=1,weak_gap=1"
    assert parse_rule_option("means") == make_rule("means")
    assert parse_rule_option(" valence : weak_diff = 0.5 ").params == {"weak_diff": 0.5}
    assert parse_rule_option("gap:").name == "gap"


@pytest.mark.parametrize(
    "text, message",
    [
        ("median", 'rule "median" is not one of gap, means, valence'),
        ("gap:strong_dif=2", 'rule "gap" has no parameter "strong_dif"'),
        ("valence:strong_diff=2", 'rule "valence" has no parameter "strong_diff"'),
        ("gap:strong_diff", 'expected key=value, got "strong_diff"'),
        ("gap:strong_diff=two", 'strong_diff must be a number, got "two"'),
        ("gap:weak_diff=nan", "weak_diff must be a number"),
    ],
)
def test_parse_rule_option_errors(text, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        parse_rule_option(text)


def test_check_rule_from_study_toml_values():
    assert check_rule("gap", {"strong_diff": 2}) == []
    assert check_rule("gap", {"strong_diff": True}) == [("strong_diff", "strong_diff must be a number")]
    assert check_rule("gap", {"strong_diff": "2"}) == [("strong_diff", "strong_diff must be a number")]
    assert check_rule("nope", {})[0][0] == "rule"
    with pytest.raises(ValueError):
        make_rule("gap", {"weak_diff": "x"})


@pytest.mark.parametrize("value", ["1e999", "-1e999", "inf"])
def test_an_infinite_rule_parameter_is_refused(value):
    """float("1e999") is inf: once taken, the JSON summary held the invalid token Infinity."""
    with pytest.raises(ValueError, match="strong_diff must be a finite number"):
        parse_rule_option(f"gap:strong_diff={value}")


def test_an_infinite_rule_parameter_on_the_command_line_is_one_line_and_exit_2(capsys):
    from tests.cli_helpers import run_cli

    code, out, err = run_cli(capsys, "summary", "--distinguishing", "gap:strong_diff=1e999", "--format", "json")
    assert code == 2 and out == ""
    assert err.strip().splitlines() == ["--distinguishing: strong_diff must be a finite number"]
