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
from concurrent.futures import Future
from pathlib import Path
from types import MappingProxyType

from cases.catalogue import load_catalogue
from cases.contacts import derive_contacts
from cases.errors import Collector, StudyError
from cases.evidence import read_evidence, read_judgements
from cases.manifest import Manifest, check_link_themes, parse_manifest
from cases.model import Excerpt, Rating, Site, Study, Theme
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
from cases.tomlcheck import TomlChecker

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
    _check_folder(folder, out)
    names = _top_files(folder)  # the rater files are checked, read and hashed by read_raters below
    usable = _usable(folder, names, out)
    pending = _start_hashing(folder, usable)
    manifest, study_text = _read_manifest(folder, usable, out)
    sites_name = _one_of(folder, SITES_FILES, out, "sites", required=True)
    contacts_name = _one_of(folder, CONTACTS_FILES, out, "contacts", required=False)
    ratings_name = _one_of(folder, RATINGS_FILES, out, "ratings", required=False)
    withhold = pseudonymise or _says_pseudonymise(study_text, manifest)

    metrics = dict(manifest.metrics) if manifest else {}
    sites, attributes, site_names = _read_sites_file(folder, sites_name, usable, metrics, withhold, out)
    sites = _with_contacts(folder, contacts_name, usable, names, manifest, sites, out)
    own = _read_own_themes(folder, usable, out)
    themes = merge_themes(own, load_catalogue().themes)
    # without a sites file every site id would be "unknown": a consequence, not repeated
    known = {s.id: s.label for s in sites} if sites_name else None  # id -> label (hints)
    readable = bool(sites) or not sites_name  # the sites could be read, or there is no sites file
    extra: dict = {}
    ratings = _read_ratings(folder, ratings_name, usable, known, own, themes, out, extra) if readable else []
    rater_notes: list[str] = []
    raters = _read_rater_files(folder, known, themes, readable, out, rater_notes)
    evidence, judgements = _read_coding(folder, usable, readable, known, themes, out)
    hashes = _hashes(folder, raters, pending, out)

    if manifest is not None:
        _cross_check(manifest, sites, attributes, out)
        check_link_themes(manifest, themes, out)
        check_qca(manifest.qca, sites, themes, out)
    if out or manifest is None or manifest.outcome is None:
        problems = out.problems
        if withhold:
            problems = withhold_ids(problems, site_names | {s.id for s in sites} | {s.label for s in sites})
        raise StudyError(problems)
    return Study(
        folder=folder,
        **_from_manifest(manifest),
        metrics=MappingProxyType(dict(metrics)),
        sites=tuple(sites),
        attributes=tuple(attributes),
        themes=MappingProxyType(themes),
        ratings=tuple(ratings),
        raters=MappingProxyType(dict(raters.ratings)),
        files=MappingProxyType(hashes),
        fingerprint=fingerprint(hashes),
        published=MappingProxyType(extra.get("published", {})),
        notes=(*extra.get("notes", ()), *rater_notes),
        evidence=tuple(evidence),
        judgements=MappingProxyType(judgements),
    )


def _from_manifest(manifest: Manifest) -> dict:
    """The Study's fields that come from study.toml alone."""
    return {
        "title": manifest.title,
        "description": manifest.description,
        "synthetic": manifest.synthetic,
        "outcome": manifest.outcome,
        "conditions": tuple(manifest.conditions),
        "links": tuple(manifest.links),
        "distinguishing": manifest.distinguishing,
        "disclosure": manifest.disclosure,
        "qca": manifest.qca,
    }


def _read_rater_files(
    folder: Path, known: dict[str, str] | None, themes: dict[str, Theme], readable: bool, out: Collector, notes: list
) -> Raters:
    """ratings/RATER.csv; when the sites could not be read every rater row's site would be "unknown":
    only the names are checked."""
    if readable:
        return read_raters(folder, known, themes, out, notes)
    rater_files(folder, out)
    return Raters()


def _check_folder(folder: Path, out: Collector) -> None:
    """Raise StudyError unless ``folder`` is a folder whose files can be opened."""
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


def _usable(folder: Path, names: list[str], out: Collector) -> set[str]:
    """The files to hash and read: a file refused by its size or its first bytes is neither (a 1 GB
    sites.csv costs nothing)."""
    return {
        n
        for n in names
        if check_inside(folder / n, folder, n, out)
        and not refuse_early(folder / n, n, out, _LIMIT.get(n), sniff=n in ("contacts.csv", "contacts.tsv"))
    }


def _start_hashing(folder: Path, usable: set[str]) -> dict[str, Future]:
    """Hash the files in a background thread: sha256 releases the GIL, so a large contact log is
    hashed while polars aggregates it, not before."""
    from concurrent.futures import ThreadPoolExecutor

    hasher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crosscase-hash")
    pending = {
        n: hasher.submit(hash_and_find_nul if n in _STREAMED_TEXT else hash_file, folder / n) for n in sorted(usable)
    }
    hasher.shutdown(wait=False)
    return pending


def _read_manifest(folder: Path, usable: set[str], out: Collector) -> tuple[Manifest | None, str | None]:
    """study.toml parsed (None when it is missing or broken), and its text (None when unread)."""
    if not present(folder / "study.toml"):
        out.add("study.toml", None, None, "is missing: every study folder needs a study.toml")
        return None, None
    if "study.toml" not in usable:
        return None, None
    text = read_text(folder / "study.toml", "study.toml", out, LIMITS["toml"])
    return (None if text is None else parse_manifest(text, out)), text


