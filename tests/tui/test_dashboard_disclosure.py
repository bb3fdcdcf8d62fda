"""The dashboard's --min-count and --pseudonymise: every screen and its export follow them."""

from __future__ import annotations

import tomllib

from tui_helpers import EXAMPLE, export_via_dialog, screen_text, settle

from tui import cli
from tui.dashboard.app import CrosscaseApp


def test_the_command_line_passes_the_options_to_the_dashboard(monkeypatch):
    seen = []
    monkeypatch.setattr(cli, "cmd_dashboard", lambda study, **k: seen.append((study, k)) or 0)
    assert cli.main(["--min-count", "40", "--pseudonymise"]) == 0
    assert seen == [(None, {"disclosure": {"min_count": 40, "pseudonymise": True}})]
    assert cli.main([]) == 0 and seen[-1] == (None, {"disclosure": None})
    assert cli.main(["--min-count", "-1"]) == 2


async def test_pseudonymised_dashboard_and_its_export(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = CrosscaseApp(EXAMPLE, disclosure={"min_count": 40, "pseudonymise": True})
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = []
        for key in ("c", "s", "t", "v", "g"):
            await pilot.press(key)
            await settle(pilot)
            shown.append(screen_text(app))
        text = "\n".join(shown)
        assert "Site A" in text and "Northgate" not in text and "Kestrel" not in text
        await pilot.press("s")
        await settle(pilot)
        await export_via_dialog(pilot, "pseudo.toml")
    written = (tmp_path / "pseudo.toml").read_text(encoding="utf-8")
    snapshot = tomllib.loads(written)
    assert snapshot["disclosure"]["pseudonymise"] is True and snapshot["disclosure"]["min_count"] == 40
    assert "Northgate" not in written and '"S1"' not in written
    participants = next(m for m in snapshot["metrics"] if m["metric"] == "participants")
    assert "<40" in participants["high"]["values"].values() or "<40" in participants["low"]["values"].values()
