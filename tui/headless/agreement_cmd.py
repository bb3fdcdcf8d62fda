"""``crosscase agreement STUDY [--format text|json] [--pseudonymise]`` (analysis.md section 2).

How far the study's raters (``ratings/RATER.csv``) agree before consensus: the figures come from
``metrics.agreement``; this module loads the study, renders and prints. Headless: it never imports
textual, plotext or rich (tests/test_imports.py).
"""

from __future__ import annotations

import json
import sys

from cases.escape import clean, escape_serialised


def render_json(result) -> str:
    """The contract's JSON object, text from data escaped as in every other JSON output."""
    return escape_serialised(json.dumps(result.to_dict(), indent=2, ensure_ascii=False)) + "\n"


def render_text(result) -> str:
    return "".join(line + "\n" for line in result.text_lines(clean))


RENDERERS = {"text": render_text, "json": render_json}


def agreement(args) -> int:
    """Print the agreement; exit 2 (UsageError) on a bad study or fewer than two rater files."""
    from metrics.agreement import TooFewRaters, study_agreement
    from tui.core.errors import UsageError
    from tui.core.study import load, study_path

    study = load(args.study, pseudonymise=bool(args.pseudonymise))
    pseudonymise = bool(args.pseudonymise) or study.disclosure.pseudonymise
    try:
        result = study_agreement(study, study.raters, pseudonymise=pseudonymise)
    except TooFewRaters as exc:
        raise UsageError(clean(f"{study_path(args.study)}: {exc}")) from None
    sys.stdout.write(RENDERERS[args.format](result))
    return 0
