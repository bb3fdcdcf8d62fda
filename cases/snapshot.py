"""Comparison snapshots on disk: TOML text in and out, and validation (atomic writes: cases/atomic.py).

A snapshot (docs/snapshots.md) is the summary object of a comparison plus its provenance, written
as TOML. This module knows the file: it turns a snapshot dict into deterministic text and back,
validates what it reads, and writes files so that an existing file is never left half-written.
Building a snapshot from a comparison is the command line's job (tui/headless/snapshot_cmds.py).
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from cases.errors import Collector, Problem, StudyError
from cases.model import COMPARED, GROUPS, PLACED, SPLIT_RULES
from cases.qca_snapshot import check_qca
from cases.rules import FITS as LITERATURE_FITS
from cases.rules import LABELS
from cases.textio import MIB, read_text
from cases.tokens import CANONICAL
from cases.tomlcheck import SCALAR, VIEW_VALUE, TomlChecker, check_pseudonyms, describe, is_kind
from cases.tomlspan import TomlProblem, load_toml

SCHEMA = "crosscase.snapshot/1"
SCHEMA_FAMILY = "crosscase.snapshot/"
MAX_BYTES = 64 * MIB
METRIC_FIGURES = (
    "mean_difference",
    "median_difference",
    "hedges_g",
    "cliffs_delta",
    "p_permutation",
    "permutation",
    "spearman_with_outcome",
)
GROUP_FIGURES = ("mean", "median", "min", "max")


# --- writing -----------------------------------------------------------------------------------


def created_at(env: Mapping[str, str] | None = None) -> datetime:
    """The snapshot's time: ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else now; UTC, seconds."""
    raw = (os.environ if env is None else env).get("SOURCE_DATE_EPOCH")
    if raw is None or raw == "":
        return datetime.now(UTC).replace(microsecond=0)
    try:
        seconds = int(raw)
        if seconds < 0:
            raise ValueError
        return datetime.fromtimestamp(seconds, UTC)
    except (ValueError, OverflowError, OSError):
        raise ValueError(f'SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, not "{raw}"') from None


