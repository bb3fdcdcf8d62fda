"""The bad-input corpus: every way a study folder can be broken, as compact definitions.

Each ``Case`` copies ``data/example`` into a temporary folder and breaks the copy, either with a
dict ``{file name: change}`` or with a function of the folder. A change is the file's new text
(``str``, written as UTF-8 exactly as given), its new bytes, ``None`` to delete it, or a function of
the old text that returns the new text or bytes. Nothing here is committed as a data file: the
large inputs (the 1 GB sparse file, the 2 MB field) are made at test time.

``expect`` lists every problem line ``validate`` must print (after the temporary folder's path is
cut from the output), each an exact string, a compiled regex (full match), or a function of the
built folder that returns one of those (for lines whose TOML line number follows the edit). With
``exact`` (the default) they are all the problems: nothing else, nothing repeated. ``exit`` is 2
for bad input, 0 for the folders that must load.

tests/test_corpus.py runs every case; docs/reliability.md summarises them by family.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "example"
STUDY = (EXAMPLE / "study.toml").read_text(encoding="utf-8")
SITES = (EXAMPLE / "sites.csv").read_text(encoding="utf-8")
CONTACTS = (EXAMPLE / "contacts.csv").read_text(encoding="utf-8")
RATINGS = (EXAMPLE / "ratings.csv").read_text(encoding="utf-8")
HAS_SNAPSHOT = importlib.util.find_spec("cases.snapshot") is not None
TOKENS = "(-2..+2, X, Missing, N/A, E, I)"


@dataclass(frozen=True)
class Case:
    name: str
    family: str
    change: dict | Callable[[Path], Path | None]
    expect: tuple = ()
    exit: int = 2
    exact: bool = True
    kind: str = "study"                    # "study": validate and summary; "snapshot": diff and read_snapshot
    patch: Callable | None = None          # (monkeypatch, folder): faults that files alone cannot make
    check: Callable | None = None          # (Study) -> None: more checks of a folder that loads
    within: float | None = None            # seconds: validate must return this fast
    skip: str | None = None

    def __str__(self) -> str:
        return self.name


# --- building a broken copy ---------------------------------------------------------------------

def build(case: Case, root: Path) -> Path:
    """Copy the example to ``root/"study"``, break it as ``case`` says; return the path to check."""
    folder = root / "study"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(EXAMPLE, folder)
    if callable(case.change):
        return case.change(folder) or folder
    for name, value in case.change.items():
        path = folder / name
        if callable(value):
            value = value(path.read_text(encoding="utf-8") if path.exists() else "")
        if value is None:
            path.unlink(missing_ok=True)
        elif isinstance(value, bytes):
            path.write_bytes(value)
        else:
            path.write_bytes(value.encode("utf-8"))
    return folder


def expected(case: Case, folder: Path) -> list[str | re.Pattern]:
    """The case's expected lines, with the line-number functions resolved against the built folder."""
    return [e(folder) if callable(e) else e for e in case.expect]


# --- edits --------------------------------------------------------------------------------------

def sub(old: str, new: str = "") -> Callable[[str], str]:
    """Replace the first ``old`` (which must be there) with ``new``."""
    def edit(text: str) -> str:
        assert old in text, f"corpus edit: {old!r} not in the file"
        return text.replace(old, new, 1)
    return edit


def chain(*edits: Callable[[str], str]) -> Callable[[str], str]:
    def edit(text: str) -> str:
        for e in edits:
            text = e(text)
        return text
    return edit


def append(extra: str) -> Callable[[str], str]:
    return lambda text: text + extra


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def to_csv(rows: list[list[str]], delimiter: str = ",", newline: str = "\n") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buf.getvalue()


def cell(site: str, column: str, value: str) -> Callable[[str], str]:
    """The CSV with the cell (the row of ``site``, ``column``) set to ``value``."""
    def edit(text: str) -> str:
        rows = rows_of(text)
        col = rows[0].index(column)
        hits = [r for r in rows[1:] if r[0] == site]
        assert hits, f"corpus edit: no row {site}"
        hits[0][col] = value
        return to_csv(rows)
    return edit


