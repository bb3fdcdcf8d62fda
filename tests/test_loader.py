"""cases.loader.load_study on the example study, checked against independent computations."""

from __future__ import annotations

import csv
import hashlib
from collections import defaultdict
from pathlib import Path

import pytest

from cases.catalogue import load_catalogue
from cases.errors import StudyError
from cases.loader import load_study

EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "example"
SITE_IDS = [f"S{i}" for i in range(1, 8)]


def contact_figures(path: Path) -> dict[str, dict[str, float]]:
    """Per site, with the csv module: share of participants with >= 1 contact, mean contacts, count.

    A row whose date and minutes are both empty lists a participant with no contact.
    """
    contacts: dict[str, dict[str, int]] = defaultdict(dict)
    with path.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            per_site = contacts[row["site"]]
            is_contact = bool(row["date"].strip() or row["minutes"].strip())
            per_site[row["participant"]] = per_site.get(row["participant"], 0) + int(is_contact)
    figures = {}
    for site, people in contacts.items():
        n = len(people)
        figures[site] = {
            "engagement": sum(1 for c in people.values() if c >= 1) / n,
            "contacts_per_participant": sum(people.values()) / n,
            "participants": float(n),
        }
    return figures


def independent_fingerprint(folder: Path) -> str:
    digest = hashlib.sha256()
    files = {p.relative_to(folder).as_posix(): p for p in folder.rglob("*") if p.is_file()}  # ratings/RATER.csv too
    for name, path in sorted(files.items()):
        digest.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).hexdigest().encode() + b"\n")
    return "sha256:" + digest.hexdigest()


@pytest.fixture(scope="module")
def example():
    return load_study(EXAMPLE)


def test_seven_sites_in_file_order(example):
    assert [s.id for s in example.sites] == SITE_IDS
    assert example.site("S1").label == "Northgate"
    assert example.attributes == ("employer", "setting")
    assert example.site("S2").attributes["employer"] == "Not-for-profit"


def test_metrics_in_study_toml_order(example):
    assert list(example.metrics)[:3] == ["engagement", "contacts_per_participant", "participants"]
    assert len(example.metrics) == 12
    assert example.metrics["participants"].count is True
    assert example.outcome.metric == "engagement" and example.outcome.split == "median"


def test_derived_metrics_equal_an_independent_count(example):
    figures = contact_figures(EXAMPLE / "contacts.csv")
    assert set(figures) == set(SITE_IDS)
    for site in SITE_IDS:
        for key, expected in figures[site].items():
            got = example.value(site, key)
            assert got == pytest.approx(expected, rel=1e-12, abs=1e-12), (site, key)
    # the listing rows matter: engagement is below 1 somewhere
    assert any(f["engagement"] < 1 for f in figures.values())


def test_sites_values_read_as_numbers(example):
    with (EXAMPLE / "sites.csv").open(newline="", encoding="utf-8") as fh:
        rows = {r["site"]: r for r in csv.DictReader(fh)}
    for site in SITE_IDS:
        assert example.value(site, "fidelity") == float(rows[site]["fidelity"])
        assert example.value(site, "ward_relationship") == float(rows[site]["ward_relationship"])


def test_fingerprint_matches_an_independent_hash(example):
    assert example.fingerprint == independent_fingerprint(EXAMPLE)
    assert set(example.files) == {
        "contacts.csv",
        "evidence.csv",
        "ratings.csv",
        "sites.csv",
        "study.toml",
        "ratings/ana.csv",
        "ratings/ben.csv",
    }
    for name, digest in example.files.items():
        assert digest == "sha256:" + hashlib.sha256((EXAMPLE / name).read_bytes()).hexdigest()