def _read_sites_file(
    folder: Path, name: str | None, usable: set[str], metrics: dict, withhold: bool, out: Collector
) -> tuple[list[Site], list[str], set[str]]:
    """The sites, the attribute columns, and (when ids are withheld) every site id and label the file holds."""
    if name not in usable:
        return [], [], set()
    table = read_table(folder / name, name, out, LIMITS["sites"], max_rows=MAX_SITE_ROWS)
    if table is None:
        return [], [], set()
    sites, attributes = read_sites(table, name, metrics, out)
    return sites, attributes, _names_in(table) if withhold else set()


def _with_contacts(
    folder: Path,
    name: str | None,
    usable: set[str],
    names: list[str],
    manifest: Manifest | None,
    sites: list[Site],
    out: Collector,
) -> list[Site]:
    """The sites with the metrics derived from the contact log; the log is checked whenever it is
    there (unknown sites, a missing column), not only when a metric derives from it."""
    derived = [m for m in (manifest.metrics.values() if manifest else ()) if m.derive is not None]
    if manifest is not None and derived and name is None and not any(n in names for n in CONTACTS_FILES):
        message = f"[metrics.{derived[0].key}] is derived from contacts, but the study has no contacts file"
        if manifest.lines is None:
            out.add("study.toml", None, None, message)
        else:
            TomlChecker("study.toml", manifest.lines, out).err(("metrics", derived[0].key), "derive", message)
    if name not in usable or not sites:
        return sites
    values = derive_contacts(folder / name, name, [s.id for s in sites], derived, out)
    if not derived:
        return sites
    return [
        s.__class__(s.id, s.label, MappingProxyType({**s.values, **values.get(s.id, {})}), s.attributes) for s in sites
    ]


def _read_own_themes(folder: Path, usable: set[str], out: Collector) -> list[Theme]:
    if "themes.toml" not in usable:
        return []
    text = read_text(folder / "themes.toml", "themes.toml", out, LIMITS["toml"])
    if text is None:
        return []
    try:
        return parse_themes(text, out)
    except RecursionError:
        from cases.manifest import TOO_DEEP, deep_line

        out.add("themes.toml", deep_line(text), None, TOO_DEEP)
        return []


def _read_ratings(
    folder: Path,
    name: str | None,
    usable: set[str],
    known: dict[str, str] | None,
    own: list[Theme],
    themes: dict[str, Theme],
    out: Collector,
    extra: dict,
) -> list[Rating]:
    """ratings.csv or ratings-wide.csv (``known``: site id -> label, None without a sites file)."""
    if name is None or name not in usable:
        return []
    wide_csv = name == "ratings-wide.csv"
    above = wide_csv and lines_above_header(folder / name, name, out)
    table = None if above else read_table(folder / name, name, out, LIMITS["ratings"])
    if table is None:
        return []
    if name == "ratings.csv":
        return read_long(table, name, known, themes, out)
    return read_wide(table, name, known, own, themes, out, extra)


def _read_coding(
    folder: Path,
    usable: set[str],
    readable: bool,
    known: dict[str, str] | None,
    themes: dict[str, Theme],
    out: Collector,
) -> tuple[list[Excerpt], dict[str, tuple[str, str | None]]]:
    """evidence.csv's excerpts (when the sites could be read) and judgements.csv's labels."""
    evidence = []
    if EVIDENCE in usable and readable:
        evidence = read_evidence(folder / EVIDENCE, set(known) if known is not None else None, themes, out)
    judgements = read_judgements(folder / JUDGEMENTS, themes, out) if JUDGEMENTS in usable else {}
    return evidence, judgements


def _hashes(folder: Path, raters: Raters, pending: dict[str, Future], out: Collector) -> dict[str, str]:
    """``{name: "sha256:<hex>"}`` of every study file read; a binary streamed file replaces its
    reader's problems with one line."""
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
    return hashes


def _names_in(table) -> set[str]:
    """The site ids and labels of a sites table, as its cells are written (also rows read_sites refused)."""
    from cases.sites import cell_text

    found: set[str] = set()
    for key in ("site", "label"):
        if key in table.columns:
            i = table.columns.index(key)
            found.update(cell_text(cells[i]) for _, cells in table.rows if i < len(cells) and cells[i] is not None)
    return found


def _cross_check(manifest: Manifest, sites: list[Site], attributes: list[str], out: Collector) -> None:
    """Checks of study.toml that need the sites: explicit lists and attribute conditions."""
    if not sites or manifest.lines is None:
        return
    ids = {s.id for s in sites}
    check = TomlChecker("study.toml", manifest.lines, out)
    outcome = manifest.outcome
    if outcome is not None and outcome.split == "explicit":
        for key in ("high", "low"):
            for site in getattr(outcome, key):
                if site not in ids:
                    check.err(("outcome",), key, f'[outcome] {key}: "{site}" is not a site in the sites file')
    for i, cond in enumerate(manifest.conditions):
        if cond.attribute is not None and cond.attribute not in attributes:
            check.err(
                ("condition", i),
                "attribute",
                f'[[condition]] attribute "{cond.attribute}" is not a column of the sites file',
            )
