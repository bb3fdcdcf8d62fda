"""The ``crosscase`` command line (interfaces.md). Headless commands never import textual or plotext."""

from __future__ import annotations

import os
import sys

if not sys.flags.interactive and not hasattr(sys, "ps1"):  # a program, not a Python prompt Ctrl-C must not end

    def _interrupted(kind, value, tb, previous=sys.excepthook) -> None:
        """Ctrl-C that main() cannot answer (while the modules below are imported, the first fraction
        of a second of every command, or once main() has returned) ends as main() ends it: the line
        "interrupted" and status 130, not a traceback. Set before the first import it covers; any
        other exception goes to the hook there was."""
        if not issubclass(kind, KeyboardInterrupt):
            previous(kind, value, tb)
            return
        try:
            print("interrupted", file=sys.stderr, flush=True)
        finally:
            os._exit(130)  # a second Ctrl-C while printing ends here too

    sys.excepthook = _interrupted

import argparse

from cases.model import POSITIONS, SITES_FROM, SPLIT_RULES
from cases.version import __version__
from tui.core.errors import UsageError
from tui.core.output import quiet_stdout
from tui.core.study import study_path

COMMANDS = (
    "open",
    "summary",
    "validate",
    "export",
    "diff",
    "themes",
    "example",
    "serve",
    "import",
    "agreement",
    "table",
    "qca",
)


