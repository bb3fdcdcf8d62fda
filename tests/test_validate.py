"""`crosscase validate STUDY`: every fault of study-format.md is one line `FILE:ROW: COLUMN: message`.

Each test copies the example study (conftest.make_study), breaks it in one way, and checks the
exit status (2) and the exact line on stdout: the file, the row (spreadsheet row, header = 1; TOML
line), the column, the message. The folders that must load check exit 0 and the one-line summary.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import polars as pl
import pytest

from cases.loader import load_study
from tui.cli import main

EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "example"
STUDY = (EXAMPLE / "study.toml").read_text(encoding="utf-8")
SITES = (EXAMPLE / "sites.csv").read_text(encoding="utf-8")
CONTACTS = (EXAMPLE / "contacts.csv").read_text(encoding="utf-8")
RATINGS = (EXAMPLE / "ratings.csv").read_text(encoding="utf-8")

OK_LINE = re.compile(
    r'^ok: ".+": 7 sites, 12 metrics \(3 derived from contacts\), \d+ themes rated \(\d+ ratings\), synthetic; '
    r"outcome engagement by median$"
)


def validate(folder: Path, capsys) -> tuple[int, str, list[str]]:
    """Run `crosscase validate FOLDER`; return (exit status, stdout, stdout lines)."""
    capsys.readouterr()
    rc = main(["validate", str(folder)])
    cap = capsys.readouterr()
    assert "Traceback" not in cap.out + cap.err
    return rc, cap.out, cap.out.splitlines()


def problems(lines: list[str]) -> list[str]:
    """The problem lines (every line but the closing count)."""
    assert re.fullmatch(r"\d+ problems? found", lines[-1]), lines
    assert int(lines[-1].split()[0]) == len(lines) - 1
    return lines[:-1]


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the first line of ``text`` that contains ``needle``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not found")


def replace_cell(text: str, site: str, column: str, value: str) -> str:
    """The CSV ``text`` with the cell (row of ``site``, ``column``) set to ``value``."""
    rows = list(csv.reader(io.StringIO(text)))
    col = rows[0].index(column)
    for r in rows[1:]:
        if r[0] == site:
            r[col] = value
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def drop_column(text: str, column: str) -> str:
    rows = list(csv.reader(io.StringIO(text)))
    col = rows[0].index(column)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([r[:col] + r[col + 1 :] for r in rows])
    return buf.getvalue()


def sites_row(site: str) -> int:
    """The spreadsheet row of ``site`` in the example's sites.csv."""
    return line_of(SITES, f"{site},")


# --------------------------------------------------------------------------------------------------
# Faults: exit 2 and the exact line.


def test_missing_study_toml(make_study, tmp_path, capsys):
    rc, out, lines = validate(make_study(tmp_path, study_toml=None), capsys)
    assert rc == 2
    assert problems(lines) == ["study.toml: is missing: every study folder needs a study.toml"]


def test_missing_sites_file(make_study, tmp_path, capsys):
    rc, out, lines = validate(make_study(tmp_path, sites_csv=None), capsys)
    assert rc == 2
    assert (
        "sites.csv: is missing: a study needs a sites file (sites.csv, sites.tsv, sites.parquet, sites.xlsx)" in lines
    )
    # every rating naming a site would follow from the missing file: not repeated
    assert not any(l.startswith(("ratings.csv", "contacts.csv")) for l in lines), lines
    assert len(problems(lines)) == 1


def test_toml_syntax_error_names_its_line(make_study, tmp_path, capsys):
    broken = STUDY.replace('split = "median"', 'split = "median', 1)
    rc, out, lines = validate(make_study(tmp_path, study_toml=broken), capsys)
    assert rc == 2
    line = line_of(STUDY, 'split = "median"')
    assert any(l.startswith(f"study.toml:{line}: TOML syntax error") for l in lines), lines


def test_unknown_outcome_metric(make_study, tmp_path, capsys):
    text = STUDY.replace('metric = "engagement"', 'metric = "engagment"', 1)
    rc, out, lines = validate(make_study(tmp_path, study_toml=text), capsys)
    assert rc == 2
    line = line_of(text, 'metric = "engagment"')
    assert problems(lines) == [f'study.toml:{line}: [outcome] metric "engagment" is not a defined metric']


