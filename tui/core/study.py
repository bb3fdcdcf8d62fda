"""Opening a study for a command: the path (the built-in example by default), loading it with
problems as UsageError lines, and the command line's overrides of study.toml as engine Options."""

from __future__ import annotations

from pathlib import Path

from tui.core.errors import UsageError


def study_path(arg: str | None) -> Path:
    if arg is None:
        from cases.catalogue import example_dir

        return example_dir()
    return Path(arg)


def load(arg: str | None, pseudonymise: bool = False):
    from cases.errors import StudyError
    from cases.escape import clean
    from cases.loader import load_study

    try:
        return load_study(study_path(arg), pseudonymise=pseudonymise)  # with it, problem lines withhold site ids
    except StudyError as exc:
        # one line per problem; text quoted from a data file cannot break the line or drive the terminal
        raise UsageError(*(clean(p) for p in exc.problems)) from None


def options_from(args, study):
    """compare() options from the command line's overrides of study.toml."""
    from dataclasses import replace

    from metrics.compare import Options
    from metrics.distinguishing import parse_rule_option

    outcome = study.outcome
    changes = {}
    if args.outcome is not None:
        changes["metric"] = args.outcome
    if args.split is not None:
        changes["split"] = args.split
    if args.threshold is not None:
        changes["threshold"] = args.threshold
    if args.second is not None:
        changes["second"] = args.second
    if args.high is not None:
        changes["high"] = tuple(s.strip() for s in args.high.split(",") if s.strip())
    if args.low is not None:
        changes["low"] = tuple(s.strip() for s in args.low.split(",") if s.strip())
    outcome = replace(outcome, **changes) if changes else None
    rule = None
    if args.distinguishing is not None:
        try:
            rule = parse_rule_option(args.distinguishing)
        except ValueError as exc:
            raise UsageError(f"--distinguishing: {exc}") from None
    disclosure = None
    if args.min_count is not None or args.pseudonymise:
        if args.min_count is not None and args.min_count < 0:
            raise UsageError("--min-count must be 0 or more")
        disclosure = study.disclosure.overridden(args.min_count, bool(args.pseudonymise))
    return Options(outcome=outcome, rule=rule, disclosure=disclosure)


def comparison_for(args):
    """Load the study and compare it with the command line's options (the full engine)."""
    from metrics.analysis import analyse

    study = load(args.study, pseudonymise=bool(args.pseudonymise))
    try:
        return study, analyse(study, options_from(args, study))
    except ValueError as exc:
        raise UsageError(*str(exc).splitlines()) from None
