"""The built-in literature catalogue and example study shipped in ``data/``."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cases.model import Theme


def data_dir() -> Path:
    """``data/``: inside the installed package (cases/builtin) or beside the source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "builtin", here.parent / "data"):
        if (candidate / "catalogue.toml").is_file():
            return candidate
    raise FileNotFoundError("crosscase's built-in data (catalogue.toml) is missing from the installation")


def example_dir() -> Path:
    return data_dir() / "example"


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    citation: str
    doi: str | None = None


@dataclass(frozen=True)
class Catalogue:
    sources: tuple[Source, ...]
    themes: tuple[Theme, ...]

    def source_for(self, ref: str) -> Source | None:
        """The source a theme's reference (a DOI or a title) names."""
        for s in self.sources:
            if ref in (s.doi, s.title):
                return s
        return None


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    with open(data_dir() / "catalogue.toml", "rb") as fh:
        data = tomllib.load(fh)
    sources = tuple(
        Source(s["key"], s["title"], s.get("citation", s["title"]), s.get("doi")) for s in data.get("source", [])
    )
    themes = tuple(
        Theme(
            id=t["id"],
            title=t["title"],
            domain=t.get("domain"),
            construct=t.get("construct"),
            summary=t.get("summary"),
            sources=tuple(t.get("sources", ())),
            kind=t.get("kind", "literature"),
            influence=t.get("influence"),
            parent=t.get("parent"),
            cfir2009=t.get("cfir2009"),
        )
        for t in data.get("theme", [])
    )
    return Catalogue(sources, themes)
