"""``crosscase import PROJECT.qdpx DIR``: a REFI-QDA project becomes a study folder (analysis.md §4).

Cases become sites; Integer and Float case variables become metrics, the other types attributes;
a variable named after a theme ("Leadership Engagement", "... rating", "... (rating)") whose values
are all rating tokens becomes that theme's ratings; codes become themes, matched to the built-in
catalogue by title or written to themes.toml; coded text selections of the sources a case refers to
(and the selections coded to the case itself) become evidence.csv rows. The folder is written
beside DIR, validated with the loader, then moved into place, so DIR never holds half a study.
What could not be carried over is listed in the report, one line each.

The archive and its XML are read by cases.qdpx_safe (limits, no DTD or entities).
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cases.errors import Problem
from cases.model import POSITIONS, SITES_FROM
from cases.qdpx_lost import unmapped
from cases.qdpx_map import (
    ID_HINT,
    RESERVED_COLUMNS,
    Matcher,
    clean,
    column_key,
    comment,
    norm_title,
    rating_base,
    slug,
    toml_str,
    unique,
    valid_theme_id,
)
from cases.qdpx_read import Project, SourceText, Units, position_units, read_project
from cases.qdpx_safe import LIMITS, Archive, Limits, QdpxError
from cases.qdpx_settings import settings_toml, take_settings
from cases.qdpx_sites import choices, site_cases
from cases.sites import parse_number
from cases.tokens import canonical_token

NUMERIC = ("Integer", "Float")
TEXTUAL = ("Text", "Boolean", "Date", "DateTime")
SYNTHETIC = "[crosscase: synthetic]"  # the project description's mark of an illustrative study (the export writes it)
WHOLE_SOURCE_MAX = 20_000  # a coding of a whole source is evidence only up to this many characters


def _check_folder(folder: Path) -> list[Problem]:
    """The loader's problems with a written folder (it reads evidence.csv too), or none."""
    from cases.errors import StudyError
    from cases.loader import load_study

    try:
        load_study(folder)
    except StudyError as exc:
        return list(exc.problems)
    return []


@dataclass
class ImportReport:
    folder: Path
    title: str
    sites: list[str] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)
    attributes: list[str] = field(default_factory=list)
    outcome: str | None = None
    matched: dict[str, str] = field(default_factory=dict)  # code path -> catalogue theme id
    new_themes: list[str] = field(default_factory=list)
    ratings: int = 0
    evidence: int = 0
    lost: list[str] = field(default_factory=list)  # what could not be carried over, one line each
    notes: list[str] = field(default_factory=list)  # what the import decided that a user should know

    def summary(self) -> str:
        return (
            f"imported {len(self.sites)} sites, {len(self.metrics)} metrics, {len(self.attributes)} attributes, "
            f"{len(self.matched)} themes matched to the catalogue, {len(self.new_themes)} new themes, "
            f"{self.ratings} ratings and {self.evidence} evidence excerpts into {self.folder}"
        )


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")  # C0 controls but tab and line feed, and DEL


def _text(value: str) -> str:
    """Text kept for evidence: line breaks kept, NUL and other control characters dropped."""
    return _CONTROL.sub("", value.replace("\r\n", "\n")).strip()


