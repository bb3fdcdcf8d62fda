"""study.toml's QCA forms (analysis.md section 3): calibrated and rating [[condition]]s and [qca],
parsed and checked; every problem names its study.toml line and key (exit 2 in `crosscase qca`)."""

from __future__ import annotations

import math

import pytest
from qca_helpers import crisp_example

from cases.errors import StudyError
from cases.loader import load_study
from metrics.qca import QcaResult
from metrics.qca_calibrate import direct

GOOD = """
[[condition]]
name = "SUP"
metric = "supervisor_hours"
fuzzy = [1.5, 3.5, 6.0]

[[condition]]
name = "FID"
metric = "fidelity"
fuzzy = [3.0, 3.6, 4.2]

[[condition]]
name = "PREP"
theme = "clinical-team-preparation"
at_least = 1

[qca]
outcome = "high"
incl_cut = 0.9
n_cut = 1
pri_cut = 0.5
log_odds = 2.5
expect = { SUP = "present", PREP = "present" }
"""


def study_with(make_study, tmp_path, extra: str, sites=None):
    files = {"study.toml": lambda t: crisp_example(t) + extra}
    if sites is not None:
        files["sites.csv"] = sites
    return make_study(tmp_path, files=files)


def problems(make_study, tmp_path, extra: str, sites=None) -> list[str]:
    folder = study_with(make_study, tmp_path, extra, sites)
    with pytest.raises(StudyError) as info:
        load_study(folder)
    return [str(p) for p in info.value.problems]


def line_of(text: str, needle: str, after: str = "") -> int:
    start = text.index(after) if after else 0
    return text[: text.index(needle, start)].count("\n") + 1


def test_the_qca_forms_and_table_are_read_beside_the_crisp_conditions(make_study, tmp_path):
    study = load_study(study_with(make_study, tmp_path, GOOD))
    spec = study.qca
    assert spec is not None
    assert [(c.name, c.qca_name, c.kind) for c in spec.conditions] == [
        ("Well-resourced supervision", "C1", "crisp"),
        ("Positive ward relationships", "C2", "crisp"),
        ("NHS employer", "C3", "attribute"),
        ("Urban setting", "C4", "attribute"),
        ("SUP", "SUP", "fuzzy"),
        ("FID", "FID", "fuzzy"),
        ("PREP", "PREP", "rating"),
    ]
    assert spec.conditions[4].anchors == (1.5, 3.5, 6.0) and spec.conditions[6].at_least == 1.0
    assert (spec.incl_cut, spec.n_cut, spec.pri_cut, spec.log_odds) == (0.9, 1, 0.5, 2.5)
    assert spec.expect is not None and dict(spec.expect) == {"SUP": "present", "PREP": "present"} and spec.defined
    # the crisp configuration table keeps the four crisp conditions only, as before
    assert [c.name for c in study.conditions] == [c.name for c in spec.conditions[:4]]


def test_memberships_follow_the_forms(make_study, tmp_path):
    from metrics.analysis import analyse

    study = load_study(study_with(make_study, tmp_path, GOOD))
    result = analyse(study).qca
    assert isinstance(result, QcaResult)
    assert result is not None and result.cuts.incl == 0.9 and result.cuts.pri == 0.5
    s1 = result.cases["S1"]  # supervisor_hours 6.0, fidelity (4.40+4.10+4.30+4.00)/4, prep rated
    assert math.isclose(s1["SUP"], direct(6.0, (1.5, 3.5, 6.0), 2.5))
    assert math.isclose(s1["FID"], direct(study.value("S1", "fidelity"), (3.0, 3.6, 4.2), 2.5))
    token = study.rating_tokens["clinical-team-preparation"]["S1"]
    assert s1["PREP"] == (1.0 if token in ("+1", "+2") else 0.0)
    assert "S4" not in result.cases and result.left_out[0]["site"] == "S4"  # the middle site