def drop(column: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        rows = rows_of(text)
        col = rows[0].index(column)
        return to_csv([r[:col] + r[col + 1:] for r in rows])
    return edit


def add_column(name: str, value: str = "") -> Callable[[str], str]:
    def edit(text: str) -> str:
        rows = rows_of(text)
        return to_csv([rows[0] + [name]] + [r + [value] for r in rows[1:]])
    return edit


def site_row(site: str) -> int:
    """The spreadsheet row of ``site`` in the example's sites.csv (header = 1)."""
    return next(i for i, r in enumerate(rows_of(SITES), start=1) if r[0] == site)


def at(file: str, needle: str, rest: str) -> Callable[[Path], str]:
    """``FILE:LINE: rest``: LINE is the first line of the built file that holds ``needle`` (comments skipped)."""
    def line(folder: Path) -> str:
        for number, text in enumerate((folder / file).read_text(encoding="utf-8").splitlines(), start=1):
            if needle in text and not text.lstrip().startswith("#"):
                return f"{file}:{number}: {rest}"
        raise AssertionError(f"corpus: {needle!r} not in the built {file}")
    return line


def line_in(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


def S(needle: str, rest: str) -> Callable[[Path], str]:
    return at("study.toml", needle, rest)


def T(needle: str, rest: str) -> Callable[[Path], str]:
    return at("themes.toml", needle, rest)


def wide_ratings(text: str = RATINGS) -> str:
    """The example's long ratings as a published CFIR table: themes down, sites across."""
    rows = rows_of(text)[1:]
    sites = sorted({r[0] for r in rows}, key=lambda s: int(s[1:]))
    themes = list(dict.fromkeys(r[1] for r in rows))
    grid = {(r[1], r[0]): r[2] for r in rows}
    return to_csv([["theme", "domain", *sites]] + [[t, "", *(grid.get((t, s), "") for s in sites)] for t in themes])


WIDE = wide_ratings()
WIDE_ROWS = rows_of(WIDE)


def xlsx(rows: list[list[object]], *, as_text: bool = False, date_column: str | None = None) -> bytes:
    """An .xlsx workbook of ``rows``: numbers stored as numbers unless ``as_text``; a column of dates."""
    import datetime

    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("sites")
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if r > 0 and date_column is not None and rows[0][c] == date_column:
                sheet.write_datetime(r, c, datetime.datetime.fromisoformat(str(value)), date_format)
                continue
            try:
                number = float(value)
            except (TypeError, ValueError):
                number = None
            if r > 0 and number is not None and not as_text and str(value).upper() != "#N/A":
                sheet.write_number(r, c, number)
            else:
                sheet.write_string(r, c, str(value))
    book.close()
    return buf.getvalue()


SITE_ROWS = rows_of(SITES)


def with_cell(rows: list[list[object]], site: str, column: str, value: object) -> list[list[object]]:
    rows = [list(r) for r in rows]
    col = rows[0].index(column)
    next(r for r in rows if r[0] == site)[col] = value
    return rows


# --- folder-level builders ----------------------------------------------------------------------

def empty_folder(folder: Path) -> Path:
    target = folder.parent / "empty"
    target.mkdir()
    return target


def a_file(folder: Path) -> Path:
    return folder / "study.toml"


def no_such(folder: Path) -> Path:
    return folder.parent / "no-such-study"


def link_outside(folder: Path) -> None:
    outside = folder.parent / "outside"
    outside.mkdir()
    (outside / "sites.csv").write_text(SITES, encoding="utf-8")
    (folder / "sites.csv").unlink()
    (folder / "sites.csv").symlink_to(outside / "sites.csv")


def link_inside(folder: Path) -> None:
    (folder / "data").mkdir()
    (folder / "sites.csv").rename(folder / "data" / "sites.csv")
    (folder / "sites.csv").symlink_to(Path("data") / "sites.csv")


def link_dangling(folder: Path) -> None:
    (folder / "sites.csv").unlink()
    (folder / "sites.csv").symlink_to(folder / "gone.csv")


def link_loop(folder: Path) -> None:
    (folder / "ratings.csv").unlink()
    (folder / "ratings.csv").symlink_to("ratings.csv")


def fifo(folder: Path) -> None:
    (folder / "ratings.csv").unlink()
    os.mkfifo(folder / "ratings.csv")


def fifo_as(name: str) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        (folder / name).unlink(missing_ok=True)
        os.mkfifo(folder / name)
    return make


def zero_device(name: str) -> Callable[[Path], None]:
    """``name`` becomes a character device node like /dev/zero (endless bytes): root may make one."""
    def make(folder: Path) -> None:
        import stat

        (folder / name).unlink(missing_ok=True)
        os.mknod(folder / name, stat.S_IFCHR | 0o644, os.makedev(1, 5))
    return make


def link_to_dev_zero(name: str) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        (folder / name).unlink(missing_ok=True)
        (folder / name).symlink_to("/dev/zero")
    return make


def _can_mknod() -> str | None:
    import stat
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        try:
            os.mknod(Path(d) / "z", stat.S_IFCHR | 0o644, os.makedev(1, 5))
        except (OSError, AttributeError):
            return "cannot make a device node here (not root)"
    return None


def toml_folder(folder: Path) -> None:
    (folder / "study.toml").unlink()
    (folder / "study.toml").mkdir()


def sparse(name: str, size: int) -> Callable[[Path], None]:
    """``name`` becomes a sparse file of ``size`` NUL bytes: no disk used, no memory to make it."""
    def make(folder: Path) -> None:
        with open(folder / name, "wb") as f:
            f.truncate(size)
    return make


def huge_field(folder: Path) -> None:
    rows = rows_of(SITES)
    rows[3][rows[0].index("label")] = "x" * (2 << 20)
    (folder / "sites.csv").write_text(to_csv(rows), encoding="utf-8")


def also(name: str, text: str) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        (folder / name).write_text(text, encoding="utf-8")
    return make


def deny(name: str) -> Callable:
    """A file that cannot be opened (chmod 000 does not stop root): Path.open raises for it."""
    def patch(monkeypatch, folder: Path) -> None:
        real = Path.open

        def fake(self, *args, **kwargs):
            if self.name == name and self.parent.name == folder.name:
                raise PermissionError(13, "Permission denied", str(self))
            return real(self, *args, **kwargs)

        real_os_open = os.open

        def fake_os_open(file, *args, **kwargs):   # cases.textio.open_regular opens with os.open
            target = Path(os.fsdecode(file))
            if target.name == name and target.parent.name == folder.name:
                raise PermissionError(13, "Permission denied", str(target))
            return real_os_open(file, *args, **kwargs)

        monkeypatch.setattr(Path, "open", fake)
        monkeypatch.setattr(os, "open", fake_os_open)
    return patch


def underived(contacts: Callable[[str], str] | None = None) -> Callable[[Path], None]:
    """No metric derives from the contact log (sites.csv holds the three derived columns); the log,
    still present, is then changed by ``contacts``."""
    def make(folder: Path) -> None:
        from cases.loader import load_study

        example = load_study(EXAMPLE)
        keys = [k for k, m in example.metrics.items() if m.derive is not None]
        rows = rows_of(SITES)
        rows[0] += keys
        for r in rows[1:]:
            r += [f"{example.value(r[0], k):g}" for k in keys]
        (folder / "sites.csv").write_text(to_csv(rows), encoding="utf-8")
        text = re.sub(r"^derive = .*\n", "", STUDY, flags=re.M)
        (folder / "study.toml").write_text(text, encoding="utf-8")
        if contacts is not None:
            (folder / "contacts.csv").write_text(contacts(CONTACTS), encoding="utf-8")
    return make


def no_search(monkeypatch, folder: Path) -> None:
    """The study folder without search (x) permission (chmod a-x does not stop root): looking up
    any name inside it fails with EACCES."""
    real_stat, real_lstat = os.stat, os.lstat

    def inside(path) -> bool:
        try:
            return Path(os.fsdecode(path)).parent == folder
        except TypeError:   # a file descriptor
            return False

    def fake(real):
        def call(path, *args, **kwargs):
            if inside(path):
                raise PermissionError(13, "Permission denied", os.fsdecode(path))
            return real(path, *args, **kwargs)
        return call

    monkeypatch.setattr(os, "stat", fake(real_stat))
    monkeypatch.setattr(os, "lstat", fake(real_lstat))


def snapshot(text: str | bytes | None) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder.parent / "bad.toml"
        if text is not None:
            path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        return path
    return make


def attribute(site: str, name: str, value: str) -> Callable:
    def check(study) -> None:
        found = next(s for s in study.sites if s.id == site)
        assert found.attributes[name] == value, (found.attributes[name], value)
    return check


def value(site: str, metric: str, number: float) -> Callable:
    def check(study) -> None:
        found = next(s for s in study.sites if s.id == site)
        assert found.values[metric] == number, (found.values[metric], number)
    return check


# --- the corpus ---------------------------------------------------------------------------------

OWN_THEMES = """\
[[theme]]
id = "own-theme"
title = "A theme of the study"
domain = "Inner setting"
sources = ["10.1000/example"]
"""

NASTY = "Kestr\u00e9l Vale"  # a non-ASCII label: Latin-1 and UTF-16 bytes differ from UTF-8
SITES_ACCENT = SITES.replace("Kestrel Vale", NASTY)

CASES: list[Case] = [
    # ---- the folder itself
    Case("empty-folder", "folder", empty_folder, (
        "study.toml: is missing: every study folder needs a study.toml",
        "sites.csv: is missing: a study needs a sites file (sites.csv, sites.tsv, sites.parquet, sites.xlsx)",
    )),
    Case("path-is-a-file", "folder", a_file, ("study/study.toml: is not a folder",)),
    Case("no-such-folder", "folder", no_such, ("no-such-study: no such study folder",)),
    Case("study-toml-missing", "folder", {"study.toml": None}, (
        "study.toml: is missing: every study folder needs a study.toml",)),
    Case("sites-missing", "folder", {"sites.csv": None}, (
        "sites.csv: is missing: a study needs a sites file (sites.csv, sites.tsv, sites.parquet, sites.xlsx)",)),
    Case("study-toml-is-a-folder", "folder", toml_folder, ("study.toml: is not a regular file",)),

    # ---- study.toml: syntax and tables
    Case("toml-syntax-error", "study.toml", {"study.toml": sub('[outcome]', '[outcome')}, (
        S("[outcome", "TOML syntax error: Expected ']' at the end of a table declaration"),)),
    Case("toml-empty", "study.toml", {"study.toml": "\n  \n"}, ("study.toml: is empty",)),
    Case("toml-unknown-table", "study.toml", {"study.toml": append('\n[colours]\nhigh = "green"\n')}, (
        S("[colours]", "unknown table [colours] (allowed: condition, disclosure, distinguishing, link, metrics, outcome, qca, study)"),)),
    Case("toml-no-study-table", "study.toml", {"study.toml": sub("[study]\n", "[about]\n")}, (
        "study.toml: needs a [study] table",
        S("[about]", "unknown table [about] (allowed: condition, disclosure, distinguishing, link, metrics, outcome, qca, study)"),
    )),
    Case("study-title-missing", "study.toml", {"study.toml": sub('title = "Peer support', '# title = "')}, (
        S("[study]", '[study] needs title = "..."'),)),
    Case("study-title-not-text", "study.toml", {"study.toml": sub('title = "Peer', 'title = 3 # "')}, (
        S("title = 3", "[study] title must be a non-empty text"),)),
    Case("study-title-blank", "study.toml", {"study.toml": sub('title = "Peer', 'title = "  " # "')}, (
        S('title = "  "', "[study] title must be a non-empty text"),)),
    Case("study-description-not-text", "study.toml", {"study.toml": sub('description = "', 'description = 7 # "')}, (
        S("description = 7", "[study] description must be a non-empty text"),)),
    Case("study-synthetic-not-bool", "study.toml", {"study.toml": sub("synthetic = true", 'synthetic = "yes"')}, (
        S('synthetic = "yes"', "[study] synthetic must be true or false"),)),
    Case("study-unknown-key", "study.toml", {"study.toml": sub("synthetic = true", "synthetic = true\nauthor = \"me\"")}, (
        S('author = "me"', '[study] has an unknown key "author" (allowed: description, synthetic, title)'),)),

    Case("toml-nested-5000-deep", "study.toml", {"study.toml": append("\nx = " + "[" * 5000 + "]" * 5000 + "\n")}, (
        S("x = [[[", "arrays or tables are nested too deeply to read (more than a few hundred levels)"),)),
    Case("toml-inline-tables-nested-5000-deep", "study.toml", {"study.toml": append("\nx = " + "{a = " * 5000 + "1" + "}" * 5000 + "\n")}, (
        S("x = {a = ", "arrays or tables are nested too deeply to read (more than a few hundred levels)"),)),
    Case("themes-nested-5000-deep", "themes", {"themes.toml": OWN_THEMES + "x = " + "[" * 5000 + "]" * 5000 + "\n"}, (
        T("x = [[[", "arrays or tables are nested too deeply to read (more than a few hundred levels)"),)),
    # ---- study.toml: metrics
    Case("metrics-none", "metrics", {"study.toml": '[study]\ntitle = "x"\n\n[outcome]\nmetric = "fidelity"\n\n[metrics]\n'}, (
        S("[metrics]", "defines no metric: add a [metrics.NAME] table per metric column"),
        S('metric = "fidelity"', '[outcome] metric "fidelity" is not a defined metric'),
    )),
    Case("metric-label-missing", "metrics", {"study.toml": sub('label = "Supervisors"\n')}, (
        S("[metrics.supervisors]", '[metrics.supervisors] needs label = "..."'),)),
    Case("metric-label-not-text", "metrics", {"study.toml": sub('label = "Supervisors"', "label = 5")}, (
        S("label = 5", "[metrics.supervisors] label must be a non-empty text"),)),
    Case("metric-unit-not-text", "metrics", {"study.toml": sub('unit = "supervision hours', 'unit = 4 # "')}, (
        S("unit = 4", "[metrics.supervisor_hours] unit must be a non-empty text"),)),
    Case("metric-min-not-number", "metrics", {"study.toml": sub('label = "Supervisors"\nmin = 0', 'label = "Supervisors"\nmin = "0"')}, (
        S('min = "0"', "[metrics.supervisors] min must be a number, not '0'"),)),
    Case("metric-max-not-number", "metrics", {"study.toml": sub("min = 0.0\nmax = 40.0", "min = 0.0\nmax = true")}, (
        S("max = true", "[metrics.supervisor_hours] max must be a number, not True"),)),
    Case("metric-max-nan", "metrics", {"study.toml": sub("min = 0.0\nmax = 40.0", "min = 0.0\nmax = nan")}, (
        S("max = nan", "[metrics.supervisor_hours] max must be a number, not nan"),)),
    Case("metric-min-too-large", "metrics", {"study.toml": sub("min = 0.0\nmax = 40.0", "min = 10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\nmax = 40.0")}, (
        S("min = 1000", "[metrics.supervisor_hours] min is too large (the largest number crosscase reads is about 1.8e308)"),)),
    Case("metric-max-too-large", "metrics", {"study.toml": sub("min = 0.0\nmax = 40.0", "min = 0.0\nmax = -10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000")}, (
        S("max = -1000", "[metrics.supervisor_hours] max is too large (the largest number crosscase reads is about 1.8e308)"),)),
    Case("metric-min-above-max", "metrics", {"study.toml": sub("min = 0.0\nmax = 40.0", "min = 50.0\nmax = 40.0")}, (
        S("min = 50.0", "[metrics.supervisor_hours] min 50 is above max 40"),)),
    Case("metric-higher-is-better-not-bool", "metrics", {"study.toml": sub('label = "Supervisors"', 'label = "Supervisors"\nhigher_is_better = 1')}, (
        S("higher_is_better = 1", "[metrics.supervisors] higher_is_better must be true or false"),)),
    Case("metric-count-not-bool", "metrics", {"study.toml": sub("min = 0\ncount = false", 'min = 0\ncount = "no"')}, (
        S('count = "no"', "[metrics.peer_workers] count must be true or false"),)),
    Case("metric-unknown-key", "metrics", {"study.toml": sub('label = "Supervisors"', 'label = "Supervisors"\nscale = "ordinal"')}, (
        S('scale = "ordinal"', '[metrics.supervisors] has an unknown key "scale" (allowed: count, derive, higher_is_better, label, max, min, unit)'),)),
    Case("metric-not-a-table", "metrics", {"study.toml": append("\n[metrics]\nstaff = 3\n")}, (
        S("staff = 3", "[metrics.staff] must be a table"),)),
    Case("metric-column-missing", "metrics", {"sites.csv": drop("supervisors")}, (
        'sites.csv: no column "supervisors" for [metrics.supervisors]',)),
    Case("metric-not-a-number", "metrics", {"sites.csv": cell("S3", "fidelity", "high")}, (
        f'sites.csv:{site_row("S3")}: fidelity: "high" is not a number',)),
    Case("metric-below-min", "metrics", {"sites.csv": cell("S2", "fidelity", "0.5")}, (
        f"sites.csv:{site_row('S2')}: fidelity: 0.5 is below the minimum 1",)),
    Case("metric-above-max", "metrics", {"sites.csv": cell("S6", "supervisor_hours", "41")}, (
        f"sites.csv:{site_row('S6')}: supervisor_hours: 41 is above the maximum 40",)),
    Case("metric-infinite", "metrics", {"sites.csv": cell("S6", "supervisor_hours", "inf")}, (
        f'sites.csv:{site_row("S6")}: supervisor_hours: "inf" is not a number',)),
    Case("metric-underscore-digits", "metrics", {"sites.csv": cell("S6", "supervisor_hours", "1_5")}, (
        f'sites.csv:{site_row("S6")}: supervisor_hours: "1_5" is not a number',)),
    Case("metric-other-script-digits", "metrics", {"sites.csv": cell("S6", "supervisor_hours", "\u0661\u0665")}, (
        f'sites.csv:{site_row("S6")}: supervisor_hours: "\u0661\u0665" is not a number',)),
    Case("metric-infinity-word", "metrics", {"sites.csv": cell("S6", "supervisor_hours", "-Infinity")}, (
        f'sites.csv:{site_row("S6")}: supervisor_hours: "-Infinity" is not a number',)),
    Case("metric-overflowing-exponent", "metrics", {"sites.csv": cell("S6", "supervisor_hours", "1e999")}, (
        f'sites.csv:{site_row("S6")}: supervisor_hours: "1e999" is not a number',)),
    Case("metric-count-not-whole", "metrics", {"study.toml": sub("min = 0\ncount = false", "min = 0\ncount = true"),
                                               "sites.csv": cell("S4", "peer_workers", "2.5")}, (
        f"sites.csv:{site_row('S4')}: peer_workers: 2.5 is not a whole number, but [metrics.peer_workers] is a count",)),
    Case("metric-empty-is-missing", "metrics", {"sites.csv": cell("S4", "fidelity", "")}, exit=0,
         check=value("S5", "fidelity", 3.85)),

    # ---- study.toml: derive
    Case("derive-not-a-table", "derive", {"study.toml": sub('derive = { from = "contacts", rule = "mean_contacts" }', 'derive = "contacts"')}, (
        S('derive = "contacts"', '[metrics.contacts_per_participant] derive must be a table: { from = "contacts", rule = "..." }'),)),
    Case("derive-from-not-contacts", "derive", {"study.toml": sub('{ from = "contacts", rule = "mean_contacts" }', '{ from = "sites", rule = "mean_contacts" }')}, (
        S('from = "sites"', '[metrics.contacts_per_participant] derive.from must be "contacts"'),)),
    Case("derive-unknown-rule", "derive", {"study.toml": sub('rule = "mean_contacts"', 'rule = "mode_contacts"')}, (
        S("mode_contacts", "[metrics.contacts_per_participant] derive.rule 'mode_contacts' is not one of "
                           "share_with_at_least, mean_contacts, median_contacts, participants"),)),
    Case("derive-unknown-key", "derive", {"study.toml": sub('rule = "mean_contacts" }', 'rule = "mean_contacts", per = "site" }')}, (
        S('per = "site"', '[metrics.contacts_per_participant] derive has an unknown key "per"'),)),
    Case("derive-n-zero", "derive", {"study.toml": sub('rule = "share_with_at_least", n = 1', 'rule = "share_with_at_least", n = 0')}, (
        S("n = 0 }", "[metrics.engagement] derive.n must be a whole number of at least 1"),)),
    Case("derive-n-on-mean", "derive", {"study.toml": sub('rule = "mean_contacts" }', 'rule = "mean_contacts", n = 2 }')}, (
        S("n = 2", '[metrics.contacts_per_participant] derive.n applies only to rule "share_with_at_least"'),)),
    Case("derive-column-in-sites", "derive", {"sites.csv": add_column("engagement", "0.5")}, (
        "sites.csv:1: engagement: [metrics.engagement] is derived from contacts, so sites must not have this column",)),
    Case("derive-without-contacts", "derive", {"contacts.csv": None}, (
        S("derive = {", "[metrics.engagement] is derived from contacts, but the study has no contacts file"),)),
    Case("derive-median-loads", "derive", {"study.toml": sub('rule = "mean_contacts"', 'rule = "median_contacts"')}, exit=0),

    # ---- study.toml: outcome and the split rules
    Case("outcome-missing", "outcome", {"study.toml": sub("[outcome]\n", "[result]\n")}, (
        "study.toml: needs a [outcome] table",
        S("[result]", "unknown table [result] (allowed: condition, disclosure, distinguishing, link, metrics, outcome, qca, study)"),
    )),
    Case("outcome-metric-missing", "outcome", {"study.toml": sub('metric = "engagement"\n')}, (
        S("[outcome]", '[outcome] needs metric = "..."'),)),
    Case("outcome-metric-unknown", "outcome", {"study.toml": sub('metric = "engagement"', 'metric = "engagment"')}, (
        S('metric = "engagment"', '[outcome] metric "engagment" is not a defined metric'),)),
    Case("outcome-unknown-key", "outcome", {"study.toml": sub('split = "median"', 'split = "median"\ncut = 0.5')}, (
        S("cut = 0.5", '[outcome] has an unknown key "cut" (allowed: high, low, metric, second, split, threshold)'),)),
    Case("split-unknown", "outcome", {"study.toml": sub('split = "median"', 'split = "mean"')}, (
        S('split = "mean"', "[outcome] split 'mean' is not one of median, threshold, tertiles, quadrants, explicit"),)),
    Case("split-threshold-without-threshold", "outcome", {"study.toml": sub('split = "median"', 'split = "threshold"')}, (
        S('split = "threshold"', '[outcome] split = "threshold" needs threshold = <number>'),)),
    Case("split-threshold-not-number", "outcome", {"study.toml": sub('split = "median"', 'split = "threshold"\nthreshold = "half"')}, (
        S('threshold = "half"', "[outcome] threshold must be a number, not 'half'"),)),
    Case("split-threshold-loads", "outcome", {"study.toml": sub('split = "median"', 'split = "threshold"\nthreshold = 0.5')}, exit=0),
    Case("split-threshold-too-large", "outcome", {"study.toml": sub('split = "median"', 'split = "threshold"\nthreshold = 10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000')}, (
        S("threshold = 1000", "[outcome] threshold is too large (the largest number crosscase reads is about 1.8e308)"),)),
    Case("split-quadrants-without-second", "outcome", {"study.toml": sub('split = "median"\nsecond = "fidelity"', 'split = "quadrants"')}, (
        S('split = "quadrants"', '[outcome] split = "quadrants" needs second = "<metric>"'),)),
    Case("split-quadrants-second-unknown", "outcome", {"study.toml": sub('split = "median"\nsecond = "fidelity"', 'split = "quadrants"\nsecond = "fidelty"')}, (
        S('second = "fidelty"', '[outcome] second "fidelty" is not a defined metric'),)),
    Case("split-quadrants-second-is-outcome", "outcome", {"study.toml": sub('split = "median"\nsecond = "fidelity"', 'split = "quadrants"\nsecond = "engagement"')}, (
        S('second = "engagement"', "[outcome] second must be another metric than the outcome"),)),
    Case("split-quadrants-loads", "outcome", {"study.toml": sub('split = "median"', 'split = "quadrants"')}, exit=0),
    Case("split-tertiles-loads", "outcome", {"study.toml": sub('split = "median"', 'split = "tertiles"')}, exit=0),
    Case("split-explicit-without-lists", "outcome", {"study.toml": sub('split = "median"', 'split = "explicit"')}, (
        S('split = "explicit"', '[outcome] split = "explicit" needs high = ["site", ...]'),
        S('split = "explicit"', '[outcome] split = "explicit" needs low = ["site", ...]'),
    )),
    Case("split-explicit-site-in-both", "outcome", {"study.toml": sub('split = "median"', 'split = "explicit"\nhigh = ["S1", "S3"]\nlow = ["S3", "S7"]')}, (
        S("low = [", '[outcome] site "S3" is in both high and low'),)),
    Case("split-explicit-unknown-site", "outcome", {"study.toml": sub('split = "median"', 'split = "explicit"\nhigh = ["S1", "S9"]\nlow = ["S7"]')}, (
        S("high = [", '[outcome] high: "S9" is not a site in the sites file'),)),
    Case("split-explicit-not-a-list", "outcome", {"study.toml": sub('split = "median"', 'split = "explicit"\nhigh = "S1"\nlow = ["S7"]')}, (
        S('high = "S1"', "[outcome] high must be a list of site ids"),)),

    # ---- study.toml: distinguishing, disclosure, conditions
    Case("distinguishing-unknown-rule", "distinguishing", {"study.toml": sub('rule = "gap"', 'rule = "vibes"')}, (
        re.compile(r'study\.toml:\d+: \[distinguishing\] rule "vibes" is not one of [a-z_, ]+'),)),
    Case("distinguishing-unknown-parameter", "distinguishing", {"study.toml": sub('rule = "gap"', 'rule = "gap"\nstrength = 2')}, (
        re.compile(r'study\.toml:\d+: \[distinguishing\] rule "gap" has no parameter "strength" \(it has: [a-z_, ]+\)'),)),
    Case("distinguishing-parameter-not-number", "distinguishing", {"study.toml": sub('rule = "gap"', 'rule = "gap"\nstrong_diff = "big"')}, (
        S('strong_diff = "big"', "[distinguishing] strong_diff must be a number"),)),
    Case("distinguishing-rule-not-text", "distinguishing", {"study.toml": sub('rule = "gap"', "rule = 2")}, (
        S("rule = 2", "[distinguishing] rule must be a text"),)),
    Case("distinguishing-not-a-table", "distinguishing", {"study.toml": chain(sub('[distinguishing]\nrule = "gap"\n'), lambda t: "distinguishing = \"gap\"\n" + t)}, (
        "study.toml:1: [distinguishing] must be a table",)),
    Case("disclosure-min-count-negative", "disclosure", {"study.toml": sub("min_count = 10", "min_count = -1")}, (
        S("min_count = -1", "[disclosure] min_count must be a whole number of 0 or more"),)),
    Case("disclosure-min-count-text", "disclosure", {"study.toml": sub("min_count = 10", 'min_count = "10"')}, (
        S('min_count = "10"', "[disclosure] min_count must be a whole number of 0 or more"),)),
    Case("disclosure-min-count-float", "disclosure", {"study.toml": sub("min_count = 10", "min_count = 10.5")}, (
        S("min_count = 10.5", "[disclosure] min_count must be a whole number of 0 or more"),)),
    Case("disclosure-pseudonymise-not-bool", "disclosure", {"study.toml": sub("pseudonymise = false", 'pseudonymise = "no"')}, (
        S('pseudonymise = "no"', "[disclosure] pseudonymise must be true or false"),)),
    Case("disclosure-unknown-key", "disclosure", {"study.toml": sub("min_count = 10", "min_count = 10\nround_to = 5")}, (
        S("round_to = 5", '[disclosure] has an unknown key "round_to" (allowed: min_count, pseudonymise)'),)),
    Case("disclosure-not-a-table", "disclosure", {"study.toml": chain(sub("[disclosure]\nmin_count = 10\n"), sub("pseudonymise = false       #", "#"),
                                                                      lambda t: "disclosure = 10\n" + t)}, (
        "study.toml:1: [disclosure] must be a table",)),
    # pseudonymise on: no problem line names a site id or label (the row says where the problem is)
    Case("pseudonymised-duplicate-id", "disclosure", {"study.toml": sub("pseudonymise = false", "pseudonymise = true"),
                                                     "sites.csv": append(SITES.splitlines()[3].replace("Eastbrook", "Eastbrook again") + "\n")}, (
        f'sites.csv:{len(SITE_ROWS) + 1}: site: [site id withheld (pseudonymise)] appears twice (first at row {site_row("S3")})',)),
    Case("pseudonymised-unknown-ids", "disclosure", {
        "study.toml": chain(sub("pseudonymise = false", "pseudonymise = true"),
                            sub('split = "median"', 'split = "explicit"\nhigh = ["S1", "S9"]\nlow = ["S7", "Northgate"]')),
        "contacts.csv": sub("S1,P0001,2017-06-11,60", "S9,P0001,2017-06-11,60"),
        "ratings.csv": chain(sub("S1,leadership-support,+1", "Kestrel Vale,leadership-support,+1"),
                             append("S2,leadership-support,-1,again\n"))}, (
        S("high = [", '[outcome] high: [site id withheld (pseudonymise)] is not a site in the sites file'),
        S("low = [", '[outcome] low: [site id withheld (pseudonymise)] is not a site in the sites file'),
        'contacts.csv:2: site: [site id withheld (pseudonymise)] is not a site in the sites file',
        'ratings.csv:2: site: [site id withheld (pseudonymise)] is not a site in the sites file',
        re.compile(r'ratings\.csv:\d+: theme: site \[site id withheld \(pseudonymise\)\] already has a rating of "leadership-support" \(row \d+\)'),
    )),
    Case("pseudonymised-wide-header", "disclosure", {"study.toml": sub("pseudonymise = false", "pseudonymise = true"), "ratings.csv": None,
                                                    "ratings-wide.csv": WIDE.replace(",S7\n", ",S8\n", 1)}, (
        'ratings-wide.csv:1: [site id withheld (pseudonymise)]: [site id withheld (pseudonymise)] is not a site id in the sites file',)),
    Case("pseudonymised-toml-broken", "disclosure", {"study.toml": chain(sub("pseudonymise = false", "pseudonymise = true"), sub("[outcome]", "[outcome")),
                                                    "contacts.csv": sub("S1,P0001,2017-06-11,60", "S9,P0001,2017-06-11,60")}, (
        S("[outcome", "TOML syntax error: Expected ']' at the end of a table declaration"),), exact=False),
    Case("pseudonymised-spaces-around-participant", "disclosure", {"study.toml": sub("pseudonymise = false", "pseudonymise = true"),
                                                                  "contacts.csv": sub("S1,P0001,2017-07-08,85", "S1, P0001 ,2017-07-08,85")}, (
        "contacts.csv:3: participant: [participant id withheld (pseudonymise)] has spaces around the id",)),
    Case("condition-neither-metric-nor-attribute", "conditions", {"study.toml": sub('metric = "supervisor_hours"\nat_least = 4', "at_least = 4")}, (
        lambda folder: _condition_line(folder, 0, None, "[[condition]] needs either metric (with at_least or at_most) or attribute (with equals)"),)),
    Case("condition-both-metric-and-attribute", "conditions", {"study.toml": sub('attribute = "employer"', 'attribute = "employer"\nmetric = "fidelity"')}, (
        lambda folder: _condition_line(folder, 2, None, "[[condition]] needs either metric (with at_least or at_most) or attribute (with equals)"),)),
    Case("condition-metric-unknown", "conditions", {"study.toml": sub('metric = "supervisor_hours"\nat_least', 'metric = "supervisor_hrs"\nat_least')}, (
        S('metric = "supervisor_hrs"', '[[condition]] metric "supervisor_hrs" is not a defined metric'),)),
    Case("condition-both-bounds", "conditions", {"study.toml": sub("at_least = 4\n", "at_least = 4\nat_most = 8\n")}, (
        lambda folder: _condition_line(folder, 0, "metric", "[[condition]] with a metric needs exactly one of at_least or at_most"),)),
    Case("condition-no-bound", "conditions", {"study.toml": sub("at_least = 4\n")}, (
        lambda folder: _condition_line(folder, 0, "metric", "[[condition]] with a metric needs exactly one of at_least or at_most"),)),
    Case("condition-bound-not-number", "conditions", {"study.toml": sub("at_least = 4\n", 'at_least = "four"\n')}, (
        S('at_least = "four"', "[[condition]] at_least must be a number, not 'four'"),)),
    Case("condition-bound-too-large", "conditions", {"study.toml": sub("at_least = 4\n", "at_least = 10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\n")}, (
        S("at_least = 1000", "[[condition]] at_least is too large (the largest number crosscase reads is about 1.8e308)"),)),
    Case("distinguishing-parameter-too-large", "distinguishing", {"study.toml": sub('rule = "gap"', 'rule = "gap"\nstrong_diff = 10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000')}, (
        S("strong_diff = 1000", "[distinguishing] strong_diff is too large (the largest number crosscase reads is about 1.8e308)"),)),
    Case("distinguishing-parameter-infinite", "distinguishing", {"study.toml": sub('rule = "gap"', 'rule = "gap"\nstrong_diff = inf')}, (
        S("strong_diff = inf", "[distinguishing] strong_diff must be a finite number"),)),
    Case("derive-n-too-large", "derive", {"study.toml": sub('rule = "share_with_at_least", n = 1', 'rule = "share_with_at_least", n = 10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000')}, (
        S("n = 1000", "[metrics.engagement] derive.n must be a whole number from 1 to 1000000000"),)),
    Case("condition-equals-with-metric", "conditions", {"study.toml": sub("at_least = 4\n", 'at_least = 4\nequals = "yes"\n')}, (
        S('equals = "yes"', "[[condition]] equals goes with attribute, not metric"),)),
    Case("condition-attribute-unknown", "conditions", {"study.toml": sub('attribute = "employer"', 'attribute = "employr"')}, (
        S('attribute = "employr"', '[[condition]] attribute "employr" is not a column of the sites file'),)),
    Case("condition-equals-missing", "conditions", {"study.toml": sub('equals = "NHS"\n')}, (
        S('attribute = "employer"', '[[condition]] with an attribute needs equals = "value"'),)),
    Case("condition-name-twice", "conditions", {"study.toml": sub('name = "Urban setting"', 'name = "NHS employer"')}, (
        lambda folder: _condition_line(folder, 3, "name", '[[condition]] name "NHS employer" is used twice'),)),
    Case("condition-name-missing", "conditions", {"study.toml": sub('name = "Urban setting"\n')}, (
        lambda folder: _condition_line(folder, 3, None, '[[condition]] needs name = "..."'),)),
    Case("condition-unknown-key", "conditions", {"study.toml": sub('equals = "NHS"', 'equals = "NHS"\nignore_case = true')}, (
        S("ignore_case = true", '[[condition]] has an unknown key "ignore_case" (allowed: at_least, at_most, attribute, equals, metric, name)'),)),
    Case("condition-not-array-of-tables", "conditions", {"study.toml": lambda t: "condition = 3\n" + t.split("[[condition]]")[0]}, (
        "study.toml:1: condition must be written as [[condition]] tables",)),

    # ---- study.toml: [[link]] (analysis.md section 1; the example has two links)
    Case("link-theme-unknown", "link-tables", {"study.toml": sub('theme = "supervisor-resourcing"', 'theme = "supervisor-resourcng"')}, (
        S('theme = "supervisor-resourcng"', '[[link]] theme "supervisor-resourcng" is not a theme in themes.toml or the built-in catalogue'),)),
    Case("link-metric-unknown", "link-tables", {"study.toml": sub('ward-staff-relationships"\nmetric = "ward_relationship"', 'ward-staff-relationships"\nmetric = "ward_relations"')}, (
        S('metric = "ward_relations"', '[[link]] metric "ward_relations" is not a defined metric'),)),
    Case("link-to-the-outcome", "link-tables", {"study.toml": sub('ward-staff-relationships"\nmetric = "ward_relationship"', 'ward-staff-relationships"\nmetric = "engagement"')}, (
        lambda folder: f'study.toml:{_nth_line(folder / "study.toml", "ward-staff-relationships", 1) + 1}: [[link]] metric "engagement" '
                       'is the outcome: a link ties a theme to another metric (the outcome splits the sites)',)),
    Case("link-twice", "link-tables", {"study.toml": append('\n[[link]]\ntheme = "supervisor-resourcing"\nmetric = "supervisor_hours"\n')}, (
        lambda folder: f'study.toml:{_nth_line(folder / "study.toml", "[[link]]", 3)}: [[link]] theme "supervisor-resourcing" and '
                       f'metric "supervisor_hours" are linked twice (first at line {_nth_line(folder / "study.toml", "[[link]]", 1)})',)),
    Case("link-unknown-key", "link-tables", {"study.toml": sub('ward-staff-relationships"\nmetric = "ward_relationship"\n', 'ward-staff-relationships"\nmetric = "ward_relationship"\nfit = "confirmation"\n')}, (
        S('fit = "confirmation"', '[[link]] has an unknown key "fit" (allowed: metric, theme)'),)),
    Case("link-no-metric", "link-tables", {"study.toml": sub('ward-staff-relationships"\nmetric = "ward_relationship"\n', 'ward-staff-relationships"\n')}, (
        lambda folder: f'study.toml:{_nth_line(folder / "study.toml", "[[link]]", 2)}: [[link]] needs metric = "..."',)),
    Case("link-theme-not-text", "link-tables", {"study.toml": sub('theme = "ward-staff-relationships"', "theme = 3")}, (
        S("theme = 3", "[[link]] theme must be a non-empty text"),)),
    Case("link-not-array-of-tables", "link-tables", {"study.toml": lambda t: 'link = "supervisor_hours"\n' + t.split("[[link]]")[0]}, (
        "study.toml:1: link must be written as [[link]] tables",)),
    Case("link-to-an-own-theme-loads", "link-tables", {"themes.toml": OWN_THEMES, "ratings.csv": append("S1,own-theme,+1,\n"),
                                                 "study.toml": append('\n[[link]]\ntheme = "own-theme"\nmetric = "peer_workers"\n')},
         exit=0, check=lambda s: _links(s, [("supervisor-resourcing", "supervisor_hours"), ("ward-staff-relationships", "ward_relationship"),
                                           ("own-theme", "peer_workers")])),
    Case("links-none-loads", "link-tables", {"study.toml": lambda t: t.split("\n# Statistics by themes")[0] + "\n"}, exit=0,
         check=lambda s: _links(s, [])),

    # ---- sites.csv
    Case("sites-empty", "sites", {"sites.csv": ""}, ("sites.csv: is empty",)),
    Case("sites-header-only", "sites", {"sites.csv": SITES.splitlines()[0] + "\n"}, ("sites.csv: has a header but no site rows",)),
    Case("sites-no-site-column", "sites", {"sites.csv": sub("site,label,", "id,label,")}, ('sites.csv: no column "site"',)),
    Case("sites-duplicate-id", "sites", {"sites.csv": append(SITES.splitlines()[3].replace("Eastbrook", "Eastbrook again") + "\n")}, (
        f'sites.csv:{len(SITE_ROWS) + 1}: site: "S3" appears twice (first at row {site_row("S3")})',)),
    # ids equal after Unicode normalisation (NFC: "é" as one code point, or as "e" and a combining accent)
    Case("sites-duplicate-id-nfc", "sites", {"sites.csv": append(SITES.splitlines()[3].replace("S3,", "Caf\u00e9,", 1) + "\n"
                                                                 + SITES.splitlines()[3].replace("S3,", "Cafe\u0301,", 1) + "\n")}, (
        f'sites.csv:{len(SITE_ROWS) + 2}: site: "Cafe\u0301" appears twice (first at row {len(SITE_ROWS) + 1}, written with other '
        'Unicode code points: "Cafe\\u0301" and "Caf\\u00e9")',)),
    # an invisible character inside an id is shown, so the difference can be seen
    Case("contacts-zero-width-space-in-id", "contacts", {"contacts.csv": sub("S1,P0001,2017-06-11,60", "S\u200b1,P0001,2017-06-11,60")}, (
        'contacts.csv:2: site: "S\\u200b1" is not a site in the sites file',)),
    Case("ratings-bom-inside-id", "ratings", {"ratings.csv": sub("S1,leadership-support,+1", "\ufeffS1,leadership-support,+1")}, (
        'ratings.csv:2: site: "\\ufeffS1" is not a site in the sites file',)),
    # the row of S4 is rejected, so S4's contacts and ratings name an unknown site (not exact: those follow)
    Case("sites-empty-id", "sites", {"sites.csv": cell("S4", "site", " ")}, (
        f"sites.csv:{site_row('S4')}: site: the site id is empty",
        re.compile(r'ratings\.csv:\d+: site: "S4" is not a site in the sites file'),
    ), exact=False),
    Case("sites-duplicate-column", "sites", {"sites.csv": sub("site,label,employer,", "site,label,employer,employer,")}, (
        "sites.csv:1: employer: the column appears twice",)),
    Case("sites-row-too-long", "sites", {"sites.csv": sub("S5,Ashcombe,NHS,Rural,3,1,3.85,4.10,4.00,3.60,3.70,4.0,4",
                                                          "S5,Ashcombe,NHS,Rural,3,1,3.85,4.10,4.00,3.60,3.70,4.0,4,extra")}, (
        f"sites.csv:{site_row('S5')}: has 14 fields but the header has 13",)),
    Case("sites-unclosed-quote", "sites", {"sites.csv": sub("S5,Ashcombe,", 'S5,"Ashcombe,')}, (
        re.compile(r"sites\.csv:\d+: cannot be read as CSV: .+"),)),
    Case("sites-two-files", "sites", also("sites.tsv", to_csv(SITE_ROWS, "\t")), (
        "sites.tsv: a study has one sites file, but sites.csv and sites.tsv are both present",)),
    Case("sites-tsv-loads", "sites", {"sites.csv": None, "sites.tsv": to_csv(SITE_ROWS, "\t")}, exit=0),
    Case("sites-attribute-unicode-loads", "sites", {"sites.csv": SITES_ACCENT}, exit=0, check=lambda s: _label("S6", NASTY)(s)),

    # ---- contacts.csv
    Case("contacts-unknown-site", "contacts", {"contacts.csv": sub("S1,P0001,2017-06-11,60", "S9,P0001,2017-06-11,60")}, (
        'contacts.csv:2: site: "S9" is not a site in the sites file',)),
    Case("contacts-no-participant-column", "contacts", {"contacts.csv": sub("site,participant,", "site,person,")}, (
        'contacts.csv: no column "participant"',)),
    Case("contacts-bad-date", "contacts", {"contacts.csv": sub("S1,P0001,2017-07-08,85", "S1,P0001,08/07/2017,85")}, (
        'contacts.csv:3: date: "08/07/2017" is not an ISO date (YYYY-MM-DD)',)),
    Case("contacts-negative-minutes", "contacts", {"contacts.csv": sub("S1,P0001,2017-07-08,85", "S1,P0001,2017-07-08,-5")}, (
        'contacts.csv:3: minutes: "-5" is not a number of minutes (0 or more)',)),
    Case("contacts-infinite-minutes", "contacts", {"contacts.csv": sub("S1,P0001,2017-07-08,85", "S1,P0001,2017-07-08,inf")}, (
        'contacts.csv:3: minutes: "inf" is not a number of minutes (0 or more)',)),
    Case("contacts-underscore-minutes", "contacts", {"contacts.csv": sub("S1,P0001,2017-07-08,85", "S1,P0001,2017-07-08,8_5")}, (
        'contacts.csv:3: minutes: "8_5" is not a number of minutes (0 or more)',)),
    Case("contacts-nul-after-64kb", "encodings", {"contacts.csv": lambda t: t + "".join(
        f"S2,Q{i:05d},2017-06-11,30\n" for i in range(4000)) + "S3,P\x00001,2017-06-11,30\n"}, (
        f"contacts.csv:{len(CONTACTS.splitlines()) + 4001}: holds a NUL character: is it a binary file?",)),
    Case("contacts-nul-after-64kb-in-unused-column", "encodings", {"contacts.csv": lambda t: t.replace("\n", ",x\n").replace(
        "minutes,x", "minutes,note", 1) + "".join(f"S2,Q{i:05d},2017-06-11,30,x\n" for i in range(4000)) + "S3,P0001,2017-06-11,30,\x00\n"}, (
        f"contacts.csv:{len(CONTACTS.splitlines()) + 4001}: holds a NUL character: is it a binary file?",)),
    Case("contacts-empty-participant", "contacts", {"contacts.csv": sub("S1,P0001,2017-07-08,85", "S1,,2017-07-08,85")}, (
        "contacts.csv:3: participant: the participant id is empty",)),
    Case("contacts-spaces-around-id", "contacts", {"contacts.csv": sub("S1,P0001,2017-07-08,85", "S1, P0001 ,2017-07-08,85")}, (
        'contacts.csv:3: participant: " P0001 " has spaces around the id',)),
    # ... also when no metric derives from the log (it is checked whenever it is there)
    Case("contacts-underived-loads", "contacts", underived(), exit=0),
    Case("contacts-underived-unknown-site", "contacts", underived(sub("S1,P0001,2017-06-11,60", "S9,P0001,2017-06-11,60")), (
        'contacts.csv:2: site: "S9" is not a site in the sites file',)),
    Case("contacts-underived-no-participant-column", "contacts", underived(sub("site,participant,", "site,person,")), (
        'contacts.csv: no column "participant"',)),
    Case("contacts-two-files", "contacts", also("contacts.tsv", CONTACTS.replace(",", "\t")), (
        "contacts.tsv: a study has one contacts file, but contacts.csv and contacts.tsv are both present",)),
    Case("contacts-latin-1", "encodings", {"contacts.csv": lambda t: t.replace("P0001", "P\u00e9001").encode("latin-1")}, (
        "contacts.csv:2: is not UTF-8 (byte 0xe9); save the file as UTF-8",)),
    Case("contacts-utf16-bom", "encodings", {"contacts.csv": CONTACTS.encode("utf-16")}, (
        "contacts.csv:1: is not UTF-8 (it is UTF-16); save the file as UTF-8",)),
    Case("contacts-utf16-without-bom", "encodings", {"contacts.csv": CONTACTS.encode("utf-16-le")}, (
        "contacts.csv:1: is not UTF-8 (it looks like UTF-16 without a byte-order mark); save the file as UTF-8",)),
    Case("contacts-256mb-sparse-nul", "size", sparse("contacts.csv", 256 << 20), (
        "contacts.csv:1: holds a NUL character: is it a binary file?",), within=5.0),
    Case("contacts-nul-bytes", "encodings", {"contacts.csv": CONTACTS.encode() + b"\x00" * 64}, (
        "contacts.csv:764: holds a NUL character: is it a binary file?",)),

    # ---- themes.toml
    Case("themes-bad-id", "themes", {"themes.toml": OWN_THEMES.replace('"own-theme"', '"Own Theme"')}, (
        T("id = ", "[[theme]] id 'Own Theme' must be text of a-z, 0-9 and -"),)),
    Case("themes-duplicate-id", "themes", {"themes.toml": OWN_THEMES + "\n" + OWN_THEMES.replace("A theme", "Another theme")}, (
        lambda folder: f"themes.toml:{_nth_line(folder / 'themes.toml', 'id = ', 2)}: [[theme]] id \"own-theme\" is used twice (first at line 2)",)),
    Case("themes-missing-title", "themes", {"themes.toml": OWN_THEMES.replace('title = "A theme of the study"\n', "")}, (
        T("[[theme]]", '[[theme]] needs title = "..."'),)),
    Case("themes-unknown-key", "themes", {"themes.toml": OWN_THEMES + 'colour = "red"\n'}, (
        T("colour", '[[theme]] has an unknown key "colour" (allowed: cfir2009, construct, domain, id, influence, sources, summary, title)'),)),
    Case("themes-syntax-error", "themes", {"themes.toml": OWN_THEMES + "[[theme]\n"}, (
        re.compile(r"themes\.toml:6: TOML syntax error: .+"),)),
    Case("themes-unknown-table", "themes", {"themes.toml": '[themes]\nid = "x"\n'}, (
        T("[themes]", 'unknown key "themes": themes are [[theme]] tables'),)),
    Case("themes-sources-not-list", "themes", {"themes.toml": OWN_THEMES.replace('["10.1000/example"]', '"10.1000/example"')}, (
        T("sources", "[[theme]] sources must be a list of DOIs or titles"),)),
    Case("themes-not-array-of-tables", "themes", {"themes.toml": 'theme = "own-theme"\n'}, (
        "themes.toml:1: themes must be written as [[theme]] tables",)),
    Case("themes-domain-not-text", "themes", {"themes.toml": OWN_THEMES.replace('"Inner setting"', "3")}, (
        T("domain", "[[theme]] domain must be text"),)),
    Case("themes-influence-unknown", "themes", {"themes.toml": OWN_THEMES + 'influence = "enabler"\n'}, (
        T("influence", "[[theme]] influence must be one of facilitator, barrier, both, not 'enabler'"),)),
    Case("themes-cfir2009-unknown", "themes", {"themes.toml": OWN_THEMES + 'cfir2009 = "Leadership"\n'}, (
        T("cfir2009", '[[theme]] cfir2009 "Leadership" is not the title of a CFIR 2009 construct of the built-in catalogue '
                      "(crosscase themes lists them)"),)),
    Case("themes-cfir2009-and-influence-load", "themes",
         {"themes.toml": OWN_THEMES + 'influence = "barrier"\ncfir2009 = "Leadership Engagement"\n'}, exit=0,
         check=lambda s: _theme_facts(s, "own-theme", influence="barrier", cfir2009="Leadership Engagement")),
    Case("themes-own-loads", "themes", {"themes.toml": OWN_THEMES, "ratings.csv": append("S1,own-theme,+1,\n")}, exit=0),

    # ---- ratings.csv (long form)
    Case("ratings-no-rating-column", "ratings", {"ratings.csv": drop("rating")}, ('ratings.csv: no column "rating"',)),
    Case("ratings-unknown-column", "ratings", {"ratings.csv": add_column("rater", "AB")}, (
        "ratings.csv:1: rater: unknown column (allowed: site, theme, rating, evidence)",)),
    Case("ratings-unknown-site", "ratings", {"ratings.csv": sub("S1,leadership-support,+1", "S9,leadership-support,+1")}, (
        'ratings.csv:2: site: "S9" is not a site in the sites file',)),
    Case("ratings-unknown-theme", "ratings", {"ratings.csv": sub("S1,leadership-support,+1", "S1,leadership,+1")}, (
        'ratings.csv:2: theme: "leadership" is not a theme in themes.toml or the built-in catalogue',)),
    Case("ratings-bad-token", "ratings", {"ratings.csv": sub("S1,leadership-support,+1", "S1,leadership-support,+3")}, (
        f'ratings.csv:2: rating: "+3" is not a rating token {TOKENS}',)),
    Case("ratings-duplicate-pair", "ratings", {"ratings.csv": append("S1,leadership-support,-1,again\n")}, (
        f'ratings.csv:{len(RATINGS.splitlines()) + 1}: theme: site "S1" already has a rating of "leadership-support" (row 2)',)),
    Case("ratings-empty-site", "ratings", {"ratings.csv": sub("S1,leadership-support,+1", ",leadership-support,+1")}, (
        "ratings.csv:2: site: the site id is empty",)),
    Case("ratings-tokens-load", "ratings", {"ratings.csv": chain(sub("S1,leadership-support,+1", "S1,leadership-support, \u22122 "),
                                                                 sub("S1,peer-role-clarity,+2", "S1,peer-role-clarity,0 (Mixed)"))}, exit=0),

    # ---- ratings-wide.csv
    Case("wide-loads", "ratings", {"ratings.csv": None, "ratings-wide.csv": WIDE}, exit=0),
    Case("wide-title-loads", "ratings", {"ratings.csv": None, "ratings-wide.csv": WIDE.replace("leadership-support,", "LEADERSHIP support and championing,")}, exit=0),
    Case("wide-no-theme-column", "ratings", {"ratings.csv": None, "ratings-wide.csv": WIDE.replace("theme,domain,", "construct,domain,")}, (
        'ratings-wide.csv: no column "theme" (is "construct" the theme column? name it theme)',)),
    Case("wide-unknown-site-column", "ratings", {"ratings.csv": None, "ratings-wide.csv": WIDE.replace(",S7\n", ",S8\n", 1)}, (
        'ratings-wide.csv:1: S8: "S8" is not a site id in the sites file (did you mean S7?)',)),
    Case("wide-bad-token", "ratings", {"ratings.csv": None, "ratings-wide.csv": to_csv(
        [WIDE_ROWS[0], WIDE_ROWS[1][:2] + ["++"] + WIDE_ROWS[1][3:], *WIDE_ROWS[2:]])}, (
        f'ratings-wide.csv:2: S1: "++" is not a rating token {TOKENS}',)),
    Case("wide-unknown-theme", "ratings", {"ratings.csv": None, "ratings-wide.csv": WIDE.replace("leadership-support,", "Leadership,")}, (
        'ratings-wide.csv:2: theme: "Leadership" is neither a theme id nor a theme title (did you mean leadership-support?)',)),
    Case("wide-theme-twice", "ratings", {"ratings.csv": None, "ratings-wide.csv": WIDE + WIDE.splitlines()[1] + "\n"}, (
        f'ratings-wide.csv:{len(WIDE.splitlines()) + 1}: theme: "leadership-support" is rated twice (first at row 2)',)),
    Case("wide-ambiguous-title", "ratings", {"themes.toml": OWN_THEMES + "\n" + OWN_THEMES.replace("own-theme", "own-theme-2"),
                                             "ratings.csv": None,
                                             "ratings-wide.csv": WIDE.replace("leadership-support,", "a theme of the study,")}, (
        'ratings-wide.csv:2: theme: "a theme of the study" matches more than one theme (own-theme, own-theme-2): use the id',)),
    Case("ratings-both-forms", "ratings", {"ratings-wide.csv": WIDE}, (
        "ratings-wide.csv: a study has one ratings file, but ratings.csv and ratings-wide.csv are both present",)),

    # ---- encodings and line ends
    Case("utf16-bom-loads", "encodings", {"sites.csv": SITES_ACCENT.encode("utf-16")}, exit=0, check=lambda s: _label("S6", NASTY)(s)),
    Case("utf16-be-bom-loads", "encodings", {"study.toml": b"\xfe\xff" + STUDY.encode("utf-16-be")}, exit=0),
    Case("utf16-without-bom", "encodings", {"sites.csv": SITES.encode("utf-16-le")}, (
        "sites.csv:1: is not UTF-8 (it looks like UTF-16 without a byte-order mark); save the file as UTF-8",)),
    Case("latin-1", "encodings", {"sites.csv": SITES_ACCENT.encode("latin-1")}, (
        f"sites.csv:{site_row('S6')}: is not UTF-8 (byte 0xe9); save the file as UTF-8",)),
    Case("cp1252-study-toml", "encodings", {"study.toml": lambda t: t.replace("Gillard et al.", "Gillard \u2013 et al.").encode("cp1252")}, (
        f"study.toml:{line_in(STUDY, 'Gillard')}: is not UTF-8 (byte 0x96); save the file as UTF-8",)),
    Case("utf8-bom-loads", "encodings", {"sites.csv": b"\xef\xbb\xbf" + SITES.encode(), "study.toml": b"\xef\xbb\xbf" + STUDY.encode(),
                                         "ratings.csv": b"\xef\xbb\xbf" + RATINGS.encode(), "contacts.csv": b"\xef\xbb\xbf" + CONTACTS.encode()}, exit=0),
    Case("crlf-loads", "encodings", {n: (EXAMPLE / n).read_text(encoding="utf-8").replace("\n", "\r\n")
                                     for n in ("study.toml", "sites.csv", "ratings.csv", "contacts.csv")}, exit=0),
    Case("mixed-crlf-lf-loads", "encodings", {n: "".join(line + ("\r\n" if i % 2 else "\n") for i, line in
                                                        enumerate((EXAMPLE / n).read_text(encoding="utf-8").splitlines()))
                                              for n in ("study.toml", "sites.csv", "ratings.csv", "contacts.csv")}, exit=0),
    Case("nul-in-sites", "encodings", {"sites.csv": SITES.replace("Fenmoor", "Fen\x00moor")}, (
        f"sites.csv:{site_row('S2')}: holds a NUL character: is it a binary file?",)),

    # ---- spreadsheet exports
    Case("csv-trailing-empty-columns-loads", "excel", {"sites.csv": lambda t: "\n".join(line + ",,," for line in t.splitlines()) + "\n"}, exit=0),
    Case("csv-merged-header", "excel", {"sites.csv": lambda t: to_csv([r + ["x" if i else ""] for i, r in enumerate(rows_of(t))])}, (
        "sites.csv:1: column 14 has values but no name (a merged header cell?)",)),
    Case("semicolon-csv", "excel", {"sites.csv": to_csv(SITE_ROWS, ";")}, (
        "sites.csv:1: looks semicolon-delimited; save it with commas (CSV) or tabs (.tsv)",)),
    Case("xlsx-loads", "excel", {"sites.csv": None, "sites.xlsx": xlsx(SITE_ROWS)}, exit=0, check=value("S1", "fidelity", 4.2)),
    Case("xlsx-trailing-empty-columns-loads", "excel", {"sites.csv": None, "sites.xlsx": xlsx([r + ["", ""] for r in SITE_ROWS])}, exit=0),
    Case("xlsx-numbers-as-text-loads", "excel", {"sites.csv": None, "sites.xlsx": xlsx(SITE_ROWS, as_text=True)}, exit=0,
         check=value("S3", "supervisor_hours", 4.5)),
    Case("xlsx-merged-header", "excel", {"sites.csv": None, "sites.xlsx": xlsx([r + ["x" if i else ""] for i, r in enumerate(SITE_ROWS)])}, (
        "sites.xlsx:1: column 14 has values but no name (a merged header cell?)",)),
    Case("xlsx-na-in-metric", "excel", {"sites.csv": None, "sites.xlsx": xlsx(with_cell(SITE_ROWS, "S3", "fidelity", "#N/A"))}, (
        f'sites.xlsx:{site_row("S3")}: fidelity: "#N/A" is not a number (leave the cell empty for a missing value)',)),
    Case("csv-na-in-metric", "excel", {"sites.csv": cell("S3", "fidelity", "#N/A")}, (
        f'sites.csv:{site_row("S3")}: fidelity: "#N/A" is not a number (leave the cell empty for a missing value)',)),
    Case("xlsx-date-attribute-loads", "excel", {"sites.csv": None, "sites.xlsx": xlsx(
        [r + (["opened"] if i == 0 else ["2019-04-01"]) for i, r in enumerate(SITE_ROWS)], date_column="opened")}, exit=0,
         check=lambda s: _attribute_is_date_text(s)),
    Case("xlsx-not-a-workbook", "excel", {"sites.csv": None, "sites.xlsx": SITES.encode()}, (
        re.compile(r"sites\.xlsx: cannot be read as xlsx: .+"),)),
    Case("parquet-loads", "excel", lambda folder: _parquet(folder), exit=0),

    # ---- size, links, permissions
    # a few MB of Parquet or xlsx can hold tens of millions of rows: bounded from the file's metadata, before reading
    Case("parquet-3m-rows", "size", lambda folder: _parquet_rows(folder, 3_000_000), (
        "sites.parquet: has 3,000,000 rows, more than the 2,000,000 crosscase reads for this file",), within=10.0),
    Case("parquet-17k-columns", "size", lambda folder: _parquet_columns(folder, 17_000), (
        "sites.parquet: has 17,001 columns, more than the 16,384 crosscase reads for this file",), within=10.0),
    Case("xlsx-too-many-cells", "size", {"sites.csv": None, "sites.xlsx": xlsx(SITE_ROWS)}, (
        "sites.xlsx: has 8 rows of 13 columns, more than the 100 cells crosscase reads for this file",),
         patch=lambda monkeypatch, folder: monkeypatch.setattr("cases.textio.MAX_CELLS", 100)),
    Case("xlsx-unpacks-too-large", "size", {"sites.csv": None, "sites.xlsx": xlsx(SITE_ROWS)}, (
        re.compile(r"sites\.xlsx: unpacks to [0-9.]+ KB, more than the 1000 bytes crosscase reads for this file"),),
         patch=lambda monkeypatch, folder: monkeypatch.setattr("cases.textio.MAX_UNPACKED", 1000)),
    Case("csv-too-many-rows", "size", {}, ("sites.csv: has more than 5 rows, more than crosscase reads for this file",),
         patch=lambda monkeypatch, folder: monkeypatch.setattr("cases.loader.MAX_SITE_ROWS", 5)),
    Case("huge-field", "size", huge_field, (
        f"sites.csv:{site_row('S3')}: cannot be read as CSV: a field is longer than 1.0 MB",)),
    Case("sites-1gb-sparse", "size", sparse("sites.csv", 1 << 30), (
        "sites.csv: is 1.0 GB, larger than the 64.0 MB crosscase reads for this file",), within=5.0),
    Case("study-toml-5mb-sparse", "size", sparse("study.toml", 5 << 20), (
        "study.toml: is 5.0 MB, larger than the 4.0 MB crosscase reads for this file",), within=5.0),
    Case("link-outside", "links", link_outside, (
        "sites.csv: is a link to a file outside the study folder; copy the file in instead",)),
    Case("link-inside-loads", "links", link_inside, exit=0),
    Case("link-dangling", "links", link_dangling, ("sites.csv: cannot be read: No such file or directory",)),
    Case("link-loop", "links", link_loop, ("ratings.csv: cannot be read: Too many levels of symbolic links",)),
    Case("named-pipe", "links", fifo, ("ratings.csv: is not a regular file",), within=5.0),
    Case("named-pipe-study-toml", "links", fifo_as("study.toml"), ("study.toml: is not a regular file",), within=5.0),
    Case("named-pipe-sites", "links", fifo_as("sites.csv"), ("sites.csv: is not a regular file",), within=5.0),
    Case("named-pipe-contacts", "links", fifo_as("contacts.csv"), ("contacts.csv: is not a regular file",), within=5.0),
    Case("named-pipe-themes", "links", fifo_as("themes.toml"), ("themes.toml: is not a regular file",), within=5.0),
    Case("device-node-sites", "links", zero_device("sites.csv"), ("sites.csv: is not a regular file",), within=5.0,
         skip=_can_mknod()),
    Case("device-node-contacts", "links", zero_device("contacts.csv"), ("contacts.csv: is not a regular file",), within=5.0,
         skip=_can_mknod()),
    Case("link-to-dev-zero", "links", link_to_dev_zero("contacts.csv"), (
        "contacts.csv: is a link to a file outside the study folder; copy the file in instead",), within=5.0),
    Case("unreadable-sites", "permissions", {}, ("sites.csv: cannot be read: Permission denied",), patch=deny("sites.csv")),
    Case("unreadable-contacts", "permissions", {}, ("contacts.csv: cannot be read: Permission denied",), patch=deny("contacts.csv")),

    Case("folder-not-searchable", "permissions", {}, (
        "study: cannot be searched: Permission denied (reading its files needs the folder's search (x) permission)",),
         patch=no_search),
    # ---- snapshot files (crosscase diff BAD BAD; cases.snapshot.read_snapshot)
    Case("snapshot-syntax-error", "snapshots", snapshot('schema = "crosscase.snapshot/1"\n[study\n'), (
        re.compile(r"bad\.toml:2: TOML syntax error: .+"),), kind="snapshot"),
    Case("snapshot-no-schema", "snapshots", snapshot('title = "x"\n'), (
        'bad.toml: not a crosscase snapshot: it has no schema key (a snapshot starts with schema = "crosscase.snapshot/1")',), kind="snapshot"),
    Case("snapshot-unknown-schema", "snapshots", snapshot('schema = "otherapp.export/3"\n'), (
        'bad.toml:1: schema: schema "otherapp.export/3" is not supported (this crosscase reads crosscase.snapshot/1)',), kind="snapshot"),
    Case("snapshot-newer-schema", "snapshots", snapshot('schema = "crosscase.snapshot/2"\n'), (
        'bad.toml:1: schema: written by a newer crosscase (schema "crosscase.snapshot/2"; this crosscase reads crosscase.snapshot/1): '
        "upgrade crosscase to read it",), kind="snapshot"),
    Case("snapshot-schema-not-text", "snapshots", snapshot("schema = 1\n"), (
        'bad.toml:1: schema: not a crosscase snapshot: schema must be text such as "crosscase.snapshot/1"',), kind="snapshot"),
    Case("snapshot-body-missing", "snapshots", snapshot('schema = "crosscase.snapshot/1"\n'), (
        re.compile(r"bad\.toml(:\d+)?: .+"),), kind="snapshot", exact=False),
    Case("snapshot-binary", "snapshots", snapshot(b"\x00\x01\x02schema"), (
        "bad.toml:1: holds a NUL character: is it a binary file?",), kind="snapshot"),
    Case("snapshot-empty", "snapshots", snapshot(b""), ("bad.toml: is empty",), kind="snapshot"),
    Case("snapshot-missing", "snapshots", snapshot(None), ("bad.toml: no such snapshot file",), kind="snapshot"),
]


# --- helpers the cases above refer to --------------------------------------------------------------

def _nth_line(path: Path, needle: str, n: int) -> int:
    hits = [i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if needle in line]
    return hits[n - 1]


def _condition_line(folder: Path, index: int, key: str | None, rest: str) -> str:
    """The line of ``key`` in the ``index``-th [[condition]] (its header line when the key is absent)."""
    lines = (folder / "study.toml").read_text(encoding="utf-8").splitlines()
    headers = [i for i, line in enumerate(lines, start=1) if line.strip() == "[[condition]]"]
    start = headers[index]
    end = headers[index + 1] if index + 1 < len(headers) else len(lines) + 1
    if key is not None:
        for i in range(start + 1, end):
            if lines[i - 1].strip().startswith(f"{key} ="):
                return f"study.toml:{i}: {rest}"
    return f"study.toml:{start}: {rest}"


def _label(site: str, label: str) -> Callable:
    def check(study) -> None:
        found = next(s for s in study.sites if s.id == site)
        assert found.label == label, (found.label, label)
    return check


def _attribute_is_date_text(study) -> None:
    found = next(s for s in study.sites if s.id == "S1")
    assert "opened" in study.attributes
    assert isinstance(found.attributes["opened"], str)
    assert found.attributes["opened"] == "2019-04-01", found.attributes["opened"]   # a date, without 00:00:00


def _parquet(folder: Path) -> None:
    import polars as pl

    frame = pl.read_csv(folder / "sites.csv", infer_schema=False)
    (folder / "sites.csv").unlink()
    frame.write_parquet(folder / "sites.parquet")


def _parquet_rows(folder: Path, rows: int) -> None:
    """sites.parquet of ``rows`` rows in a few MB (one column of repeated ids compresses to almost nothing)."""
    import polars as pl

    (folder / "sites.csv").unlink()
    pl.select(site=pl.repeat("S1", rows, eager=True)).write_parquet(folder / "sites.parquet")


def _parquet_columns(folder: Path, columns: int) -> None:
    import polars as pl

    (folder / "sites.csv").unlink()
    pl.select(pl.lit("S1").alias("site"), *(pl.lit(1).alias(f"c{i}") for i in range(columns))).write_parquet(folder / "sites.parquet")


CASES = [c if c.skip or c.kind != "snapshot" or HAS_SNAPSHOT else
         Case(**{**c.__dict__, "skip": "cases/snapshot.py is not there yet"}) for c in CASES]
assert len({c.name for c in CASES}) == len(CASES), "corpus case names must be unique"



def _links(study, expected: list[tuple[str, str]]) -> None:
    assert [(link.theme, link.metric) for link in study.links] == expected, study.links


def _theme_facts(study, theme: str, **facts) -> None:
    found = study.themes[theme]
    for key, want in facts.items():
        assert getattr(found, key) == want, (key, getattr(found, key), want)
