"""crosscase serve: loopback by default, a token, Host and Origin checks, clamped sizes, no leaks.

The e2e tests start the real ``crosscase serve`` on a free port and talk to it as a browser would
(HTTP, and the WebSocket with aiohttp); which app processes serve started is read from /proc.
tests/e2e/test_browser.py drives a real browser against it.
"""

from __future__ import annotations

import asyncio
import re
import signal
from pathlib import Path

import pytest
from serve_helpers import Serve, alive, async_wait_until, http_status, wait_until

from tui.cli import build_parser

pytest.importorskip("textual_serve")
aiohttp = pytest.importorskip("aiohttp")

APP_ENDS_WITHIN = 6.0  # seconds: QUIT_GRACE + TERM_GRACE and room for a loaded machine


def test_serve_binds_to_loopback_by_default():
    args = build_parser().parse_args(["serve"])
    assert args.host == "127.0.0.1" and args.port == 8000 and args.public_url is None


def test_a_client_chosen_size_is_clamped():
    from tui.dashboard.serve import MAX_COLUMNS, MAX_ROWS, clamp_size

    assert (MAX_COLUMNS, MAX_ROWS) == (500, 200)
    assert clamp_size(100000, 100000) == (500, 200)
    assert clamp_size("120", "40") == (120, 40)
    assert clamp_size(-5, 0) == (1, 1)
    assert clamp_size("junk", None) == (80, 24)
    assert clamp_size(10**400, 1e308) == (500, 200)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One serve for the tests that only knock at its door (no app process is started)."""
    with Serve(tmp_path_factory.mktemp("serve")) as serve:
        yield serve


def origin(serve: Serve) -> dict[str, str]:
    return {"Origin": f"http://127.0.0.1:{serve.port}"}


@pytest.mark.e2e
def test_the_page_needs_the_token_and_fetches_nothing_from_outside(served):
    assert served.url.startswith(f"http://127.0.0.1:{served.port}/?token=")
    assert len(served.token) >= 24
    assert http_status(f"{served.base}/") == 403
    assert http_status(f"{served.base}/?token=wrong") == 403
    assert http_status(f"{served.base}/?token={served.token[:-1]}") == 403
    import urllib.request

    with urllib.request.urlopen(served.url, timeout=5) as reply:
        page = reply.read().decode()
        csp = reply.headers["Content-Security-Policy"]
    assert "crosscase" in page
    # every address in the page is this server's (relative); the policy allows nothing else
    assert not re.search(r"(?:src|href)=\"(?!/|data:)", page), page
    assert "googleapis" not in page and "http://" not in page and "https://" not in page
    assert "default-src 'none'" in csp and "font-src 'self'" in csp and "frame-ancestors 'none'" in csp
    # the fonts the page declares are served here, from textual-serve's own static files
    for font in re.findall(r"url\(\"(/static/fonts/[^\"]+)\"\)", page):
        assert http_status(served.base + font) == 200


@pytest.mark.e2e
def test_a_foreign_host_is_refused(served):
    for host in (f"evil.example:{served.port}", "127.0.0.1:1", "attacker.test"):
        assert http_status(served.url, {"Host": host}) == 403, host
    assert http_status(served.url, {"Host": f"localhost:{served.port}"}) == 200


@pytest.mark.e2e
async def test_the_websocket_refuses_a_wrong_token_and_foreign_origins(served):
    async with aiohttp.ClientSession() as session:
        attempts = [
            (served.ws_url(token="wrong"), origin(served)),  # wrong token
            (served.ws_url(token="x" * len(served.token)), origin(served)),
            (served.ws_url(), {"Origin": "http://evil.example"}),  # another page
            (served.ws_url(), {"Origin": f"http://127.0.0.1:{served.port}.evil.example"}),
            (served.ws_url(), {"Origin": "null"}),
            (served.ws_url(), {}),  # no Origin
        ]
        for url, headers in attempts:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(url, headers=headers)
            assert refused.value.status == 403, (url, headers)
        assert http_status(f"{served.base}/ws/") == 404
    assert served.apps() == [], "a refused WebSocket started an app"


async def first_output(ws, timeout: float = 30.0) -> bytes:
    """The app's first screen bytes (it has started)."""

    async def read() -> bytes:
        async for message in ws:
            if message.type == aiohttp.WSMsgType.BINARY:
                return message.data
        raise AssertionError("the WebSocket closed before the app drew anything")

    return await asyncio.wait_for(read(), timeout)


def environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode(errors="replace").split("=", 1) for item in raw if b"=" in item)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@pytest.mark.e2e
async def test_a_huge_terminal_size_is_clamped_before_the_app_and_the_app_ends_with_its_socket(tmp_path):
    with Serve(tmp_path) as serve:
        async with aiohttp.ClientSession() as session:
            ws = await session.ws_connect(serve.ws_url(width=100000, height=100000), headers=origin(serve))
            await first_output(ws)
            (app,) = serve.apps()
            env = environ(app)
            assert (env["COLUMNS"], env["ROWS"]) == ("500", "200")
            await ws.send_json(["resize", {"width": 100000, "height": 100000}])
            rows: set[int] = set()
            columns: set[int] = set()

            async def until_the_bottom_row():
                async for message in ws:
                    if message.type == aiohttp.WSMsgType.BINARY:
                        for y, x in re.findall(rb"\x1b\[(\d+);(\d+)H", message.data):
                            rows.add(int(y))
                            columns.add(int(x))
                        if 200 in rows:
                            return

            await asyncio.wait_for(until_the_bottom_row(), 30)
            assert max(rows) == 200 and max(columns) <= 500
            assert rss_mb(app) < 1000
            await ws.close()  # the browser leaves
        took = await async_wait_until(lambda: not alive(app), APP_ENDS_WITHIN)
        assert took is not None, f"the app process {app} outlived its WebSocket"


@pytest.mark.e2e
async def test_an_early_leaver_leaves_no_process_and_sigterm_to_serve_ends_every_app(tmp_path):
    with Serve(tmp_path) as serve:
        async with aiohttp.ClientSession() as session:
            live = await session.ws_connect(serve.ws_url(), headers=origin(serve))
            # What `chromium --headless --screenshot URL` does: connect, send its size, leave at
            # once. The app gets "quit" before its first paint, and Textual 8.2.8 never ends such
            # an app by itself (it re-renders at full CPU and ignores SIGTERM).
            early = await session.ws_connect(serve.ws_url(width=133, height=36), headers=origin(serve))
            await early.send_json(["resize", {"width": 133, "height": 44}])
            assert await async_wait_until(lambda: len(serve.apps()) == 2, 10) is not None
            await early.close()
            await first_output(live)
            (app,) = (
                list(serve.apps())
                if await async_wait_until(lambda: len(serve.apps()) == 1, APP_ENDS_WITHIN) is not None
                else [None]
            )
            assert app is not None, f"the early leaver outlived its browser: {serve.apps()}"
            took = serve.stop(signal.SIGTERM)
            assert took is not None and took < APP_ENDS_WITHIN, f"serve took {took} s to end"
            assert serve.proc.returncode == 0
            assert wait_until(lambda: not alive(app), APP_ENDS_WITHIN) is not None, f"app {app} outlived serve"
            await live.close()


@pytest.mark.e2e
async def test_serve_killed_with_sigkill_leaves_no_app(tmp_path):
    # Nothing in serve runs after SIGKILL: the app ends by itself (it dies with its parent).
    with Serve(tmp_path) as serve:
        async with aiohttp.ClientSession() as session:
            ws = await session.ws_connect(serve.ws_url(), headers=origin(serve))
            await first_output(ws)
            apps = serve.apps()
            await asyncio.sleep(1.0)  # drawn and idle
            serve.stop(signal.SIGKILL)
            took = wait_until(lambda: not any(alive(p) for p in apps), APP_ENDS_WITHIN)
            assert took is not None, f"app processes {apps} outlived serve"
            await ws.close()
