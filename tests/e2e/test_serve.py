"""crosscase serve: the dashboard in a browser (textual-serve), bound to 127.0.0.1 by default."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tui.cli import build_parser

REPO = Path(__file__).resolve().parents[2]
pytest.importorskip("textual_serve")


def test_serve_binds_to_loopback_by_default():
    args = build_parser().parse_args(["serve"])
    assert args.host == "127.0.0.1" and args.port == 8000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.e2e
def test_serve_answers_a_browser_on_loopback(tmp_path):
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "tui.cli", "serve", "--port", str(port)], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        page = None
        while time.monotonic() < deadline and page is None:
            if proc.poll() is not None:
                pytest.fail(f"serve exited {proc.returncode}: {proc.stdout.read().decode(errors='replace')}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as reply:
                    page = reply.read().decode("utf-8", "replace")
            except OSError:
                time.sleep(0.2)
        assert page is not None, "no answer on 127.0.0.1"
        assert "crosscase" in page.lower()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
