"""``crosscase export``, ``crosscase diff`` and ``crosscase open``'s headless check (docs/snapshots.md):
exit 0, or 2 (UsageError) on bad input. The snapshot library itself is tui.core.snapshots."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from cases.errors import StudyError
from cases.escape import clean
from cases.model import SPLIT_OPTIONS
from cases.snapshot import read_snapshot
from metrics.numbers import fmt
from tui.core.errors import UsageError
from tui.core.snapshots import open_snapshot, snapshot_options, write_snapshot_file


def export(args) -> int:
    """``crosscase export [STUDY] -o FILE.toml``: exit 0, or 2 (UsageError) leaving any file untouched."""
    from tui.core.errors import UsageError
    from tui.core.study import comparison_for

    path = Path(args.output)
    if path.is_dir():
        raise UsageError(f"{path}: is a folder; give a file name, e.g. {path / 'snapshot.toml'}")
    if not args.force and (path.exists() or path.is_symlink()):
        raise UsageError(f"{path}: already exists; use --force to replace it")
    study, comparison = comparison_for(args)
    try:
        write_snapshot_file(
            comparison, study, path, force=args.force, include_evidence=args.include_evidence, note=args.note, view=None
        )
    except FileExistsError:
        raise UsageError(f"{path}: already exists; use --force to replace it") from None
    except (OSError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    evidence = "with evidence" if args.include_evidence else "without evidence"
    print(f"wrote {path} ({evidence})")
    return 0


def diff(args) -> int:
    """``crosscase diff OLD.toml NEW.toml [--format text|json]``: exit 0 whether or not they differ."""
    from metrics.snapdiff import diff_snapshots
    from tui.core.errors import UsageError

    problems: list[str] = []
    snapshots: list[dict] = []
    for name in (args.old, args.new):
        try:
            snapshots.append(read_snapshot(name))
        except StudyError as exc:
            problems.extend(clean(p) for p in exc.problems)  # a schema can hold ESC, BEL, OSC ...
    if problems:
        raise UsageError(*problems)
    old, new = snapshots
    result = diff_snapshots(old, new)
    if args.format == "json":
        print(json_text(result))
    else:
        sys.stdout.write(render_diff(result, old, new, args.old, args.new))
    return 0


def json_text(value) -> str:
    """JSON (UTF-8) safe to print to a terminal: DEL, C1 controls (CSI) and bidi overrides (U+202E)
    written as \\u escapes through the one escaping path (cases.escape.escape_serialised)."""
    from cases.escape import escape_serialised

    return escape_serialised(json.dumps(value, indent=2, ensure_ascii=False))


def _cut(cut) -> str:
    if isinstance(cut, list):
        return "[" + ", ".join(fmt(c) for c in cut) + "]"  # as the views round it (10.13)
    return fmt(cut)


def _split_text(split: dict) -> str:
    text = f"{split.get('outcome')} by {split.get('rule')}"
    for key in SPLIT_OPTIONS:
        if key in split:
            value = split[key]
            text += f", {key} {', '.join(value) if isinstance(value, list) else value}"
    rule = split.get("distinguishing")
    if rule:
        params = ",".join(f"{k}={v:g}" for k, v in sorted(rule.items()) if k != "rule" and isinstance(v, int | float))
        text += f"; distinguishing rule {rule.get('rule')}" + (f" ({params})" if params else "")
    return clean(text)


def _about(snapshot: dict, name: str) -> str:
    created = snapshot["created"].strftime("%Y-%m-%d %H:%M UTC")
    note = f', "{clean(snapshot["note"])}"' if snapshot.get("note") else ""
    return f"{clean(name)} ({created}{note})"


def render_diff(result: dict, old: dict, new: dict, old_name: str = "OLD", new_name: str = "NEW") -> str:
    """The diff for people: the split first, then sites, metrics, themes and study files."""
    lines = [f"from {_about(old, old_name)}", f"  to {_about(new, new_name)}", ""]
    if result["split"]:
        s = result["split"]
        lines += [
            "THE SPLIT OR RULE CHANGED: the groups are not comparable one to one",
            f"  changed: {clean(', '.join(s['changed']))}",
            f"  old: {_split_text(s['old'])}",
            f"  new: {_split_text(s['new'])}",
            "",
        ]
    cuts = old["split"].get("cut"), new["split"].get("cut")
    if cuts[0] != cuts[1] and not result["split"]:
        lines += [f"same split; its cut moved with the data: {_cut(cuts[0])} -> {_cut(cuts[1])}", ""]
    sections = [
        (
            "Sites that changed group",
            [f"  {clean(m['site'])}: {m['from']} -> {m['to']}" for m in result["moved_sites"]],
        ),
        ("Metric changes", [_metric_line(m) for m in result["metrics"]]),
        ("Themes whose distinguishing label changed", [_theme_line(t) for t in result["themes"]]),
        ("Ratings that changed", _rating_lines(result.get("ratings", []), old, new)),
        ("Literature themes whose fit changed", [_fit_line(t) for t in result.get("literature", [])]),
        ("Study files", [f"  {clean(f['file'])} {f['change']}" for f in result["files"]]),
    ]
    if result.get("judgements"):  # only when a judgement (judgements.csv) changed
        sections.insert(
            3,
            (
                "Judgements that changed",
                [
                    f"  {clean(j['theme'])}: {j['from'] or 'none recorded'} -> {j['to'] or 'none recorded'}"
                    for j in result["judgements"]
                ],
            ),
        )
    if result.get("qca"):  # only when a QCA solution changed
        from metrics.qca_diff import change_lines

        sections.insert(-1, ("QCA solutions that changed", [clean(line) for line in change_lines(result["qca"])]))
    for title, rows in sections:
        lines.append(f"{title}: {len(rows) if rows else 'none'}")
        lines += rows
    return "\n".join(lines) + "\n"


def _metric_line(m: dict) -> str:
    name = clean(m["metric"])
    change = m["change"]
    if change == "sign":
        return f"  {name}: mean difference changed sign: {fmt(m['old'])} -> {fmt(m['new'])}"
    if change == "hedges_g":
        return f"  {name}: Hedges' g moved by {m['new'] - m['old']:+.3f}: {fmt(m['old'])} -> {fmt(m['new'])}"
    if change == "hedges_g_null":
        return f"  {name}: Hedges' g {'became' if m['new'] is None else 'stopped being'} undefined: {fmt(m['old'])} -> {fmt(m['new'])}"
    return f"  {name}: metric {change}"


def _rating_lines(changes: list[dict], old: dict, new: dict) -> list[str]:
    """``  Title, site: old -> new``, the title as the newer snapshot has it."""
    titles = {t["theme"]: t.get("title", t["theme"]) for t in (*old.get("themes", []), *new.get("themes", []))}
    return [
        f"  {clean(titles.get(r['theme'], r['theme']))}, {clean(r['site'])}: {clean(r['from'])} -> {clean(r['to'])}"
        for r in changes
    ]


def _fit_line(t: dict) -> str:
    from metrics.literature import SYMBOLS

    def fit(name) -> str:
        return f"{SYMBOLS[name]} {name}" if name in SYMBOLS else clean(name)

    return f"  {clean(t['theme'])}: {fit(t['from'])} -> {fit(t['to'])}"


def _theme_line(t: dict) -> str:
    def label(lab, direction):
        return f"{lab} ({direction})" if direction == "reversed" else lab

    return (
        f"  {clean(t['theme'])}: {label(t['from'], t.get('from_direction'))} -> {label(t['to'], t.get('to_direction'))}"
    )


def check_open(snapshot_path, study_dir=None) -> None:
    """What ``crosscase open`` checks before any screen starts, headless: the snapshot is valid, its
    study is found, its split and rule can be used. Raises tui.cli.UsageError (exit 2, one line per
    problem on stderr); the dashboard then opens it again in its worker (open_study)."""
    opened = open_snapshot(snapshot_path, study_dir)
    if opened.folder is not None:
        try:
            snapshot_options(opened.figures, opened.outcome)
        except ValueError as exc:
            raise UsageError(f"{snapshot_path}: distinguishing: {clean(exc)}") from None
