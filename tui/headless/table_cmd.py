"""``crosscase table STUDY``: the CFIR rating table as journals print it (analysis.md section 4, docs/table.md).

Themes down, grouped by CFIR domain (the study's own themes first, in their own group); sites across,
high, then middle, then low, each group ordered by the outcome (best first); the canonical rating
token in each cell; a last column marking the distinguishing themes (``**`` strong, ``*`` weak, with
``(reversed)``), then the authors' published judgement and the analyst's (judgements.csv) when the
study records them; a legend naming the rule and the split. Built from the Comparison, so disclosure
is already applied (pseudonyms; no evidence is ever read here). Headless: no textual, rich or plotext.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cases.escape import clean

FORMATS = ("markdown", "csv", "latex", "xlsx")
GROUP_ORDER = ("high", "middle", "low")
STUDY_GROUP = "Study themes"
NO_DOMAIN = "Other"
# CFIR's order of domains (2.0 and 2009 names); other domains follow in the order they first appear
DOMAIN_ORDER = (
    "Innovation",
    "Intervention Characteristics",
    "Outer Setting",
    "Inner Setting",
    "Individuals",
    "Characteristics of Individuals",
    "Implementation Process",
    "Process",
)


@dataclass(frozen=True)
class Table:
    """The table as plain text cells, before any format's escaping."""

    sites: tuple[tuple[str, str], ...]  # (site id, group) in column order
    rows: tuple[tuple[str, str, tuple[str, ...], str, str | None, str | None], ...]
    # (domain group, theme title, one token per site ("" = not rated), mark, published, judgement)
    published: bool  # the published column is shown
    judged: bool  # the judgement column is shown
    legend: tuple[str, ...]

    def header(self) -> list[str]:
        return [
            "Domain",
            "Theme",
            *(f"{s} ({g})" for s, g in self.sites),
            "Distinguishing",
            *(["Published"] if self.published else []),
            *(["Judgement"] if self.judged else []),
        ]

    def records(self) -> list[list[str]]:
        """Every row as cells, the domain on each row (csv, xlsx)."""
        return [
            [
                domain,
                title,
                *tokens,
                mark,
                *([published or ""] if self.published else []),
                *([judgement or ""] if self.judged else []),
            ]
            for domain, title, tokens, mark, published, judgement in self.rows
        ]


def mark(label: str, direction: str) -> str:
    """``**`` strong, ``*`` weak (with `` (reversed)``), ``n/a`` insufficient, empty for none."""
    if label in ("strong", "weak"):
        return ("**" if label == "strong" else "*") + (" (reversed)" if direction == "reversed" else "")
    return "n/a" if label == "insufficient" else ""


def _site_order(comparison, study) -> list[tuple[str, str]]:
    """(site, group) for high, middle, low; within a group the best outcome first (the highest when
    higher is better), sites without a value last, ties in sites-file order."""
    split = comparison.split
    values = study.column(split.outcome) if split.outcome in study.metrics else {}
    if comparison.disclosure.pseudonymise:  # the comparison's ids are pseudonyms: look the values up by them
        from metrics.pseudonyms import pseudonym_map

        values = {p: values.get(real) for real, p in pseudonym_map(study).items()}
    metric = study.metrics.get(split.outcome)
    better_high = metric.higher_is_better if metric is not None else True
    out = []
    for group in GROUP_ORDER:
        ids = list(getattr(split, group))
        position = {s: i for i, s in enumerate(ids)}

        def key(s, position=position):
            v = values.get(s)
            if v is None:
                return (1, 0.0, position[s])
            return (0, -v if better_high else v, position[s])

        out += [(s, group) for s in sorted(ids, key=key)]
    return out


