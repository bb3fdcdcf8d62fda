"""metrics.summary.from_dict is the inverse of to_dict (how a snapshot's own figures are shown)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cases.catalogue import example_dir
from cases.loader import load_study
from cases.model import Disclosure
from metrics.analysis import analyse
from metrics.results import Options
from metrics.summary import from_dict, to_dict
from tui.headless.render import render_markdown, render_text


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"split": "tertiles"},
        {"split": "quadrants", "second": "fidelity"},
        {"split": "threshold", "threshold": 0.99},
        {"split": "explicit", "high": ("S1", "S3"), "low": ("S2",)},
    ],
)
@pytest.mark.parametrize("disclosure", [None, Disclosure(50, False), Disclosure(10, True)])
def test_from_dict_inverts_to_dict(change, disclosure):
    study = load_study(example_dir())
    comparison = analyse(study, Options(outcome=replace(study.outcome, **change), disclosure=disclosure))
    plain = replace(comparison, sensitivity=None, configurations=None)
    data = to_dict(plain)
    rebuilt = from_dict(data)
    assert to_dict(rebuilt) == data
    assert render_text(replace(rebuilt, folder=plain.folder)) == render_text(plain)
    assert render_markdown(rebuilt) == render_markdown(plain)


def test_a_written_snapshot_reads_back_to_the_same_figures(tmp_path, monkeypatch):
    from cases.snapshot import read_snapshot, with_nulls
    from tui.cli import main

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    out = tmp_path / "snap.toml"
    assert main(["export", "-o", str(out), "--split", "tertiles"]) == 0
    study = load_study(example_dir())
    comparison = analyse(study, Options(outcome=replace(study.outcome, split="tertiles")))
    expected = to_dict(replace(comparison, sensitivity=None, configurations=None))
    rebuilt = to_dict(from_dict(with_nulls(read_snapshot(out))))
    assert rebuilt == expected
