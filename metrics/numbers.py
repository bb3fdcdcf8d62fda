"""Every way crosscase writes a number, in one module; each form exists for a reason, given here.

For machines:
- ``num``: the JSON summary and the snapshot (interfaces.md): a float of 12 significant digits, so that
  binary noise (1.0650000000000004) never reaches a file and a value read back compares equal.

For people:
- ``fixed`` / ``fmt``: a figure with a fixed number of decimals (the text and markdown summaries, the
  screens), rounded half up from ``num``'s 12 digits so that a live view and a reopened snapshot show
  the same figure; ``fmt`` adds "-" for an undefined figure and keeps a suppressed count ("<10") as is.
- ``fmt_p``: a permutation p (three decimals, "~" when sampled, "pending" before it is computed).
- ``decimals``: how many decimals one metric's values need on a screen (their spread, their own precision).
- ``figure``: a rule's diff or gap on a screen: a whole number without decimals, "–" when there is none.
- ``short``: a parameter, threshold or cut inside a token or a sentence ("gap>=1", "min_share=0.75"):
  the shortest form (format ``g``). The layer below (cases) writes the same ``{value:g}`` in its messages.
- ``signed``: a difference between the groups with its sign, to three significant digits ("+0.213").
- ``plain``: Python's own rounding of the float, as these figures have always printed: the agreement,
  configuration and consensus tables (figures computed on the spot, never read back from a snapshot)
  and a link's Hedges' g on the Literature screen. Moving them to ``fixed`` would change a figure at
  a tie (0.125 is "0.12" here, "0.13" there), so they keep their own function.
"""

from __future__ import annotations

import decimal
import itertools
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

from cases.model import is_number

if TYPE_CHECKING:
    from metrics.parts import MetricResult

DIGITS = 12
MOST = 4  # decimals at the most on a screen (``decimals``)
NONE = "–"  # a screen's figure that the rule did not compute (``figure``)


def num(value: float | int | None) -> float | None:
    """A number rounded to 12 significant digits (None stays None; -0.0 becomes 0.0)."""
    if value is None:
        return None
    out = float(f"{float(value):.{DIGITS}g}")
    return 0.0 if out == 0 else out


def fmt(value: object, digits: int = 3) -> str:
    """A figure for people: fixed decimals, "-" for an undefined one, a suppressed count as is."""
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if not isinstance(value, int | float):
        raise TypeError(f"not a figure: {value!r}")
    return fixed(value, digits)


def fixed(value: float, digits: int) -> str:
    """``value`` with ``digits`` decimals, rounded half up from the 12 significant digits that the
    summary and a snapshot keep (``num``): the live view and a reopened snapshot show the same
    figure. Rounding the float itself gave 1.07 live for 1.0650000000000004 and 1.06 from the
    file (1.065, in binary just below); now both show 1.07."""
    kept = repr(num(value))
    if not math.isfinite(value) or ("e" not in kept and len(kept.partition(".")[2]) <= digits):
        return f"{float(kept):.{digits}f}"  # nothing to round (or inf, nan): as before
    with decimal.localcontext() as context:
        context.rounding = decimal.ROUND_HALF_UP
        return format(decimal.Decimal(kept), f".{digits}f")


def fmt_p(m: MetricResult) -> str:
    if m.permutation is None:
        return "pending"
    if m.permutation.p is None:
        return "-"
    return fixed(m.permutation.p, 3) + ("" if m.permutation.exact else "~")


def short(value: object) -> str:
    """A parameter, threshold or cut in a token or a sentence: ``2.5``, ``1``, ``0.75`` (format g);
    anything that is not a number as its text."""
    return f"{value:g}" if is_number(value) else str(value)


def signed(value: float | None) -> str:
    """A difference between the groups: ``+0.213``, ``-1.5`` (three significant digits), "n/a" for none."""
    return "n/a" if value is None else f"{value:+.3g}"


def plain(value: float | None, digits: int, none: str = "-") -> str:
    """``value`` with ``digits`` decimals as Python (and R, and a spreadsheet) round it; ``none`` for None."""
    return none if value is None else f"{value:.{digits}f}"


def figure(value: object, digits: int = 2) -> str:
    """A diff or a gap: ``1.67``, ``1`` for a whole number, "–" when the rule had none."""
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return NONE
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.{digits}f}"


# --- how many decimals one metric's values are shown with: as many as their spread needs ---------
#
# Two decimals hid small proportions (0.07 against 0.068); a fixed number cannot suit both a score of
# 1-5 and a share of 0.05-0.09. ``decimals`` gives:
# - 0 when every value is a whole number (counts, ratings);
# - else enough for two significant digits of the smallest difference between two distinct values,
#   and for one significant digit of the smallest value that is not zero (so it never shows as 0.00),
# - but never more than the data's own precision (values written with 2 decimals keep 2: 4.20 is not
#   shown as 4.2000), at least 2 and at most ``MOST``.


def _numbers(values: Iterable[object]) -> list[float]:
    out = []
    for v in values:
        if is_number(v) and math.isfinite(v):
            out.append(float(v))
    return out


def precision(nums: list[float], most: int = MOST) -> int:
    """The fewest decimals (up to ``most``) that write every value exactly, as in its file."""
    for d in range(most + 1):
        if all(abs(round(v, d) - v) <= 1e-9 * max(1.0, abs(v)) for v in nums):
            return d
    return most


def decimals(values: Iterable[object]) -> int:
    """The number of decimals to show every value of one metric with (see above)."""
    nums = sorted(set(_numbers(values)))
    if not nums:
        return 2
    if all(v.is_integer() for v in nums):
        return 0
    need = 2
    gaps = [b - a for a, b in itertools.pairwise(nums) if b - a > 1e-12 * max(1.0, abs(b))]
    if gaps:
        need = max(need, 1 - math.floor(math.log10(min(gaps))))
    small = [abs(v) for v in nums if v != 0]
    if small:
        need = max(need, -math.floor(math.log10(min(small))))
    return max(2, min(need, precision(nums), MOST))
