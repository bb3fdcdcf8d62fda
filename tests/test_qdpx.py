"""REFI-QDA import and export (issue 17; analysis.md §4): the vendors' quirks, hostile files, round trip."""

from __future__ import annotations

import csv
import random
import re
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest

from cases.catalogue import example_dir
from cases.loader import load_study
from cases.qdpx import import_qdpx
from cases.qdpx_export import export_qdpx, project_xml
from cases.qdpx_read import Selection, Source, Units, position_units, selection_text
from cases.qdpx_safe import Limits, QdpxError
from tests.fixtures.qdpx import projects as P

XSD = Path(__file__).parent / "fixtures" / "qdpx" / "Project.xsd"


def rows(folder: Path, name: str) -> list[dict]:
    with (folder / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def refusal(exc: pytest.ExceptionInfo) -> str:
    text = str(exc.value)
    assert "\n" not in text and "Traceback" not in text
    return text


# --- the hand-made projects, one per quirk --------------------------------------------------


def test_nvivo_like_project_becomes_a_study_that_loads(tmp_path):
    report = import_qdpx(P.nvivo_like(tmp_path), tmp_path / "study")
    study = load_study(tmp_path / "study")
    assert [s.id for s in study.sites] == ["North Ward", "South Ward", "East Ward"]
    assert list(study.metrics) == ["Engagement", "Peer_workers"] and study.outcome.metric == "Engagement"
    assert study.metrics["Engagement"].label == "Engagement"  # the variable's description
    north = study.sites[0]
    assert north.values == {"Engagement": 0.82, "Peer_workers": 4.0}
    assert dict(north.attributes) == {"Employer": "NHS", "Urban": "true", "Started": "2021-03-01"}
    assert study.sites[2].values["Peer_workers"] is None  # no value: missing, never 0
    # "Leadership Engagement rating" and the Integer "Available Resources" hold rating tokens only
    assert sorted((r.site, r.theme, r.token) for r in study.ratings) == sorted(
        [
            ("North Ward", "cfir09-leadership-engagement", "+2"),
            ("South Ward", "cfir09-leadership-engagement", "X"),
            ("East Ward", "cfir09-leadership-engagement", "-1"),
            ("North Ward", "cfir09-available-resources", "+1"),
            ("South Ward", "cfir09-available-resources", "-1"),
            ("East Ward", "cfir09-available-resources", "+2"),
        ]
    )
    # codes matched by title whatever the case and "and" for "&"; the own code under its folder
    assert report.matched == {
        "Inner Setting / leadership engagement": "cfir09-leadership-engagement",
        "Inner Setting / Networks and Communications": "cfir09-networks-communications",
        "Inner Setting / AVAILABLE RESOURCES": "cfir09-available-resources",
    }
    own = study.themes["barriers-peer-worker-burnout"]
    assert (own.title, own.domain, own.summary) == ("Peer worker burnout", "Barriers", "Peers leaving from exhaustion")
    assert "inner-setting" not in study.themes  # a folder of codes is a domain, not a theme
    text = (tmp_path / "study" / "study.toml").read_text()
    assert re.search(r'# crosscase chose the outcome: the first numeric case variable, "Engagement"', text)
    assert "set metric below to one of the [metrics.*] keys" in text
    assert report.lost == []


def test_excerpts_are_cut_by_code_point_end_exclusive(tmp_path):
    import_qdpx(P.nvivo_like(tmp_path), tmp_path / "study")
    got = [(r["site"], r["theme"], r["excerpt"], r["source"]) for r in rows(tmp_path / "study", "evidence.csv")]
    assert (
        "South Ward",
        "cfir09-networks-communications",
        "Café talk 🙂 helped: the team shared news at every handover.",
        "Interview South",
    ) in got
    assert ("South Ward", "cfir09-available-resources", "Money ran out in spring.", "Interview South") in got
    # one selection coded twice: a row per code
    assert [r[1] for r in got if r[2] == "Staffing was always short."] == [
        "cfir09-available-resources",
        "barriers-peer-worker-burnout",
    ]
    assert len(got) == 6
    study = load_study(tmp_path / "study")
    loaded = sorted((e.site, e.theme, e.excerpt, e.source) for e in study.evidence)
    assert loaded == sorted(got)


def test_an_absolute_base_path_never_reaches_a_written_file(tmp_path):
    report = import_qdpx(P.nvivo_like(tmp_path), tmp_path / "study")
    for f in (tmp_path / "study").iterdir():
        assert "secret" not in f.read_text() and "C:\\" not in f.read_text(), f.name
    report_losses = import_qdpx(P.with_losses(tmp_path), tmp_path / "losses")
    for text in [*report.lost, *report_losses.lost]:
        assert "secret" not in text
    for f in (tmp_path / "losses").iterdir():
        assert "secret" not in f.read_text()


def test_maxqda_like_braces_nameless_case_memos_and_cfir_2(tmp_path):
    report = import_qdpx(P.maxqda_like(tmp_path), tmp_path / "study")
    study = load_study(tmp_path / "study")
    assert [s.id for s in study.sites] == ["Site 1", "Site 2"]  # the nameless case is no site
    assert [line for line in report.lost if "without a name" in line] == [
        "a case without a name, holding 1 variable values (line 2; MAXQDA writes document variables so): not carried over"
    ]
    # "culture" is both a CFIR 2009 and a CFIR 2.0 name: the project's other codes are CFIR 2.0
    assert report.matched["Inner Setting / culture"] == "cfir2-culture"
    assert report.matched["Innovation / Innovation Source"] == "cfir2-innovation-source"
    # "Innovation Source (rating)" with E and i: tokens (case ignored)
    assert sorted((r.site, r.theme, r.token) for r in study.ratings) == [
        ("Site 1", "cfir2-innovation-source", "E"),
        ("Site 2", "cfir2-innovation-source", "I"),
    ]
    ev = rows(tmp_path / "study", "evidence.csv")
    assert [(r["site"], r["theme"], r["excerpt"]) for r in ev] == [
        ("Site 1", "cfir2-innovation-source", "The programme was designed by peers."),
        ("Site 1", "cfir2-culture", "The ward culture valued lived experience."),
    ]


@pytest.mark.parametrize("named", [True, False])
def test_atlas_ti_crlf_text_counts_one_character_per_line_break(tmp_path, named):
    import_qdpx(P.atlas_like(tmp_path, named=named), tmp_path / "study")
    assert [r["excerpt"] for r in rows(tmp_path / "study", "evidence.csv")] == ["the champion left."]


def test_crlf_counts_two_characters_unless_the_origin_or_a_selection_says_otherwise():
    text = "ab\r\ncd\r\nef"
    plain = Source("G", "s", "TextSource", text=text, selections=[Selection("S", None, 4, 6, [], 1)])
    assert position_units(plain, "NVivo 14")[:2] == (Units(), 0)  # REFI-QDA: every character counts
    assert position_units(plain, "ATLAS.ti 23")[:2] == (Units(crlf_one=True), 0)
    # a selection whose name holds its text decides, whatever the origin ("efgh" at 6..10 counts CRLF as two)
    hinted = Source(
        "G", "s", "TextSource", text="abcd\r\nefgh\r\nijkl", selections=[Selection("S", "efgh", 6, 10, [], 1)]
    )
    assert position_units(hinted, "ATLAS.ti 23")[:2] == (Units(), 0)
    hinted.selections[0] = Selection("S", "efgh", 5, 9, [], 1)
    assert position_units(hinted, "NVivo")[:2] == (Units(crlf_one=True), 0)


def test_a_slice_one_character_short_does_not_pass_for_the_selection():
    # positions counted with CRLF as one (QualCoder's "line endings for MAXQDA"): read with CRLF as two,
    # the slice is "\nThe peer worker kept talking", one character short, which once passed as a fit
    text = "ab\r\nThe peer worker kept talking. More."
    sel = Selection("S", "The peer worker kept talking.", 3, 32, [], 1)
    src = Source("G", "s", "TextSource", text=text, selections=[sel])
    assert " ".join(selection_text(src, sel).split()) == "The peer worker kept talking"
    assert position_units(src, "MAXQDA 24")[:2] == (Units(crlf_one=True), 0)
    assert selection_text(src, sel, Units(crlf_one=True)) == "The peer worker kept talking."


def test_utf16_positions_are_found_from_the_names_and_qualcoder_s_origin():
    # Qt and .NET count an emoji as two UTF-16 units: the selection after it starts one later
    text = "Café 😊 then: two of our peer workers left. More."
    at = len(text[: text.index("two")].encode("utf-16-le")) // 2
    sel = Selection("S", "two of our peer workers left.", at, at + 29, [], 1)
    src = Source("G", "s", "TextSource", text=text, selections=[sel])
    assert position_units(src, "NVivo 14")[:2] == (Units(utf16=True), 0)
    assert selection_text(src, sel, Units(utf16=True)) == "two of our peer workers left."
    assert selection_text(src, sel) == "wo of our peer workers left. "  # what code points would cut
    unnamed = Source("G", "s", "TextSource", text=text, selections=[Selection("S", None, at, at + 29, [], 1)])
    assert position_units(unnamed, "QualCoder 3.6")[:2] == (Units(utf16=True), 0)
    # NVivo counts UTF-16 units too, but with no name to confirm it REFI-QDA's rule holds, and stays open
    assert position_units(unnamed, "NVivo 14") == (Units(), 0, True)
    assert position_units(unnamed, "NVivo 14", utf16=True) == (Units(utf16=True), 0, False)  # --positions utf16
    assert position_units(src, "NVivo 14").open is False  # the name decided
    # beside names that are the text, a name that fits no counting is counted, so the import can say so
    odd = Selection("S", "nothing like it", 0, 5, [], 1)
    mixed = Source("G", "s", "TextSource", text=text, selections=[sel, odd])
    assert position_units(mixed, "NVivo 14")[:2] == (Units(utf16=True), 1)
    # names that are never the text ("line:642") are not texts: nothing to say
    labels = Source("G", "s", "TextSource", text=text, selections=[Selection("S", "line:642", 0, 5, [], 1)])
    assert position_units(labels, "qc 1.3.2")[:2] == (Units(), 0)


def test_codings_whose_code_ref_is_a_case_and_a_case_s_own_codings(tmp_path):
    report = import_qdpx(P.case_coded(tmp_path), tmp_path / "study")
    ev = [(r["site"], r["theme"], r["excerpt"], r["source"]) for r in rows(tmp_path / "study", "evidence.csv")]
    assert ev == [
        ("One", "cfir09-leadership-engagement", "leaders came.", "Focus group"),
        ("Two", "cfir09-leadership-engagement", "leaders stayed away.", "Focus group"),
        ("One", "cfir09-cost", "Cheap to run.", "case"),
        ("Two", "cfir09-cost", '(the case "Two" is coded here, with no text)', "case"),
    ]
    # no numeric variable: a placeholder outcome, said so
    assert any('empty metric "outcome"' in line for line in report.lost)
    assert load_study(tmp_path / "study").outcome.metric == "outcome"


def test_what_cannot_be_carried_over_is_listed_one_line_each(tmp_path):
    report = import_qdpx(P.with_losses(tmp_path), tmp_path / "study")
    assert report.lost[:5] == [
        'variable "Colour" has type "Colour", which REFI-QDA does not define: not carried over',
        'picture source "Ward photo": not carried over (crosscase keeps text only), with its 1 codings',
        'audio source "Call recording": not carried over (crosscase keeps text only)',
        'PDF source "Policy": 1 PDF region selections are not carried over',
        'source "Outside" is stored outside the project file, so its text is not in the .qdpx: its codings are not carried over',
    ]
    assert "1 notes (memos): not carried over" in report.lost
    assert all("\n" not in line for line in report.lost)
    study = load_study(tmp_path / "study")
    assert study.attributes == ("Visited",)  # DateTime is an attribute
    # a PDF's text representation is text: its selection is kept
    assert [r["excerpt"] for r in rows(tmp_path / "study", "evidence.csv")] == ["process is complex"]


def test_ids_come_from_names_so_a_re_export_with_new_guids_imports_the_same(tmp_path):
    first = P.nvivo_like(tmp_path)
    again = tmp_path / "again"
    again.mkdir()
    with zipfile.ZipFile(first) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    qde = members.pop("Trial.qde").decode()
    renamed = re.sub(r"-4000-8000-", "-4aaa-8bbb-", qde)
    members = {re.sub(r"-4000-8000-", "-4aaa-8bbb-", n): d for n, d in members.items()}
    assert renamed != qde
    P.write(again, "Trial.qdpx", renamed, qde_name="Trial.qde", members=members)
    import_qdpx(first, tmp_path / "a")
    import_qdpx(again / "Trial.qdpx", tmp_path / "b")
    for name in ("study.toml", "sites.csv", "ratings.csv", "themes.toml", "evidence.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_duplicate_case_names_get_unique_ids(tmp_path):
    qde = P.HEAD + (
        'name="dup">'
        f'<Variables><Variable guid="{P.g(1)}" name="n" typeOfVariable="Integer"/></Variables><Cases>'
        f'<Case guid="{P.g(2)}" name="Ward"/><Case guid="{P.g(3)}" name="Ward"/><Case guid="{P.g(4)}" name="Ward-2"/>'
        "</Cases></Project>"
    )
    report = import_qdpx(P.write(tmp_path, "dup.qdpx", qde), tmp_path / "study")
    assert [s.id for s in load_study(tmp_path / "study").sites] == ["Ward", "Ward-2", "Ward-2-2"]
    assert report.lost[0].startswith('case "Ward" appears twice')


def test_a_rating_named_variable_with_other_values_stays_a_metric(tmp_path):
    qde = P.HEAD + (
        'name="cost">'
        f'<Variables><Variable guid="{P.g(1)}" name="Cost" typeOfVariable="Integer"/></Variables><Cases>'
        f'<Case guid="{P.g(2)}" name="A">' + P.value(1, "Integer", "1500") + "</Case>"
        f'<Case guid="{P.g(3)}" name="B">' + P.value(1, "Integer", "2") + "</Case></Cases></Project>"
    )
    import_qdpx(P.write(tmp_path, "cost.qdpx", qde), tmp_path / "study")
    study = load_study(tmp_path / "study")
    assert study.ratings == () and study.sites[0].values == {"Cost": 1500.0}


def test_the_destination_must_be_empty(tmp_path):
    dest = tmp_path / "study"
    dest.mkdir()
    (dest / "keep.txt").write_text("mine")
    with pytest.raises(QdpxError) as exc:
        import_qdpx(P.atlas_like(tmp_path), dest)
    assert "must be an empty folder" in refusal(exc)
    assert [f.name for f in dest.iterdir()] == ["keep.txt"]


def test_a_folder_the_loader_refuses_is_never_put_in_place(tmp_path, monkeypatch):
    """The importer loads what it wrote before moving it into place; a fault is one line per problem."""
    import cases.qdpx as Q

    original = Q._files

    def with_a_bad_row(*args):
        files = original(*args)
        files["evidence.csv"] += "Nowhere,cfir09-available-resources,x\r\n"
        return files

    monkeypatch.setattr(Q, "_files", with_a_bad_row)
    with pytest.raises(QdpxError) as exc:
        import_qdpx(P.nvivo_like(tmp_path), tmp_path / "study")
    text = refusal(exc)
    assert re.search(r'-> study/evidence\.csv:8: site: "Nowhere" is not a site in the sites file', text), text
    assert "please report this" in text
    assert not (tmp_path / "study").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".study")] == []


