"""Writing a study as a REFI-QDA project, shared by ``crosscase export --format qdpx`` and the
dashboard's export dialog: the disclosure policy's refusals, then the atomic write."""

from __future__ import annotations

from pathlib import Path

from cases.model import Disclosure, Study


def qdpx_refusals(study: Study, disclosure: Disclosure) -> list[str]:
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


def write_qdpx_file(
    study: Study, path: Path, disclosure: Disclosure, force: bool = False, include_evidence: bool = False
) -> str:
    """Write the project; returns the line that says what was written.

    Raises ValueError (one line per problem, newline-joined) when the disclosure policy forbids it
    or the path is one of the study's own files; FileExistsError without ``force``; OSError.
    """
    from cases.qdpx_export import export_qdpx
    from tui.core.snapshots import _refuse_study_file

    problems = qdpx_refusals(study, disclosure)
    if problems:
        raise ValueError("\n".join(problems))
    _refuse_study_file(study, path)  # the same rule as for snapshots: never over the study itself
    written = export_qdpx(study, path, force=force, include_evidence=include_evidence)
    if include_evidence:
        held = f"{len(study.evidence)} evidence excerpts in {written.sources} sources"
    else:
        held = "no evidence"
    if written.replaced:
        held += f"; {written.replaced} characters XML cannot hold (control characters) written as U+FFFD"
    return f"wrote {path} (REFI-QDA project: {len(study.sites)} cases, {held})"
