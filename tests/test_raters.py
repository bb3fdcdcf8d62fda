"""Rater files ``ratings/RATER.csv`` (cases.raters): ratings.csv's rules, the name rules, one
``FILE:ROW: COLUMN: message`` line per problem, and the hashes the fingerprint covers."""

from __future__ import annotations

import hashlib
import os

import pytest

from cases.errors import Collector
from cases.loader import fingerprint, load_study
from cases.model import Rating
from cases.raters import Raters, hash_raters, rater_files, read_raters
from metrics.agreement import study_agreement
from tests.conftest import EXAMPLE

HEAD = "site,theme,rating,evidence\n"
GOOD = HEAD + "S1,leadership-support,+1,seen at the launch\nS2,leadership-support,0,\nS1,peer-role-clarity,2,\n"


@pytest.fixture(scope="module")
def example():
    return load_study(EXAMPLE)


def study_with(tmp_path, files: dict[str, str | bytes]):
    folder = tmp_path / "study"
    (folder / "ratings").mkdir(parents=True)
    for name, text in files.items():
        data = text.encode() if isinstance(text, str) else text
        (folder / name).write_bytes(data)
    return folder


def read(folder, example):
    out = Collector()
    raters = read_raters(folder, {s.id: s.label for s in example.sites}, example.themes, out)
    return raters, [str(p) for p in out.problems]


def test_good_files_are_read_in_rater_order(tmp_path, example):
    folder = study_with(tmp_path, {"ratings/ben.csv": GOOD, "ratings/Ana.csv": HEAD + "S3,leadership-support,-1,\n"})
    raters, problems = read(folder, example)
    assert problems == []
    assert isinstance(raters, Raters) and raters.names == ("Ana", "ben")
    assert raters.ratings["ben"] == (
        Rating("S1", "leadership-support", "+1", "seen at the launch"),
        Rating("S2", "leadership-support", "0"),
        Rating("S1", "peer-role-clarity", "+2"),
    )
    assert dict(raters.files) == {"Ana": "ratings/Ana.csv", "ben": "ratings/ben.csv"}


def test_no_ratings_folder_is_no_raters(tmp_path, example):
    raters, problems = read(tmp_path, example)
    assert problems == [] and len(raters) == 0


@pytest.mark.parametrize(
    "text, line",
    [
        (
            HEAD + "S1,leadership-support,+1,\nS2,leadership-support,0,\nS3,leadership-support,7,\n",
            'ratings/ana.csv:4: rating: "7" is not a rating token (-2..+2, X, Missing, N/A, E, I)',
        ),
        (HEAD + "S99,leadership-support,+1,\n", 'ratings/ana.csv:2: site: "S99" is not a site in the sites file'),
        (
            HEAD + "S1,leadership-support,+1,\nS1,no-such-theme,+1,\n",
            'ratings/ana.csv:3: theme: "no-such-theme" is not a theme in themes.toml or the built-in catalogue',
        ),
        (
            HEAD + "S1,leadership-support,+1,\nS1,leadership-support,0,\n",
            'ratings/ana.csv:3: theme: site "S1" already has a rating of "leadership-support" (row 2)',
        ),
        (
            "site,theme,rating,memo\nS1,leadership-support,+1,x\n",
            "ratings/ana.csv:1: memo: unknown column (allowed: site, theme, rating, evidence)",
        ),
        ("site,rating\nS1,+1\n", 'ratings/ana.csv: no column "theme"'),
        ("", "ratings/ana.csv: is empty"),
        (
            b"site,theme,rating\nS1,leadership-support,\xff\n",
            "ratings/ana.csv:2: is not UTF-8 (byte 0xff); save the file as UTF-8",
        ),
    ],
)
def test_row_problems_name_file_row_and_column(tmp_path, example, text, line):
    folder = study_with(tmp_path, {"ratings/ana.csv": text, "ratings/ben.csv": GOOD})
    raters, problems = read(folder, example)
    assert problems == [line]
    assert raters.names == ("ben",)  # the file with a problem is left out