class _Parser(argparse.ArgumentParser):
    """argparse with one line per problem (interfaces.md), not the usage block."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def finite_number(text: str) -> float:
    """A command-line number as a spreadsheet writes it (no "nan", "inf", "1_5")."""
    from cases.sites import parse_number

    value = parse_number(text)
    if value is None:
        from cases.escape import clean

        raise argparse.ArgumentTypeError(f'"{clean(text)}" is not a finite number')
    return value


def whole_number(text: str) -> int:
    """A command-line count: ASCII digits only (int() would also take "1_0" and other scripts' digits)."""
    digits = text.strip().removeprefix("-")  # a negative count gets its own line ("must be 0 or more")
    if not digits.isascii() or not digits.isdigit():
        from cases.escape import clean

        raise argparse.ArgumentTypeError(f'"{clean(text)}" is not a whole number of 0 or more')
    return int(text)


def _split_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--outcome", metavar="METRIC")
    p.add_argument("--split", choices=SPLIT_RULES)
    p.add_argument("--threshold", type=finite_number, metavar="X")
    p.add_argument("--second", metavar="METRIC")
    p.add_argument("--high", metavar="S1,S2")
    p.add_argument("--low", metavar="S6,S7")
    p.add_argument("--distinguishing", metavar="RULE", help="NAME[:key=value,...], e.g. gap:strong_diff=1.5")
    p.add_argument("--min-count", type=whole_number, metavar="N")
    p.add_argument("--pseudonymise", action="store_true", default=None)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="crosscase", description="Compare high- and low-engagement sites of a multi-site study.")
    parser.add_argument("--version", action="version", version=f"crosscase {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    _comparison_commands(sub)
    _snapshot_commands(sub)
    _table_commands(sub)
    _tool_commands(sub)
    return parser


def _comparison_commands(sub) -> None:
    """summary, validate, export."""
    p = sub.add_parser("summary", help="print the comparison headless")
    p.add_argument("study", nargs="?")
    p.add_argument("--format", choices=("text", "markdown", "json", "toml"), default="text")
    _split_options(p)
    p = sub.add_parser("validate", help="check a study folder and list every problem")
    p.add_argument("study")
    p = sub.add_parser("export", help="write the comparison as a TOML snapshot")
    p.add_argument("study", nargs="?")
    p.add_argument("-o", "--output", required=True, metavar="FILE.toml")
    p.add_argument(
        "--format",
        choices=("toml", "qdpx"),
        default=None,
        help="toml (a snapshot, the default) or qdpx (a REFI-QDA project; the default for -o *.qdpx)",
    )
    p.add_argument("--force", action="store_true")
    p.add_argument("--include-evidence", action="store_true")
    p.add_argument("--note", default=None)
    _split_options(p)


def _snapshot_commands(sub) -> None:
    """open, diff."""
    p = sub.add_parser("open", help="open the dashboard at a snapshot's view")
    p.add_argument("snapshot")
    p.add_argument("--study", metavar="DIR")
    p = sub.add_parser("diff", help="compare two snapshots")
    p.add_argument("old")
    p.add_argument("new")
    p.add_argument("--format", choices=("text", "json"), default="text")


def _table_commands(sub) -> None:
    """agreement, table, qca."""
    p = sub.add_parser("agreement", help="how far the raters (ratings/RATER.csv) agree, before consensus")
    p.add_argument("study", nargs="?")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--pseudonymise", action="store_true", default=None)
    p = sub.add_parser("table", help="the CFIR rating table for the paper (markdown, csv, latex, xlsx)")
    p.add_argument("study", nargs="?")
    p.add_argument(
        "--format",
        choices=("markdown", "csv", "latex", "xlsx"),
        default=None,
        help="markdown (the default), csv, latex or xlsx; from -o's suffix when not given",
    )
    p.add_argument("-o", "--output", metavar="FILE")
    p.add_argument("--force", action="store_true")
    _split_options(p)
    p = sub.add_parser("qca", help="set-theoretic analysis (QCA): truth table, solutions, necessity")
    p.add_argument("study", nargs="?")
    p.add_argument("--format", choices=("text", "markdown", "json", "toml"), default="text")
    p.add_argument("--incl-cut", type=finite_number, metavar="X")
    p.add_argument("--n-cut", type=whole_number, metavar="N")
    p.add_argument("--pri-cut", type=finite_number, metavar="X")
    _split_options(p)


def _tool_commands(sub) -> None:
    """themes, example, import, serve."""
    p = sub.add_parser("themes", help="list the built-in literature themes")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p = sub.add_parser("example", help="write the built-in example study to DIR")
    p.add_argument("dir")
    p = sub.add_parser(
        "import", help="turn a REFI-QDA project (.qdpx: NVivo, MAXQDA, ATLAS.ti, QualCoder) into a study folder"
    )
    p.add_argument("project", metavar="PROJECT.qdpx")
    p.add_argument("dir", metavar="DIR")
    p.add_argument(
        "--sites-from",
        choices=SITES_FROM,
        default="cases",
        help="what a site is: a case (the default), a text document (ATLAS.ti, or a project coded without "
        "cases), or a set of documents (ATLAS.ti's document groups)",
    )
    p.add_argument(
        "--positions",
        choices=POSITIONS,
        default="auto",
        help="how the coded selections' positions count characters: auto (the selections' names decide, "
        "else the program that wrote the file, else code points), code points, or UTF-16 units (an emoji as two)",
    )
    p = sub.add_parser("serve", help="run the dashboard in a browser (textual-serve)")
    p.add_argument("study", nargs="?")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--public-url", default=None, help="the address browsers use, if not http://HOST:PORT")


def dashboard_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="crosscase",
        description="Open the dashboard (no STUDY: the built-in example).",
        epilog=f"commands: {', '.join(COMMANDS)} (crosscase COMMAND --help)",
    )
    p.add_argument("--version", action="version", version=f"crosscase {__version__}")
    p.add_argument("study", nargs="?")
    p.add_argument("--min-count", type=whole_number, metavar="N", help="disclosure: counts below N are shown as <N")
    p.add_argument("--pseudonymise", action="store_true", help="disclosure: sites shown as Site A, Site B, ...")
    p.add_argument("--rater", metavar="NAME", help="rating mode: rate in ratings/NAME.csv (docs/raters.md)")
    return p


def cmd_dashboard(
    study: str | None,
    snapshot: str | None = None,
    snapshot_study: str | None = None,
    disclosure: dict | None = None,
    rater: str | None = None,
) -> int:
    from tui.dashboard.app import run_dashboard

    return run_dashboard(
        study_path(study) if snapshot is None else None,
        snapshot=snapshot,
        snapshot_study=snapshot_study,
        disclosure=disclosure,
        rater=rater,
    )


