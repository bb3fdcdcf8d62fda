"""Reading TOML safely, and finding the line of a table or key, so that every problem names a line.

``load_toml`` is tomllib with every way a file can fail it turned into one ``TomlProblem`` (a line
and a message): a syntax error, values nested too deeply (tomllib recurses: 5,000 nested arrays
raised RecursionError), an integer with more digits than Python converts (ValueError). tomllib
returns plain dicts; ``TomlLines`` maps (table path, key) back to the line where it was written.
"""

from __future__ import annotations

import re
import tomllib

MAX_DEPTH = 32  # tables and arrays inside each other; crosscase's own files need at most 6
_LONG_NUMBER = re.compile(r"[0-9a-fA-F_]{4000,}")


class TomlProblem(ValueError):
    """A TOML text that cannot be read: ``line`` (1-based, or None) and a one-line ``message``."""

    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line, self.message = line, message


def load_toml(text: str) -> dict:
    """``tomllib.loads(text)``; raises TomlProblem for anything that is not a plain, readable TOML table."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise syntax_problem(exc) from None
    except RecursionError:
        raise TomlProblem(_deep_line(text), _too_deep()) from None
    except ValueError:  # int() of a number with thousands of digits
        found = _LONG_NUMBER.search(text)
        line = text.count("\n", 0, found.start()) + 1 if found else None
        raise TomlProblem(line, "a number has too many digits to be read") from None
    path = _deepest(data)
    if path is not None:
        lines = TomlLines(text)
        keys = [cut for cut in range(len(path), 0, -1) if isinstance(path[cut - 1], str)]
        line = next((n for cut in keys if (n := lines.line(path[: cut - 1], path[cut - 1])) is not None), None)
        if line is None:  # a table header [a.b.c...] deeper than the limit
            line = min(
                (n for p, n in (*lines.tables.items(), *lines.keys.items()) if p[: len(path)] == path), default=None
            )
        raise TomlProblem(line, _too_deep()) from None
    return data


def syntax_problem(exc: tomllib.TOMLDecodeError) -> TomlProblem:
    """The line and the one-line message (``TOML syntax error: ...``) of a tomllib error."""
    message = str(exc)
    found = re.search(r"at line (\d+)", message)
    line = getattr(exc, "lineno", None) or (int(found.group(1)) if found else None)
    reason = getattr(exc, "msg", None) or message.split(" (at line")[0]
    return TomlProblem(line, f"TOML syntax error: {reason}")


def _too_deep() -> str:
    return f"values nested too deeply (crosscase reads at most {MAX_DEPTH} levels of tables and arrays)"


def _deepest(data) -> tuple | None:
    """The path to the first value nested deeper than MAX_DEPTH (keys and list indexes), or None."""
    stack: list[tuple[object, tuple]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            return path
        if isinstance(value, dict):
            stack.extend((v, (*path, k)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, (*path, i)) for i, v in enumerate(value))
    return None


_TOKEN = re.compile("|".join((r'"""', r"'''", r'"(?:[^"\\\n]|\\.)*"', r"'[^'\n]*'", r"#[^\n]*", r"[\[\]{}]")))


def _deep_line(text: str) -> int | None:
    """The line where brackets outside strings and comments first open deeper than MAX_DEPTH."""
    depth, at = 0, 0
    while (token := _TOKEN.search(text, at)) is not None:
        t, at = token.group(0), token.end()
        if t in ('"""', "'''"):  # a multi-line string: skip to its end
            end = text.find(t, at)
            at = len(text) if end < 0 else end + 3
        elif t in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return text.count("\n", 0, token.start()) + 1
        elif t in "]}":
            depth = max(depth - 1, 0)
    return None


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
