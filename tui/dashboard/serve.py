"""crosscase serve: the dashboard in a browser, one app process per browser tab.

Built on textual-serve's Server and AppService (tui/dashboard/serve_server.py, imported only when
serve runs; this module is the app process's side), with what they lack for a tool that shows a study:

* **No process outlives its browser or serve.** textual-serve asks an app to stop with one "quit"
  message and then waits for it forever; it never signals or kills it. Textual 8.2.8 does not end an
  app that receives that quit while it is still starting (a browser that leaves within a second or
  two, such as ``chromium --headless --screenshot``, does exactly that): the app keeps re-rendering
  its first screen at full CPU, and its SIGTERM handler only posts the same quit message. Here each
  app runs in its own session (process group) and is stopped in steps: "quit", then its stdin is
  closed, then SIGTERM to its group, then SIGKILL (QUIT_GRACE, TERM_GRACE). serve stops every app
  that way on SIGTERM, SIGINT or SIGHUP, and kills what is left when it exits. Inside the app
  process a guard (``app_main``) ends the process when its stdin closes, when serve has gone, or on
  SIGTERM/SIGINT/SIGHUP, whatever state Textual is in, so even a serve killed with SIGKILL leaves
  no app behind.
* **Nothing is fetched from outside the machine.** textual-serve's page asks Google Fonts for
  Roboto Mono; this page declares the font from the copy textual-serve ships in its static folder,
  and its Content-Security-Policy allows nothing but this server.
* **Only the one who started serve can use it.** Every launch makes a random token; the printed URL
  carries it (``/?token=…``), the page and its WebSocket must present it (403 otherwise). Requests
  whose Host is not this server (127.0.0.1, localhost or [::1] at the bound port, the bound host, or
  ``--public-url``) are refused (DNS rebinding), and so is a WebSocket whose Origin is not one of
  those (another web page in the same browser).
* **A client cannot choose a huge terminal.** Sizes from the browser are clamped to MAX_COLUMNS x
  MAX_ROWS before they reach the app (100000x100000 grew an app past 2.9 GB).
"""

from __future__ import annotations

import os
import select
import signal
import sys
import threading
import time

MAX_COLUMNS = 500
MAX_ROWS = 200
MAX_SESSIONS = 16  # app processes at once; a further browser tab gets 503
QUIT_GRACE = 2.0  # seconds an app has to end after "quit" and the end of its stdin
TERM_GRACE = 1.0  # seconds after SIGTERM to its group before SIGKILL
GUARD_GRACE = 0.5  # in the app: seconds between a reason to end and os._exit (a quit under way
# finishes in less; an export is written atomically, so none is left half)
PARENT_ENV = "CROSSCASE_SERVE_PARENT"
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def clamp_size(width: object, height: object) -> tuple[int, int]:
    """A terminal size from a client, as integers within 1..MAX_COLUMNS and 1..MAX_ROWS."""

    def number(value: object, default: int) -> int:
        if not isinstance(value, str | bytes | int | float):  # None, a list or a table from the JSON
            return default
        try:
            return int(value)
        except (TypeError, ValueError, OverflowError):
            return default

    return (min(max(number(width, 80), 1), MAX_COLUMNS), min(max(number(height, 24), 1), MAX_ROWS))


# -- in the app process ------------------------------------------------------------------------------


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when serve (its parent) dies, however it dies."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _guard(parent: int) -> None:
    """End this app process when serve no longer wants it, whatever Textual is doing.

    Three threads: one waits for SIGTERM/SIGINT/SIGHUP (blocked in every thread, so only it takes
    them), one watches stdin for its end (poll for POLLHUP, reading nothing: Textual's input
    thread reads it), and both hand over to ``end``, which gives a quit already under way
    GUARD_GRACE seconds and then leaves with os._exit.
    """
    ending = threading.Event()

    def end(why: str) -> None:
        if ending.is_set():
            return
        ending.set()
        time.sleep(GUARD_GRACE)
        os._exit(0)

    def signals() -> None:
        signal.sigwait(set(STOP_SIGNALS))
        end("signal")

    def stdin_and_parent() -> None:
        poller = select.poll()
        poller.register(0, 0)  # only POLLHUP / POLLERR / POLLNVAL
        while not ending.is_set():
            if poller.poll(250) or (parent and os.getppid() != parent):
                end("stdin closed or serve gone")
                return

    threading.Thread(target=signals, name="crosscase-serve-signals", daemon=True).start()
    threading.Thread(target=stdin_and_parent, name="crosscase-serve-stdin", daemon=True).start()


def app_main(argv: list[str]) -> int:
    """The app process serve starts: the guard, then the dashboard (``crosscase [STUDY]``)."""
    parent = int(os.environ.get(PARENT_ENV, "0") or 0)
    signal.pthread_sigmask(signal.SIG_BLOCK, set(STOP_SIGNALS))  # inherited by every later thread
    _die_with_parent()
    if parent and os.getppid() != parent:
        return 0  # serve died before prctl took effect
    _guard(parent)
    from tui.core.study import study_path
    from tui.dashboard.app import run_dashboard

    return run_dashboard(study_path(argv[0] if argv else None))


if __name__ == "__main__":
    if sys.argv[1:2] == ["app"]:
        sys.exit(app_main(sys.argv[2:]))
    sys.exit(2)
