"""The dashboard's path (p-values pending, filled in later) gives exactly the headless result."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cases.catalogue import example_dir
from cases.loader import load_study
from metrics.analysis import analyse
from metrics.compare import compare, fill_permutations
from metrics.results import Options
from metrics.summary import to_dict


@pytest.mark.parametrize(
    "split",
    [
        dict(split="median"),
        dict(split="threshold", threshold=0.99),  # empties the high group: p is null at once
        dict(split="tertiles"),
        dict(split="explicit", high=("S1",), low=()),
    ],
)
def test_pending_then_filled_equals_direct(split):
    study = load_study(example_dir())
    outcome = replace(study.outcome, **split)
    direct = compare(study, Options(outcome=outcome))
    pending = compare(study, Options(outcome=outcome, permutations=False))
    assert all(m.permutation is not None or (m.high.n and m.low.n) for m in pending.metrics)
    filled = fill_permutations(pending)
    assert not filled.pending
    assert to_dict(filled) == to_dict(direct)


def test_analyse_is_compare_plus_tables():
    study = load_study(example_dir())
    full = analyse(study)
    assert to_dict(
        replace(full, sensitivity=None, configurations=None, literature=None, links=None, qca=None)
    ) == to_dict(compare(study))
    assert full.sensitivity is not None and full.configurations is not None
    assert full.literature is not None and len(full.links) == len(study.links) == 2
    assert full.qca is not None  # the example's [qca] (issue 16)


def test_filling_stops_when_cancelled():
    study = load_study(example_dir())
    pending = compare(study, Options(permutations=False))
    asked = []

    def cancelled():
        asked.append(1)
        return len(asked) > 2  # let two metrics through, then stop

    assert fill_permutations(pending, cancelled) is None
    assert len(asked) == 3
    assert fill_permutations(pending, lambda: False) is not None
