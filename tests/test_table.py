"""``crosscase table``: the cells against the summary JSON's ratings and marks, the order of sites and
themes, each format's shape, pseudonyms (no real id or label in any format), -o and --force."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from cases.loader import load_study
from tests.cli_helpers import run_cli as run
from tui.cli import main
from tui.headless.table_cmd import latex_escape

EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "example"
CANONICAL = {"-2", "-1", "0", "+1", "+2", "X", "Missing", "N/A", "E", "I", ""}


@pytest.fixture
def study(tmp_path) -> Path:
    folder = tmp_path / "study"
    shutil.copytree(EXAMPLE, folder)
    return folder


def summary(capsys, study: Path, *options: str) -> dict:
    rc, out, err = run(capsys, "summary", str(study), "--format", "json", *options)
    assert rc == 0, err
    return json.loads(out)


def table_csv(capsys, study: Path, *options: str) -> tuple[list[str], list[list[str]], list[str]]:
    rc, out, err = run(capsys, "table", str(study), "--format", "csv", *options)
    assert rc == 0, err
    rows = list(csv.reader(io.StringIO(out, newline="")))
    legend = [r[0] for r in rows if r and r[0].startswith("# ")]
    body = [r for r in rows if r and not r[0].startswith("# ")]
    return body[0], body[1:], legend


def expected_mark(theme: dict) -> str:
    label, direction = theme["distinguishing"], theme["direction"]
    if label in ("strong", "weak"):
        return ("**" if label == "strong" else "*") + (" (reversed)" if direction == "reversed" else "")
    return "n/a" if label == "insufficient" else ""


@pytest.mark.parametrize("options", [(), ("--split", "tertiles"), ("--distinguishing", "share")])
def test_cells_and_marks_match_the_summary(capsys, study, options):
    data = summary(capsys, study, *options)
    header, rows, legend = table_csv(capsys, study, *options)
    sites = header[2:-1]
    assert header[:2] == ["Domain", "Theme"] and header[-1] == "Distinguishing"
    by_title = {t["title"]: t for t in data["themes"]}
    assert sorted(r[1] for r in rows) == sorted(by_title)  # every rated theme, once
    for row in rows:
        t = by_title[row[1]]
        ratings = {**t["high"]["ratings"], **t["low"]["ratings"], **t.get("middle", {}).get("ratings", {})}
        for column, cell in zip(sites, row[2:-1]):
            site, group = column.rsplit(" (", 1)
            assert site in data["groups"][group.rstrip(")")]
            assert cell == ratings.get(site, "")
            assert cell in CANONICAL
        assert row[-1] == expected_mark(t), row[1]
        assert row[0] == (t.get("domain") or "Other")
    assert any(line.startswith("# Distinguishing rule: " + rule_text(data)) for line in legend)
    assert any(
        line.startswith("# Split: " + data["split"]["outcome"] + " by " + data["split"]["rule"]) for line in legend
    )


def rule_text(data: dict) -> str:
    from cases.rules import Rule

    rule = dict(data["distinguishing"])
    return Rule(rule.pop("rule"), rule).describe()


def test_sites_ordered_high_middle_low_by_the_outcome(capsys, study):
    data = summary(capsys, study)
    header, _, _ = table_csv(capsys, study)
    columns = [c.rsplit(" (", 1) for c in header[2:-1]]
    groups = [g.rstrip(")") for _, g in columns]
    assert groups == sorted(groups, key=["high", "middle", "low"].index)
    s = load_study(study)
    values = s.column(data["split"]["outcome"])
    for g in ("high", "middle", "low"):
        ids = [site for site, grp in columns if grp.rstrip(")") == g]
        assert sorted(ids) == sorted(data["groups"][g])
        shown = [values[i] for i in ids]
        assert shown == sorted(shown, reverse=True)


def test_themes_grouped_by_domain_in_cfir_order_own_themes_first(capsys, study):
    (study / "themes.toml").write_text('[[theme]]\nid = "our-own"\ntitle = "Our own theme"\ndomain = "Inner Setting"\n')
    with (study / "ratings.csv").open("a") as fh:
        fh.write("S1,our-own,+1,\nS2,our-own,-1,\n")
    _, rows, _ = table_csv(capsys, study)
    assert rows[0][:2] == ["Study themes", "Our own theme"]
    domains = list(dict.fromkeys(r[0] for r in rows))
    assert domains[0] == "Study themes"
    cfir = ["Innovation", "Outer Setting", "Inner Setting", "Individuals", "Implementation Process"]
    rest = [d for d in domains[1:] if d in cfir]
    assert rest == sorted(rest, key=cfir.index) and len(rest) >= 3
    seen = [r[0] for r in rows]
    assert all(seen.index(d) + seen.count(d) - 1 == len(seen) - 1 - seen[::-1].index(d) for d in domains)  # contiguous


def test_judgement_and_published_columns_only_when_recorded(capsys, study):
    header, _, _ = table_csv(capsys, study)
    assert "Judgement" not in header and "Published" not in header
    (study / "judgements.csv").write_text("theme,label,reason\nleadership-support,strong,secret reason\n")
    header, rows, legend = table_csv(capsys, study)
    assert header[-1] == "Judgement"
    titles = {t["theme"]: t["title"] for t in summary(capsys, study)["themes"]}
    judged = {r[1]: r[-1] for r in rows}
    assert judged[titles["leadership-support"]] == "strong"
    assert sum(1 for v in judged.values() if v) == 1
    assert any("1 recorded, 1 differ from the rule's label" in line for line in legend)
    rc, out, _ = run(capsys, "table", str(study))
    assert "secret reason" not in out


def test_no_evidence_in_any_format(capsys, study, tmp_path):
    (study / "evidence.csv").write_text("site,theme,excerpt\nS1,leadership-support,EXCERPT-TEXT\n")
    memo = load_study(study).ratings[0].evidence
    for fmt in ("markdown", "csv", "latex"):
        rc, out, _ = run(capsys, "table", str(study), "--format", fmt)
        assert rc == 0 and "EXCERPT-TEXT" not in out and memo not in out
    path = tmp_path / "t.xlsx"
    assert run(capsys, "table", str(study), "-o", str(path))[0] == 0
    text = xlsx_text(path)
    assert "EXCERPT-TEXT" not in text and memo not in text


def xlsx_text(path: Path) -> str:
    """Every string of the workbook's parts (sheet names, shared strings, cells)."""
    import zipfile

    with zipfile.ZipFile(path) as book:
        return "\n".join(book.read(n).decode("utf-8", "replace") for n in book.namelist())


