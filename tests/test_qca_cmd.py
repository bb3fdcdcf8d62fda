"""`crosscase qca` (analysis.md section 3): the contract's JSON, the same figures as the engine in
every format, exit 2 on bad input (never a traceback), and no UI library loaded."""

from __future__ import annotations

import json
import tomllib

import pytest
from cli_helpers import run_cli
from qca_helpers import crisp_example
from test_imports import UI_LIBRARIES, fresh_python, loaded

from cases.loader import load_study
from metrics.analysis import analyse
from metrics.qca import Cuts, QcaResult
from metrics.qca_study import study_qca

FUZZY = """
[[condition]]
name = "SUP"
metric = "supervisor_hours"
fuzzy = [1.5, 3.0, 6.0]

[[condition]]
name = "PREP"
theme = "clinical-team-preparation"
at_least = 1

[qca]
expect = { SUP = "present", PREP = "present" }
"""
TOP = ["outcome", "conditions", "cuts", "cases", "left_out", "truth_table", "solutions", "necessity", "warnings"]


@pytest.fixture
def fuzzy_study(make_study, tmp_path):
    return make_study(tmp_path, study_toml=lambda t: crisp_example(t) + FUZZY)


def test_json_is_the_contracts_object_and_the_engines(capsys, fuzzy_study):
    rc, out, err = run_cli(capsys, "qca", fuzzy_study, "--format", "json")
    assert rc == 0 and err == ""
    data = json.loads(out)
    assert list(data) == TOP
    assert data["conditions"] == ["C1", "C2", "C3", "C4", "SUP", "PREP"]
    assert list(data["solutions"]) == ["conservative", "parsimonious", "intermediate"]
    assert data["solutions"]["intermediate"]["models"], "expect gives an intermediate solution"
    row = data["truth_table"][0]
    assert list(row) == ["configuration", "n", "incl", "pri", "out", "cases"]
    term = data["solutions"]["conservative"]["models"][0]["terms"][0]
    assert list(term) == ["term", "incl", "pri", "cov", "cov_unique", "cases"]
    assert list(data["necessity"][0]) == ["condition", "incl", "cov", "ron"]
    study = load_study(fuzzy_study)
    comparison = analyse(study)
    expected = study_qca(study, comparison.split).to_dict()
    assert data == json.loads(json.dumps(expected))
    assert isinstance(comparison.qca, QcaResult) and data == json.loads(json.dumps(comparison.qca.to_dict()))


def test_toml_is_the_json_without_nulls(capsys, fuzzy_study):
    _, js, _ = run_cli(capsys, "qca", fuzzy_study, "--format", "json")
    rc, out, _ = run_cli(capsys, "qca", fuzzy_study, "--format", "toml")
    assert rc == 0
    from tui.headless.render import drop_nulls

    assert tomllib.loads(out) == drop_nulls(json.loads(js))


def test_text_and_markdown_show_the_names_calibration_and_figures(capsys, fuzzy_study):
    study = load_study(fuzzy_study)
    result = study_qca(study, analyse(study).split)
    rc, text, _ = run_cli(capsys, "qca", fuzzy_study)
    assert rc == 0
    assert "C1 = Well-resourced supervision: supervisor_hours >= 4 (crisp)" in text
    assert "SUP: supervisor_hours: fuzzy, exclusion 1.5, crossover 3, inclusion 6" in text
    assert "PREP: rating of clinical-team-preparation >= +1" in text
    model = result.solutions["conservative"][0]
    assert f"M1: {model.expression}  (incl {model.fit.incl:.3f}" in text
    rc, md, _ = run_cli(capsys, "qca", fuzzy_study, "--format", "markdown")
    assert rc == 0 and "| C1 | Well-resourced supervision | supervisor_hours &gt;= 4 (crisp) |" in md
    shown = model.expression.replace("*", "\\*").replace("~", "\\~")  # literal, not emphasis
    assert f"**M1: {shown}**" in md and "| \\~C1 |" in md
    for r in result.truth_table:
        assert f"| {' | '.join(r.configuration)} | {r.out} | {r.n} | {r.incl:.3f} |" in md


def test_cut_options_override_study_toml(capsys, fuzzy_study):
    rc, out, _ = run_cli(capsys, "qca", fuzzy_study, "--format", "json", "--incl-cut", "0.6", "--n-cut", "2")
    assert rc == 0
    data = json.loads(out)
    assert data["cuts"] == {"incl": 0.6, "n": 2, "pri": 0.0}
    study = load_study(fuzzy_study)
    expected = study_qca(study, analyse(study).split, cuts=Cuts(0.6, 2, 0.0)).to_dict()
    assert data == json.loads(json.dumps(expected))
    assert all(r["out"] == "?" for r in data["truth_table"] if r["n"] < 2)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--incl-cut", "1.5"], "--incl-cut must be a number from 0 to 1, not 1.5"),
        (["--pri-cut", "-0.1"], "--pri-cut must be a number from 0 to 1"),
        (["--n-cut", "0"], "--n-cut must be a whole number of at least 1, not 0"),
    ],
)
def test_bad_cut_options_exit_2(capsys, fuzzy_study, argv, message):
    rc, out, err = run_cli(capsys, "qca", fuzzy_study, *argv)
    assert rc == 2 and out == "" and message in err