# --- hostile files: each refused with one line naming the entry ---------------------------


def _project(body: str = "") -> str:
    return P.HEAD + f'name="x"><Cases><Case guid="{P.g(1)}" name="A"/></Cases>{body}</Project>'


def test_xxe_is_refused(tmp_path):
    qde = (
        '<?xml version="1.0"?>\n<!DOCTYPE Project [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        '<Project xmlns="urn:QDA-XML:project:1.0" name="&x;"/>'
    )
    with pytest.raises(QdpxError) as exc:
        import_qdpx(P.write(tmp_path, "xxe.qdpx", qde), tmp_path / "out")
    assert (
        refusal(exc)
        == "xxe.qdpx/project.qde:2: refused: the project declares a DTD (<!DOCTYPE>), which REFI-QDA never needs"
    )
    assert not (tmp_path / "out").exists()


def test_billion_laughs_is_refused(tmp_path):
    lol = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    qde = f'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol0 "lol">{lol}]>\n<Project name="&lol9;"/>'
    with pytest.raises(QdpxError) as exc:
        import_qdpx(P.write(tmp_path, "lol.qdpx", qde), tmp_path / "out")
    assert refusal(exc).startswith("lol.qdpx/project.qde:2: refused: the project declares a DTD")


def test_an_undeclared_entity_is_malformed_xml(tmp_path):
    with pytest.raises(QdpxError) as exc:
        import_qdpx(P.write(tmp_path, "e.qdpx", '<Project name="&x;"/>'), tmp_path / "out")
    assert refusal(exc) == "e.qdpx/project.qde:1: is not well-formed XML: undefined entity"


