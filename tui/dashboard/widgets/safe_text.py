"""Text from data files on its way to a widget: cleaned, shortened and never read as markup.

Every label, title, evidence memo or file name shown by the dashboard goes through ``safe`` (one
line) or ``safe_block`` (several lines). Both return ``rich.text.Text``, which Textual draws
literally: ``[b]`` stays ``[b]``, and control characters and escape sequences were already made
visible by ``cases.escape.clean``.
"""

from __future__ import annotations

from rich.text import Text

from cases.escape import clean, shorten

BLOCK_LIMIT = 1200


def safe(value: object, width: int | None = None, style: str = "") -> Text:
    """One line of data text, shortened to ``width`` cells with an ellipsis when given."""
    text = shorten(value, width) if width is not None else clean(value)
    return Text(text, style=style, no_wrap=width is not None, end="")


def safe_block(value: object, limit: int = BLOCK_LIMIT, style: str = "") -> Text:
    """Several lines of data text (an evidence memo), cut at ``limit`` characters with an ellipsis."""
    text = clean(value, multiline=True)
    if len(text) > limit:
        text = text[: limit - 1] + "\u2026"
    return Text(text, style=style, end="")


def join(*parts: Text | str) -> Text:
    """Plain strings (our own wording, never data) and Text pieces joined into one Text."""
    out = Text(end="")
    for part in parts:
        out.append(part if isinstance(part, Text) else Text(part))
    return out
