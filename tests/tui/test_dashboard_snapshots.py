"""SVG snapshots of the Compare, Sites, Site, Themes and Literature screens on the built-in example.

Fixed sizes (80x24, the smallest supported, and 120x40); no clock, no randomness on screen (the
permutation p-values of the example are exact). Update with ``pytest --snapshot-update``.
"""

from __future__ import annotations

import pytest
from tui_helpers import EXAMPLE, settle

from tui.dashboard.app import CrosscaseApp

SIZES = [(80, 24), (120, 40)]
SCREENS = {"compare": (), "sites": ("s",), "site": ("s", "enter"), "themes": ("t",), "literature": ("l",)}


def run_before(keys):
    async def before(pilot):
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot, rounds=1)

    return before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_screen_snapshot(snap_compare, screen, size):
    assert snap_compare(CrosscaseApp(EXAMPLE), terminal_size=size, run_before=run_before(SCREENS[screen]))
