"""The literature engine (analysis.md section 1): every row of generated studies against a
re-derivation written here from the contract's words, over the catalogue and themes.toml as TOML."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from itertools import product
from pathlib import Path

import pytest
import tomli_w

from cases.loader import load_study
from cases.model import Link
from cases.rules import FITS
from metrics.compare import compare
from metrics.literature import SYMBOLS, Literature, link_fit, links, literature
from metrics.results import Options
from metrics.summary import to_dict
from tests.conftest import EXAMPLE, REPO, build_study

CATALOGUE = tomllib.loads((REPO / "data" / "catalogue.toml").read_text(encoding="utf-8"))["theme"]

# The example splits by the median of engagement: high S1 S3 S5, low S2 S6 S7, middle S4.
HIGH, LOW, MIDDLE = ("S1", "S3", "S5"), ("S2", "S6", "S7"), ("S4",)
PATTERNS = {  # a rating pattern -> tokens for (high, low, middle)
    "up": ("+2", "-2", "0"),  # strong, expected
    "down": ("-2", "+2", "0"),  # strong, reversed
    "flat": ("0", "0", "0"),  # none
    "blank": ("Missing", "-1", "0"),  # insufficient: the high group has no valence rating
    "slight": ("+1", "0", "0"),  # weak or none, whatever the rule says
}


def ratings_csv(themes: dict[str, str]) -> str:
    """ratings.csv rating every site of each theme by its pattern."""
    rows = ["site,theme,rating,evidence"]
    for theme, pattern in themes.items():
        hi, lo, mid = PATTERNS[pattern]
        for sites, token in ((HIGH, hi), (LOW, lo), (MIDDLE, mid)):
            rows.extend(f"{s},{theme},{token}," for s in sites)
    return "\n".join(rows) + "\n"


def run(folder: Path):
    study = load_study(folder)
    comparison = compare(study, Options(permutations=False))
    return study, comparison, literature(study, comparison)


# ---- the re-derivation, from the contract's words ----


def cfir2_title(title: str) -> str:
    return title[: -len(" (CFIR 2.0)")] if title.endswith(" (CFIR 2.0)") else title


def expected(folder: Path, summary: dict) -> dict:
    """analysis.md section 1, literally: rows, via, fit, new, counts."""
    themes_toml = folder / "themes.toml"
    own = tomllib.loads(themes_toml.read_text(encoding="utf-8")).get("theme", []) if themes_toml.exists() else []
    rated = {t["theme"]: t for t in summary["themes"]}  # "it appears in the summary's themes"
    literature_themes = [t for t in CATALOGUE if t.get("kind", "literature") == "literature"]
    literature_ids = {t["id"] for t in literature_themes}

    def evidence(theme: dict) -> str | None:
        if theme["id"] in rated:
            return theme["id"]
        for t in CATALOGUE:
            if (
                t["kind"] == "cfir2009"
                and theme.get("cfir2009") is not None
                and t["title"] == theme["cfir2009"]
                and t["id"] in rated
            ):
                return t["id"]
        for t in CATALOGUE:
            if (
                t["kind"] == "cfir2"
                and theme.get("construct") is not None
                and cfir2_title(t["title"]) == theme["construct"]
                and t["id"] in rated
            ):
                return t["id"]
        return None

    def fit(label, direction):
        if label is None:
            return "silence"
        if label in ("strong", "weak"):
            return {"expected": "confirmation", "reversed": "discordance"}[direction]
        return {"none": "no-difference", "insufficient": "insufficient"}[label]

    def row(theme: dict) -> dict:
        via = evidence(theme)
        label = rated[via]["distinguishing"] if via else None
        direction = rated[via]["direction"] if via else None
        return {
            "theme": theme["id"],
            "title": theme["title"],
            "influence": theme.get("influence"),
            "sources": list(theme.get("sources", [])),
            "via": via,
            "distinguishing": label,
            "direction": direction,
            "fit": fit(label, direction),
        }

    rows = [row(t) for t in literature_themes]
    rows += [row(t) for t in own if t.get("sources") and t["id"] not in literature_ids]
    new = [
        {
            "theme": t["id"],
            "title": t["title"],
            "distinguishing": rated[t["id"]]["distinguishing"],
            "direction": rated[t["id"]]["direction"],
            "fit": "expansion",
        }
        for t in own
        if not t.get("sources")
        and t["id"] not in literature_ids
        and t["id"] in rated
        and rated[t["id"]]["distinguishing"] in ("strong", "weak")
    ]
    counts = {
        f: sum(r["fit"] == f for r in rows)
        for f in ("confirmation", "discordance", "no-difference", "insufficient", "silence")
    }
    counts["expansion"] = len(new)
    return {"rows": rows, "new": new, "counts": counts}


def check(folder: Path) -> Literature:
    study, comparison, lit = run(folder)
    want = expected(folder, to_dict(comparison))
    got = lit.to_dict()
    assert list(got) == ["rows", "new", "counts"]
    assert [r["theme"] for r in got["rows"]] == [r["theme"] for r in want["rows"]]
    for g, w in zip(got["rows"], want["rows"]):
        assert g == w, g["theme"]
        assert list(g) == ["theme", "title", "influence", "sources", "via", "distinguishing", "direction", "fit"]
    assert got["new"] == want["new"]
    assert got["counts"] == want["counts"]
    assert list(got["counts"]) == list(FITS)
    return lit


# ---- study shapes ----

CFIR09 = {  # every CFIR 2009 construct a literature theme names, with a pattern
    "cfir09-leadership-engagement": "up",
    "cfir09-structural-characteristics": "down",
    "cfir09-available-resources": "flat",
    "cfir09-engaging": "blank",
    "cfir09-learning-climate": "slight",
    "cfir09-culture": "up",
}
CFIR2 = {
    "cfir2-high-level-leaders": "up",  # leadership-support
    "cfir2-work-infrastructure": "down",  # peer-role-clarity, policies-and-procedures
    "cfir2-structural-characteristics": "up",  # "Structural Characteristics (CFIR 2.0)"
    "cfir2-compatibility": "flat",  # "Compatibility (CFIR 2.0)"
    "cfir2-teaming": "blank",  # clinical-team-preparation
    "cfir2-engaging-innovation-deliverers": "slight",  # recruitment-and-induction
    "cfir2-funding": "up",
}


def test_the_example_study(tmp_path):
    lit = check(EXAMPLE)
    assert lit.counts == {
        "confirmation": 7,
        "discordance": 0,
        "no-difference": 5,
        "insufficient": 0,
        "silence": 11,
        "expansion": 0,
    }
    assert {r.via for r in lit.rows if r.via} == {r.theme for r in lit.rows if r.via}  # rated themselves
    assert lit.headline().startswith(
        "this study confirms 7 of the 12 literature themes it can speak to, contradicts 0,"
    )


def test_rated_with_cfir_2009_constructs_only(tmp_path):
    lit = check(build_study(tmp_path, ratings_csv=ratings_csv(CFIR09)))
    by = {r.theme: r for r in lit.rows}
    assert by["leadership-support"].via == "cfir09-leadership-engagement"
    assert by["leadership-support"].via_kind == "cfir2009"
    assert {by[t].via for t in ("peer-role-clarity", "policies-and-procedures", "geography-and-capacity")} == {
        "cfir09-structural-characteristics"
    }
    assert by["peer-role-clarity"].fit == "discordance"
    assert by["funding-and-sustainability"].fit == "no-difference"
    assert by["stakeholder-engagement"].fit == "insufficient"
    assert by["medical-model"].fit == "silence" and by["medical-model"].distinguishing is None
    assert {"confirmation", "discordance", "no-difference", "insufficient", "silence"} <= {r.fit for r in lit.rows}


def test_rated_with_cfir_2_constructs_only(tmp_path):
    lit = check(build_study(tmp_path, ratings_csv=ratings_csv(CFIR2)))
    by = {r.theme: r for r in lit.rows}
    assert by["leadership-support"].via == "cfir2-high-level-leaders"
    assert by["leadership-support"].via_kind == "cfir2"
    assert by["geography-and-capacity"].via == "cfir2-structural-characteristics"  # the suffix left out
    assert by["organisational-integration"].via == "cfir2-compatibility"
    assert by["funding-and-sustainability"].via == "cfir2-funding"
    assert by["peer-role-clarity"].fit == "discordance"
    assert by["clinical-team-preparation"].fit == "insufficient"
    assert by["consistent-delivery"].fit == "silence"  # no construct, cfir2009 Executing unrated
    assert {"confirmation", "discordance", "no-difference", "insufficient", "silence"} <= {r.fit for r in lit.rows}


def test_own_theme_first_then_cfir_2009_then_cfir_2(tmp_path):
    themes = {
        "leadership-support": "down",
        "cfir09-leadership-engagement": "flat",
        "cfir2-high-level-leaders": "up",
        "cfir09-compatibility": "down",
        "cfir2-compatibility": "up",
        "cfir2-teaming": "up",
    }
    lit = check(build_study(tmp_path, ratings_csv=ratings_csv(themes)))
    by = {r.theme: r for r in lit.rows}
    assert (by["leadership-support"].via, by["leadership-support"].fit) == ("leadership-support", "discordance")
    assert (by["medical-model"].via, by["medical-model"].fit) == ("cfir09-compatibility", "discordance")
    # clinical-team-preparation's cfir2009 (Engaging) is unrated: its CFIR 2.0 construct (Teaming) speaks
    assert (by["clinical-team-preparation"].via, by["clinical-team-preparation"].fit) == (
        "cfir2-teaming",
        "confirmation",
    )


OWN_THEMES = """
[[theme]]
id = "night-shift-cover"
title = "Night-shift cover"
summary = "Peer workers on nights."

