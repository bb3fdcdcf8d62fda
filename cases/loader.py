"""Load a study folder into a ``Study``, collecting every problem of the folder.

Order of work: find the files, hash them (the fingerprint), read study.toml, the sites, the
contact log's derived metrics, themes.toml, the ratings and the rater files (ratings/RATER.csv). A problem in one file does not stop the
others from being checked; problems that only follow from an earlier one are not repeated.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from pathlib import Path
from types import MappingProxyType

from cases.catalogue import load_catalogue
from cases.contacts import derive_contacts
from cases.errors import Collector, StudyError
from cases.evidence import read_evidence, read_judgements
from cases.manifest import check_link_themes, parse_manifest
from cases.model import Study
from cases.qca_spec import check_qca
from cases.raters import AUDIT, Raters, rater_files, read_raters
from cases.raters import FOLDER as RATERS_FOLDER
from cases.ratings import lines_above_header, merge_themes, parse_themes, read_long, read_wide
from cases.sites import read_sites
from cases.textio import (
    BINARY,
    LIMITS,
    MAX_SITE_ROWS,
    check_inside,
    hash_file,
    open_regular,
    read_table,
    read_text,
    reason,
    refuse_early,
)

SITES_FILES = ("sites.csv", "sites.tsv", "sites.parquet", "sites.xlsx")
CONTACTS_FILES = ("contacts.csv", "contacts.tsv", "contacts.parquet")
RATINGS_FILES = ("ratings.csv", "ratings-wide.csv")
EVIDENCE = "evidence.csv"  # coded excerpts (cases/evidence.py)
JUDGEMENTS = "judgements.csv"  # the analyst's own label per theme (cases/evidence.py)
_STREAMED_TEXT = ("contacts.csv", "contacts.tsv")  # only their first 64 KB are sniffed before reading
# the size each file is read up to (a contact log is streamed: no limit, but its start is sniffed)
_LIMIT = {
    "study.toml": LIMITS["toml"],
    "themes.toml": LIMITS["toml"],
    **dict.fromkeys(SITES_FILES, LIMITS["sites"]),
    **dict.fromkeys((*RATINGS_FILES, EVIDENCE, JUDGEMENTS), LIMITS["ratings"]),
}


def is_study_file(folder: str | Path, path: str | Path) -> bool:
    """``path`` names one of a study's files (any of their names, present or not) inside ``folder``:
    a file written there would change or break the study (``-o STUDY/themes.toml``, ``STUDY/sites.tsv``)."""
    names = {
        n.lower()
        for n in (
            "study.toml",
            *SITES_FILES,
            *CONTACTS_FILES,
            "themes.toml",
            *RATINGS_FILES,
            EVIDENCE,
            JUDGEMENTS,
            AUDIT,
        )
    }
    try:
        target = Path(os.path.realpath(path))
        base = Path(os.path.realpath(folder))
    except (OSError, ValueError):
        return False
    return (target.parent == base and target.name.lower() in names) or target.parent == base / RATERS_FOLDER


def present(path: Path) -> bool:
    """Something is at ``path`` (a dangling link too); one that cannot be looked at counts as there
    (its reader reports why), so a folder that cannot be searched never raises here."""
    try:
        os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError:
        return True
    return True


def _top_files(folder: Path) -> list[str]:
    names = ["study.toml", *SITES_FILES, *CONTACTS_FILES, "themes.toml", *RATINGS_FILES, EVIDENCE, JUDGEMENTS]
    return sorted(n for n in names if present(folder / n))


def study_files(folder: Path) -> list[str]:
    """The names of the study's files that exist, sorted: the files the fingerprint covers (the
    rater files as ``ratings/RATER.csv``)."""
    return sorted([*_top_files(Path(folder)), *rater_files(Path(folder)).values()])


def hash_and_find_nul(path: Path) -> tuple[str, int | None]:
    """(sha256 hex, line of the first NUL byte or None): a streamed text file is checked for NUL past
    its sniffed start in the one pass that hashes it."""
    digest = hashlib.sha256()
    line, nul = 1, None
    with open_regular(path) as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
            if nul is None:
                at = chunk.find(b"\x00")
                if at >= 0:
                    nul = line + chunk.count(b"\n", 0, at)
                else:
                    line += chunk.count(b"\n")
    return digest.hexdigest(), nul


def fingerprint(hashes: dict[str, str]) -> str:
    """sha256 over ``NAME\\0HEX\\n`` for each study file, sorted by NAME (interfaces.md)."""
    digest = hashlib.sha256()
    for name in sorted(hashes):
        digest.update(f"{name}\0{hashes[name].removeprefix('sha256:')}\n".encode())
    return "sha256:" + digest.hexdigest()


def _one_of(folder: Path, names: tuple[str, ...], out: Collector, kind: str, required: bool) -> str | None:
    found = [n for n in names if present(folder / n)]
    if len(found) > 1:
        out.add(found[1], None, None, f"a study has one {kind} file, but {' and '.join(found)} are both present")
        return None
    if not found:
        if required:
            out.add(names[0], None, None, f"is missing: a study needs a {kind} file ({', '.join(names)})")
        return None
    return found[0]


WITHHELD = "[site id withheld (pseudonymise)]"
WITHHELD_PARTICIPANT = "[participant id withheld (pseudonymise)]"
_QUOTED = re.compile(r'"[^"\n]*"')
_SITE_HINT = re.compile(r" \((?:did you mean [^()]*\?|site ids are [^()]*)\)")
_PSEUDONYMISE = re.compile(r"^\s*pseudonymise\s*=\s*([^\s#]*)", re.M)


def _says_pseudonymise(text: str | None, manifest) -> bool:
    """study.toml asks for pseudonyms: read from the manifest, or, when it does not parse, from its
    text; a value that is not plainly ``false`` counts as asking (the stricter reading)."""
    if manifest is not None and manifest.disclosure.pseudonymise:
        return True
    if text is None:
        return False
    return any(value != "false" for value in _PSEUDONYMISE.findall(text))


def withhold_ids(problems: list, names: set[str]) -> list:
    """The problems with every site id and label (and participant id) taken out of their text: the row
    says where the problem is; the id would undo the pseudonyms of everything else crosscase shows."""
    from cases.errors import Problem

    known = sorted((n for n in names if n), key=len, reverse=True)
    found = []
    for p in problems:
        message, column = p.message, p.column
        for name in known:
            if f'"{name}"' in message:
                message = message.replace(f'"{name}"', WITHHELD)
        if column in ("site", "label") or (
            p.file == "study.toml" and message.startswith(("[outcome] high", "[outcome] low", "[outcome] site"))
        ):
            message = _QUOTED.sub(WITHHELD, message)
        elif column == "participant":
            message = _QUOTED.sub(WITHHELD_PARTICIPANT, message)
        if column is not None and (
            column in names or (p.file.startswith("ratings-wide") and column not in ("theme", "domain"))
        ):
            column = WITHHELD
            message = _SITE_HINT.sub("", _QUOTED.sub(WITHHELD, message))  # "(did you mean S7?)" names a site
        for name in known:  # a safety net: an id or label left bare anywhere in the text
            if name in message:
                message = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", WITHHELD, message)
        found.append(Problem(p.file, p.row, column, message))
    return found


def load_study(folder: str | Path, *, pseudonymise: bool = False) -> Study:
    """Load and validate a study folder; raise StudyError listing every problem found.

    With ``pseudonymise`` (the command line's flag), or when study.toml asks for pseudonyms, the
    problem lines name no site id or label (``withhold_ids``).
    """
    folder = Path(folder)
    out = Collector()
    try:
        is_dir = stat.S_ISDIR(os.stat(folder).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        out.add(str(folder), None, None, "no such study folder")
        raise StudyError(out.problems) from None
    except OSError as exc:
        out.add(str(folder), None, None, f"cannot be read: {exc.strerror or exc}")
        raise StudyError(out.problems) from None
    if not is_dir:
        out.add(str(folder), None, None, "is not a folder")
        raise StudyError(out.problems)
    try:
        os.lstat(folder / "study.toml")
    except (FileNotFoundError, NotADirectoryError):
        pass
    except OSError as exc:  # a folder without search (x) permission: none of its files can be opened
        out.add(
            str(folder),
            None,
            None,
            f"cannot be searched: {exc.strerror or exc} (reading its files needs the folder's search (x) permission)",
        )
        raise StudyError(out.problems) from None
    names = _top_files(folder)  # the rater files are checked, read and hashed by read_raters below
    # a file refused by its size or its first bytes is neither hashed nor read (a 1 GB sites.csv costs nothing)
    usable = {
        n
        for n in names
        if check_inside(folder / n, folder, n, out)
        and not refuse_early(folder / n, n, out, _LIMIT.get(n), sniff=n in ("contacts.csv", "contacts.tsv"))
    }
    # Hash the files in a background thread: sha256 releases the GIL, so a large contact log is
    # hashed while polars aggregates it, not before.
    from concurrent.futures import ThreadPoolExecutor

    hasher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crosscase-hash")
    pending = {
        n: hasher.submit(hash_and_find_nul if n in _STREAMED_TEXT else hash_file, folder / n) for n in sorted(usable)
    }
    hasher.shutdown(wait=False)

    manifest = None
    study_text = None
    if not present(folder / "study.toml"):
        out.add("study.toml", None, None, "is missing: every study folder needs a study.toml")
    elif "study.toml" in usable:
        study_text = read_text(folder / "study.toml", "study.toml", out, LIMITS["toml"])
        if study_text is not None:
            manifest = parse_manifest(study_text, out)

    sites_name = _one_of(folder, SITES_FILES, out, "sites", required=True)
    contacts_name = _one_of(folder, CONTACTS_FILES, out, "contacts", required=False)
    ratings_name = _one_of(folder, RATINGS_FILES, out, "ratings", required=False)

    metrics = dict(manifest.metrics) if manifest else {}
    sites, attributes = [], []
    site_names: set[str] = set()  # every site id and label the sites file holds (to withhold them from problem lines)
    if sites_name in usable:
        table = read_table(folder / sites_name, sites_name, out, LIMITS["sites"], max_rows=MAX_SITE_ROWS)
        if table is not None:
            sites, attributes = read_sites(table, sites_name, metrics, out)
            if pseudonymise or _says_pseudonymise(study_text, manifest):
                site_names = _names_in(table)
    site_ids = [s.id for s in sites]

    derived = [m for m in metrics.values() if m.derive is not None]
    if derived and contacts_name is None and not any(n in names for n in CONTACTS_FILES):
        out.add(
            "study.toml",
            manifest.lines.line(("metrics", derived[0].key), "derive") if manifest else None,
            None,
            f"[metrics.{derived[0].key}] is derived from contacts, but the study has no contacts file",
        )
    # the log is checked whenever it is there (unknown sites, a missing column), not only when a metric derives from it
    if contacts_name in usable and sites:
        values = derive_contacts(folder / contacts_name, contacts_name, site_ids, derived, out)
        if derived:
            sites = [
                s.__class__(s.id, s.label, MappingProxyType({**s.values, **values.get(s.id, {})}), s.attributes)
                for s in sites
            ]

    own = []
    if "themes.toml" in usable:
        text = read_text(folder / "themes.toml", "themes.toml", out, LIMITS["toml"])
        if text is not None:
            try:
                own = parse_themes(text, out)
            except RecursionError:
                from cases.manifest import TOO_DEEP, deep_line

                out.add("themes.toml", deep_line(text), None, TOO_DEEP)
    themes = merge_themes(own, load_catalogue().themes)

    ratings, extra = [], {}
    if ratings_name in usable and (sites or not sites_name):
        wide_csv = ratings_name == "ratings-wide.csv"
        above = wide_csv and lines_above_header(folder / ratings_name, ratings_name, out)
        table = None if above else read_table(folder / ratings_name, ratings_name, out, LIMITS["ratings"])
        if table is not None:
            # without a sites file every site id would be "unknown": a consequence, not repeated
            known = {s.id: s.label for s in sites} if sites_name else None  # id -> label (hints)
            if ratings_name == "ratings.csv":
                ratings = read_long(table, ratings_name, known, themes, out)
            else:
                ratings = read_wide(table, ratings_name, known, own, themes, out, extra)

    rater_notes: list[str] = []
    if sites or not sites_name:
        raters = read_raters(folder, {s.id: s.label for s in sites} if sites_name else None, themes, out, rater_notes)
    else:  # the sites could not be read: every rater row's site would be "unknown"; only the names are checked
        rater_files(folder, out)
        raters = Raters()

    evidence, judgements = [], {}
    if EVIDENCE in usable and (sites or not sites_name):
        evidence = read_evidence(folder / EVIDENCE, set(site_ids) if sites_name else None, themes, out)
    if JUDGEMENTS in usable:
        judgements = read_judgements(folder / JUDGEMENTS, themes, out)

    hashes = {}
    for rel in raters.files.values():
        try:
            hashes[rel] = "sha256:" + hash_file(folder / rel)
        except OSError as exc:  # gone or unreadable since it was read
            out.add(rel, None, None, reason(exc))
    for n, future in pending.items():
        try:
            found = future.result()
            if isinstance(found, tuple):
                found, nul = found
                if nul is not None:  # a binary file: what its reader found follows from that, and is not repeated
                    out.problems[:] = [p for p in out.problems if p.file != n]
                    out.add(n, nul, None, BINARY)
            hashes[n] = "sha256:" + found
        except OSError as exc:
            # a file its reader already reported (it cannot be opened) is not reported twice
            if not any(p.file == n and p.row is None for p in out.problems):
                out.add(n, None, None, reason(exc))

    if manifest is not None:
        _cross_check(manifest, sites, attributes, out)
        check_link_themes(manifest, themes, out)
        check_qca(manifest.qca, sites, themes, out)
    if out or manifest is None or manifest.outcome is None:
        problems = out.problems
        if pseudonymise or _says_pseudonymise(study_text, manifest):
            problems = withhold_ids(problems, site_names | {s.id for s in sites} | {s.label for s in sites})
        raise StudyError(problems)
    metric_order = {k: metrics[k] for k in metrics}
    return Study(
        folder=folder,
        title=manifest.title,
        description=manifest.description,
        synthetic=manifest.synthetic,
        outcome=manifest.outcome,
        metrics=MappingProxyType(metric_order),
        sites=tuple(sites),
        attributes=tuple(attributes),
        themes=MappingProxyType(themes),
        ratings=tuple(ratings),
        raters=MappingProxyType(dict(raters.ratings)),
        conditions=tuple(manifest.conditions),
        links=tuple(manifest.links),
        distinguishing=manifest.distinguishing,
        disclosure=manifest.disclosure,
        files=MappingProxyType(hashes),
        fingerprint=fingerprint(hashes),
        published=MappingProxyType(extra.get("published", {})),
        notes=(*extra.get("notes", ()), *rater_notes),
        evidence=tuple(evidence),
        judgements=MappingProxyType(judgements),
        qca=manifest.qca,
    )


def _names_in(table) -> set[str]:
    """The site ids and labels of a sites table, as its cells are written (also rows read_sites refused)."""
    from cases.sites import cell_text

    found: set[str] = set()
    for key in ("site", "label"):
        if key in table.columns:
            i = table.columns.index(key)
            found.update(cell_text(cells[i]) for _, cells in table.rows if i < len(cells) and cells[i] is not None)
    return found


def _cross_check(manifest, sites, attributes, out: Collector) -> None:
    """Checks of study.toml that need the sites: explicit lists and attribute conditions."""
    if not sites:
        return
    ids = {s.id for s in sites}
    lines = manifest.lines
    outcome = manifest.outcome
    if outcome is not None and outcome.split == "explicit":
        for key in ("high", "low"):
            for site in getattr(outcome, key):
                if site not in ids:
                    out.add(
                        "study.toml",
                        lines.line(("outcome",), key),
                        None,
                        f'[outcome] {key}: "{site}" is not a site in the sites file',
                    )
    for i, cond in enumerate(manifest.conditions):
        if cond.attribute is not None and cond.attribute not in attributes:
            out.add(
                "study.toml",
                lines.line(("condition", i), "attribute"),
                None,
                f'[[condition]] attribute "{cond.attribute}" is not a column of the sites file',
            )