def test_fingerprint_changes_with_one_byte_of_ratings(make_study, tmp_path):
    folder = make_study(tmp_path)
    before = load_study(folder)
    data = bytearray((folder / "ratings.csv").read_bytes())
    at = data.index(b"Managers")
    data[at] = ord("N")  # one byte of the evidence text: still a valid study
    (folder / "ratings.csv").write_bytes(bytes(data))
    after = load_study(folder)
    assert after.fingerprint != before.fingerprint
    assert after.fingerprint == independent_fingerprint(folder)
    assert after.files["ratings.csv"] != before.files["ratings.csv"]
    assert {k: v for k, v in after.files.items() if k != "ratings.csv"} == {
        k: v for k, v in before.files.items() if k != "ratings.csv"
    }


def test_fingerprint_covers_only_study_files(make_study, tmp_path):
    folder = make_study(tmp_path)
    before = load_study(folder).fingerprint
    (folder / "notes.txt").write_text("not a study file")
    assert load_study(folder).fingerprint == before


OWN = """\
[[theme]]
id = "zz-own-first"
title = "The study's first theme"
domain = "Inner setting"

[[theme]]
id = "aa-own-second"
title = "The study's second theme"
sources = ["10.1000/xyz"]
"""


def test_themes_study_first_then_catalogue(make_study, tmp_path):
    study = load_study(make_study(tmp_path, themes_toml=OWN))
    catalogue = [t.id for t in load_catalogue().themes]
    assert list(study.themes) == ["zz-own-first", "aa-own-second", *catalogue]
    assert study.themes["aa-own-second"].sources == ("10.1000/xyz",)
    assert "themes.toml" in study.files


def test_study_theme_with_a_catalogue_id_wins(make_study, tmp_path):
    catalogue = load_catalogue()
    assert "leadership-support" in {t.id for t in catalogue.themes}
    own = '[[theme]]\nid = "leadership-support"\ntitle = "Our own leadership theme"\nsummary = "ours"\n'
    study = load_study(make_study(tmp_path, themes_toml=own))
    assert study.themes["leadership-support"].title == "Our own leadership theme"
    assert study.themes["leadership-support"].summary == "ours"
    ids = list(study.themes)
    assert ids[0] == "leadership-support"
    assert ids.count("leadership-support") == 1
    assert len(ids) == len(catalogue.themes)
    # the ratings of the example still point at the (now the study's) theme
    assert study.rated_themes()[0].title == "Our own leadership theme"


def test_ratings_loaded_with_canonical_tokens(example):
    assert len(example.ratings) == 84
    with (EXAMPLE / "ratings.csv").open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r.site, r.theme) for r in example.ratings] == [(r["site"], r["theme"]) for r in rows]
    assert all(r.token in ("-2", "-1", "0", "+1", "+2", "X", "Missing", "N/A", "E", "I") for r in example.ratings)
    assert example.ratings[0].evidence == rows[0]["evidence"]


def test_missing_folder_is_a_study_error(tmp_path):
    with pytest.raises(StudyError) as info:
        load_study(tmp_path / "nope")
    assert [str(p) for p in info.value.problems] == [f"{tmp_path / 'nope'}: no such study folder"]


# ---- large studies (11.8) ---------------------------------------------------------------------------


def test_a_site_is_found_by_its_id_without_walking_every_site(tmp_path):
    """Study.site() is a lookup: 30,000 lookups in a 30,000-site study take well under a second
    (a walk over the sites made it quadratic: about 450 million comparisons)."""
    import shutil
    import time

    folder = tmp_path / "wide"
    shutil.copytree(Path(__file__).resolve().parent.parent / "data" / "example", folder)
    rows = list(csv.reader((folder / "sites.csv").open(encoding="utf-8")))
    extra = [[f"X{i}", *rows[1][1:]] for i in range(30_000)]
    with (folder / "sites.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows + extra)
    study = load_study(folder)
    assert len(study.sites) == 30_007
    start = time.process_time()
    found = [study.site(s.id) for s in study.sites]
    assert time.process_time() - start < 1.0
    assert [s.id for s in found] == [s.id for s in study.sites]
    with pytest.raises(KeyError):
        study.site("no-such-site")
