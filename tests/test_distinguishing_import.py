"""Item 10.16: importing a published CFIR table (ratings-wide.csv) as printed, with hints and the
authors' judgement kept. Each study is built like /work/shared/examples/published-cfir-rating-table.csv
(Table 2 of PMC5316200: centers A-D, constructs down, an association column) turned into a folder."""

from __future__ import annotations

import json

import pytest

from cases.errors import StudyError
from cases.loader import load_study
from metrics.compare import compare
from metrics.results import Options

SITES = "site,label,engagement\nS1,Center A,0.9\nS2,Center B,0.6\nS3,Center C,0.5\nS4,Center D,0.2\n"
TOML = (
    '[study]\ntitle = "PMC5316200 Table 2"\n[outcome]\nmetric = "engagement"\nsplit = "median"\n'
    '[metrics.engagement]\nlabel = "Engagement"\n'
)
HEADER = "domain,theme,S1,S2,S3,S4,distinguishing\n"
TITLE = (
    "# A published CFIR rating table, as printed: Table 2 of PMC5316200. Rows are the constructs the authors rated.\n"
    "# Implementation levels as printed: High = Center A; Medium = Centers B and C; Low = Center D.\n"
)


def study_with(make_study, tmp_path, wide: str):
    return make_study(
        tmp_path, sites_csv=SITES, study_toml=TOML, ratings_csv=None, contacts_csv=None, ratings_wide_csv=wide
    )


def problems(folder) -> list[str]:
    with pytest.raises(StudyError) as exc:
        load_study(folder)
    return [str(p) for p in exc.value.problems]


def test_titles_match_with_and_for_ampersand_case_and_outline_letters(make_study, tmp_path):
    folder = study_with(
        make_study,
        tmp_path,
        HEADER + "I,B. evidence strength AND quality,+2,+1,+1,-1,\n"
        "I,Design quality and packaging,-1,-1,+1,+1,\n"
        "II,patient needs & resources,-1,+1,-2,-1,\n",
    )
    study = load_study(folder)
    assert [t.id for t in study.rated_themes()] == [
        "cfir09-evidence-strength-quality",
        "cfir09-design-quality-packaging",
        "cfir09-patient-needs-resources",
    ]
    assert study.notes == ()


