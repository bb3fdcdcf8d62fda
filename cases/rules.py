"""The distinguishing rules' table: their names, parameters and defaults, and the labels they give.

Schema knowledge that both ``cases`` (study.toml's [distinguishing], a snapshot's labels) and
``metrics`` (the rules themselves, metrics.distinguishing) need, so it lives at the bottom layer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

# the labels a rule gives, strongest first (the order of every table and count)
LABELS = ("strong", "weak", "none", "insufficient")
DEFAULT_RULE = "share"  # the rule when a study names none
VALENCES = (-2, -1, 0, 1, 2)

DEFAULTS: dict[str, dict[str, float]] = {
    # chosen by tests/test_distinguishing_calibration.py (tune over five published tables; docs/distinguishing.md)
    "gap": {"strong_gap": 1.0, "strong_diff": 2.5, "weak_gap": 1.0, "weak_diff": 1.0},
    "means": {"strong_diff": 2.0, "weak_diff": 1.0},
    "valence": {"weak_diff": 1.0},
    # chosen by tests/test_distinguishing_calibration.py (tune_share; held out on each table in turn)
    "share": {"min_share": 0.75, "min_z": 0.8, "strong_diff": 2.25},
}


@dataclass(frozen=True)
class Rule:
    name: str
    params: Mapping[str, float]

    def describe(self) -> str:
        """The rule and its parameters as one token, e.g. ``gap:strong_diff=2,...``."""
        parts = ",".join(f"{k}={_fmt(v)}" for k, v in sorted(self.params.items()))
        return f"{self.name}:{parts}" if parts else self.name


def _fmt(v: float) -> str:
    return f"{v:g}"


def check_rule(name: str, params: Mapping[str, object]) -> list[tuple[str | None, str]]:
    """Problems with a rule name and its parameters, as (key, message) pairs."""
    if name not in DEFAULTS:
        return [("rule", f'rule "{name}" is not one of {", ".join(DEFAULTS)}')]
    problems: list[tuple[str | None, str]] = []
    for key, value in params.items():
        if key not in DEFAULTS[name]:
            allowed = ", ".join(DEFAULTS[name])
            problems.append((key, f'rule "{name}" has no parameter "{key}" (it has: {allowed})'))
        elif isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            problems.append((key, f"{key} must be a number"))
        elif not math.isfinite(value):  # inf would be written as JSON's invalid "Infinity"
            problems.append((key, f"{key} must be a finite number"))
    return problems


def make_rule(name: str = DEFAULT_RULE, params: Mapping[str, float] | None = None) -> Rule:
    """A rule with its defaults filled in; raises ValueError on an unknown name or parameter."""
    params = dict(params or {})
    problems = check_rule(name, params)
    if problems:
        raise ValueError(problems[0][1])
    return Rule(name, {**DEFAULTS[name], **{k: float(v) for k, v in params.items()}})


def parse_rule_option(text: str) -> Rule:
    """Parse the command line's ``--distinguishing NAME[:key=value,...]``."""
    name, _, rest = text.partition(":")
    params: dict[str, float] = {}
    for item in filter(None, (p.strip() for p in rest.split(","))):
        key, eq, value = item.partition("=")
        if not eq:
            raise ValueError(f'--distinguishing: expected key=value, got "{item}"')
        try:
            params[key.strip()] = float(value)
        except ValueError:
            raise ValueError(f'--distinguishing: {key.strip()} must be a number, got "{value}"') from None
    return make_rule(name.strip(), params)
