"""One way for tests to run the command line in-process: ``run_cli(capsys, *argv)``."""

from __future__ import annotations

from tui.cli import main


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    """``crosscase ARGV`` through ``tui.cli.main``: (exit status, stdout, stderr), never a traceback."""
    capsys.readouterr()
    rc = main([str(a) for a in argv])
    cap = capsys.readouterr()
    assert "Traceback" not in cap.out + cap.err
    return rc, cap.out, cap.err
