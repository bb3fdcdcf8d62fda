"""Disclosure control of a count used as the outcome (issue 11.1).

A study whose outcome is ``participants`` (a count) with ``min_count`` above every site's count:
no output (text, markdown, JSON, TOML, the snapshot, the dashboard's status line, Sensitivity and
Configurations screens) may print a number equal to a site's count, to the median of the counts or
to a midpoint between neighbouring counts (any one of which, with the groups, gives every count
away). Each test reads the printed text and compares every number in it.
"""

from __future__ import annotations

import itertools
import json
import re
import statistics
import tomllib

import pytest

from cases.loader import load_study
from metrics.analysis import analyse
from metrics.results import Options
from tests.cli_helpers import run_cli as run
from tests.conftest import build_study

MIN_COUNT = 1000
CONDITION = '\n[[condition]]\nname = "Busy site"\nmetric = "participants"\nat_least = 45\n'
HEX = re.compile(r"sha256:[0-9a-f]+|[0-9a-f]{12,}")
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[-+]?\d+)?")


def toml_with(text: str, outcome: str = "participants", rule: str = "median", second: str = "fidelity") -> str:
    text = text.replace(
        'metric = "engagement"\nsplit = "median"\nsecond = "fidelity"',
        f'metric = "{outcome}"\nsplit = "{rule}"\nsecond = "{second}"',
    )
    return text.replace("min_count = 10\n", f"min_count = {MIN_COUNT}\n") + CONDITION


@pytest.fixture
def count_study(tmp_path):
    def make(**kw):
        return build_study(tmp_path, study_toml=lambda t: toml_with(t, **kw))

    return make


def forbidden(folder) -> set[float]:
    """Every site's count, their median, and every midpoint between neighbouring distinct counts."""
    counts = [s.values["participants"] for s in load_study(folder).sites]
    distinct = sorted(set(counts))
    return {*counts, statistics.median(counts), *((a + b) / 2 for a, b in itertools.pairwise(distinct))}


def _catalogue_texts() -> list[str]:
    """The built-in catalogue's citations, DOIs and titles (their years and pages, "2021;48(6)", are
    not figures of the study: the literature section of the summary prints them)."""
    from cases.catalogue import load_catalogue

    texts = [t for s in load_catalogue().sources for t in (s.citation, s.doi, s.title) if t]
    return sorted(set(texts), key=len, reverse=True)


def numbers(text: str) -> set[float]:
    for known in _catalogue_texts():
        text = text.replace(known, " ")
    return {float(n) for n in NUMBER.findall(HEX.sub(" ", text))}


def leaks(text: str, bad: set[float]) -> set[float]:
    return {n for n in numbers(text) if any(abs(n - b) < 5e-4 for b in bad)}


SPLITS = [
    ("participants", "median", "fidelity"),
    ("participants", "tertiles", "fidelity"),
    ("participants", "quadrants", "fidelity"),
    ("fidelity", "quadrants", "participants"),
]


@pytest.mark.parametrize("outcome,rule,second", SPLITS)
def test_no_printed_number_gives_a_count_away(count_study, capsys, tmp_path, monkeypatch, outcome, rule, second):
    # A fixed creation time: the snapshot's clock digits (09:58:44) are not figures of the study.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    folder = count_study(outcome=outcome, rule=rule, second=second)
    bad = forbidden(folder)
    assert {35.0, 44.0, 57.0} <= bad
    for fmt in ("text", "markdown", "json", "toml"):
        rc, out, err = run(capsys, "summary", folder, "--format", fmt)
        assert rc == 0, err
        assert not leaks(out, bad), (fmt, sorted(leaks(out, bad)))
        assert "withheld" in out and "disclosure control" in out
    rc, out, err = run(capsys, "export", folder, "-o", tmp_path / "snap.toml")
    assert rc == 0, err
    written = (tmp_path / "snap.toml").read_text(encoding="utf-8")
    assert not leaks(written, bad), sorted(leaks(written, bad))
    snapshot = tomllib.loads(written)
    assert "cut" not in snapshot["split"]
    if outcome == "participants":
        assert all("cut" not in c for c in snapshot["sensitivity"]["cuts"])


