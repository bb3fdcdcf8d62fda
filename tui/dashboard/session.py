"""The dashboard's data side: opening a study (or a snapshot's) and comparing it, in workers.

No textual here: these functions run in worker threads and return plain objects that the app
posts to its screens by message.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cases.model import Outcome, Study
    from metrics.results import Comparison, Options


@dataclass(frozen=True)
class OpenedStudy:
    """What ``open_study`` opened: the study (pseudonymised when disclosure asks for it), the options
    to compare it with, a snapshot's view and warnings, and the snapshot's own figures (else None)."""

    study: Study
    options: Options
    view: dict
    warnings: list[str]
    figures: dict | None


def analyse_quick(study: Study, options: Options) -> Comparison:
    """The comparison with its tables but without permutation p-values (they fill in later)."""
    from dataclasses import replace

    from metrics.analysis import analyse

    return analyse(study, replace(options, permutations=False))


def analyse_split(study: Study, options: Options, previous: Comparison | None) -> tuple[Comparison, bool]:
    """``analyse()`` for a new split, reusing ``previous``'s split sensitivity when it still holds.

    The sensitivity table depends on the outcome metric and the distinguishing rule only, not on the
    split rule or its threshold, so changing those needs just ``compare`` and ``configurations``.
    Returns the comparison (permutation p-values pending) and whether its sensitivity is still to
    compute (then ``metrics.analysis.analyse`` is the fallback). ``study`` is already pseudonymised
    when disclosure asks for it (``open_study``), which is what ``analyse`` would do first.
    """
    from dataclasses import replace

    from metrics.analysis import with_literature
    from metrics.compare import compare
    from metrics.configurations import configurations
    from metrics.qca_study import with_qca

    quick = replace(options, permutations=False)
    comparison = with_literature(study, compare(study, quick, previous))
    if (
        previous is None
        or previous.sensitivity is None
        or previous.split.outcome != comparison.split.outcome
        or previous.rule.describe() != comparison.rule.describe()
    ):
        return comparison, True
    return with_qca(
        study,
        replace(
            comparison,
            sensitivity=previous.sensitivity,
            configurations=configurations(study, comparison.split, comparison.disclosure),
        ),
    ), False


class SnapshotOnlyError(Exception):
    """open_study's answer for a snapshot that opens on its own figures (no study behind it)."""

    def __init__(self, figures: dict, notes: list[str]):
        super().__init__("the snapshot cannot be matched to its study")
        self.figures, self.notes = figures, notes


def open_study(
    study_path: Path | None, snapshot: str | None, snapshot_study: str | None, disclosure: dict | None = None
) -> OpenedStudy:
    """Load the study (from a snapshot's reference when given).

    Returns an OpenedStudy (study, options, view, warnings, figures): ``figures`` is the snapshot's
    own summary when opened from one (else None). Raises SnapshotOnlyError for a pseudonymised snapshot.

    Runs in a worker. With disclosure's pseudonymise on, the study itself is pseudonymised here, so
    that no screen can show a real site id, label or evidence memo.
    """
    from cases.loader import load_study
    from metrics.compare import resolve
    from metrics.results import Options

    view: dict = {}
    warnings: list[str] = []
    options, path, figures = Options(), study_path, None
    opened = None
    if snapshot is not None:
        from tui.core.snapshots import open_snapshot

        opened = open_snapshot(snapshot, snapshot_study)
        if opened.folder is None:
            raise SnapshotOnlyError(opened.figures, list(opened.warnings))
        path = opened.folder
    if path is None:
        from cases.catalogue import example_dir

        path = example_dir()
    study = load_study(Path(path), pseudonymise=bool(disclosure and disclosure.get("pseudonymise")))
    if opened is not None:
        options, view, warnings, figures = _snapshot_over_study(
            study, opened.figures, opened.outcome, opened.view, opened.warnings
        )
    if disclosure:
        from dataclasses import replace

        base = resolve(study, options)[2]
        options = replace(
            options, disclosure=base.overridden(disclosure.get("min_count"), bool(disclosure.get("pseudonymise")))
        )
    if resolve(study, options)[2].pseudonymise:
        from metrics.pseudonyms import pseudonymise

        study, options = pseudonymise(study, options)
    return OpenedStudy(study, options, dict(view or {}), list(warnings or []), figures)


def _snapshot_over_study(
    study: Study, snapshot: dict, outcome: Outcome, view: dict, warnings: list[str]
) -> tuple[Options, dict, list[str], dict | None]:
    """The snapshot's options over the study: the stricter disclosure of the two (issue 11.2), the
    view, the warnings and the snapshot's figures to offer (None: not shown).

    When the study's own [disclosure] is stricter than the snapshot's record, its figures (real
    names, small counts) are not offered beside the recomputed ones, and a view that names a site is
    not restored under pseudonyms.
    """
    from tui.core.snapshots import recorded_disclosure, snapshot_options

    options = snapshot_options(snapshot, outcome, study.disclosure)
    recorded = recorded_disclosure(snapshot)
    if options.disclosure is None or options.disclosure == recorded:
        return options, view, warnings, snapshot
    warnings = [
        *warnings,
        f"the study's [disclosure] is stricter than the snapshot's: min_count "
        f"{options.disclosure.min_count}"
        + (", pseudonymised" if options.disclosure.pseudonymise else "")
        + "; the snapshot's own figures are not shown",
    ]
    if options.disclosure.pseudonymise and not recorded.pseudonymise:
        view = {k: v for k, v in (view or {}).items() if k not in ("site", "filter", "filters")}
    return options, view, warnings, None
