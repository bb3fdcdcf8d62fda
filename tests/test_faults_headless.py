"""Faults during a headless run: Ctrl-C, an interrupted export, a huge binary contact log, a closed pipe.

Each test runs the real command (``python -m tui.cli``) in a subprocess where the fault needs a
process (a signal, a pipe), and in-process where the fault is injected at one exact point (the
moment a snapshot is written). In every case: a clean message, the documented exit status, no
traceback, and nothing half-written.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui.cli import main

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "data" / "example"
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
CONTACT_ROWS = 2_500_000


def cli(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tui.cli", *args], env=ENV, cwd=REPO, **kwargs)


@pytest.fixture(scope="module")
def big_study(tmp_path_factory) -> Path:
    """The example with a contact log of 2.5 million rows (about 65 MB): a summary takes a second or two."""
    import polars as pl

    folder = tmp_path_factory.mktemp("big") / "study"
    shutil.copytree(EXAMPLE, folder)
    i = pl.int_range(0, CONTACT_ROWS, eager=True)
    pl.DataFrame(
        {
            "site": "S" + ((i % 7) + 1).cast(pl.String),
            "participant": "P" + (i // 70).cast(pl.String).str.zfill(7),
            "date": pl.Series(["2017-06-11"]).extend_constant("2017-06-11", CONTACT_ROWS - 1),
            "minutes": (i % 90).cast(pl.String),
        }
    ).write_csv(folder / "contacts.csv")
    return folder


def interrupt(proc: subprocess.Popen, after: float) -> tuple[int, str]:
    """Send SIGINT (Ctrl-C) ``after`` seconds in; (exit status, stderr)."""
    time.sleep(after)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err.decode("utf-8", "replace")


# --- Ctrl-C --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("after", [0.3, 0.8])
def test_ctrl_c_during_summary_exits_130_without_traceback(big_study: Path, tmp_path: Path, after: float):
    out_path = tmp_path / "summary.json"
    with open(out_path, "wb") as out:
        proc = cli("summary", str(big_study), "--format", "json", stdout=out, stderr=subprocess.PIPE)
        rc, err = interrupt(proc, after)
    assert "Traceback" not in err, err
    output = out_path.read_text(encoding="utf-8")
    if rc == 0:  # finished before the signal: the whole summary, nothing cut
        json.loads(output)
        return
    if rc == -signal.SIGINT and not err.strip():
        # the signal came after the command had returned, while Python shut down (it then ends
        # by the signal, saying nothing): the summary was already written, and whole
        json.loads(output)
        return
    # 130 from the command's own handler; a signal status when Python itself stopped on it later
    assert rc in (130, -signal.SIGINT), (rc, err)
    assert err.strip().splitlines()[-1] == "interrupted", err
    assert output == ""  # the summary is written whole or not at all


@pytest.mark.parametrize("after", [0.3, 0.8])
def test_ctrl_c_during_export_leaves_no_file(big_study: Path, tmp_path: Path, after: float):
    pytest.importorskip("tui.core.snapshots")
    target = tmp_path / "out"
    target.mkdir()
    proc = cli("export", str(big_study), "-o", str(target / "out.toml"), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    rc, err = interrupt(proc, after)
    assert "Traceback" not in err, err
    left = sorted(p.name for p in target.iterdir())
    if rc == 0:  # finished first: the snapshot and nothing else
        assert left == ["out.toml"]
        return
    assert rc in (130, -signal.SIGINT), (rc, err)
    # no temporary .out.toml.*.tmp; out.toml only when the signal came after the rename (the
    # export had finished and the process was exiting): then it is whole
    assert left in ([], ["out.toml"]), left
    if left:
        import tomllib

        assert tomllib.loads((target / "out.toml").read_text(encoding="utf-8"))["schema"] == "crosscase.snapshot/1"


@pytest.mark.parametrize("where", ["fsync", "link", "replace"])
def test_export_interrupted_while_writing_leaves_nothing_behind(where: str, tmp_path: Path, monkeypatch, capsys):
    """Ctrl-C at the moment the snapshot is written: before the rename, at it (new file or --force)."""
    pytest.importorskip("tui.core.snapshots")
    study = tmp_path / "study"
    shutil.copytree(EXAMPLE, study)
    out = tmp_path / "out"
    out.mkdir()
    force = where == "replace"
    if force:
        (out / "snap.toml").write_text("# the snapshot of last month\n", encoding="utf-8")

    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, where, stop)
    rc = main(["export", str(study), "-o", str(out / "snap.toml"), *(["--force"] if force else [])])
    monkeypatch.undo()
    cap = capsys.readouterr()
    assert rc == 130 and "Traceback" not in cap.out + cap.err
    assert cap.err.strip() == "interrupted"
    if force:  # the old snapshot is kept exactly
        assert sorted(p.name for p in out.iterdir()) == ["snap.toml"]
        assert (out / "snap.toml").read_text(encoding="utf-8") == "# the snapshot of last month\n"
    else:
        assert list(out.iterdir()) == []


# --- a 1 GB contact log of NUL bytes -------------------------------------------------------------------


@pytest.mark.parametrize("command", ["validate", "summary"])
def test_a_1gb_nul_contact_log_is_refused_quickly(command: str, tmp_path: Path):
    study = tmp_path / "study"
    shutil.copytree(EXAMPLE, study)
    with open(study / "contacts.csv", "wb") as f:
        f.truncate(1 << 30)  # sparse: no disk, and it must never be read whole
    start = time.monotonic()
    proc = cli(command, str(study), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate(timeout=60)
    elapsed = time.monotonic() - start
    text = (out + err).decode()
    assert proc.returncode == 2, text
    assert elapsed < 20, f"{elapsed:.1f}s"
    assert "Traceback" not in text and "MemoryError" not in text
    assert (
        "contacts.csv:1: holds a NUL character: is it a binary file?"
        in (out if command == "validate" else err).decode()
    )


# --- a closed pipe ---------------------------------------------------------------------------------


def _many_problems(root: Path) -> Path:
    study = root / "study"
    shutil.copytree(EXAMPLE, study)
    rows = ["site,theme,rating,evidence", *(f"S1,no-such-theme-{i},+1," for i in range(30_000))]
    (study / "ratings.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return study


def test_output_into_a_closed_pipe_has_no_traceback(tmp_path: Path):
    """`crosscase validate STUDY | head -1`: the reader goes away; no traceback, no 'Exception ignored'."""
    proc = cli("validate", str(_many_problems(tmp_path)), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert first.startswith(b"ratings.csv:2: theme:")
    assert "Traceback" not in err and "Exception ignored" not in err, err


def test_validate_into_a_closed_pipe_still_fails(tmp_path: Path):
    proc = cli("validate", str(_many_problems(tmp_path)), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()
    proc.stderr.read()
    assert proc.wait(timeout=60) == 2


# --- special files (a pipe, a device) never block a reader ----------------------------------------------


@pytest.mark.parametrize("name", ["study.toml", "sites.csv", "contacts.csv", "themes.toml", "ratings.csv"])
def test_open_with_a_pipe_in_the_study_folder_does_not_hang(name: str, tmp_path: Path):
    """`crosscase open` fingerprints the study before any screen: a FIFO among its files is skipped at once."""
    study = tmp_path / "study"
    shutil.copytree(EXAMPLE, study)
    assert main(["export", str(study), "-o", str(tmp_path / "snap.toml")]) == 0
    (study / name).unlink(missing_ok=True)
    os.mkfifo(study / name)
    code = (
        "import sys; from tui.core.snapshots import open_snapshot; "
        "print(open_snapshot(sys.argv[1]).warnings); from cases.loader import load_study\n"
        "try:\n load_study(sys.argv[2])\nexcept Exception as exc:\n print(exc)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "snap.toml"), str(study)],
        env=ENV,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"{name}: is not a regular file" in proc.stdout
    assert "Traceback" not in proc.stderr


# --- SIGTERM and SIGHUP during an export; what a killed export left (11.5) ------------------------------

SLOW_EXPORT = """
import os, sys, time
real_fsync = os.fsync
def slow_fsync(fd):
    print("writing", flush=True)     # the temporary file exists now
    time.sleep(30)
    real_fsync(fd)
