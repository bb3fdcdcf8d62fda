"""Text from data files can never drive the terminal: every headless text path escapes it.

A study whose title, metric label, condition name, site id, site label, attribute, theme title
(themes.toml) and evidence hold one kind of dangerous character at a time: ESC sequences, other C0
controls, C1 controls (U+009B is CSI on its own), DEL, and bidirectional overrides. `cases.escape.clean`,
`summary --format text` and `markdown`, the problem lines of `validate` (stdout) and `summary`
(stderr), and `themes` text must show each as a visible escape (``\\x1b``, ``\\u202e``) and never
emit the raw character. Textual markup in a label appears literally.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from cases.escape import clean
from tui.cli import main
from tui.headless.render import _md

EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "example"

# kind -> (the characters, the raw characters that must never be printed)
KINDS = {
    "esc": ("\x1b[31m\x1b]0;owned\x07\x1b[2J", "\x1b"),
    "c0": (
        "\x07\x08\x0b\x0c\x0e\x1f",
        "\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1c\x1d\x1e\x1f",
    ),
    "c1": ("\x9b31m\x85\x90\x9d", "".join(chr(c) for c in range(0x80, 0xA0))),
    "del": ("\x7f\x7f", "\x7f"),
    "bidi": (
        "\u202e\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d\u200e\u200f\u061c",
        "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c",
    ),
}
MARKUP = "[b]bold[/b] [@click=app.quit]quit[/] [link=https://example.org]x[/link]"


def visible(chars: str) -> list[str]:
    """The visible escape of each dangerous character, as cases.escape writes it."""
    return [
        f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"
        for ch in chars
        if ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F or ch in KINDS["bidi"][1]
    ]


def assert_safe(text: str, kind: str) -> None:
    chars, forbidden = KINDS[kind]
    raw = sorted({f"U+{ord(ch):04X}" for ch in text if ch in forbidden})
    assert not raw, f"raw {kind} characters printed: {raw}"
    for escape in visible(chars):
        assert escape in text, f"{escape} not shown"


def toml_str(text: str) -> str:
    """A TOML basic string (TOML accepts JSON's escapes: \\uXXXX, \\n, \\t, ...)."""
    return json.dumps(text)


def csv_text(rows: list[list[str]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def nasty_study(root: Path, x: str) -> Path:
    """The example with ``x`` in every text a person reads: title, labels, ids, attributes, themes, evidence."""
    folder = root / "nasty"
    folder.mkdir()
    sid = f"S{x}7"  # inside the id: str.strip() would take C0 separators off its ends
    study = (EXAMPLE / "study.toml").read_text(encoding="utf-8")
    title = study.split('title = "', 1)[1].split('"', 1)[0]
    study = study.replace(f'title = "{title}"', f"title = {toml_str(f'Peer support {x} {MARKUP}')}", 1)
    study = study.replace('label = "Supervisors"', f"label = {toml_str(f'Supervisors {x} {MARKUP}')}", 1)
    study = study.replace('name = "Urban setting"', f"name = {toml_str(f'Urban {x} setting')}", 1)
    (folder / "study.toml").write_text(study, encoding="utf-8")

    rows = list(csv.reader(io.StringIO((EXAMPLE / "sites.csv").read_text(encoding="utf-8"))))
    rows[0].append("region")
    for r in rows[1:]:
        r.append(f"North {x} East")
        if r[0] == "S1":
            r[1] = f"North{x}gate {MARKUP}"
        if r[0] == "S7":
            r[0] = sid
            r[1] = f"Marsh{x}by"
    (folder / "sites.csv").write_text(csv_text(rows), encoding="utf-8")

    contacts = list(csv.reader(io.StringIO((EXAMPLE / "contacts.csv").read_text(encoding="utf-8"))))
    (folder / "contacts.csv").write_text(
        csv_text([[sid if r[0] == "S7" else r[0], *r[1:]] for r in contacts]), encoding="utf-8"
    )

    (folder / "themes.toml").write_text(
        f'[[theme]]\nid = "own-theme"\ntitle = {toml_str(f"Own {x} theme {MARKUP}")}\n'
        f"summary = {toml_str(f'about {x}')}\n",
        encoding="utf-8",
    )
    ratings = list(csv.reader(io.StringIO((EXAMPLE / "ratings.csv").read_text(encoding="utf-8"))))
    ratings = [[sid if r[0] == "S7" else r[0], *r[1:]] for r in ratings]
    ratings[1][3] = f"evidence {x} here"
    for s, token in (("S1", "+2"), ("S3", "+1"), ("S5", "+2"), ("S2", "-1"), ("S6", "-2"), (sid, "-1")):
        ratings.append([s, "own-theme", token, f"memo {x}"])
    (folder / "ratings.csv").write_text(csv_text(ratings), encoding="utf-8")
    return folder


def broken_study(root: Path, x: str) -> Path:
    """The example with faults whose problem lines quote ``x``: ids, cells, tokens, names."""
    folder = nasty_study(root, x)
    study = (folder / "study.toml").read_text(encoding="utf-8")
    study = study.replace('metric = "engagement"', f"metric = {toml_str(f'engage{x}ment')}", 1)
    study = study.replace('attribute = "employer"', f"attribute = {toml_str(f'employ{x}er')}", 1)
    (folder / "study.toml").write_text(study, encoding="utf-8")
    sites = (folder / "sites.csv").read_text(encoding="utf-8").replace(",4.20,", f",4{x}20,", 1)
    (folder / "sites.csv").write_text(sites, encoding="utf-8")
    with open(folder / "ratings.csv", "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(
            [
                ["S1", f"th{x}eme", "+1", ""],
                [f"S{x}9", "leadership-support", "+1", ""],
                ["S2", "own-theme", f"+{x}1", ""],
            ]
        )
    return folder


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(argv)
    cap = capsys.readouterr()
    assert "Traceback" not in cap.out + cap.err
    return rc, cap.out, cap.err


# --- cases.escape.clean ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_clean(kind: str):
    chars, forbidden = KINDS[kind]
    for multiline in (False, True):
        shown = clean(f"a{chars}b", multiline=multiline)
        assert_safe(shown, kind)
        assert shown.startswith("a") and shown.endswith("b")
    # every forbidden character alone, not only the sample
    for ch in forbidden:
        assert ch not in clean(ch) and ch not in clean(ch, multiline=True)


def test_clean_keeps_newlines_only_in_multiline_text():
    assert clean("a\nb") == "a\\x0ab"
    assert clean("a\r\nb", multiline=True) == "a\nb"
    assert clean("a\rb", multiline=True) == "a\\x0db"
    assert clean("tab\there") == "tab\\x09here"


# --- the summary, text and markdown -----------------------------------------------------------------


def _without_tables(out: str) -> str:
    """The summary without its split-sensitivity and configuration sections (see test_summary)."""
    start = out.index("Split sensitivity of")
    end = out.index("Warnings", start)
    return out[:start] + out[end:]


@pytest.mark.parametrize("fmt", ["text", "markdown"])
@pytest.mark.parametrize("kind", KINDS)
def test_summary_outside_the_sensitivity_and_configuration_tables(kind: str, fmt: str, tmp_path: Path, capsys):
    folder = nasty_study(tmp_path, KINDS[kind][0])
    rc, out, err = run(["summary", str(folder), "--format", fmt], capsys)
    assert rc == 0, err
    assert_safe(_without_tables(out) + err, kind)
    shown = clean(KINDS[kind][0])
    # a theme title is cut to its column (54 characters, escapes included) in the text form
    for text in (f"Peer support {shown}", f"North{shown}gate", f"Own {shown}"[:40], f"S{shown}7", f"Marsh{shown}by"):
        assert (text if fmt == "text" else _md(text)) in out, text  # Markdown escapes the backslash of an escape


@pytest.mark.parametrize("fmt", ["text", "markdown"])
@pytest.mark.parametrize("kind", KINDS)
def test_summary(kind: str, fmt: str, tmp_path: Path, capsys):
    folder = nasty_study(tmp_path, KINDS[kind][0])
    rc, out, err = run(["summary", str(folder), "--format", fmt], capsys)
    assert rc == 0, err
    assert_safe(out + err, kind)


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_markup_in_labels_appears_literally(fmt: str, tmp_path: Path, capsys):
    folder = nasty_study(tmp_path, "")
    rc, out, _ = run(["summary", str(folder), "--format", fmt], capsys)
    assert rc == 0
    shown = (lambda t: t) if fmt == "text" else _md  # Markdown: escaped so that it renders as written
    assert shown(f"Northgate {MARKUP}") in out
    assert shown(f"Own  theme {MARKUP}") in out
    assert shown(f"Peer support  {MARKUP}") in out


# --- the problem lines of validate (stdout) and of the other commands (stderr) ------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_validate_problem_lines(kind: str, tmp_path: Path, capsys):
    x = KINDS[kind][0]
    folder = broken_study(tmp_path, x)
    rc, out, err = run(["validate", str(folder)], capsys)
    assert rc == 2 and err == ""
    assert_safe(out, kind)
    lines = out.splitlines()
    count = int(lines[-1].split()[0])
    assert count == len(lines) - 1  # one line per problem: nothing from data broke a line
    shown = clean(x)
    for quoted in (
        f'"engage{shown}ment"',
        f'"employ{shown}er"',
        f'"4{shown}20"',
        f'"th{shown}eme"',
        f'"S{shown}9"',
        f'"+{shown}1"',
    ):
        assert any(quoted in line for line in lines), (quoted, lines)
    rc, out, err = run(["summary", str(folder)], capsys)
    assert rc == 2 and out == ""
    assert_safe(err, kind)
    assert len(err.splitlines()) == count


def test_newlines_in_data_do_not_split_a_problem_line(tmp_path: Path, capsys):
    folder = broken_study(tmp_path, "\r\n\n\r")
    rc, out, _ = run(["validate", str(folder)], capsys)
    lines = out.splitlines()
    assert rc == 2 and int(lines[-1].split()[0]) == len(lines) - 1
    assert any('"engage\\x0d\\x0a\\x0a\\x0dment"' in line for line in lines), lines


# --- themes, text -------------------------------------------------------------------------------------


def _catalogue_with(real, x: str, **fields):
    from cases.catalogue import Catalogue, Source
    from cases.model import Theme

    theme = Theme(
        id="nasty",
        title=f"Nasty {x} title {MARKUP}",
        domain="Inner setting",
        construct=None,
        summary=f"summary {x}",
        sources=("10.1000/example",),
        kind="literature",
        influence="facilitator",
        parent=None,
    )
    theme = Theme(**{**theme.__dict__, **fields}) if fields else theme
    return Catalogue((*real.sources, Source("nasty", f"Source {x}", f"Citation {x}")), (theme, *real.themes))


@pytest.mark.parametrize("kind", KINDS)
def test_themes_text(kind: str, monkeypatch, capsys):
    """The catalogue is shipped data, but its titles and summaries still go through the one escaping path."""
    import cases.catalogue

    x = KINDS[kind][0]
    real = cases.catalogue.load_catalogue()
    monkeypatch.setattr(cases.catalogue, "load_catalogue", lambda: _catalogue_with(real, x))
    rc, out, _ = run(["themes"], capsys)
    assert rc == 0
    assert_safe(out, kind)
    assert f"Nasty {clean(x)} title {MARKUP}" in out


def test_themes_text_of_the_real_catalogue_is_plain(capsys):
    rc, out, _ = run(["themes"], capsys)
    assert rc == 0
    for kind in KINDS:
        forbidden = KINDS[kind][1]
        assert not any(ch in forbidden for ch in out), kind


# --- JSON and TOML, and the ok line of validate (11.10) -------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "toml"])
@pytest.mark.parametrize("kind", KINDS)
def test_summary_json_and_toml_escape_and_read_back(kind: str, fmt: str, tmp_path: Path, capsys):
    """Raw C0/C1/DEL/bidi never reach the terminal from JSON or TOML, and the escapes read back as the data."""
    import tomllib

    x = KINDS[kind][0]
    folder = nasty_study(tmp_path, x)
    rc, out, err = run(["summary", str(folder), "--format", fmt], capsys)
    assert rc == 0, err
    forbidden = KINDS[kind][1]
    assert not [f"U+{ord(ch):04X}" for ch in out if ch in forbidden]
    data = json.loads(out) if fmt == "json" else tomllib.loads(out)
    assert data["study"]["title"] == f"Peer support {x} {MARKUP}"


@pytest.mark.parametrize("kind", KINDS)
def test_validate_ok_line_escapes_the_outcome_metric_key(kind: str, tmp_path: Path, capsys):
    x = KINDS[kind][0]
    folder = nasty_study(tmp_path, x)
    study = (folder / "study.toml").read_text(encoding="utf-8")
    key = toml_str(f"engage{x}ment")
    # every reference to the metric: [outcome]'s, and [qca]'s outcome in the example
    study = study.replace("[metrics.engagement]", f"[metrics.{key}]").replace(
        'metric = "engagement"', f"metric = {key}"
    )
    (folder / "study.toml").write_text(study, encoding="utf-8")
    rc, out, err = run(["validate", str(folder)], capsys)
    assert rc == 0, out
    assert_safe(out, kind)
    assert f"outcome engage{clean(x)}ment by median" in out


# --- Markdown: HTML and links from data are text, not markup (11.11) ----------------------------------

HTML = '<img src="https://evil.example/x.png"> <script>alert(1)</script> ![t](https://evil.example/y.png) [l](javascript:alert(1)) ```'


def _markdown_html(text: str) -> str:
    import markdown_it

    return markdown_it.MarkdownIt("commonmark").enable("table").render(text)


def test_markdown_passes_no_html_link_or_image_from_data(tmp_path: Path, capsys):
    folder = nasty_study(tmp_path, HTML)
    rc, out, err = run(["summary", str(folder), "--format", "markdown"], capsys)
    assert rc == 0, err
    html = _markdown_html(out)  # (the tables' lines stand in code blocks, whose fence data cannot close)
    assert "<img" not in html and "<script" not in html and "<a " not in html and "href" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as written
    assert "![t](https://evil.example/y.png)" in html.replace("\\", "")