def test_metric_column_missing_from_sites(make_study, tmp_path, capsys):
    rc, out, lines = validate(make_study(tmp_path, sites_csv=drop_column(SITES, "fidelity")), capsys)
    assert rc == 2
    assert problems(lines) == ['sites.csv: no column "fidelity" for [metrics.fidelity]']


def test_non_number_in_metric_column(make_study, tmp_path, capsys):
    rc, out, lines = validate(make_study(tmp_path, sites_csv=replace_cell(SITES, "S3", "fidelity", "high")), capsys)
    assert rc == 2
    assert sites_row("S3") == 4
    assert 'sites.csv:4: fidelity: "high" is not a number' in out
    assert len(problems(lines)) == 1


def test_value_above_max(make_study, tmp_path, capsys):
    rc, out, lines = validate(make_study(tmp_path, sites_csv=replace_cell(SITES, "S5", "fidelity", "7.5")), capsys)
    assert rc == 2
    assert problems(lines) == [f"sites.csv:{sites_row('S5')}: fidelity: 7.5 is above the maximum 5"]


def test_value_below_min(make_study, tmp_path, capsys):
    rc, out, lines = validate(
        make_study(tmp_path, sites_csv=replace_cell(SITES, "S2", "supervisor_hours", "-1")), capsys
    )
    assert rc == 2
    assert problems(lines) == [f"sites.csv:{sites_row('S2')}: supervisor_hours: -1 is below the minimum 0"]


def test_duplicate_site_id(make_study, tmp_path, capsys):
    # a second row for S3 after the seven sites: row 9
    extra = "S3,Copy,NHS,Urban,4,1,4.00,4.00,4.00,4.00,4.00,4.0,4\n"
    rc, out, lines = validate(make_study(tmp_path, sites_csv=SITES + extra), capsys)
    assert rc == 2
    assert problems(lines) == ['sites.csv:9: site: "S3" appears twice (first at row 4)']


def test_empty_site_id(make_study, tmp_path, capsys):
    extra = ",Nowhere,NHS,Urban,4,1,4.00,4.00,4.00,4.00,4.00,4.0,4\n"
    rc, out, lines = validate(make_study(tmp_path, sites_csv=SITES + extra), capsys)
    assert rc == 2
    assert problems(lines) == ["sites.csv:9: site: the site id is empty"]


def test_contact_naming_unknown_site(make_study, tmp_path, capsys):
    contacts = CONTACTS + "S9,P9999,2017-06-11,60\n"
    row = len(contacts.splitlines())  # the appended row, counted with the header as row 1
    rc, out, lines = validate(make_study(tmp_path, contacts_csv=contacts), capsys)
    assert rc == 2
    assert problems(lines) == [f'contacts.csv:{row}: site: "S9" is not a site in the sites file']


def test_contact_naming_unknown_site_mid_file(make_study, tmp_path, capsys):
    rows = CONTACTS.splitlines(keepends=True)
    rows[10] = "S8" + rows[10][2:]  # line 11 of the file = spreadsheet row 11
    rc, out, lines = validate(make_study(tmp_path, contacts_csv="".join(rows)), capsys)
    assert rc == 2
    assert problems(lines) == ['contacts.csv:11: site: "S8" is not a site in the sites file']


def test_rating_naming_unknown_site(make_study, tmp_path, capsys):
    rc, out, lines = validate(make_study(tmp_path, ratings_csv=RATINGS + "S9,leadership-support,+1,memo\n"), capsys)
    assert rc == 2
    row = len(RATINGS.splitlines()) + 1
    assert problems(lines) == [f'ratings.csv:{row}: site: "S9" is not a site in the sites file']


def test_rating_naming_unknown_theme(make_study, tmp_path, capsys):
    rc, out, lines = validate(make_study(tmp_path, ratings_csv=RATINGS + "S1,nosuch-theme,+1,memo\n"), capsys)
    assert rc == 2
    row = len(RATINGS.splitlines()) + 1
    assert problems(lines) == [
        f'ratings.csv:{row}: theme: "nosuch-theme" is not a theme in themes.toml or the built-in catalogue'
    ]


