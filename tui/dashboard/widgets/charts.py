"""Inline charts drawn with plain Unicode text: bars and dot strips that fit in a table cell."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text

from cases.model import is_number
from tui.dashboard.widgets.palette import GROUP_MARK

EIGHTHS = " ▏▎▍▌▋▊▉█"
SEVERAL = "*"


def bar(value: float | None, lo: float | None, hi: float | None, width: int) -> str:
    """A horizontal bar of ``width`` cells for ``value`` on the scale lo..hi (blank when undefined)."""
    if value is None or lo is None or hi is None or width <= 0:
        return " " * max(width, 0)
    span = hi - lo
    fraction = 1.0 if span <= 0 else min(max((value - lo) / span, 0.0), 1.0)
    eighths = round(fraction * width * 8)
    if fraction > 0 and eighths == 0:
        eighths = 1
    full, part = divmod(eighths, 8)
    text = "█" * full + (EIGHTHS[part] if part else "")
    return text.ljust(width)


def position(value: float, lo: float, hi: float, width: int) -> int:
    if hi <= lo:
        return width // 2
    return min(max(round((value - lo) / (hi - lo) * (width - 1)), 0), width - 1)


def numbers(values: Iterable[object]) -> list[float]:
    return [float(v) for v in values if is_number(v)]


def scale(values: Iterable[object]) -> tuple[float | None, float | None]:
    """The lowest and the highest number among ``values`` (None, None when there is none)."""
    nums = numbers(values)
    return (min(nums), max(nums)) if nums else (None, None)


def bar_scale(values: Iterable[object]) -> tuple[float | None, float | None]:
    """The scale of bars for ``values``: from zero to the highest, when no value is below zero.

    A bar's length is then proportional to its value (35 participants draw about 60% of 57's bar,
    not nothing). With a value below zero the bars start at the lowest value instead, and the
    caller says so (``baseline_note``). Every value zero: the scale 0..1, so that no bar is drawn.
    """
    lo, hi = scale(values)
    if lo is None or hi is None:
        return None, None
    if lo >= 0:
        return 0.0, (hi if hi > 0 else 1.0)
    return lo, hi


def baseline_note(lo: float | None, digits: int = 2) -> str:
    """Where bars start, in words: "" for zero (the usual), else "bars from -2.00"."""
    if lo is None or lo == 0:
        return ""
    return f"bars from {lo:.{digits}f}"


_BITS = {"high": 1, "low": 2, "middle": 4}


def strip(points: Iterable[tuple[object, str]], width: int, styles: dict[str, str]) -> Text:
    """A dot strip: one cell per position on the common scale, marked H, L or M by group.

    ``points`` are (value, group) pairs; a cell holding sites of more than one group shows ``*``.
    Non-numeric values (suppressed counts) are left out.
    """
    pts = [(v, g) for v, g in points if v.__class__ is float or is_number(v)]
    if not pts:
        return Text("(no values)".ljust(width)[:width], style="dim", end="")
    lo, hi = min(v for v, _ in pts), max(v for v, _ in pts)
    cells = [0] * width  # per cell, a bit for each group found there
    bit_of = dict(_BITS)
    factor = (width - 1) / (hi - lo) if hi > lo else 0.0
    for v, g in pts:
        bit = bit_of.get(g) or bit_of.setdefault(g, 1 << len(bit_of))
        cells[int((v - lo) * factor + 0.5) if factor else width // 2] |= bit
    group_of = {bit: g for g, bit in bit_of.items()}
    out = Text(end="", no_wrap=True)
    for bits in cells:
        if not bits:
            out.append("·", style="dim")
        elif bits & (bits - 1):  # more than one group
            out.append(SEVERAL, style="bold")
        else:
            g = group_of[bits]
            out.append(GROUP_MARK.get(g, "?"), style=styles.get(g, ""))
    return out


def marker_strip(values: Iterable[float], mine: float | None, width: int, style: str) -> Text:
    """A strip of every site's value (·) with this site's value marked ◆."""
    nums = numbers(values)
    if not nums or mine is None:
        return Text("(no value)".ljust(width)[:width], style="dim", end="")
    lo, hi = min(nums), max(nums)
    cells = [" "] * width
    for v in nums:
        cells[position(v, lo, hi, width)] = "·"
    at = position(mine, lo, hi, width)
    out = Text("".join(cells[:at]), style="dim", end="", no_wrap=True)
    out.append("◆", style=style)
    out.append("".join(cells[at + 1 :]), style="dim")
    return out
