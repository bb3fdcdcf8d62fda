"""Checks of an imported folder: the loader's, and evidence.csv's (analysis.md §2), which the
loader does not read yet (reading it is a later wiring step)."""

from __future__ import annotations

import csv
from pathlib import Path

from cases.errors import Problem


def check_folder(folder: Path) -> list[Problem]:
    """The loader's problems with the folder, and evidence.csv's (which the loader does not read yet)."""
    from cases.errors import StudyError
    from cases.loader import load_study

    try:
        study = load_study(folder)
    except StudyError as exc:
        return exc.problems
    return check_evidence(folder, {s.id for s in study.sites}, set(study.themes))


def check_evidence(folder: Path, sites: set[str], themes: set[str]) -> list[Problem]:
    """evidence.csv against analysis.md §2: known sites and themes, a non-empty excerpt."""
    path = Path(folder) / "evidence.csv"
    if not path.exists():
        return []
    problems = []
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        for col in ("site", "theme", "excerpt"):
            if col not in header:
                problems.append(Problem("evidence.csv", None, None, f'no column "{col}"'))
        if problems:
            return problems
        ix = {c: header.index(c) for c in header}
        old_limit = csv.field_size_limit(1 << 24)
        try:
            rows = list(enumerate(reader, start=2))
        finally:
            csv.field_size_limit(old_limit)
        for n, cells in rows:
            if cells[ix["site"]] not in sites:
                problems.append(
                    Problem("evidence.csv", n, "site", f'"{cells[ix["site"]]}" is not a site in the sites file')
                )
            if cells[ix["theme"]] not in themes:
                problems.append(Problem("evidence.csv", n, "theme", f'"{cells[ix["theme"]]}" is not a theme'))
            if not cells[ix["excerpt"]].strip():
                problems.append(Problem("evidence.csv", n, "excerpt", "the excerpt is empty"))
    return problems