class _Importer:
    def __init__(self, project: Project, label: str):
        self.p = project
        self.label = label
        self.lost: list[str] = []
        self.notes: list[str] = []  # what the import decided that a user should know (not a loss)
        self.counted: dict[str, int] = {}  # a counting of positions other than REFI-QDA's -> sources
        self.not_sites: set[str] = set()  # GUIDs of the project's cases that are not sites (--sites-from)
        self.valued: set[str] = set()  # GUIDs of variables with a value anywhere (a case's or a document's)
        self.utf16: bool | None = None  # --positions: None decides per source, True/False fixes it
        self.open = 0  # sources with emoji whose counting nothing in the file decided
        self.elsewhere: set[str] = set()
        self.matcher = Matcher()

    # -- sites -------------------------------------------------------------------------------
    def sites(self) -> None:
        taken: set[str] = set()
        self.site_of: dict[str, str] = {}  # case guid -> site id
        self.cases = []
        seen_names: set[str] = set()
        for case in self.p.cases:
            if case.name is None:
                held = f", holding {len(case.values)} variable values" if case.values else ""
                self.lost.append(
                    f"a case without a name{held} (line {case.line}; MAXQDA writes document variables so): "
                    "not carried over"
                )
                continue
            name = clean(case.name)
            if name in seen_names:
                self.lost.append(f'case "{name}" appears twice: the second is site "{unique(name, set(taken))}"')
            seen_names.add(name)
            site = unique(name, taken)
            self.site_of[case.guid] = site
            self.cases.append(case)

    # -- themes ------------------------------------------------------------------------------
    def themes(self) -> None:
        coded = {g for s in self.p.sources.values() for sel in s.selections for g in sel.codes}
        coded |= {g for s in self.p.sources.values() for g in s.codes} | {g for c in self.p.cases for g in c.codes}
        self.matcher.learn([c.path for c in self.p.codes.values()])
        self.theme_of: dict[str, str] = {}  # code guid -> theme id
        self.new: list[dict] = []
        self.matched: dict[str, str] = {}
        taken: set[str] = set()
        titles: set[str] = set()
        codes = list(self.p.codes.values())
        for code in codes:
            theme = self.matcher.match(code.path)
            if theme is not None:
                self.theme_of[code.guid] = theme.id
                self.matched[" / ".join(code.path)] = theme.id
        catalogue_ids = set(self.theme_of.values())
        for code in codes:
            if code.guid in self.theme_of:
                continue
            if code.has_children and code.guid not in coded:
                continue  # a folder of codes (a CFIR domain): it names the domain
            hint = ID_HINT.search(code.description or "")
            base = hint.group(1) if hint and valid_theme_id(hint.group(1)) else (slug(" ".join(code.path)) or "code")
            tid = unique(base, taken | catalogue_ids)
            taken.add(tid)
            title = code.name if norm_title(code.name) not in titles else ": ".join(code.path[-2:])
            titles.add(norm_title(title))
            summary = ID_HINT.sub("", code.description or "").strip() or None
            self.new.append(
                {
                    "id": tid,
                    "title": clean(title),
                    "domain": clean(" / ".join(code.path[:-1])) or None,
                    "summary": clean(summary) if summary else None,
                }
            )
            self.theme_of[code.guid] = tid
        self.title_to_theme = {norm_title(t["title"]): t["id"] for t in self.new}

    def theme_for_title(self, title: str) -> str | None:
        key = norm_title(title)
        if key in self.title_to_theme:
            return self.title_to_theme[key]
        found = self.matcher.match((title,))
        return found.id if found else None

    # -- variables ---------------------------------------------------------------------------
    def variables(self) -> None:
        values: dict[str, dict[str, str | None]] = {}
        for case in self.cases:
            for g, v in case.values.items():
                values.setdefault(g, {})[case.guid] = v
        for g in values:
            if g not in self.p.variables:
                self.lost.append(f"values of a variable the project does not define ({g}): not carried over")
        self.metrics: list[tuple[str, str, str, dict]] = []  # (key, label, guid, other [metrics.*] keys)
        self.attributes: list[tuple[str, str]] = []  # (column, guid)
        self.rating_vars: list[tuple[str, str]] = []  # (theme id, guid)
        self.label_var: str | None = None
        taken = set(RESERVED_COLUMNS)
        rated: set[str] = set()
        self.elsewhere = self.valued - set(values)  # variables with values, none of them a site's
        for var in self.p.variables.values():
            if var.guid in self.elsewhere:
                continue  # values of documents or cases that are not the sites (cases.qdpx_lost lists it)
            given = values.get(var.guid, {})
            theme = self._rating_theme(var.name, given)
            if theme is not None and theme not in rated:
                rated.add(theme)
                self.rating_vars.append((theme, var.guid))
            elif var.name.casefold() == "label" and var.type == "Text" and self.label_var is None:
                self.label_var = var.guid
            elif var.type in NUMERIC:
                label, extra = describe(var.name, var.description)
                key = unique(column_key(var.name) or "metric", taken, fold=True)
                self.metrics.append((key, label or key, var.guid, extra))
            elif var.type in TEXTUAL:
                self.attributes.append((unique(clean(var.name) or "attribute", taken, fold=True), var.guid))
            else:
                self.lost.append(
                    f'variable "{clean(var.name)}" has type "{clean(var.type)}", which REFI-QDA does not define: '
                    "not carried over"
                )

    def _rating_theme(self, name: str, given: dict[str, str | None]) -> str | None:
        present = [v for v in given.values() if v is not None and v.strip()]
        if not present or not all(canonical_token(v) is not None for v in present):
            return None
        for title in (rating_base(name), name):
            if title and (theme := self.theme_for_title(title)):
                return theme
        return None

    # -- evidence ----------------------------------------------------------------------------
    def evidence(self) -> list[tuple[str, str, str, str]]:
        """(site, theme, excerpt, source) rows of every coded text, each once, in the project's order."""
        of_source: dict[str, set[str]] = {}
        of_selection: dict[str, set[str]] = {}
        for case in self.cases:
            for g in case.sources:
                of_source.setdefault(g, set()).add(case.guid)
            for g in case.selections:
                of_selection.setdefault(g, set()).add(case.guid)
        rows: list[tuple[str, str, str, str]] = []
        for src in self.p.sources.values():
            if self._carried_over(src):
                # codings whose CodeRef is a case: that selection (or the whole source) belongs to the case
                whole = set(of_source.get(src.guid, ())) | {g for g in src.codes if g in self.site_of}
                rows += self._selection_rows(src, whole, of_selection)
                rows += self._whole_source_rows(src, whole)
        rows += self._case_rows()
        return list(dict.fromkeys(rows))

    def _carried_over(self, src) -> bool:
        """Whether the text of ``src`` is read; what is not carried over of it goes to ``lost``."""
        if src.kind not in ("TextSource", "PDFSource"):
            kind = {"PictureSource": "picture", "AudioSource": "audio", "VideoSource": "video"}.get(src.kind, src.kind)
            codings = src.other_selections + len(src.codes)
            self.lost.append(
                f'{kind} source "{src.name}": not carried over (crosscase keeps text only)'
                + (f", with its {codings} codings" if codings else "")
            )
            return False
        if src.kind == "PDFSource" and src.other_selections:
            self.lost.append(
                f'PDF source "{src.name}": {src.other_selections} PDF region selections are not carried over'
            )
        if src.text is None:
            if src.selections or src.codes:
                self.lost.append(f'source "{src.name}" {src.missing}: its codings are not carried over')
            return False
        return True

    def _selection_rows(
        self, src, whole: set[str], of_selection: dict[str, set[str]]
    ) -> list[tuple[str, str, str, str]]:
        """The rows of the coded selections of ``src``: one per case it belongs to and theme it is coded with."""
        cutter = self._cutter(src)
        ranges = [(sel.start, sel.end, g) for sel in src.selections for g in sel.codes if g in self.site_of]
        rows: list[tuple[str, str, str, str]] = []
        unlinked = 0
        for sel in src.selections:
            themes = [self.theme_of[g] for g in sel.codes if g in self.theme_of]
            if any(g not in self.theme_of and g not in self.site_of and g not in self.not_sites for g in sel.codes):
                self.lost.append(
                    f'source "{src.name}": a selection (line {sel.line}) is coded with a code the codebook '
                    "does not hold: that coding is not carried over"
                )
            if not themes:
                continue
            owners = (
                whole | of_selection.get(sel.guid, set()) | {g for a, b, g in ranges if a < sel.end and sel.start < b}
            )
            if not owners:
                unlinked += 1
                continue
            excerpt = cutter.cut(sel.start, sel.end)
            if excerpt is None:
                self.lost.append(
                    f'source "{src.name}": a selection (line {sel.line}) runs from {sel.start} to {sel.end}, '
                    f"outside the text's {len(src.text)} characters: not carried over"
                )
                continue
            excerpt = _text(excerpt)
            if excerpt:
                rows += [(self.site_of[c], t, excerpt, src.name) for c in self._in_site_order(owners) for t in themes]
        if unlinked:
            self.lost.append(
                f'source "{src.name}": {unlinked} coded selections belong to no case: not carried over '
                "(link the document to its case in the QDA program, or import with --sites-from sources)"
            )
        return rows

    def _cutter(self, src) -> SourceText:
        """The source's text as its positions count (decided by its selections' names, else the
        origin); a counting that is not REFI-QDA's, and names that fit no counting, are noted."""
        units, unmatched, open_ = position_units(src, self.p.origin, self.utf16)
        self.open += open_ and not units.utf16
        decided = Units(units.crlf_one, units.utf16 and self.utf16 is None)  # not what --positions fixed
        if decided != Units():
            self.counted[decided.describe()] = self.counted.get(decided.describe(), 0) + 1
        if unmatched:
            self.notes.append(
                f'source "{clean(src.name)}": {unmatched} coded selections hold a text (their name) that differs '
                f"from the text at their positions, counted as {units.describe()}: check those excerpts"
            )
        return SourceText(src.text or "", units)

    def _whole_source_rows(self, src, whole: set[str]) -> list[tuple[str, str, str, str]]:
        """A source coded as a whole is one excerpt, unless it is too long for one."""
        source_themes = [self.theme_of[g] for g in src.codes if g in self.theme_of]
        if not source_themes or not whole:
            return []
        text = _text(src.text)
        if len(text) > WHOLE_SOURCE_MAX or not text:
            self.lost.append(
                f'source "{src.name}" is coded as a whole, but is too long to be one excerpt: '
                "that coding is not carried over"
            )
            return []
        return [(self.site_of[c], t, text, src.name) for c in self._in_site_order(whole) for t in source_themes]

    def _case_rows(self) -> list[tuple[str, str, str, str]]:
        """A case coded with a theme: its description is the excerpt (or a note that it has none)."""
        rows = []
        for case in self.cases:
            for g in case.codes:
                if g in self.theme_of:
                    text = (
                        _text(case.description or "")
                        or f'(the case "{self.site_of[case.guid]}" is coded here, with no text)'
                    )
                    rows.append((self.site_of[case.guid], self.theme_of[g], text, "case"))
        return rows

    def _in_site_order(self, guids: set[str]) -> list[str]:
        return sorted(guids, key=lambda g: self.site_of[g])


