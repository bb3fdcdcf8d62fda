"""The analyst's own judgement of a theme (judgements.csv) beside the rule's label, for the screens.

Matrix, Themes and Compare show it in a column of its own next to the rule's label, never in its
place; a judgement that differs from the rule's label is marked with ``≠`` (text, so colour is
never the only cue), and a line above the table counts how many differ.
"""

from __future__ import annotations

from metrics.summary import judgement_counts

DIFFERS = "≠"
HEADER = "Analyst"


def judged(comparison) -> bool:
    """Does the study record any judgement (the column and the count are shown only then)?"""
    return comparison is not None and any(t.judgement is not None for t in comparison.themes)


def differs(result) -> bool:
    return result is not None and result.judgement is not None and result.judgement != result.distinguishing


def judgement_cell(result, width: int = 0) -> str:
    """``strong`` (agrees with the rule), ``strong ≠`` (differs), empty (none recorded); with ``width``
    the label is cut so that the mark always fits."""
    if result is None or result.judgement is None:
        return ""
    label = result.judgement
    mark = f" {DIFFERS}" if differs(result) else ""
    if width:
        label = label[: max(width - len(mark), 1)]
    return label + mark


def judgement_count_line(comparison) -> str:
    """``Analyst's judgements: 3 recorded, 1 differs from the rule's label (≠)``;
    empty when the study records none."""
    if not judged(comparison):
        return ""
    counts = judgement_counts(comparison)
    verb = "differs" if counts["disagree"] == 1 else "differ"
    return (
        f"Analyst's judgements: {counts['recorded']} recorded, "
        f"{counts['disagree']} {verb} from the rule's label ({DIFFERS})"
    )


def judgement_words(result) -> str:
    """``analyst: strong ≠ rule's none`` / ``analyst: weak (agrees)``; empty when none recorded."""
    if result is None or result.judgement is None:
        return ""
    if differs(result):
        return f"analyst: {result.judgement} {DIFFERS} rule's {result.distinguishing}"
    return f"analyst: {result.judgement} (agrees)"
