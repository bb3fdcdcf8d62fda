"""themes.toml (the study's own themes) and the ratings in long (ratings.csv) or wide form."""

from __future__ import annotations

import csv
import difflib
import re
import tomllib
from collections.abc import Mapping

from cases.errors import Collector
from cases.model import Rating, Theme
from cases.sites import cell_text
from cases.textio import Table
from cases.tokens import canonical_token
from cases.tomlcheck import TomlChecker
from cases.tomlspan import syntax_problem

THEMES = "themes.toml"
_ID = re.compile(r"^[a-z0-9-]+$")
_THEME_KEYS = {"id", "title", "domain", "construct", "summary", "sources", "cfir2009", "influence"}
INFLUENCES = ("facilitator", "barrier", "both")


def parse_themes(text: str, out: Collector) -> list[Theme]:
    """themes.toml's [[theme]] tables; problems go to ``out``, and a theme with one is left out."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problem = syntax_problem(exc)
        out.add(THEMES, problem.line, None, problem.message)
        return []
    c = TomlChecker(THEMES, text, out)
    for key in data:
        if key != "theme":
            c.err((key,), None, f'unknown key "{key}": themes are [[theme]] tables')
    items = data.get("theme", [])
    if not isinstance(items, list):
        c.err(("theme",), None, "themes must be written as [[theme]] tables")
        return []
    themes: list[Theme] = []
    seen: dict[str, int] = {}  # id -> its line
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            c.err(("theme", i), None, "a [[theme]] must be a table")
            continue
        before = c.count()
        _check_theme(c, ("theme", i), item, seen)
        if c.count() == before:
            themes.append(_theme(item))
    return themes


def _check_theme(c: TomlChecker, table: tuple, item: dict, seen: dict[str, int]) -> None:
    """The keys of one [[theme]]; a new id is added to ``seen``."""
    c.unknown(table, item, _THEME_KEYS, "[theme]")
    tid, title = item.get("id"), item.get("title")
    if not isinstance(tid, str) or not _ID.match(tid):
        c.err(table, "id", f"[[theme]] id {tid!r} must be text of a-z, 0-9 and -")
    elif tid in seen:
        c.err(table, "id", f'[[theme]] id "{tid}" is used twice (first at line {seen[tid]})')
    else:
        seen[tid] = c.line(table, "id") or 0
    if not isinstance(title, str) or not title.strip():
        c.err(table, "title", '[[theme]] needs title = "..."')
    for key in ("domain", "construct", "summary"):
        if key in item and not isinstance(item[key], str):
            c.err(table, key, f"[[theme]] {key} must be text")
    if "influence" in item and item["influence"] not in INFLUENCES:
        c.err(
            table,
            "influence",
            f"[[theme]] influence must be one of {', '.join(INFLUENCES)}, not {item['influence']!r}",
        )
    _check_cfir2009(c, table, item)
    sources = item.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        c.err(table, "sources", "[[theme]] sources must be a list of DOIs or titles")


def _check_cfir2009(c: TomlChecker, table: tuple, item: dict) -> None:
    if "cfir2009" not in item:
        return
    if not isinstance(item["cfir2009"], str):
        c.err(table, "cfir2009", "[[theme]] cfir2009 must be text")
    elif item["cfir2009"] not in _cfir2009_titles():
        c.err(
            table,
            "cfir2009",
            f'[[theme]] cfir2009 "{item["cfir2009"]}" is '
            "not the title of a CFIR 2009 construct of the built-in catalogue (crosscase themes lists them)",
        )


def _theme(item: dict) -> Theme:
    """The Theme of a [[theme]] table that passed ``_check_theme``."""
    return Theme(
        item["id"],
        item["title"].strip(),
        item.get("domain"),
        item.get("construct"),
        item.get("summary"),
        tuple(item.get("sources", [])),
        influence=item.get("influence"),
        cfir2009=item.get("cfir2009"),
    )


def _cfir2009_titles() -> set[str]:
    from cases.catalogue import load_catalogue

    return {t.title for t in load_catalogue().themes if t.kind == "cfir2009"}


def merge_themes(own: list[Theme], catalogue: tuple[Theme, ...]) -> dict[str, Theme]:
    """The study's themes first (in file order), then the catalogue's; the study wins on an id."""
    merged = {t.id: t for t in own}
    for t in catalogue:
        merged.setdefault(t.id, t)
    return merged


def read_long(
    table: Table, rel: str, sites: set[str] | Mapping[str, str] | None, themes: dict[str, Theme], out: Collector
) -> list[Rating]:
    """Long-form ratings; ``sites`` None when the study has no sites file (site ids are not checked)."""
    columns = set(table.columns)
    missing = [c for c in ("site", "theme", "rating") if c not in columns]
    for c in missing:
        out.add(rel, None, None, f'no column "{c}"')
    for c in table.columns:
        if c not in ("site", "theme", "rating", "evidence"):
            out.add(rel, 1, c, "unknown column (allowed: site, theme, rating, evidence)")
    if missing:
        return []
    ix = {c: i for i, c in enumerate(table.columns)}
    ratings: list[Rating] = []
    first: dict[tuple[str, str], int] = {}
    for row, cells in table.rows:
        site, theme, ok = row_site_theme(cells, ix, row, rel, sites, themes, out)
        raw = cells[ix["rating"]]
        token = canonical_token(raw)
        if token is None:
            out.add(rel, row, "rating", f'"{cell_text(raw)}" is not a rating token (-2..+2, X, Missing, N/A, E, I)')
            ok = False
        if not ok or site is None or theme is None or token is None:
            continue
        if (site, theme) in first:
            out.add(rel, row, "theme", f'site "{site}" already has a rating of "{theme}" (row {first[(site, theme)]})')
            continue
        first[(site, theme)] = row
        evidence = cells[ix["evidence"]] if "evidence" in ix else None
        ratings.append(Rating(site, theme, token, None if evidence is None else str(evidence)))
    return ratings


WIDE_FIXED = ("theme", "domain", "distinguishing")
# the authors' published judgement (ratings-wide.csv's optional ``distinguishing`` column), normalised
PUBLISHED = {
    "strong": "strong",
    "**": "strong",
    "strongly": "strong",
    "strongly distinguishing": "strong",
    "weak": "weak",
    "*": "weak",
    "weakly": "weak",
    "weakly distinguishing": "weak",
    "distinguishing": "distinguishing",
    "yes": "distinguishing",
    "none": "none",
    "": "none",
    "no": "none",
    "-": "none",
    "not distinguishing": "none",
}
_MIXED_ZERO = re.compile(r"^0\s*\(\s*mixed\s*\)$", re.IGNORECASE)
_SUFFIX = re.compile(r"^(.*\S)\s*\(([^()]*)\)$")
_OUTLINE = re.compile(r"^(?:[ivx]+|[a-z]|\d+)\.\s+", re.IGNORECASE)


def _norm(title: str) -> str:
    """A title as matched: case, "&" / "and", outline lettering ("B. ") and spacing do not matter."""
    text = _OUTLINE.sub("", title.strip()).casefold().replace("\u2212", "-")
    text = re.sub(r"\s*&\s*", " and ", text)
    return " ".join(text.split())


def _words(text: str) -> set[str]:
    return {w.casefold() for w in re.split(r"[\s_\-.:/()]+", text) if w}


def _nearest(text: str, choices: list[str]) -> str | None:
    """The choice ``text`` most likely meant: one named inside it as a word, else the closest by difflib."""
    words = _words(text)
    named = [c for c in choices if c.casefold() in words]
    if len(named) == 1:
        return named[0]
    by_key = {c.casefold(): c for c in choices}
    close = difflib.get_close_matches(text.casefold(), list(by_key), n=1, cutoff=0.5)
    return by_key[close[0]] if close else None


def lines_above_header(path, rel: str, out: Collector) -> bool:
    """Report once (and return True) when a CSV's first lines are not its header: a title or a note
    above the table, as a published table is often copied. Reading it as the header would give a
    problem on every row."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as f:
            head = [row for _, row in zip(range(200), csv.reader(f))]
    except (OSError, csv.Error):
        return False
    widths = [len(row) for row in head if any(cell.strip() for cell in row)]
    if len(widths) < 2 or widths[0] >= max(widths):
        return False
    wide = max(widths)
    first = next(i for i, row in enumerate(head) if len(row) == wide)
    named = [c.strip() for c in head[first]]
    hint = ' (it has no "theme" column)' if "theme" not in named else ""
    out.add(
        rel,
        1,
        None,
        f"the first {first} line{'s' if first != 1 else ''} {'are' if first != 1 else 'is'} not the "
        f"header: the header is row {first + 1} ({', '.join(named[:4])}{', …' if len(named) > 4 else ''}){hint}; "
        "delete the lines above it",
    )
    return True