_METRIC_KEYS = {"unit": str, "min": float, "max": float, "higher_is_better": bool, "count": bool}


def describe(name: str, description: str | None) -> tuple[str, dict]:
    """A metric's label and other keys from its variable's description.

    The first line is the label when it is short (80 characters or fewer); lines ``unit: ...``,
    ``min: N``, ``max: N``, ``higher_is_better: true|false`` and ``count: true|false`` (as
    crosscase's export writes them) give those keys. Any other description leaves the name as label.
    """
    lines = [ln.strip() for ln in (description or "").splitlines() if ln.strip()]
    label = clean(lines[0]) if lines and len(lines[0]) <= 80 else clean(name)
    extra: dict = {}
    for ln in lines[1:]:
        key, sep, value = ln.partition(":")
        kind = _METRIC_KEYS.get(key.strip())
        value = value.strip()
        if not sep or kind is None:
            continue
        if kind is bool and value in ("true", "false"):
            extra[key.strip()] = value == "true"
        elif kind is float and parse_number(value) is not None:
            extra[key.strip()] = parse_number(value)
        elif kind is str and value:
            extra[key.strip()] = clean(value)
    return label, extra


def _csv(header: list[str], rows: Sequence[Sequence[object]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def import_qdpx(
    path: str | Path,
    dest_dir: str | Path,
    limits: Limits = LIMITS,
    sites_from: str = "cases",
    positions: str = "auto",
) -> ImportReport:
    """Import a .qdpx into ``dest_dir`` (empty or absent); raise QdpxError with one line per problem.
    ``sites_from``: the project's cases (the default), its text documents, or its sets of documents
    (cases.qdpx_sites). ``positions``: "auto" (each source's selection names decide, else the
    origin, else code points), "code-points" or "utf16" (cases.qdpx_read.position_units)."""
    path, dest = Path(path), Path(dest_dir)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise QdpxError(
            [
                Problem(
                    str(dest), None, None, "must be an empty folder or not exist: crosscase never writes over a study"
                )
            ]
        )
    archive = Archive(path, limits)
    try:
        project = read_project(archive)
    finally:
        archive.close()
    if positions not in POSITIONS:
        raise ValueError(f"positions: {positions!r} is not one of {', '.join(POSITIONS)}")
    imp = _sited(project, archive.label, sites_from)
    imp.utf16 = {"auto": None, "code-points": False, "utf16": True}[positions]
    imp.themes()
    imp.variables()
    evidence = imp.evidence()
    report = ImportReport(dest, _PROJECT_FILE.sub("", clean(project.name)) or path.stem)
    project.description, settings, why = take_settings(project.description)
    imp.lost += [why] if why else []
    said = len(imp.lost)
    problems = _put_in_place(_files(imp, project, archive.label, evidence, report, settings), dest)
    if problems and settings is not None:
        # the settings came from the file: a block the loader refuses is left out, not the import
        del imp.lost[said:]
        imp.lost.append(
            f"the crosscase settings in the project's description ({_where(problems[0])}): defaults written"
        )
        settings = None
        problems = _put_in_place(_files(imp, project, archive.label, evidence, report, None), dest)
    if problems:
        raise _ours(problems, archive.label, dest)
    if settings is not None:
        imp.notes.append("the analysis settings crosscase wrote into the project's description were used")
    imp.lost += unmapped(project, sites_from, imp.elsewhere, imp.cases, set(imp.theme_of))
    imp.notes += _decided(project, imp.counted, imp.open)
    report.lost += imp.lost
    report.notes += imp.notes
    return report


def _put_in_place(files: dict[str, str], dest: Path) -> list[Problem]:
    """Write the folder beside ``dest`` and load it; moved into place only when the loader has no
    problem with it. Returns the loader's problems (none: the folder is in place)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.import-", dir=dest.parent))
    try:
        for name, text in files.items():
            (tmp / name).write_text(text, encoding="utf-8", newline="")
        problems = _check_folder(tmp)
        if not problems:
            if dest.exists():
                dest.rmdir()
            os.replace(tmp, dest)
        return problems
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


_PROJECT_FILE = re.compile(r"\.(qda|nvpx?|mx\d+|atlproj\d*)$", re.IGNORECASE)  # "trial.qda": QualCoder's name


def _sited(project: Project, label: str, sites_from: str) -> _Importer:
    """The importer with the project's sites chosen (``--sites-from``), or the refusal that names
    what the project offers instead."""
    if sites_from not in SITES_FROM:
        raise ValueError(f"sites_from: {sites_from!r} is not one of {', '.join(SITES_FROM)}")
    valued = {g for c in project.cases for g in c.values} | {g for s in project.sources.values() for g in s.values}
    cases, not_sites, lost = site_cases(project, sites_from)
    project.cases = cases
    imp = _Importer(project, label)
    imp.not_sites, imp.valued = not_sites, valued
    imp.lost += lost
    imp.sites()
    if not imp.cases:
        what = {"cases": "named case", "sources": "text document", "sets": "set of documents"}[sites_from]
        why = f"has no {what}: crosscase needs one per site"
        if sites_from == "cases":
            why += "; " + choices(project)
        raise QdpxError([Problem(project.entry, None, None, why)])
    return imp


def _decided(project: Project, counted: dict[str, int], open_: int) -> list[str]:
    """What the import decided that is not REFI-QDA's rule, and what it could not, one line each."""
    notes = [
        f"positions counted as {how} in {n} sources (as their selections' names show, or as "
        f"{clean(project.origin) or 'the project'} counts)"
        for how, n in counted.items()
    ]
    if open_:
        vendor = (
            "NVivo counts UTF-16 units, so an emoji as two (measured on NVivo 12 exports)"
            if "nvivo" in project.origin.casefold()
            else "some programs (NVivo, QualCoder) count UTF-16 units, so an emoji as two"
        )
        notes.append(
            f"{open_} sources hold emoji or other characters beyond U+FFFF, and no selection is named with its "
            f"text to tell how their positions count: read as code points (REFI-QDA's rule); {vendor}. If the "
            "excerpts after an emoji look shifted, import again with --positions utf16"
        )
    if project.relinked:
        notes.append(
            f"{len(project.relinked)} case links named a stored copy of a document, not the document "
            "(QualCoder writes them so): each was linked to the one document with that text"
        )
    return notes


def _ours(problems: list[Problem], label: str, dest: Path) -> QdpxError:
    """A folder crosscase wrote and its loader refuses: crosscase's fault, one line per problem."""
    return QdpxError(
        [
            Problem(
                f"{label} -> {dest.name}/{p.file}",
                p.row,
                p.column,
                f"{p.message} (crosscase wrote a folder it cannot load: please report this)",
            )
            for p in problems
        ]
    )


def _where(problem: Problem) -> str:
    """A loader's problem in the written folder, as ``FILE[:ROW]: message``."""
    return f"{problem.file}" + (f":{problem.row}" if problem.row else "") + f": {problem.message}"


def _files(
    imp: _Importer, project: Project, label: str, evidence, report: ImportReport, settings: dict | None = None
) -> dict[str, str]:
    """The study folder's files (name -> text) of an imported project; ``report`` gets what they
    hold. ``settings``: study.toml tables carried in the project (cases.qdpx_settings)."""
    metrics = imp.metrics
    if not metrics:
        metrics = [("outcome", "Outcome (fill in sites.csv)", "", {})]
        imp.lost.append(
            "the project has no Integer or Float variable of its sites: study.toml's outcome is an empty metric "
            '"outcome"; fill in sites.csv\'s outcome column, or name another metric'
        )
    report.outcome = metrics[0][0]
    report.metrics = [m[0] for m in metrics]
    report.attributes = [a[0] for a in imp.attributes]
    rows = _site_rows(imp, metrics)
    files = {"sites.csv": _csv(["site", "label", *report.metrics, *report.attributes], rows)}
    lines = _study_lines(project, label, report.title)
    if settings:  # first in the file: TOML puts its top-level arrays ([[condition]], [[link]]) before any table
        at = lines.index("[study]")
        lines[at:at] = [
            "# The analysis settings came with the project (crosscase wrote them into it):",
            settings_toml(settings),
        ]
    if not settings or "outcome" not in settings:
        lines += _outcome_lines(metrics[0])
    for key, label_, _, extra in metrics:
        if extra.get("min", 0) > extra.get("max", float("inf")):
            extra.pop("min"), extra.pop("max")
        lines += [f"[metrics.{key}]", f"label = {toml_str(label_)}"]
        lines += [f"{k} = {toml_str(v) if isinstance(v, str) else str(v).lower()}" for k, v in extra.items()]
        lines.append("")
    files["study.toml"] = "\n".join(lines)
    report.outcome = (
        settings["outcome"].get("metric", report.outcome) if settings and "outcome" in settings else report.outcome
    )
    report.sites = [r[0] for r in rows]
    if imp.new:
        files["themes.toml"] = _themes_toml(imp.new)
    report.new_themes = [t["id"] for t in imp.new]
    report.matched = dict(imp.matched)
    ratings = [
        [imp.site_of[case.guid], theme, canonical_token(raw)]
        for theme, g in imp.rating_vars
        for case in imp.cases
        if (raw := case.values.get(g)) is not None and raw.strip()
    ]
    if ratings:
        files["ratings.csv"] = _csv(["site", "theme", "rating"], ratings)
    report.ratings = len(ratings)
    if evidence:
        files["evidence.csv"] = _csv(["site", "theme", "excerpt", "source"], [list(r) for r in evidence])
    report.evidence = len(evidence)
    if project.notes:
        imp.lost.append(f"{project.notes} notes (memos): not carried over")
    return files


def _study_lines(project: Project, label: str, title: str) -> list[str]:
    """study.toml's heading comment and [study] table."""
    synthetic = SYNTHETIC in (project.description or "")
    description = (
        clean((project.description or "").replace(SYNTHETIC, ""))
        or f"Imported from the REFI-QDA project {clean(label)}"
    )
    return [
        f"# Imported by crosscase from the REFI-QDA project {comment(label)}"
        + (f" (written by {comment(project.origin)})" if project.origin else "")
        + ".",
        "",
        "[study]",
        f"title = {toml_str(title)}",
        f"description = {toml_str(description)}",
        *(["synthetic = true"] if synthetic else []),
        "",
    ]


def _outcome_lines(first: tuple) -> list[str]:
    """study.toml's [outcome]: the first numeric case variable, split by the median."""
    key, label_, _, _ = first
    return [
        f'# crosscase chose the outcome: the first numeric case variable, "{comment(label_)}" ({key}).',
        "# To split the sites by another metric, set metric below to one of the [metrics.*] keys;",
        "# split may be median, threshold, tertiles, quadrants or explicit (see docs: the study folder).",
        "[outcome]",
        f"metric = {toml_str(key)}",
        'split = "median"',
        "",
    ]


def _site_rows(imp: _Importer, metrics: list[tuple[str, str, str, dict]]) -> list[list[str]]:
    """sites.csv's rows: id, label, the metrics, the attributes. A value that is not a number is left
    empty; a metric's bounds that its values break are dropped from ``metrics``."""
    rows = []
    for case in imp.cases:
        site = imp.site_of[case.guid]
        label_value = case.values.get(imp.label_var) if imp.label_var else None
        row = [site, clean(label_value or "") or site]
        for key, _, g, extra in metrics:
            raw = case.values.get(g) if g else None
            if raw is not None and parse_number(raw) is None:
                imp.lost.append(f'case "{site}": variable {key} = "{clean(raw)}" is not a number: left empty')
                raw = None
            number = None if raw is None else parse_number(raw)
            if number is not None and not extra.get("min", number) <= number <= extra.get("max", number):
                extra.pop("min", None), extra.pop("max", None)  # bounds the values break are no bounds
            row.append("" if raw is None else raw.strip())
        for _column, g in imp.attributes:
            row.append(clean(case.values.get(g) or ""))
        rows.append(row)
    return rows


def _themes_toml(new: list[dict]) -> str:
    """themes.toml of the project's own codes."""
    out = ["# The project's own codes (those not matched to crosscase's catalogue by title)", ""]
    for t in new:
        out += ["[[theme]]", f"id = {toml_str(t['id'])}", f"title = {toml_str(t['title'])}"]
        out += [f"domain = {toml_str(t['domain'])}"] if t["domain"] else []
        out += [f"summary = {toml_str(t['summary'])}"] if t["summary"] else []
        out.append("")
    return "\n".join(out)