@pytest.mark.parametrize("token", ["+3", "high", "1.5", "--1", "++"])
def test_bad_rating_token(make_study, tmp_path, capsys, token):
    rc, out, lines = validate(make_study(tmp_path, ratings_csv=RATINGS + f"S1,cfir09-planning,{token},memo\n"), capsys)
    assert rc == 2
    row = len(RATINGS.splitlines()) + 1
    assert problems(lines) == [
        f'ratings.csv:{row}: rating: "{token}" is not a rating token (-2..+2, X, Missing, N/A, E, I)'
    ]


def test_duplicate_site_theme_pair(make_study, tmp_path, capsys):
    first = line_of(RATINGS, "S1,leadership-support,")
    rc, out, lines = validate(make_study(tmp_path, ratings_csv=RATINGS + "S1,leadership-support,+2,again\n"), capsys)
    assert rc == 2
    row = len(RATINGS.splitlines()) + 1
    assert problems(lines) == [
        f'ratings.csv:{row}: theme: site "S1" already has a rating of "leadership-support" (row {first})'
    ]


def test_both_ratings_forms(make_study, tmp_path, capsys):
    rc, out, lines = validate(make_study(tmp_path, ratings_wide_csv="theme,S1\nleadership-support,+1\n"), capsys)
    assert rc == 2
    assert problems(lines) == [
        "ratings-wide.csv: a study has one ratings file, but ratings.csv and ratings-wide.csv are both present"
    ]


def test_empty_sites_file(make_study, tmp_path, capsys):
    rc, out, lines = validate(make_study(tmp_path, sites_csv=b""), capsys)
    assert rc == 2
    assert problems(lines) == ["sites.csv: is empty"]


def test_empty_ratings_file(make_study, tmp_path, capsys):
    rc, out, lines = validate(make_study(tmp_path, ratings_csv=b""), capsys)
    assert rc == 2
    assert problems(lines) == ["ratings.csv: is empty"]


def test_sites_not_utf8(make_study, tmp_path, capsys):
    latin1 = SITES.replace("Fenmoor", "Fenm\u00f6or").encode("latin-1")
    rc, out, lines = validate(make_study(tmp_path, sites_csv=latin1), capsys)
    assert rc == 2
    row = sites_row("S2")
    assert problems(lines) == [f"sites.csv:{row}: is not UTF-8 (byte 0xf6); save the file as UTF-8"]


def test_several_problems_in_several_files_all_reported(make_study, tmp_path, capsys):
    toml = STUDY.replace('metric = "engagement"', 'metric = "engagment"', 1)
    folder = make_study(
        tmp_path,
        study_toml=toml,
        sites_csv=replace_cell(SITES, "S3", "fidelity", "high"),
        ratings_csv=RATINGS + "S1,cfir09-planning,+3,memo\n",
    )
    rc, out, lines = validate(folder, capsys)
    assert rc == 2
    assert problems(lines) == [
        f'study.toml:{line_of(toml, "engagment")}: [outcome] metric "engagment" is not a defined metric',
        'sites.csv:4: fidelity: "high" is not a number',
        f'ratings.csv:{len(RATINGS.splitlines()) + 1}: rating: "+3" is not a rating token (-2..+2, X, Missing, N/A, E, I)',
    ]
    assert lines[-1] == "3 problems found"


def test_derived_metric_column_present_in_sites(make_study, tmp_path, capsys):
    rows = SITES.splitlines()
    sites = "\n".join([rows[0] + ",engagement"] + [r + ",0.5" for r in rows[1:]]) + "\n"
    rc, out, lines = validate(make_study(tmp_path, sites_csv=sites), capsys)
    assert rc == 2
    assert problems(lines) == [
        "sites.csv:1: engagement: [metrics.engagement] is derived from contacts, so sites must not have this column"
    ]


def test_threshold_split_without_threshold(make_study, tmp_path, capsys):
    text = STUDY.replace('split = "median"', 'split = "threshold"', 1)
    rc, out, lines = validate(make_study(tmp_path, study_toml=text), capsys)
    assert rc == 2
    line = line_of(text, 'split = "threshold"')
    assert problems(lines) == [f'study.toml:{line}: [outcome] split = "threshold" needs threshold = <number>']


