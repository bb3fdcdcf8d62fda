"""Headless exchange with the QDA tools: ``crosscase import PROJECT.qdpx DIR`` and
``crosscase export STUDY --format qdpx -o FILE.qdpx`` (REFI-QDA; see docs/qdpx.md).

No textual, rich or plotext here: these are scripted commands.
"""

from __future__ import annotations

import sys
from pathlib import Path


def cmd_import(args) -> int:
    """Import a REFI-QDA project into a new study folder; exit 2 with one line per problem."""
    from cases.errors import StudyError
    from cases.escape import clean
    from cases.qdpx import import_qdpx
    from tui.core.errors import UsageError

    try:
        report = import_qdpx(args.project, args.dir)
    except StudyError as exc:
        raise UsageError(*(clean(p) for p in exc.problems)) from None
    except OSError as exc:
        raise UsageError(clean(f"{args.project}: cannot be read: {exc.strerror or exc}")) from None
    for line in report.lost:  # what could not be carried over: one line each, on stderr
        print(clean(f"not carried over: {line}"), file=sys.stderr)
    print(clean(report.summary()))
    print(
        clean(
            f"next: crosscase validate {report.folder}, then edit its study.toml (the outcome is "
            f"{report.outcome or 'not set'})"
        )
    )
    return 0


def qdpx_refusals(study, disclosure) -> list[str]:
    """Why this study may not leave as a REFI-QDA project under its disclosure policy.

    A project carries each case's name and every variable's raw value: it cannot hold pseudonyms
    (a project's cases are matched back by name) nor a count written as "<10".
    """
    problems = []
    if disclosure.pseudonymise:
        problems.append(
            "a REFI-QDA project names every site: it cannot be exported with pseudonyms (pseudonymise is on)"
        )
    for key, metric in study.metrics.items():
        if not metric.count:
            continue
        small = [s for s in study.sites if (v := s.values.get(key)) is not None and v < disclosure.min_count]
        if small:
            problems.append(
                f'metric "{key}" is a count of people and {len(small)} sites hold a count below '
                f"min_count {disclosure.min_count}: a REFI-QDA project would carry them in clear "
                f"(lower --min-count only if the data may leave)"
            )
    return problems


def export_qdpx_file(args) -> int:
    """``export --format qdpx``: the study's sites, variables, themes and ratings, never evidence."""
    from cases.escape import clean
    from cases.qdpx_export import export_qdpx
    from tui.core.errors import UsageError
    from tui.core.snapshots import _refuse_study_file
    from tui.core.study import load

    path = Path(args.output)
    if args.include_evidence:
        raise UsageError("--include-evidence: a REFI-QDA export carries no evidence (export a TOML snapshot)")
    if path.is_dir():
        raise UsageError(clean(f"{path}: is a folder; give a file name, e.g. {path / 'study.qdpx'}"))
    if not args.force and (path.exists() or path.is_symlink()):
        raise UsageError(clean(f"{path}: already exists; use --force to replace it"))
    study = load(args.study, pseudonymise=bool(args.pseudonymise))
    disclosure = study.disclosure.overridden(args.min_count, bool(args.pseudonymise))
    problems = qdpx_refusals(study, disclosure)
    if problems:
        raise UsageError(*problems)
    try:
        _refuse_study_file(study, path)  # the same rule as for snapshots: never over the study itself
        export_qdpx(study, path, force=args.force)
    except FileExistsError:
        raise UsageError(clean(f"{path}: already exists; use --force to replace it")) from None
    except (OSError, ValueError) as exc:
        raise UsageError(clean(str(exc))) from None
    print(clean(f"wrote {path} (REFI-QDA project: {len(study.sites)} cases, no evidence)"))
    return 0
