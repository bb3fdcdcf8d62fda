"""The snapshot library both front ends use (docs/snapshots.md); the commands are tui.headless.snapshot_cmds.

- ``build_snapshot``: a comparison (and its study) as the snapshot dict, keys in a fixed order;
- ``write_snapshot_file``: build and write it atomically (the CLI's export and the dashboard's);
- ``open_snapshot``: validate a snapshot, find its study, say which study files changed since;
- ``snapshot_options``: the comparison options that reproduce a snapshot's split and rule;
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cases.atomic import write_atomic
from cases.errors import StudyError
from cases.escape import clean
from cases.snapshot import SCHEMA, created_at, current_files, dumps_snapshot, file_changes, read_snapshot
from cases.version import __version__

if TYPE_CHECKING:
    from cases.model import Disclosure, Outcome, Study
    from metrics.results import Comparison, Options

DEFAULT_VIEW = {"screen": "compare"}


# --- building and writing ----------------------------------------------------------------------


def folder_name(study: Study) -> str:
    """The study folder's name only (``.`` and relative paths resolved, never an absolute path)."""
    return Path(os.path.abspath(study.folder)).name


def default_snapshot_path(study: Study) -> Path:
    """Where the dashboard offers to write a snapshot: beside the study folder, so that ``crosscase
    open`` finds the study at ``<the snapshot's folder>/<study.folder>`` without --study.

    ``<parent of the study>/<study folder>-snapshot.toml``, relative to the current folder when it
    lies inside it; the built-in example's in the current folder (``open`` finds the example by its
    fingerprint from anywhere, and its own folder is inside the installed package).
    """
    from cases.catalogue import example_dir

    folder = Path(os.path.abspath(study.folder))
    name = f"{folder.name}-snapshot.toml"
    try:
        if folder == Path(os.path.abspath(example_dir())):
            return Path(name)
        return (folder.parent / name).relative_to(Path.cwd())
    except (OSError, ValueError):  # outside the current folder (or no current folder)
        return folder.parent / name


def _evidence(study: Study, theme: str) -> dict[str, str]:
    order = {s.id: i for i, s in enumerate(study.sites)}
    rows = [(r.site, text) for r in study.ratings if r.theme == theme and (text := r.evidence)]
    return dict(sorted(rows, key=lambda row: order.get(row[0], len(order))))


def _excerpts(study: Study, theme: str) -> dict[str, list[dict]]:
    """site -> evidence.csv's excerpts of ``theme`` ({excerpt, source}), sites in sites-file order."""
    out: dict[str, list[dict]] = {}
    for s in study.sites:
        found = study.excerpts(s.id, theme) if hasattr(study, "excerpts") else ()
        if found:
            out[s.id] = [
                {"excerpt": e.excerpt, **({"source": e.source} if e.source is not None else {})} for e in found
            ]
    return out


def build_snapshot(
    comparison: Comparison,
    study: Study,
    *,
    include_evidence: bool = False,
    note: str | None = None,
    view: dict | None = None,
    created=None,
) -> dict:
    """The snapshot dict: provenance first, then the summary's body, then the view and disclosure.

    Raises ValueError when evidence is asked for in a pseudonymised comparison (evidence text
    names sites, so it would undo the pseudonyms).
    """
    from metrics.compare import fill_permutations
    from metrics.summary import to_dict

    if comparison.pending:
        comparison = fill_permutations(comparison)
    body = to_dict(comparison)
    disclosure = body.get("disclosure", {})
    if include_evidence and disclosure.get("pseudonymise"):
        raise ValueError(
            "evidence cannot be exported with pseudonymised site ids: evidence text names the sites it is about"
        )
    snapshot: dict = {"schema": SCHEMA, "crosscase": __version__, "created": created or created_at()}
    if note:
        snapshot["note"] = note
    snapshot["study"] = {
        "title": body["study"]["title"],
        "folder": folder_name(study),
        "fingerprint": study.fingerprint,
        "synthetic": bool(body["study"]["synthetic"]),
        "files": dict(sorted(study.files.items())),
    }
    for key, value in body.items():
        if key not in ("crosscase", "study", "disclosure"):
            snapshot[key] = value
    if include_evidence:
        snapshot["themes"] = [
            {
                **t,
                "evidence": _evidence(study, t["theme"]),
                **({"excerpts": found} if (found := _excerpts(study, t["theme"])) else {}),
            }
            for t in body["themes"]
        ]
    snapshot["view"] = dict(view) if view else dict(DEFAULT_VIEW)
    snapshot["disclosure"] = {"evidence_included": bool(include_evidence), **disclosure}
    return snapshot