def test_explicit_split_naming_unknown_site(make_study, tmp_path, capsys):
    text = STUDY.replace('split = "median"', 'split = "explicit"\nhigh = ["S1", "S9"]\nlow = ["S7"]', 1)
    rc, out, lines = validate(make_study(tmp_path, study_toml=text), capsys)
    assert rc == 2
    line = line_of(text, "high = [")
    assert problems(lines) == [f'study.toml:{line}: [outcome] high: "S9" is not a site in the sites file']


def test_unknown_key_in_outcome(make_study, tmp_path, capsys):
    text = STUDY.replace('split = "median"', 'split = "median"\ntreshold = 0.5', 1)
    rc, out, lines = validate(make_study(tmp_path, study_toml=text), capsys)
    assert rc == 2
    line = line_of(text, "treshold")
    assert problems(lines) == [
        f'study.toml:{line}: [outcome] has an unknown key "treshold" (allowed: high, low, metric, second, split, threshold)'
    ]


def test_condition_naming_unknown_attribute(make_study, tmp_path, capsys):
    text = STUDY.replace('attribute = "employer"', 'attribute = "employr"', 1)
    rc, out, lines = validate(make_study(tmp_path, study_toml=text), capsys)
    assert rc == 2
    line = line_of(text, 'attribute = "employr"')
    assert problems(lines) == [
        f'study.toml:{line}: [[condition]] attribute "employr" is not a column of the sites file'
    ]


# --------------------------------------------------------------------------------------------------
# Wide ratings: site columns, titles matched ignoring case, ambiguous and unknown titles.

OWN_THEMES = """\
[[theme]]
id = "same-one"
title = "Same title"

[[theme]]
id = "same-two"
title = "same TITLE"
"""


def test_wide_ratings_faults_each_named(make_study, tmp_path, capsys):
    wide = (
        "theme,domain,S1,S2,S8\n"  # row 1: S8 is not a site
        "PLANNING,Process,+1,-1,0\n"  # row 2: a catalogue title, matched ignoring case: loads
        "Same Title,,+1,+1,+1\n"  # row 3: two of the study's own themes have this title
        "No such construct,,+1,+1,+1\n"  # row 4: neither an id nor a title
    )
    folder = make_study(tmp_path, ratings_csv=None, themes_toml=OWN_THEMES, ratings_wide_csv=wide)
    rc, out, lines = validate(folder, capsys)
    assert rc == 2
    assert problems(lines) == [
        'ratings-wide.csv:1: S8: "S8" is not a site id in the sites file (did you mean S7?)',
        'ratings-wide.csv:3: theme: "Same Title" matches more than one theme (same-one, same-two): use the id',
        'ratings-wide.csv:4: theme: "No such construct" is neither a theme id nor a theme title',
    ]


def test_wide_ratings_valid_titles_load(make_study, tmp_path, capsys):
    wide = "theme,domain,S1,S2,S7\nPLANNING,Process,+1,-1,\nchampions,,x,+2,N/A\ncfir09-executing,,0,1,\u22122\n"
    folder = make_study(tmp_path, ratings_csv=None, ratings_wide_csv=wide)
    rc, out, lines = validate(folder, capsys)
    assert rc == 0, out
    study = load_study(folder)
    got = {(r.site, r.theme): r.token for r in study.ratings}
    assert got == {
        ("S1", "cfir09-planning"): "+1",
        ("S2", "cfir09-planning"): "-1",
        ("S7", "cfir09-planning"): "Missing",
        ("S1", "cfir09-champions"): "X",
        ("S2", "cfir09-champions"): "+2",
        ("S7", "cfir09-champions"): "N/A",
        ("S1", "cfir09-executing"): "0",
        ("S2", "cfir09-executing"): "+1",
        ("S7", "cfir09-executing"): "-2",
    }


