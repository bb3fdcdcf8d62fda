"""Writing ratings (cases.rating_write): one cell set at a time, every other byte kept, atomic, undoable,
audited in audit.csv; never over someone's edit; a clear line and nothing lost on a failed write."""

from __future__ import annotations

import dataclasses
import errno
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from cases.atomic import SnapshotWriteError
from cases.errors import Collector
from cases.loader import load_study
from cases.raters import AUDIT, read_raters
from cases.rating_write import (
    AUDIT_COLUMNS,
    ChangedOnDisk,
    RatingFile,
    RatingWriteError,
    check_rater,
    read_audit,
    split_records,
)
from tests.conftest import EXAMPLE

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def study(tmp_path):
    folder = tmp_path / "study"
    shutil.copytree(EXAMPLE, folder)
    return folder


def test_setting_a_cell_rewrites_only_its_row(study):
    path = study / "ratings" / "ana.csv"
    before = path.read_bytes()
    rows = before.split(b"\n")
    target = next(i for i, r in enumerate(rows) if r.startswith(b"S2,peer-role-clarity,"))
    f = RatingFile.for_rater(study, "ana")
    change = f.set("S2", "peer-role-clarity", "-2", memo='said "never", twice, at the review')
    after = path.read_bytes().split(b"\n")
    assert len(after) == len(rows)
    assert [r for i, r in enumerate(after) if i != target] == [r for i, r in enumerate(rows) if i != target]
    assert after[target] == b'S2,peer-role-clarity,-2,"said ""never"", twice, at the review"'
    assert change is not None and change.to_token == "-2" and (change.to_memo or "").startswith('said "never"')
    assert f.get("S2", "peer-role-clarity") == ("-2", 'said "never", twice, at the review')
    # the loader reads it back, and the study still validates
    assert (
        next(r for r in load_study(study).raters["ana"] if (r.site, r.theme) == ("S2", "peer-role-clarity")).token
        == "-2"
    )


def test_a_new_cell_is_appended_and_crlf_bom_quoting_kept(tmp_path):
    folder = tmp_path / "s"
    (folder / "ratings").mkdir(parents=True)
    original = '\ufeffsite,theme,rating,evidence\r\n"S1",leadership-support,1,"two\r\nlines"\r\nS2,peer-role-clarity,0,'
    (folder / "ratings" / "ana.csv").write_bytes(original.encode())
    f = RatingFile.for_rater(folder, "ana")
    f.set("S3", "leadership-support", "+1")
    data = (folder / "ratings" / "ana.csv").read_bytes()
    # every old byte kept (the last row gets the line break it lacked), the new row in the file's style
    assert data == (original + "\r\nS3,leadership-support,+1,\r\n").encode()
    f.set("S1", "leadership-support", "X")
    data = (folder / "ratings" / "ana.csv").read_bytes().decode()
    assert data.startswith('\ufeffsite,theme,rating,evidence\r\nS1,leadership-support,X,"two\r\nlines"\r\nS2,')


def test_split_records_is_lossless():
    text = 'a,b\r\n"x\ny",2\n"q""",3\rlast'
    assert "".join(split_records(text)) == text
    assert split_records(text) == ["a,b\r\n", '"x\ny",2\n', '"q""",3\r', "last"]


def test_memo_only_keeps_the_rating_cell_as_written(tmp_path):
    folder = tmp_path / "s"
    (folder / "ratings").mkdir(parents=True)
    (folder / "ratings" / "ana.csv").write_text("site,theme,rating,evidence\nS1,leadership-support, 2 ,old\n")
    f = RatingFile.for_rater(folder, "ana")
    f.set("S1", "leadership-support", None, memo="new memo")
    assert (folder / "ratings" / "ana.csv").read_text().splitlines()[1] == "S1,leadership-support, 2 ,new memo"
    assert f.set("S1", "leadership-support", "+2") is None  # the same token: nothing written, nothing audited
    assert [r["action"] for r in read_audit(folder)] == ["memo"]


