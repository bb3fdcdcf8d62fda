"""Rater files: ``ratings/RATER.csv``, one per rater, with ratings.csv's columns and rules.

analysis.md section 2: ``RATER`` is the file's stem, 1-40 characters of ``[A-Za-z0-9_-]``; any
other entry of ``ratings/`` is an error, and so are two raters whose names differ only in case
(they would be one file on Windows and macOS). Rows are read by ``cases.ratings.read_long``, so a
rater file has exactly ratings.csv's columns, tokens and messages; file names in problems are
relative to the study folder (``ratings/ana.csv:4: rating: ...``).

Rater files feed only ``agreement`` and the consensus step: they never change the study's ratings.
``rater_files`` and ``hash_raters`` give the loader the names and digests the fingerprint covers.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from cases.errors import Collector
from cases.model import Rating, Theme
from cases.ratings import read_long
from cases.textio import LIMITS, check_inside, read_table, refuse_early

FOLDER = "ratings"
NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_TEMP = re.compile(r"^\.(.+)\.[^.]+\.tmp$")  # a temporary file another program left: .<name>.<random>.tmp
# The study's audit log (who changed which rating when): beside ratings.csv, outside ratings/ so that
# ratings/ holds only rater files (docs/agreement.md). Not read by the loader, not in the fingerprint.
AUDIT = "audit.csv"


@dataclass(frozen=True)
class Raters:
    """The rater files of a study: rater name -> that rater's ratings (in file order).

    ``files`` maps each rater to its file name relative to the study folder. Raters are listed
    sorted by name (case-insensitively; two names never differ only in case).
    """

    ratings: Mapping[str, tuple[Rating, ...]] = field(default_factory=lambda: MappingProxyType({}))
    files: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.ratings)

    def __len__(self) -> int:
        return len(self.ratings)


def rel_name(rater: str) -> str:
    """The file of ``rater`` relative to the study folder: ``ratings/RATER.csv``."""
    return f"{FOLDER}/{rater}.csv"


def _sort_key(name: str) -> tuple[str, str]:
    return (name.casefold(), name)


def _entries(folder: Path, out: Collector) -> list[str] | None:
    """The entry names of ``ratings/`` (sorted), None when there is no such folder."""
    path = folder / FOLDER
    if not path.exists() and not path.is_symlink():
        return None
    if not check_inside_folder(path, folder, out):
        return None
    try:
        return sorted((p.name for p in path.iterdir()), key=_sort_key)
    except OSError as exc:
        out.add(FOLDER, None, None, f"cannot be read: {exc.strerror or exc}")
        return None


def check_inside_folder(path: Path, folder: Path, out: Collector) -> bool:
    """``ratings/`` must be a folder inside the study folder (not a file, not a link out of it)."""
    try:
        real = path.resolve(strict=True)
        base = folder.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        out.add(FOLDER, None, None, f"cannot be read: {getattr(exc, 'strerror', None) or exc}")
        return False
    if base not in real.parents:
        out.add(FOLDER, None, None, "is a link to a folder outside the study folder; copy the rater files in instead")
        return False
    if not real.is_dir():
        out.add(FOLDER, None, None, "is not a folder: rater files go in a folder ratings/ (ratings/RATER.csv)")
        return False
    return True


def _bad_name(name: str) -> str:
    """The message for an entry of ratings/ that is not a rater file."""
    temp = _TEMP.match(name)
    if temp:
        return (
            f"is a temporary file left by an interrupted write of {FOLDER}/{temp.group(1)}; "
            "check that file, then delete this one"
        )
    if not name.endswith(".csv"):
        return (
            "is not a rater file: ratings/ holds only rater files named RATER.csv "
            "(RATER is 1-40 letters, digits, _ or -)"
        )
    stem = name[:-4]
    return (
        f'"{stem}" is not a rater name: a rater name is 1-40 letters (A-Z, a-z), digits, _ or - '
        "(the file is ratings/RATER.csv)"
    )


def own_temp(path: Path) -> tuple[str, int] | None:
    """``("live" | "stale", pid)`` when ``path`` is crosscase's own temporary file (cases.atomic names
    it ``.<name>.crosscase-<pid>-<random>.tmp``; a regular file): "live" while its process runs (a
    write in progress), "stale" when the process is gone (a killed write; the target was not
    changed, and the next write to the folder removes it). None for anything else."""
    from cases.atomic import _TEMP as OWN
    from cases.atomic import _alive

    found = OWN.match(path.name)
    if not found:
        return None
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
    except OSError:
        return None
    pid = int(found.group(1))
    return ("live" if pid == os.getpid() or _alive(pid) else "stale"), pid


def rater_files(folder: str | Path, out: Collector | None = None, notes: list[str] | None = None) -> dict[str, str]:
    """rater name -> file name relative to the study folder, for every well-named entry of ratings/.

    Badly named entries and raters differing only in case are reported to ``out`` (when given) and
    left out. crosscase's own temporary files are not rater files: one of a write in progress is
    passed over; one a killed write left gets a line in ``notes`` (when given). No ratings/ folder:
    no raters.
    """
    folder = Path(folder)
    out = Collector() if out is None else out
    names = _entries(folder, out)
    if names is None:
        return {}
    found: dict[str, str] = {}
    folded: dict[str, str] = {}
    for name in names:
        rel = f"{FOLDER}/{name}"
        temp = own_temp(folder / rel)
        if temp is not None:
            if temp[0] == "stale" and notes is not None:
                target = name[1 : name.rindex(".crosscase-")]
                notes.append(
                    f"{rel}: a temporary file left by an interrupted crosscase write (process {temp[1]} "
                    f"has ended); {FOLDER}/{target} was not changed by it and it is not read; the next "
                    "write to ratings/ removes it (or delete it)"
                )
            continue
        stem = name[:-4] if name.endswith(".csv") else None
        if stem is None or not NAME.match(stem):
            out.add(rel, None, None, _bad_name(name))
            continue
        key = stem.casefold()
        if key in folded:
            out.add(
                rel,
                None,
                None,
                f'the rater "{stem}" differs from "{folded[key]}" ({rel_name(folded[key])}) '
                "only in case: one rater, one file (rename or merge them)",
            )
            continue
        folded[key] = stem
        found[stem] = rel
    return found


def read_raters(
    folder: str | Path,
    sites: set[str] | dict[str, str] | None,
    themes: Mapping[str, Theme],
    out: Collector,
    notes: list[str] | None = None,
) -> Raters:
    """Read and validate every rater file of ``folder``; problems go to ``out``.

    ``sites`` are the study's site ids (None when the study has no sites file: not checked);
    ``themes`` the merged themes (the study's own, then the catalogue's). A rater file with a
    problem is left out of the result (the problem is reported).
    """
    folder = Path(folder)
    known = sites if sites is None or isinstance(sites, set) else set(sites)  # read_long checks ids in a set
    files = rater_files(folder, out, notes)
    ratings: dict[str, tuple[Rating, ...]] = {}
    for rater, rel in files.items():
        path = folder / rel
        if not check_inside(path, folder, rel, out) or refuse_early(path, rel, out, LIMITS["ratings"]):
            continue
        before = out.count()
        table = read_table(path, rel, out, LIMITS["ratings"])
        if table is None:
            continue
        rows = read_long(table, rel, known, dict(themes), out)
        if out.count() == before:
            ratings[rater] = tuple(rows)
    kept = {r: rel for r, rel in files.items() if r in ratings}
    return Raters(MappingProxyType(ratings), MappingProxyType(kept))


def hash_raters(folder: str | Path) -> dict[str, str]:
    """file name relative to the study folder -> ``"sha256:<hex>"`` for every rater file, as the
    loader's ``files`` holds them (the fingerprint covers them: ``loader.fingerprint(hashes)``).
    A file that cannot be read is left out (``read_raters`` reports it)."""
    from cases.textio import hash_file

    folder = Path(folder)
    hashes = {}
    for rel in rater_files(folder).values():
        try:
            hashes[rel] = "sha256:" + hash_file(folder / rel)
        except OSError:
            continue
    return hashes