def test_wide_ratings_own_theme_title_matched_first(make_study, tmp_path, capsys):
    own = '[[theme]]\nid = "our-planning"\ntitle = "Planning"\n'
    folder = make_study(tmp_path, ratings_csv=None, themes_toml=own, ratings_wide_csv="theme,S1\nplanning,+2\n")
    rc, out, lines = validate(folder, capsys)
    assert rc == 0, out
    assert [(r.site, r.theme, r.token) for r in load_study(folder).ratings] == [("S1", "our-planning", "+2")]


# --------------------------------------------------------------------------------------------------
# Folders that must load.


def test_example_validates(make_study, tmp_path, capsys):
    rc, out, lines = validate(make_study(tmp_path), capsys)
    assert rc == 0
    assert len(lines) == 1
    assert OK_LINE.match(lines[0]), lines[0]
    assert "12 themes rated (84 ratings)" in lines[0]


def test_builtin_example_folder_validates(capsys):
    rc, out, lines = validate(EXAMPLE, capsys)
    assert rc == 0 and OK_LINE.match(lines[0])


def test_utf8_bom_on_sites_and_study_toml(make_study, tmp_path, capsys):
    bom = b"\xef\xbb\xbf"
    folder = make_study(tmp_path, sites_csv=bom + SITES.encode(), study_toml=bom + STUDY.encode())
    rc, out, lines = validate(folder, capsys)
    assert rc == 0, out
    assert OK_LINE.match(lines[0])
    assert [s.id for s in load_study(folder).sites] == [f"S{i}" for i in range(1, 8)]


def test_crlf_line_endings_on_every_file(make_study, tmp_path, capsys):
    crlf = {p.name: p.read_bytes().replace(b"\n", b"\r\n") for p in EXAMPLE.iterdir() if p.is_file()}
    assert all(b"\r\n" in v for v in crlf.values())
    folder = make_study(tmp_path, files=crlf)
    rc, out, lines = validate(folder, capsys)
    assert rc == 0, out
    assert OK_LINE.match(lines[0])
    plain = load_study(EXAMPLE)
    windows = load_study(folder)
    assert [dict(s.values) for s in windows.sites] == [dict(s.values) for s in plain.sites]
    assert [(r.site, r.theme, r.token) for r in windows.ratings] == [(r.site, r.theme, r.token) for r in plain.ratings]


