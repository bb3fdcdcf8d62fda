"""Calibration for QCA: set memberships from raw values (analysis.md section 3).

Three kinds of condition:
- crisp: membership 1 when the value is at least ``at_least`` (or at most ``at_most``), 0 otherwise;
- direct (fuzzy) calibration, Ragin's (2008) log-odds method with anchors (exclusion, crossover,
  inclusion): the anchors are decreasing when the first is larger than the last;
- rating: membership 1 when a CFIR rating's valence is >= ``at_least`` (or <= ``at_most``), 0
  otherwise; a token without a valence (X, Missing, N/A, ...) is missing (None).

Memberships are not rounded. ``LOG_ODDS`` 3 puts the full anchors at 0.953 (Ragin, fsQCA); R's
QCA ``calibrate(..., idm = 0.95)`` is ``log_odds = ln 19`` (``IDM_095``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

LOG_ODDS = 3.0
IDM_095 = math.log(19.0)


def check_anchors(anchors: Sequence[float]) -> tuple[float, float, float]:
    """The three anchors as floats; ValueError unless strictly increasing or strictly decreasing."""
    if len(anchors) != 3:
        raise ValueError(f"fuzzy needs three anchors (exclusion, crossover, inclusion), not {len(anchors)}")
    e, c, i = (float(a) for a in anchors)
    if not all(math.isfinite(v) for v in (e, c, i)):
        raise ValueError("fuzzy anchors must be finite numbers")
    if not (e < c < i or e > c > i):
        raise ValueError(f"fuzzy anchors must be strictly ordered (increasing or decreasing), not {e:g}, {c:g}, {i:g}")
    return e, c, i


def direct(values, anchors: Sequence[float], log_odds: float = LOG_ODDS):
    """Direct calibration of one value or an array of values (NaN stays NaN).

    With e, c, i the anchors and L = ``log_odds``: 1 / (1 + exp(-L (x - c) / (i - c))) on the
    inclusion side of c and 1 / (1 + exp(-L (x - c) / (c - e))) on the exclusion side; for
    decreasing anchors the same formulas hold (both denominators are then negative).
    """
    e, c, i = check_anchors(anchors)
    if not log_odds > 0:
        raise ValueError("log_odds must be positive")
    x = np.asarray(values, dtype=float)
    inclusion_side = (x - c) * (i - c) >= 0
    scale = np.where(inclusion_side, i - c, c - e)
    with np.errstate(over="ignore"):
        out = 1.0 / (1.0 + np.exp(-log_odds * (x - c) / scale))
    return float(out) if out.ndim == 0 else out


def crisp(value: float | None, at_least: float | None = None, at_most: float | None = None) -> int | None:
    """1 when ``value`` >= at_least (or <= at_most), 0 otherwise; None stays None."""
    if (at_least is None) == (at_most is None):
        raise ValueError("a crisp condition needs exactly one of at_least, at_most")
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if at_least is not None:
        return int(value >= at_least)
    assert at_most is not None  # exactly one of the two (checked above)
    return int(value <= at_most)


def rating(token: str | None, at_least: float | None = None, at_most: float | None = None) -> int | None:
    """Membership from a rating token: by its valence; None for a token without one."""
    from cases.tokens import canonical_token, valence

    canonical = None if token is None else canonical_token(token)
    v = None if canonical is None else valence(canonical)
    return None if v is None else crisp(float(v), at_least, at_most)


def calibrated(value: float | None) -> float | None:
    """A value that already is a membership: ValueError outside [0, 1]."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    v = float(value)
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"a calibrated value must lie in [0, 1], not {v:g}")
    return v
