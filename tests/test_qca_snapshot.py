"""The snapshot carries [qca] (analysis.md section 3), reading it back checks it, and `diff` names
the solutions that changed."""

from __future__ import annotations

import json

import pytest
from cli_helpers import run_cli

from cases.errors import StudyError
from cases.snapshot import parse_snapshot
from metrics.qca_diff import qca_changes
from metrics.snapdiff import diff_snapshots
from tui.headless.render import drop_nulls


@pytest.fixture
def exported(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")

    def export(study=None, *extra):
        out = tmp_path / f"snap{len(list(tmp_path.glob('snap*.toml')))}.toml"
        argv = ["export", *([study] if study else []), "-o", out, *extra]
        rc, _, err = run_cli(capsys, *argv)
        assert rc == 0, err
        return out

    return export


def test_the_snapshot_carries_the_commands_qca(exported, capsys):
    path = exported()
    snap = parse_snapshot(path.read_text(encoding="utf-8"))
    _, out, _ = run_cli(capsys, "qca", "--format", "json")
    assert snap["qca"] == drop_nulls(json.loads(out))
    assert snap["qca"]["solutions"]["intermediate"]["models"]


def test_a_pseudonymised_snapshot_carries_pseudonyms_in_its_qca(exported):
    snap = parse_snapshot(exported(None, "--pseudonymise").read_text(encoding="utf-8"))
    assert set(snap["qca"]["cases"]) == {f"Site {c}" for c in "ABCDEFG"}


def _break(text: str, old: str, new: str) -> str:
    at = text.index("[qca]")
    return text[:at] + text[at:].replace(old, new, 1)


@pytest.mark.parametrize(
    "old, new, message",
    [
        ('out = "1"', 'out = "2"', '"2" is not one of 0, 1, ?'),
        ('outcome = "engagement"', "outcome = 3", "qca.outcome: must be text"),
        ("incl = 0.8\n", 'incl = "high"\n', "qca.cuts.incl: must be a number"),
        ('expression = "', 'expression = 1\nx = "', "expression: must be text"),
    ],
)
def test_a_malformed_qca_is_refused_naming_the_line(exported, old, new, message):
    text = _break(exported().read_text(encoding="utf-8"), old, new)
    with pytest.raises(StudyError) as info:
        parse_snapshot(text)
    (problem,) = info.value.problems
    assert message in str(problem)
    assert problem.row is not None and new.split("\n")[0] in text.splitlines()[problem.row - 1]


def test_a_site_id_in_the_qca_of_a_pseudonymised_snapshot_is_refused(exported):
    text = exported(None, "--pseudonymise").read_text(encoding="utf-8")
    text = _break(text, '[qca.cases."Site A"]', '[qca.cases."S1"]')
    with pytest.raises(StudyError) as info:
        parse_snapshot(text)
    assert any('"S1" is not a pseudonym' in str(p) for p in info.value.problems)


def test_diff_names_the_solutions_that_changed(exported, make_study, tmp_path, capsys):
    before = exported()
    folder = make_study(tmp_path, study_toml=lambda t: t.replace("incl_cut = 0.8", "incl_cut = 0.99"))
    after = exported(str(folder))
    rc, out, _ = run_cli(capsys, "diff", before, after, "--format", "json")
    changes = json.loads(out)["qca"]
    assert [c["solution"] for c in changes] == ["conservative", "parsimonious", "intermediate"]
    old, new = (parse_snapshot(p.read_text(encoding="utf-8"))["qca"]["solutions"] for p in (before, after))
    for c in changes:
        assert c["from"] == [m["expression"] for m in old[c["solution"]]["models"]]
        assert c["to"] == [m["expression"] for m in new[c["solution"]]["models"]]
    rc, text, _ = run_cli(capsys, "diff", before, after)
    assert "QCA solutions that changed: 3" in text
    assert f"  parsimonious: {' | '.join(changes[1]['from'])} -> {' | '.join(changes[1]['to'])}" in text


def test_diff_without_a_qca_change_has_no_qca_key(exported, capsys):
    a, b = exported(), exported()
    rc, out, _ = run_cli(capsys, "diff", a, b, "--format", "json")
    assert "qca" not in json.loads(out)


def test_qca_changes_when_one_snapshot_has_no_qca():
    new = {"qca": {"conditions": ["A"], "solutions": {"conservative": {"models": [{"expression": "A"}]}}}}
    assert qca_changes({}, {}) == []
    assert qca_changes({}, new) == [
        {"solution": "conditions", "from": None, "to": ["A"]},
        {"solution": "conservative", "from": None, "to": ["A"]},
        {"solution": "parsimonious", "from": None, "to": []},
        {"solution": "intermediate", "from": None, "to": []},
    ]
    assert "qca" in diff_snapshots({"split": {}}, {"split": {}, **new})