def test_a_new_rater_file_is_created_and_undo_removes_it(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    f = RatingFile.for_rater(folder, "cleo")
    f.set("S1", "leadership-support", "+1", memo="first")
    assert (folder / "ratings" / "cleo.csv").read_text() == (
        "site,theme,rating,evidence\nS1,leadership-support,+1,first\n"
    )
    undone = f.undo()
    assert undone is not None and undone.action == "undo"
    assert not (folder / "ratings" / "cleo.csv").exists()
    assert f.undo() is None


def test_undo_restores_the_exact_bytes_and_is_audited(study):
    path = study / "ratings" / "ben.csv"
    original = path.read_bytes()
    f = RatingFile.for_rater(study, "ben")
    old = f.get("S1", "leadership-support")
    assert old is not None
    f.set("S1", "leadership-support", "-2", memo="changed my mind")
    f.set("S9x", "leadership-support", "0")  # (an unknown site is the loader's business, not the writer's)
    assert f.undo() is not None
    assert f.undo() is not None
    assert path.read_bytes() == original
    rows = read_audit(study)
    assert tuple(rows[0]) == AUDIT_COLUMNS
    assert [(r["who"], r["file"], r["action"], r["site"], r["from"], r["to"]) for r in rows] == [
        ("ben", "ratings/ben.csv", "rate", "S1", old[0], "-2"),
        ("ben", "ratings/ben.csv", "rate", "S9x", "", "0"),
        ("ben", "ratings/ben.csv", "undo", "S9x", "0", ""),
        ("ben", "ratings/ben.csv", "undo", "S1", "-2", old[0]),
    ]
    assert rows[0]["memo"] == "changed my mind" and rows[0]["when"].endswith("Z") and "T" in rows[0]["when"]
    assert (study / AUDIT).exists() and not (study / "ratings" / AUDIT).exists()


def test_consensus_writes_ratings_csv_with_its_reason(study):
    f = RatingFile.consensus(study, "team")
    before = (study / "ratings.csv").read_bytes().split(b"\n")
    f.set("S1", "leadership-support", "+2", reason="both agreed after reading the minutes")
    after = (study / "ratings.csv").read_bytes().split(b"\n")
    assert sum(a != b for a, b in zip(before, after, strict=True)) == 1
    row = read_audit(study)[-1]
    assert (row["file"], row["action"], row["to"], row["reason"]) == (
        "ratings.csv",
        "consensus",
        "+2",
        "both agreed after reading the minutes",
    )
    assert load_study(study).ratings_by_theme["leadership-support"]["S1"].token == "+2"


def test_consensus_refuses_a_wide_ratings_file(tmp_path):
    (tmp_path / "ratings-wide.csv").write_text("theme,S1\nleadership-support,+1\n")
    with pytest.raises(RatingWriteError, match=r"ratings-wide\.csv"):
        RatingFile.consensus(tmp_path, "team")


def test_a_file_changed_on_disk_is_never_overwritten(study):
    path = study / "ratings" / "ana.csv"
    f = RatingFile.for_rater(study, "ana")
    edited = path.read_bytes() + b"S1,leadership-support-x,0,\n"
    path.write_bytes(edited)  # someone else's edit
    with pytest.raises(ChangedOnDisk, match=r"ratings/ana.csv changed on disk .* nothing was written"):
        f.set("S1", "leadership-support", "-1")
    assert path.read_bytes() == edited and read_audit(study) == []
    f.reload()
    f.set("S1", "leadership-support", "-1")
    assert path.read_bytes().endswith(b"S1,leadership-support-x,0,\n")


def test_undo_after_someone_elses_edit_is_refused(study):
    path = study / "ratings" / "ana.csv"
    f = RatingFile.for_rater(study, "ana")
    f.set("S1", "leadership-support", "-1")
    path.write_bytes(path.read_bytes().replace(b"-1", b"0", 1))
    edited = path.read_bytes()
    with pytest.raises(ChangedOnDisk):
        f.undo()
    assert path.read_bytes() == edited


def test_a_deleted_file_is_a_change_on_disk(study):
    f = RatingFile.for_rater(study, "ana")
    (study / "ratings" / "ana.csv").unlink()
    with pytest.raises(ChangedOnDisk):
        f.set("S1", "leadership-support", "-1")
    assert not (study / "ratings" / "ana.csv").exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "Ana",
            'the rater "Ana" differs from "ana" (ratings/ana.csv) only in case: one rater, one file (use --rater ana',
        ),
        ("ana.csv", '"ana.csv" is not a rater name'),
        ("", '"" is not a rater name'),
        ("a" * 41, "is not a rater name"),
    ],
)
def test_rater_names(study, name, message):
    with pytest.raises(RatingWriteError) as caught:
        check_rater(study, name)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def _fail_with(code):
    def write(path, data, force=False):
        raise SnapshotWriteError(
            code, f"cannot write {path}: {os.strerror(code)}; the existing file was left unchanged"
        )

    return write


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES, errno.EROFS])
def test_a_failed_write_changes_nothing(study, code):
    path = study / "ratings" / "ana.csv"
    original = path.read_bytes()
    f = RatingFile.for_rater(study, "ana")
    f.write = _fail_with(code)
    with pytest.raises(RatingWriteError) as caught:
        f.set("S1", "leadership-support", "-2")
    assert "left unchanged" in str(caught.value) and "\n" not in str(caught.value)
    assert path.read_bytes() == original and read_audit(study) == [] and f.history == []


