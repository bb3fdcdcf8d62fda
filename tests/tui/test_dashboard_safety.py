"""The dashboard with bad or hostile data: the error screen, markup and escapes, and export."""

from __future__ import annotations

import pytest
from textual.widgets import Checkbox, Input, Static
from tui_helpers import EXAMPLE, NASTY_LABEL, export_via_dialog, screen_text, settle

from tui.dashboard.app import CrosscaseApp
from tui.dashboard.dialogs.confirm import ConfirmScreen
from tui.dashboard.dialogs.export import ExportDialog
from tui.dashboard.screens.compare import CompareScreen
from tui.dashboard.screens.error import ErrorScreen
from tui.dashboard.screens.site import SiteScreen


def broken_sites(text: str) -> str:
    lines = text.splitlines()
    lines[2] = lines[2].replace("3.15", "lots", 1)  # S2's fidelity: not a number
    lines[5] = lines[5].replace("S5,", "S2,", 1)  # S5 becomes a second S2
    return "\n".join(lines) + "\n"


async def test_a_broken_study_opens_the_error_screen(make_study, tmp_path):
    folder = make_study(tmp_path, sites_csv=broken_sites)
    app = CrosscaseApp(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ErrorScreen)
        assert len(screen.problems) >= 2
        assert all(p.startswith("sites.csv") for p in screen.problems[:2])
        text = str(screen.query_one("#error-text", Static).render())
        assert "sites.csv:3" in text and "Traceback" not in text
        await pilot.press("s")  # screens stay closed
        await pilot.pause()
        assert isinstance(app.screen, ErrorScreen)
        await pilot.press("q")
    assert app.return_code == 2


def nasty(make_study, tmp_path):
    long_memo = "[@click=app.quit]evil[/] " + "a very long evidence memo " * 100

    def sites(text: str) -> str:
        return text.replace("S1,Northgate,", f'S1,"{NASTY_LABEL}",', 1)

    def ratings(text: str) -> str:
        lines = text.splitlines()
        head, rest = lines[1].split(",", 3)[:3], lines[1]
        assert rest.startswith("S1,")
        lines[1] = ",".join(head) + f',"{long_memo}"'
        return "\n".join(lines) + "\n"

    return make_study(tmp_path, sites_csv=sites, ratings_csv=ratings)


async def test_markup_and_escapes_in_data_are_shown_literally(make_study, tmp_path):
    app = CrosscaseApp(nasty(make_study, tmp_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        text = screen_text(app)
        assert "[b]bold[/b] [@click=app." in text  # cut to the panel's name column
        assert "\x1b" not in text
        for key in ("s", "t", "c"):
            await pilot.press(key)
            await pilot.pause()
            assert "\x1b" not in screen_text(app)
        await pilot.press("s")
        await pilot.pause()
        assert "[b]bold[/b] [@cli…" in screen_text(app)  # shortened with an ellipsis
        await pilot.click("#sites-table", offset=(20, 1))  # clicking the label must not quit
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, SiteScreen) and app.screen.site == "S1"
        head = str(app.screen.query_one("#site-head", Static).render())
        assert "[b]bold[/b] [@click=app.quit]x[/]\\x1b[31mred" in head
        memo = str(app.screen.query_one("#site-themes", Static).render())
        assert "[@click=app.quit]evil[/]" in memo and "…" in memo
        assert app.is_running


async def test_export_writes_asks_before_replacing_and_reports(tmp_path, monkeypatch):
    pytest.importorskip("tui.core.snapshots")
    monkeypatch.chdir(tmp_path)
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        assert dialog.query_one("#export-path", Input).value == "example-snapshot.toml"
        assert dialog.query_one("#export-evidence", Checkbox).value is False
        await pilot.press("enter")  # Enter in the path field writes
        await settle(pilot)
        target = tmp_path / "example-snapshot.toml"
        first = target.read_text(encoding="utf-8")
        assert 'screen = "compare"' in first and "evidence_included = false" in first
        assert any("example-snapshot.toml" in str(n.message) for n in app._notifications)
        # again, with evidence: the file exists, so the dashboard asks first
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#export-evidence", Checkbox).value = True
        app.screen.query_one("#export-path", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert target.read_text(encoding="utf-8") == first
        await pilot.press("e")
        await pilot.pause()
        app.screen.query_one("#export-evidence", Checkbox).value = True
        app.screen.query_one("#export-path", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert "evidence_included = true" in target.read_text(encoding="utf-8")
        assert isinstance(app.screen, CompareScreen)


async def test_a_snapshot_reopens_at_its_view(tmp_path, monkeypatch):
    pytest.importorskip("tui.core.snapshots")
    from tui.dashboard.screens.sites import SitesScreen

    monkeypatch.chdir(tmp_path)
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await pilot.pause()
        app.screen.set_filter("employer=NHS")
        app.screen.sort_by("fidelity", False)
        await export_via_dialog(pilot, "view.toml")
    assert "[view]" in (tmp_path / "view.toml").read_text(encoding="utf-8")
    again = CrosscaseApp(None, snapshot=str(tmp_path / "view.toml"))
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = again.screen
        assert isinstance(screen, SitesScreen)
        assert screen.filter_text == "employer=NHS" and screen.sort_column == "fidelity" and not screen.descending
        assert screen.query_one("#sites-filter", Input).value == "employer=NHS"


async def test_a_missing_snapshot_opens_the_error_screen(tmp_path):
    pytest.importorskip("tui.core.snapshots")
    app = CrosscaseApp(None, snapshot=str(tmp_path / "nope.toml"))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ErrorScreen)
        assert "nope.toml" in "\n".join(app.screen.problems)
