"""``crosscase agreement`` and the rater files in the loader (issue 15, analysis.md section 2):
Study.raters, the fingerprint and ``files`` covering ``ratings/RATER.csv`` and evidence.csv,
rater problems through ``validate`` and ``agreement``, crosscase's own temporary files in
ratings/, the audit log's place, the snapshot's ``[study.files]`` keys, pseudonyms and escaping."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from cases.loader import load_study
from metrics.agreement import study_agreement
from tests.cli_helpers import run_cli as run
from tests.conftest import EXAMPLE, REPO

HEAD = "site,theme,rating,evidence\n"
ANA = HEAD + "S1,leadership-support,+1,memo of ana at S1\nS2,leadership-support,0,\nS3,peer-role-clarity,-1,\n"
BEN = (
    HEAD + "S1,leadership-support,+2,memo of ben at S1\nS2,leadership-support,0,\nS3,peer-role-clarity,-1,\n"
    "S4,peer-role-clarity,X,\n"
)
TOP = ("contacts.csv", "ratings.csv", "sites.csv", "study.toml")


def sha(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()


def independent_fingerprint(hashes: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(hashes):
        digest.update(name.encode() + b"\0" + hashes[name].removeprefix("sha256:").encode() + b"\n")
    return "sha256:" + digest.hexdigest()


def with_raters(make_study, tmp_path, **raters: str) -> Path:
    """The example (without its own rater files) with these rater files."""
    return make_study(tmp_path, files={f"ratings/{name}.csv": text for name, text in raters.items()})


# --- the example --------------------------------------------------------------------------------


def test_example_agreement_text(capsys):
    rc, out, err = run(capsys, "agreement", str(EXAMPLE))
    assert rc == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "Agreement of 2 raters (ana, ben), before consensus"
    assert (
        lines[1]
        == "  84 units (site and theme rated by at least one rater), 76 pairable (a valence from at least two raters)"
    )
    assert lines[2] == "  Krippendorff's alpha: ordinal 0.853, interval 0.845, nominal 0.596"
    assert lines[3] == "  exact agreement 68% of the pairable units, within one point 96%"
    assert "  Here: ordinal alpha 0.853 >= 0.800: reliable" in lines
    assert "Disagreements (29): each rater's token; \"absent\" = no row; consensus = the study's ratings" in lines
    assert run(capsys, "agreement")[1] == out  # no STUDY: the built-in example


def test_example_agreement_json_has_the_contracts_shape(capsys):
    rc, out, err = run(capsys, "agreement", str(EXAMPLE), "--format", "json")
    assert rc == 0 and err == ""
    data = json.loads(out)
    assert list(data) == ["raters", "overall", "themes", "disagreements"]
    assert data["raters"] == ["ana", "ben"]
    figures = [
        "units",
        "pairable",
        "alpha_nominal",
        "alpha_ordinal",
        "alpha_interval",
        "exact",
        "within_one",
        "kappa_quadratic",
    ]
    assert list(data["overall"]) == figures
    assert all(list(t) == ["theme", *figures] for t in data["themes"])
    assert all(
        list(d) == ["site", "theme", "ratings", "consensus"] and list(d["ratings"]) == ["ana", "ben"]
        for d in data["disagreements"]
    )
    study = load_study(EXAMPLE)
    assert data == json.loads(json.dumps(study_agreement(study, study.raters).to_dict()))
    assert data["overall"]["units"] == 84 and data["overall"]["pairable"] == 76
    assert len(data["disagreements"]) == 29
    consensus = {(r.site, r.theme): r.token for r in study.ratings}
    assert all(d["consensus"] == consensus[(d["site"], d["theme"])] for d in data["disagreements"])


def test_example_loads_its_raters_and_covers_them():
    study = load_study(EXAMPLE)
    assert list(study.raters) == ["ana", "ben"]
    assert len(study.raters["ana"]) == 83 and len(study.raters["ben"]) == 84  # ana left one cell out
    assert set(study.files) == {*TOP, "evidence.csv", "ratings/ana.csv", "ratings/ben.csv"}
    assert all(study.files[n] == sha(EXAMPLE / n) for n in study.files)
    assert study.fingerprint == independent_fingerprint(dict(study.files))


# --- the fingerprint ----------------------------------------------------------------------------


def test_a_study_without_ratings_folder_keeps_its_fingerprint(make_study, tmp_path):
    folder = make_study(tmp_path)  # the example without ratings/
    assert not (folder / "ratings").exists()
    study = load_study(folder)
    assert dict(study.raters) == {}
    assert set(study.files) == set(TOP)
    # the fingerprint as it was before rater files existed: the four top-level files only
    assert study.fingerprint == independent_fingerprint({n: sha(EXAMPLE / n) for n in TOP})


def test_fingerprint_covers_every_rater_file_and_evidence(make_study, tmp_path):
    folder = with_raters(make_study, tmp_path, ana=ANA, ben=BEN)
    first = load_study(folder)
    assert set(first.files) == {*TOP, "ratings/ana.csv", "ratings/ben.csv"}
    assert first.files["ratings/ana.csv"] == sha(folder / "ratings/ana.csv")
    (folder / "ratings/ana.csv").write_text(ANA.replace("S2,leadership-support,0", "S2,leadership-support,-1"))
    second = load_study(folder)
    assert second.fingerprint != first.fingerprint and second.files["ratings/ana.csv"] != first.files["ratings/ana.csv"]
    (folder / "ratings/cy.csv").write_text(ANA)
    third = load_study(folder)
    assert "ratings/cy.csv" in third.files and third.fingerprint not in (first.fingerprint, second.fingerprint)
    (folder / "evidence.csv").write_text("site,theme,excerpt\nS1,leadership-support,said so\n")
    fourth = load_study(folder)
    assert fourth.files["evidence.csv"] == sha(folder / "evidence.csv")
    assert fourth.fingerprint == independent_fingerprint(dict(fourth.files)) != third.fingerprint


# --- bad rater files through validate and agreement ---------------------------------------------

BAD = HEAD + "S1,leadership-support,7,\nS99,peer-role-clarity,+1,\n"
BAD_LINES = [
    'ratings/cy.csv:2: rating: "7" is not a rating token (-2..+2, X, Missing, N/A, E, I)',
    'ratings/cy.csv:3: site: "S99" is not a site in the sites file',
]


def test_bad_rater_files_in_validate(make_study, tmp_path, capsys):
    folder = with_raters(make_study, tmp_path, ana=ANA, cy=BAD)
    (folder / "ratings" / "notes.txt").write_text("x")
    rc, out, err = run(capsys, "validate", str(folder))
    assert rc == 2
    assert out.splitlines() == [
        "ratings/notes.txt: is not a rater file: ratings/ holds only rater files named RATER.csv "
        "(RATER is 1-40 letters, digits, _ or -)",
        *BAD_LINES,
        "3 problems found",
    ]


def test_bad_rater_files_in_agreement(make_study, tmp_path, capsys):
    folder = with_raters(make_study, tmp_path, ana=ANA, cy=BAD)
    rc, out, err = run(capsys, "agreement", str(folder))
    assert rc == 2 and out == ""
    assert err.splitlines() == BAD_LINES
    rc, out, err = run(capsys, "agreement", str(folder), "--pseudonymise")
    assert rc == 2 and out == "" and "S99" not in err
    assert (
        err.splitlines()[1]
        == "ratings/cy.csv:3: site: [site id withheld (pseudonymise)] is not a site in the sites file"
    )


def test_rater_files_are_not_read_when_the_sites_file_is_broken(make_study, tmp_path, capsys):
    folder = make_study(tmp_path, sites_csv="site,label\n", files={"ratings/ana.csv": ANA, "ratings/x.y.csv": ANA})
    rc, out, _ = run(capsys, "validate", str(folder))
    assert rc == 2
    assert not any(line.startswith("ratings/ana.csv") for line in out.splitlines())  # a consequence, not repeated
    assert any(line.startswith('ratings/x.y.csv: "x.y" is not a rater name') for line in out.splitlines())


@pytest.mark.parametrize("raters, count", [({}, 0), ({"ana": ANA}, 1)])
def test_fewer_than_two_raters_is_one_line(make_study, tmp_path, capsys, raters, count):
    folder = with_raters(make_study, tmp_path, **raters)
    for fmt in ("text", "json"):
        rc, out, err = run(capsys, "agreement", str(folder), "--format", fmt)
        assert (rc, out) == (2, "")
        assert err.splitlines() == [
            f"{folder}: agreement needs at least two rater files (ratings/RATER.csv); the study has {count}"
        ]


# --- pseudonyms and escaping --------------------------------------------------------------------


def test_pseudonymised_agreement_names_no_site(capsys):
    study = load_study(EXAMPLE)
    secrets = {s.id for s in study.sites} | {s.label for s in study.sites}
    memos = {r.evidence for rs in study.raters.values() for r in rs if r.evidence}
    for fmt in ("text", "json"):
        rc, out, err = run(capsys, "agreement", str(EXAMPLE), "--format", fmt, "--pseudonymise")
        assert rc == 0 and err == ""
        words = set(out.replace(":", " ").replace('"', " ").replace(",", " ").split())
        assert not words & secrets, words & secrets
        assert not any(memo in out for memo in memos)
        assert "Site A" in out
    data = json.loads(run(capsys, "agreement", str(EXAMPLE), "--format", "json", "--pseudonymise")[1])
    plain = json.loads(run(capsys, "agreement", str(EXAMPLE), "--format", "json")[1])
    assert data["overall"] == plain["overall"] and data["themes"] == plain["themes"]
    assert {d["site"] for d in data["disagreements"]} <= {f"Site {c}" for c in "ABCDEFG"}


def test_study_toml_asking_for_pseudonyms_is_honoured(make_study, tmp_path, capsys):
    folder = make_study(
        tmp_path,
        study_toml=lambda t: t.replace("\npseudonymise = false", "\npseudonymise = true", 1),
        files={"ratings/ana.csv": ANA, "ratings/ben.csv": BEN},
    )
    assert load_study(folder).disclosure.pseudonymise
    rc, out, _ = run(capsys, "agreement", str(folder))
    assert rc == 0
    assert "Site A" in out and " S1:" not in out and " S4:" not in out


def test_text_and_json_escape_text_from_data():
    from cases.model import Rating
    from metrics.agreement import agreement
    from tui.headless.agreement_cmd import render_json, render_text

    odd = "S\x1b[31m1\u202e"
    result = agreement(
        {"ana": [Rating(odd, "leadership-support", "+1")], "ben": [Rating(odd, "leadership-support", "0")]},
        ["leadership-support"],
        [odd],
    )
    text, js = render_text(result), render_json(result)
    assert "\x1b" not in text and "\u202e" not in text and "\\x1b" in text
    assert "\x1b" not in js and "\u202e" not in js and "\\u202e" in js.lower()
    assert json.loads(js)["disagreements"][0]["site"] == odd


def test_agreement_imports_no_ui_library():
    code = (
        "import contextlib, io, json, sys\nimport tui.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    assert tui.cli.main(['agreement', 'data/example', '--format', 'json']) == 0\n"
        "    assert tui.cli.main(['agreement', 'data/example']) == 0\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'plotext', 'rich'))))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1]) == []


def test_the_installed_command_runs(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "tui.cli", "agreement", str(EXAMPLE), "--format", "json"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert proc.returncode == 0 and proc.stderr == ""
    assert json.loads(proc.stdout)["raters"] == ["ana", "ben"]


# --- crosscase's own temporary files in ratings/ ------------------------------------------------


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_write_in_progress_is_not_a_rater_file(make_study, tmp_path, capsys):
    folder = with_raters(make_study, tmp_path, ana=ANA, ben=BEN)
    (folder / "ratings" / f".ana.csv.crosscase-{os.getpid()}-0123abcd.tmp").write_text("site,the")  # half-written
    study = load_study(folder)
    assert list(study.raters) == ["ana", "ben"] and study.notes == ()
    assert not any(".tmp" in n for n in study.files)
    assert run(capsys, "agreement", str(folder))[0] == 0


def test_a_killed_writes_temporary_file_is_a_note(make_study, tmp_path, capsys):
    folder = with_raters(make_study, tmp_path, ana=ANA, ben=BEN)
    pid = dead_pid()
    name = f".ana.csv.crosscase-{pid}-0123abcd.tmp"
    (folder / "ratings" / name).write_text("site,the")
    before = load_study(with_raters(make_study, tmp_path / "b", ana=ANA, ben=BEN)).fingerprint
    study = load_study(folder)
    assert study.fingerprint == before and not any(".tmp" in n for n in study.files)
    rc, out, _ = run(capsys, "validate", str(folder))
    assert rc == 0
    assert out.splitlines()[1:] == [
        f"note: ratings/{name}: a temporary file left by an interrupted crosscase write (process {pid} has ended); "
        "ratings/ana.csv was not changed by it and it is not read; the next write to ratings/ removes it (or delete it)"
    ]
    # the next atomic write into ratings/ removes it
    from cases.atomic import write_atomic

    old = time_back(folder / "ratings" / name)
    write_atomic(folder / "ratings" / "ana.csv", ANA, force=True)
    assert not (folder / "ratings" / name).exists() and old


def time_back(path: Path) -> bool:
    os.utime(path, (path.stat().st_atime - 10, path.stat().st_mtime - 10))
    return True


def test_another_programs_temporary_file_stays_an_error(make_study, tmp_path, capsys):
    folder = with_raters(make_study, tmp_path, ana=ANA, ben=BEN)
    (folder / "ratings" / ".ana.csv.k3j2h.tmp").write_text("x")
    rc, out, _ = run(capsys, "validate", str(folder))
    assert rc == 2 and out.splitlines()[0] == (
        "ratings/.ana.csv.k3j2h.tmp: is a temporary file left by an interrupted "
        "write of ratings/ana.csv; check that file, then delete this one"
    )


# --- the audit log's place and the study's own files --------------------------------------------


def test_audit_log_beside_ratings_is_not_a_rater_file_nor_fingerprinted(make_study, tmp_path, capsys):
    folder = with_raters(make_study, tmp_path, ana=ANA, ben=BEN)
    before = load_study(folder).fingerprint
    (folder / "audit.csv").write_text("time,who,file,site,theme,from,to,memo\n")
    assert load_study(folder).fingerprint == before
    for target in ("audit.csv", "ratings/notes.toml", "evidence.csv"):
        rc, out, err = run(capsys, "export", str(folder), "-o", str(folder / target), "--force")
        assert rc == 2 and "is one of the study's own files" in err, (target, err)


# --- snapshots: [study.files] keys with a slash -------------------------------------------------


def test_snapshot_files_with_a_slash_round_trip_through_open_and_diff(make_study, tmp_path, capsys):
    from cases.snapshot import read_snapshot
    from tui.core.snapshots import open_snapshot

    folder = with_raters(make_study, tmp_path, ana=ANA, ben=BEN)
    first, second = tmp_path / "first.toml", tmp_path / "second.toml"
    assert run(capsys, "export", str(folder), "-o", str(first))[0] == 0
    with open(first, "rb") as fh:
        raw = tomllib.load(fh)
    assert raw["study"]["files"]["ratings/ana.csv"] == sha(folder / "ratings/ana.csv")
    assert '"ratings/ana.csv" = "sha256:' in first.read_text()
    assert read_snapshot(first)["study"]["files"] == dict(load_study(folder).files)
    assert open_snapshot(first, folder).warnings == []  # nothing changed since

    (folder / "ratings/ana.csv").write_text(ANA.replace("S2,leadership-support,0", "S2,leadership-support,-1"))
    (folder / "ratings/cy.csv").write_text(ANA)
    assert open_snapshot(first, folder).warnings == ["ratings/ana.csv changed", "ratings/cy.csv added"]
    assert run(capsys, "export", str(folder), "-o", str(second))[0] == 0
    rc, out, _ = run(capsys, "diff", str(first), str(second), "--format", "json")
    assert rc == 0
    assert json.loads(out)["files"] == [
        {"file": "ratings/ana.csv", "change": "changed"},
        {"file": "ratings/cy.csv", "change": "added"},
    ]


def test_example_command_copies_the_rater_files(tmp_path, capsys):
    target = tmp_path / "mine"
    assert run(capsys, "example", str(target))[0] == 0
    assert sorted(p.name for p in (target / "ratings").iterdir()) == ["ana.csv", "ben.csv"]
    assert load_study(target).fingerprint == load_study(EXAMPLE).fingerprint
    assert run(capsys, "agreement", str(target))[1] == run(capsys, "agreement", str(EXAMPLE))[1]
    shutil.rmtree(target)
