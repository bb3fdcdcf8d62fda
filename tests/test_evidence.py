"""evidence.csv (coded excerpts) and judgements.csv (the analyst's label per theme): the loader's reading
and problem lines, Study.excerpts, and where each may go (summary, snapshot, diff; never with pseudonyms)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cases.errors import StudyError
from cases.loader import load_study
from cases.model import Excerpt
from cases.snapshot import read_snapshot
from metrics.snapdiff import diff_snapshots
from metrics.summary import from_dict, to_dict
from tests.cli_helpers import run_cli as run

EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "example"
SECRET = "the ward manager Mrs Quibble said so"


@pytest.fixture
def study(tmp_path) -> Path:
    folder = tmp_path / "study"
    shutil.copytree(EXAMPLE, folder)
    for name in ("evidence.csv", "judgements.csv"):
        (folder / name).unlink(missing_ok=True)
    return folder


def write(folder: Path, name: str, text: str | bytes) -> None:
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())


def problems(folder: Path) -> list[str]:
    with pytest.raises(StudyError) as caught:
        load_study(folder)
    return [str(p) for p in caught.value.problems]


EVIDENCE = (
    "site,theme,excerpt,source\n"
    f'S1,leadership-support,"{SECRET}",interview-3\n'
    "S1,leadership-support,a second excerpt,\n"
    'S2,peer-role-clarity,"with, a comma",doc-1\n'
)


def test_evidence_is_read_in_file_order_and_indexed(study):
    write(study, "evidence.csv", EVIDENCE)
    s = load_study(study)
    assert s.evidence == (
        Excerpt("S1", "leadership-support", SECRET, "interview-3", 2),
        Excerpt("S1", "leadership-support", "a second excerpt", None, 3),
        Excerpt("S2", "peer-role-clarity", "with, a comma", "doc-1", 4),
    )
    assert [e.row for e in s.excerpts("S1", "leadership-support")] == [2, 3]
    assert s.excerpts("S2", "peer-role-clarity")[0].excerpt == "with, a comma"
    assert s.excerpts("S3", "leadership-support") == ()
    assert "evidence.csv" in s.files


def test_a_study_without_evidence_has_none(study):
    s = load_study(study)
    assert s.evidence == () and s.excerpts("S1", "leadership-support") == () and dict(s.judgements) == {}


def test_excerpts_is_a_lookup_for_2000_sites():
    import time

    from cases.model import Study

    base = load_study(EXAMPLE)
    many = tuple(Excerpt(f"S{i}", "leadership-support", "x", None, i + 2) for i in range(2000 * 5))
    s = Study(**{**{f: getattr(base, f) for f in base.__dataclass_fields__}, "evidence": many})
    s.excerpts("S1", "leadership-support")
    start = time.perf_counter()
    for i in range(2000):
        assert len(s.excerpts(f"S{i}", "leadership-support")) == 1
    assert time.perf_counter() - start < 0.05


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "site,theme,excerpt\nS9,leadership-support,x\n",
            ['evidence.csv:2: site: "S9" is not a site in the sites file'],
        ),
        (
            "site,theme,excerpt\nS1,no-such-theme,x\n",
            ['evidence.csv:2: theme: "no-such-theme" is not a theme in themes.toml or the built-in catalogue'],
        ),
        (
            "site,theme,excerpt\nS1,leadership-support,x\nS1,leadership-support,  \n",
            ["evidence.csv:3: excerpt: the excerpt is empty"],
        ),
        ("site,theme,excerpt\n,leadership-support,x\n", ["evidence.csv:2: site: the site id is empty"]),
        ("site,theme\nS1,leadership-support\n", ['evidence.csv: no column "excerpt"']),
        (
            "site,theme,excerpt,coder\nS1,leadership-support,x,ana\n",
            ["evidence.csv:1: coder: unknown column (allowed: site, theme, excerpt, source)"],
        ),
        (
            "site,theme,excerpt\nS1,leadership-support,caf\xe9\n".encode("latin-1"),
            ["evidence.csv:2: is not UTF-8 (byte 0xe9); save the file as UTF-8"],
        ),
        (
            "site,theme,excerpt\nS1,leadership-support,x\n".encode("utf-16-le"),
            ["evidence.csv:1: is not UTF-8 (it looks like UTF-16 without a byte-order mark); save the file as UTF-8"],
        ),
    ],
)
def test_bad_evidence_is_one_line_per_problem(study, text, expected):
    write(study, "evidence.csv", text)
    assert problems(study) == expected


def test_evidence_with_a_utf16_byte_order_mark_is_read(study):
    write(study, "evidence.csv", "site,theme,excerpt\nS1,leadership-support,café\n".encode("utf-16"))
    assert load_study(study).excerpts("S1", "leadership-support")[0].excerpt == "café"


def test_bad_evidence_through_validate_exits_2(capsys, study):
    write(study, "evidence.csv", "site,theme,excerpt\nS9,leadership-support,x\n")
    rc, out, err = run(capsys, "validate", str(study))
    assert rc == 2 and 'evidence.csv:2: site: "S9" is not a site in the sites file' in out


def test_pseudonymised_problem_lines_withhold_the_site(capsys, study):
    write(study, "evidence.csv", "site,theme,excerpt\nNorthgate-ward,leadership-support,x\n")
    rc, out, err = run(capsys, "summary", str(study), "--pseudonymise")
    assert rc == 2 and "Northgate-ward" not in err and "evidence.csv:2: site:" in err


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "theme,label\nleadership-support,maybe\n",
            ['judgements.csv:2: label: "maybe" is not a judgement (one of strong, weak, none, insufficient)'],
        ),
        (
            "theme,label\nleadership-support,\n",
            ["judgements.csv:2: label: the label is empty (one of strong, weak, none, insufficient)"],
        ),
        (
            "theme,label\nno-such-theme,strong\n",
            ['judgements.csv:2: theme: "no-such-theme" is not a theme in themes.toml or the built-in catalogue'],
        ),
        (
            "theme,label\nleadership-support,strong\nleadership-support,weak\n",
            ['judgements.csv:3: theme: "leadership-support" already has a judgement (row 2)'],
        ),
        ("theme,reason\nleadership-support,x\n", ['judgements.csv: no column "label"']),
        (
            "theme,label,site\nleadership-support,weak,S1\n",
            ["judgements.csv:1: site: unknown column (allowed: theme, label, reason)"],
        ),
    ],
)
def test_bad_judgements_are_one_line_per_problem(study, text, expected):
    write(study, "judgements.csv", text)
    assert problems(study) == expected


JUDGEMENTS = (
    'theme,label,reason\nleadership-support,Strong,"we read the memos as strong, not none"\npeer-role-clarity,weak,\n'
)


def summary_json(capsys, study: Path, *options: str) -> dict:
    rc, out, err = run(capsys, "summary", str(study), "--format", "json", *options)
    assert rc == 0, err
    return json.loads(out)


def test_judgements_beside_the_rule_never_over_it(capsys, study):
    before = {t["theme"]: t["distinguishing"] for t in summary_json(capsys, study)["themes"]}
    write(study, "judgements.csv", JUDGEMENTS)
    data = summary_json(capsys, study)
    themes = {t["theme"]: t for t in data["themes"]}
    assert {t: themes[t]["distinguishing"] for t in themes} == before  # the rule's labels unchanged
    assert themes["leadership-support"]["judgement"] == "strong"
    assert themes["leadership-support"]["judgement_reason"] == "we read the memos as strong, not none"
    assert (
        themes["peer-role-clarity"]["judgement"] == "weak" and themes["peer-role-clarity"]["judgement_reason"] is None
    )
    assert all("judgement" not in t for k, t in themes.items() if k not in ("leadership-support", "peer-role-clarity"))
    disagree = sum(before[k] != themes[k]["judgement"] for k in ("leadership-support", "peer-role-clarity"))
    assert data["judgements"] == {"recorded": 2, "disagree": disagree}
    assert disagree >= 1  # leadership-support is "none" by the example's rule
    rc, text, _ = run(capsys, "summary", str(study))
    assert f"judgements recorded: 2, differing from the rule's label: {disagree}" in text
    assert "judgement: strong (we read the memos as strong, not none)" in text
    rc, md, _ = run(capsys, "summary", str(study), "--format", "markdown")
    assert f"Judgements recorded: 2, differing from the rule's label: {disagree}" in md and "judgement: weak" in md
    rc, toml_text, _ = run(capsys, "summary", str(study), "--format", "toml")
    assert 'judgement = "strong"' in toml_text and "[judgements]" in toml_text


def test_no_judgements_no_keys(capsys, study):
    data = summary_json(capsys, study)
    assert "judgements" not in data and all("judgement" not in t for t in data["themes"])


def test_large_theme_pass_carries_the_judgement_too(study, monkeypatch):
    import metrics.compare as compare
    from metrics.analysis import analyse
    from metrics.results import Options

    write(study, "judgements.csv", JUDGEMENTS)
    s = load_study(study)
    small = {t.theme: (t.judgement, t.judgement_reason) for t in analyse(s, Options()).themes}
    monkeypatch.setattr(compare, "LARGE_THEME_PASS", 0)
    large = {t.theme: (t.judgement, t.judgement_reason) for t in analyse(s, Options()).themes}
    assert small == large and small["leadership-support"] == ("strong", "we read the memos as strong, not none")


def test_pseudonyms_drop_the_reasons_and_the_excerpts(capsys, study):
    write(study, "judgements.csv", JUDGEMENTS)
    write(study, "evidence.csv", EVIDENCE)
    rc, out, err = run(capsys, "summary", str(study), "--format", "json", "--pseudonymise")
    assert rc == 0 and "we read the memos" not in out and SECRET not in out
    themes = {t["theme"]: t for t in json.loads(out)["themes"]}
    assert themes["leadership-support"]["judgement"] == "strong"  # the label is no evidence
    assert themes["leadership-support"]["judgement_reason"] is None


def test_summary_never_carries_excerpts(capsys, study):
    write(study, "evidence.csv", EVIDENCE)
    for fmt in ("text", "markdown", "json", "toml"):
        rc, out, _ = run(capsys, "summary", str(study), "--format", fmt)
        assert rc == 0 and SECRET not in out and "a second excerpt" not in out


def test_snapshot_excerpts_only_with_include_evidence(capsys, study, tmp_path):
    write(study, "evidence.csv", EVIDENCE)
    plain, full = tmp_path / "plain.toml", tmp_path / "full.toml"
    assert run(capsys, "export", str(study), "-o", str(plain))[0] == 0
    assert SECRET not in plain.read_text() and "excerpts" not in plain.read_text()
    assert run(capsys, "export", str(study), "-o", str(full), "--include-evidence")[0] == 0
    snap = read_snapshot(full)
    themes = {t["theme"]: t for t in snap["themes"]}
    assert themes["leadership-support"]["excerpts"] == {
        "S1": [{"excerpt": SECRET, "source": "interview-3"}, {"excerpt": "a second excerpt"}]
    }
    assert themes["peer-role-clarity"]["excerpts"] == {"S2": [{"excerpt": "with, a comma", "source": "doc-1"}]}
    rc, _, err = run(
        capsys, "export", str(study), "-o", str(tmp_path / "p.toml"), "--include-evidence", "--pseudonymise"
    )
    assert rc == 2 and not (tmp_path / "p.toml").exists()


def test_a_snapshot_with_excerpts_but_no_evidence_flag_is_refused(capsys, study, tmp_path):
    write(study, "evidence.csv", EVIDENCE)
    full = tmp_path / "full.toml"
    assert run(capsys, "export", str(study), "-o", str(full), "--include-evidence")[0] == 0
    from cases.snapshot import dumps_snapshot

    snap = read_snapshot(full)
    for theme in snap["themes"]:
        theme.pop("evidence", None)  # only the excerpts are left to contradict the record
    snap["disclosure"]["evidence_included"] = False
    (tmp_path / "bad.toml").write_text(dumps_snapshot(snap))
    with pytest.raises(StudyError) as caught:
        read_snapshot(tmp_path / "bad.toml")
    assert any(
        ".excerpts: evidence is present although disclosure.evidence_included is false" in p.message
        for p in caught.value.problems
    )


def test_judgement_round_trips_and_diff_reports_a_change(capsys, study, tmp_path):
    write(study, "judgements.csv", JUDGEMENTS)
    old, new = tmp_path / "old.toml", tmp_path / "new.toml"
    assert run(capsys, "export", str(study), "-o", str(old))[0] == 0
    back = from_dict(read_snapshot(old))
    got = {t.theme: (t.judgement, t.judgement_reason) for t in back.themes}
    assert got["leadership-support"] == ("strong", "we read the memos as strong, not none")
    assert got["peer-role-clarity"] == ("weak", None)
    assert to_dict(back)["judgements"]["recorded"] == 2
    write(study, "judgements.csv", "theme,label\nleadership-support,none\nfunding-and-sustainability,weak\n")
    assert run(capsys, "export", str(study), "-o", str(new))[0] == 0
    result = diff_snapshots(read_snapshot(old), read_snapshot(new))
    assert sorted(result["judgements"], key=lambda j: j["theme"]) == [
        {"theme": "funding-and-sustainability", "from": None, "to": "weak"},
        {"theme": "leadership-support", "from": "strong", "to": "none"},
        {"theme": "peer-role-clarity", "from": "weak", "to": None},
    ]
    rc, text, _ = run(capsys, "diff", str(old), str(new))
    assert rc == 0 and "Judgements that changed: 3" in text and "leadership-support: strong -> none" in text
    assert "peer-role-clarity: weak -> none recorded" in text
    same = diff_snapshots(read_snapshot(old), read_snapshot(old))
    assert "judgements" not in same


def test_a_snapshot_judgement_must_be_a_label(capsys, study, tmp_path):
    write(study, "judgements.csv", JUDGEMENTS)
    path = tmp_path / "s.toml"
    assert run(capsys, "export", str(study), "-o", str(path))[0] == 0
    path.write_text(path.read_text().replace('judgement = "strong"', 'judgement = "great"'))
    with pytest.raises(StudyError) as caught:
        read_snapshot(path)
    assert any(
        '.judgement: "great" is not one of strong, weak, none, insufficient' in p.message for p in caught.value.problems
    )


def test_pseudonymise_drops_every_excerpt_from_the_study(study):
    from metrics.pseudonyms import pseudonymise
    from metrics.results import Options

    write(study, "evidence.csv", EVIDENCE)
    write(study, "judgements.csv", JUDGEMENTS)
    renamed, _ = pseudonymise(load_study(study), Options())
    assert renamed.evidence == () and renamed.excerpts("Site A", "leadership-support") == ()
    assert dict(renamed.judgements) == {"leadership-support": ("strong", None), "peer-role-clarity": ("weak", None)}


def test_a_reason_from_data_is_shown_literally(capsys, study):
    write(study, "judgements.csv", 'theme,label,reason\nleadership-support,weak,"red \x1b[31m here"\n')
    for fmt in ("text", "markdown"):
        rc, out, _ = run(capsys, "summary", str(study), "--format", fmt)
        assert rc == 0 and "\x1b" not in out and "x1b" in out


def test_the_example_has_excerpts_that_stay_out_of_the_summary(capsys):
    s = load_study(EXAMPLE)
    assert len(s.evidence) >= len(s.ratings) and all(e.excerpt.startswith("(illustrative)") for e in s.evidence)
    rated = {(r.site, r.theme) for r in s.ratings if r.token not in ("Missing", "N/A")}
    assert all(s.excerpts(site, theme) for site, theme in rated)
    rc, out, _ = run(capsys, "summary", str(EXAMPLE), "--format", "json")
    assert rc == 0 and "(illustrative)" not in out
