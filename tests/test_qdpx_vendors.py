"""REFI-QDA import of real vendor exports (tests/fixtures/qdpx/vendor: QualCoder's own export code;
see the README there) and of the sites a project offers when it has no cases (--sites-from).

The oracle for the QualCoder excerpts is QualCoder itself: it names each coded selection with the
text it selected (its ``seltext``), so every excerpt crosscase cuts must be that name.
"""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET
from xml.sax.saxutils import quoteattr

import pytest

from cases.loader import load_study
from cases.qdpx import import_qdpx
from cases.qdpx_safe import QdpxError
from tests.cli_helpers import run_cli as run
from tests.fixtures.qdpx import projects as P

VENDOR = Path(__file__).parent / "fixtures" / "qdpx" / "vendor"
XSD = Path(__file__).parent / "fixtures" / "qdpx" / "Project.xsd"
NS = "{urn:QDA-XML:project:1.0}"


def rows(folder: Path, name: str) -> list[dict]:
    with (folder / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def qde(path: Path) -> ET.Element:
    with zipfile.ZipFile(path) as zf:
        return ET.fromstring(zf.read(next(n for n in zf.namelist() if n.endswith(".qde"))))


def named_selections(path: Path) -> dict[tuple[str, str], set[str]]:
    """(source name, code name) -> the texts QualCoder named its selections with."""
    root = qde(path)
    codes = {c.get("guid"): c.get("name") for c in root.iter(f"{NS}Code")}
    out: dict[tuple[str, str], set[str]] = {}
    for src in root.iter(f"{NS}TextSource"):
        for sel in src.iter(f"{NS}PlainTextSelection"):
            for ref in sel.iter(f"{NS}CodeRef"):
                key = (src.get("name"), codes[ref.get("targetGUID")])
                out.setdefault(key, set()).add(" ".join(sel.get("name").split()))
    return out


@pytest.mark.parametrize("name", ["qualcoder_trial", "qualcoder_trial_maxqda_endings", "qualcoder_trial_guilinks"])
def test_the_real_qualcoder_exports_follow_the_schema(name):
    import xmlschema

    with zipfile.ZipFile(VENDOR / f"{name}.qdpx") as zf:
        xmlschema.XMLSchema(XSD).validate(zf.read("project.qde").decode("utf-8"))


@pytest.mark.parametrize("name", ["qualcoder_trial", "qualcoder_trial_maxqda_endings"])
def test_a_real_qualcoder_export_becomes_the_study_it_holds(tmp_path, name):
    report = import_qdpx(VENDOR / f"{name}.qdpx", tmp_path / "study")
    study = load_study(tmp_path / "study")
    assert study.title == "qualcoder_trial"  # QualCoder's ".qda" file name is not the title
    assert [(s.id, s.values["Engagement"], s.values["Contacts"], s.attributes["Employer"]) for s in study.sites] == [
        ("North Ward", 0.82, 14.0, "NHS"),
        ("South Ward", 0.41, 6.0, "NHS"),
        ("East Team", 0.67, 11.0, "voluntary sector"),
        ("West Team", 0.3, 4.0, "voluntary sector"),
    ]
    assert study.outcome.metric == "Engagement"
    assert sorted((r.site, r.theme, r.token) for r in study.ratings) == [
        ("East Team", "cfir09-leadership-engagement", "0"),
        ("North Ward", "cfir09-leadership-engagement", "+2"),
        ("South Ward", "cfir09-leadership-engagement", "-1"),
        ("West Team", "cfir09-leadership-engagement", "+1"),
    ]
    titles = {t.id: t.title for t in study.themes.values()}
    # every excerpt is the text QualCoder selected, though it counts UTF-16 units (the emoji is two)
    # and, for MAXQDA's line endings, writes CRLF text with positions that count a line break as one
    want = named_selections(VENDOR / f"{name}.qdpx")
    got = rows(tmp_path / "study", "evidence.csv")
    assert len(got) == 12
    for r in got:
        assert " ".join(r["excerpt"].split()) in want[(r["source"], titles[r["theme"]])], r
    # the interview shared by two sites gives each its rows
    shared = {r["site"] for r in got if r["source"] == "Interview_SouthEast.txt"}
    assert shared == {"South Ward", "East Team"}
    # QualCoder's links name a stored copy of each document: found by its text, and said so
    assert any("stored copy of a document" in n for n in report.notes)
    assert any("UTF-16" in n for n in report.notes)
    assert not any("check those excerpts" in n for n in report.notes)
    lost = "\n".join(report.lost)
    for said in ("2 case memos", "1 coding memo ", "1 description of a code folder", 'variable "Interview mode"'):
        assert said in lost
    assert "Interview mode" not in (tmp_path / "study" / "sites.csv").read_text()  # no empty column


def test_a_second_export_with_new_guids_imports_the_same(tmp_path):
    # QualCoder writes new GUIDs on every export; the fixture with MAXQDA line endings is a second export
    a, b = (qde(VENDOR / f"{n}.qdpx") for n in ("qualcoder_trial", "qualcoder_trial_maxqda_endings"))
    assert not {e.get("guid") for e in a.iter() if e.get("guid")} & {e.get("guid") for e in b.iter() if e.get("guid")}
    import_qdpx(VENDOR / "qualcoder_trial.qdpx", tmp_path / "a")
    import_qdpx(VENDOR / "qualcoder_trial_maxqda_endings.qdpx", tmp_path / "b")
    for name in ("sites.csv", "ratings.csv", "evidence.csv", "themes.toml"):
        assert (tmp_path / "a" / name).read_text() == (tmp_path / "b" / name).read_text(), name


def test_qualcoder_links_made_in_its_window_are_lost_and_the_import_says_what_to_do(capsys, tmp_path):
    # a document added to a case in QualCoder's window is written with no link at all
    rc, _, err = run(capsys, "import", VENDOR / "qualcoder_trial_guilinks.qdpx", tmp_path / "cases")
    assert rc == 0
    assert err.count("coded selections belong to no case") == 3 and "--sites-from sources" in err
    rc, out, err = run(
        capsys, "import", VENDOR / "qualcoder_trial_guilinks.qdpx", tmp_path / "docs", "--sites-from", "sources"
    )
    assert rc == 0, err
    study = load_study(tmp_path / "docs")
    assert [(s.id, s.attributes["Interview mode"]) for s in study.sites] == [
        ("Interview_North.txt", "in person"),
        ("Interview_SouthEast.txt", "video"),
        ("Interview_West.txt", "in person"),
    ]
    assert len(study.evidence) == 9
    assert 'variable "Engagement" holds values of cases, not of the sites' in err
    assert "not carried over: not carried over" not in err and ": not carried over" not in err


# --- --sites-from: a project without cases --------------------------------------------------


def test_a_project_without_cases_is_refused_with_the_choices_it_offers(tmp_path):
    with pytest.raises(QdpxError) as exc:
        import_qdpx(P.atlas_sets(tmp_path), tmp_path / "study")
    text = str(exc.value)
    assert "\n" not in text and text.startswith("ATLAS study.qdpx/ATLAS study.qde: has no named case")
    assert "3 text documents (--sites-from sources" in text and "4 sets of documents (--sites-from sets" in text
    assert not (tmp_path / "study").exists()


def test_sites_from_sources_makes_a_site_per_document_with_set_attributes(tmp_path):
    report = import_qdpx(P.atlas_sets(tmp_path), tmp_path / "study", sites_from="sources")
    study = load_study(tmp_path / "study")
    assert [(s.id, s.attributes["gender"]) for s in study.sites] == [
        ("North interview", "female"),
        ("South interview", "male"),
        ("East interview", "female"),
    ]
    got = [(r["site"], r["theme"], r["excerpt"]) for r in rows(tmp_path / "study", "evidence.csv")]
    assert got == [
        ("North interview", "cfir09-leadership-engagement", "Our matron backed us."),
        ("North interview", "cfir09-champions", "Peers ran the café group 🙂 weekly."),
        ("South interview", "cfir09-leadership-engagement", "Nobody senior came."),
        ("South interview", "cfir09-available-resources", "The budget ran out."),
        ("East interview", "cfir09-champions", "The team lead was a champion."),
    ]
    assert '2 sets not named "NAME: VALUE" with documents: not carried over' in report.lost
    assert any("a CRLF line break as one in 3 sources" in n for n in report.notes)


def test_sites_from_sets_makes_a_site_per_set_of_documents(tmp_path):
    import_qdpx(P.atlas_sets(tmp_path), tmp_path / "study", sites_from="sets")
    study = load_study(tmp_path / "study")
    assert [s.id for s in study.sites] == ["gender: female", "gender: male", "Wards", "Community"]
    wards = sorted(r["excerpt"] for r in rows(tmp_path / "study", "evidence.csv") if r["site"] == "Wards")
    assert wards == sorted(
        ["Our matron backed us.", "Peers ran the café group 🙂 weekly.", "Nobody senior came.", "The budget ran out."]
    )


def test_sites_from_sources_takes_maxqda_document_variables_from_a_nameless_case(tmp_path):
    report = import_qdpx(P.maxqda_like(tmp_path), tmp_path / "study", sites_from="sources")
    study = load_study(tmp_path / "study")
    assert [(s.id, s.attributes.get("Interview date")) for s in study.sites] == [("Interview 1", "2022-01-10")]
    assert "2 named cases: not used, as the sites are the project's sources" in report.lost
    assert not any("without a name" in line for line in report.lost)  # its values were carried


def test_sites_from_is_checked_on_the_command_line(capsys, tmp_path):
    with pytest.raises(SystemExit) as exc:
        run(capsys, "import", P.atlas_sets(tmp_path), tmp_path / "x", "--sites-from", "documents")
    assert exc.value.code == 2
    rc, _, err = run(capsys, "import", P.nvivo_like(tmp_path), tmp_path / "y", "--sites-from", "sets")
    assert rc == 2 and "has no set of documents" in err and len(err.splitlines()) == 1


def test_links_to_nothing_graphs_and_links_are_listed(tmp_path):
    report = import_qdpx(P.with_losses(tmp_path), tmp_path / "study")
    assert (
        'case "Only" (line 2) refers to a source the project does not hold: that link is not carried over'
        in report.lost
    )
    assert "1 graph: not carried over" in report.lost and "1 link: not carried over" in report.lost


# --- --positions: NVivo counts UTF-16 units and names no selection with its text -------------


def _nvivo_utf16(folder: Path) -> Path:
    """As NVivo 12 writes (measured on real exports): positions in UTF-16 units, selections unnamed."""
    text = "First comment 👍👍\r\nSecond comment, the real one.\r\n"
    quote = "Second comment, the real one."
    at = len(text[: text.index(quote)].encode("utf-16-le")) // 2
    qde = P.HEAD + (
        'name="comments" origin="NVivo for Windows 12.6">'
        f'<CodeBook><Codes><Code guid="{P.g(101)}" name="Champions" isCodable="true"/></Codes></CodeBook>'
        f'<Cases><Case guid="{P.g(301)}" name="Only"><SourceRef targetGUID="{P.g(401)}"/></Case></Cases>'
        f'<Sources><TextSource guid="{P.g(401)}" name="comments" plainTextPath="internal://{P.g(401)}.txt">'
        + P.selection(501, at, at + len(quote), 101)
        + "</TextSource></Sources></Project>"
    )
    return P.write(folder, "comments.qdpx", qde, members={f"Sources/{P.g(401)}.txt": text.encode("utf-8")})


def test_nvivo_positions_in_utf16_units_are_said_open_and_read_right_when_asked(capsys, tmp_path):
    project = _nvivo_utf16(tmp_path)
    rc, _, err = run(capsys, "import", project, tmp_path / "auto")
    assert rc == 0, err
    notes = [line for line in err.splitlines() if line.startswith("note: ")]
    assert len(notes) == 1 and "NVivo counts UTF-16 units" in notes[0] and "--positions utf16" in notes[0]
    # REFI-QDA's rule (code points) cuts two characters late: the note is there for that
    assert rows(tmp_path / "auto", "evidence.csv")[0]["excerpt"] != "Second comment, the real one."
    rc, _, err = run(capsys, "import", project, tmp_path / "utf16", "--positions", "utf16")
    assert rc == 0 and "note: " not in err, err
    assert rows(tmp_path / "utf16", "evidence.csv")[0]["excerpt"] == "Second comment, the real one."
    rc, _, err = run(capsys, "import", P.nvivo_like(tmp_path), tmp_path / "cp", "--positions", "code-points")
    assert rc == 0 and "note: " not in err, err


HOSTILE = "[b]x[/b][@click=app.quit]\x9b31m\u202e\x85"  # markup, a click action, C1 CSI, a bidi override, NEL


@pytest.mark.parametrize("sites_from", ["cases", "sources", "sets"])
def test_hostile_names_reach_neither_the_terminal_nor_a_broken_folder(capsys, tmp_path, sites_from):
    h = quoteattr
    qde = P.HEAD + (
        f"name={h(HOSTILE + 'study')} origin={h(HOSTILE)}>"
        f'<CodeBook><Codes><Code guid="{P.g(101)}" name={h(HOSTILE + "code")} isCodable="true"/></Codes></CodeBook>'
        f'<Variables><Variable guid="{P.g(201)}" name={h(HOSTILE + "var")} typeOfVariable="Text"/></Variables>'
        f'<Cases><Case guid="{P.g(301)}" name={h(HOSTILE + "case")}>'
        + P.value(201, "Text", HOSTILE)
        + f'<SourceRef targetGUID="{P.g(401)}"/><SourceRef targetGUID="{P.g(499)}"/></Case></Cases>'
        f'<Sources><TextSource guid="{P.g(401)}" name={h(HOSTILE + "doc")}><PlainTextContent>'
        f"{HOSTILE} the excerpt</PlainTextContent>"
        + P.selection(501, 0, 10, 101, name=HOSTILE + "sel")
        + "</TextSource></Sources>"
        f'<Sets><Set guid="{P.g(701)}" name={h(HOSTILE + ": " + HOSTILE)}><MemberSource targetGUID="{P.g(401)}"/></Set></Sets>'
        "</Project>"
    )
    project = P.write(tmp_path, "hostile.qdpx", qde)
    rc, out, err = run(capsys, "import", project, tmp_path / "study", "--sites-from", sites_from)
    assert rc == 0, err
    for text in (out, err):
        assert not any(ch in text for ch in "\x1b\x9b\u202e\x85"), text
        assert "Traceback" not in text
    study = load_study(tmp_path / "study")
    assert len(study.sites) == 1 and len(study.evidence) == 1
    rc, out, err = run(capsys, "summary", tmp_path / "study")
    assert rc == 0 and not any(ch in out + err for ch in "\x1b\x9b\u202e\x85")


def test_vendor_check_reports_each_export_with_each_choice(capsys):
    """tests/vendor_check.py, the script for exports that may not be kept here, on the ones that are."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("vendor_check", Path(__file__).parent / "vendor_check.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    line = module.check(VENDOR / "qualcoder_trial.qdpx", "cases", XSD)
    assert line.startswith("rc 0, validates: 4 sites, 12 excerpts"), line
    assert module.check(VENDOR / "qualcoder_trial.qdpx", "sets", XSD).startswith("rc 2: ")
    assert module.valid(VENDOR / "qualcoder_trial.qdpx", XSD) == "valid"


def test_sets_beside_cases_are_listed_with_the_choices_that_would_use_them(tmp_path):
    qde = P.HEAD + (
        'name="with sets" origin="NVivo 14">'
        f'<Cases><Case guid="{P.g(301)}" name="A"><SourceRef targetGUID="{P.g(401)}"/></Case></Cases>'
        f'<Sources><TextSource guid="{P.g(401)}" name="doc"><PlainTextContent>text</PlainTextContent></TextSource></Sources>'
        f'<Sets><Set guid="{P.g(701)}" name="gender: female"><MemberSource targetGUID="{P.g(401)}"/></Set></Sets>'
        "</Project>"
    )
    report = import_qdpx(P.write(tmp_path, "sets.qdpx", qde), tmp_path / "study")
    line = next(line for line in report.lost if "set:" in line)
    assert line.startswith("1 set: not carried over (--sites-from sets makes a site of each;"), line
