"""End to end over SSH: the dashboard run through OpenSSH (to this machine) inside tmux.

The test starts its own sshd on 127.0.0.1 (a free port, a host key and a user key made for the
test, a minimal config in tmp_path), then runs ``ssh -tt`` in tmux with TERM=xterm-256color and no
COLORTERM (what a user's SSH session usually has), and drives the dashboard with keys.
"""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import socket
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from e2e_helpers import REPO, START_TIMEOUT, Tmux, have, sgr_params, status_counts, type_into_field


def find_sshd() -> str | None:
    found = shutil.which("sshd")
    if found:
        return found
    return "/usr/sbin/sshd" if os.access("/usr/sbin/sshd", os.X_OK) else None


SSHD = find_sshd()

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        SSHD is None or not have("ssh", "ssh-keygen", "tmux"),
        reason="needs OpenSSH's sshd, ssh and ssh-keygen, and tmux",
    ),
]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.settimeout(2)
            return s.recv(4).startswith(b"SSH-")
    except OSError:
        return False


def keygen(path: Path, comment: str) -> None:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", str(path)],
        check=True,
        capture_output=True,
        timeout=30,
    )


SSHD_CONFIG = """\
ListenAddress 127.0.0.1
Port {port}
HostKey {host_key}
AuthorizedKeysFile {authorized_keys}
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
StrictModes no
UsePAM no
PermitRootLogin yes
PidFile {pid_file}
PrintMotd no
PrintLastLog no
UseDNS no
X11Forwarding no
PermitUserEnvironment no
# no AcceptEnv line: the server accepts no variables from the client (TERM travels with the pty)
"""


class Sshd:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.user = pwd.getpwuid(os.geteuid()).pw_name
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.log = folder / "sshd.log"

    def start(self) -> None:
        f = self.folder
        keygen(f / "host_key", "crosscase-e2e-host")
        keygen(f / "user_key", "crosscase-e2e-user")
        (f / "authorized_keys").write_text((f / "user_key.pub").read_text())
        if os.geteuid() == 0:
            # sshd running as root wants its privilege-separation directory (packages make it
            # when the service first starts, which a container never does)
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
        for _ in range(3):  # another process may take the free port first
            self.port = free_port()
            config = f / "sshd_config"
            config.write_text(
                SSHD_CONFIG.format(
                    port=self.port,
                    host_key=f / "host_key",
                    authorized_keys=f / "authorized_keys",
                    pid_file=f / "sshd.pid",
                )
            )
            with open(self.log, "ab") as log:
                self.proc = subprocess.Popen(
                    [SSHD, "-D", "-e", "-f", str(config)], stdin=subprocess.DEVNULL, stdout=log, stderr=log
                )
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and self.proc.poll() is None:
                if listening(self.port):
                    return
                time.sleep(0.1)
            self.stop()
        raise AssertionError(f"sshd did not start; its log:\n{self.log.read_text(errors='replace')}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.proc = None

    def ssh_line(self, remote: str) -> str:
        """The shell line that runs ``remote`` over SSH as a user's terminal would."""
        ssh = [
            "env",
            "-u",
            "COLORTERM",
            "-u",
            "COLUMNS",
            "-u",
            "LINES",
            "TERM=xterm-256color",
            "ssh",
            "-F",
            "/dev/null",
            "-tt",
            "-i",
            str(self.folder / "user_key"),
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "BatchMode=yes",
            "-o",
            "LogLevel=ERROR",
            "-p",
            str(self.port),
            f"{self.user}@127.0.0.1",
            remote,
        ]
        return f"{shlex.join(ssh)}; echo EXIT:$?; sleep 30"


def test_dashboard_over_ssh(tmp_path):
    folder = tmp_path / "ssh"
    folder.mkdir(mode=0o700)
    out = tmp_path / "over-ssh.toml"
    remote = (
        f"cd {shlex.quote(str(REPO))} && env TEXTUAL_ANIMATIONS=none "
        f"PYTHONPATH={shlex.quote(str(REPO))} {shlex.quote(sys.executable)} -m tui.cli"
    )
    sshd = Sshd(folder)
    tmux = Tmux(100, 30)
    try:
        sshd.start()
        tmux.start(sshd.ssh_line(remote), cwd=tmp_path)
        try:
            screen = tmux.wait_for(
                lambda s: "ILLUSTRATIVE DATA" in s and "High (" in s and status_counts(s) is not None,
                START_TIMEOUT,
                describe="the Compare screen over SSH",
            )
        except AssertionError as exc:
            raise AssertionError(f"{exc}\nsshd log:\n{sshd.log.read_text(errors='replace')}") from None
        assert status_counts(screen) == (3, 3, 1)
        # OpenSSH forwards TERM but not COLORTERM: Textual draws with 256 colours, not 24-bit
        coloured = tmux.screen(escapes=True)
        params = sgr_params(coloured)
        assert any(p[:2] == ["38", "5"] for p in params)
        assert not any(p[:2] in (["38", "2"], ["48", "2"]) for p in params)

        tmux.keys("s")
        tmux.wait_for(
            lambda s: "crosscase — Sites" in s and "Northgate" in s and "Grp" in s, describe="the Sites screen"
        )
        tmux.keys("t")
        tmux.wait_for(
            lambda s: "crosscase — Themes" in s and "Training and supervis" in s, describe="the Themes screen"
        )
        tmux.keys("c")
        tmux.wait_for(lambda s: "crosscase — Compare" in s and "High (3)" in s, describe="Compare again")

        tmux.keys("e")
        tmux.wait_for("Export the current comparison")
        type_into_field(tmux, "File", str(out))
        tmux.keys("Enter")
        data: dict = {}

        def written(screen: str) -> bool:
            nonlocal data
            try:
                data = tomllib.loads(out.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError):
                return False
            return "Snapshot written to" in screen

        tmux.wait_for(written, describe=f"the snapshot {out}")
        assert data["schema"] == "crosscase.snapshot/1"
        assert data["view"]["screen"] == "compare"
        assert sorted(data["groups"]["high"]) == ["S1", "S3", "S5"]

        tmux.keys("q")
        assert tmux.wait_for_exit() == 0  # the remote command ended, then ssh
        assert f"Accepted publickey for {sshd.user}" in sshd.log.read_text(errors="replace")
    finally:
        tmux.kill()
        sshd.stop()
