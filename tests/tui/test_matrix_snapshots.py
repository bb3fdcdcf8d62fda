"""SVG snapshots of the Matrix screen and its evidence dialog on the built-in example, at 80x24 (the
smallest supported) and 120x40. Update with ``pytest tests/tui/test_matrix_snapshots.py --snapshot-update``
after reading the screen's text."""

from __future__ import annotations

import pytest
from tui_helpers import EXAMPLE, settle

from tui.dashboard.app import CrosscaseApp

SIZES = [(80, 24), (120, 40)]
SCREENS = {
    "matrix": ("M",),
    "matrix-cell": ("M", "down", "down", "right", "right"),
    "evidence": ("M", "down", "right", "enter"),
}


def run_before(keys):
    async def before(pilot):
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot, rounds=1)

    return before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_matrix_snapshot(snap_compare, screen, size):
    assert snap_compare(CrosscaseApp(EXAMPLE), terminal_size=size, run_before=run_before(SCREENS[screen]))
