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
    from cases.model import site_ids
    from cases.rules import parse_rule_option
    from metrics.results import Options

    given = {"metric": args.outcome, "split": args.split, "threshold": args.threshold, "second": args.second}
    given |= {key: None if text is None else site_ids(text) for key, text in (("high", args.high), ("low", args.low))}
    changes = {key: value for key, value in given.items() if value is not None}
    outcome = study.outcome.overridden(**changes) if changes else None
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
