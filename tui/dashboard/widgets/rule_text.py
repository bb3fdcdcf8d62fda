"""The distinguishing rule in force, and what it found for one theme, in words for the screens."""

from __future__ import annotations

from cases.rules import DISTINGUISHED
from metrics.numbers import NONE, figure, short

_LEVELS = DISTINGUISHED  # a parameter named strong_* or weak_* belongs to that level
_FIRST = ("gap", "diff")


def rule_line(rule) -> str:
    """``rule: gap (strong: gap>=1, diff>=2; weak: gap>=0, diff>=1)`` from a Rule's name and params.

    Parameters named ``LEVEL_WHAT`` (strong_gap, weak_diff) are grouped by level, gap before diff;
    any other parameter is listed as ``name=value`` after them.
    """
    if rule is None:
        return "rule: -"
    params = dict(getattr(rule, "params", {}) or {})
    groups: dict[str, list[tuple[str, object]]] = {}
    other = []
    for key, value in params.items():
        level, _, what = key.partition("_")
        if level in _LEVELS and what:
            groups.setdefault(level, []).append((what, value))
        else:
            other.append(f"{key}={short(value)}")
    parts = []
    for level in _LEVELS:
        if level in groups:
            items = sorted(groups[level], key=lambda kv: (_FIRST.index(kv[0]) if kv[0] in _FIRST else 9, kv[0]))
            parts.append(f"{level}: " + ", ".join(f"{what}>={short(v)}" for what, v in items))
    if other:
        parts.append(", ".join(other))
    return f"rule: {rule.name}" + (f" ({'; '.join(parts)})" if parts else "")


def theme_findings(result) -> str:
    """``diff 1.67 · gap 1 · met: gap >= 1, diff >= 2`` for one ThemeResult ("–" where None)."""
    return f"diff {figure(result.diff)} · gap {figure(result.gap)} · met: {result.met if result.met else NONE}"