@pytest.mark.parametrize(
    "member, why",
    [
        ("../../evil.txt", 'has a ".." part that leaves the project folder'),
        ("Sources/../../evil.txt", 'has a ".." part that leaves the project folder'),
        ("/etc/evil.txt", "is an absolute path"),
        ("C:\\Windows\\evil.txt", "is an absolute path"),
    ],
)
def test_members_outside_the_project_are_refused(tmp_path, member, why):
    path = P.write(tmp_path, "bad.qdpx", _project(), members={member: b"x"})
    with pytest.raises(QdpxError) as exc:
        import_qdpx(path, tmp_path / "out")
    assert refusal(exc) == f"bad.qdpx/{member}: refused: the entry's name {why}"


def test_a_zip_bomb_is_refused_by_its_ratio(tmp_path):
    path = P.write(tmp_path, "bomb.qdpx", _project(), members={"sources/bomb.txt": bytes(20 * 1024 * 1024)})
    with pytest.raises(QdpxError) as exc:
        import_qdpx(path, tmp_path / "out")
    text = refusal(exc)
    assert text.startswith("bomb.qdpx/sources/bomb.txt: refused: it expands ") and "a zip bomb?" in text


def test_a_member_whose_header_lies_is_stopped_at_its_limit(tmp_path):
    path = P.write(tmp_path, "lie.qdpx", _project())
    data = bytearray(path.read_bytes())
    size = len(_project().encode())
    # shrink the declared uncompressed size in both headers: the reader must stop at the real limit
    for header, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.index(header)
        data[at + offset : at + offset + 4] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(QdpxError) as exc:
        import_qdpx(path, tmp_path / "out", limits=Limits(qde=100))
    assert refusal(exc).startswith("lie.qdpx/project.qde: ")
    assert size > 100