def write_snapshot_file(
    comparison: Comparison,
    study: Study,
    path: str | Path,
    *,
    force: bool = False,
    include_evidence: bool = False,
    note: str | None = None,
    view: dict | None = None,
) -> Path:
    """Write the comparison's snapshot to ``path`` atomically and return the path.

    Raises FileExistsError (``path`` exists and not ``force``: ask, then call again with force),
    IsADirectoryError, cases.atomic.SnapshotWriteError (an OSError: permission, full disk, ...)
    or ValueError (a bad SOURCE_DATE_EPOCH, evidence with pseudonyms, a study file as the target);
    every message is one clear line, and on failure any existing file is left untouched.
    """
    path = Path(path)
    _refuse_study_file(study, path)
    snapshot = build_snapshot(comparison, study, include_evidence=include_evidence, note=note, view=view)
    try:
        text = dumps_snapshot(snapshot)
    except TypeError as exc:  # e.g. a view holding something TOML cannot write
        raise ValueError(f"cannot write the snapshot: {exc}") from None
    return write_atomic(path, text, force=force)


def _refuse_study_file(study: Study, path: Path) -> None:
    from cases.loader import is_study_file

    try:
        target = path.resolve()
        own = {(Path(study.folder) / name).resolve() for name in study.files}
    except OSError:
        return
    if target in own or is_study_file(study.folder, path):  # also a study file's name not (yet) used
        raise ValueError(f"{path}: is one of the study's own files; write it elsewhere")


# --- opening -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenedSnapshot:
    """What ``open_snapshot`` found: the study folder (None: pseudonymised), the split, the view,
    the warnings for people and the snapshot's own figures."""

    folder: Path | None
    outcome: Outcome
    view: dict
    warnings: list[str]
    figures: dict


def open_snapshot(snapshot_path: str | Path, study_dir: str | Path | None = None) -> OpenedSnapshot:
    """Validate a snapshot and find its study.

    Returns an ``OpenedSnapshot`` (folder, outcome, view, warnings, figures):
    - ``folder``: the study folder (``--study DIR``, else ``<snapshot's folder>/<study.folder>``,
      else the built-in example when the fingerprints match); None for a pseudonymised snapshot,
      which cannot be matched to its study and is shown on its own figures, read-only;
    - ``outcome``: the snapshot's split as a ``cases.model.Outcome``;
    - ``view``: the snapshot's ``[view]`` (screen, selected site, sort, filters);
    - ``warnings``: one line per changed study file (``sites.csv changed``, ``contacts.csv removed``,
      ``themes.toml added``) and other notes for people;
    - ``figures``: the snapshot dict itself (nulls restored), to show beside the recomputed figures.
    Raises tui.core.errors.UsageError (one line per problem) for an invalid snapshot or a missing study.
    """
    from cases.loader import fingerprint
    from tui.core.errors import UsageError

    snapshot_path = Path(snapshot_path)
    try:
        snapshot = read_snapshot(snapshot_path)
    except StudyError as exc:
        raise UsageError(*(clean(p) for p in exc.problems)) from None
    view = dict(snapshot.get("view", {}))
    warnings: list[str] = []
    if snapshot["crosscase"] != __version__:
        warnings.append(f"the snapshot was written by crosscase {clean(snapshot['crosscase'])}; this is {__version__}")
    if snapshot["disclosure"].get("pseudonymise"):
        warnings.insert(
            0, "pseudonymised snapshot: it cannot be matched to its study; showing its own figures, read-only"
        )
        return OpenedSnapshot(None, _outcome(snapshot, None), view, warnings, snapshot)
    folder = _find_study(snapshot, snapshot_path, study_dir)
    now = current_files(folder)
    changes = file_changes(snapshot["study"]["files"], now)
    warnings[:0] = [f"{name} {change}" for name, change in changes]
    if not changes and fingerprint(now) != snapshot["study"]["fingerprint"]:
        warnings.insert(0, "the study's fingerprint differs from the snapshot's, although no file's hash does")
    return OpenedSnapshot(folder, _outcome(snapshot, folder), view, warnings, snapshot)


