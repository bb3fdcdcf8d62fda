"""End to end in a real terminal (tmux, 120x40): crosscase STUDY --rater ana rates the Matrix cursor's
cell with one key, the rater file on disk changes in that row only, u undoes it (the file is as it
was, byte for byte), and the audit log holds both steps."""

from __future__ import annotations

import csv
import os
import re
import shutil
import uuid

import pytest
from e2e_helpers import EXAMPLE, START_TIMEOUT, Tmux, app_shell_command, have, status_counts

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not have("tmux"), reason="tmux is not installed")]

PANEL = re.compile(r"Rating as ana · (S\d+) · (.+?) · (\+2|\+1|0|-1|-2|X|Missing|N/A|E|I|not rated yet)")


def test_rate_and_undo_in_tmux(tmp_path):
    study = tmp_path / "study"
    shutil.copytree(EXAMPLE, study)
    path = study / "ratings" / "ana.csv"
    original = path.read_bytes()
    tmux = Tmux(120, 40)
    tmux.socket = f"crosscase-e2e-rating-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        tmux.start(app_shell_command(str(study), "--rater", "ana"), cwd=tmp_path)
        tmux.wait_for(lambda s: status_counts(s) is not None, START_TIMEOUT, describe="the Compare screen")
        tmux.keys("M")
        screen = tmux.wait_for(lambda s: PANEL.search(s) is not None, describe="the Matrix with the rating panel")
        assert "1-5 rate -2..+2" in screen
        found = PANEL.search(screen)
        assert found is not None
        site, before = found.group(1), found.group(3)
        key, token = ("1", "-2") if before != "-2" else ("5", "+2")
        tmux.keys(key)
        tmux.wait_for(
            lambda s: (m := PANEL.search(s)) is not None and m.group(3) == token, describe=f"the cell rated {token}"
        )
        now = path.read_bytes().split(b"\n")
        changed = [i for i, (a, b) in enumerate(zip(original.split(b"\n"), now, strict=True)) if a != b]
        assert len(changed) == 1 and now[changed[0]].startswith(f"{site},".encode())
        assert f",{token},".encode() in now[changed[0]]
        tmux.keys("u")
        tmux.wait_for(
            lambda s: (m := PANEL.search(s)) is not None and m.group(3) == before, describe="the rating undone"
        )
        assert path.read_bytes() == original
        with open(study / "audit.csv", newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert [(r["who"], r["action"], r["site"], r["from"], r["to"]) for r in rows] == [
            ("ana", "rate", site, before, token),
            ("ana", "undo", site, token, before),
        ]
        tmux.keys("q")
        assert tmux.wait_for_exit() == 0
    finally:
        tmux.kill()
