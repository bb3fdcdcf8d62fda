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
        self.proc = subprocess.Popen([sys.executable, "-m", "tui.cli", *args], stdin=slave, stdout=slave,
                                     stderr=slave, cwd=cwd or REPO, env=_env(), start_new_session=True)
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
    (folder / "study.toml").write_text('[study]\ntitle = "a million sites"\n[outcome]\nmetric = "score"\n'
                                       'split = "median"\n[metrics.score]\nlabel = "Score"\n', encoding="utf-8")
    with open(folder / "sites.csv", "w", encoding="utf-8") as f:
        f.write("site,score\n")
        f.writelines(f"S{i},{(i * 7919) % 1000 / 1000:.3f}\n" for i in range(1_000_000))


def test_q_while_a_large_study_loads_quits_within_a_second(terminal, tmp_path):
    study = tmp_path / "big"
    million_sites(study)
    t = terminal(str(study))
    t.wait_for(b"Loading the study")
    t.read(2.0)                           # well into reading the sites
    assert t.proc.poll() is None and b"Compare" not in t.output
    os.write(t.master, b"q")
    took = t.ended_within(10)
    assert took is not None, "still running 10 s after q"
    print(f"q while loading 1,000,000 sites: ended {took:.2f} s after the key")
    assert t.proc.returncode == 0 and b"Traceback" not in t.output
    assert took < 1.0, f"q took {took:.2f} s to end the dashboard while loading"
