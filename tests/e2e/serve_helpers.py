"""Helpers of the serve and browser tests: the real ``crosscase serve``, its processes, a CDP client.

serve is started as a user starts it (``python -m tui.cli serve``) on a free port; its URL (with
the token) is read from what it prints. A process's descendants are read from /proc, so a test can
say which app processes serve started and whether any is left. The DevTools client speaks the
Chrome DevTools Protocol over a WebSocket with aiohttp (textual-serve's own dependency).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = next((p for p in (shutil.which("chromium"), "/usr/bin/chromium") if p and os.access(p, os.X_OK)), None)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Serve:
    """``crosscase serve`` in its own process group; use as a context manager (stops it, whatever)."""

    def __init__(self, cwd: Path, *args: str) -> None:
        self.port = free_port()
        env = {**os.environ, "PYTHONPATH": str(REPO), "TEXTUAL_ANIMATIONS": "none"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tui.cli", "serve", "--port", str(self.port), *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.url = ""
        self.output: list[str] = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.output.append(line)
            m = re.search(r"(http://\S+/\?token=(\S+))", line)
            if m:
                self.url, self.token = m.group(1), m.group(2)
                break
        if not self.url:
            self.stop()
            raise AssertionError(f"serve printed no URL: {''.join(self.output)}")
        self.base = f"http://127.0.0.1:{self.port}"

    def ws_url(self, token: str | None = None, width: int = 100, height: int = 30) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/{token or self.token}?width={width}&height={height}"

    def apps(self) -> list[int]:
        """Every living process below serve (its app processes)."""
        return descendants(self.proc.pid)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> float | None:
        """Signal serve; the seconds until it ended (None if it had to be killed)."""
        if self.proc.poll() is not None:
            return 0.0
        start = time.monotonic()
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
            return time.monotonic() - start
        except subprocess.TimeoutExpired:
            kill_group(self.proc.pid)
            self.proc.wait(5)
            return None

    def __enter__(self) -> Serve:
        return self

    def __exit__(self, *exc) -> None:
        apps = self.apps()
        self.stop()
        for pid in apps:  # whatever a failed test left behind
            kill_group(pid)
        if self.proc.stdout:
            self.proc.stdout.close()


def kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, state) of a process, None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), fields[0]


def alive(pid: int) -> bool:
    st = _stat(pid)
    return st is not None and st[1] not in ("Z", "X")


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            st = _stat(int(entry))
            if st is not None and st[1] not in ("Z", "X"):
                children.setdefault(st[0], []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def wait_until(test, timeout: float, step: float = 0.05) -> float | None:
    """Poll ``test()`` until true; the seconds it took, None on timeout."""
    start = time.monotonic()
    while True:
        if test():
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            return None
        time.sleep(step)


async def async_wait_until(test, timeout: float, step: float = 0.05) -> float | None:
    start = time.monotonic()
    while True:
        if test():
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            return None
        await asyncio.sleep(step)


def http_status(url: str, headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as reply:
            return reply.status
    except urllib.error.HTTPError as exc:
        return exc.code


# -- Chromium through the DevTools protocol --------------------------------------------------------

# Keeps a reference to the page's xterm.js Terminal: textual.js assigns ``this.terminal = new
# Terminal(...)`` and keeps it to itself; a setter of that name on Object.prototype sees the
# assignment, stores the value as the object's own property, and remembers it on window.
CAPTURE_TERMINAL = """
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
    if (value && value.buffer && value.buffer.active) { window.__xterm = value; }
  },
  get() { return undefined; },
});
"""

READ_SCREEN = """(() => {
  const t = window.__xterm;
  if (!t) { return null; }
  const b = t.buffer.active, lines = [];
  for (let y = 0; y < t.rows; y++) {
    const line = b.getLine(b.viewportY + y);
    lines.push(line ? line.translateToString(true) : "");
  }
  return lines.join("\\n");
})()"""


class Chromium:
    """Headless Debian chromium with a DevTools port, in its own process group."""

    FLAGS = (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    )

    def __init__(self, profile: Path, width: int = 1280, height: int = 800) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            [
                CHROMIUM,
                *self.FLAGS,
                f"--user-data-dir={profile}",
                f"--remote-debugging-port={self.port}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def page_ws_url(self, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list", timeout=2) as reply:
                    for target in json.load(reply):
                        if target.get("type") == "page" and target.get("webSocketDebuggerUrl"):
                            return target["webSocketDebuggerUrl"]
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise AssertionError(f"chromium exited {self.proc.returncode}")
            time.sleep(0.1)
        raise AssertionError("chromium's DevTools port never answered")

    def close(self) -> None:
        """The browser leaves: chromium and all its processes end."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                kill_group(self.proc.pid)
                self.proc.wait(5)
        kill_group(self.proc.pid)  # helpers (zygote, renderers) still in the group


class CDP:
    """A DevTools session on one page: ``await cdp.call(method, **params)``; events in ``events``."""

    def __init__(self, ws) -> None:
        self.ws = ws
        self.next_id = 0
        self.pending: dict[int, asyncio.Future] = {}
        self.events: list[dict] = []
        self.reader = asyncio.ensure_future(self._read())

    @classmethod
    async def connect(cls, session, url: str) -> CDP:
        return cls(await session.ws_connect(url, max_msg_size=0))

    async def _read(self) -> None:
        async for message in self.ws:
            data = json.loads(message.data)
            if "id" in data and data["id"] in self.pending:
                self.pending.pop(data["id"]).set_result(data)
            elif "method" in data:
                self.events.append(data)

    async def call(self, method: str, timeout: float = 10.0, **params) -> dict:
        self.next_id += 1
        future = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = future
        await self.ws.send_json({"id": self.next_id, "method": method, "params": params})
        reply = await asyncio.wait_for(future, timeout)
        if "error" in reply:
            raise AssertionError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    async def evaluate(self, expression: str):
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    async def screen(self) -> str | None:
        return await self.evaluate(READ_SCREEN)

    async def wait_for_screen(self, test, timeout: float, describe: str) -> str:
        deadline = time.monotonic() + timeout
        screen = None
        while time.monotonic() < deadline:
            screen = await self.screen()
            if screen is not None and test(screen):
                return screen
            await asyncio.sleep(0.1)
        raise AssertionError(f"waited {timeout:.0f} s for {describe}; the page's terminal:\n{screen}")

    async def click(self, x: float, y: float) -> None:
        for kind in ("mousePressed", "mouseReleased"):
            await self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)

    async def press(self, key: str) -> None:
        """One printable key, as the keyboard sends it."""
        code = f"Key{key.upper()}" if key.isalpha() else ""
        vk = ord(key.upper())
        await self.call(
            "Input.dispatchKeyEvent",
            type="keyDown",
            key=key,
            code=code,
            text=key,
            unmodifiedText=key,
            windowsVirtualKeyCode=vk,
        )
        await self.call("Input.dispatchKeyEvent", type="keyUp", key=key, code=code, windowsVirtualKeyCode=vk)

    def requested_urls(self) -> list[str]:
        urls = [e["params"]["request"]["url"] for e in self.events if e["method"] == "Network.requestWillBeSent"]
        urls += [e["params"]["url"] for e in self.events if e["method"] == "Network.webSocketCreated"]
        return urls

    async def close(self) -> None:
        self.reader.cancel()
        await self.ws.close()