def read_wide(
    table: Table,
    rel: str,
    sites: set[str] | dict[str, str] | None,
    own: list[Theme],
    themes: dict[str, Theme],
    out: Collector,
    extra: dict | None = None,
) -> list[Rating]:
    """Wide-form ratings; ``sites`` None when the study has no sites file (site columns are not checked),
    else the site ids (a dict of id -> label lets a header be matched to a label for a hint).

    ``extra``, when given, receives ``published`` (theme id -> the authors' judgement, from the
    optional ``distinguishing`` column) and ``notes`` (lines that are not problems: a title read
    without its "(reverse rated)" suffix, "0 (mixed)" read as X).
    """
    extra = {} if extra is None else extra
    published: dict[str, str] = extra.setdefault("published", {})
    notes: list[str] = extra.setdefault("notes", [])
    if "theme" not in table.columns:
        alias = next(
            (c for c in table.columns if c.strip().casefold() in ("construct", "constructs", "cfir construct")), None
        )
        out.add(
            rel, None, None, 'no column "theme"' + (f' (is "{alias}" the theme column? name it theme)' if alias else "")
        )
        return []
    site_cols = _site_columns(table, rel, sites, out)
    tix = table.columns.index("theme")
    dix = table.columns.index("distinguishing") if "distinguishing" in table.columns else None
    own_ids = {t.id for t in own}
    ratings: list[Rating] = []
    first: dict[str, int] = {}
    mixed: list[tuple[int, str]] = []
    for row, cells in table.rows:
        raw = cells[tix]
        if raw is None:
            out.add(rel, row, "theme", "the theme is empty")
            continue
        theme = _match_theme(cell_text(raw), own_ids, themes, rel, row, out, notes)
        if theme is None:
            continue
        if theme in first:
            out.add(rel, row, "theme", f'"{theme}" is rated twice (first at row {first[theme]})')
            continue
        first[theme] = row
        if dix is not None:
            _published(cells[dix], theme, rel, row, published, out)
        ratings.extend(_row_ratings(cells, site_cols, theme, rel, row, out, mixed))
    if mixed:
        notes.append(_mixed_note(mixed, rel))
    return ratings


