"""The one checker of crosscase's TOML files (study.toml, themes.toml, snapshots).

A ``TomlChecker`` holds the file's name, its line index (cases/tomlspan.py) and the Collector its
problems go to. Every check names a table path and a key; ``err`` turns them into the line of the
problem, ``FILE:LINE: message``. A file's messages come in one of two forms:

- plain (study.toml, themes.toml): the message names its table itself (``[outcome] split ...``) and
  the line is the key's, else its table's header (``TomlLines.line``);
- keyed (snapshots): the message starts with the key's dotted path (``FILE:LINE: KEY: message``) and
  the line is the nearest one written: the key's, its own table's, else the closest table above it.

Besides ``err``, the checker reads typed values: ``string``, ``number``, ``boolean`` and ``unknown``
(study.toml's and themes.toml's words), and ``need`` with a kind (a snapshot's words): a type,
``[type]`` (a list of them), ``{str: type}`` (a table of them) or a tuple (any of them).
"""

from __future__ import annotations

import math
import re
import sys
from datetime import datetime

from cases.errors import Collector, Problem
from cases.tomlspan import TomlLines

Where = tuple  # a table path: keys and [[array]] indexes, e.g. ("metrics", "visits") or ("theme", 0)


class TomlChecker:
    """Checks of one parsed TOML file; each problem names the file and the line (see the module)."""

    def __init__(self, file: str, text: str | TomlLines, out: Collector | None = None, *, keyed: bool = False):
        self.file = file
        self.lines = text if isinstance(text, TomlLines) else TomlLines(text)
        self.out = Collector() if out is None else out
        self.keyed = keyed

    @property
    def problems(self) -> list[Problem]:
        return self.out.problems

    def count(self) -> int:
        return self.out.count()

    def at(self, line: int | None, message: str) -> None:
        """A problem at ``line`` (None: the file as a whole)."""
        self.out.add(self.file, line, None, message)

    def err(self, table: Where, key: str | None, message: str) -> None:
        """A problem with ``key`` of ``table`` (``key`` None: with the table)."""
        if not self.keyed:
            self.at(self.line(table, key), message)
            return
        label = _dotted((*table, key) if key else table)
        self.at(self.line(table, key), f"{label}: {message}" if label else message)

    def line(self, table: Where, key: str | None = None) -> int | None:
        """The line a problem with ``key`` of ``table`` names (a message may quote it: "first at line N")."""
        return self.nearest_line(table, key) if self.keyed else self.lines.line(table, key)

    def nearest_line(self, table: Where, key: str | None) -> int | None:
        """The key's own line, or its own table's header ([themes.evidence]), else the closest table above."""
        line = None
        if key:
            line = self.lines.keys.get((*table, key)) or self.lines.tables.get((*table, key))
            line = line or self.lines.line(table, key)
        if line is None and key:
            line = self.lines.line((*table, key))
        for cut in range(len(table), 0, -1):
            if line is None:
                line = self.lines.line(table[:cut])
        return line

    # --- plain values (study.toml, themes.toml): ``name`` is the table as its messages write it ---

    def unknown(self, table: Where, data: dict, allowed: set[str], name: str) -> None:
        for key in data:
            if key not in allowed:
                self.err(table, key, f'[{name}] has an unknown key "{key}" (allowed: {", ".join(sorted(allowed))})')

    def string(self, table: Where, data: dict, key: str, name: str, required: bool = False) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.err(table, None, f'[{name}] needs {key} = "..."')
            return None
        if not isinstance(value, str) or (required and not value.strip()):
            self.err(table, key, f"[{name}] {key} must be a non-empty text")
            return None
        return value

    def number(self, table: Where, data: dict, key: str, name: str) -> float | None:
        value = data.get(key)
        if value is None:
            return None
        if too_large_for_float(value):
            self.err(table, key, f"[{name}] {key} {TOO_LARGE}")
            return None
        if not _is_number(value):
            self.err(table, key, f"[{name}] {key} must be a number, not {value!r}")
            return None
        return float(value)

    def boolean(self, table: Where, data: dict, key: str, name: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.err(table, key, f"[{name}] {key} must be true or false")
            return default
        return value

    # --- kinds (snapshots) ---

    def need(self, table: dict, where: Where, key: str, kind, required: bool = True):
        """``table[key]`` when it has the ``kind`` (a type, [type], {str: type}); else a problem and None."""
        if key not in table:
            if required:
                self.err(where, None, f'missing key "{key}"' if where else f'missing "{key}"')
            return None
        value = table[key]
        if not is_kind(value, kind):
            self.err(where, key, f"must be {describe(kind)}" + _too_large_note(value))
            return None
        return value


TOO_LARGE = "is too large (the largest number crosscase reads is about 1.8e308)"


def _is_number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and v == v and abs(v) != float("inf")


def too_large_for_float(v: object) -> bool:
    """An integer that no float can hold (TOML integers have no size limit)."""
    if isinstance(v, int) and not isinstance(v, bool):
        try:
            float(v)
        except OverflowError:
            return True
    return False


SCALAR = (str, float, bool)  # a value of [view], or an extra key: text, a number, true or false
VIEW_VALUE = (SCALAR, [SCALAR], {str: (SCALAR, [SCALAR])})  # e.g. screen = "sites", filters = {employer = ["NHS"]}
_LARGEST = 2**53  # whole numbers beyond this are no count, seed or size crosscase writes


def _finite(value) -> bool:
    """A finite number that a float holds (an int too large for a float raised OverflowError)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) if isinstance(value, float) else abs(value) <= sys.float_info.max


def _too_large_note(value) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return f" (not {value})"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _LARGEST:
        return " (this one is too large)"
    return ""


def is_kind(value, kind) -> bool:
    """``value`` has the ``kind``: ``float`` is any finite number, ``int`` a whole one up to 2**53."""
    if isinstance(kind, list):
        return isinstance(value, list) and all(is_kind(v, kind[0]) for v in value)
    if isinstance(kind, dict):
        (inner,) = kind.values()
        return isinstance(value, dict) and all(is_kind(v, inner) for v in value.values())
    if isinstance(kind, tuple):
        return any(is_kind(value, k) for k in kind)
    if kind is float:
        return _finite(value)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool) and abs(value) <= _LARGEST
    return isinstance(value, kind)


_NAMES = {
    str: "text",
    bool: "true or false",
    int: "a whole number",
    float: "a number",
    dict: "a table",
    datetime: "a date-time such as 2026-01-31T12:00:00Z",
}


_PLURALS = {
    str: "text",
    bool: "true or false",
    int: "whole numbers",
    float: "numbers",
    SCALAR: "text, numbers or true/false",
    (float, str): "numbers or text",
}


def _plural(kind) -> str:
    return next((words for k, words in _PLURALS.items() if k == kind), None) or describe(kind)


def describe(kind) -> str:
    """The kind in words, as a problem line says what a value must be."""
    if kind == SCALAR:
        return "text, a number or true/false"
    if kind == VIEW_VALUE:
        return "text, a number, true/false, or a list or table of them"
    if isinstance(kind, list):
        return "a table array" if kind[0] is dict else f"a list of {_plural(kind[0])}"
    if isinstance(kind, dict):
        (inner,) = kind.values()
        return f"a table of {_plural(inner)}"
    if isinstance(kind, tuple):
        return " or ".join(describe(k) for k in kind)
    return _NAMES.get(kind, kind.__name__)


def _dotted(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


PSEUDONYM = re.compile(r"Site [A-Z]{1,4}")


def check_pseudonyms(c: TomlChecker, where: Where, key: str | None, ids, seen: set[str]) -> None:
    """In a pseudonymised snapshot every site id is a pseudonym (Site A, Site B, ...): one problem
    per real-looking id, the first time it is seen (``seen`` is shared across the file)."""
    for site in ids:
        if isinstance(site, str) and not PSEUDONYM.fullmatch(site) and site not in seen:
            seen.add(site)
            c.err(
                where,
                key,
                f'"{site}" is not a pseudonym (Site A, Site B, ...), although '
                "disclosure.pseudonymise is true: the file contradicts its [disclosure]",
            )