def summary_json(folder: Path, capsys) -> dict:
    capsys.readouterr()
    assert main(["summary", str(folder), "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def _figures(summary: dict) -> dict:
    """The summary without what legitimately differs between formats (the file fingerprint)."""
    return {k: v for k, v in summary.items() if k != "study"} | {"title": summary["study"]["title"]}


def _write_sites(kind: str, folder: Path) -> None:
    frame = pl.read_csv(EXAMPLE / "sites.csv")  # numbers as numbers, ints as ints
    if kind == "tsv":
        (folder / "sites.tsv").write_text(SITES.replace(",", "\t"), encoding="utf-8")
    elif kind == "parquet":
        frame.write_parquet(folder / "sites.parquet")
    else:
        frame.write_excel(folder / "sites.xlsx")


@pytest.mark.parametrize("kind", ["tsv", "parquet", "xlsx"])
def test_sites_in_other_formats_give_the_same_figures(make_study, tmp_path, capsys, kind):
    if kind == "xlsx":
        pytest.importorskip("xlsxwriter")
        pytest.importorskip("fastexcel")
    folder = make_study(tmp_path, sites_csv=None)
    _write_sites(kind, folder)
    rc, out, lines = validate(folder, capsys)
    assert rc == 0, out
    assert OK_LINE.match(lines[0])
    other = load_study(folder)
    assert [s.id for s in other.sites] == [f"S{i}" for i in range(1, 8)]
    assert [s.label for s in other.sites] == [s.label for s in load_study(EXAMPLE).sites]
    assert _figures(summary_json(folder, capsys)) == _figures(summary_json(EXAMPLE, capsys))


def test_spreadsheet_dates_load_as_dates_and_times_stay(make_study, tmp_path):
    """A date in a Parquet or Excel attribute column is a date-time at midnight: it loads as the date."""
    import datetime as dt

    folder = make_study(tmp_path, sites_csv=None)
    opened = [dt.datetime(2019, 4, i) for i in range(1, 8)]
    opened[1] = dt.datetime(2019, 4, 2, 13, 30)  # a real time of day is kept
    frame = pl.read_csv(EXAMPLE / "sites.csv").with_columns(pl.Series("opened", opened))
    frame.write_parquet(folder / "sites.parquet")
    study = load_study(folder)
    got = {s.id: s.attributes["opened"] for s in study.sites}
    assert got["S1"] == "2019-04-01" and got["S3"] == "2019-04-03"
    assert got["S2"].startswith("2019-04-02 13:30")


def test_parquet_sites_faults_count_data_rows_from_one(make_study, tmp_path, capsys):
    folder = make_study(tmp_path, sites_csv=None)
    frame = pl.read_csv(EXAMPLE / "sites.csv").with_columns(
        pl.when(pl.col("site") == "S3").then(9.0).otherwise(pl.col("fidelity")).alias("fidelity")
    )
    frame.write_parquet(folder / "sites.parquet")
    rc, out, lines = validate(folder, capsys)
    assert rc == 2
    assert problems(lines) == ["sites.parquet:3: fidelity: 9 is above the maximum 5"]


TOKENS = {
    # theme id: (the token as written, its canonical form)
    "cfir09-planning": ("+1", "+1"),
    "cfir09-engaging": ("1", "+1"),
    "cfir09-executing": ("\u22121", "-1"),
    "cfir09-champions": (" x ", "X"),
    "cfir09-culture": ("Mixed", "X"),
    "cfir09-cost": ("0 (mixed)", "X"),
    "cfir09-trialability": ("missing", "Missing"),
    "cfir09-complexity": ("", "Missing"),
    "cfir09-adaptability": ("N/A", "N/A"),
    "cfir09-intervention-source": ("e", "E"),
    "cfir09-compatibility": ("I", "I"),
}


def test_rating_tokens_in_every_spelling_are_canonicalised(make_study, tmp_path, capsys):
    extra = "".join(f"S1,{theme},{raw},\n" for theme, (raw, _) in TOKENS.items())
    extra += "S2,cfir09-planning,-2,\nS2,cfir09-engaging,+2,\nS2,cfir09-executing,0,\nS2,cfir09-champions,2,\n"
    extra += "S2,cfir09-culture,MISSING,\nS2,cfir09-cost,n/a,\nS2,cfir09-complexity,\u22122,\n"
    folder = make_study(tmp_path, ratings_csv=RATINGS + extra)
    rc, out, lines = validate(folder, capsys)
    assert rc == 0, out
    got = {(r.site, r.theme): r.token for r in load_study(folder).ratings}
    for theme, (raw, canonical) in TOKENS.items():
        assert got[("S1", theme)] == canonical, (raw, got[("S1", theme)])
    assert [
        got[("S2", t)]
        for t in (
            "cfir09-planning",
            "cfir09-engaging",
            "cfir09-executing",
            "cfir09-champions",
            "cfir09-culture",
            "cfir09-cost",
            "cfir09-complexity",
        )
    ] == ["-2", "+2", "0", "+2", "Missing", "N/A", "-2"]


# --------------------------------------------------------------------------------------------------
# A published CFIR rating table, converted into a study.
#
# /work/shared/examples/published-cfir-rating-table.csv is Table 2 of PMC5316200 as printed: four
# centres (A high, B and C medium, D low implementation), one row per CFIR (2009) construct, with
# the printed enumerators ("B. Evidence Strength & Quality", "1. Tension for Change") and an
# "association" column holding the authors' judgement. The copy below is that file verbatim (the
# test checks it against the shared file when that file is present).
#
# The transformation into a study folder (kept here, in the test):
#   - comment lines (#) are dropped;
#   - the `construct` cell loses its printed enumerator (a letter or number, a dot, a space):
#     "B. Evidence Strength & Quality" -> "Evidence Strength & Quality", which is the CFIR 2009
#     construct's title in data/catalogue.toml; the loader matches it ignoring case
#     ("Intervention source" -> "Intervention Source");
#   - that title becomes ratings-wide.csv's `theme` column; `domain` is kept (the loader ignores it);
#   - the site columns center_A_high .. center_D_low become the site ids A .. D;
#   - the `association` column (the authors' judgement, not a site) is dropped;
#   - "Organizational Tracking" is not a CFIR 2009 construct, so the study declares it in its own
#     themes.toml (id organizational-tracking) - the wide form matches the study's themes first;
#   - sites.csv holds the four centres with an engagement-like metric, `implementation`, chosen so
#     that a tertile split (k = 4 // 3 = 1) gives A high, D low, and B and C middle, as printed.

PUBLISHED = """\
# A published CFIR rating table, as printed: Table 2 of the open-access article PMC5316200 (https://pmc.ncbi.nlm.nih.gov/articles/PMC5316200/table/Tab2). Rows are the constructs the authors rated.
# Implementation levels as printed: High = Center A; Medium = Centers B and C; Low = Center D. The 'association' column is the authors' judgement. X = mixed or unclear.
# Footnote a: 'There is a negative association with the lack of adaptability and with problems in the design and packaging of the intervention'.
domain,construct,center_A_high,center_B_medium,center_C_medium,center_D_low,association
I. Intervention characteristics,A. Intervention source,+2,+1,0,0,+ association
I. Intervention characteristics,B. Evidence Strength & Quality,+2,+1,+1,-1,+ association
I. Intervention characteristics,C. Relative advantage,+1,+1,+2,+1,Not associated
I. Intervention characteristics,D. Adaptability,-2,0,-1,0,- + associated (a)
I. Intervention characteristics,F. Complexity,-2,-1,-1,-2,Not associated
I. Intervention characteristics,G. Design Quality & Packaging,-1,-1,+1,+1,+ association (a)
II. Outer setting,A. Patient Needs & Resources,-1,+1,-2,-1,Not associated
II. Outer setting,D. External Policy & Incentives,-2,-1,-2,-2,Not associated
III. Inner setting,A. Structural Characteristics,-2,-2,-2,-2,Not associated
III. Inner setting / D. Implementation climate,1. Tension for Change,+1,0,+2,-1,+ association
III. Inner setting / D. Implementation climate,6. Learning Climate,+2,0,X,-1,+ association
III. Inner setting / E. Readiness for Implementation,2. Available Resources,-2,-1,-1,-1,Not associated
IV. Characteristics of individuals,B. Self-efficacy,+2,-1,+1,-2,+ association
V. Process,A. Planning,0,0,0,-2,+ association
V. Process / B. Engaging,2. Formally appointed internal implementation leaders,+2,+2,+2,+1,Not associated
V. Process / B. Engaging,3. Champions,+1,+2,X,X,+ association
V. Process,C. Executing,+1,0,-1,-2,+ association
V. Process,D. Reflecting & Evaluating,+1,+1,-1,-1,+ association
V. Process,Organizational Tracking,-2,0,-2,X,- association
"""
SHARED_TABLE = Path("/work/shared/examples/published-cfir-rating-table.csv")

PUBLISHED_STUDY = """\
[study]
title = "PMC5316200 Table 2 as a crosscase study"

[outcome]
metric = "implementation"
split = "tertiles"

[metrics.implementation]
label = "Implementation level"
min = 0.0
max = 1.0
"""
PUBLISHED_SITES = "site,label,implementation\nA,Center A,0.9\nB,Center B,0.6\nC,Center C,0.5\nD,Center D,0.2\n"
PUBLISHED_THEMES = '[[theme]]\nid = "organizational-tracking"\ntitle = "Organizational Tracking"\n'
ENUMERATOR = re.compile(r"^(?:[A-Z]|\d+)\.\s+")


def published_to_wide(text: str) -> tuple[str, list[tuple[str, dict[str, str]]]]:
    """ratings-wide.csv text, and the (title, {site: printed cell}) rows it holds."""
    body = "".join(l for l in text.splitlines(keepends=True) if not l.startswith("#"))
    rows = list(csv.DictReader(io.StringIO(body)))
    sites = {"center_A_high": "A", "center_B_medium": "B", "center_C_medium": "C", "center_D_low": "D"}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["domain", "theme", *sites.values()])
    kept = []
    for r in rows:
        title = ENUMERATOR.sub("", r["construct"].strip())
        cells = {sites[c]: r[c] for c in sites}
        writer.writerow([r["domain"], title, *cells.values()])
        kept.append((title, cells))
    return out.getvalue(), kept


def test_published_table_copy_matches_the_shared_file():
    if not SHARED_TABLE.exists():
        pytest.skip("the shared example table is not on this machine")
    assert SHARED_TABLE.read_text(encoding="utf-8").replace("\r\n", "\n") == PUBLISHED


def test_published_cfir_table_loads_as_a_study(make_study, tmp_path, capsys):
    from cases.catalogue import load_catalogue

    wide, rows = published_to_wide(PUBLISHED)
    assert rows[1][0] == "Evidence Strength & Quality"
    assert rows[9][0] == "Tension for Change"
    folder = make_study(
        tmp_path,
        study_toml=PUBLISHED_STUDY,
        sites_csv=PUBLISHED_SITES,
        contacts_csv=None,
        ratings_csv=None,
        themes_toml=PUBLISHED_THEMES,
        ratings_wide_csv=wide,
    )
    rc, out, lines = validate(folder, capsys)
    assert rc == 0, out
    assert lines[0].startswith('ok: "PMC5316200 Table 2 as a crosscase study": 4 sites, 1 metrics')

    study = load_study(folder)
    cfir09 = {t.title.casefold(): t.id for t in load_catalogue().themes if t.kind == "cfir2009"}
    expected_ids = [cfir09.get(title.casefold(), "organizational-tracking") for title, _ in rows]
    assert expected_ids[1] == "cfir09-evidence-strength-quality"
    assert expected_ids[-1] == "organizational-tracking"
    assert sum(1 for i in expected_ids if i.startswith("cfir09-")) == len(rows) - 1
    got = {(r.theme, r.site): r.token for r in study.ratings}
    assert len(got) == 4 * len(rows)
    for theme_id, (_, cells) in zip(expected_ids, rows):
        for site, printed in cells.items():
            assert got[(theme_id, site)] == printed, (theme_id, site)

    summary = summary_json(folder, capsys)
    assert summary["groups"] == {"high": ["A"], "low": ["D"], "middle": ["B", "C"], "missing": []}
    themes = {t["theme"]: t for t in summary["themes"]}
    assert set(themes) == set(expected_ids)
    esq = themes["cfir09-evidence-strength-quality"]
    assert esq["high"]["ratings"] == {"A": "+2"} and esq["low"]["ratings"] == {"D": "-1"}
    assert themes["organizational-tracking"]["low"]["ratings"] == {"D": "X"}
    # the study's own theme comes first, then the catalogue's in catalogue order
    assert summary["themes"][0]["theme"] == "organizational-tracking"


# --------------------------------------------------------------------------------------------------
# A problem is one line, and text quoted from a data file cannot drive the terminal.


def test_problem_quoting_a_multiline_cell_stays_one_line(make_study, tmp_path, capsys):
    sites = replace_cell(SITES, "S3", "fidelity", "hi\ngh")  # a quoted cell holding a newline
    rc, out, lines = validate(make_study(tmp_path, sites_csv=sites), capsys)
    assert rc == 2
    assert len(problems(lines)) == 1
    assert lines[0].startswith("sites.csv:4: fidelity: ") and lines[0].endswith("is not a number")


def test_problem_quoting_escape_sequences_is_made_visible(make_study, tmp_path, capsys):
    sites = replace_cell(SITES, "S3", "fidelity", "\x1b[2J\x1b]0;owned\x07")
    rc, out, lines = validate(make_study(tmp_path, sites_csv=sites), capsys)
    assert rc == 2
    assert "\x1b" not in out and "\x07" not in out
    assert problems(lines) == ['sites.csv:4: fidelity: "\\x1b[2J\\x1b]0;owned\\x07" is not a number']


def test_summary_problem_lines_on_stderr_are_clean(make_study, tmp_path, capsys):
    sites = replace_cell(SITES, "S3", "fidelity", "a\nb\x1b[31m")
    capsys.readouterr()
    assert main(["summary", str(make_study(tmp_path, sites_csv=sites))]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == ['sites.csv:4: fidelity: "a\\x0ab\\x1b[31m" is not a number']