def test_an_oversize_source_is_refused(tmp_path):
    text = "x" * 5000
    body = (
        f'<Sources><TextSource guid="{P.g(9)}" name="big" plainTextPath="internal://big.txt">'
        + P.selection(10, 0, 3, 1)
        + "</TextSource></Sources>"
    )
    path = P.write(tmp_path, "big.qdpx", _project(body), members={"Sources/big.txt": text.encode()})
    with pytest.raises(QdpxError) as exc:
        import_qdpx(path, tmp_path / "out", limits=Limits(source=4096))
    assert refusal(exc) == "big.qdpx/Sources/big.txt: refused: the text source is 4.9 KB, larger than the 4 KB allowed"


def test_an_oversize_archive_is_refused_before_it_is_opened(tmp_path):
    path = P.write(tmp_path, "huge.qdpx", _project(), members={"sources/a.txt": random.Random(1).randbytes(3000)})
    with pytest.raises(QdpxError) as exc:
        import_qdpx(path, tmp_path / "out", limits=Limits(archive=1000))
    assert re.fullmatch(r"huge\.qdpx: is .*, larger than the 1000 bytes crosscase imports", refusal(exc))


def test_a_file_that_is_not_a_zip_is_refused(tmp_path):
    (tmp_path / "no.qdpx").write_text("hello")
    with pytest.raises(QdpxError) as exc:
        import_qdpx(tmp_path / "no.qdpx", tmp_path / "out")
    assert refusal(exc).startswith("no.qdpx: is not a REFI-QDA project (.qdpx is a zip file)")


