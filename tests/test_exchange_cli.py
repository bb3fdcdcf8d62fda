"""`crosscase import PROJECT.qdpx DIR` and `crosscase export --format qdpx` from the command line:
a project becomes a study that validates, a study goes out and comes back the same, and what the
disclosure policy forbids never leaves."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import pytest

from tests.cli_helpers import run_cli as run
from tests.fixtures.qdpx import projects as P


def test_import_writes_a_study_that_validates_and_lists_what_it_left(capsys, tmp_path):
    project = P.with_losses(tmp_path)
    rc, out, err = run(capsys, "import", project, tmp_path / "study")
    assert rc == 0, err
    assert out.startswith("imported ") and "next: crosscase validate" in out
    lost = [line for line in err.splitlines() if line.startswith("not carried over: ")]
    assert lost and len(lost) == len(err.splitlines())  # one line each, nothing else
    rc, out, err = run(capsys, "validate", tmp_path / "study")
    assert rc == 0 and out.startswith("ok: "), out + err


def test_import_never_writes_over_a_folder_and_refuses_a_hostile_project(capsys, tmp_path):
    project = P.nvivo_like(tmp_path)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "keep.txt").write_text("mine")
    rc, _, err = run(capsys, "import", project, tmp_path / "busy")
    assert rc == 2 and "must be an empty folder" in err and len(err.splitlines()) == 1
    assert (tmp_path / "busy" / "keep.txt").read_text() == "mine"
    bad = tmp_path / "evil.qdpx"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("../outside.qde", "<Project/>")
    rc, _, err = run(capsys, "import", bad, tmp_path / "new")
    assert rc == 2 and err.strip() and "Traceback" not in err
    assert not (tmp_path / "new").exists() and not (tmp_path.parent / "outside.qde").exists()


def test_export_qdpx_and_import_back_give_the_same_summary(capsys, tmp_path):
    rc, out, err = run(capsys, "export", "-o", tmp_path / "example.qdpx")  # the format from the suffix
    assert rc == 0 and "no evidence" in out, err
    rc, _, err = run(capsys, "import", tmp_path / "example.qdpx", tmp_path / "back")
    assert rc == 0, err
    rule = ["--distinguishing", "gap"]  # REFI-QDA has no place for the rule: name it on both sides
    _, before, _ = run(capsys, "summary", "--format", "json", *rule)
    _, after, _ = run(capsys, "summary", tmp_path / "back", "--format", "json", *rule)
    a, b = json.loads(before), json.loads(after)
    for key in ("groups", "metrics", "themes"):
        assert a[key] == b[key], key
    with zipfile.ZipFile(tmp_path / "example.qdpx") as zf:
        qde = zf.read("project.qde").decode("utf-8")
    from cases.catalogue import example_dir

    memo = (example_dir() / "ratings.csv").read_text(encoding="utf-8").splitlines()[1].rsplit(",", 1)[-1]
    assert memo.strip('"') and memo.strip('"') not in qde  # evidence memos never leave


def test_export_qdpx_refuses_what_disclosure_forbids(capsys, tmp_path, make_study):
    rc, _, err = run(capsys, "export", "--format", "qdpx", "-o", tmp_path / "a.qdpx", "--pseudonymise")
    assert rc == 2 and "pseudonyms" in err and not (tmp_path / "a.qdpx").exists()
    rc, _, err = run(capsys, "export", "--format", "qdpx", "-o", tmp_path / "b.qdpx", "--min-count", "1000")
    assert rc == 2 and "below min_count 1000" in err and not (tmp_path / "b.qdpx").exists()
    (tmp_path / "d.qdpx").write_bytes(b"keep")
    rc, _, err = run(capsys, "export", "-o", tmp_path / "d.qdpx")
    assert rc == 2 and "already exists" in err and (tmp_path / "d.qdpx").read_bytes() == b"keep"
    study = make_study(tmp_path / "own")
    before = (study / "study.toml").read_bytes()
    rc, _, err = run(capsys, "export", study, "--format", "qdpx", "-o", study / "study.toml", "--force")
    assert rc == 2 and "one of the study's own files" in err and (study / "study.toml").read_bytes() == before
    folder = make_study(tmp_path, study_toml=lambda t: t.replace("pseudonymise = false", "pseudonymise = true"))
    rc, _, err = run(capsys, "export", folder, "-o", tmp_path / "e.qdpx")
    assert rc == 2 and "pseudonyms" in err and not (tmp_path / "e.qdpx").exists()


def test_export_qdpx_carries_evidence_only_when_asked(capsys, tmp_path):
    rc, out, err = run(capsys, "export", "--format", "qdpx", "-o", tmp_path / "c.qdpx", "--include-evidence")
    assert rc == 0, err
    assert (
        out.strip() == f"wrote {tmp_path / 'c.qdpx'} (REFI-QDA project: 7 cases, 129 evidence excerpts in 72 sources)"
    )
    rc, _, err = run(capsys, "import", tmp_path / "c.qdpx", tmp_path / "back")
    assert (
        rc == 0 and err == "note: the analysis settings crosscase wrote into the project's description were used\n"
    ), err
    from cases.catalogue import example_dir

    before = (example_dir() / "evidence.csv").read_text(encoding="utf-8").splitlines()
    after = (tmp_path / "back" / "evidence.csv").read_text(encoding="utf-8").splitlines()
    assert sorted(before[1:]) == sorted(after[1:])  # the same rows, byte for byte


def test_import_and_qdpx_export_import_no_ui_library(tmp_path):
    project = P.nvivo_like(tmp_path)
    code = (
        "import sys, tui.cli\n"
        f"assert tui.cli.main(['import', {str(project)!r}, {str(tmp_path / 's')!r}]) == 0\n"
        f"assert tui.cli.main(['export', {str(tmp_path / 's')!r}, '-o', {str(tmp_path / 'x.qdpx')!r}, '--min-count', '0']) == 0\n"
        "bad = [m for m in ('textual', 'rich', 'plotext') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    "name", ["two-sites", "no-second", "no-ratings", "wide-only", "own-themes", "empty-group", "hostile"]
)
def test_every_shape_goes_out_with_evidence_and_comes_back_with_the_same_summary(capsys, study_shapes, tmp_path, name):
    shape = study_shapes[name]
    rc, out, err = run(capsys, "export", shape.folder, "-o", tmp_path / "p.qdpx", "--include-evidence")
    assert rc == 0, err
    with zipfile.ZipFile(tmp_path / "p.qdpx") as zf:
        _schema().validate(zf.read("project.qde").decode("utf-8"))
    rc, _, err = run(capsys, "import", tmp_path / "p.qdpx", tmp_path / "back")
    assert rc == 0, err
    # the study's own split, rule and disclosure come back with it (cases/qdpx_settings.py): no options
    _, before, _ = run(capsys, "summary", shape.folder, "--format", "json")
    _, after, _ = run(capsys, "summary", tmp_path / "back", "--format", "json")
    a, b = json.loads(before), json.loads(after)
    if name == "hostile":  # control characters XML cannot hold come back as U+FFFD, and the line says so
        assert "written as U+FFFD" in out
        untitled = lambda rows: [{k: v for k, v in r.items() if k not in ("title", "label", "domain")} for r in rows]
        assert a["groups"] == b["groups"]
        assert untitled(a["themes"]) == untitled(b["themes"]) and untitled(a["metrics"]) == untitled(b["metrics"])
        assert any("\ufffd" in t["title"] for t in b["themes"])
        return
    assert "U+FFFD" not in out
    a.pop("study"), b.pop("study")  # its fingerprint is of the files' bytes
    assert a == b


def _schema():
    import xmlschema

    from tests.test_qdpx import XSD

    return xmlschema.XMLSchema(XSD)
