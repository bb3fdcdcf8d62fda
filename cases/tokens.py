"""Rating tokens of the CFIR rating rules, as study-format.md lists them."""

from __future__ import annotations

VALENCES = ("-2", "-1", "0", "+1", "+2")
CANONICAL = (*VALENCES, "X", "Missing", "N/A", "E", "I")
VALENCE_OF = {token: int(token) for token in VALENCES}

_ALIASES = {
    "-2": "-2",
    "-1": "-1",
    "0": "0",
    "+0": "0",
    "-0": "0",
    "+1": "+1",
    "1": "+1",
    "+2": "+2",
    "2": "+2",
    "x": "X",
    "mixed": "X",
    "0 (mixed)": "X",
    "": "Missing",
    "missing": "Missing",
    "n/a": "N/A",
    "e": "E",
    "i": "I",
}


def canonical_token(raw: object) -> str | None:
    """The canonical token for ``raw`` (case-insensitive, spaces ignored), or None if it is not one."""
    if raw is None:
        return "Missing"
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        if raw != raw or int(raw) != raw:
            return None
        raw = str(int(raw))
    text = " ".join(str(raw).replace("\u2212", "-").split()).casefold()
    text = text.replace("( ", "(").replace(" )", ")")
    return _ALIASES.get(text)


def valence(token: str) -> int | None:
    """The number of a valence token (-2..+2); None for X, Missing, N/A, E and I."""
    return VALENCE_OF.get(token)
