"""The engine on many sites (issue 11.8): no step grows with the square of the number of sites, and
the split-sensitivity table is bounded (at most MAX_CUTS cuts, spread evenly by rank)."""

from __future__ import annotations

from pathlib import Path

import metrics.sensitivity as sensitivity_module
from cases.catalogue import load_catalogue
from cases.model import Condition, Metric, Outcome, Site, Study
from cases.rules import make_rule
from metrics.compare import compare
from metrics.configurations import configurations
from metrics.sensitivity import sensitivity


class Id(str):
    """A site id that counts how often it is compared for equality (a list scan compares each)."""

    calls = 0

    def __eq__(self, other):
        Id.calls += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def study_of(n: int, distinct: int | None = None) -> Study:
    distinct = distinct or n
    sites = tuple(
        Site(Id(f"s{i}"), f"s{i}", {"y": float(i % distinct), "m": float(i % 7)}, {"kind": "a" if i % 2 else "b"})
        for i in range(n)
    )
    return Study(
        folder=Path("/nonexistent/large"),
        title="t",
        description=None,
        synthetic=True,
        outcome=Outcome("y"),
        metrics={"y": Metric("y", "Y"), "m": Metric("m", "M")},
        sites=sites,
        attributes=("kind",),
        themes={t.id: t for t in load_catalogue().themes},
        ratings=(),
        conditions=(Condition("A", attribute="kind", equals="a"),),
    )


def test_configuration_text_is_linear_in_the_sites():
    # one row of 2,000 sites, 1,000 of them in the high group: starring them by a scan of the
    # row's outcome sites compared ~1,000,000 ids; a set look-up compares none
    n = 4_000
    study = study_of(n)
    conf = configurations(study, compare(study).split)
    assert max(len(r.sites) for r in conf.rows) >= n // 2 - 1
    Id.calls = 0
    lines = conf.text_lines()
    assert Id.calls < 4 * n, Id.calls
    starred = sum(line.count("*") for line in lines)
    assert starred == conf.with_outcome


def test_sensitivity_keeps_at_most_max_cuts_spread_by_rank(monkeypatch):
    monkeypatch.setattr(sensitivity_module, "MAX_CUTS", 50)
    n = 1_000
    study = study_of(n)
    sens = sensitivity(study, study.outcome, make_rule("gap"))
    assert sens.total_cuts == n - 1 and len(sens.cuts) == 50 and sens.capped
    lows = [c.n_low for c in sens.cuts]
    assert lows == sorted(lows) and len(set(lows)) == 50
    assert max(b - a for a, b in zip([0, *lows], lows)) <= n // 50 + 1  # evenly spread by rank
    assert sum(len(c.moved) for c in sens.cuts) == lows[-1]  # every site joins low once
    assert "50 of its 999 cuts (spread evenly by rank)" in sens.text_lines()[0]
    data = sens.to_dict()
    assert data["cuts_total"] == 999 and data["max_cuts"] == 50 and len(data["cuts"]) == 50
    # each kept cut is the same as the uncapped table's cut at the same place
    monkeypatch.setattr(sensitivity_module, "MAX_CUTS", 10_000)
    full = {c.n_low: c for c in sensitivity(study, study.outcome, make_rule("gap")).cuts}
    for c in sens.cuts:
        assert (c.value, c.n_high, c.metrics) == (full[c.n_low].value, full[c.n_low].n_high, full[c.n_low].metrics)


def test_sensitivity_is_not_capped_below_max_cuts():
    study = study_of(600, distinct=300)
    sens = sensitivity(study, study.outcome, make_rule("gap"))
    assert len(sens.cuts) == 299 and sens.total_cuts is None and not sens.capped
    assert "cuts_total" not in sens.to_dict()