def _find_study(snapshot: dict, snapshot_path: Path, study_dir: str | Path | None) -> Path:
    from cases.catalogue import example_dir
    from cases.loader import fingerprint
    from tui.core.errors import UsageError

    if study_dir is not None:
        folder = Path(study_dir)
        if not folder.is_dir():
            raise UsageError(f"{folder}: no such study folder")
        return folder
    name = snapshot["study"]["folder"]
    folder = snapshot_path.parent / name
    if folder.is_dir():
        return folder
    own = Path(os.path.abspath(snapshot_path)).parent  # a snapshot written inside its study folder
    if own.name == name and (own / "study.toml").is_file():
        return snapshot_path.parent
    example = example_dir()
    if name == example.name and fingerprint(current_files(example)) == snapshot["study"]["fingerprint"]:
        return example
    raise UsageError(
        f'{snapshot_path}: its study folder "{clean(name)}" was not found next to it ({folder}); '
        "give the study with --study DIR"
    )


def _outcome(snapshot: dict, folder: Path | None) -> Outcome:
    """The snapshot's split as an Outcome, over the study's own [outcome] as the command line does."""
    from cases.model import outcome_of

    return outcome_of(snapshot["split"], _study_outcome(folder))


def _study_outcome(folder: Path | None) -> Outcome | None:
    if folder is None:
        return None
    from cases.errors import Collector
    from cases.manifest import parse_manifest
    from cases.textio import LIMITS, read_text

    text = read_text(folder / "study.toml", "study.toml", Collector(), LIMITS["toml"])  # never blocks on a pipe
    if text is None:
        return None
    manifest = parse_manifest(text, Collector())
    return getattr(manifest, "outcome", None)


def snapshot_options(snapshot: dict, outcome: Outcome | None, study_disclosure: Disclosure | None = None) -> Options:
    """metrics.results.Options that reproduce the snapshot: its split, distinguishing rule and disclosure.

    With ``study_disclosure`` (the study's [disclosure] now) the stricter of the two applies, so that
    no snapshot, older or hand-edited, lowers the study's protection: pseudonymise when either says
    so, and the larger min_count (``stricter``).
    """
    from cases.rules import make_rule
    from metrics.results import Options

    rule = None
    spec = snapshot.get("distinguishing")
    if spec:
        params = {k: v for k, v in spec.items() if k != "rule"}
        rule = make_rule(spec["rule"], params)
    disclosure = recorded_disclosure(snapshot)
    if study_disclosure is not None:
        disclosure = stricter(disclosure, study_disclosure)
    return Options(outcome=outcome, rule=rule, disclosure=disclosure)


def recorded_disclosure(snapshot: dict) -> Disclosure:
    """The snapshot's [disclosure] as a cases.model.Disclosure (a missing min_count: the default)."""
    from cases.model import Disclosure

    d = snapshot.get("disclosure", {})
    return Disclosure(d.get("min_count", Disclosure.min_count), bool(d.get("pseudonymise", False)))


def stricter(a: Disclosure, b: Disclosure) -> Disclosure:
    """The stricter of two disclosure policies: pseudonymise or-ed, min_count the larger."""
    from cases.model import Disclosure

    return Disclosure(max(a.min_count, b.min_count), bool(a.pseudonymise or b.pseudonymise))
