"""A study's analysis settings carried through a REFI-QDA project, which has no place for them.

REFI-QDA holds cases, variables, codes and sources; a crosscase study also has its split
([outcome]), its distinguishing rule, its disclosure policy, its QCA conditions and [qca] table,
and its links to the literature. The export writes these tables of study.toml, as TOML, at the
end of the project's <Description> between a "[crosscase settings]" and an "[end crosscase
settings]" line (a QDA program shows them as part of the project's memo); the import takes them
back. Only those tables are carried; a block that is not TOML, or names metrics the project does
not hold, is not used (the import says so and writes its defaults).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import tomli_w

from cases.errors import Collector
from cases.model import Study
from cases.textio import LIMITS, read_text

CARRIED = ("outcome", "distinguishing", "disclosure", "condition", "qca", "link")
START, END = "[crosscase settings]", "[end crosscase settings]"
_BLOCK = re.compile(r"^\[crosscase settings\][ \t]*\r?\n(.*?)^\[end crosscase settings\][ \t]*$", re.S | re.M)


def settings_block(study: Study) -> str | None:
    """The block for the project's description, or None when study.toml sets none of the tables."""
    out = Collector()
    text = read_text(Path(study.folder) / "study.toml", "study.toml", out, LIMITS["toml"])  # as the loader reads it
    try:
        data = tomllib.loads(text or "")
    except tomllib.TOMLDecodeError:
        return None
    carried = {key: data[key] for key in CARRIED if key in data}
    if not carried:
        return None
    return f"{START}\n{tomli_w.dumps(carried).strip()}\n{END}"


def take_settings(description: str | None) -> tuple[str | None, dict | None, str | None]:
    """The description without its block, the block's tables (None: no block, or none usable), and
    why a block was not usable (None: nothing to say)."""
    if not description:
        return description, None, None
    found = _BLOCK.search(description)
    if found is None:
        return description, None, None
    rest = (description[: found.start()] + description[found.end() :]).strip() or None
    try:
        data = tomllib.loads(found.group(1))
    except tomllib.TOMLDecodeError as exc:
        return rest, None, f"the crosscase settings in the project's description are not TOML ({exc})"
    carried = {key: data[key] for key in CARRIED if key in data}
    other = sorted(set(data) - set(CARRIED))
    why = f"the crosscase settings' tables {', '.join(other)} are not carried" if other else None
    return rest, carried or None, why


def settings_toml(settings: dict) -> str:
    """The carried tables as study.toml text (after [study] and the metrics)."""
    return tomli_w.dumps(settings)
