"""Finding the line of a table or key in a TOML text, so that semantic problems name a line.

tomllib reports syntax errors with a line but returns plain dicts; this small index maps
(table path, key) back to the line where it was written.
"""

from __future__ import annotations

import re

_HEADER = re.compile(r"^\s*(\[\[?)\s*(.+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z0-9_\-]+))\s*=""")


def _split_dotted(text: str) -> tuple[str, ...]:
    parts, cur, quote = [], "", None
    for ch in text:
        if quote:
            if ch == quote:
                quote = None
            else:
                cur += ch
        elif ch in "\"'":
            quote = ch
        elif ch == ".":
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    parts.append(cur.strip())
    return tuple(parts)


class TomlLines:
    """An index of table headers and keys by line (1-based).

    Each element of a table array is numbered, also below it: ``[[metrics]]`` then
    ``[metrics.high]`` is the table ``("metrics", 0, "high")``.
    """

    def __init__(self, text: str):
        self.tables: dict[tuple, int] = {}
        self.keys: dict[tuple, int] = {}
        arrays: dict[tuple, int] = {}
        current: tuple = ()
        for number, line in enumerate(text.splitlines(), start=1):
            header = _HEADER.match(line)
            if header and not line.lstrip().startswith("#"):
                parts = _split_dotted(header.group(2))
                current = ()
                for i, part in enumerate(parts):
                    current = (*current, part)
                    if i == len(parts) - 1 and header.group(1) == "[[":
                        arrays[current] = arrays.get(current, 0) + 1
                        current = (*current, arrays[current] - 1)
                    elif current in arrays:
                        current = (*current, arrays[current] - 1)
                self.tables.setdefault(current, number)
                continue
            key = _KEY.match(line)
            if key:
                name = next(g for g in key.groups() if g is not None)
                self.keys.setdefault((*current, name), number)

    def line(self, table: tuple, key: str | None = None) -> int | None:
        """The line of ``key`` in ``table`` (or of the table's header, or None)."""
        if key is not None and (*table, key) in self.keys:
            return self.keys[(*table, key)]
        if table in self.tables:
            return self.tables[table]
        # a key written inline in its parent table, e.g. derive = {...}, or a top-level key
        # written where a table belongs, e.g. disclosure = 10
        if table and table in self.keys:
            return self.keys[table]
        if len(table) > 1 and (*table[:-1], table[-1]) in self.keys:
            return self.keys[(*table[:-1], table[-1])]
        return None
