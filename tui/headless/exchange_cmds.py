"""Headless exchange with the QDA tools: ``crosscase import PROJECT.qdpx DIR`` and
``crosscase export STUDY --format qdpx -o FILE.qdpx`` (REFI-QDA; see docs/qdpx.md).

No textual, rich or plotext here: these are scripted commands.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_SAID = re.compile(r": not carried over(?= \(|$)")  # the line's own "not carried over", said once by the prefix


def cmd_import(args) -> int:
    """Import a REFI-QDA project into a new study folder; exit 2 with one line per problem."""
    from cases.errors import StudyError
    from cases.escape import clean
    from cases.qdpx import import_qdpx
    from tui.core.errors import UsageError

    try:
        report = import_qdpx(
            args.project,
            args.dir,
            sites_from=getattr(args, "sites_from", "cases"),
            positions=getattr(args, "positions", "auto"),
        )
    except StudyError as exc:
        raise UsageError(*(clean(p) for p in exc.problems)) from None
    except OSError as exc:
        raise UsageError(clean(f"{args.project}: cannot be read: {exc.strerror or exc}")) from None
    for line in report.lost:  # what could not be carried over: one line each, on stderr
        print(clean(f"not carried over: {_SAID.sub('', line, count=1)}"), file=sys.stderr)
    for line in report.notes:  # what the import decided that the user should know
        print(clean(f"note: {line}"), file=sys.stderr)
    print(clean(report.summary()))
    print(
        clean(
            f"next: crosscase validate {report.folder}, then edit its study.toml (the outcome is "
            f"{report.outcome or 'not set'})"
        )
    )
    return 0


def export_qdpx_file(args) -> int:
    """``export --format qdpx``: the study's sites, variables, themes and ratings; its evidence
    excerpts (as text sources) only with ``--include-evidence``."""
    from cases.escape import clean
    from tui.core.errors import UsageError
    from tui.core.exchange import write_qdpx_file
    from tui.core.study import load

    path = Path(args.output)
    if path.is_dir():
        raise UsageError(clean(f"{path}: is a folder; give a file name, e.g. {path / 'study.qdpx'}"))
    if not args.force and (path.exists() or path.is_symlink()):
        raise UsageError(clean(f"{path}: already exists; use --force to replace it"))
    study = load(args.study, pseudonymise=bool(args.pseudonymise))
    disclosure = study.disclosure.overridden(args.min_count, bool(args.pseudonymise))
    try:
        done = write_qdpx_file(study, path, disclosure, force=args.force, include_evidence=bool(args.include_evidence))
    except FileExistsError:
        raise UsageError(clean(f"{path}: already exists; use --force to replace it")) from None
    except ValueError as exc:
        raise UsageError(*(clean(line) for line in str(exc).splitlines())) from None
    except OSError as exc:
        raise UsageError(clean(str(exc))) from None
    print(clean(done))
    return 0