def test_the_engine_carries_the_withheld_state(count_study):
    study = load_study(count_study())
    c = analyse(study)
    assert c.split.cut is None and c.split.withheld == ("participants",)
    assert c.sensitivity.cuts and all(cut.value is None and cut.shown == "withheld" for cut in c.sensitivity.cuts)
    assert "Busy site" in c.configurations.withheld and "Busy site" not in c.configurations.conditions
    assert any("split's cut is withheld" in w for w in c.warnings)
    assert any("sensitivity cuts" in w for w in c.warnings)
    assert any('"Busy site"' in w for w in c.warnings)
    data = json.loads(json.dumps(__import__("metrics.summary", fromlist=["to_dict"]).to_dict(c)))
    assert "cut" not in data["split"]
    assert all(cut["cut"] is None and cut["withheld"] for cut in data["sensitivity"]["cuts"])


def test_counts_at_or_above_min_count_are_not_withheld(tmp_path):
    # the same study with min_count at the smallest count: every count may be shown, so the cut is
    folder = build_study(
        tmp_path, study_toml=lambda t: toml_with(t).replace(f"min_count = {MIN_COUNT}", "min_count = 35")
    )
    c = analyse(load_study(folder))
    assert c.split.cut == 44.0 and c.split.withheld == ()
    assert all(cut.value is not None for cut in c.sensitivity.cuts)
    assert not any("withheld" in w for w in c.warnings)


def test_only_cuts_next_to_a_small_count_are_withheld(tmp_path):
    # min_count 45: counts 35, 36, 44, 44 are small; the cuts above 47 depend on 47, 48, 57 only
    folder = build_study(
        tmp_path, study_toml=lambda t: toml_with(t).replace(f"min_count = {MIN_COUNT}", "min_count = 45")
    )
    c = analyse(load_study(folder))
    assert c.split.cut is None  # the median is a site's count, 44 < 45
    assert [cut.value for cut in c.sensitivity.cuts] == [None, None, None, 47.5, 52.5]


def test_a_threshold_below_min_count_is_refused_and_one_above_is_shown(count_study, capsys):
    folder = count_study()
    rc, out, err = run(capsys, "summary", folder, "--split", "threshold", "--threshold", "45")
    assert rc == 2 and out == ""
    assert "a threshold of 45 on participants, a count of people, is below min_count 1000" in err
    assert "Traceback" not in err
    rc, out, err = run(capsys, "summary", folder, "--format", "json", "--split", "threshold", "--threshold", "1000")
    assert rc == 0, err
    data = json.loads(out)
    assert data["split"]["cut"] == 1000 and data["split"]["threshold"] == 1000
    assert len(data["groups"]["low"]) == 7


def test_a_condition_too_fine_on_a_count_is_left_out(count_study):
    from cases.model import Condition
    from metrics.configurations import withheld_condition

    study = load_study(count_study(outcome="engagement"))
    c = analyse(study)
    assert c.configurations.withheld == ("Busy site",)
    lines = c.configurations.text_lines()
    assert not any(line.strip().startswith("C") and "Busy site" in line for line in lines)
    assert "  left out (disclosure control: a bound on a count below min_count): Busy site" in lines
    d = study.disclosure
    assert withheld_condition(Condition("a", metric="participants", at_least=999), study, d)
    assert not withheld_condition(Condition("a", metric="participants", at_least=1000), study, d)
    assert withheld_condition(Condition("a", metric="participants", at_most=998), study, d)
    assert not withheld_condition(Condition("a", metric="participants", at_most=999), study, d)
    assert not withheld_condition(Condition("a", metric="fidelity", at_least=3), study, d)


async def test_the_dashboard_shows_no_count(count_study):
    from tui.dashboard.app import CrosscaseApp

    folder = count_study()
    bad = forbidden(folder)
    app = CrosscaseApp(folder)
    async with app.run_test(size=(140, 40)) as pilot:
        for key in ("c", "v", "g", "s"):
            await pilot.press(key)
            for _ in range(3):
                await app.workers.wait_for_complete()
                await pilot.pause()
            text = _screen_text(app)
            assert "participants by median" in text
            assert not leaks(text, bad), (key, sorted(leaks(text, bad)))
            if key == "v":
                assert "withheld" in text


def _screen_text(app) -> str:
    import html

    svg = app.export_screenshot()
    return "".join(html.unescape(p).replace("\xa0", " ") for p in re.findall(r"<text[^>]*>([^<]*)</text>", svg))


def test_options_override_is_followed(count_study):
    # --min-count on the command line (Options.disclosure) governs, not only study.toml's
    from cases.model import Disclosure

    study = load_study(count_study())
    c = analyse(study, Options(disclosure=Disclosure(min_count=0)))
    assert c.split.cut == 44.0 and c.configurations.withheld == ()
