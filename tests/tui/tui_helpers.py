"""Shared helpers of the dashboard tests: wait for the workers, read what a widget shows."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "data" / "example"
NASTY_LABEL = "[b]bold[/b] [@click=app.quit]x[/]\x1b[31mred"


async def settle(pilot, rounds: int = 3) -> None:
    """Wait until every worker has finished and the messages they posted are handled."""
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def screen_text(app) -> str:
    """The text of the current screen, as the SVG screenshot holds it (spaces normalised)."""
    import html
    import re

    svg = app.export_screenshot()
    parts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    return "".join(html.unescape(p).replace("\xa0", " ") for p in parts)


async def export_via_dialog(pilot, name: str) -> None:
    """Open the export dialog (e), type the file name and press Enter, as a user does."""
    from textual.widgets import Input

    await pilot.press("e")
    await pilot.pause()
    pilot.app.screen.query_one("#export-path", Input).value = name
    await pilot.press("enter")
    await settle(pilot)