def without_nulls(value):
    """The same object without None (TOML has no null); tuples become lists."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [without_nulls(v) for v in value if v is not None]
    return value


def dumps_snapshot(snapshot: dict) -> str:
    """The snapshot as TOML text: keys in the dict's order, nulls left out, ``created`` as ...Z.

    The same dict always gives the same text (floats are written by ``repr``; the summary has
    already rounded them to 12 significant digits).
    """
    import tomli_w

    head = {k: snapshot[k] for k in ("schema", "crosscase") if k in snapshot}
    rest = without_nulls({k: v for k, v in snapshot.items() if k not in head and k != "created"})
    text = tomli_w.dumps(head)
    created = snapshot.get("created")
    if created is not None:
        text += f"created = {created.astimezone(UTC).replace(tzinfo=None).isoformat(timespec='seconds')}Z\n"
    return text + tomli_w.dumps(rest)


# --- reading -----------------------------------------------------------------------------------


def read_snapshot(path: str | os.PathLike) -> dict:
    """Read and validate a snapshot file; raise StudyError naming every problem (``FILE:LINE: ...``).

    Returns the snapshot dict with the nulls that TOML could not hold put back (``with_nulls``).
    """
    path = Path(path)
    name = str(path)
    out = Collector()
    try:
        mode = os.stat(path).st_mode  # before any open(): opening a FIFO would wait for a writer
    except FileNotFoundError:
        out.add(name, None, None, "no such snapshot file")
    except OSError as exc:
        out.add(name, None, None, f"cannot be read: {exc.strerror or exc}")
    else:
        if stat.S_ISDIR(mode):
            out.add(name, None, None, "is a folder, not a snapshot file")
        elif not stat.S_ISREG(mode):
            out.add(name, None, None, f"is not a regular file ({_kind(mode)}); give a snapshot file")
    if out:
        raise StudyError(out.problems)
    text = read_text(path, name, out, MAX_BYTES)
    if text is None:
        raise StudyError(out.problems)
    return parse_snapshot(text, name)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def parse_snapshot(text: str, name: str = "snapshot.toml") -> dict:
    """Parse and validate snapshot text (see ``read_snapshot``)."""
    try:
        data = load_toml(text)
    except TomlProblem as exc:
        raise StudyError([Problem(name, exc.line, None, exc.message)]) from None
    check = TomlChecker(name, text, keyed=True)
    _check_schema(data, check)
    if not check.problems:
        _check_body(data, check)
    if check.problems:
        raise StudyError(check.problems)
    return with_nulls(data)


def _check_schema(data: dict, c: TomlChecker) -> None:
    schema = data.get("schema")
    if schema is None:
        c.err((), None, f'not a crosscase snapshot: it has no schema key (a snapshot starts with schema = "{SCHEMA}")')
    elif not isinstance(schema, str):
        c.err((), "schema", f'not a crosscase snapshot: schema must be text such as "{SCHEMA}"')
    elif schema != SCHEMA:
        version = schema.removeprefix(SCHEMA_FAMILY) if schema.startswith(SCHEMA_FAMILY) else ""
        if re.fullmatch(r"[0-9]{1,6}", version) and int(version) > 1:  # ASCII digits only: not "²"
            c.err(
                (),
                "schema",
                f'written by a newer crosscase (schema "{schema}"; this crosscase reads '
                f"{SCHEMA}): upgrade crosscase to read it",
            )
        else:
            c.err((), "schema", f'schema "{schema}" is not supported (this crosscase reads {SCHEMA})')


def _check_body(data: dict, c: TomlChecker) -> None:
    """Every key crosscase reads back has its type (the dashboard, ``diff`` and ``open`` rely on it)."""
    c.need(data, (), "crosscase", str)
    c.need(data, (), "created", datetime)
    c.need(data, (), "note", str, required=False)
    c.need(data, (), "warnings", [str], required=False)
    c.need(data, (), "labels", {str: str}, required=False)
    c.need(data, (), "view", {str: VIEW_VALUE}, required=False)
    for key in ("sensitivity", "configurations"):
        c.need(data, (), key, dict, required=False)
    _check_study(c.need(data, (), "study", dict), c)
    _check_split(c.need(data, (), "split", dict), c)
    groups = c.need(data, (), "groups", dict)
    if groups is not None:
        for g in GROUPS:
            c.need(groups, ("groups",), g, [str])
    for i, metric in enumerate(c.need(data, (), "metrics", [dict]) or []):
        _check_metric(metric, ("metrics", i), c)
    for i, theme in enumerate(c.need(data, (), "themes", [dict]) or []):
        _check_theme(theme, ("themes", i), c)
    disclosure = c.need(data, (), "disclosure", dict)
    if disclosure is not None:
        c.need(disclosure, ("disclosure",), "evidence_included", bool)
        min_count = c.need(disclosure, ("disclosure",), "min_count", int, required=False)
        if isinstance(min_count, int) and min_count < 0:
            c.err(("disclosure",), "min_count", "must be 0 or more")
        c.need(disclosure, ("disclosure",), "pseudonymise", bool, required=False)
    distinguishing = c.need(data, (), "distinguishing", dict, required=False)
    if distinguishing is not None:
        c.need(distinguishing, ("distinguishing",), "rule", str)
        for key in distinguishing:
            if key != "rule":
                c.need(distinguishing, ("distinguishing",), key, float)
    _check_literature(data, c)
    check_qca(data, c)  # [qca]: cases/qca_snapshot.py
    if isinstance(disclosure, dict):
        _check_disclosure(data, disclosure, c)


def _check_study(study: dict | None, c: TomlChecker) -> None:
    if study is None:
        return
    for key, kind in (
        ("title", str),
        ("folder", str),
        ("fingerprint", str),
        ("synthetic", bool),
        ("files", {str: str}),
    ):
        c.need(study, ("study",), key, kind)
    folder = study.get("folder")
    if isinstance(folder, str) and (not folder or folder in (".", "..") or "/" in folder or "\\" in folder):
        c.err(("study",), "folder", f'must be a folder\'s name, not a path: "{folder}"')


def _check_split(split: dict | None, c: TomlChecker) -> None:
    if split is None:
        return
    c.need(split, ("split",), "outcome", str)
    rule = c.need(split, ("split",), "rule", str)
    if isinstance(rule, str) and rule not in SPLIT_RULES:
        c.err(("split",), "rule", f'"{rule}" is not a split rule ({", ".join(SPLIT_RULES)})')
    for key in ("high", "low"):
        c.need(split, ("split",), key, [str], required=False)
    c.need(split, ("split",), "second", str, required=False)
    c.need(split, ("split",), "threshold", float, required=False)
    c.need(split, ("split",), "cut", (float, [float]), required=False)
    for key in split:
        if key not in ("outcome", "rule", "high", "low", "second", "threshold", "cut"):
            c.need(split, ("split",), key, (SCALAR, [SCALAR]))


def _check_metric(metric: dict, where: tuple, c: TomlChecker) -> None:
    """One [[metrics]] table: its figures, its permutation test and its two groups."""
    c.need(metric, where, "metric", str)
    c.need(metric, where, "label", str)
    c.need(metric, where, "unit", str, required=False)
    for key in ("higher_is_better", "count", "pending"):
        c.need(metric, where, key, bool, required=False)
    for key in METRIC_FIGURES:
        if key != "permutation":
            c.need(metric, where, key, float, required=False)
    permutation = c.need(metric, where, "permutation", dict, required=False)
    if permutation is not None:
        c.need(permutation, (*where, "permutation"), "exact", bool)
        c.need(permutation, (*where, "permutation"), "relabelings", int)
        c.need(permutation, (*where, "permutation"), "seed", int, required=False)
    for g in COMPARED:
        group = c.need(metric, where, g, dict)
        if group is not None:
            c.need(group, (*where, g), "n", int)
            for key in GROUP_FIGURES:
                c.need(group, (*where, g), key, float, required=False)
            c.need(group, (*where, g), "values", {str: (float, str)})


def _check_theme(theme: dict, where: tuple, c: TomlChecker) -> None:
    """One [[themes]] table: the rule's figures, the labels, the evidence and the groups' ratings."""
    c.need(theme, where, "theme", str)
    c.need(theme, where, "title", str)
    c.need(theme, where, "domain", str, required=False)
    c.need(theme, where, "rule", str, required=False)
    for key in ("diff", "gap"):  # what the rule looked at; the threshold it met, in words
        c.need(theme, where, key, float, required=False)
    c.need(theme, where, "threshold", str, required=False)
    c.need(theme, where, "published", str, required=False)
    judgement = c.need(theme, where, "judgement", str, required=False)  # the analyst's (judgements.csv)
    _check_choice(judgement, LABELS, where, "judgement", c)
    c.need(theme, where, "judgement_reason", str, required=False)
    _check_choice(c.need(theme, where, "distinguishing", str), LABELS, where, "distinguishing", c)
    _check_choice(c.need(theme, where, "direction", str), DIRECTIONS, where, "direction", c)
    c.need(theme, where, "evidence", {str: str}, required=False)
    excerpts = c.need(theme, where, "excerpts", {str: [{str: str}]}, required=False)  # evidence.csv's
    for site, items in (excerpts or {}).items():
        for item in items:
            if not isinstance(item.get("excerpt"), str) or set(item) - {"excerpt", "source"}:
                c.err((*where, "excerpts"), site, "each excerpt must be a table of excerpt (and source)")
                break
    for g in PLACED:
        group = c.need(theme, where, g, dict, required=g != "middle")
        if group is not None:
            c.need(group, (*where, g), "rated", int)
            c.need(group, (*where, g), "mean", float, required=False)
            ratings = c.need(group, (*where, g), "ratings", {str: str})
            for site, token in (ratings or {}).items():
                if token not in CANONICAL:
                    c.err((*where, g, "ratings"), site, f'"{token}" is not a rating ({", ".join(CANONICAL)})')
    for key, value in theme.items():
        if key not in ("high", "low", "middle", "evidence", "excerpts") and not is_kind(value, (SCALAR, [SCALAR])):
            c.err(where, key, f"must be {describe((SCALAR, [SCALAR]))}")


def _check_choice(value: object, allowed: tuple[str, ...], where: tuple, key: str, c: TomlChecker) -> None:
    """A text ``value`` that is not one of ``allowed`` is a problem."""
    if isinstance(value, str) and value not in allowed:
        c.err(where, key, f'"{value}" is not one of {", ".join(allowed)}')


def _fit(item: dict, where: tuple, c: TomlChecker, allowed=LITERATURE_FITS) -> None:
    fit = c.need(item, where, "fit", str)
    if isinstance(fit, str) and fit not in allowed:
        c.err(where, "fit", f'"{fit}" is not one of {", ".join(allowed)}')


def _check_literature(data: dict, c: TomlChecker) -> None:
    """The joint display (analysis.md section 1): every field the snapshot view and ``diff`` read."""
    literature = c.need(data, (), "literature", dict, required=False)
    if literature is not None:
        for i, row in enumerate(c.need(literature, ("literature",), "rows", [dict], required=False) or []):
            where: tuple = ("literature", "rows", i)
            for key in ("theme", "title"):
                c.need(row, where, key, str, required=key == "theme")
            for key in ("influence", "via", "distinguishing", "direction"):
                c.need(row, where, key, str, required=False)
            c.need(row, where, "sources", [str], required=False)
            _fit(row, where, c, LITERATURE_FITS[:5])
        for i, new in enumerate(c.need(literature, ("literature",), "new", [dict], required=False) or []):
            where = ("literature", "new", i)
            for key in ("theme", "distinguishing", "direction"):
                c.need(new, where, key, str)
            c.need(new, where, "title", str, required=False)
            _fit(new, where, c, ("expansion",))
        c.need(literature, ("literature",), "counts", {str: int}, required=False)
    for i, link in enumerate(c.need(data, (), "links", [dict], required=False) or []):
        where = ("links", i)
        for key in ("theme", "metric"):
            c.need(link, where, key, str)
        for key in ("mean_difference", "hedges_g", "cliffs_delta"):
            c.need(link, where, key, float, required=False)
        for key in ("distinguishing", "direction"):
            c.need(link, where, key, str, required=False)
        _fit(link, where, c, ("confirmation", "discordance", "expansion", "silence"))


def _check_disclosure(data: dict, disclosure: dict, c: TomlChecker) -> None:
    """The content agrees with the disclosure record: no evidence unless it says so, none with
    pseudonyms, and only pseudonyms (Site A, Site B, ...) in a pseudonymised snapshot."""
    pseudonymised = disclosure.get("pseudonymise") is True
    themes: list = data["themes"] if isinstance(data.get("themes"), list) else []
    for i, theme in enumerate(themes):
        if not isinstance(theme, dict) or not ("evidence" in theme or "excerpts" in theme):
            continue
        key = "evidence" if "evidence" in theme else "excerpts"
        if pseudonymised:
            c.err(
                ("themes", i),
                key,
                "a pseudonymised snapshot cannot hold evidence (evidence text names "
                "the sites it is about): the file contradicts its [disclosure]",
            )
        elif disclosure.get("evidence_included") is not True:
            c.err(
                ("themes", i),
                key,
                "evidence is present although disclosure.evidence_included is false: "
                "the file contradicts its [disclosure]",
            )
    if not pseudonymised:
        return
    seen: set[str] = set()

    def pseudonyms(where: tuple, key: str | None, ids) -> None:
        check_pseudonyms(c, where, key, ids, seen)

    def table(value) -> dict:
        return value if isinstance(value, dict) else {}

    groups = table(data.get("groups"))
    for g in GROUPS:
        if isinstance(groups.get(g), list):
            pseudonyms(("groups",), g, groups[g])
    labels = table(data.get("labels"))
    pseudonyms(("labels",), None, [*labels, *labels.values()])
    metrics: list = data["metrics"] if isinstance(data.get("metrics"), list) else []
    for i, metric in enumerate(metrics):
        for g in COMPARED:
            pseudonyms(("metrics", i, g), "values", table(table(table(metric).get(g)).get("values")))
    for i, theme in enumerate(themes):
        for g in PLACED:
            pseudonyms(("themes", i, g), "ratings", table(table(table(theme).get(g)).get("ratings")))


DIRECTIONS = ("expected", "reversed")


def with_nulls(data: dict) -> dict:
    """Put back the nulls that the TOML file left out, so the figures read as the summary wrote them.

    Every metric gets each figure (``None`` when absent); every group's ``values`` lists each site
    of the group, in the group's order, ``None`` where the file has no value.
    """
    groups = data.get("groups", {})
    for metric in data.get("metrics", []):
        for key in METRIC_FIGURES:
            metric.setdefault(key, None)
        for g in COMPARED:
            group = metric[g]
            for key in GROUP_FIGURES:
                group.setdefault(key, None)
            values = group["values"]
            ordered = {s: values.get(s) for s in groups.get(g, [])}
            ordered.update(values)
            group["values"] = ordered
    for theme in data.get("themes", []):
        for g in PLACED:
            if g in theme:
                theme[g].setdefault("mean", None)
        if "threshold" in theme:  # written with the rule's figures: diff and gap may be null
            theme.setdefault("diff", None)
            theme.setdefault("gap", None)
    return data


# --- the study behind a snapshot ---------------------------------------------------------------


def current_files(folder: str | os.PathLike) -> dict[str, str]:
    """``{name: "sha256:<hex>"}`` of the study files in ``folder`` now (unreadable files are skipped)."""
    from cases.loader import study_files
    from cases.textio import hash_file

    folder = Path(folder)
    hashes = {}
    for name in study_files(folder):
        try:
            hashes[name] = "sha256:" + hash_file(folder / name)
        except OSError:
            continue
    return hashes


def file_changes(old: dict[str, str], new: dict[str, str]) -> list[tuple[str, str]]:
    """``(name, "added" | "removed" | "changed")`` for every file that differs, sorted by name."""
    changes = []
    for name in sorted(set(old) | set(new)):
        if name not in new:
            changes.append((name, "removed"))
        elif name not in old:
            changes.append((name, "added"))
        elif old[name] != new[name]:
            changes.append((name, "changed"))
    return changes
