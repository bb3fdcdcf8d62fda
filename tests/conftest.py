"""Shared, generic test helpers: a copy of the built-in example study that a test can change."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "data" / "example"


def file_name(key: str) -> str:
    """A keyword argument's file name: the last ``_`` is the dot, the others are hyphens.

    ``sites_csv`` -> ``sites.csv``, ``study_toml`` -> ``study.toml``,
    ``ratings_wide_csv`` -> ``ratings-wide.csv``.
    """
    stem, _, ext = key.rpartition("_")
    return f"{stem.replace('_', '-')}.{ext}"


def build_study(root: Path, files: dict[str, object] | None = None, **overrides: object) -> Path:
    """Copy data/example to ``root/"study"`` and apply the overrides; return the study folder.

    The example's rater files (``ratings/``) and its evidence.csv are left out, so that a changed
    sites.csv or themes.toml is the only problem; a test that wants them gives them
    (``files={"ratings/ana.csv": ...}``, ``evidence_csv=...``).

    Each override (a keyword named as ``file_name`` explains, or an entry of ``files`` keyed by the
    file's real name) is one of:
      - ``str``: the file's new text, written as UTF-8 exactly as given (no newline translation);
      - ``bytes``: the file's new bytes;
      - ``None``: the file is deleted;
      - a callable: called with the current text ("" for a new file), returns the new text or bytes.
    """
    folder = Path(root) / "study"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(
        EXAMPLE, folder, ignore=lambda where, names: ["ratings", "evidence.csv"] if Path(where) == EXAMPLE else []
    )
    changes = {file_name(k): v for k, v in overrides.items()}
    changes.update(files or {})
    for name, value in changes.items():
        path = folder / name
        if callable(value):
            old = path.read_text(encoding="utf-8") if path.exists() else ""
            value = value(old)
        if value is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(value, bytes):
            path.write_bytes(value)
        else:
            path.write_bytes(str(value).encode("utf-8"))
    return folder


@pytest.fixture
def make_study() -> Callable[..., Path]:
    """``make_study(tmp_path, **overrides)``: see ``build_study``."""
    return build_study


@pytest.fixture(scope="session")
def study_shapes(tmp_path_factory):
    """The study-shape matrix (tests/shapes.py): ``study_shapes[name]`` writes that shape once a session."""
    from shapes import ShapeFactory

    return ShapeFactory(tmp_path_factory.mktemp("shapes"))