def test_reverse_rated_suffix_is_left_out_and_noted(make_study, tmp_path, capsys):
    from tui.cli import main

    folder = study_with(make_study, tmp_path, HEADER + "I,Complexity (reverse rated),-2,-1,-1,-2,\n")
    study = load_study(folder)
    assert [t.id for t in study.rated_themes()] == ["cfir09-complexity"]
    assert study.notes == (
        'ratings-wide.csv:2: theme: "Complexity (reverse rated)" was read as cfir09-complexity '
        '("Complexity"), leaving out "(reverse rated)"',
    )
    assert main(["validate", str(folder)]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "note: " + study.notes[0]


def test_headers_that_are_not_site_ids_get_one_line_each_with_a_hint(make_study, tmp_path):
    folder = study_with(
        make_study, tmp_path, "domain,theme,center_A_high,site_2,S3,center_D_low,zzz\nI,Planning,0,0,0,-2,0\n"
    )
    assert problems(folder) == [
        'ratings-wide.csv:1: center_A_high: "center_A_high" is not a site id in the sites file (did you mean S1?)',
        'ratings-wide.csv:1: site_2: "site_2" is not a site id in the sites file (did you mean S2?)',
        'ratings-wide.csv:1: center_D_low: "center_D_low" is not a site id in the sites file (did you mean S4?)',
        'ratings-wide.csv:1: zzz: "zzz" is not a site id in the sites file (site ids are S1, S2, S3, S4)',
    ]


def test_site_200_header_suggests_the_id_it_holds(make_study, tmp_path):
    sites = "site,label,engagement\n200,Facility 200,0.1\n300,Facility 300,0.9\n"
    folder = make_study(
        tmp_path,
        sites_csv=sites,
        study_toml=TOML,
        ratings_csv=None,
        contacts_csv=None,
        ratings_wide_csv="theme,site_200,300\nPlanning,-1,+1\n",
    )
    assert problems(folder) == [
        'ratings-wide.csv:1: site_200: "site_200" is not a site id in the sites file (did you mean 200?)'
    ]


def test_an_unknown_title_suggests_the_nearest_theme(make_study, tmp_path):
    folder = study_with(
        make_study, tmp_path, HEADER + "I,Evidence strenght and quality,+2,+1,+1,-1,\nI,Planning,0,0,0,-2,\n"
    )
    assert problems(folder) == [
        'ratings-wide.csv:2: theme: "Evidence strenght and quality" is neither a theme id '
        "nor a theme title (did you mean cfir09-evidence-strength-quality?)"
    ]


def test_a_title_line_above_the_header_is_reported_once(make_study, tmp_path):
    folder = study_with(make_study, tmp_path, TITLE + HEADER + "".join(f"I,Planning{i},0,0,0,-2,\n" for i in range(15)))
    assert problems(folder) == [
        "ratings-wide.csv:1: the first 2 lines are not the header: the header is row 3 "
        "(domain, theme, S1, S2, …); delete the lines above it"
    ]
    # as printed by the shared example: a 'construct' column instead of 'theme' is named in the line
    shared = (
        TITLE + "domain,construct,center_A_high,center_B_medium,center_C_medium,center_D_low,association\n"
        "I,A. Intervention source,+2,+1,0,0,+ association\n"
    )
    assert problems(study_with(make_study, tmp_path, shared)) == [
        "ratings-wide.csv:1: the first 2 lines are not the header: the header is row 3 (domain, construct, "
        'center_A_high, center_B_medium, …) (it has no "theme" column); delete the lines above it'
    ]


def test_no_theme_column_names_the_construct_column(make_study, tmp_path):
    folder = study_with(make_study, tmp_path, "domain,construct,S1,S2,S3,S4\nI,Planning,0,0,0,-2\n")
    assert problems(folder) == ['ratings-wide.csv: no column "theme" (is "construct" the theme column? name it theme)']


def test_the_published_judgement_is_kept_and_shown_beside_the_rule(make_study, tmp_path, capsys):
    from tui.cli import main

    folder = study_with(
        make_study,
        tmp_path,
        HEADER + "I,Evidence Strength & Quality,+2,+1,+1,-1,**\n"
        "I,Relative advantage,+1,+1,+2,+1,\n"
        "V,Planning,0,0,0,-2,*\n"
        "V,Executing,+1,0,-1,-2,Strong\n"
        "V,Reflecting & Evaluating,+1,+1,-1,-1,none\n",
    )
    study = load_study(folder)
    assert dict(study.published) == {
        "cfir09-evidence-strength-quality": "strong",
        "cfir09-relative-advantage": "none",
        "cfir09-planning": "weak",
        "cfir09-executing": "strong",
        "cfir09-reflecting-evaluating": "none",
    }
    c = compare(study, Options(permutations=False))
    by = {t.theme: t for t in c.themes}
    assert (by["cfir09-executing"].published, by["cfir09-executing"].distinguishing) == ("strong", "weak")
    assert main(["summary", str(folder), "--format", "json"]) == 0
    js = {t["theme"]: t for t in json.loads(capsys.readouterr().out)["themes"]}
    assert js["cfir09-planning"]["published"] == "weak"
    assert main(["summary", str(folder)]) == 0
    assert "published: strong" in capsys.readouterr().out


def test_a_bad_published_mark_is_one_line(make_study, tmp_path):
    folder = study_with(make_study, tmp_path, HEADER + "V,Planning,0,0,0,-2,maybe\n")
    assert problems(folder) == [
        'ratings-wide.csv:2: distinguishing: "maybe" is not a published judgement '
        "(strong, weak, distinguishing, none, **, *, or empty)"
    ]


def test_zero_mixed_read_as_x_is_one_note(make_study, tmp_path):
    folder = study_with(
        make_study, tmp_path, HEADER + "I,Planning,0 (mixed),0,0,-2,\nI,Executing,+1,0 (Mixed),-1,0 ( mixed )\n"
    )
    study = load_study(folder)
    assert study.ratings_by_theme["cfir09-planning"]["S1"].token == "X"
    assert study.notes == (
        'ratings-wide.csv:2: S1: "0 (mixed)" was read as X (mixed), not as the valence 0; so were 2 more cells',
    )
