"""Consistency checks for the built-in literature catalogue, data/catalogue.toml.

Reads the file with tomllib only (no project imports), so it guards the data itself.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest

CATALOGUE = Path(__file__).resolve().parent.parent / "data" / "catalogue.toml"

FIXED_LITERATURE_IDS = [
    "leadership-support",
    "stakeholder-engagement",
    "organisational-integration",
    "peer-role-clarity",
    "training-and-supervision",
    "policies-and-procedures",
    "funding-and-sustainability",
    "clinical-team-preparation",
    "ward-staff-relationships",
    "supervisor-resourcing",
    "consistent-delivery",
    "cross-organisation-working",
    "geography-and-capacity",
    "boundary-crossing",
    "medical-model",
    "responsive-team",
    "role-flexibility",
    "recruitment-and-induction",
    "on-the-job-support",
    "organisational-culture",
    "staff-education",
    "staff-beliefs",
]

KINDS = ("literature", "cfir2009", "cfir2")
INFLUENCES = {"facilitator", "barrier", "both"}
CFIR2009_DOMAINS = [
    "Intervention Characteristics",
    "Outer Setting",
    "Inner Setting",
    "Characteristics of Individuals",
    "Process",
]
CFIR2_DOMAINS = [
    "Innovation",
    "Outer Setting",
    "Inner Setting",
    "Individuals",
    "Implementation Process",
]
CFIR2009_DOI = "10.1186/1748-5908-4-50"
CFIR2_DOI = "10.1186/s13012-022-01245-0"
CFIR2_SUFFIX = " (CFIR 2.0)"

# The 39 CFIR 2009 constructs (subconstructs included), in the published order.
CFIR2009_TITLES = [
    "Intervention Source",
    "Evidence Strength & Quality",
    "Relative Advantage",
    "Adaptability",
    "Trialability",
    "Complexity",
    "Design Quality & Packaging",
    "Cost",
    "Patient Needs & Resources",
    "Cosmopolitanism",
    "Peer Pressure",
    "External Policy & Incentives",
    "Structural Characteristics",
    "Networks & Communications",
    "Culture",
    "Implementation Climate",
    "Tension for Change",
    "Compatibility",
    "Relative Priority",
    "Organizational Incentives & Rewards",
    "Goals & Feedback",
    "Learning Climate",
    "Readiness for Implementation",
    "Leadership Engagement",
    "Available Resources",
    "Access to Knowledge & Information",
    "Knowledge & Beliefs about the Intervention",
    "Self-efficacy",
    "Individual Stage of Change",
    "Individual Identification with Organization",
    "Other Personal Attributes",
    "Planning",
    "Engaging",
    "Opinion Leaders",
    "Formally Appointed Internal Implementation Leaders",
    "Champions",
    "External Change Agents",
    "Executing",
    "Reflecting & Evaluating",
]

ID_RE = re.compile(r"^[a-z0-9-]+$")


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace("&", " ")).strip("-")


@pytest.fixture(scope="module")
def catalogue() -> dict:
    with CATALOGUE.open("rb") as fh:
        return tomllib.load(fh)


@pytest.fixture(scope="module")
def themes(catalogue) -> list[dict]:
    return catalogue["theme"]


@pytest.fixture(scope="module")
def sources(catalogue) -> list[dict]:
    return catalogue["source"]


def of_kind(themes, kind):
    return [t for t in themes if t["kind"] == kind]


def test_schema(catalogue):
    assert catalogue["schema"] == "crosscase.catalogue/1"
    assert set(catalogue) == {"schema", "source", "theme"}


def test_sources_well_formed(sources):
    keys = [s["key"] for s in sources]
    assert len(keys) == len(set(keys))
    for s in sources:
        assert set(s) <= {"key", "doi", "title", "citation"}, s
        assert ID_RE.match(s["key"]), s["key"]
        assert s["title"].strip() and s["citation"].strip()
        if "doi" in s:
            assert s["doi"].startswith("10."), s
    dois = [s["doi"] for s in sources if "doi" in s]
    assert len(dois) == len(set(dois))
    titles = [s["title"].casefold() for s in sources]
    assert len(titles) == len(set(titles))


def test_ids_unique_and_well_formed(themes):
    ids = [t["id"] for t in themes]
    dupes = [i for i, n in Counter(ids).items() if n > 1]
    assert not dupes, dupes
    bad = [i for i in ids if not ID_RE.match(i)]
    assert not bad, bad


def test_titles_unique_ignoring_case(themes):
    titles = Counter(t["title"].casefold() for t in themes)
    dupes = [t for t, n in titles.items() if n > 1]
    assert not dupes, dupes
    for t in themes:
        assert t["title"] == t["title"].strip() and t["title"], t["id"]


def test_required_keys_and_allowed_values(themes):
    allowed = {"id", "title", "kind", "influence", "domain", "construct", "cfir2009", "summary", "sources", "parent"}
    for t in themes:
        assert set(t) <= allowed, (t["id"], set(t) - allowed)
        for key in ("id", "title", "kind", "domain", "summary", "sources"):
            assert key in t, (t["id"], key)
        assert t["kind"] in KINDS, t["id"]
        assert t["summary"].strip(), t["id"]
        if t["kind"] == "literature":
            assert t.get("influence") in INFLUENCES, t["id"]
            assert "parent" not in t, t["id"]
        else:
            assert "influence" not in t, t["id"]
            assert "cfir2009" not in t, t["id"]


def test_file_order(themes):
    """Literature themes first, then CFIR 2009, then CFIR 2.0."""
    kinds = [t["kind"] for t in themes]
    order = [KINDS.index(k) for k in kinds]
    assert order == sorted(order)


def test_fixed_literature_ids_in_order(themes):
    lit = [t["id"] for t in of_kind(themes, "literature")]
    assert lit[: len(FIXED_LITERATURE_IDS)] == FIXED_LITERATURE_IDS


def test_literature_sources_resolve(themes, sources):
    dois = {s["doi"] for s in sources if "doi" in s}
    titles = {s["title"] for s in sources}
    for t in of_kind(themes, "literature"):
        assert len(t["sources"]) >= 1, t["id"]
        assert len(t["sources"]) == len(set(t["sources"])), t["id"]
        for src in t["sources"]:
            if src.startswith("10."):
                assert src in dois, (t["id"], src)
            else:
                assert src in titles, (t["id"], src)


def test_cfir_sources_are_the_framework_papers(themes, sources):
    dois = {s["doi"] for s in sources if "doi" in s}
    assert {CFIR2009_DOI, CFIR2_DOI} <= dois
    for t in of_kind(themes, "cfir2009"):
        assert t["sources"] == [CFIR2009_DOI], t["id"]
    for t in of_kind(themes, "cfir2"):
        assert t["sources"] == [CFIR2_DOI], t["id"]


def test_literature_titles_do_not_clash_with_cfir(themes):
    cfir = {t["title"].casefold() for t in themes if t["kind"] != "literature"}
    cfir |= {t["title"].casefold().removesuffix(CFIR2_SUFFIX.casefold()) for t in of_kind(themes, "cfir2")}
    for t in of_kind(themes, "literature"):
        assert t["title"].casefold() not in cfir, t["id"]


def test_cfir2009_constructs(themes):
    c09 = of_kind(themes, "cfir2009")
    assert len(c09) == 39
    assert [t["title"] for t in c09] == CFIR2009_TITLES
    for t in c09:
        assert t["id"] == "cfir09-" + slug(t["title"]), t["id"]
        assert t["domain"] in CFIR2009_DOMAINS, t["id"]
    # domains appear in the published order
    seen = [CFIR2009_DOMAINS.index(t["domain"]) for t in c09]
    assert seen == sorted(seen)
    assert sum(1 for t in c09 if "parent" in t) == 6 + 3 + 4
    assert "cfir09-evidence-strength-quality" in {t["id"] for t in c09}
    assert "cfir09-design-quality-packaging" in {t["id"] for t in c09}


def test_cfir2_constructs(themes):
    c2 = of_kind(themes, "cfir2")
    subs = [t for t in c2 if "parent" in t]
    assert len(c2) == 48 + 19
    assert len(subs) == 19
    for t in c2:
        assert t["id"].startswith("cfir2-"), t["id"]
        assert t["domain"] in CFIR2_DOMAINS, t["id"]
    seen = [CFIR2_DOMAINS.index(t["domain"]) for t in c2]
    assert seen == sorted(seen)
    per_domain = Counter(t["domain"] for t in c2 if "parent" not in t)
    assert per_domain == {
        "Innovation": 8,
        "Outer Setting": 7,
        "Inner Setting": 11,
        "Individuals": 13,
        "Implementation Process": 9,
    }


def test_cfir2_title_suffix_rule(themes):
    """A CFIR 2.0 name equal to a CFIR 2009 title carries ' (CFIR 2.0)'; others stay plain."""
    titles09 = {t["title"].casefold() for t in of_kind(themes, "cfir2009")}
    for t in of_kind(themes, "cfir2"):
        bare = t["title"].removesuffix(CFIR2_SUFFIX)
        if bare.casefold() in titles09:
            assert t["title"].endswith(CFIR2_SUFFIX), t["id"]
        else:
            assert not t["title"].endswith(CFIR2_SUFFIX), t["id"]
    assert any(t["title"] == "Culture (CFIR 2.0)" for t in themes)


def test_parents_refer_to_earlier_ids_of_same_kind(themes):
    seen: dict[str, dict] = {}
    for t in themes:
        if "parent" in t:
            parent = seen.get(t["parent"])
            assert parent is not None, (t["id"], t["parent"])
            assert parent["kind"] == t["kind"], t["id"]
            assert parent["domain"] == t["domain"], t["id"]
            assert "parent" not in parent, t["id"]  # one level only
        seen[t["id"]] = t


def test_literature_domains_and_constructs_map_to_cfir(themes):
    c2 = {t["title"].removesuffix(CFIR2_SUFFIX): t for t in of_kind(themes, "cfir2")}
    titles09 = {t["title"] for t in of_kind(themes, "cfir2009")}
    for t in of_kind(themes, "literature"):
        assert t["domain"] in CFIR2_DOMAINS, t["id"]
        if "construct" in t:
            assert t["construct"] in c2, (t["id"], t["construct"])
            assert c2[t["construct"]]["domain"] == t["domain"], t["id"]
        if "cfir2009" in t:
            assert t["cfir2009"] in titles09, (t["id"], t["cfir2009"])