def cmd_serve(args) -> int:
    try:
        import textual_serve  # noqa: F401
    except ImportError:
        raise UsageError("crosscase serve needs textual-serve: pip install 'crosscase[serve]'") from None
    from tui.dashboard.serve_server import serve

    try:
        return serve(args.study, host=args.host, port=args.port, public_url=args.public_url)
    except OSError as exc:
        raise UsageError(f"crosscase serve: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None


def cmd_export(args) -> int:
    if args.format == "qdpx" or (args.format is None and str(args.output).lower().endswith(".qdpx")):
        from tui.headless.exchange_cmds import export_qdpx_file

        return export_qdpx_file(args)
    from tui.headless.snapshot_cmds import export

    return export(args)


def cmd_import(args) -> int:
    from tui.headless.exchange_cmds import cmd_import as run

    return run(args)


def cmd_agreement(args) -> int:
    from tui.headless.agreement_cmd import agreement

    return agreement(args)


def cmd_table(args) -> int:
    from tui.headless.table_cmd import table_command

    return table_command(args)


def cmd_qca(args) -> int:
    from tui.headless.qca_cmd import qca_command

    return qca_command(args)


def cmd_open(args) -> int:
    from tui.headless.snapshot_cmds import check_open

    check_open(args.snapshot, args.study)  # a bad snapshot or no study: exit 2 here, before any screen
    return cmd_dashboard(None, snapshot=args.snapshot, snapshot_study=args.study)


def cmd_diff(args) -> int:
    from tui.headless.snapshot_cmds import diff

    return diff(args)


def cmd_summary(args) -> int:
    from tui.headless.commands import summary

    return summary(args)


def cmd_validate(args) -> int:
    from tui.headless.commands import validate

    return validate(args)


def cmd_themes(args) -> int:
    from tui.headless.commands import themes

    return themes(args)


def cmd_example(args) -> int:
    from tui.headless.commands import example

    return example(args)


HANDLERS = {
    "summary": cmd_summary,
    "validate": cmd_validate,
    "themes": cmd_themes,
    "example": cmd_example,
    "serve": cmd_serve,
    "export": cmd_export,
    "open": cmd_open,
    "diff": cmd_diff,
    "import": cmd_import,
    "agreement": cmd_agreement,
    "table": cmd_table,
    "qca": cmd_qca,
}


def clean_line(text: object) -> str:
    from cases.escape import clean

    return clean(text)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        if argv and argv[0] in COMMANDS:
            args = build_parser().parse_args(argv)
            if args.command in ("open", "serve"):
                return HANDLERS[args.command](args)
            from cases.atomic import signals_raise

            with signals_raise():  # SIGTERM and SIGHUP end a headless command as Ctrl-C does: cleanly
                return HANDLERS[args.command](args)
        if argv and argv[0] in ("-h", "--help"):
            build_parser().print_help()
            return 0
        args = dashboard_parser().parse_args(argv)
        if args.min_count is not None and args.min_count < 0:
            raise UsageError("--min-count must be 0 or more")
        if args.rater is not None and args.pseudonymise:
            raise UsageError("--rater writes ratings/NAME.csv under the real site ids: leave out --pseudonymise")
        disclosure = {"min_count": args.min_count, "pseudonymise": args.pseudonymise}
        return cmd_dashboard(
            args.study,
            disclosure=disclosure if (args.pseudonymise or args.min_count is not None) else None,
            **({"rater": args.rater} if args.rater is not None else {}),
        )
    except UsageError as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
        return 2
    except PermissionError as exc:  # a file or folder crosscase may not look at (e.g. a folder without x)
        where = f"{exc.filename}: " if exc.filename else ""
        print(clean_line(f"{where}permission denied"), file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        signum = getattr(exc, "signum", None)  # cases.atomic.Terminated: SIGTERM or SIGHUP
        print("interrupted" if signum is None else "terminated", file=sys.stderr)
        return 130 if signum is None else 128 + signum
    except BrokenPipeError:
        quiet_stdout()
        return 0


if __name__ == "__main__":
    sys.exit(main())
