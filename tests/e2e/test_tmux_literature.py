"""End to end in a real terminal (tmux, 80x24): the Literature screen opens with l, shows the
example's counts and each row's fit as a word, and Enter takes a row to its theme in Themes."""

from __future__ import annotations

import pytest
from e2e_helpers import START_TIMEOUT, Tmux, app_shell_command, have, status_counts

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not have("tmux"), reason="tmux is not installed")]


def test_literature_screen_in_tmux_at_80x24(tmp_path):
    tmux = Tmux(80, 24)
    try:
        tmux.start(app_shell_command(), cwd=tmp_path)
        tmux.wait_for(
            lambda s: "ILLUSTRATIVE DATA" in s and status_counts(s) is not None,
            START_TIMEOUT,
            describe="the Compare screen",
        )
        tmux.keys("l")
        screen = tmux.wait_for(
            lambda s: "crosscase — Literature" in s and "✓ confirmation" in s,
            describe="the Literature screen with a fit word",
        )
        assert "This study confirms 7 of the 12 literature themes it can speak to" in screen
        assert "= no-difference  Leadership support" in screen and "· silence" in screen
        # the detail of the first row (leadership support): its evidence, by group, with site ids
        assert "Fit: = no-difference" in screen
        # row 10 is the supervisor resourcing theme, linked to supervisor hours
        tmux.keys(*["Down"] * 9)
        screen = tmux.wait_for(
            lambda s: "Fit: ✓ confirmation" in s and "Resourcing of the peer" in s,
            describe="the supervisor resourcing row's detail",
        )
        tmux.keys("Enter")
        screen = tmux.wait_for(
            lambda s: "crosscase — Themes" in s and "supervisor-resourcing" in s, describe="the theme in Themes"
        )
        tmux.keys("q")
        assert tmux.wait_for_exit() == 0
    finally:
        tmux.kill()
