"""The one escaping path for text from data files (labels, titles, evidence) on its way to a terminal.

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