def test_a_cut_that_is_not_a_number_is_an_argument_error(capsys, fuzzy_study):
    with pytest.raises(SystemExit) as info:
        run_cli(capsys, "qca", fuzzy_study, "--n-cut", "x")
    assert info.value.code == 2 and '"x" is not a whole number' in capsys.readouterr().err


def test_a_study_without_conditions_exits_2(capsys, make_study, tmp_path):
    import re

    folder = make_study(tmp_path, study_toml=lambda t: re.sub(r"\[\[condition\]\][^\[]*", "", crisp_example(t)))
    rc, out, err = run_cli(capsys, "qca", folder)
    assert rc == 2 and out == ""
    assert err.strip().endswith("the study defines no [[condition]]: QCA needs at least one")


def test_a_bad_study_exits_2_with_the_line(capsys, make_study, tmp_path):
    folder = make_study(tmp_path, study_toml=lambda t: crisp_example(t) + "\n[qca]\nincl_cut = 2\n")
    rc, out, err = run_cli(capsys, "qca", folder)
    lines = err.strip().splitlines()
    assert rc == 2 and out == "" and len(lines) == 1
    assert lines[0].startswith("study.toml:") and ": incl_cut: [qca] incl_cut must be a number from 0 to 1" in lines[0]


def test_pseudonymised_qca_names_no_site(capsys, fuzzy_study):
    rc, out, _ = run_cli(capsys, "qca", fuzzy_study, "--format", "json", "--pseudonymise")
    assert rc == 0
    data = json.loads(out)
    assert set(data["cases"]) <= {f"Site {c}" for c in "ABCDEFG"}
    assert all(s.startswith("Site ") for r in data["truth_table"] for s in r["cases"])
    assert "S1" not in out


def test_qca_command_imports_no_ui_library():
    code = f"""
        import contextlib, io, json, sys
        import tui.cli
        with contextlib.redirect_stdout(io.StringIO()):
            for fmt in ("text", "markdown", "json", "toml"):
                assert tui.cli.main(["qca", "--format", fmt]) == 0
        {loaded(UI_LIBRARIES)}
    """
    assert fresh_python(code) == []


def test_the_example_defines_rating_and_fuzzy_conditions_and_shows_a_real_solution(capsys):
    rc, out, _ = run_cli(capsys, "qca", "--format", "json")
    assert rc == 0
    data = json.loads(out)
    assert data["outcome"] == "engagement" and data["conditions"][-2:] == ["SUP", "PREP"]
    assert len(data["cases"]) == 7 and data["left_out"] == []  # a fuzzy outcome: the middle site takes part
    for kind in ("conservative", "parsimonious", "intermediate"):
        models = data["solutions"][kind]["models"]
        assert models and all(m["incl"] >= 0.8 and m["terms"] for m in models), kind
    assert any(r["out"] == "1" for r in data["truth_table"]) and any(r["out"] == "0" for r in data["truth_table"])


def test_disclosure_control_leaves_count_conditions_out_with_a_warning(capsys, make_study, tmp_path):
    extra = (
        '\n[[condition]]\nname = "BIG"\nmetric = "participants"\nat_least = 5\n'  # a band finer than min_count 10
        '\n[[condition]]\nname = "PEOPLE"\nmetric = "participants"\nfuzzy = [5, 20, 60]\n'
        '\n[[condition]]\nname = "SUP"\nmetric = "supervisor_hours"\nat_least = 4\n'
    )
    folder = make_study(tmp_path, study_toml=lambda t: crisp_example(t) + extra)
    rc, out, _ = run_cli(capsys, "qca", folder, "--format", "json")
    data = json.loads(out)
    assert rc == 0 and "BIG" not in data["conditions"] and "PEOPLE" not in data["conditions"]
    assert "SUP" in data["conditions"]
    assert any(w.startswith('condition "BIG": left out of the QCA') for w in data["warnings"])
    assert any(w.startswith('condition "PEOPLE": left out of the QCA') for w in data["warnings"])
    rc, out, _ = run_cli(capsys, "qca", folder, "--format", "json", "--min-count", "0")
    assert {"BIG", "PEOPLE"} <= set(json.loads(out)["conditions"])


def test_a_qca_the_engine_refuses_is_a_warning_in_the_summary_not_a_silent_gap(capsys, tmp_path):
    """Seventeen conditions: more than the minimiser takes. The summary said nothing of the missing QCA."""
    import json
    import shutil

    from tests.conftest import EXAMPLE

    folder = tmp_path / "many"
    shutil.copytree(EXAMPLE, folder)
    extra = "".join(
        f'\n[[condition]]\nname = "Hours{i}"\nmetric = "supervisor_hours"\nat_least = {1 + i * 0.25}\n'
        for i in range(11)
    )
    toml = folder / "study.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + extra, encoding="utf-8")
    rc, out, err = run_cli(capsys, "summary", folder, "--format", "json")
    assert rc == 0, err
    summary = json.loads(out)
    assert "qca" not in summary
    assert any(w.startswith("no QCA: at most 14 conditions") for w in summary["warnings"]), summary["warnings"]
