"""End to end in a real terminal (tmux, 120x40): the Matrix screen of the example. M opens it with the
sites across in the outcome's order, the arrows move the cell cursor (the line under the grid names
the cell, checked against the study's own files), Enter opens the cell's evidence and ``a`` the
theme's at every site, ``/`` filters the themes, ``h`` hides the middle group, q quits.

The expectations come from the study folder (sites.csv, ratings.csv, evidence.csv; the outcome, derived
from contacts.csv, and the themes' titles as the loader reads them) and the split rule as the contract words it (median: above the median high, below it low),
not from the screen's own code. A private tmux socket with this file's name in it; killed at the end.
"""

from __future__ import annotations

import csv
import os
import re
import statistics
import uuid

import pytest
from e2e_helpers import EXAMPLE, START_TIMEOUT, Tmux, app_shell_command, find_cell, have, status_counts, tab_to

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not have("tmux"), reason="tmux is not installed")]


class MatrixTmux(Tmux):
    def __init__(self, width: int, height: int) -> None:
        super().__init__(width, height)
        self.socket = f"crosscase-e2e-matrix-{os.getpid()}-{uuid.uuid4().hex[:10]}"


def example_files():
    """(site -> (label, engagement), (site, theme) -> (token, memo), (site, theme) -> excerpts)."""
    from cases.loader import load_study  # the outcome is derived from contacts.csv: the loader computes it

    study = load_study(EXAMPLE)
    engagement = study.column(study.outcome.metric)
    with open(EXAMPLE / "sites.csv", newline="", encoding="utf-8") as f:
        sites = {r["site"]: (r["label"], float(engagement[r["site"]] or 0.0)) for r in csv.DictReader(f)}
    with open(EXAMPLE / "ratings.csv", newline="", encoding="utf-8") as f:
        ratings = {(r["site"], r["theme"]): (r["rating"], r.get("evidence") or "") for r in csv.DictReader(f)}
    excerpts: dict = {}
    with open(EXAMPLE / "evidence.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            excerpts.setdefault((r["site"], r["theme"]), []).append(r["excerpt"])
    return sites, ratings, excerpts


def expected_columns(sites) -> tuple[list[str], dict[str, str]]:
    """Sites across: high, middle, low by the median split of the outcome, highest first."""
    median = statistics.median(v for _, v in sites.values())
    group = {s: "H" if v > median else "L" if v < median else "M" for s, (_, v) in sites.items()}
    order = sorted(sites, key=lambda s: ("HML".index(group[s]), -sites[s][1]))
    return order, group


def header_sites(screen: str) -> list[str]:
    line = next(line for line in screen.splitlines() if line.lstrip().startswith("Theme ") and "Dist." in line)
    return re.findall(r"\bS\d+\b", line)


def cell_line(screen: str) -> re.Match | None:
    """The line under the grid for a cell: ``TITLE · SITE LABEL (G) · TOKEN · Enter: evidence``."""
    for line in screen.splitlines():
        m = re.match(r"^\s*(.+?) · (S\d+) (.+?) \(([HML-])\) · (\S+) · Enter: evidence", line)
        if m:
            return m
    return None


def titles_by_id() -> dict[str, str]:
    from cases.loader import load_study

    return {t.id: t.title for t in load_study(EXAMPLE).themes.values()}


def theme_of(title_shown: str, rated: set[str], titles: dict[str, str]) -> str:
    """The rated theme whose title the line shows (cut with an ellipsis to its column)."""
    stem = title_shown.rstrip("…")
    found = [t for t in rated if titles.get(t, t).startswith(stem)]
    assert len(found) == 1, (title_shown, found)
    return found[0]


def test_matrix_in_tmux_cells_evidence_filter_hide_quit(tmp_path):
    sites, ratings, excerpts = example_files()
    order, group = expected_columns(sites)
    titles = titles_by_id()
    rated = {t for _, t in ratings}
    tmux = MatrixTmux(120, 40)
    try:
        tmux.start(app_shell_command(), cwd=tmp_path)
        tmux.wait_for(
            lambda s: "ILLUSTRATIVE DATA" in s and status_counts(s) is not None, START_TIMEOUT, describe="Compare"
        )
        tmux.keys("M")
        screen = tmux.wait_for(
            lambda s: "crosscase — Matrix" in s and "H/M/L: high/middle/low" in s and cell_line(s) is not None,
            describe="the Matrix screen",
        )
        assert header_sites(screen) == order  # high, middle, low, each by the outcome, highest first
        assert "▸ " in screen and "Dist." in screen and "diff" in screen and "gap" in screen

        # -- the cell cursor: two sites right, one theme down; the line names the cell ------------
        first = cell_line(screen)
        assert first is not None and first.group(2) == order[0]
        tmux.keys("Right", "Right", "Down")
        screen = tmux.wait_for(
            lambda s: (m := cell_line(s)) is not None and m.group(2) == order[2] and m.group(1) != first.group(1),
            describe=f"the cursor on {order[2]}, one theme down",
        )
        m = cell_line(screen)
        assert m is not None
        site, theme = m.group(2), theme_of(m.group(1), rated, titles)
        assert m.group(3) == sites[site][0] and m.group(4) == group[site]
        token, memo = ratings.get((site, theme), ("no rating", ""))
        assert m.group(5) == token.split()[0]

        # -- Enter: the cell's evidence; a: the theme at every site; Escape back ------------------
        tmux.keys("Enter")
        screen = tmux.wait_for("Evidence: one cell", describe="the evidence dialog")
        assert "Rating memo:" in screen and memo[:40] in screen
        found = excerpts.get((site, theme), [])
        assert f"Excerpts ({len(found)})" in screen
        for text in found:
            assert text[:40] in screen
        tmux.keys("a")
        screen = tmux.wait_for("Evidence: the theme at every site", describe="every site's evidence")
        counts = {g: sum(1 for s in sites if group[s] == g) for g in "HML"}
        assert f"H high ({counts['H']})" in screen and "Every site, by group" in screen
        tmux.keys("Escape")
        tmux.wait_for(lambda s: "crosscase — Matrix" in s and "Evidence:" not in s, describe="back on the Matrix")

        # -- / filter: only the themes whose title or id has the word -----------------------------
        word = "peer"
        keep = {t for t in rated if word in f"{t} {titles.get(t, t)}".casefold()}
        drop = rated - keep
        assert keep and drop
        tab_to(tmux, "/ filter themes", key="/")  # the field has the focus before a key is typed
        tmux.text(word)

        def filtered(s: str) -> bool:
            rows = "\n".join(line for line in s.splitlines() if re.search(r"\s[+-]?\d\s|\s·\s", line))
            return all(titles[t][:18] in rows for t in keep) and not any(titles[t][:18] in rows for t in drop)

        screen = tmux.wait_for(filtered, describe=f"only the themes with {word!r}")
        y = find_cell(screen, word)[1]
        focused = tmux.screen(escapes=True).splitlines()[y]
        tmux.keys("Enter")  # back to the grid: wait until the field has let the focus go
        tmux.wait_for(lambda s: s.splitlines()[y] != focused, escapes=True, describe="the focus back on the grid")

        # -- h: the middle group hidden -----------------------------------------------------------
        tmux.keys("h")
        screen = tmux.wait_for(
            lambda s: "Middle group hidden." in s and header_sites(s) == [x for x in order if group[x] != "M"],
            describe="the middle group hidden",
        )
        tmux.keys("q")
        assert tmux.wait_for_exit() == 0
    finally:
        tmux.kill()