def _site_columns(
    table: Table, rel: str, sites: set[str] | dict[str, str] | None, out: Collector
) -> list[tuple[int, str]]:
    """(index, site id) of the site columns; a header that is not a site is a problem, with a hint."""
    site_cols = []
    known = sorted(sites) if sites is not None else []
    for i, c in enumerate(table.columns):
        if c in WIDE_FIXED:
            continue
        if sites is not None and c not in sites:
            out.add(rel, 1, c, f'"{c}" is not a site id in the sites file ({_site_hint(c, sites, known)})')
        else:
            site_cols.append((i, c))
    return site_cols


def _site_hint(column: str, sites: set[str] | dict[str, str], known: list[str]) -> str:
    """ "did you mean S3?" for a header close to a site id (or naming a site's label), else a few ids."""
    guess = _nearest(column, known)
    if guess is None and isinstance(sites, dict):  # "center_C_medium" for the site labelled "Center C"
        words = _words(column)
        named = [k for k, label in sites.items() if _words(str(label)) and _words(str(label)) <= words]
        guess = named[0] if len(named) == 1 else None
    return (
        f"did you mean {guess}?" if guess else f"site ids are {', '.join(known[:5])}{', …' if len(known) > 5 else ''}"
    )


def _published(cell, theme: str, rel: str, row: int, published: dict[str, str], out: Collector) -> None:
    """The authors' judgement of ``theme`` from its ``distinguishing`` cell, into ``published``."""
    mark = "" if cell is None else " ".join(cell_text(cell).split()).casefold()
    if mark in PUBLISHED:
        published[theme] = PUBLISHED[mark]
    else:
        out.add(
            rel,
            row,
            "distinguishing",
            f'"{cell_text(cell)}" is not a published judgement (strong, weak, distinguishing, none, **, *, or empty)',
        )