def build_table(comparison, study) -> Table:
    from tui.headless.render import split_line

    sites = _site_order(comparison, study)
    own = [t for t in comparison.themes if getattr(study.themes.get(t.theme), "kind", "study") == "study"]
    others = [t for t in comparison.themes if t not in own]
    groups: dict[str, list] = {}
    if own:
        groups[STUDY_GROUP] = own
    found: dict[str, list] = {}
    for t in others:  # within a domain, themes in the theme pass's (catalogue) order
        found.setdefault(t.domain or NO_DOMAIN, []).append(t)
    rank = {d: i for i, d in enumerate(DOMAIN_ORDER)}
    for domain in sorted(found, key=lambda d: (rank.get(d, len(rank)), d == NO_DOMAIN)):  # stable: first seen
        groups[domain] = found[domain]
    rows = []
    for domain, themes in groups.items():
        for t in themes:
            tokens = {}
            for g in GROUP_ORDER:
                tokens.update(getattr(t, g).ratings)
            rows.append(
                (
                    domain,
                    t.title,
                    tuple(tokens.get(s, "") for s, _ in sites),
                    mark(t.distinguishing, t.direction),
                    t.published,
                    t.judgement,
                )
            )
    published = any(r[4] is not None for r in rows)
    judged = any(r[5] is not None for r in rows)
    counts = {g: len(getattr(comparison.split, g)) for g in (*GROUP_ORDER, "missing")}
    metric = study.metrics.get(comparison.split.outcome)
    best = "highest" if metric is None or metric.higher_is_better else "lowest"
    legend = [
        f"{comparison.title}" + (" (synthetic, illustrative data)" if comparison.synthetic else ""),
        f"Split: {split_line(comparison)}; high {counts['high']}, middle {counts['middle']}, low {counts['low']} sites"
        + (f"; {counts['missing']} without an outcome value (not shown)" if counts["missing"] else "")
        + f". Within each group sites are ordered by the outcome, the {best} first.",
        f"Distinguishing rule: {comparison.rule.describe()}. ** strongly distinguishing, * weakly distinguishing, "
        "(reversed): the low group rated higher; n/a: a group has no valence rating.",
        "Cells: the canonical rating tokens (-2..+2; X mixed; Missing; N/A; E; I); empty: not rated.",
    ]
    if published:
        legend.append("Published: the authors' own judgement (ratings-wide.csv).")
    if judged:
        from metrics.summary import judgement_counts

        j = judgement_counts(comparison)
        legend.append(
            f"Judgement: the analyst's own label (judgements.csv); {j['recorded']} recorded, "
            f"{j['disagree']} differ from the rule's label."
        )
    if comparison.disclosure.pseudonymise:
        legend.append("Sites are pseudonymised (Site A, Site B, ...).")
    return Table(tuple(sites), tuple(rows), published, judged, tuple(clean(line) for line in legend))


# --- formats ------------------------------------------------------------------------------------


def render_markdown(table: Table) -> str:
    from tui.headless.render import _md

    header = table.header()
    out = [
        "| " + " | ".join(_md(h) for h in header) + " |",
        "|"
        + "|".join(
            ["---", "---", *([":---:"] * len(table.sites)), ":---:", *(["---"] * (len(header) - len(table.sites) - 3))]
        )
        + "|",
    ]
    last = None
    for record in table.records():
        domain = record[0]
        shown = [f"**{_md(domain)}**" if domain != last else "", *(_md(c).replace("*", "\\*") for c in record[1:])]
        last = domain
        out.append("| " + " | ".join(shown) + " |")
    out += ["", *(f"{_md(line).replace('*', chr(92) + '*')}  " for line in table.legend)]
    return "\n".join(out) + "\n"