# --- the way back --------------------------------------------------------------------------


def _schema():
    xmlschema = pytest.importorskip("xmlschema")
    return xmlschema.XMLSchema(XSD)


def test_hand_made_fixtures_follow_the_schema():
    # the fixtures are what vendors write; all but the deliberately unknown variable type validate
    schema = _schema()
    for build in (P.nvivo_like, P.maxqda_like, P.atlas_like, P.case_coded):
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            path = build(Path(tmp))
            with zipfile.ZipFile(path) as zf:
                qde = next(n for n in zf.namelist() if n.endswith(".qde"))
                schema.validate(zf.read(qde).decode())


def test_the_export_validates_against_project_xsd(tmp_path):
    schema = _schema()
    study = load_study(example_dir())
    schema.validate(project_xml(study).decode())
    export_qdpx(study, tmp_path / "ex.qdpx")
    with zipfile.ZipFile(tmp_path / "ex.qdpx") as zf:
        assert zf.namelist() == ["project.qde"]
        schema.validate(zf.read("project.qde").decode())
    assert (tmp_path / "ex.qdpx").read_bytes() == (
        export_qdpx(study, tmp_path / "ex2.qdpx") and (tmp_path / "ex2.qdpx").read_bytes()
    )
    with pytest.raises(FileExistsError):
        export_qdpx(study, tmp_path / "ex.qdpx")


