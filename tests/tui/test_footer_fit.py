"""The footer holds only whole keys, in priority order (? Help, q Quit, the screen's own keys, then the
app's), leaves out the key of the screen one is on, and shows Q QCA where it fits: at 120 columns on
the screens with few keys of their own. Textual's footer ran the keys on under the palette key, cut
mid-word ("l L▏^p palette" at 80 columns); the help dialog lists every key."""

from __future__ import annotations

import pytest
from test_app_footer import screen_rows
from tui_helpers import EXAMPLE, settle

from tui.dashboard.app import CrosscaseApp
from tui.dashboard.dialogs.help import HelpDialog
from tui.dashboard.screens.base import KeysFooter
from tui.dashboard.screens.qca import QcaScreen

SCREEN_KEYS = {
    "c": "Compare",
    "s": "Sites",
    "t": "Themes",
    "v": "Sensitivity",
    "g": "Configurations",
    "l": "Literature",
    "M": "Matrix",
    "Q": "QCA",
}


def footer_keys(app) -> list[str]:
    """The keys the footer holds ("? Help", ...), the palette key left out."""
    footer = app.screen.query_one(KeysFooter)
    return [
        f"{key.key_display} {key.description}"
        for key in footer.query("FooterKey")
        if not key.has_class("-command-palette")
    ]


def assert_whole(app, where: str) -> str:
    """The footer row left of the palette key is exactly the keys it holds, each whole, one space apart."""
    row = screen_rows(app)[-1]
    left, bar, palette = row.partition("▏")
    assert bar and palette.strip() == "^p palette", f"{where}: {row!r}"
    assert left.rstrip() == " ".join(footer_keys(app)), f"{where}: {row!r}"
    assert left.endswith(" "), f"{where}: a key runs up to the palette key: {row!r}"
    return left


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_every_screens_footer_holds_whole_keys_in_priority_order(size):
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        for key, name in SCREEN_KEYS.items():
            await pilot.press(key)
            await settle(pilot)
            assert name == app.screen.SCREEN_NAME
            left = assert_whole(app, name)
            assert left.startswith("? Help q Quit "), left
            shown = footer_keys(app)
            assert not any(k.startswith(f"{key} ") for k in shown), f"{name}'s own key on its footer: {shown}"
            apps = {f"{app.get_key_display(b)} {b.description}" for b in app.BINDINGS}
            order = [k for k in shown[2:] if k not in apps] + [k for k in shown[2:] if k in apps]
            assert shown[2:] == order, f"{name}: the screen's own keys come before the app's: {shown}"


async def test_q_qca_shows_at_120_columns_and_opens_the_qca_screen():
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for key in ("c", "v", "g"):
            await pilot.press(key)
            await settle(pilot)
            left = assert_whole(app, key)
            assert " Q QCA " in left and " M Matrix " in left and " e Export… " in left, left
        await pilot.press("c")
        await settle(pilot)
        footer = app.screen.query_one(KeysFooter)
        qca_key = next(k for k in footer.query("FooterKey") if k.description == "QCA")
        await pilot.click(qca_key)  # the footer key, clicked, opens it too
        await settle(pilot)
        assert isinstance(app.screen, QcaScreen)
        left = assert_whole(app, "QCA")
        assert "Q QCA" not in left and " c Compare " in left, left
        await pilot.press("c", "Q")
        await settle(pilot)
        assert isinstance(app.screen, QcaScreen)


async def test_at_80_columns_q_is_left_out_whole_is_in_the_help_and_opens_the_qca_screen():
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        left = assert_whole(app, "Compare")
        # the keys need ~110 columns: the footer keeps Sites to Literature, the help lists the rest
        assert left.rstrip().endswith("g Configs l Literature") and "QCA" not in left, left
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpDialog)
        assert ("Everywhere", "Q", "QCA") in app.screen.key_rows()
        await pilot.press("escape", "Q")
        await settle(pilot)
        assert isinstance(app.screen, QcaScreen)
        assert_whole(app, "QCA")


async def test_a_wider_terminal_shows_more_keys_at_once():
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "Q QCA" not in footer_keys(app)
        await pilot.resize_terminal(120, 40)
        await settle(pilot)
        assert "Q QCA" in footer_keys(app)
        assert_whole(app, "120 columns")
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert "Q QCA" not in footer_keys(app)
        assert_whole(app, "80 columns again")