def render_csv(table: Table) -> str:
    """RFC 4180 (CRLF, quotes as needed): the header, one row per theme, then the legend as rows of one
    field starting with "# " (read_csv(comment="#") and most tools skip them)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(_cell(h) for h in table.header())
    for record in table.records():
        writer.writerow(_cell(c) for c in record)
    for line in table.legend:
        writer.writerow(["# " + line])
    return buffer.getvalue()


def _cell(text: str) -> str:
    """A text cell a spreadsheet shows as written, never runs: = + - @ at the start of a cell that is not
    a rating token (a formula, a CSV injection) get a leading apostrophe."""
    from cases.tokens import CANONICAL

    text = clean(text)
    if text and text[0] in "=+-@\t\r" and text not in CANONICAL:
        return "'" + text
    return text


_LATEX = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
}


def latex_escape(text: str) -> str:
    return "".join(_LATEX.get(ch, ch) for ch in clean(text))


def render_latex(table: Table) -> str:
    """A booktabs table (\\usepackage{booktabs}); the group row above the site row, domains as
    sub-headings; every text from data escaped."""
    n_sites = len(table.sites)
    extra = int(table.published) + int(table.judged)
    spec = "l" + "c" * n_sites + "c" + "l" * extra
    width = 1 + n_sites + 1 + extra
    out = [r"\begin{tabular}{" + spec + "}", r"\toprule"]
    spans, at = [], 2
    for g in GROUP_ORDER:
        n = sum(1 for _, group in table.sites if group == g)
        if n:
            spans.append((g, at, at + n - 1))
            at += n
    out.append(
        " & ".join(["", *(rf"\multicolumn{{{b - a + 1}}}{{c}}{{{g}}}" for g, a, b in spans), "", *[""] * extra])
        + r" \\"
    )
    if spans:
        out.append("".join(rf"\cmidrule(lr){{{a}-{b}}}" for _, a, b in spans))
    header = [
        "Theme",
        *(latex_escape(s) for s, _ in table.sites),
        "Distinguishing",
        *(["Published"] if table.published else []),
        *(["Judgement"] if table.judged else []),
    ]
    out += [" & ".join(header) + r" \\", r"\midrule"]
    last = None
    for domain, title, tokens, mk, published, judgement in table.rows:
        if domain != last:
            if last is not None:
                out.append(r"\addlinespace")
            out.append(rf"\multicolumn{{{width}}}{{l}}{{\textit{{{latex_escape(domain)}}}}} \\")
            last = domain
        cells = [
            latex_escape(title),
            *(latex_escape(t) for t in tokens),
            latex_escape(mk),
            *([latex_escape(published or "")] if table.published else []),
            *([latex_escape(judgement or "")] if table.judged else []),
        ]
        out.append(" & ".join(cells) + r" \\")
    out += [r"\bottomrule", r"\end{tabular}", "", r"\smallskip", ""]
    out += [r"\noindent\footnotesize " + latex_escape(line) + r"\par" for line in table.legend]
    return "\n".join(out) + "\n"


def render_xlsx(table: Table) -> bytes:
    """An xlsx workbook through polars' own Excel writer (xlsxwriter): sheet "table" and sheet "legend"."""
    import polars as pl
    import xlsxwriter

    header = table.header()
    data = {h: [_cell(r[i]) for r in table.records()] for i, h in enumerate(header)}
    frame = pl.DataFrame(data, schema=dict.fromkeys(header, pl.String))
    legend = pl.DataFrame({"legend": list(table.legend)}, schema={"legend": pl.String})
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    frame.write_excel(workbook=book, worksheet="table", autofit=True)
    legend.write_excel(workbook=book, worksheet="legend", autofit=True)
    book.close()
    return buffer.getvalue()


RENDERERS: dict[str, Callable[[Table], str | bytes]] = {
    "markdown": render_markdown,
    "csv": render_csv,
    "latex": render_latex,
    "xlsx": render_xlsx,
}


def table_command(args) -> int:
    """``crosscase table``: the table on stdout, or in ``-o FILE`` (never replaced without --force;
    never one of the study's own files). Exit 0, or 2 (UsageError) leaving any file untouched."""
    from tui.core.errors import UsageError
    from tui.core.study import comparison_for

    fmt = args.format
    path = Path(args.output) if args.output else None
    if fmt is None:
        suffix = path.suffix.lower() if path else ""
        fmt = {".csv": "csv", ".tex": "latex", ".xlsx": "xlsx"}.get(suffix, "markdown")
    if fmt == "xlsx" and path is None:
        raise UsageError("crosscase table --format xlsx needs -o FILE.xlsx (a workbook is not printed)")
    if path is not None:
        if path.is_dir():
            raise UsageError(f"{path}: is a folder; give a file name, e.g. {path / 'table.md'}")
        if not args.force and (path.exists() or path.is_symlink()):
            raise UsageError(f"{path}: already exists; use --force to replace it")
    study, comparison = comparison_for(args)
    output = RENDERERS[fmt](build_table(comparison, study))
    if path is None:
        assert isinstance(output, str), "a workbook (bytes) needs -o FILE: refused above"
        sys.stdout.write(output)
        return 0
    from cases.atomic import write_atomic
    from tui.core.snapshots import _refuse_study_file

    try:
        _refuse_study_file(study, path)
        write_atomic(path, output, force=args.force)
    except FileExistsError:
        raise UsageError(f"{path}: already exists; use --force to replace it") from None
    except (OSError, ValueError) as exc:
        raise UsageError(clean(str(exc))) from None
    print(f"wrote {clean(path)} ({fmt})")
    return 0
