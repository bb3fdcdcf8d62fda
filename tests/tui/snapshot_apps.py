"""What the SVG snapshot tests share: the two sizes, a ``run_before`` that presses keys and waits
until the screen can no longer change, and the study folders the apps open.

A snapshot must be the same on every run, so ``steady`` waits for every worker *and* for the
permutation p-values (they start on a timer after the first paint, so the status line would
otherwise say "p pending…" on one run and not on the next), and stops the cursors of text
inputs from blinking (a blink every 0.5 s would show or hide the cursor by chance).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from tui_helpers import EXAMPLE, settle

SIZES = [(80, 24), (120, 40)]


def size_id(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


async def steady(pilot, timeout: float = 20.0) -> None:
    """Wait until the app is idle: no worker running, no p-value pending, no "updating…"."""
    import time

    from textual.widgets import Input

    await settle(pilot)
    app = pilot.app
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        comparison = getattr(app, "comparison", None)
        busy = any(w.is_running for w in app.workers) or getattr(app, "updating", False)
        if not busy and (comparison is None or not comparison.pending):
            break
        await pilot.pause(0.02)
    else:
        raise AssertionError("the dashboard did not settle: a snapshot now would not be repeatable")
    await settle(pilot, rounds=1)
    for screen in app.screen_stack:
        for widget in screen.query(Input):
            widget.cursor_blink = False  # the cursor stays drawn, whatever the time


def keys(*pressed: str, quiet: bool = False):
    """A ``run_before`` that waits for the study, presses ``pressed`` one by one, and waits again;
    ``quiet``: the notifications are then dismissed (they would hide the screen's own text)."""

    async def before(pilot) -> None:
        await steady(pilot)
        for key in pressed:
            await pilot.press(key)
            await settle(pilot, rounds=1)
        await steady(pilot)
        if quiet:
            pilot.app.clear_notifications()
            await pilot.pause()

    return before


def broken_study(root: Path) -> Path:
    """A copy of the example whose sites.csv has problems (for the error screen): a value that is
    not a number (with markup, an escape and a bidi override in it) and a site listed twice.

    sites.csv only: the TOML problems' wording is being made one style (issue 12.4)."""
    folder = root / "broken"
    shutil.copytree(EXAMPLE, folder, ignore=lambda where, names: ["ratings", "evidence.csv"])
    sites = (folder / "sites.csv").read_text(encoding="utf-8").splitlines()
    column = sites[0].split(",").index("fidelity")
    cells = sites[2].split(",")
    cells[column] = "[b]lots[/b]\x1b[31m\u202eof"
    sites[2] = ",".join(cells)
    sites.append(sites[1])
    (folder / "sites.csv").write_text("\n".join(sites) + "\n", encoding="utf-8")
    return folder


def exported(study: Path, root: Path, *options: str, changed: bool = False) -> Path:
    """A snapshot of a copy of ``study`` (at ``root/study.name``) written by ``crosscase export``
    with a fixed date; ``changed``: the copy's sites.csv then loses a site's label, so that the
    study no longer matches the snapshot."""
    from tui.cli import main

    copy = root / study.name
    shutil.copytree(study, copy)
    target = root / "snapshot.toml"
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "1700000000"
    try:
        assert main(["export", str(copy), "-o", str(target), *options]) == 0
    finally:
        if old is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    if changed:
        sites = copy / "sites.csv"
        lines = sites.read_text(encoding="utf-8").splitlines()
        lines[1] = lines[1].replace("Site number 1", "Site number one")
        sites.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target