def test_pseudonymised_table_leaks_no_id_or_label(capsys, study, tmp_path):
    s = load_study(study)
    secrets = {x for site in s.sites for x in (site.id, site.label)}
    outputs = {}
    for fmt in ("markdown", "csv", "latex"):
        rc, out, err = run(capsys, "table", str(study), "--format", fmt, "--pseudonymise")
        assert rc == 0, err
        outputs[fmt] = out
    path = tmp_path / "p.xlsx"
    assert run(capsys, "table", str(study), "-o", str(path), "--pseudonymise")[0] == 0
    outputs["xlsx"] = xlsx_text(path)
    import re

    for fmt, out in outputs.items():
        for secret in secrets:
            assert not re.search(rf"(?<![\w-]){re.escape(secret)}(?![\w-])", out), (fmt, secret)
        assert "Site A" in out
    header, _, legend = table_csv(capsys, study, "--pseudonymise")
    assert all(c.startswith("Site ") for c in header[2:-1])
    assert any("pseudonymised" in line for line in legend)


def test_markdown_shape_and_escaping(capsys, study):
    (study / "themes.toml").write_text('[[theme]]\nid = "pipes"\ntitle = "A | B <img src=x> [link](y) *x*"\n')
    with (study / "ratings.csv").open("a") as fh:
        fh.write("S1,pipes,+1,\nS2,pipes,-1,\n")
    rc, out, _ = run(capsys, "table", str(study))
    assert rc == 0
    lines = out.splitlines()
    table = [line for line in lines if line.startswith("|")]
    width = table[0].count(" | ")
    assert all(line.count("|") - line.count("\\|") == table[0].count("|") for line in table)
    assert set(table[1]) <= set("|-:") and width > 5
    row = next(line for line in table if "A \\| B" in line)
    assert "&lt;img src=x&gt;" in row and "\\[link\\](y)" in row and "\\*x\\*" in row and "<img" not in out
    assert "**Study themes**" in row
    strong = [line for line in table if "| \\*\\* |" in line or "| \\*\\* (reversed) |" in line]
    assert strong  # the example has strongly distinguishing themes, marked with escaped asterisks
    assert "Distinguishing rule:" in out and "Split:" in out


