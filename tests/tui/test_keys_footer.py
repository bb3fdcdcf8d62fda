"""KeysFooter rebuilds its keys only when they change (Textual's Footer rebuilt them on every change of
focus or screen, about half of a key press's cost: tests/benchmarks/bench_keys.py), and still shows a
change of keys at once."""

from __future__ import annotations

from textual.widgets import Footer
from tui_helpers import EXAMPLE, settle

from tui.dashboard.app import CrosscaseApp
from tui.dashboard.screens.base import KeysFooter


def footer_text(app) -> str:
    footer = app.screen.query_one(KeysFooter)
    return " ".join(f"{key.key_display} {key.description}" for key in footer.query("FooterKey"))


async def test_going_back_to_a_screen_or_moving_focus_does_not_rebuild_its_footer(monkeypatch):
    rebuilt: list[str] = []
    original = Footer.recompose

    async def counted(self):
        rebuilt.append(type(self.screen).__name__)
        return await original(self)

    monkeypatch.setattr(Footer, "recompose", counted)
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        for key in "stc":  # each screen's footer is built once, when first shown
            await pilot.press(key)
            await settle(pilot)
        first = list(rebuilt)
        assert "SitesScreen" in first and "ThemesScreen" in first
        for key in "stcstc":
            await pilot.press(key)
            await settle(pilot)
            assert "? Help" in footer_text(app) and "q Quit" in footer_text(app)
        await pilot.press("tab", "tab")  # focus moves between widgets with the same keys
        await settle(pilot)
        assert rebuilt == first
        assert "Sites" in footer_text(app) and "Split…" in footer_text(app)


async def test_a_change_of_keys_is_shown_at_once():
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot)
        assert "Snapshot figures" not in footer_text(app)  # hidden: not opened from a snapshot
        app.snapshot_figures = {"made up": 1}  # check_action now shows F
        app.refresh_bindings()
        await settle(pilot)
        assert "F Snapshot figures" in footer_text(app)
        app.snapshot_figures = None
        app.refresh_bindings()
        await settle(pilot)
        assert "Snapshot figures" not in footer_text(app)
        assert footer_text(app).startswith("? Help q Quit")
