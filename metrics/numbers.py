"""Numbers as the JSON summary and the snapshot write them (interfaces.md)."""

from __future__ import annotations

DIGITS = 12


def num(value: float | int | None) -> float | None:
    """A number rounded to 12 significant digits (None stays None; -0.0 becomes 0.0)."""
    if value is None:
        return None
    out = float(f"{float(value):.{DIGITS}g}")
    return 0.0 if out == 0 else out
