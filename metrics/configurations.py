"""Configurations: crisp-set QCA, the light version (a truth table, no minimisation).

Each ``[[condition]]`` makes every site a member (1) or not (0): a metric at least / at most a bound,
or an attribute equal to a value. The outcome is membership of the high group (low and middle sites
are 0). Sites missing the outcome or any condition's value are left out and listed.
Following Ragin, for a set X and the outcome Y: consistency of sufficiency = |X ∩ Y| / |X| and
coverage = |X ∩ Y| / |Y|, for every observed configuration and for every single condition.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

from cases.model import Condition, Disclosure, Study
from metrics.numbers import num
from metrics.splits import Split


@dataclass(frozen=True)
class Row:
    values: tuple[int, ...]
    sites: tuple[str, ...]
    outcome_sites: tuple[str, ...]
    consistency: float
    coverage: float | None

    @cached_property
    def outcome_set(self) -> frozenset[str]:
        """``outcome_sites`` as a set: ``s in row.outcome_set`` is O(1) (a row may hold 500,000 sites)."""
        return frozenset(self.outcome_sites)


@dataclass(frozen=True)
class Single:
    name: str
    members: int
    consistency: float | None
    coverage: float | None


@dataclass(frozen=True)
class Configurations:
    conditions: tuple[str, ...]
    rows: tuple[Row, ...]
    singles: tuple[Single, ...]
    with_outcome: int
    excluded: tuple[str, ...]
    withheld: tuple[str, ...] = field(default=())  # conditions left out by disclosure control

    def to_dict(self) -> dict:
        return {
            "conditions": list(self.conditions),
            "outcome": "high",
            "with_outcome": self.with_outcome,
            "rows": [
                {
                    "values": list(r.values),
                    "sites": list(r.sites),
                    "with_outcome": list(r.outcome_sites),
                    "consistency": num(r.consistency),
                    "coverage": num(r.coverage),
                }
                for r in self.rows
            ],
            "conditions_alone": [
                {
                    "condition": s.name,
                    "members": s.members,
                    "consistency": num(s.consistency),
                    "coverage": num(s.coverage),
                }
                for s in self.singles
            ],
            "excluded": list(self.excluded),
            **({"withheld": list(self.withheld)} if self.withheld else {}),
        }

    def text_lines(self, comparison=None) -> list[str]:
        withheld = [f"  left out (disclosure control: a bound on a count below min_count): {', '.join(self.withheld)}"]
        if not self.conditions:
            if self.withheld:
                return ["Configurations: no condition left to tabulate", *withheld]
            return ["Configurations: the study defines no [[condition]]"]
        lines = ["Configurations (crisp sets; outcome = high group; 1 = condition holds)"]
        for i, name in enumerate(self.conditions):
            lines.append(f"  C{i + 1} = {name}")
        head = " ".join(f"C{i + 1}" for i in range(len(self.conditions)))
        lines.append(f"  {head}   consistency  coverage  sites (outcome sites starred)")
        for r in self.rows:
            cells = " ".join(f"{v:>2}" for v in r.values)
            cov = "-" if r.coverage is None else f"{r.coverage:.2f}"
            starred = r.outcome_set
            names = ", ".join(s + ("*" if s in starred else "") for s in r.sites)
            lines.append(f"  {cells}   {r.consistency:>11.2f}  {cov:>8}  {names}")
        lines.append("  Single conditions (sufficiency): consistency / coverage")
        for s in self.singles:
            con = "-" if s.consistency is None else f"{s.consistency:.2f}"
            cov = "-" if s.coverage is None else f"{s.coverage:.2f}"
            lines.append(f"    {s.name}: {con} / {cov}  ({s.members} sites)")
        if self.excluded:
            lines.append(f"  left out (missing values): {', '.join(self.excluded)}")
        if self.withheld:
            lines += withheld
        return lines


def membership(condition: Condition, site) -> int | None:
    if condition.metric is not None:
        v = site.values.get(condition.metric)
        if v is None:
            return None
        if condition.at_least is not None:
            return int(v >= condition.at_least)
        return int(v <= condition.at_most)
    v = site.attributes.get(condition.attribute)
    return None if v is None else int(v == condition.equals)


def withheld_condition(condition: Condition, study: Study, disclosure: Disclosure | None) -> bool:
    """Whether disclosure control leaves ``condition`` out of the table.

    A condition on a count metric shows each site's membership only, never a value; but membership
    of "at least T" (or of "at most T") places the sites in a band of counts. When that band is
    finer than the "<min_count" of disclosure control (``at_least`` below min_count: the
    non-members have fewer than T; ``at_most`` T with T + 1 below min_count, counts being whole:
    the members have at most T), the condition is left out, whatever the data.
    """
    from cases.model import is_count

    if disclosure is None or disclosure.min_count <= 0 or condition.metric is None:
        return False
    metric = study.metrics.get(condition.metric)
    if metric is None or not is_count(metric):
        return False
    if condition.at_least is not None:
        band = condition.at_least
    elif condition.at_most is not None:
        band = math.floor(condition.at_most) + 1
    else:
        return False
    return band < disclosure.min_count


def configurations(study: Study, split: Split, disclosure: Disclosure | None = None) -> Configurations:
    """The truth table; ``disclosure`` (None: the study's own) leaves out conditions too fine on a count."""
    disclosure = study.disclosure if disclosure is None else disclosure
    withheld = tuple(c.name for c in study.conditions if withheld_condition(c, study, disclosure))
    conds = tuple(c for c in study.conditions if c.name not in withheld)
    high = set(split.high)
    cases, excluded = [], []
    for site in study.sites:
        group = split.group_of(site.id)
        found = tuple(membership(c, site) for c in conds)
        values = tuple(v for v in found if v is not None)
        if group == "missing" or group is None or len(values) < len(found):
            excluded.append(site.id)
            continue
        cases.append((site.id, values, site.id in high))
    total_y = sum(1 for _, _, y in cases if y)
    table: dict[tuple[int, ...], list] = {}
    for sid, values, y in cases:
        table.setdefault(values, []).append((sid, y))
    rows = []
    for values in sorted(table, reverse=True):
        members = table[values]
        with_y = tuple(s for s, y in members if y)
        rows.append(
            Row(
                values,
                tuple(s for s, _ in members),
                with_y,
                len(with_y) / len(members),
                len(with_y) / total_y if total_y else None,
            )
        )
    singles = []
    for i, c in enumerate(conds):
        xs = [(sid, y) for sid, values, y in cases if values[i] == 1]
        xy = sum(1 for _, y in xs if y)
        singles.append(Single(c.name, len(xs), xy / len(xs) if xs else None, xy / total_y if total_y else None))
    return Configurations(tuple(c.name for c in conds), tuple(rows), tuple(singles), total_y, tuple(excluded), withheld)