def test_a_full_disk_through_the_real_write(study, monkeypatch):
    """ENOSPC from the operating system while the temporary file is written: the message says the disk
    is full, the file and the folder are as before (no temporary file left)."""
    path = study / "ratings" / "ana.csv"
    original = path.read_bytes()
    f = RatingFile.for_rater(study, "ana")
    real = os.fdopen

    class Full:
        def __init__(self, fd, mode):
            self.fh = real(fd, mode)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fdopen", Full)
    with pytest.raises(RatingWriteError, match="the disk is full"):
        f.set("S1", "leadership-support", "-2")
    monkeypatch.undo()
    assert path.read_bytes() == original and sorted(os.listdir(path.parent)) == ["ana.csv", "ben.csv"]


def test_a_read_only_ratings_folder(study, monkeypatch):
    """(root ignores file modes, so the refusal of the folder is simulated where the temporary file is made)"""
    path = study / "ratings" / "ana.csv"
    original = path.read_bytes()
    f = RatingFile.for_rater(study, "ana")
    real = os.open

    def refuse(p, flags, *a, **k):
        if ".crosscase-" in str(p):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(p, flags, *a, **k)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(RatingWriteError, match=r"permission denied .* the existing file was left unchanged"):
        f.set("S1", "leadership-support", "-2")
    monkeypatch.undo()
    assert path.read_bytes() == original and read_audit(study) == []


def test_an_audit_log_that_cannot_be_appended_puts_the_rating_back(study, monkeypatch):
    path = study / "ratings" / "ana.csv"
    original = path.read_bytes()
    f = RatingFile.for_rater(study, "ana")
    real = os.write

    def full(fd, data):
        if data.startswith(b"when,") or b",ratings/ana.csv," in data:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, data)

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(
        RatingWriteError, match=r"cannot append to audit.csv: the disk is full .*; ratings/ana.csv was not changed"
    ):
        f.set("S1", "leadership-support", "-2")
    monkeypatch.undo()
    assert path.read_bytes() == original and f.history == []


def test_a_bad_token_is_refused(study):
    f = RatingFile.for_rater(study, "ana")
    with pytest.raises(RatingWriteError, match='"7" is not a rating token'):
        f.set("S1", "leadership-support", "7")


def test_a_memo_without_an_evidence_column_is_refused(tmp_path):
    (tmp_path / "ratings").mkdir()
    (tmp_path / "ratings" / "ana.csv").write_text("site,theme,rating\nS1,leadership-support,+1\n")
    f = RatingFile.for_rater(tmp_path, "ana")
    with pytest.raises(RatingWriteError, match=r'ratings/ana\.csv: has no column "evidence"'):
        f.set("S1", "leadership-support", "0", memo="why")
    f.set("S1", "leadership-support", "0")
    assert (tmp_path / "ratings" / "ana.csv").read_text() == "site,theme,rating\nS1,leadership-support,0\n"


def test_an_audit_log_without_a_final_line_break(study):
    (study / AUDIT).write_text(",".join(AUDIT_COLUMNS) + "\n2026-01-01T00:00:00Z,x,ratings.csv,rate,S1,t,,0,,")
    RatingFile.for_rater(study, "ana").set("S1", "leadership-support", "-2")
    rows = read_audit(study)
    assert [r["who"] for r in rows] == ["x", "ana"]


