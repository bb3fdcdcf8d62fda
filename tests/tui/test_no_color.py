"""NO_COLOR: the dashboard draws in greys only, and every cue is still there as text."""

from __future__ import annotations

import re

from tui_helpers import EXAMPLE, screen_text, settle

from tui.dashboard.app import CrosscaseApp

# the window buttons Textual draws in every SVG screenshot (not the app's colours)
CHROME = {(0xFF, 0x5F, 0x57), (0xFE, 0xBC, 0x2E), (0x28, 0xC8, 0x40)}


def _colours(svg: str) -> set[tuple[int, int, int]]:
    """Every colour the screenshot uses, but the window buttons'."""
    found = set()
    for hexa in re.findall(r"#([0-9a-fA-F]{6})\b", svg):
        found.add(tuple(int(hexa[i : i + 2], 16) for i in (0, 2, 4)))
    for r, g, b in re.findall(r"rgb\((\d+),\s*(\d+),\s*(\d+)\)", svg):
        found.add((int(r), int(g), int(b)))
    return found - CHROME


async def test_no_color_draws_in_greys_with_text_cues(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        svg = app.export_screenshot()
        text = screen_text(app)
    chromatic = {c for c in _colours(svg) if max(c) - min(c) > 8}
    assert not chromatic, sorted(chromatic)[:5]
    assert "ILLUSTRATIVE DATA" in text
    assert "▲" in text and "H S1" in text and "L S" in text and "M Middle" in text


async def test_colour_is_on_by_default():
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        svg = app.export_screenshot()
    assert {c for c in _colours(svg) if max(c) - min(c) > 8}