def test_default_qca_without_a_table_uses_the_high_group_and_defaults(make_study, tmp_path):
    study = load_study(make_study(tmp_path, study_toml=crisp_example))
    spec = study.qca
    assert spec is not None and not spec.defined
    assert (spec.incl_cut, spec.n_cut, spec.pri_cut, spec.log_odds) == (0.8, 1, 0.0, 3.0)
    assert spec.outcome.kind == "high" and spec.expect is None


BAD = [
    (
        '\n[[condition]]\nname = "X"\nmetric = "nope"\nfuzzy = [1, 2, 3]\n',
        'metric = "nope"',
        'metric: [[condition]] "X" metric "nope" is not a defined metric',
    ),
    (
        '\n[[condition]]\nname = "X"\ntheme = "no-such-theme"\nat_least = 1\n',
        'theme = "no-such-theme"',
        'theme: [[condition]] "X" theme "no-such-theme" is not a theme in themes.toml or the built-in catalogue',
    ),
    (
        '\n[[condition]]\nname = "X"\nmetric = "fidelity"\nfuzzy = [3, 3, 4]\n',
        "fuzzy = [3, 3, 4]",
        'fuzzy: [[condition]] "X" fuzzy anchors must be strictly ordered, increasing or decreasing (not 3, 3, 4)',
    ),
    (
        '\n[[condition]]\nname = "X"\nmetric = "fidelity"\nfuzzy = [3, 5, 4]\n',
        "fuzzy = [3, 5, 4]",
        "fuzzy anchors must be strictly ordered",
    ),
    (
        '\n[[condition]]\nname = "X"\nmetric = "fidelity"\nfuzzy = [3, 4]\n',
        "fuzzy = [3, 4]",
        "fuzzy must be three numbers",
    ),
    (
        '\n[[condition]]\nname = "X"\ntheme = "leadership-support"\n',
        'theme = "leadership-support"',
        "needs exactly one of at_least or at_most",
    ),
    (
        '\n[[condition]]\nname = "X"\ntheme = "leadership-support"\nat_least = 3\n',
        "at_least = 3",
        "at_least must be a valence from -2 to +2",
    ),
    (
        '\n[[condition]]\nname = "X"\nmetric = "fidelity"\ncalibrated = false\n',
        "calibrated = false",
        "calibrated must be true",
    ),
    (
        '\n[[condition]]\nname = "X"\nmetric = "fidelity"\nfuzzy = [3, 4, 5]\ncolour = "red"\n',
        'colour = "red"',
        'unknown key "colour"',
    ),
    ("\n[qca]\nincl_cut = 1.5\n", "incl_cut = 1.5", "incl_cut: [qca] incl_cut must be a number from 0 to 1"),
    ("\n[qca]\nn_cut = 0\n", "n_cut = 0", "n_cut must be a whole number of at least 1"),
    ("\n[qca]\nlog_odds = -1\n", "log_odds = -1", "log_odds must be a positive number"),
    ('\n[qca]\noutcome = "low"\n', 'outcome = "low"', "outcome: [qca] outcome must be"),
    (
        '\n[qca]\noutcome = { metric = "nope", calibrated = true }\n',
        "outcome = {",
        '[qca] outcome metric "nope" is not a defined metric',
    ),
    (
        '\n[qca]\noutcome = { metric = "fidelity", fuzzy = [5, 4, 3, 2] }\n',
        "outcome = {",
        "[qca] outcome fuzzy must be three numbers",
    ),
    (
        '\n[qca]\nexpect = { DEV = "present" }\n',
        "expect = {",
        "expect: [qca] expect names DEV, which is not a condition (conditions: C1, C2, C3, C4)",
    ),
    (
        '\n[qca]\nexpect = { "not a name" = "present" }\n',
        "expect = {",
        '[qca] expect "not a name" is not a QCA name',
    ),
    ('\n[qca]\nexpect = { C1 = "up" }\n', "expect = {", 'expect C1 = \'up\': use "present" or "absent"'),
    ("\n[qca]\ncolour = 1\n", "colour = 1", '[qca] has an unknown key "colour"'),
    (
        '\n[[condition]]\nname = "C1"\nmetric = "fidelity"\nfuzzy = [3, 4, 5]\n',
        'name = "C1"',
        'name: [[condition]] "C1" is written C1 in terms, as is "Well-resourced supervision"',
    ),
    (
        '\n[[condition]]\nname = "NHS employer"\nmetric = "fidelity"\nfuzzy = [3, 4, 5]\n',
        'name = "NHS employer"\nmetric = "fidelity"',
        '[[condition]] name "NHS employer" is used twice',
    ),
]


