"""Hostile snapshots (issues 10 and 11): each bad file is one clear line and exit 2, at once, with no
traceback, in every command that reads a snapshot (``diff``, ``open``, ``cases.snapshot.read_snapshot``).

The commands run in-process through ``tui.cli.main`` unless a hang is what is tested: those run
``python -m tui.cli`` in a subprocess with a timeout, so a regression fails instead of hanging.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cases.catalogue import example_dir
from cases.errors import StudyError
from cases.snapshot import read_snapshot
from tui.cli import main

REPO = Path(__file__).resolve().parents[1]
CROSSCASE = "import sys; from tui.cli import main; sys.exit(main())"   # as the installed script runs it


@pytest.fixture(autouse=True)
def _epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def run_process(*argv, timeout: float = 20, stdin=subprocess.DEVNULL) -> subprocess.CompletedProcess:
    """``crosscase ARGV`` in a fresh process without a terminal (stdin /dev/null, output to pipes)."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000", "PYTHONPATH": str(REPO)}
    env.pop("TERM", None)
    return subprocess.run([sys.executable, "-c", CROSSCASE, *map(str, argv)], stdin=stdin, capture_output=True,
                          text=True, timeout=timeout, cwd=REPO, env=env)


@pytest.fixture
def study(tmp_path) -> Path:
    target = tmp_path / "my-study"
    shutil.copytree(example_dir(), target)
    return target


@pytest.fixture
def good(capsys, study, tmp_path) -> Path:
    path = tmp_path / "good.toml"
    assert run(capsys, "export", study, "-o", path)[0] == 0
    return path


def refused(path: Path) -> list[str]:
    with pytest.raises(StudyError) as info:
        read_snapshot(path)
    return [str(p) for p in info.value.problems]


def refused_within(path: Path, seconds: float = 5) -> list[str]:
    """``refused(path)`` in a thread: a reader blocked on a FIFO fails the test instead of hanging it."""
    import threading

    found: list = []
    thread = threading.Thread(target=lambda: found.append(_problems_or_error(path)), daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))   # give the blocked reader its end of file
        thread.join(5)
        pytest.fail(f"reading {path} blocked for {seconds} s")
    (result,) = found
    return result


def _problems_or_error(path: Path):
    try:
        read_snapshot(path)
    except StudyError as exc:
        return [str(p) for p in exc.problems]
    return "accepted"


# --- 11.7: what is not a regular file is refused at once ------------------------------------------

def test_a_fifo_as_the_snapshot_is_refused_at_once(tmp_path, good):
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    assert refused_within(fifo) == [f"{fifo}: is not a regular file (a named pipe); give a snapshot file"]
    for argv in (("diff", fifo, good), ("diff", good, fifo)):
        done = run_process(*argv, timeout=20)
        assert done.returncode == 2, (argv, done.stderr)
        assert done.stdout == ""
        assert done.stderr == f"{fifo}: is not a regular file (a named pipe); give a snapshot file\n"


def test_a_link_to_a_device_is_refused(tmp_path):
    link = tmp_path / "zero.toml"
    link.symlink_to("/dev/zero")
    assert refused(link) == [f"{link}: is not a regular file (a device); give a snapshot file"]
