"""Helpers of the end-to-end tests: the real command, a private tmux server, polling, SGR parsing.

The recipe is the one in the project's terminal notes: a private tmux socket (``-L``) per test,
poll ``capture-pane`` until the screen shows what is awaited (never sleep blindly), and kill the
server at the end, whatever happened.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "data" / "example"

START_TIMEOUT = 45.0  # the first paint (imports, loading, the quick comparison)
STEP_TIMEOUT = 20.0  # every later step


def crosscase_command() -> list[str]:
    """The ``crosscase`` console script next to this Python, else ``python -m tui.cli``."""
    script = Path(sys.executable).parent / "crosscase"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "tui.cli"]


def app_shell_command(*args: str, extra_env: dict[str, str] | None = None) -> str:
    """A shell line that runs the dashboard, prints its exit status, then lingers for the test."""
    env = {"TEXTUAL_ANIMATIONS": "none", "PYTHONPATH": str(REPO), **(extra_env or {})}
    assignments = [f"{k}={v}" for k, v in env.items()]
    line = shlex.join(["env", "-u", "COLUMNS", "-u", "LINES", *assignments, *crosscase_command(), *args])
    return f"{line}; echo EXIT:$?; sleep 30"


def terminal_env() -> dict[str, str]:
    """This process's environment without what would override the pane's size or nest tmux.

    (Started from pytest, the pane's command was seen with COLUMNS=80 and LINES=24 in its
    environment; Textual, through shutil.get_terminal_size, believes them rather than the pane.
    The app's command line unsets them as well.)
    """
    return {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "TMUX", "TMUX_PANE")}


class Timeout(AssertionError):
    pass


class Tmux:
    """One private tmux server with one session, ``app``; use as a context manager."""

    def __init__(self, width: int = 100, height: int = 30) -> None:
        self.socket = f"crosscase-e2e-{os.getpid()}-{uuid.uuid4().hex[:10]}"
        self.width, self.height = width, height
        self.started = False
        self.socket_path: Path | None = None

    # -- process control -------------------------------------------------------------------------
    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args],
            check=check,
            capture_output=True,
            text=True,
            timeout=20,
            env=terminal_env(),
        )

    def start(self, shell_command: str, cwd: Path | None = None) -> None:
        args = ["new-session", "-d", "-s", "app", "-x", str(self.width), "-y", str(self.height)]
        if cwd is not None:
            args += ["-c", str(cwd)]
        self.started = True
        self.tmux(*args, shell_command)
        path = self.tmux("display-message", "-p", "#{socket_path}", check=False).stdout.strip()
        self.socket_path = Path(path) if path else None

    def kill(self) -> None:
        """Kill the server, and remove its socket file (kill-server leaves it behind)."""
        if self.started:
            self.tmux("kill-server", check=False)
            self.started = False
            if self.socket_path is not None and self.socket_path.name == self.socket:
                self.socket_path.unlink(missing_ok=True)

    def __enter__(self) -> Tmux:
        return self

    def __exit__(self, *exc) -> None:
        self.kill()

    # -- input -----------------------------------------------------------------------------------
    def keys(self, *keys: str) -> None:
        """tmux key names: ``Enter``, ``Escape``, ``Down``, ``Tab``, ``C-u``, single characters."""
        self.tmux("send-keys", "-t", "app", *keys)

    def text(self, text: str) -> None:
        """Literal text (or raw bytes such as a mouse report), as if typed or sent by the terminal."""
        self.tmux("send-keys", "-t", "app", "-l", text)

    def click(self, x: int, y: int) -> None:
        """A left click at zero-based cell (x, y), as an SGR (1006) mouse report."""
        self.text(f"\x1b[<0;{x + 1};{y + 1}M\x1b[<0;{x + 1};{y + 1}m")

    # -- output ----------------------------------------------------------------------------------
    def screen(self, escapes: bool = False) -> str:
        args = ["capture-pane", "-t", "app", "-p"] + (["-e"] if escapes else [])
        return self.tmux(*args).stdout

    def wait_for(
        self,
        what: str | Callable[[str], bool],
        timeout: float = STEP_TIMEOUT,
        escapes: bool = False,
        describe: str | None = None,
    ) -> str:
        """Poll the screen until it holds ``what`` (or ``what(screen)`` is true); the screen."""
        test = (lambda s: what in s) if isinstance(what, str) else what
        deadline = time.monotonic() + timeout
        delay = 0.05
        screen = ""
        while True:
            screen = self.screen(escapes)
            if test(screen):
                return screen
            if time.monotonic() > deadline:
                plain = self.screen() if escapes else screen
                raise Timeout(f"waited {timeout:.0f} s for {describe or what!r}; the screen:\n{plain}")
            time.sleep(delay)
            delay = min(delay * 1.5, 0.25)

    def wait_for_exit(self, timeout: float = STEP_TIMEOUT) -> int:
        """Poll for the ``EXIT:N`` line the shell prints after the command; N."""
        screen = self.wait_for(lambda s: re.search(r"EXIT:\d+", s) is not None, timeout, describe="EXIT:<status>")
        return int(re.search(r"EXIT:(\d+)", screen).group(1))


def have(*tools: str) -> bool:
    return all(shutil.which(t) for t in tools)


def status_counts(screen: str) -> tuple[int, int, int] | None:
    """(high, low, middle) from the status line ("… │ H 3 · L 3 · M 1")."""
    m = re.search(r"│ H (\d+) · L (\d+) · M (\d+)", screen)
    return tuple(int(g) for g in m.groups()) if m else None


def site_rows(screen: str) -> list[tuple[str, str, str]]:
    """(group, site id, label) of the rows the Sites table shows."""
    rows = []
    for line in screen.splitlines():
        m = re.match(r"^\s*([HLM])\s{2,}(\S+)\s{2,}(.+?)\s{2,}", line)
        if m:
            rows.append(m.groups())
    return rows


# -- SGR --------------------------------------------------------------------------------------------
_TOKEN = re.compile(r"\x1b\[([0-9;:]*)m|\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]|(.)", re.S)


def styled_chars(line: str) -> list[tuple[str, str | None]]:
    """Each visible character of one ``capture-pane -e`` line with its foreground (None = default).

    A foreground is written as the SGR parameters that set it ("31", "38;5;74", "38;2;1;2;3").
    """
    out: list[tuple[str, str | None]] = []
    fg: str | None = None
    for m in _TOKEN.finditer(line):
        if m.group(2) is not None:
            out.append((m.group(2), fg))
            continue
        if m.group(1) is None:
            continue
        params = list(re.split(r"[;:]", m.group(1))) or ["0"]
        i = 0
        while i < len(params):
            p = int(params[i] or 0)
            if p == 0 or p == 39:
                fg = None
            elif 30 <= p <= 37 or 90 <= p <= 97:
                fg = str(p)
            elif p in (38, 48):
                kind = params[i + 1] if i + 1 < len(params) else ""
                span = 3 if kind == "5" else 5 if kind == "2" else 2
                if p == 38:
                    fg = ";".join(params[i : i + span])
                i += span - 1
            i += 1
    return out


def sgr_params(screen: str) -> list[list[str]]:
    """Every SGR sequence in a ``capture-pane -e`` screen, as its list of parameters."""
    return [re.split(r"[;:]", m) for m in re.findall(r"\x1b\[([0-9;:]*)m", screen)]


def foreground_of(screen: str, needle: str) -> list[str | None]:
    """The foreground of each character of the first occurrence of ``needle`` on the screen."""
    for line in screen.splitlines():
        chars = styled_chars(line)
        text = "".join(c for c, _ in chars)
        at = text.find(needle)
        if at >= 0:
            return [fg for _, fg in chars[at : at + len(needle)]]
    raise AssertionError(f"{needle!r} is not on the screen")


def field_below(screen: str, label: str) -> str | None:
    """The text of a dialog's one-line field: the line below the line that ends with ``label``."""
    lines = screen.splitlines()
    for i, line in enumerate(lines[:-1]):
        if re.search(rf"█ {re.escape(label)}\s*█", line):
            m = re.search(r"█ (.*?)\s*█", lines[i + 1])
            return m.group(1).strip() if m else None
    return None


def type_into_field(tmux: Tmux, label: str, text: str, placeholder: str = "") -> None:
    """Clear the focused one-line field under ``label``, type ``text`` and see it there.

    Each step waits for its effect: Textual handles a bound key such as ctrl+u only after it has
    bubbled up to the app, so characters typed at once behind it can be handled first and then
    erased by it. An empty field (or one showing its placeholder) is not cleared.
    """
    if field_below(tmux.screen(), label) not in ("", placeholder):
        tmux.keys("End", "C-u")
        tmux.wait_for(lambda s: field_below(s, label) in ("", placeholder), describe=f"the {label} field cleared")
    tmux.text(text)
    tail = text[-30:]
    tmux.wait_for(lambda s: (field_below(s, label) or "").endswith(tail), describe=f"{text!r} typed")


def tab_to(tmux: Tmux, needle: str, key: str = "Tab") -> None:
    """Press Tab and wait until the line holding ``needle`` looks different (it took the focus).

    Keys sent before the focus has moved would go to the widget that had it.
    """
    y = find_cell(tmux.screen(), needle)[1]
    before = tmux.screen(escapes=True).splitlines()[y]
    tmux.keys(key)
    tmux.wait_for(lambda s: s.splitlines()[y] != before, escapes=True, describe=f"the focus on the line of {needle!r}")


def find_cell(screen: str, needle: str) -> tuple[int, int]:
    """Zero-based (x, y) of the first occurrence of ``needle`` on a plain screen."""
    for y, line in enumerate(screen.splitlines()):
        x = line.find(needle)
        if x >= 0:
            return x, y
    raise AssertionError(f"{needle!r} is not on the screen")
