"""The dashboard as a process in a terminal (a pseudo-terminal made by the test): q while a large
study loads, the terminal going away, and no terminal at all."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import struct
import subprocess
import sys
import termios
import time

import pytest
from tui_helpers import EXAMPLE, REPO

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX pseudo-terminals")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TEXTUAL_DRIVER", "TEXTUAL", "NO_COLOR")}
    env.update(TERM="xterm-256color", TEXTUAL_ANIMATIONS="none", PYTHONPATH=str(REPO), **extra)
    return env


class Terminal:
    """``crosscase ARGS`` with a pseudo-terminal of 80x24 as its stdin, stdout and stderr."""

    def __init__(self, *args: str, cwd=None) -> None:
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tui.cli", *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            cwd=cwd or REPO,
            env=_env(),
            start_new_session=True,
        )
        os.close(slave)
        self.output = b""

    def read(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0 and self.master is not None:
            ready, _, _ = select.select([self.master], [], [], min(left, 0.1))
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    return
                if not chunk:
                    return
                self.output += chunk

    def wait_for(self, text: bytes, seconds: float = 30) -> None:
        end = time.monotonic() + seconds
        while text not in self.output:
            assert time.monotonic() < end, f"{text!r} never shown; the screen so far: {self.output[-2000:]!r}"
            assert self.proc.poll() is None, f"ended with {self.proc.returncode}: {self.output[-2000:]!r}"
            self.read(0.1)

    def ended_within(self, seconds: float) -> float | None:
        """Seconds until the process ended (reading what it writes meanwhile), or None."""
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            if self.proc.poll() is not None:
                return time.monotonic() - start
            if self.master is not None:
                self.read(0.05)
            else:
                time.sleep(0.05)
        return None

    def hang_up(self) -> None:
        os.close(self.master)
        self.master = None

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        if self.master is not None:
            os.close(self.master)
            self.master = None


@pytest.fixture
def terminal():
    made: list[Terminal] = []

    def start(*args: str, **kw) -> Terminal:
        made.append(Terminal(*args, **kw))
        return made[-1]

    yield start
    for t in made:
        t.close()


def million_sites(folder) -> None:
    """A legal study of 1,000,000 sites (14 MB): reading and comparing it takes well over 20 s."""
    folder.mkdir()
    (folder / "study.toml").write_text(
        '[study]\ntitle = "a million sites"\n[outcome]\nmetric = "score"\n'
        'split = "median"\n[metrics.score]\nlabel = "Score"\n',
        encoding="utf-8",
    )
    with open(folder / "sites.csv", "w", encoding="utf-8") as f:
        f.write("site,score\n")
        f.writelines(f"S{i},{(i * 7919) % 1000 / 1000:.3f}\n" for i in range(1_000_000))


def test_q_while_a_large_study_loads_quits_within_a_second(terminal, tmp_path):
    study = tmp_path / "big"
    million_sites(study)
    t = terminal(str(study))
    t.wait_for(b"Loading the study")
    t.read(2.0)  # well into reading the sites
    assert t.proc.poll() is None and b"Compare" not in t.output
    os.write(t.master, b"q")
    took = t.ended_within(10)
    assert took is not None, "still running 10 s after q"
    print(f"q while loading 1,000,000 sites: ended {took:.2f} s after the key")
    assert t.proc.returncode == 0 and b"Traceback" not in t.output
    assert took < 1.0, f"q took {took:.2f} s to end the dashboard while loading"


def test_the_dashboard_ends_when_its_terminal_goes_away(terminal):
    t = terminal(str(EXAMPLE))
    t.wait_for(b"High (3)")
    t.hang_up()  # the terminal window or the SSH session closes
    took = t.ended_within(10)
    assert took is not None, "still running 10 s after its terminal went away"
    print(f"ended {took:.2f} s after its terminal went away")
    assert t.proc.returncode == 0


def _headless(args, tmp_path, stdin=subprocess.DEVNULL, **env):
    out = tmp_path / "out.txt"
    with open(out, "wb") as stdout:
        start = time.monotonic()
        done = subprocess.run(
            [sys.executable, "-m", "tui.cli", *args],
            stdin=stdin,
            stdout=stdout,
            stderr=subprocess.PIPE,
            cwd=REPO,
            env=_env(**env),
            timeout=20,
        )
    return done, time.monotonic() - start, out.read_bytes()


def test_no_terminal_refuses_at_once_and_points_to_summary(tmp_path):
    done, took, out = _headless([str(EXAMPLE)], tmp_path)  # crosscase STUDY </dev/null >out.txt
    lines = done.stderr.decode().splitlines()
    assert done.returncode == 2 and out == b"", (done.returncode, lines, out[:200])
    assert len(lines) == 1 and "needs a terminal" in lines[0] and "crosscase summary" in lines[0], lines
    assert "stdin, stdout and stderr are not terminals" in lines[0]
    assert took < 15, f"refusing took {took:.1f} s"


def test_stdout_to_a_file_from_a_terminal_is_refused_too(tmp_path):
    master, slave = pty.openpty()
    try:
        done, _, out = _headless(["data/example"], tmp_path, stdin=slave)
    finally:
        os.close(slave)
        os.close(master)
    lines = done.stderr.decode().splitlines()
    assert done.returncode == 2 and out == b"" and len(lines) == 1, lines
    assert "stdout and stderr are not terminals" in lines[0] and "crosscase summary data/example" in lines[0]


def test_open_without_a_terminal_ends_with_one_line(tmp_path, monkeypatch):
    from tui.cli import main

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    snapshot = tmp_path / "snap.toml"
    assert main(["export", "-o", str(snapshot)]) == 0
    bad = tmp_path / "bad.toml"
    bad.write_text("this is [not a snapshot\n", encoding="utf-8")
    for target in (snapshot, bad):
        done, took, out = _headless(["open", str(target)], tmp_path)
        lines = done.stderr.decode().splitlines()
        assert done.returncode == 2 and out == b"" and len(lines) == 1, (target.name, lines)
        assert "Traceback" not in lines[0] and took < 15
    assert "crosscase summary" in done.stderr.decode() or "bad.toml" in done.stderr.decode()


def test_under_serve_the_web_driver_is_not_refused_and_ends_with_its_input(tmp_path):
    """textual-serve runs the app with pipes (not terminals) and TEXTUAL_DRIVER = the web driver."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui.cli", str(EXAMPLE)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
        env=_env(TEXTUAL_DRIVER="textual.drivers.web_driver:WebDriver", COLUMNS="80", ROWS="24"),
    )
    try:
        seen = b""
        end = time.monotonic() + 30
        while b"High" not in seen and time.monotonic() < end and proc.poll() is None:
            ready, _, _ = select.select([proc.stdout], [], [], 0.2)
            if ready:
                seen += os.read(proc.stdout.fileno(), 65536)
        assert proc.poll() is None, proc.stderr.read().decode()
        assert b"High" in seen, "the dashboard was not drawn for the browser"
        proc.stdin.close()  # the server went away without saying "quit"
        end = time.monotonic() + 10
        while proc.poll() is None and time.monotonic() < end:
            if select.select([proc.stdout], [], [], 0.1)[0]:
                os.read(proc.stdout.fileno(), 65536)
        assert proc.poll() == 0, "still running 10 s after its input ended"
    finally:
        proc.kill()
        proc.wait(5)
