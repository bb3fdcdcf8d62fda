"""The one error the front ends share: bad arguments or bad input, exit status 2 (interfaces.md)."""

from __future__ import annotations


class UsageError(Exception):
    """Bad arguments or bad input: exit status 2 with these lines on stderr."""

    def __init__(self, *lines: str):
        self.lines = lines
        super().__init__("\n".join(lines))