def _same_study(a, b) -> None:
    assert [(s.id, s.label, dict(s.values), dict(s.attributes)) for s in a.sites] == [
        (s.id, s.label, dict(s.values), dict(s.attributes)) for s in b.sites
    ]
    assert sorted((r.site, r.theme, r.token) for r in a.ratings) == sorted(
        (r.site, r.theme, r.token) for r in b.ratings
    )
    assert {k: replace(m, derive=None) for k, m in a.metrics.items()} == dict(b.metrics.items())
    own = lambda s: {t.id: (t.title, t.domain, t.summary) for t in s.themes.values() if t.kind == "study"}
    assert own(a) == own(b)
    assert (a.title, a.description, a.synthetic, a.outcome.metric) == (
        b.title,
        b.description,
        b.synthetic,
        b.outcome.metric,
    )


def test_round_trip_of_the_example_study(tmp_path):
    study = load_study(example_dir())
    export_qdpx(study, tmp_path / "ex.qdpx")
    report = import_qdpx(tmp_path / "ex.qdpx", tmp_path / "back")
    back = load_study(tmp_path / "back")
    _same_study(study, back)
    assert report.lost == []


def test_round_trip_keeps_own_themes_and_labels(tmp_path):
    import_qdpx(P.nvivo_like(tmp_path), tmp_path / "first")
    first = load_study(tmp_path / "first")
    export_qdpx(first, tmp_path / "again.qdpx")
    import_qdpx(tmp_path / "again.qdpx", tmp_path / "second")
    _same_study(first, load_study(tmp_path / "second"))


def test_round_trip_gives_the_same_summary(tmp_path):
    from metrics.analysis import analyse
    from metrics.results import Options
    from metrics.summary import to_dict

    study = load_study(example_dir())
    export_qdpx(study, tmp_path / "ex.qdpx")
    import_qdpx(tmp_path / "ex.qdpx", tmp_path / "back")
    back = load_study(tmp_path / "back")
    # the split, rule, disclosure, conditions, [qca] and links travel in the project's description
    left, right = to_dict(analyse(study, Options())), to_dict(analyse(back, Options()))
    assert left.pop("study")["fingerprint"] != right.pop("study")["fingerprint"]  # other bytes, same study
    assert left == right
    assert right["qca"] and right["configurations"] and right["links"]


# --- the way back with evidence (only when asked) -------------------------------------------

EVIDENCE = (
    "site,theme,excerpt,source\r\n"
    'S1,leadership-support,"Café talk 🙂 helped, every handover.",Steering minutes\r\n'
    'S2,leadership-support,"The manager backed us.",Steering minutes\r\n'
    'S1,peer-role-clarity,"Café talk 🙂 helped, every handover.",Steering minutes\r\n'
    'S3,peer-role-clarity,"Line one\nline two, no source",\r\n'
    'S2,training-and-supervision,"Only S2 here.",Interview S2\r\n'
)


def _evidence(study) -> list[tuple]:
    return sorted((e.site, e.theme, e.excerpt, e.source) for e in study.evidence)


def test_export_with_evidence_validates_and_imports_back_to_the_same_evidence(tmp_path, make_study):
    study = load_study(make_study(tmp_path, evidence_csv=EVIDENCE))
    export_qdpx(study, tmp_path / "ev.qdpx", include_evidence=True)
    with zipfile.ZipFile(tmp_path / "ev.qdpx") as zf:
        names = zf.namelist()
        qde = zf.read("project.qde").decode()
        texts = {n: zf.read(n).decode("utf-8") for n in names if n.startswith("Sources/")}
    _schema().validate(qde)
    assert names[0] == "project.qde" and len(texts) == 3  # Steering minutes, Interview S2, "S3 evidence"
    shared = next(t for t in texts.values() if t.startswith("Café"))
    assert shared == "Café talk 🙂 helped, every handover.\n\nThe manager backed us."
    # the shared source: each case picks its own selections; a one-site source is the case's
    root = _xml(qde)
    cases = {c.get("name"): c for c in root.iter(f"{{{NS}}}Case")}
    assert len(list(cases["S1"].iter(f"{{{NS}}}SelectionRef"))) == 1
    assert len(list(cases["S2"].iter(f"{{{NS}}}SelectionRef"))) == 1
    assert len(list(cases["S2"].iter(f"{{{NS}}}SourceRef"))) == 1
    assert len(list(cases["S3"].iter(f"{{{NS}}}SourceRef"))) == 1
    # one selection coded with two themes, counted in code points
    cafe = next(s for s in root.iter(f"{{{NS}}}PlainTextSelection") if s.get("startPosition") == "0")
    assert cafe.get("endPosition") == str(len("Café talk 🙂 helped, every handover."))
    assert len(list(cafe.iter(f"{{{NS}}}Coding"))) == 2
    report = import_qdpx(tmp_path / "ev.qdpx", tmp_path / "back")
    assert report.lost == []
    back = load_study(tmp_path / "back")
    want = [(a, b, c, d or f"{a} evidence") for a, b, c, d in _evidence(study)]
    assert _evidence(back) == sorted(want)


def test_the_example_s_evidence_goes_out_and_comes_back_whole(tmp_path):
    study = load_study(example_dir())
    export_qdpx(study, tmp_path / "ex.qdpx", include_evidence=True)
    import_qdpx(tmp_path / "ex.qdpx", tmp_path / "back")
    back = load_study(tmp_path / "back")
    assert len(study.evidence) > 100 and _evidence(back) == _evidence(study)
    _same_study(study, back)


def test_without_being_asked_no_excerpt_leaves(tmp_path):
    study = load_study(example_dir())
    export_qdpx(study, tmp_path / "ex.qdpx")
    with zipfile.ZipFile(tmp_path / "ex.qdpx") as zf:
        data = b"".join(zf.read(n) for n in zf.namelist())
    assert zf.namelist() == ["project.qde"] and b"Sources" not in data
    assert not any(e.excerpt.encode() in data for e in study.evidence)


NS = "urn:QDA-XML:project:1.0"


def _xml(text: str):
    from xml.etree import ElementTree as ET

    return ET.fromstring(text.encode())


# --- the analysis settings, which REFI-QDA has no place for --------------------------------


