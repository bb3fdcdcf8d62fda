"""crosscase serve in a real browser: Debian's chromium, headless, driven through the DevTools protocol.

The page shows the dashboard (its text is read from the page's xterm.js buffer), a key changes the
screen, every request the page makes goes to 127.0.0.1, and once the browser has gone no app
process is left; then serve stops on SIGINT (Ctrl+C) and nothing of it remains.
"""

from __future__ import annotations

import signal
import subprocess
import time
from urllib.parse import urlsplit

import pytest
from serve_helpers import CAPTURE_TERMINAL, CDP, CHROMIUM, Chromium, Serve, alive, wait_until

pytest.importorskip("textual_serve")
aiohttp = pytest.importorskip("aiohttp")

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")]

APP_ENDS_WITHIN = 6.0


def compare_shown(screen: str) -> bool:
    return "crosscase — Compare" in screen and "ILLUSTRATIVE DATA" in screen and "High (" in screen


async def test_the_dashboard_in_chromium_then_the_browser_leaves_and_serve_stops(tmp_path):
    with Serve(tmp_path) as serve:
        chromium = Chromium(tmp_path / "profile")
        try:
            async with aiohttp.ClientSession() as session:
                cdp = await CDP.connect(session, chromium.page_ws_url())
                for domain in ("Network", "Page", "Runtime"):
                    await cdp.call(f"{domain}.enable")
                await cdp.call("Emulation.setFocusEmulationEnabled", enabled=True)
                await cdp.call("Page.addScriptToEvaluateOnNewDocument", source=CAPTURE_TERMINAL)
                await cdp.call("Page.navigate", url=serve.url)

                screen = await cdp.wait_for_screen(compare_shown, 40, "the Compare screen")
                assert "Northgate" in screen and "Contacts per participant" in screen
                (app,) = serve.apps()

                await cdp.evaluate("window.__xterm.focus()")  # what a click on the terminal does
                await cdp.press("s")
                screen = await cdp.wait_for_screen(lambda s: "crosscase — Sites" in s, 20, "the Sites screen")
                assert "Northgate" in screen

                urls = cdp.requested_urls()
                assert any(u.startswith(f"ws://127.0.0.1:{serve.port}/ws/") for u in urls), urls
                outside = [
                    u
                    for u in urls
                    if urlsplit(u).scheme not in ("data", "about") and urlsplit(u).hostname != "127.0.0.1"
                ]
                assert outside == [], f"the page fetched from outside the machine: {outside}"
                await cdp.close()
        finally:
            left = time.monotonic()
            chromium.close()  # the browser leaves
        took = wait_until(lambda: not alive(app), APP_ENDS_WITHIN)
        assert took is not None, f"the app process {app} outlived the browser ({time.monotonic() - left:.1f} s)"
        assert serve.proc.poll() is None and serve.apps() == []

        # The issue's own report: a screenshot leaves within a second or two, before the app has
        # drawn; that app used to spin at 100% CPU for ever, deaf to SIGTERM.
        shot = tmp_path / "page.png"
        subprocess.run(
            [
                CHROMIUM,
                *Chromium.FLAGS,
                f"--user-data-dir={tmp_path / 'profile2'}",
                f"--screenshot={shot}",
                "--window-size=1200,800",
                serve.url,
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=60,
            start_new_session=True,
        )
        assert shot.is_file()
        took = wait_until(lambda: serve.apps() == [], APP_ENDS_WITHIN)
        assert took is not None, f"an app process outlived chromium --screenshot: {serve.apps()}"

        took = serve.stop(signal.SIGINT)
        assert took is not None and took < APP_ENDS_WITHIN, f"serve took {took} s to stop on SIGINT"
        assert serve.proc.returncode == 0
