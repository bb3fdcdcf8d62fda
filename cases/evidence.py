"""The optional evidence.csv (coded excerpts) and judgements.csv (the analyst's own label per theme).

evidence.csv (analysis.md section 2): columns ``site``, ``theme``, ``excerpt`` (non-empty) and an
optional ``source``; many rows per (site, theme). judgements.csv (docs/study-format.md): columns
``theme``, ``label`` (strong, weak, none or insufficient) and an optional ``reason``; one row per theme.
Both are read through cases.textio (size limit, UTF-8 / UTF-16 with its mark, CSV faults), so a
fault is a ``FILE:ROW: COLUMN: message`` line like every other file's.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from cases.errors import Collector
from cases.model import Excerpt, Theme
from cases.ratings import row_site_theme, row_theme
from cases.rules import LABELS as JUDGEMENT_LABELS
from cases.sites import cell_text
from cases.textio import LIMITS, read_table

EVIDENCE = "evidence.csv"
JUDGEMENTS = "judgements.csv"
_EVIDENCE_COLUMNS = ("site", "theme", "excerpt", "source")
_JUDGEMENT_COLUMNS = ("theme", "label", "reason")


def _columns(table, rel: str, required: tuple[str, ...], allowed: tuple[str, ...], out: Collector) -> bool:
    missing = [c for c in required if c not in table.columns]
    for c in missing:
        out.add(rel, None, None, f'no column "{c}"')
    for c in table.columns:
        if c not in allowed:
            out.add(rel, 1, c, f"unknown column (allowed: {', '.join(allowed)})")
    return not missing


def read_evidence(
    path: Path, sites: set[str] | None, themes: Mapping[str, Theme], out: Collector, rel: str = EVIDENCE
) -> list[Excerpt]:
    """The excerpts of evidence.csv, in file order; ``sites`` None when the sites could not be read
    (site ids are then not checked: every one would be "unknown")."""
    table = read_table(path, rel, out, LIMITS["ratings"])
    if table is None or not _columns(table, rel, ("site", "theme", "excerpt"), _EVIDENCE_COLUMNS, out):
        return []
    ix = {c: i for i, c in enumerate(table.columns)}
    found: list[Excerpt] = []
    for row, cells in table.rows:
        site, theme, ok = row_site_theme(cells, ix, row, rel, sites, themes, out)
        text = cells[ix["excerpt"]]
        if text is None:
            out.add(rel, row, "excerpt", "the excerpt is empty")
            ok = False
        if ok and site is not None and theme is not None:  # ok: both ids are known
            source = cells[ix["source"]] if "source" in ix else None
            found.append(Excerpt(site, theme, str(text), None if source is None else str(source), row))
    return found


def read_judgements(
    path: Path, themes: Mapping[str, Theme], out: Collector, rel: str = JUDGEMENTS
) -> dict[str, tuple[str, str | None]]:
    """theme id -> (label, reason or None) from judgements.csv, in file order."""
    table = read_table(path, rel, out, LIMITS["ratings"])
    if table is None or not _columns(table, rel, ("theme", "label"), _JUDGEMENT_COLUMNS, out):
        return {}
    ix = {c: i for i, c in enumerate(table.columns)}
    found: dict[str, tuple[str, str | None]] = {}
    first: dict[str, int] = {}
    for row, cells in table.rows:
        theme, ok = row_theme(cells, ix, row, rel, themes, out)
        raw = cells[ix["label"]]
        label = None if raw is None else cell_text(raw).strip().lower()
        if ok and theme in first:
            out.add(rel, row, "theme", f'"{theme}" already has a judgement (row {first[theme]})')
            ok = False
        if label is None:
            out.add(rel, row, "label", f"the label is empty (one of {', '.join(JUDGEMENT_LABELS)})")
            ok = False
        elif label not in JUDGEMENT_LABELS:
            out.add(rel, row, "label", f'"{cell_text(raw)}" is not a judgement (one of {", ".join(JUDGEMENT_LABELS)})')
            ok = False
        if ok and theme is not None and label is not None:  # ok: a known theme and a label
            first[theme] = row
            reason = cells[ix["reason"]] if "reason" in ix else None
            found[theme] = (label, None if reason is None else str(reason))
    return found
