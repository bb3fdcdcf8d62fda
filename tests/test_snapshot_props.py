"""Property-based tests: snapshots serialise and parse back to the same values (modulo dropped nulls).

Two generators: random summary-shaped snapshot dicts (any text, any float, nulls anywhere the
summary allows them), and random small studies run through the real comparison engine.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.model import Condition, Metric, Outcome, Rating, Site, Study, Theme
from cases.snapshot import SCHEMA, dumps_snapshot, parse_snapshot, with_nulls, without_nulls
from cases.tokens import CANONICAL
from metrics.analysis import analyse
from metrics.numbers import num
from tui.core.snapshots import build_snapshot

GROUPS = ("high", "low", "middle", "missing")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

text = st.text(max_size=12)
number = st.floats(allow_nan=False, allow_infinity=False).map(num)  # the summary writes null, never inf
maybe = st.one_of(st.none(), number)
created = st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(9999, 12, 31)).map(
    lambda d: d.replace(microsecond=0, tzinfo=UTC)
)


@st.composite
def snapshots(draw) -> dict:
    """A snapshot dict in the reader's normal form: every figure present, None where undefined."""
    disclosure = {
        "evidence_included": draw(st.booleans()),
        "min_count": draw(st.integers(0, 100)),
        "pseudonymise": draw(st.booleans()),
    }
    sites = draw(st.lists(st.text(min_size=1, max_size=6), unique=True, max_size=8))
    if disclosure["pseudonymise"]:  # the content agrees with the disclosure record (issue 11.3)
        sites = [f"Site {chr(65 + i)}" for i in range(len(sites))]
    where = [draw(st.sampled_from(GROUPS)) for _ in sites]
    groups = {g: [s for s, w in zip(sites, where) if w == g] for g in GROUPS}

    def figures(g):
        return {
            "n": draw(st.integers(0, 10**6)),
            **{k: draw(maybe) for k in ("mean", "median", "min", "max")},
            "values": {s: draw(st.one_of(maybe, st.just("<10"))) for s in groups[g]},
        }

    def metric():
        m = {
            "metric": draw(text),
            "label": draw(text),
            "higher_is_better": draw(st.booleans()),
            "high": figures("high"),
            "low": figures("low"),
        }
        for key in (
            "mean_difference",
            "median_difference",
            "hedges_g",
            "cliffs_delta",
            "p_permutation",
            "spearman_with_outcome",
        ):
            m[key] = draw(maybe)
        m["permutation"] = draw(
            st.one_of(st.none(), st.fixed_dictionaries({"exact": st.booleans(), "relabelings": st.integers(0, 10**6)}))
        )
        if draw(st.booleans()):
            m["unit"] = draw(text)
        return m

    def theme_group(g):
        return {
            "rated": draw(st.integers(0, 50)),
            "mean": draw(maybe),
            "ratings": {s: draw(st.sampled_from(CANONICAL)) for s in groups[g] if draw(st.booleans())},
        }

    def theme():
        t = {
            "theme": draw(text),
            "title": draw(text),
            "high": theme_group("high"),
            "low": theme_group("low"),
            "distinguishing": draw(st.sampled_from(("strong", "weak", "none", "insufficient"))),
            "direction": draw(st.sampled_from(("expected", "reversed"))),
            "rule": draw(text),
        }
        if draw(st.booleans()):
            t["middle"] = theme_group("middle")
        if disclosure["evidence_included"] and not disclosure["pseudonymise"] and draw(st.booleans()):
            t["evidence"] = {s: draw(st.text(max_size=40)) for s in sites if draw(st.booleans())}
        return t

    split = {
        "outcome": draw(text),
        "rule": draw(st.sampled_from(("median", "threshold", "tertiles", "quadrants", "explicit"))),
    }
    cut = draw(st.one_of(st.none(), number, st.lists(number, min_size=2, max_size=2)))
    if cut is not None:
        split["cut"] = cut
    snap = {"schema": SCHEMA, "crosscase": draw(text), "created": draw(created)}
    if draw(st.booleans()):
        snap["note"] = draw(st.text())
    snap["study"] = {
        "title": draw(text),
        "synthetic": draw(st.booleans()),
        "fingerprint": draw(text),
        "folder": draw(
            st.text(min_size=1, max_size=10).filter(lambda f: f not in (".", "..") and "/" not in f and "\\" not in f)
        ),
        "files": draw(st.dictionaries(text, text, max_size=4)),
    }
    snap["split"] = split
    snap["groups"] = groups
    snap["metrics"] = [metric() for _ in range(draw(st.integers(0, 3)))]
    snap["themes"] = [theme() for _ in range(draw(st.integers(0, 3)))]
    snap["warnings"] = draw(st.lists(st.text(), max_size=3))
    snap["labels"] = {s: s if disclosure["pseudonymise"] else draw(text) for s in sites}
    snap["view"] = {
        "screen": draw(text),
        "filters": draw(st.dictionaries(text, st.lists(text, max_size=2), max_size=2)),
    }
    snap["disclosure"] = disclosure
    return snap


