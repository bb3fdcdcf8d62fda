"""How many decimals a metric's values are shown with: as many as their spread needs.

Two decimals hid small proportions (0.07 against 0.068); a fixed number cannot suit both a score of
1-5 and a share of 0.05-0.09. ``decimals`` gives:
- 0 when every value is a whole number (counts, ratings);
- else enough for two significant digits of the smallest difference between two distinct values,
  and for one significant digit of the smallest value that is not zero (so it never shows as 0.00),
- but never more than the data's own precision (values written with 2 decimals keep 2: 4.20 is not
  shown as 4.2000), at least 2 and at most ``MOST``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable

MOST = 4


def _numbers(values: Iterable[object]) -> list[float]:
    out = []
    for v in values:
        if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v):
            out.append(float(v))
    return out


def precision(nums: list[float], most: int = MOST) -> int:
    """The fewest decimals (up to ``most``) that write every value exactly, as in its file."""
    for d in range(most + 1):
        if all(abs(round(v, d) - v) <= 1e-9 * max(1.0, abs(v)) for v in nums):
            return d
    return most


def decimals(values: Iterable[object]) -> int:
    """The number of decimals to show every value of one metric with (see the module)."""
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