os.fsync = slow_fsync
from tui.cli import main
sys.exit(main(["export", sys.argv[1], "-o", sys.argv[2]]))
"""


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGHUP"])
def test_sigterm_or_sighup_during_export_leaves_no_file(signame: str, tmp_path: Path):
    out = tmp_path / "out.toml"
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_EXPORT, str(EXAMPLE), str(out)],
        env=ENV,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "writing"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")], "the temporary file should exist by now"
    signum = getattr(signal, signame)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signum, err
    assert err.strip() == "terminated"
    assert list(tmp_path.iterdir()) == []  # neither out.toml nor its temporary file


def test_a_later_write_removes_only_crosscase_temporary_files_left_by_a_dead_process(tmp_path: Path):
    from cases.atomic import temp_name, write_atomic

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    ).stdout
    dead_pid = int(dead)
    old = time.time() - 3600
    stale = tmp_path / temp_name("out.toml", dead_pid, "0123abcd")
    alive = tmp_path / temp_name("other.toml", os.getppid(), "89abcdef")  # a write still going on
    kept = [
        tmp_path / ".notes.tmp",
        tmp_path / ".out.toml.0123abcd.tmp",
        tmp_path / "data.crosscase-1-0123abcd.tmp",
        alive,
    ]
    for p in (stale, *kept):
        p.write_text("x")
        os.utime(p, (old, old))
    os.mkdir(tmp_path / temp_name("dir", dead_pid, "00000000"))  # not a regular file: left be
    write_atomic(tmp_path / "new.toml", "a = 1\n")
    assert not stale.exists()
    assert all(p.exists() for p in kept)
    assert (tmp_path / temp_name("dir", dead_pid, "00000000")).is_dir()
    assert (tmp_path / "new.toml").read_text() == "a = 1\n"