@SETTINGS
@given(snapshots())
def test_any_snapshot_round_trips(snap):
    text = dumps_snapshot(snap)
    assert dumps_snapshot(snap) == text  # deterministic
    assert parse_snapshot(text) == snap  # every value back, and every null restored


# --- real comparisons of random small studies ---------------------------------------------------

THEMES = {f"t{i}": Theme(f"t{i}", f"Theme {i}") for i in range(3)}


@st.composite
def studies(draw) -> Study:
    ids = draw(st.lists(st.text(min_size=1, max_size=5), min_size=2, max_size=8, unique=True))
    keys = ("outcome", "m1", "m2")
    counts = draw(st.booleans())
    metrics = {k: Metric(k, draw(text), count=counts and k == "m2") for k in keys}
    value = st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False), st.integers(0, 30).map(float))
    sites = tuple(
        Site(
            s,
            draw(text),
            MappingProxyType({k: draw(value) for k in keys}),
            MappingProxyType({"kind": draw(st.sampled_from(("a", "b")))}),
        )
        for s in ids
    )
    ratings = tuple(
        Rating(s, t, draw(st.sampled_from(CANONICAL)), draw(st.one_of(st.none(), st.text(max_size=20))))
        for t in THEMES
        for s in ids
        if draw(st.booleans())
    )
    split = draw(st.sampled_from(("median", "tertiles", "threshold", "quadrants", "explicit")))
    half = len(ids) // 2
    outcome = Outcome(
        "outcome",
        split,
        threshold=draw(st.floats(-10, 10)) if split == "threshold" else None,
        second="m1" if split == "quadrants" else None,
        high=tuple(ids[:half]) if split == "explicit" else (),
        low=tuple(ids[half:]) if split == "explicit" else (),
    )
    return Study(
        folder=Path("/somewhere/random-study"),
        title=draw(text),
        description=None,
        synthetic=draw(st.booleans()),
        outcome=outcome,
        metrics=MappingProxyType(metrics),
        sites=sites,
        attributes=("kind",),
        themes=MappingProxyType(THEMES),
        ratings=ratings,
        conditions=(Condition("big m1", metric="m1", at_least=0.0), Condition("kind a", attribute="kind", equals="a")),
        files=MappingProxyType({"sites.csv": "sha256:00", "study.toml": "sha256:11"}),
        fingerprint="sha256:22",
    )


@SETTINGS
@given(studies(), st.booleans(), created)
def test_real_comparisons_round_trip(study, evidence, when):
    snap = build_snapshot(analyse(study), study, include_evidence=evidence, note="n", created=when)
    assert snap["study"]["folder"] == "random-study"
    text = dumps_snapshot(snap)
    parsed = parse_snapshot(text)
    for key in (
        "schema",
        "created",
        "note",
        "study",
        "split",
        "groups",
        "metrics",
        "themes",
        "warnings",
        "labels",
        "distinguishing",
        "view",
        "disclosure",
    ):
        assert parsed[key] == snap[key], key  # the summary's nulls all come back
    assert parsed == with_nulls(copy.deepcopy(without_nulls(snap)))  # the rest: equal without nulls