def test_csv_is_rfc4180(capsys, study):
    (study / "themes.toml").write_text('[[theme]]\nid = "quoted"\ntitle = "Says \\"hi\\", then =SUM(A1)"\n')
    with (study / "ratings.csv").open("a") as fh:
        fh.write("S1,quoted,+1,\n")
    rc, out, _ = run(capsys, "table", str(study), "--format", "csv")
    assert rc == 0 and "\r\n" in out and "\n" not in out.replace("\r\n", "")
    rows = list(csv.reader(io.StringIO(out, newline="")))
    width = len(rows[0])
    data = [r for r in rows if not r[0].startswith("# ")]
    assert all(len(r) == width for r in data)
    assert any(r[1] == 'Says "hi", then =SUM(A1)' for r in data)
    assert rows[-1][0].startswith("# ") and len(rows[-1]) == 1  # the legend: one-field rows at the end
    assert '"Says ""hi"", then =SUM(A1)"' in out


def test_csv_cells_never_start_a_formula(capsys, study):
    (study / "themes.toml").write_text('[[theme]]\nid = "formula"\ntitle = "=HYPERLINK(\\"x\\")"\n')
    with (study / "ratings.csv").open("a") as fh:
        fh.write("S1,formula,-1,\n")
    _, rows, _ = table_csv(capsys, study)
    row = next(r for r in rows if "HYPERLINK" in r[1])
    assert row[1] == '\'=HYPERLINK("x")' and "-1" in row  # a rating token stays as it is


def test_latex_escapes_every_special_character():
    assert latex_escape("& % $ # _ { } ~ ^ \\") == (
        r"\& \% \$ \# \_ \{ \} \textasciitilde{} \textasciicircum{} "
        r"\textbackslash{}"
    )
    assert latex_escape("a\x1bb") == "a\\textbackslash{}x1bb"


def test_latex_shape(capsys, study):
    (study / "themes.toml").write_text('[[theme]]\nid = "special"\ntitle = "R&D 100% $x #1 a_b {c} ~d ^e \\\\f"\n')
    with (study / "ratings.csv").open("a") as fh:
        fh.write("S1,special,+1,\n")
    rc, out, _ = run(capsys, "table", str(study), "--format", "latex")
    assert rc == 0
    assert out.startswith(r"\begin{tabular}{l") and r"\toprule" in out and r"\midrule" in out and r"\bottomrule" in out
    assert r"R\&D 100\% \$x \#1 a\_b \{c\} \textasciitilde{}d \textasciicircum{}e \textbackslash{}f" in out
    body = out[out.index(r"\midrule") : out.index(r"\bottomrule")]
    import re

    columns = len(re.match(r"\\begin\{tabular\}\{([lc]+)\}", out).group(1))
    rows = [line for line in body.splitlines() if line.endswith(r"\\") and not line.startswith(r"\multicolumn")]
    assert len(rows) > 5
    for line in rows:
        assert len(re.findall(r"(?<!\\)&", line)) == columns - 1, line
    assert r"\multicolumn{3}{c}{high}" in out and r"\cmidrule(lr)" in out


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_latex_compiles(capsys, study, tmp_path):
    rc, out, _ = run(capsys, "table", str(study), "--format", "latex")
    doc = tmp_path / "t.tex"
    doc.write_text(
        "\\documentclass{article}\n\\usepackage{booktabs}\n\\usepackage[T1]{fontenc}\n"
        "\\begin{document}\n" + out + "\\end{document}\n"
    )
    proc = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", doc.name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout[-2000:]


def test_xlsx_through_polars(capsys, study, tmp_path):
    import polars as pl

    path = tmp_path / "t.xlsx"
    rc, out, _ = run(capsys, "table", str(study), "-o", str(path))
    assert rc == 0 and path.read_bytes()[:2] == b"PK"
    header, rows, legend = table_csv(capsys, study)
    sheet = pl.read_excel(path, sheet_name="table", infer_schema_length=0)
    assert sheet.columns == header
    got = [["" if v is None else v for v in r] for r in sheet.iter_rows()]
    assert got == rows
    notes = pl.read_excel(path, sheet_name="legend")["legend"].to_list()
    assert ["# " + n for n in notes] == legend


def test_output_is_never_overwritten_without_force(capsys, study, tmp_path):
    path = tmp_path / "table.md"
    path.write_text("mine")
    rc, _, err = run(capsys, "table", str(study), "-o", str(path))
    assert (
        rc == 2 and err.strip() == f"{path}: already exists; use --force to replace it" and path.read_text() == "mine"
    )
    rc, out, _ = run(capsys, "table", str(study), "-o", str(path), "--force")
    assert rc == 0 and path.read_text().startswith("| Domain |")
    xlsx = tmp_path / "t.xlsx"
    xlsx.write_bytes(b"old")
    assert run(capsys, "table", str(study), "-o", str(xlsx))[0] == 2 and xlsx.read_bytes() == b"old"
    assert run(capsys, "table", str(study), "-o", str(xlsx), "--force")[0] == 0 and xlsx.read_bytes()[:2] == b"PK"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_the_format_follows_the_suffix(capsys, study, tmp_path):
    for name, start in (("t.csv", "Domain,Theme"), ("t.tex", r"\begin{tabular}"), ("t.md", "| Domain")):
        assert run(capsys, "table", str(study), "-o", str(tmp_path / name))[0] == 0
        assert (tmp_path / name).read_text().startswith(start)