@pytest.mark.parametrize("extra, where, message", BAD)
def test_each_problem_is_one_line_naming_the_study_toml_line_and_key(make_study, tmp_path, extra, where, message):
    found = problems(make_study, tmp_path, extra)
    text = (study_with(make_study, tmp_path, extra) / "study.toml").read_text(encoding="utf-8")
    line = line_of(text, where, after=extra.strip().splitlines()[0])
    assert len(found) == 1, found
    assert found[0].startswith(f"study.toml:{line}: ") and message in found[0], found


def test_a_calibrated_value_outside_0_1_is_an_error_naming_the_line_and_sites(make_study, tmp_path):
    extra = '\n[[condition]]\nname = "FID"\nmetric = "fidelity"\ncalibrated = true\n'
    found = problems(make_study, tmp_path, extra)
    text = (study_with(make_study, tmp_path, extra) / "study.toml").read_text(encoding="utf-8")
    assert len(found) == 1
    assert found[0].startswith(f"study.toml:{line_of(text, 'calibrated = true')}: calibrated: ")
    assert "outside [0, 1]: S1 = 4.2," in found[0] and "and 2 more" in found[0]


def test_a_calibrated_outcome_outside_0_1_is_an_error(make_study, tmp_path):
    found = problems(make_study, tmp_path, '\n[qca]\noutcome = { metric = "fidelity", calibrated = true }\n')
    assert len(found) == 1 and ": outcome: [qca] outcome: fidelity is calibrated = true but" in found[0]


def test_a_calibrated_metric_within_0_1_loads(make_study, tmp_path):
    study = load_study(
        study_with(make_study, tmp_path, '\n[qca]\noutcome = { metric = "engagement", calibrated = true }\n')
    )
    spec = study.qca
    assert spec is not None and spec.outcome.kind == "calibrated" and spec.outcome.metric == "engagement"


def test_an_expectation_for_a_refused_condition_is_not_a_second_problem(make_study, tmp_path):
    extra = '\n[[condition]]\nname = "SUP"\nmetric = "supervisor_hours"\nfuzzy = [1, 1, 2]\n\n[qca]\nexpect = { SUP = "present" }\n'
    found = problems(make_study, tmp_path, extra)
    assert len(found) == 1 and "fuzzy anchors must be strictly ordered" in found[0]


def test_a_crisp_condition_named_as_a_qca_form_before_it_is_used_twice(make_study, tmp_path):
    extra = (
        '\n[[condition]]\nname = "SUP"\nmetric = "supervisor_hours"\nfuzzy = [1, 2, 3]\n'
        '\n[[condition]]\nname = "SUP"\nmetric = "supervisor_hours"\nat_least = 2\n'
    )
    found = problems(make_study, tmp_path, extra)
    assert len(found) == 1 and '[[condition]] name "SUP" is used twice' in found[0]


@pytest.mark.parametrize("value", ["1" + "0" * 400, "inf", "nan"])
def test_numbers_no_float_holds_are_problems_not_crashes(make_study, tmp_path, value):
    extra = f'\n[[condition]]\nname = "SUP"\nmetric = "supervisor_hours"\nfuzzy = [1, 2, {value}]\n\n[qca]\nincl_cut = {value}\n'
    found = problems(make_study, tmp_path, extra)
    assert len(found) == 2 and "fuzzy must be three numbers" in found[0] and "incl_cut must be a number" in found[1]
