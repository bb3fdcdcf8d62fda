"""What the rule looked at (diff, gap, the threshold met) in every theme result and every output."""

from __future__ import annotations

import json
import tomllib

import pytest

import metrics.compare as compare_module
from cases.catalogue import example_dir
from cases.loader import load_study
from cases.rules import make_rule
from metrics.compare import compare
from metrics.distinguishing import assess
from metrics.results import Options
from metrics.summary import to_dict
from tui.headless.render import render_markdown, render_text

GAP = make_rule("gap")


@pytest.mark.parametrize(
    "high, low, expected",
    [
        ([2, 2], [-1, -2], ("strong", "expected", 3.5, 3.0, "strong: gap >= 1 and diff >= 2.5")),
        ([1, 1], [0, 0], ("weak", "expected", 1.0, 1.0, "weak: gap >= 1 and diff >= 1")),
        ([1, 0], [0, 0], ("none", "expected", 0.5, 0.0, "none: weak needs gap >= 1 (gap 0) and diff >= 1 (diff 0.5)")),
        (
            [-1, -1],
            [0, 0],
            (
                "weak",
                "reversed",
                -1.0,
                -1.0,
                "weak: gap >= 1 and diff >= 1 (groups swapped: the low sites rated higher)",
            ),
        ),
        (
            [0, -1, 0],
            [1, 0, 1],
            ("none", "expected", -1.0, -2.0, "none: weak needs gap >= 1 (gap 0) with the groups swapped"),
        ),
        ([], [1], ("insufficient", "expected", None, None, "insufficient: the high group has no valence rating")),
        ([], [], ("insufficient", "expected", None, None, "insufficient: neither group has a valence rating")),
    ],
)
def test_assess_gap(high, low, expected):
    a = assess(GAP, high, low)
    assert (a.label, a.direction, a.diff, a.gap, a.met) == expected


def test_assess_other_rules_name_their_own_thresholds():
    assert assess(make_rule("means"), [1, 0], [0, 0]).met == "none: weak needs diff >= 1 (diff 0.5)"
    assert assess(make_rule("means"), [2, 2], [0, -1]).met == "strong: diff >= 2"
    assert assess(make_rule("valence"), [1, 1], [-1, -2]).met == "strong: every high site > 0 and every low site < 0"
    assert (
        assess(make_rule("valence"), [1, 0], [0, 1]).met
        == "none: weak needs no low site > 0 (highest low 1) and diff >= 1 (diff 0)"
    )


def test_assess_agrees_with_judge_everywhere():
    from itertools import product

    from metrics.distinguishing import judge

    values = [-2, -1, 0, 1, 2]
    for rule in (GAP, make_rule("means"), make_rule("valence")):
        for h in product(values, repeat=2):
            for lo in product(values, repeat=2):
                a = assess(rule, h, lo)
                assert (a.label, a.direction) == judge(rule, h, lo)
                assert a.met.startswith(a.label + ":")


@pytest.fixture(scope="module")
def example():
    study = load_study(example_dir())
    return study, compare(study, Options(permutations=False))


def test_every_theme_result_carries_the_figures(example):
    study, c = example
    for t in c.themes:
        assert t.met and t.met.startswith(t.distinguishing + ":")
        if t.distinguishing != "insufficient":
            assert t.diff == pytest.approx(t.high.mean - t.low.mean)
            assert t.gap is not None
        assert t.published is None  # the example has no published judgement
    t = next(t for t in c.themes if t.theme == "boundary-crossing")
    assert (t.diff, t.gap) == (pytest.approx(-1.0), -2.0)
    assert t.met == "none: weak needs gap >= 1 (gap 0) with the groups swapped"


def test_both_theme_passes_fill_the_same_figures(example, monkeypatch):
    study, small = example
    monkeypatch.setattr(compare_module, "LARGE_THEME_PASS", 0)
    large = compare(study, Options(permutations=False))
    assert [(t.diff, t.gap, t.met, t.published) for t in large.themes] == [
        (t.diff, t.gap, t.met, t.published) for t in small.themes
    ]


def test_json_toml_text_and_markdown_show_them(example, capsys):
    from tui.cli import main

    _, c = example
    d = to_dict(c)
    t = next(t for t in d["themes"] if t["theme"] == "ward-staff-relationships")
    assert (t["diff"], t["gap"], t["threshold"]) == (
        pytest.approx(3.333333333333),
        3.0,
        "strong: gap >= 1 and diff >= 2.5",
    )
    assert "published" not in t
    assert main(["summary", "--format", "json"]) == 0
    js = json.loads(capsys.readouterr().out)
    assert next(x for x in js["themes"] if x["theme"] == "ward-staff-relationships")["threshold"] == t["threshold"]
    assert main(["summary", "--format", "toml"]) == 0
    toml = tomllib.loads(capsys.readouterr().out)
    assert next(x for x in toml["themes"] if x["theme"] == "ward-staff-relationships")["gap"] == 3.0
    text = render_text(c)
    assert "      rule  diff 3.33  gap 3.00  strong: gap >= 1 and diff >= 2.5" in text
    # Markdown escapes '>' as an entity (data may hold HTML); rendered it reads '>='
    assert "| diff 3.33  gap 3.00  strong: gap &gt;= 1 and diff &gt;= 2.5 |" in render_markdown(c)