def _with_description(tmp_path, block: str) -> Path:
    qde = P.HEAD + (
        'name="settings" origin="NVivo 14">'
        f'<Variables><Variable guid="{P.g(201)}" name="Engagement" typeOfVariable="Float"/></Variables>'
        f'<Cases><Case guid="{P.g(301)}" name="A">' + P.value(201, "Float", "0.8") + "</Case>"
        f'<Case guid="{P.g(302)}" name="B">' + P.value(201, "Float", "0.3") + "</Case>"
        f'<Case guid="{P.g(303)}" name="C">' + P.value(201, "Float", "0.5") + "</Case></Cases>"
        f"<Description>Our memo.\n{block}</Description></Project>"
    )
    return P.write(tmp_path, "settings.qdpx", qde)


def test_the_settings_block_sets_the_split_and_leaves_the_memo(tmp_path):
    block = '[crosscase settings]\n[outcome]\nmetric = "Engagement"\nsplit = "threshold"\nthreshold = 0.6\n[end crosscase settings]'
    report = import_qdpx(_with_description(tmp_path, block), tmp_path / "study")
    study = load_study(tmp_path / "study")
    assert (study.outcome.split, study.outcome.threshold) == ("threshold", 0.6)
    assert study.description == "Our memo."
    assert report.lost == [] and any("settings" in n for n in report.notes)


@pytest.mark.parametrize(
    "block, said",
    [
        ("[crosscase settings]\n[outcome\n[end crosscase settings]", "are not TOML"),
        (
            '[crosscase settings]\n[outcome]\nmetric = "nowhere"\n[end crosscase settings]',
            'metric "nowhere"',
        ),
        (
            "[crosscase settings]\n[disclosure]\nmin_count = -3\n[end crosscase settings]",
            "min_count",
        ),
    ],
    ids=["not-toml", "unknown-metric", "bad-value"],
)
def test_a_settings_block_that_cannot_be_used_is_left_out_and_said(tmp_path, block, said):
    report = import_qdpx(_with_description(tmp_path, block), tmp_path / "study")
    study = load_study(tmp_path / "study")  # the import went through, with the defaults
    assert (study.outcome.metric, study.outcome.split) == ("Engagement", "median")
    lines = [line for line in report.lost if "crosscase settings" in line]
    assert len(lines) == 1 and said in lines[0] and "please report" not in lines[0], report.lost
    assert "\n" not in lines[0]
    assert study.description == "Our memo."


def test_only_the_analysis_tables_are_carried(tmp_path):
    block = (
        '[crosscase settings]\n[study]\ntitle = "Hijack"\n[distinguishing]\nrule = "means"\n[end crosscase settings]'
    )
    report = import_qdpx(_with_description(tmp_path, block), tmp_path / "study")
    study = load_study(tmp_path / "study")
    assert study.title == "settings" and "the crosscase settings' tables study are not carried" in report.lost
    assert 'rule = "means"' in (tmp_path / "study" / "study.toml").read_text()


def test_the_export_writes_the_analysis_tables_and_nothing_else():
    import tomllib

    from cases.qdpx_settings import settings_block

    block = settings_block(load_study(example_dir()))
    assert block.startswith("[crosscase settings]\n") and block.endswith("\n[end crosscase settings]")
    carried = tomllib.loads(block.split("\n", 1)[1].rsplit("\n", 1)[0])
    original = tomllib.loads((example_dir() / "study.toml").read_text(encoding="utf-8"))
    assert set(carried) == {"outcome", "distinguishing", "disclosure", "condition", "qca", "link"}
    assert all(carried[k] == original[k] for k in carried)  # as written, not as understood


def test_a_study_toml_with_a_byte_order_mark_still_sends_its_settings(tmp_path, make_study):
    from cases.qdpx_settings import settings_block

    folder = make_study(tmp_path, study_toml=lambda t: "\ufeff" + t)
    assert settings_block(load_study(folder)).startswith("[crosscase settings]")


def test_a_utf16_study_toml_sends_its_settings_as_the_loader_reads_it(tmp_path, make_study):
    from cases.qdpx_settings import settings_block

    folder = make_study(tmp_path, study_toml=lambda t: ("\ufeff" + t).encode("utf-16-le"))
    assert settings_block(load_study(folder)).startswith("[crosscase settings]")