WRITER = textwrap.dedent(
    """
    import sys
    from cases.rating_write import RatingFile
    f = RatingFile.for_rater(sys.argv[1], "ana")
    tokens = ["-2", "+2"]
    i = 0
    print("ready", flush=True)
    while True:
        f.set("S1", "leadership-support", tokens[i % 2], memo="m" * (i % 7) * 5000)
        i += 1
    """
)


def test_a_killed_write_leaves_the_old_or_the_new_file(study):
    """A process rating in a loop, killed with SIGKILL at random moments: the rater file is always one
    whole version (the loader reads it without a problem), and a later write removes the leftover."""
    path = study / "ratings" / "ana.csv"
    sites = {s.id: s.label for s in load_study(EXAMPLE).sites}
    themes = load_study(EXAMPLE).themes
    original = path.read_bytes().split(b"\n")
    target = next(i for i, r in enumerate(original) if r.startswith(b"S1,leadership-support,"))
    versions = set()
    for delay in (0.05, 0.13, 0.21, 0.34, 0.5):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(study)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        out = Collector()
        raters = read_raters(study, sites, themes, out)
        assert out.problems == [] and "ana" in raters.ratings
        token = next(r.token for r in raters.ratings["ana"] if (r.site, r.theme) == ("S1", "leadership-support"))
        assert token in ("-2", "+2")
        data = path.read_bytes()
        versions.add(data)
        lines = data.split(b"\n")  # one whole version: every other row as it was, the row a whole one
        assert lines[:target] + lines[target + 1 :] == original[:target] + original[target + 1 :]
        assert re.fullmatch(rb"S1,leadership-support,[-+]2,(m{5000})*", lines[target])
    assert len(versions) >= 2
    RatingFile.for_rater(study, "ana").set("S2", "leadership-support", "0")
    assert not [n for n in os.listdir(study / "ratings") if n.endswith(".tmp")]


def test_rater_with_pseudonyms_is_one_line(capsys, study):
    from tests.cli_helpers import run_cli

    rc, out, err = run_cli(capsys, study, "--rater", "ana", "--pseudonymise")
    assert (rc, out) == (2, "")
    assert err == "--rater writes ratings/NAME.csv under the real site ids: leave out --pseudonymise\n"


def test_rating_mode_refuses_a_study_shown_under_pseudonyms(study):
    """[disclosure] pseudonymise in study.toml: rating mode would write pseudonyms as site ids."""
    from metrics.results import Options
    from tui.core.errors import UsageError
    from tui.dashboard.rating import RatingController

    loaded = load_study(study)
    options = Options(disclosure=dataclasses.replace(loaded.disclosure, pseudonymise=True))
    with pytest.raises(UsageError, match="shown under pseudonyms"):
        RatingController("ana").open(loaded, options)
    assert read_audit(study) == [] and not (study / AUDIT).exists()


def test_a_consensus_confirming_the_current_token_is_audited_not_written(study):
    f = RatingFile.consensus(study, "team")
    now = f.get("S1", "leadership-support")
    assert now is not None
    before = (study / "ratings.csv").read_bytes()
    change = f.set("S1", "leadership-support", now[0], reason="both agreed the consensus stands")
    assert change is not None and (study / "ratings.csv").read_bytes() == before and f.history == []
    row = read_audit(study)[-1]
    assert (row["action"], row["from"], row["to"], row["reason"]) == (
        "consensus",
        now[0],
        now[0],
        "both agreed the consensus stands",
    )
    assert f.set("S1", "leadership-support", now[0]) is None  # without a reason: nothing to record
    assert len(read_audit(study)) == 1


def test_the_command_line_passes_the_rater_to_the_dashboard(monkeypatch, study):
    from tui import cli

    seen: list[tuple[object, dict]] = []

    def dashboard(study, **k) -> int:
        seen.append((study, k))
        return 0

    monkeypatch.setattr(cli, "cmd_dashboard", dashboard)
    assert cli.main([str(study), "--rater", "ana"]) == 0
    assert seen == [(str(study), {"disclosure": None, "rater": "ana"})]