[[theme]]
id = "sourced-up"
title = "A study theme with a source"
sources = ["10.1186/s12913-024-11447-5", "A paper the catalogue does not know"]

[[theme]]
id = "sourced-unrated"
title = "A sourced theme the study did not rate"
construct = "Structural Characteristics"
sources = ["10.9999/unknown"]

[[theme]]
id = "leadership-support"
title = "Our own title for leadership"

[[theme]]
id = "quiet-theme"
title = "A theme without sources that does not distinguish"

[[theme]]
id = "turned-theme"
title = "A theme without sources, reversed"

[[theme]]
id = "thin-theme"
title = "A theme without sources with too few ratings"

[[theme]]
id = "unrated-theme"
title = "A theme without sources nobody rated"
"""


def test_own_themes_with_and_without_sources_and_an_override(tmp_path):
    themes = {
        "night-shift-cover": "up",
        "sourced-up": "up",
        "cfir2-structural-characteristics": "down",
        "leadership-support": "up",
        "quiet-theme": "flat",
        "turned-theme": "down",
        "medical-model": "blank",
        "thin-theme": "blank",
    }
    folder = build_study(tmp_path, themes_toml=OWN_THEMES, ratings_csv=ratings_csv(themes))
    lit = check(folder)
    assert {t.theme: t.distinguishing for t in run(folder)[1].themes}["thin-theme"] == "insufficient"
    ids = [r.theme for r in lit.rows]
    assert ids.count("leadership-support") == 1 and ids.index("leadership-support") == 0  # the catalogue row
    assert ids[-2:] == ["sourced-up", "sourced-unrated"]  # then file order
    lead = lit.row("leadership-support")
    assert lead.title == "Leadership support and championing" and lead.via == "leadership-support"
    assert lead.fit == "confirmation"
    assert lit.row("sourced-up").fit == "confirmation" and lit.row("sourced-up").origin == "study"
    assert lit.row("sourced-unrated").via == "cfir2-structural-characteristics"
    assert lit.row("sourced-unrated").fit == "discordance"
    assert [(n.theme, n.direction) for n in lit.new] == [
        ("night-shift-cover", "expected"),
        ("turned-theme", "reversed"),
    ]
    assert lit.counts["expansion"] == 2
    papers = lit.row("sourced-up").papers
    assert papers[0].doi == "10.1186/s12913-024-11447-5" and papers[0].citation.startswith("Gillard S")
    assert papers[1].title == "A paper the catalogue does not know" and papers[1].doi is None
    assert lit.row("sourced-unrated").papers[0].doi == "10.9999/unknown"


def test_silence_rows_are_null_in_json_and_left_out_in_toml(tmp_path):
    lit = check(build_study(tmp_path, ratings_csv=ratings_csv({"cfir09-culture": "up"})))
    silent = [r for r in lit.to_dict()["rows"] if r["fit"] == "silence"]
    assert silent and all(r["via"] is None and r["distinguishing"] is None and r["direction"] is None for r in silent)
    toml = lit.to_toml()
    text = tomli_w.dumps({"literature": toml})
    back = tomllib.loads(text)["literature"]
    for r in back["rows"]:
        if r["fit"] == "silence":
            assert "distinguishing" not in r and "direction" not in r and "via" not in r
    assert Literature.from_dict(back).to_dict() == lit.to_dict()


def test_the_rows_carry_claim_papers_and_ratings_by_group(tmp_path):
    study, comparison, lit = run(EXAMPLE)
    row = lit.row("supervisor-resourcing")
    assert row.claim.startswith("Supervisors of peer workers need adequate time")
    assert [p.doi for p in row.papers] == ["10.1186/s12913-024-11447-5"]
    tokens = {r.site: r.token for r in study.ratings if r.theme == "supervisor-resourcing"}
    assert {g: dict(v) for g, v in row.ratings.items()} == {
        g: {s: tokens[s] for s in getattr(comparison.split, g) if s in tokens} for g in ("high", "low", "middle")
    }
    assert lit.row("medical-model").ratings == {}


def test_text_lines_give_a_symbol_and_a_word_for_every_fit(tmp_path):
    folder = build_study(
        tmp_path, themes_toml=OWN_THEMES, ratings_csv=ratings_csv({**CFIR09, "night-shift-cover": "up"})
    )
    _, _, lit = run(folder)
    lines = lit.text_lines()
    c = lit.counts
    speaks = len(lit.rows) - c["silence"]
    assert lines[0].startswith(
        f"Literature: this study confirms {c['confirmation']} of the {speaks} literature "
        f"themes it can speak to, contradicts {c['discordance']},"
    )
    for r in lit.rows:
        assert any(f"{SYMBOLS[r.fit]} {r.fit}" in line and f"[{r.theme}]" in line for line in lines), r.theme
    assert any("+ expansion" in line and "[night-shift-cover]" in line for line in lines)
    assert any("doi:10.1186/s12913-024-11447-5" in line and "Gillard S" in line for line in lines)


# ---- statistics by themes ----


def contract_link_fit(q: int, r: int) -> str:
    """analysis.md: confirmation when q = r != 0, discordance when q = -r != 0, expansion when
    exactly one of q, r is 0, silence when both are 0."""
    if q == r and q != 0:
        return "confirmation"
    if q == -r and q != 0:
        return "discordance"
    if (q == 0) != (r == 0):
        return "expansion"
    assert q == r == 0
    return "silence"


@pytest.mark.parametrize("q,r", list(product((-1, 0, 1), repeat=2)))
def test_link_fit_table(q, r):
    assert link_fit(q, r) == contract_link_fit(q, r)


THEME_STATES = {  # (distinguishing, direction) or None (unrated) -> r
    ("strong", "expected"): 1,
    ("weak", "expected"): 1,
    ("strong", "reversed"): -1,
    ("weak", "reversed"): -1,
    ("none", "expected"): 0,
    ("insufficient", "expected"): 0,
    None: 0,
}


@pytest.mark.parametrize("md,higher,state", list(product((2.5, -0.5, 0.0, None), (True, False), THEME_STATES)))
def test_links_q_and_r(md, higher, state):
    study = load_study(EXAMPLE)
    base = compare(study, Options(permutations=False))
    metrics = tuple(
        replace(m, mean_difference=md, higher_is_better=higher) if m.metric == "supervisor_hours" else m
        for m in base.metrics
    )
    themes = tuple(t for t in base.themes if t.theme != "supervisor-resourcing" or state is not None)
    if state is not None:
        themes = tuple(
            replace(t, distinguishing=state[0], direction=state[1]) if t.theme == "supervisor-resourcing" else t
            for t in themes
        )
    c = replace(base, metrics=metrics, themes=themes)
    (got,) = links([Link("supervisor-resourcing", "supervisor_hours", 7)], c)
    q = 0 if not md else (1 if md > 0 else -1) * (1 if higher else -1)
    r = THEME_STATES[state]
    assert (got.q, got.r, got.fit) == (q, r, contract_link_fit(q, r))
    d = got.to_dict()
    assert list(d) == [
        "theme",
        "metric",
        "mean_difference",
        "hedges_g",
        "cliffs_delta",
        "distinguishing",
        "direction",
        "fit",
    ]
    assert d["distinguishing"] == (state[0] if state else None) and d["mean_difference"] == md
    assert got.line == 7


def test_links_on_the_example_in_file_order(tmp_path):
    folder = build_study(
        tmp_path,
        study_toml=lambda t: t.replace(
            "[metrics.ward_relationship]\n", "[metrics.ward_relationship]\nhigher_is_better = false\n"
        ),
    )
    study = load_study(folder)
    c = compare(study, Options(permutations=False))
    got = links(
        [
            Link("supervisor-resourcing", "supervisor_hours", 1),
            Link("ward-staff-relationships", "ward_relationship", 2),
            Link("medical-model", "fidelity", 3),
            Link("boundary-crossing", "engagement", 4),
        ],
        c,
    )
    assert [g.to_dict()["fit"] for g in got] == ["confirmation", "discordance", "expansion", "silence"]
    first = got[0].to_dict()
    assert first == {
        "theme": "supervisor-resourcing",
        "metric": "supervisor_hours",
        "mean_difference": 2.83333333333,
        "hedges_g": 2.77608837515,
        "cliffs_delta": 1.0,
        "distinguishing": "strong",
        "direction": "expected",
        "fit": "confirmation",
    }
    assert got[2].to_dict()["distinguishing"] is None  # medical-model is unrated: r = 0
    assert got[3].mean_difference is None  # the outcome is not among the compared metrics
