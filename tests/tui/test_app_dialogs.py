"""The dialogs: their state reads in plain text, data in them stays literal, and they fit 80x24."""

from __future__ import annotations

import pytest
from textual.widgets import Checkbox
from tui_helpers import EXAMPLE, screen_text, settle

from tui.app import CrosscaseApp
from tui.dialogs.export import ExportDialog


@pytest.mark.parametrize("no_color", [False, True], ids=["colour", "NO_COLOR"])
async def test_the_evidence_box_shows_its_state_in_text(no_color, monkeypatch):
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        box = app.screen.query_one("#export-evidence", Checkbox)
        assert box.value is False
        text = screen_text(app)
        assert "Include evidence" in text and "▐X▌" not in text          # not ticked, and does not read as ticked
        await pilot.press("tab", "tab", "space")                         # path -> note -> the box, as a user does
        await pilot.pause()
        assert box.value is True
        assert "▐X▌ Include evidence" in screen_text(app)
        await pilot.press("space")
        await pilot.pause()
        assert box.value is False and "▐X▌" not in screen_text(app)


@pytest.mark.parametrize("second", ["e", "o", "question_mark", "s", "F"])
async def test_no_dialog_or_screen_opens_after_quit_typed_ahead(second):
    """q and another key in one read of the terminal (typed ahead on a slow link): the app quits cleanly."""
    from textual import events

    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for key in ("q", second):          # delivered together, as the driver does with one read
            event = events.Key(key, "?" if key == "question_mark" else key)
            event.set_sender(app)
            app._driver.send_message(event)
        await pilot.pause(0.3)
    assert app.return_code == 0 and app._exception is None


@pytest.mark.parametrize("second", ["e", "o"])
async def test_quit_then_a_dialog_key_in_one_press(second):
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("q", second)
        await pilot.pause()
    assert app.return_code == 0 and app._exception is None
