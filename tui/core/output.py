"""What a command does with its standard output when the reader has gone."""

from __future__ import annotations

import os
import sys


def quiet_stdout() -> None:
    """After a closed pipe, send what is left of stdout nowhere (no error at exit)."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass
