"""End to end in a real terminal: the `crosscase` command run in tmux and driven with keys and clicks.

Every step polls the screen (capture-pane) until it shows what the step awaits; nothing sleeps
blindly. Each test has its own tmux server (a private ``-L`` socket), killed in ``finally``.
"""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
from e2e_helpers import (
    EXAMPLE,
    START_TIMEOUT,
    Tmux,
    app_shell_command,
    find_cell,
    foreground_of,
    have,
    sgr_params,
    site_rows,
    status_counts,
    tab_to,
    type_into_field,
)

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not have("tmux"), reason="tmux is not installed")]

COMPARE_READY = "ILLUSTRATIVE DATA"


def compare_shown(screen: str) -> bool:
    return COMPARE_READY in screen and "High (" in screen and status_counts(screen) is not None


def read_snapshot(path: Path) -> dict | None:
    """The snapshot's TOML once it is complete, else None (the worker may still be writing)."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None


def wait_for_snapshot(tmux: Tmux, path: Path) -> dict:
    data: dict = {}

    def written(screen: str) -> bool:
        nonlocal data
        data = read_snapshot(path) or {}
        return bool(data) and "Snapshot written to" in screen

    tmux.wait_for(written, describe=f"the snapshot {path} and the 'written' notice")
    return data


def test_dashboard_in_tmux_split_site_export_quit(tmp_path):
    out = tmp_path / "exports" / "from-tmux.toml"
    out.parent.mkdir()
    tmux = Tmux(100, 30)
    try:
        tmux.start(app_shell_command(), cwd=tmp_path)
        screen = tmux.wait_for(compare_shown, START_TIMEOUT, describe="the Compare screen")
        before = status_counts(screen)
        assert before == (3, 3, 1)
        assert "High (3)" in screen and "Low (3)" in screen and "Northgate" in screen

        # -- the split dialog: rule = tertiles, then Apply -----------------------------------------
        tmux.keys("o")
        tmux.wait_for("Change the outcome and the split")
        tmux.keys("Enter")  # the focused "Split rule" select opens its list
        tmux.wait_for("quadrants")
        tmux.keys("Down", "Down", "Enter")  # median -> threshold -> tertiles
        tmux.wait_for(
            lambda s: "highest third: high" in s and "quadrants" not in s,
            describe="tertiles chosen and the list closed",
        )
        tab_to(tmux, "Apply")  # the hidden fields are skipped: Apply
        tmux.keys("Enter")
        screen = tmux.wait_for(
            lambda s: status_counts(s) not in (None, before) and "tertiles" in s and "Change the outcome" not in s,
            describe="the new groups",
        )
        assert status_counts(screen) == (2, 2, 3)
        assert "High (2)" in screen and "Low (2)" in screen and "Middle (3)" in screen

        # -- Sites, then one site's screen --------------------------------------------------------
        tmux.keys("s")
        screen = tmux.wait_for(
            lambda s: "crosscase — Sites" in s and len(site_rows(s)) == 7, describe="the Sites table"
        )
        rows = site_rows(screen)
        assert "Northgate" in [label for _, _, label in rows]
        assert [g for g, _, _ in rows].count("H") == 2  # the table follows the new split
        _, site_id, label = rows[1]
        tmux.keys("Down", "Enter")
        screen = tmux.wait_for(
            lambda s: "crosscase — Site" in s and "Theme ratings and evidence" in s, describe="the Site screen"
        )
        head = next(line for line in screen.splitlines() if f" {site_id} " in line)
        assert label in head
        tmux.keys("Escape")
        tmux.wait_for("crosscase — Sites")

        # -- export a snapshot --------------------------------------------------------------------
        tmux.keys("e")
        tmux.wait_for("Export the current comparison")
        type_into_field(tmux, "File", str(out))
        tmux.keys("Enter")
        data = wait_for_snapshot(tmux, out)
        assert data["schema"] == "crosscase.snapshot/1"
        assert data["split"]["rule"] == "tertiles"
        assert data["view"]["screen"] == "sites"
        assert sorted(data["groups"]["high"]) == ["S1", "S3"]

        # -- quit ---------------------------------------------------------------------------------
        tmux.keys("q")
        assert tmux.wait_for_exit() == 0
    finally:
        tmux.kill()


NASTY_S1 = "[b]Bold[/b] [@click=app.quit]Q[/]"
NASTY_S2 = "Red\x1b[31mX"
SHOWN_S2 = "Red\\x1b[31mX"  # the escape as the dashboard makes it visible


def nasty_study(root: Path) -> Path:
    folder = root / "nasty-study"
    shutil.copytree(EXAMPLE, folder)
    sites = folder / "sites.csv"
    text = sites.read_text(encoding="utf-8")
    assert "S1,Northgate," in text and "S2,Fenmoor," in text
    text = text.replace("S1,Northgate,", f"S1,{NASTY_S1},").replace("S2,Fenmoor,", f"S2,{NASTY_S2},")
    sites.write_bytes(text.encode("utf-8"))
    assert b"\x1b[31m" in sites.read_bytes()
    return folder


def test_markup_and_escape_sequences_in_labels_stay_text(tmp_path):
    study = nasty_study(tmp_path)
    tmux = Tmux(100, 30)
    try:
        tmux.start(app_shell_command(str(study)), cwd=tmp_path)
        screen = tmux.wait_for(compare_shown, START_TIMEOUT, describe="the Compare screen")
        # markup is shown as typed (the panel may cut it with …), never applied
        assert "[b]Bold[/b] [@click=ap" in screen
        # the escape sequence is shown as visible text ...
        assert SHOWN_S2 in screen
        coloured = tmux.screen(escapes=True)
        assert "\x1b[31mX" not in coloured
        # ... so no SGR from the data reached the terminal: every character of the label, the "X"
        # after the would-be "red" included, has one and the same foreground
        colours = foreground_of(coloured, SHOWN_S2)
        assert len(set(colours)) == 1, colours
        assert not any(p == ["31"] for p in sgr_params(coloured))

        # a click on the [@click=app.quit] text selects the site; it does not quit
        x, y = find_cell(screen, "[@click=")
        tmux.click(x + 2, y)
        screen = tmux.wait_for(
            lambda s: "crosscase — Site" in s and "Theme ratings and evidence" in s, describe="the Site screen of S1"
        )
        assert NASTY_S1 in screen  # the whole label, literally
        assert "EXIT:" not in screen
        # keys that act on the focused row/label do not run data either
        for key in ("Enter", "space", "n", "p"):
            tmux.keys(key)
        tmux.keys("Escape")
        screen = tmux.wait_for(lambda s: compare_shown(s) and "crosscase — Compare" in s, describe="back on Compare")
        assert "EXIT:" not in screen
        tmux.keys("s")
        screen = tmux.wait_for(
            lambda s: "crosscase — Sites" in s and len(site_rows(s)) == 7, describe="the Sites table"
        )
        labels = " ".join(label for _, _, label in site_rows(screen))
        assert "[b]Bold[/b]" in labels and "Red\\x1b" in labels
        x, y = find_cell(screen, "[b]Bold")
        tmux.click(x + 1, y)  # a click highlights the label cell,
        tmux.click(x + 1, y)  # a second click opens the site, nothing else
        screen = tmux.wait_for("Theme ratings and evidence", describe="the Site screen again")
        assert "EXIT:" not in screen

        tmux.keys("q")
        assert tmux.wait_for_exit() == 0
    finally:
        tmux.kill()


def test_enter_twice_in_a_dialog_submits_once_and_keeps_the_screens(tmp_path):
    """Two Enters in one read (key repeat, an impatient user, a slow link) close a dialog once.

    Before the dialogs ignored a second dismiss, the second Enter popped the screen below the
    dialog (the Site screen here) or, with only the base screen left, crashed the app (EXIT:1).
    """
    out = tmp_path / "twice.toml"
    tmux = Tmux(100, 30)
    try:
        tmux.start(app_shell_command(), cwd=tmp_path)
        tmux.wait_for(compare_shown, START_TIMEOUT, describe="the Compare screen")
        tmux.keys("o")
        tmux.wait_for("Change the outcome and the split")
        tmux.keys("Enter")
        tmux.wait_for("quadrants")
        tmux.keys("Down", "Enter")  # median -> threshold
        tmux.wait_for(
            lambda s: "at or above the threshold" in s and "quadrants" not in s,
            describe="threshold chosen and the list closed",
        )
        tab_to(tmux, "a number, e.g.")  # the threshold field (its placeholder)
        type_into_field(tmux, "Threshold", "0.5", placeholder="a number, e.g. 0.6")
        tmux.keys("Enter", "Enter")
        screen = tmux.wait_for(lambda s: status_counts(s) == (4, 3, 0) or "EXIT:" in s, describe="the threshold split")
        assert "EXIT:" not in screen and "Change the outcome" not in screen
        assert "crosscase — Compare" in screen

        tmux.keys("s")
        tmux.wait_for(lambda s: "crosscase — Sites" in s and len(site_rows(s)) == 7, describe="Sites")
        tmux.keys("Enter")
        tmux.wait_for(
            lambda s: "crosscase — Site" in s and "Theme ratings and evidence" in s, describe="the Site screen"
        )
        tmux.keys("e")
        tmux.wait_for("Export the current comparison")
        type_into_field(tmux, "File", str(out))
        tmux.keys("Enter", "Enter")
        data = wait_for_snapshot(tmux, out)
        assert data["schema"] == "crosscase.snapshot/1" and data["view"]["screen"] == "site"
        screen = tmux.screen()
        assert "EXIT:" not in screen
        assert "crosscase — Site" in screen and "Theme ratings and evidence" in screen
        tmux.keys("Escape")  # the Site screen was kept: Escape goes to Sites
        tmux.wait_for(lambda s: "crosscase — Sites" in s, describe="back on Sites")

        tmux.keys("q")
        assert tmux.wait_for_exit() == 0
    finally:
        tmux.kill()
