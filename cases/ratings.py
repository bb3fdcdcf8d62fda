"""themes.toml (the study's own themes) and the ratings in long (ratings.csv) or wide form."""

from __future__ import annotations

import re
import tomllib

from cases.errors import Collector
from cases.model import Rating, Theme
from cases.sites import cell_text
from cases.textio import Table
from cases.tokens import canonical_token
from cases.tomlspan import TomlLines

THEMES = "themes.toml"
_ID = re.compile(r"^[a-z0-9-]+$")
_THEME_KEYS = {"id", "title", "domain", "construct", "summary", "sources"}


def parse_themes(text: str, out: Collector) -> list[Theme]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        line = getattr(exc, "lineno", None) or (int(found.group(1)) if found else None)
        out.add(THEMES, line, None, f"TOML syntax error: {str(exc).split(' (at line')[0]}")
        return []
    lines = TomlLines(text)
    for key in data:
        if key != "theme":
            out.add(THEMES, lines.line((key,), None) or lines.keys.get((key,)), None, f"unknown key \"{key}\": themes are [[theme]] tables")
    items = data.get("theme", [])
    if not isinstance(items, list):
        out.add(THEMES, lines.line(("theme",)), None, "themes must be written as [[theme]] tables")
        return []
    themes: list[Theme] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        table = ("theme", i)
        line = lines.line(table)
        if not isinstance(item, dict):
            out.add(THEMES, line, None, "a [[theme]] must be a table")
            continue
        before = out.count()
        for key in item:
            if key not in _THEME_KEYS:
                out.add(THEMES, lines.line(table, key), None, f"[[theme]] has an unknown key \"{key}\" (allowed: {', '.join(sorted(_THEME_KEYS))})")
        tid, title = item.get("id"), item.get("title")
        if not isinstance(tid, str) or not _ID.match(tid):
            out.add(THEMES, lines.line(table, "id"), None, f"[[theme]] id {tid!r} must be text of a-z, 0-9 and -")
        elif tid in seen:
            out.add(THEMES, lines.line(table, "id"), None, f"[[theme]] id \"{tid}\" is used twice (first at line {seen[tid]})")
        else:
            seen[tid] = lines.line(table, "id") or 0
        if not isinstance(title, str) or not title.strip():
            out.add(THEMES, lines.line(table, "title") or line, None, "[[theme]] needs title = \"...\"")
        for key in ("domain", "construct", "summary"):
            if key in item and not isinstance(item[key], str):
                out.add(THEMES, lines.line(table, key), None, f"[[theme]] {key} must be text")
        sources = item.get("sources", [])
        if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
            out.add(THEMES, lines.line(table, "sources"), None, "[[theme]] sources must be a list of DOIs or titles")
            sources = []
        if out.count() == before:
            themes.append(Theme(tid, title.strip(), item.get("domain"), item.get("construct"), item.get("summary"), tuple(sources)))
    return themes


def merge_themes(own: list[Theme], catalogue: tuple[Theme, ...]) -> dict[str, Theme]:
    """The study's themes first (in file order), then the catalogue's; the study wins on an id."""
    merged = {t.id: t for t in own}
    for t in catalogue:
        merged.setdefault(t.id, t)
    return merged


def read_long(table: Table, rel: str, sites: set[str] | None, themes: dict[str, Theme], out: Collector) -> list[Rating]:
    """Long-form ratings; ``sites`` None when the study has no sites file (site ids are not checked)."""
    columns = set(table.columns)
    missing = [c for c in ("site", "theme", "rating") if c not in columns]
    for c in missing:
        out.add(rel, None, None, f"no column \"{c}\"")
    for c in table.columns:
        if c not in ("site", "theme", "rating", "evidence"):
            out.add(rel, 1, c, "unknown column (allowed: site, theme, rating, evidence)")
    if missing:
        return []
    ix = {c: i for i, c in enumerate(table.columns)}
    ratings: list[Rating] = []
    first: dict[tuple[str, str], int] = {}
    for row, cells in table.rows:
        site = None if cells[ix["site"]] is None else cell_text(cells[ix["site"]])
        theme = None if cells[ix["theme"]] is None else cell_text(cells[ix["theme"]])
        ok = True
        if site is None:
            out.add(rel, row, "site", "the site id is empty")
            ok = False
        elif sites is not None and site not in sites:
            out.add(rel, row, "site", f"\"{site}\" is not a site in the sites file")
            ok = False
        if theme is None:
            out.add(rel, row, "theme", "the theme id is empty")
            ok = False
        elif theme not in themes:
            out.add(rel, row, "theme", f"\"{theme}\" is not a theme in themes.toml or the built-in catalogue")
            ok = False
        raw = cells[ix["rating"]]
        token = canonical_token(raw)
        if token is None:
            out.add(rel, row, "rating", f"\"{cell_text(raw)}\" is not a rating token (-2..+2, X, Missing, N/A, E, I)")
            ok = False
        if not ok:
            continue
        if (site, theme) in first:
            out.add(rel, row, "theme", f"site \"{site}\" already has a rating of \"{theme}\" (row {first[(site, theme)]})")
            continue
        first[(site, theme)] = row
        evidence = cells[ix["evidence"]] if "evidence" in ix else None
        ratings.append(Rating(site, theme, token, None if evidence is None else str(evidence)))
    return ratings


def read_wide(table: Table, rel: str, sites: set[str] | None, own: list[Theme], themes: dict[str, Theme], out: Collector) -> list[Rating]:
    """Wide-form ratings; ``sites`` None when the study has no sites file (site columns are not checked)."""
    if "theme" not in table.columns:
        out.add(rel, None, None, "no column \"theme\"")
        return []
    site_cols = []
    for i, c in enumerate(table.columns):
        if c in ("theme", "domain"):
            continue
        if sites is not None and c not in sites:
            out.add(rel, 1, c, f"\"{c}\" is not a site id in the sites file")
        else:
            site_cols.append((i, c))
    tix = table.columns.index("theme")
    own_ids = {t.id for t in own}
    ratings: list[Rating] = []
    first: dict[str, int] = {}
    for row, cells in table.rows:
        raw = cells[tix]
        if raw is None:
            out.add(rel, row, "theme", "the theme is empty")
            continue
        theme = _match_theme(cell_text(raw), own_ids, themes, rel, row, out)
        if theme is None:
            continue
        if theme in first:
            out.add(rel, row, "theme", f"\"{theme}\" is rated twice (first at row {first[theme]})")
            continue
        first[theme] = row
        for i, site in site_cols:
            token = canonical_token(cells[i])
            if token is None:
                out.add(rel, row, site, f"\"{cell_text(cells[i])}\" is not a rating token (-2..+2, X, Missing, N/A, E, I)")
                continue
            ratings.append(Rating(site, theme, token))
    return ratings


def _match_theme(text: str, own_ids: set[str], themes: dict[str, Theme], rel: str, row: int, out: Collector) -> str | None:
    if text in themes:
        return text
    key = text.casefold()
    for pool in ([t for t in themes.values() if t.id in own_ids], [t for t in themes.values() if t.id not in own_ids]):
        hits = [t.id for t in pool if t.title.casefold() == key]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            out.add(rel, row, "theme", f"\"{text}\" matches more than one theme ({', '.join(hits)}): use the id")
            return None
    out.add(rel, row, "theme", f"\"{text}\" is neither a theme id nor a theme title")
    return None
