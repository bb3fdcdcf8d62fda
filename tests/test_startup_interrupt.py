"""Ctrl-C in the first fraction of a second of a command, before main() has its handler: while Python
imports tui.cli's modules it ends as main() ends it, with "interrupted" and status 130, not a traceback.

Each run is a real process sent a real SIGINT. The delays count from the moment the process is inside
crosscase's own start-up: it runs with PYTHONPROFILEIMPORTTIME, which prints a line to stderr as each
import ends, and the clock starts at the first line for a module of ``cases`` (tui/cli.py imports it
first). A clock started at the launch would, on a loaded machine, land anywhere from the interpreter's
own start to the command's end, and mostly test nothing of ours: before that line Python has not yet
run a line of crosscase (an interrupt while it imports ``site`` is its own "Fatal Python error").
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "data" / "example"
DELAYS = (0.0, 0.02, 0.05, 0.1, 0.2)  # seconds after crosscase's start-up began
ENTRIES = {
    "python -m tui.cli": [sys.executable, "-m", "tui.cli"],
    # what the crosscase console script runs (pyproject.toml [project.scripts]: tui.cli:main)
    "console script": [sys.executable, "-c", "import sys; from tui.cli import main; sys.exit(main())"],
}

# Status 130, or 0 when the command finished first. Under ``python -m`` CPython itself may end the
# process by SIGINT after main() has returned 130 (a shell shows 130 for both): an interrupt inside
# exec() of a string, as dataclasses does while a module is imported, marks it "unhandled" even when
# main() catches it, and the -m path alone checks that mark at exit (CPython 3.11, pymain_run_module).
ALLOWED = {"python -m tui.cli": (0, 130, -signal.SIGINT), "console script": (0, 130)}


def ours(line: str) -> bool:
    """Is this PYTHONPROFILEIMPORTTIME line ("import time: 12 | 34 | cases.model") one of ours?"""
    return line.startswith("import time:") and line.rsplit("|", 1)[-1].strip().split(".")[0] == "cases"


def interrupted_at(entry: list[str], delay: float) -> tuple[int, list[str], bool]:
    """Run ``summary`` on the example, send SIGINT ``delay`` seconds after its start-up reached
    crosscase's imports; (exit status, the stderr lines that are not import times, whether main()'s
    own imports (the engine, polars) had begun by the end)."""
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.Popen(
        [*entry, "summary", str(EXAMPLE)], cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert proc.stderr is not None
    seen: list[str] = []
    for raw in proc.stderr:
        seen.append(raw.decode("utf-8", "replace").rstrip("\n"))
        if ours(seen[-1]):
            break
    else:
        pytest.fail("crosscase's start-up was never reached:\n" + "\n".join(seen[-20:]))
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=60)
    seen += rest.decode("utf-8", "replace").splitlines()
    said = [line for line in seen if not line.startswith("import time:")]
    engine = any(line.startswith("import time:") and line.rsplit("|", 1)[-1].strip() == "polars" for line in seen)
    return proc.returncode, said, engine


@pytest.mark.parametrize("entry", list(ENTRIES), ids=list(ENTRIES))
def test_ctrl_c_during_start_up_exits_130_quietly(entry):
    reached_main = []
    for delay in DELAYS:
        rc, said, engine = interrupted_at(ENTRIES[entry], delay)
        assert not any("Traceback" in line for line in said), (delay, "\n".join(said))
        assert rc in ALLOWED[entry], (delay, rc, said)
        if rc != 0:
            assert said[-1:] == ["interrupted"], (delay, said)
        reached_main.append(engine)
    # the earliest interrupts came while tui.cli's own imports ran, before main() had imported the engine
    assert not all(reached_main), "every interrupt came too late to test the start-up"


@pytest.mark.parametrize(
    "raised, status, last",
    [("KeyboardInterrupt", 130, "interrupted"), ("ValueError('a bug')", 1, "ValueError: a bug")],
)
def test_only_an_interrupt_is_quietened(raised, status, last):
    """The hook tui.cli sets answers Ctrl-C alone: any other uncaught exception keeps its traceback."""
    code = f"import tui.cli\nraise {raised}"
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == status, proc.stderr
    assert proc.stderr.strip().splitlines()[-1] == last
    assert ("Traceback" in proc.stderr) is (status != 130), proc.stderr
