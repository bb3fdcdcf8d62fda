"""Names for what a REFI-QDA project holds: site ids, column keys, theme ids, catalogue matches.

Everything is derived from names, never from GUIDs (vendors write new GUIDs on every export), so
importing the same project twice gives the same study.
"""

from __future__ import annotations

import json
import re
import unicodedata

from cases.catalogue import load_catalogue
from cases.model import Theme

RESERVED_COLUMNS = ("site", "label")
# "Leadership Engagement rating", "Leadership Engagement (rating)", "Leadership Engagement - rating"
_RATING = re.compile(r"^(.*?\S)\s*(?:[-:–]\s*)?(?:\(\s*rating\s*\)|rating)$", re.IGNORECASE)
_OUTLINE = re.compile(r"^(?:[ivx]+|[a-z]|\d+(?:\.\d+)*)[.)]\s+", re.IGNORECASE)
_CFIR2 = re.compile(r"\s*\(\s*cfir\s*2(?:\.0)?\s*\)\s*$", re.IGNORECASE)
_THEME_ID = re.compile(r"^[a-z0-9-]+$")
ID_HINT = re.compile(r"\[crosscase theme id: ([a-z0-9-]+)\]")


def clean(text: str) -> str:
    """Text from the project as crosscase writes it: no NUL or control characters, spaces collapsed."""
    return " ".join("".join(ch if ch in "\t\n" or unicodedata.category(ch) != "Cc" else " " for ch in text).split())


def counted(count: int, one: str, many: str) -> str:
    """``1 set``, ``2 sets``: a count and its noun, for the import's lines."""
    return f"{count} {one if count == 1 else many}"


def unique(name: str, taken: set[str], fold: bool = False) -> str:
    """``name``, or ``name-2``, ``name-3``, ... : the first not in ``taken`` (which it is added to)."""
    key = (lambda s: s.casefold()) if fold else (lambda s: s)
    candidate, n = name, 1
    while key(candidate) in taken:
        n += 1
        candidate = f"{name}-{n}"
    taken.add(key(candidate))
    return candidate


def column_key(name: str) -> str:
    """A metric key (a sites.csv column and a TOML bare key): letters, digits and _; case kept."""
    ascii_ = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9_]+", "_", ascii_).strip("_")


def slug(text: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()
    return re.sub(r"[^a-z0-9]+", "-", ascii_).strip("-")


def norm_title(title: str) -> str:
    """A title as matched: case, "&"/"and", punctuation, outline lettering and spacing do not matter."""
    text = _OUTLINE.sub("", title.strip()).casefold().replace("&", " and ").replace("\u2212", "-")
    text = re.sub(r"[^\w]+", " ", text)
    return " ".join(text.split())


def rating_base(name: str) -> str | None:
    """The theme title a variable named "TITLE rating" / "TITLE (rating)" names, else None."""
    found = _RATING.match(name.strip())
    return found.group(1) if found else None


class Matcher:
    """Code names to catalogue themes (literature, CFIR 2009, CFIR 2.0) by title."""

    def __init__(self):
        self.exact: dict[str, list[Theme]] = {}
        self.loose: dict[str, list[Theme]] = {}
        for t in load_catalogue().themes:
            self.exact.setdefault(norm_title(t.title), []).append(t)
            bare = norm_title(_CFIR2.sub("", t.title))
            self.loose.setdefault(bare, []).append(t)
        self.prefer: str | None = None  # the framework most of the project's codes match, once known

    def candidates(self, path: tuple[str, ...]) -> list[Theme]:
        """Catalogue themes a code's name could be: "Parent: Name" (a CFIR 2.0 subconstruct) if that
        is a title, else its name, by exact title or without the " (CFIR 2.0)" suffix."""
        names = ([f"{path[-2]}: {path[-1]}"] if len(path) > 1 else []) + [path[-1]]
        for name in names:
            found = self.exact.get(norm_title(name), []) + self.loose.get(norm_title(_CFIR2.sub("", name)), [])
            if found:
                return list(dict.fromkeys(found))
        return []

    def learn(self, paths: list[tuple[str, ...]]) -> None:
        """Settle which framework an ambiguous name ("Culture") means: the one most codes match alone."""
        votes: dict[str, int] = {}
        for path in paths:
            found = self.candidates(path)
            if len({t.kind for t in found}) == 1:
                votes[found[0].kind] = votes.get(found[0].kind, 0) + 1
        cfir = {k: v for k, v in votes.items() if k in ("cfir2009", "cfir2")}
        self.prefer = max(cfir, key=lambda k: (cfir[k], k == "cfir2009")) if cfir else None

    def match(self, path: tuple[str, ...]) -> Theme | None:
        found = self.candidates(path)
        if len(found) > 1 and self.prefer:
            found = [t for t in found if t.kind == self.prefer] or found
        if len(found) > 1:
            exact = self.exact.get(norm_title(path[-1]), [])
            found = [t for t in found if t in exact] or found
        return found[0] if found else None


def toml_str(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's, but DEL must be escaped too)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def comment(text: str) -> str:
    """Text safe inside a one-line TOML comment."""
    return clean(text).replace("\n", " ")


def valid_theme_id(text: str) -> bool:
    return bool(_THEME_ID.match(text))