@pytest.mark.parametrize("target", ["ratings.csv", "evidence.csv", "judgements.csv", "sites.xlsx", "study.toml"])
def test_study_files_are_refused_as_targets(capsys, study, target):
    before = (study / target).read_bytes() if (study / target).exists() else None
    rc, _, err = run(capsys, "table", str(study), "-o", str(study / target), "--force")
    assert rc == 2 and "is one of the study's own files" in err
    assert ((study / target).read_bytes() if (study / target).exists() else None) == before


def test_bad_input_lines(capsys, study, tmp_path):
    rc, _, err = run(capsys, "table", str(study), "--format", "xlsx")
    assert rc == 2 and err.strip() == "crosscase table --format xlsx needs -o FILE.xlsx (a workbook is not printed)"
    rc, _, err = run(capsys, "table", str(study), "-o", str(tmp_path))
    assert rc == 2 and "is a folder" in err
    with pytest.raises(SystemExit) as caught:
        main(["table", str(study), "--format", "pdf"])
    assert caught.value.code == 2 and "invalid choice" in capsys.readouterr().err
    (study / "evidence.csv").write_text("site,theme,excerpt\nS9,leadership-support,x\n")
    rc, out, err = run(capsys, "table", str(study))
    assert rc == 2 and out == "" and err.strip() == 'evidence.csv:2: site: "S9" is not a site in the sites file'
    rc, _, err = run(capsys, "table", str(tmp_path / "nope"))
    assert rc == 2 and "no such study folder" in err


def test_table_imports_no_ui_library():
    from tests.test_imports import UI_LIBRARIES, fresh_python, loaded

    code = f"""
        import contextlib, io, json, sys
        import tui.cli
        with contextlib.redirect_stdout(io.StringIO()):
            assert tui.cli.main(["table", "data/example"]) == 0
            assert tui.cli.main(["table", "data/example", "--format", "latex"]) == 0
        {loaded(UI_LIBRARIES)}
    """
    assert fresh_python(code) == []


@pytest.mark.parametrize("rule", ["median", "tertiles"])
def test_a_count_outcome_below_min_count_is_not_given_away(capsys, tmp_path, rule):
    from tests.conftest import build_study
    from tests.test_engine_disclosure import forbidden, leaks, toml_with

    folder = build_study(tmp_path, study_toml=lambda t: toml_with(t, outcome="participants", rule=rule))
    bad = forbidden(folder)
    for fmt in ("markdown", "csv", "latex"):
        rc, out, err = run(capsys, "table", str(folder), "--format", fmt)
        assert rc == 0, err
        assert not leaks(out, bad), (fmt, sorted(leaks(out, bad)))
        assert "cut withheld (disclosure control)" in out


def test_the_published_judgement_has_its_column(capsys, study):
    """ratings-wide.csv with the authors' ``distinguishing`` column: the table shows it as written."""
    s = load_study(study)
    sites = [x.id for x in s.sites]
    by_theme: dict[str, dict[str, str]] = {}
    for r in s.ratings:
        by_theme.setdefault(r.theme, {})[r.site] = r.token
    published = {"leadership-support": "**", "peer-role-clarity": "*"}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["theme", "distinguishing", *sites])
    for theme, cells in by_theme.items():
        writer.writerow([theme, published.get(theme, ""), *(cells.get(x, "") for x in sites)])
    (study / "ratings.csv").unlink()
    (study / "ratings-wide.csv").write_text(out.getvalue())
    data = summary(capsys, study)
    header, rows, legend = table_csv(capsys, study)
    assert header[-1] == "Published" and header[-2] == "Distinguishing"
    titles = {t["title"]: t for t in data["themes"]}
    for row in rows:
        assert row[-1] == (titles[row[1]].get("published") or "")
    shown = {row[1]: row[-1] for row in rows}
    assert shown[titles_of(data)["leadership-support"]] == "strong"
    assert shown[titles_of(data)["peer-role-clarity"]] == "weak"
    assert any(line.startswith("# Published: the authors' own judgement") for line in legend)


def titles_of(data: dict) -> dict[str, str]:
    return {t["theme"]: t["title"] for t in data["themes"]}