def _row_ratings(
    cells, site_cols: list[tuple[int, str]], theme: str, rel: str, row: int, out: Collector, mixed: list
) -> list[Rating]:
    """The ratings of one theme's row; a "0 (mixed)" cell is noted in ``mixed`` as (row, site)."""
    ratings = []
    for i, site in site_cols:
        token = canonical_token(cells[i])
        if token is None:
            out.add(rel, row, site, f'"{cell_text(cells[i])}" is not a rating token (-2..+2, X, Missing, N/A, E, I)')
            continue
        if cells[i] is not None and _MIXED_ZERO.match(cell_text(cells[i]).strip()):
            mixed.append((row, site))
        ratings.append(Rating(site, theme, token))
    return ratings


def _mixed_note(mixed: list[tuple[int, str]], rel: str) -> str:
    (row, site), more = mixed[0], len(mixed) - 1
    return f'{rel}:{row}: {site}: "0 (mixed)" was read as X (mixed), not as the valence 0' + (
        f"; so were {more} more cell{'s' if more != 1 else ''}" if more else ""
    )


def _match_theme(
    text: str,
    own_ids: set[str],
    themes: dict[str, Theme],
    rel: str,
    row: int,
    out: Collector,
    notes: list[str] | None = None,
) -> str | None:
    if text in themes:
        return text
    pools = ([t for t in themes.values() if t.id in own_ids], [t for t in themes.values() if t.id not in own_ids])
    suffix = _SUFFIX.match(text)
    for candidate in (text, suffix.group(1) if suffix else None):
        if candidate is None:
            continue
        key = _norm(candidate)
        for pool in pools:
            hits = [t.id for t in pool if _norm(t.title) == key]
            if len(hits) > 1:
                out.add(rel, row, "theme", f'"{text}" matches more than one theme ({", ".join(hits)}): use the id')
                return None
            if hits:
                if candidate is not text and notes is not None and suffix is not None:
                    notes.append(
                        f'{rel}:{row}: theme: "{text}" was read as {hits[0]} '
                        f'("{themes[hits[0]].title}"), leaving out "({suffix.group(2)})"'
                    )
                return hits[0]
    by_key = {}
    for pool in reversed(pools):  # the study's own themes win a shared title
        for t in pool:
            by_key[_norm(t.title)] = t.id
            by_key[t.id] = t.id
    close = difflib.get_close_matches(_norm(suffix.group(1) if suffix else text), list(by_key), n=1, cutoff=0.6)
    hint = f" (did you mean {by_key[close[0]]}?)" if close else ""
    out.add(rel, row, "theme", f'"{text}" is neither a theme id nor a theme title{hint}')
    return None


def row_theme(cells, ix: Mapping[str, int], row: int, rel: str, themes, out: Collector) -> tuple[str | None, bool]:
    """A row's ``theme`` cell: the id, and whether it names a known theme (else one problem line)."""
    theme = None if cells[ix["theme"]] is None else cell_text(cells[ix["theme"]])
    if theme is None:
        out.add(rel, row, "theme", "the theme id is empty")
        return None, False
    if theme not in themes:
        out.add(rel, row, "theme", f'"{theme}" is not a theme in themes.toml or the built-in catalogue')
        return theme, False
    return theme, True


def row_site_theme(
    cells, ix: Mapping[str, int], row: int, rel: str, sites, themes, out: Collector
) -> tuple[str | None, str | None, bool]:
    """A (site, theme) row's two ids, and whether both are known (``sites`` None: any site id);
    each problem is one line naming the row and the column (ratings, rater files, evidence)."""
    site = None if cells[ix["site"]] is None else cell_text(cells[ix["site"]])
    ok = True
    if site is None:
        out.add(rel, row, "site", "the site id is empty")
        ok = False
    elif sites is not None and site not in sites:
        out.add(rel, row, "site", f'"{site}" is not a site in the sites file')
        ok = False
    theme, known = row_theme(cells, ix, row, rel, themes, out)
    return site, theme, ok and known
