"""The one escaping path for text from data files (labels, titles, evidence) on its way to a terminal.

It lives here so that ``cases`` (problem lines) can use it without importing the UI; everything else
imports it as ``cases.escape``, which is this module's public face.

Control characters (C0 except newline in multi-line text, DEL, C1), terminal escape sequences and
bidirectional-override characters are replaced by visible escapes, so that data can never move the
cursor, change colours or reorder what is shown. Textual markup is neutralised separately by
rendering data as ``rich.text.Text`` (never as markup strings) in the dashboard.
"""

from __future__ import annotations

import re

_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
_UNSAFE_ONE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")


def _visible(match: re.Match) -> str:
    ch = match.group(0)
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


# Characters that print as nothing (or as a plain space) although they make two texts differ: zero-width
# characters, the byte-order mark, soft hyphen, word joiners, variation selectors, tag characters, and
# spaces other than U+0020. In a problem line they are the difference the reader must see.
_INVISIBLE = re.compile(
    "[\u00a0\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2000-\u200f\u2028-\u202f"
    "\u205f-\u206f\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb\U000e0000-\U000e007f]"
)


def _visible_wide(match: re.Match) -> str:
    code = ord(match.group(0))
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def visible(text: object) -> str:
    """``clean(text)`` with invisible characters shown too (``\\u200b``, ``\\ufeff``, ``\\u00a0``): for
    problem lines, where two ids that look the same must be seen to differ."""
    return _INVISIBLE.sub(_visible_wide, clean(text))


def code_points(text: object) -> str:
    """Every character outside printable ASCII as its escape (``Caf\\u00e9`` vs ``Cafe\\u0301``)."""
    return "".join(
        ch if " " <= ch <= "~" else (f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}")
        for ch in str(text)
    )


def clean(text: object, *, multiline: bool = False) -> str:
    """``text`` with every control, escape and bidi-override character shown as a visible escape."""
    s = "" if text is None else str(text)
    if multiline:
        return _UNSAFE.sub(_visible, s.replace("\r\n", "\n"))
    return _UNSAFE_ONE_LINE.sub(_visible, s)


def shorten(text: object, width: int) -> str:
    """``clean(text)`` cut to ``width`` characters with an ellipsis."""
    s = clean(text)
    if width <= 0:
        return ""
    return s if len(s) <= width else s[: max(width - 1, 0)] + "\u2026"


# In JSON and TOML text: C1 controls, DEL, bidi controls and the line/paragraph separators are written
# as \\u escapes (both formats read them back as the same characters); the serialisers already escape C0.
_SERIALISED_UNSAFE = re.compile(f"[\x7f-\x9f\u2028\u2029{_BIDI}]")


def escape_serialised(text: str) -> str:
    """JSON or TOML output (json.dumps, tomli_w.dumps) made safe to print to a terminal: each unsafe
    character, which can only stand inside a string there, becomes its \\uXXXX escape."""
    return _SERIALISED_UNSAFE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
