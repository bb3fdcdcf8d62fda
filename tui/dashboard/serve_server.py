"""crosscase serve's web server: textual-serve's Server and AppService with what they lack (see
tui/dashboard/serve.py, whose app side this serves): app processes stopped in steps, a page that
fetches nothing from outside, a token, Host and Origin checks, clamped terminal sizes.

Imported only when serve runs (aiohttp and textual-serve are the optional ``serve`` extra).
"""

from __future__ import annotations

import asyncio
import hmac
import html
import json
import logging
import os
import secrets
import signal
import sys
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from tui.dashboard.serve import MAX_SESSIONS, PARENT_ENV, QUIT_GRACE, STOP_SIGNALS, TERM_GRACE, clamp_size

log = logging.getLogger("crosscase.serve")

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<title>{title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/css/xterm.css">
<style>
@font-face {{ font-family: "Roboto Mono"; font-style: normal; font-weight: 100 700;
  src: url("/static/fonts/RobotoMono-VariableFont_wght.ttf") format("truetype"); }}
@font-face {{ font-family: "Roboto Mono"; font-style: italic; font-weight: 100 700;
  src: url("/static/fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype"); }}
html, body {{ margin: 0; height: 100%; }}
body {{ background: #0c181f; color: rgba(255, 255, 255, 0.95); font-family: "Roboto Mono", monospace; }}
.dialog-container {{ position: absolute; width: 100vw; height: 100vh; display: flex;
  align-items: center; justify-content: center; z-index: 10; }}
.intro {{ width: 640px; height: 160px; font-size: 16px; z-index: 20; text-align: center;
  background-color: #12232d; display: flex; flex-direction: column; align-items: center;
  justify-content: center; margin: 32px; }}
body.-first-byte .intro-dialog {{ display: none; }}
body .textual-terminal {{ opacity: 0; transition: opacity 0.3s ease-out; }}
body.-first-byte .textual-terminal {{ opacity: 1; }}
button {{ padding: 12px 28px; background-color: #5e0ba7; color: rgba(255, 255, 255, 0.95);
  border: none; font-family: inherit; margin: 16px; cursor: pointer; }}
.closed-dialog {{ display: none; }}
body.-closed .closed-dialog {{ display: flex; }}
#start {{ display: none; }}
</style>
<script src="/static/js/textual.js"></script>
</head>
<body>
<div class="dialog-container intro-dialog"><div class="intro"><div>{title}: starting…</div>
<button type="button" id="start">Start</button></div></div>
<div class="dialog-container closed-dialog"><div class="intro"><div class="message">Session ended.</div>
<button type="button" id="restart">Restart</button></div></div>
<div id="terminal" class="textual-terminal" data-font-size="{font_size}"></div>
<script src="/static/crosscase-page.js?token={token}"></script>
</body>
</html>
"""

# Sets the WebSocket's address from the page's own (so it works through a tunnel and behind
# --public-url alike) before textual.js reads it on load; an external script because the page's
# Content-Security-Policy allows no inline script.
_PAGE_JS = """(function () {
  var token = new URL(document.currentScript.src).searchParams.get("token");
  var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  document.getElementById("terminal").dataset.sessionWebsocketUrl =
    scheme + window.location.host + "/ws/" + encodeURIComponent(token);
  document.getElementById("restart").addEventListener("click", function () {
    window.location.reload();
  });
})();
"""


def _netloc(host: str, port: int, scheme: str = "http") -> str:
    host = f"[{host}]" if ":" in host and not host.startswith("[") else host
    default = 443 if scheme == "https" else 80
    return host if port == default else f"{host}:{port}"


class AppProcess(AppService):
    """One app process: started without a shell in its own session, stopped in steps."""

    def __init__(self, argv: list[str], **kwargs) -> None:
        super().__init__(" ".join(argv), **kwargs)
        self.argv = argv
        self._stopping: asyncio.Task | None = None

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(*clamp_size(width, height))
        environment[PARENT_ENV] = str(os.getpid())
        environment.pop("TEXTUAL", None)
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24):
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._build_environment(width, height),
            start_new_session=True,
        )
        self._stdin = process.stdin
        return process

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    async def set_terminal_size(self, width: int, height: int) -> None:
        await super().set_terminal_size(*clamp_size(width, height))

    # Once the browser has gone its writes fail; go on reading the app's output all the same,
    # so that the app never blocks on a full pipe (it would stop answering anything).
    async def on_data(self, payload: bytes) -> None:
        try:
            await self.remote_write_bytes(payload)
        except Exception:
            pass

    async def on_meta(self, data: bytes) -> None:
        try:
            await super().on_meta(data)
        except Exception:
            pass

    async def stop(self) -> None:
        if self._stopping is None:
            self._stopping = asyncio.ensure_future(self._stop())
        await asyncio.shield(self._stopping)

    async def _stop(self) -> None:
        process = self._process
        if process is None:
            return
        try:
            await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
        except Exception:
            pass
        if process.returncode is None:
            await self.send_meta({"type": "quit"})
            if self._stdin is not None:
                self._stdin.close()
            if not await _wait(process, QUIT_GRACE):
                _signal_group(process.pid, signal.SIGTERM)
                if not await _wait(process, TERM_GRACE):
                    _signal_group(process.pid, signal.SIGKILL)
                    await _wait(process, 5.0)
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, 2.0)
            except (TimeoutError, asyncio.CancelledError):
                pass
            except Exception:
                log.exception("app output")
            self._task = None


class CrosscaseServer(Server):
    def __init__(
        self, argv: list[str], host: str, port: int, public_url: str | None = None, token: str | None = None
    ) -> None:
        super().__init__(
            " ".join(argv),
            host=host,
            port=port,
            title="crosscase",
            public_url=public_url or f"http://{_netloc(host, port)}",
        )
        self.argv = argv
        self.token = token or secrets.token_urlsafe(24)
        self.sessions: dict[AppProcess, web.WebSocketResponse] = {}
        self.stopping = False
        hosts = {_netloc(h, port) for h in ("127.0.0.1", "localhost", "::1", host)}
        origins = {f"http://{h}" for h in hosts}
        if public_url:
            parts = urlsplit(public_url)
            if parts.scheme in ("http", "https") and parts.netloc:
                hosts.add(parts.netloc.lower())
                origins.add(f"{parts.scheme}://{parts.netloc.lower()}")
        self.allowed_hosts = {h.lower() for h in hosts}
        self.allowed_origins = {o.lower() for o in origins}

    @property
    def url(self) -> str:
        return f"{self.public_url.rstrip('/')}/?token={self.token}"

    def initialize_logging(self) -> None:
        logging.basicConfig(level=logging.WARNING, format="crosscase serve: %(message)s")

    # -- checks --------------------------------------------------------------------------
    def _token_ok(self, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(token.encode(), self.token.encode())

    def _origin_ok(self, request: web.Request) -> bool:
        origin = request.headers.get("Origin")
        return origin is not None and origin.lower() in self.allowed_origins

    @web.middleware
    async def _host_check(self, request: web.Request, handler):
        if request.headers.get("Host", "").lower() not in self.allowed_hosts:
            raise web.HTTPForbidden(text="crosscase serve: this Host is not served here\n")
        response = await handler(request)
        if isinstance(response, web.StreamResponse) and not response.prepared:
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self._host_check])
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/static/crosscase-page.js", self.handle_page_js),
                web.get("/ws/{token}", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.static("/static", self.statics_path, show_index=False, name="static"),
            ]
        )
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    # -- pages ---------------------------------------------------------------------------
    async def handle_index(self, request: web.Request) -> web.Response:
        if not self._token_ok(request.query.get("token")):
            raise web.HTTPForbidden(text="crosscase serve: open the URL serve printed (with its token)\n")
        font_size = min(max(_int(request.query.get("fontsize"), 16), 6), 64)
        page = _PAGE.format(title="crosscase", font_size=font_size, token=html.escape(self.token))
        host = request.headers["Host"]
        csp = (
            "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; font-src 'self'; "
            f"connect-src 'self' ws://{host} wss://{host}; "
            "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
        )
        return web.Response(
            text=page,
            content_type="text/html",
            headers={"Content-Security-Policy": csp, "Cache-Control": "no-store", "X-Frame-Options": "DENY"},
        )

    async def handle_page_js(self, request: web.Request) -> web.Response:
        return web.Response(text=_PAGE_JS, content_type="text/javascript", headers={"Cache-Control": "no-store"})

    # -- the WebSocket -------------------------------------------------------------------
    async def _process_messages(self, websocket: web.WebSocketResponse, app_service) -> None:
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
                kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            except (ValueError, TypeError, IndexError, KeyError):
                continue
            if kind == "stdin" and isinstance(data, str):
                await app_service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                await app_service.set_terminal_size(data.get("width"), data.get("height"))
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        if not self._token_ok(request.match_info.get("token")):
            raise web.HTTPForbidden(text="crosscase serve: wrong or missing token\n")
        if not self._origin_ok(request):
            raise web.HTTPForbidden(text="crosscase serve: this Origin may not connect\n")
        if self.stopping or len(self.sessions) >= MAX_SESSIONS:
            raise web.HTTPServiceUnavailable(text="crosscase serve: too many sessions\n")
        width, height = clamp_size(request.query.get("width"), request.query.get("height"))
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=1 << 20)
        app_service: AppProcess | None = None
        try:
            await websocket.prepare(request)
            app_service = AppProcess(
                self.argv,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
            )
            self.sessions[app_service] = websocket
            await app_service.start(width, height)
            await self._process_messages(websocket, app_service)
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("session")
        finally:
            if app_service is not None:
                await app_service.stop()
                self.sessions.pop(app_service, None)
            if not websocket.closed:
                await websocket.close()
        return websocket

    # -- start and stop ------------------------------------------------------------------
    async def on_startup(self, app: web.Application) -> None:
        pass

    def announce(self, *_ignored) -> None:
        """Called by run_app once it listens: the URL, token included."""
        print(f"crosscase serve: open {self.url}", flush=True)
        print("crosscase serve: Ctrl+C stops it (and every dashboard it started)", flush=True)

    async def on_shutdown(self, app: web.Application) -> None:
        self.stopping = True
        await self.stop_all()

    async def stop_all(self) -> None:
        sessions = list(self.sessions.items())
        await asyncio.gather(*(service.stop() for service, _ in sessions), return_exceptions=True)
        await asyncio.gather(*(ws.close() for _, ws in sessions if not ws.closed), return_exceptions=True)

    def kill_all(self) -> None:
        """Last resort at exit: SIGKILL the group of every app still running."""
        for service in list(self.sessions):
            process = service._process
            if process is not None and process.returncode is None:
                _signal_group(process.pid, signal.SIGKILL)

    def request_exit(self) -> None:
        from aiohttp.web_runner import GracefulExit

        raise GracefulExit()

    def serve(self, debug: bool = False) -> None:
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for sig in STOP_SIGNALS:
            loop.add_signal_handler(sig, self.request_exit)
        try:
            web.run_app(
                self._make_app(),
                host=self.host,
                port=self.port,
                handle_signals=False,
                loop=loop,
                print=self.announce,
                access_log=None,
                shutdown_timeout=QUIT_GRACE + TERM_GRACE + 1,
            )
        finally:
            self.kill_all()


def _int(value: str | None, default: int) -> int:
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        return default


async def _wait(process, seconds: float) -> bool:
    try:
        await asyncio.wait_for(process.wait(), seconds)
        return True
    except TimeoutError:
        return False


def _signal_group(pid: int, sig: int) -> None:
    try:
        os.killpg(pid, sig)  # its own session: the group id is its pid
    except (ProcessLookupError, PermissionError):
        pass


def app_command(study: str | None) -> list[str]:
    command = [sys.executable, "-m", "tui.dashboard.serve", "app"]
    if study:
        command.append(str(Path(study).resolve()))
    return command


def serve(study: str | None, host: str, port: int, public_url: str | None = None) -> int:
    """Run serve until SIGTERM, SIGINT or SIGHUP; 0 then."""
    server = CrosscaseServer(app_command(study), host=host, port=port, public_url=public_url)
    server.serve()
    return 0
