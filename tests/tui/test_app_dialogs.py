"""The dialogs: their state reads in plain text, data in them stays literal, and they fit 80x24."""

from __future__ import annotations

import pytest
from textual.widgets import Checkbox
from tui_helpers import EXAMPLE, screen_text, settle

from tui.dashboard.app import CrosscaseApp
from tui.dashboard.dialogs.export import ExportDialog


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
        assert "Include evidence" in text and "▐X▌" not in text  # not ticked, and does not read as ticked
        await pilot.press("tab", "tab", "space")  # path -> note -> the box, as a user does
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
        for key in ("q", second):  # delivered together, as the driver does with one read
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


HOSTILE_ID = "S\x1b]0;pwned\x07\x1b[31m1"  # sets the terminal's title, then turns it red


def _hostile_study(tmp_path):
    """The example with site S1 renamed to HOSTILE_ID and S2 to a markup tag, in every file."""
    import re
    import shutil

    study = tmp_path / "study\x1bc"  # ESC c resets the terminal; the export dialog proposes this name
    shutil.copytree(EXAMPLE, study)
    for name in ("sites.csv", "contacts.csv", "ratings.csv", "evidence.csv", "ratings/ana.csv", "ratings/ben.csv"):
        path = study / name
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"(?m)^S1,", lambda _m: HOSTILE_ID + ",", text)
        path.write_text(re.sub(r"(?m)^S2,", "[b]S2[/b],", text), encoding="utf-8")
    return study


async def test_data_in_the_dialogs_stays_literal(tmp_path):
    from dataclasses import replace

    from textual.widgets import Input

    from tui.dashboard.dialogs.split import SplitDialog

    app = CrosscaseApp(_hostile_study(tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.study.sites[0].id == HOSTILE_ID
        app.change_outcome(replace(app.outcome, split="explicit", high=(HOSTILE_ID, "[b]S2[/b]"), low=("S6", "S7")))
        await settle(pilot)
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, SplitDialog)
        high = app.screen.query_one("#split-high", Input)
        assert "\x1b" not in high.value and "\x1b" not in screen_text(app)
        assert "[b]S2[/b]" in high.value and "\\x1b" in high.value  # shown, as visible escapes
        outcome, problems = app.screen.chosen()
        assert problems == [] and outcome.high == (HOSTILE_ID, "[b]S2[/b]")  # read back as the study's ids
        await pilot.press("escape")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        path = app.screen.query_one("#export-path", Input).value
        assert "\x1b" not in path and "\x1b" not in screen_text(app) and path.endswith("-snapshot.toml")


async def test_the_split_dialog_keeps_its_buttons_on_an_80x24_screen():
    from textual.widgets import Input, Select

    from tui.dashboard.dialogs.split import SplitDialog

    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, SplitDialog)
        dialog.query_one("#split-rule", Select).value = "explicit"
        await pilot.pause()
        dialog.query_one("#split-high", Input).value = ",".join(f"X{i}" for i in range(40))
        dialog.query_one("#split-low", Input).value = "S6,S7"
        await pilot.click("#split-apply")
        await pilot.pause()
        text = screen_text(app)
        assert '"X0" is not a site' in text and "37 more" in text
        for button in ("#split-apply", "#split-cancel"):
            region = dialog.query_one(button).region
            assert region.bottom <= 23, f"{button} is pushed off the screen: {region}"
        await pilot.click("#split-cancel")
        await pilot.pause()
        assert not isinstance(app.screen, SplitDialog)