@pytest.mark.parametrize(
    "name, line",
    [
        (
            "notes.txt",
            "ratings/notes.txt: is not a rater file: ratings/ holds only rater files named RATER.csv "
            "(RATER is 1-40 letters, digits, _ or -)",
        ),
        (
            "ana.CSV",
            "ratings/ana.CSV: is not a rater file: ratings/ holds only rater files named RATER.csv "
            "(RATER is 1-40 letters, digits, _ or -)",
        ),
        (
            "a.b.csv",
            'ratings/a.b.csv: "a.b" is not a rater name: a rater name is 1-40 letters (A-Z, a-z), digits, _ or - '
            "(the file is ratings/RATER.csv)",
        ),
        (
            "r" * 41 + ".csv",
            f'ratings/{"r" * 41}.csv: "{"r" * 41}" is not a rater name: a rater name is 1-40 letters '
            "(A-Z, a-z), digits, _ or - (the file is ratings/RATER.csv)",
        ),
        (
            "Zoë.csv",
            'ratings/Zoë.csv: "Zoë" is not a rater name: a rater name is 1-40 letters (A-Z, a-z), digits, _ or - '
            "(the file is ratings/RATER.csv)",
        ),
        (
            ".csv",
            'ratings/.csv: "" is not a rater name: a rater name is 1-40 letters (A-Z, a-z), digits, _ or - '
            "(the file is ratings/RATER.csv)",
        ),
        (
            ".ben.csv.k3j2h.tmp",
            "ratings/.ben.csv.k3j2h.tmp: is a temporary file left by an interrupted write of "
            "ratings/ben.csv; check that file, then delete this one",
        ),
        (
            "Ben.csv",
            'ratings/ben.csv: the rater "ben" differs from "Ben" (ratings/Ben.csv) only in case: '
            "one rater, one file (rename or merge them)",
        ),
    ],
)
def test_other_entries_of_the_ratings_folder_are_errors(tmp_path, example, name, line):
    folder = study_with(tmp_path, {"ratings/ben.csv": GOOD, f"ratings/{name}": GOOD})
    raters, problems = read(folder, example)
    assert problems == [line]


def test_longest_name_is_forty_characters(tmp_path, example):
    name = "a_-Z9" * 8
    folder = study_with(tmp_path, {f"ratings/{name}.csv": GOOD})
    raters, problems = read(folder, example)
    assert problems == [] and raters.names == (name,)


def test_a_folder_inside_ratings_and_ratings_as_a_file(tmp_path, example):
    folder = study_with(tmp_path, {"ratings/ben.csv": GOOD})
    (folder / "ratings" / "ana.csv").mkdir()
    assert read(folder, example)[1] == ["ratings/ana.csv: is not a regular file"]
    other = tmp_path / "other"
    other.mkdir()
    (other / "ratings").write_text(GOOD)
    assert read(other, example)[1] == [
        "ratings: is not a folder: rater files go in a folder ratings/ (ratings/RATER.csv)"
    ]


def test_links_out_of_the_study_are_refused(tmp_path, example):
    outside = tmp_path / "outside.csv"
    outside.write_text(GOOD)
    folder = study_with(tmp_path, {"ratings/ben.csv": GOOD})
    os.symlink(outside, folder / "ratings" / "ana.csv")
    assert read(folder, example)[1] == [
        "ratings/ana.csv: is a link to a file outside the study folder; copy the file in instead"
    ]
    other = tmp_path / "other"
    other.mkdir()
    os.symlink(tmp_path / "study" / "ratings", other / "ratings")
    assert read(other, example)[1] == [
        "ratings: is a link to a folder outside the study folder; copy the rater files in instead"
    ]


def test_hashes_cover_every_rater_file_and_change_the_fingerprint(tmp_path):
    folder = study_with(tmp_path, {"ratings/ben.csv": GOOD, "ratings/ana.csv": HEAD + "S1,leadership-support,0,\n"})
    hashes = hash_raters(folder)
    assert hashes == {
        f"ratings/{r}.csv": "sha256:" + hashlib.sha256((folder / f"ratings/{r}.csv").read_bytes()).hexdigest()
        for r in ("ana", "ben")
    }
    assert rater_files(folder) == {"ana": "ratings/ana.csv", "ben": "ratings/ben.csv"}
    before = fingerprint({"study.toml": "sha256:00", **hashes})
    (folder / "ratings/ana.csv").write_text(HEAD + "S1,leadership-support,+1,\n")
    assert fingerprint({"study.toml": "sha256:00", **hash_raters(folder)}) != before


def test_study_agreement_pseudonymised_names_no_site(tmp_path, example):
    folder = study_with(tmp_path, {"ratings/ana.csv": GOOD, "ratings/ben.csv": HEAD + "S1,leadership-support,+2,\n"})
    raters, problems = read(folder, example)
    assert problems == []
    plain = study_agreement(example, raters).to_dict()
    assert [(d["site"], d["theme"]) for d in plain["disagreements"]] == [
        ("S1", "leadership-support"),
        ("S2", "leadership-support"),
        ("S1", "peer-role-clarity"),
    ]
    consensus = {(r.site, r.theme): r.token for r in example.ratings}
    assert plain["disagreements"][0]["consensus"] == consensus[("S1", "leadership-support")]
    hidden = study_agreement(example, raters, pseudonymise=True).to_dict()
    assert [d["site"] for d in hidden["disagreements"]] == ["Site A", "Site B", "Site A"]
    text = repr(hidden)
    assert not any(f"'{s.id}'" in text or s.label in text for s in example.sites)
    assert "seen at the launch" not in text  # a rater's memo is evidence: never in the output
