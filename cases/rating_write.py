"""Writing one rating: a rater file ``ratings/RATER.csv`` (rating mode) or ``ratings.csv`` (consensus).

analysis.md section 2: every write is atomic (``cases.atomic.write_atomic``), keeps every other row of
the file byte for byte, and can be undone; each change is appended to the audit log ``audit.csv``
beside ratings.csv (docs/agreement.md). The rules here:

- One cell is set at a time: the row of (site, theme) is rewritten in place (its other cells kept as
  read), or a new row is appended at the end; every other byte of the file is unchanged (encoding,
  byte-order mark, line endings, quoting). A file without a final line break gets one before a new row.
- The file is read when a ``RatingFile`` opens it and checked again before every write: when it
  changed on disk meanwhile (another program, another person), nothing is written
  (``ChangedOnDisk``); ``reload()`` reads the new version (and forgets the undo history).
- ``undo()`` puts back the exact bytes before the last change (also audited, action ``undo``).
- A failed write (a read-only folder, a full disk) changes nothing and says so in one line
  (``RatingWriteError``); when the audit log cannot be appended, the rating is put back.
- The audit log has the columns ``AUDIT_COLUMNS``; ``when`` is UTC (``2026-12-01T12:30:00Z``).
"""

from __future__ import annotations

import csv
import errno
import io
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from cases.atomic import SnapshotWriteError, write_atomic
from cases.raters import AUDIT, FOLDER, NAME, rel_name
from cases.sites import cell_text
from cases.tokens import canonical_token

HEADER = ("site", "theme", "rating", "evidence")
AUDIT_COLUMNS = ("when", "who", "file", "action", "site", "theme", "from", "to", "memo", "reason")
CONSENSUS = "ratings.csv"
UNDO_LIMIT = 1000  # changes kept for undo in one session
_KEEP = object()


class RatingWriteError(Exception):
    """A rating that could not be written; ``str()`` is one line for people, saying nothing changed."""


class ChangedOnDisk(RatingWriteError):
    """The file changed on disk since crosscase read it: nothing was written."""


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_rater(folder: str | Path, rater: str) -> str:
    """``ratings/RATER.csv`` for ``rater``, or RatingWriteError: a bad name, or a rater file whose name
    differs only in case (one file on Windows and macOS: one rater, one name)."""
    if not NAME.match(rater):
        raise RatingWriteError(
            f'"{rater}" is not a rater name: a rater name is 1-40 letters (A-Z, a-z), digits, _ or - '
            "(the file is ratings/RATER.csv)"
        )
    try:
        names = os.listdir(Path(folder) / FOLDER)
    except OSError:
        names = []
    for name in sorted(names):
        stem = name[:-4] if name.endswith(".csv") else None
        if stem is not None and stem != rater and stem.casefold() == rater.casefold():
            raise RatingWriteError(
                f'the rater "{rater}" differs from "{stem}" ({rel_name(stem)}) only in case: one rater, '
                f"one file (use --rater {stem}, or rename the file)"
            )
    return rel_name(rater)


@dataclass
class _Doc:
    """A ratings table as text records: each record's exact text (its line break included)."""

    prefix: bytes  # a byte-order mark, kept
    encoding: str
    records: list[str]
    columns: list[str]
    newline: str

    @classmethod
    def parse(cls, data: bytes, rel: str) -> _Doc:
        prefix, encoding = b"", "utf-8"
        if data.startswith(b"\xef\xbb\xbf"):
            prefix, data = data[:3], data[3:]
        elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
            prefix, encoding = data[:2], ("utf-16-le" if data[:2] == b"\xff\xfe" else "utf-16-be")
            data = data[2:]
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise RatingWriteError(
                f"{rel}: is not {encoding.upper()} (byte {exc.start}); nothing was written"
            ) from None
        records = split_records(text)
        columns = [c.strip() for c in _cells(records[0])] if records else []
        newline = _ending(records[0]) if records and _ending(records[0]) else "\n"
        return cls(prefix, encoding, records, columns, newline)

    def encode(self) -> bytes:
        return self.prefix + "".join(self.records).encode(self.encoding)

    def find(self, site: str, theme: str) -> int | None:
        ix = self._ix()
        if ix is None:
            return None
        for i, record in enumerate(self.records[1:], start=1):
            cells = _cells(record)
            if _cell(cells, ix["site"]) == site and _cell(cells, ix["theme"]) == theme:
                return i
        return None

    def _ix(self) -> dict[str, int] | None:
        ix = {c: i for i, c in enumerate(self.columns)}
        return ix if all(c in ix for c in ("site", "theme", "rating")) else None

    def get(self, site: str, theme: str) -> tuple[str, str | None] | None:
        """(canonical token, memo or None) of the row of (site, theme); None when it has no row."""
        i, ix = self.find(site, theme), self._ix()
        if i is None or ix is None:
            return None
        cells = _cells(self.records[i])
        token = canonical_token(_raw(cells, ix["rating"]))
        memo = _raw(cells, ix["evidence"]) if "evidence" in ix else None
        return token or _raw(cells, ix["rating"]), memo or None

    def put(self, site: str, theme: str, token: str | None, memo: object) -> None:
        """Set the row of (site, theme): ``token`` None keeps the rating cell, ``memo`` _KEEP keeps the memo."""
        ix = self._ix()
        if ix is None:
            raise RatingWriteError("has no columns site, theme and rating; nothing was written")
        if memo is not _KEEP and memo and "evidence" not in ix:
            raise RatingWriteError(
                'has no column "evidence" for memos; add one (site,theme,rating,evidence) to keep memos; '
                "nothing was written"
            )
        i = self.find(site, theme)
        if i is None:
            cells = [""] * len(self.columns)
            cells[ix["site"]], cells[ix["theme"]] = site, theme
            cells[ix["rating"]] = token or "Missing"
            if "evidence" in ix and memo is not _KEEP and memo:
                cells[ix["evidence"]] = str(memo)
            if self.records and not _ending(self.records[-1]):
                self.records[-1] += self.newline
            self.records.append(_render(cells, self.newline))
            return
        record = self.records[i]
        cells = _cells(record)
        cells += [""] * (len(self.columns) - len(cells))
        if token is not None:
            cells[ix["rating"]] = token
        if memo is not _KEEP and "evidence" in ix:
            cells[ix["evidence"]] = str(memo or "")
        self.records[i] = _render(cells, _ending(record))


def split_records(text: str) -> list[str]:
    """``text`` cut into CSV records, each with its own line break ("\\r\\n", "\\n" or "\\r"); a line break
    inside quotes belongs to its field. Joined, the records are ``text`` again."""
    records: list[str] = []
    start, quoted, i, n = 0, False, 0, len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "\r\n":
            end = i + 2 if ch == "\r" and text[i + 1 : i + 2] == "\n" else i + 1
            records.append(text[start:end])
            start = i = end
            continue
        i += 1
    if start < n:
        records.append(text[start:])
    return records


def _ending(record: str) -> str:
    for end in ("\r\n", "\n", "\r"):
        if record.endswith(end):
            return end
    return ""


def _cells(record: str) -> list[str]:
    body = record[: len(record) - len(_ending(record))]
    return next(csv.reader([body]), []) if body else []


def _raw(cells: list[str], i: int) -> str:
    return cells[i] if i < len(cells) else ""


def _cell(cells: list[str], i: int) -> str:
    return cell_text(_raw(cells, i))


def _render(cells: list[str], newline: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator=newline).writerow(cells)
    return buf.getvalue()


@dataclass(frozen=True)
class Change:
    """One change written: the file's bytes before (None: it did not exist) and after."""

    rel: str
    site: str
    theme: str
    action: str
    before: bytes | None
    after: bytes
    from_token: str | None
    to_token: str | None
    from_memo: str | None
    to_memo: str | None


@dataclass
class RatingFile:
    """One ratings file of a study opened for writing: ``ratings/RATER.csv`` or ``ratings.csv``.

    ``who`` is written in the audit log. The file is read at once (a missing rater file is created,
    with the header ``site,theme,rating,evidence``, on the first change).
    """

    folder: Path
    rel: str
    who: str
    history: list[Change] = field(default_factory=list)
    data: bytes | None = None
    _doc: _Doc | None = None
    write: Callable[..., Path] = write_atomic  # (a test replaces it to simulate a full disk)

    def __post_init__(self) -> None:
        self.folder = Path(self.folder)
        self.reload()

    @classmethod
    def for_rater(cls, folder: str | Path, rater: str) -> RatingFile:
        return cls(Path(folder), check_rater(folder, rater), rater)

    @classmethod
    def consensus(cls, folder: str | Path, who: str) -> RatingFile:
        folder = Path(folder)
        if not (folder / CONSENSUS).exists() and (folder / "ratings-wide.csv").exists():
            raise RatingWriteError(
                "the consensus is written to ratings.csv (one row per site and theme); this study keeps its "
                "ratings in ratings-wide.csv: write it as ratings.csv (columns site, theme, rating, evidence) first"
            )
        return cls(folder, CONSENSUS, who)

    @property
    def path(self) -> Path:
        return self.folder / self.rel

    def _read(self) -> bytes | None:
        try:
            with open(self.path, "rb") as fh:
                return fh.read()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise RatingWriteError(f"{self.rel}: cannot be read: {exc.strerror or exc}") from None

    def reload(self) -> None:
        """Read the file again (after a ChangedOnDisk); the undo history is forgotten."""
        self.data = self._read()
        self._doc = None if self.data is None else _Doc.parse(self.data, self.rel)
        self.history.clear()

    def changed_on_disk(self) -> bool:
        return self._read() != self.data

    def get(self, site: str, theme: str) -> tuple[str, str | None] | None:
        return None if self._doc is None else self._doc.get(site, theme)

    def set(
        self, site: str, theme: str, token: str | None, memo: object = _KEEP, reason: str = "", action: str = ""
    ) -> Change | None:
        """Write ``token`` (a rating token, None: keep it) and ``memo`` (None or "": clear; not given:
        keep) for (site, theme); the audit log gets one row. None when that changes nothing (nothing is
        written); RatingWriteError when nothing could be written."""
        if token is not None:
            canon = canonical_token(token)
            if canon is None:
                raise RatingWriteError(f'"{token}" is not a rating token (-2..+2, X, Missing, N/A, E, I)')
            token = canon
        doc = (
            _Doc.parse(self.data, self.rel)
            if self.data is not None
            else _Doc(b"", "utf-8", [",".join(HEADER) + "\n"], list(HEADER), "\n")
        )
        before = doc.get(site, theme)
        if before is not None and token in (None, before[0]) and (memo is _KEEP or (memo or None) == before[1]):
            if self.rel == CONSENSUS and reason:  # a decision that confirms the consensus: audited, not written
                return self._confirm(site, theme, before, reason)
            return None  # the same rating and memo: nothing to write
        try:
            doc.put(site, theme, token, memo)
        except RatingWriteError as exc:
            raise RatingWriteError(f"{self.rel}: {exc}") from None
        after = doc.get(site, theme)
        change = Change(
            self.rel,
            site,
            theme,
            action or _action(self.rel, before, after),
            self.data,
            doc.encode(),
            before[0] if before else None,
            after[0] if after else None,
            before[1] if before else None,
            after[1] if after else None,
        )
        self._commit(change, change.after, reason)
        self.history.append(change)  # (a confirmed consensus is not: see _confirm)
        del self.history[:-UNDO_LIMIT]
        return change

    def undo(self) -> Change | None:
        """Put back the bytes before the last change (None when there is nothing to undo); audited."""
        if not self.history:
            return None
        last = self.history[-1]
        undone = Change(
            self.rel,
            last.site,
            last.theme,
            "undo",
            last.after,
            last.before if last.before is not None else b"",
            last.to_token,
            last.from_token,
            last.to_memo,
            last.from_memo,
        )
        self._commit(undone, last.before, "")
        self.history.pop()
        return undone

    def _confirm(self, site: str, theme: str, now: tuple[str, str | None], reason: str) -> Change:
        """A consensus decision for the token ratings.csv already holds: the audit log records it (and
        its reason); the file is not written, and undo is not offered for it."""
        self._check()
        change = Change(self.rel, site, theme, "consensus", self.data, self.data or b"", now[0], now[0], now[1], now[1])
        append_audit(self.folder, self.who, change, reason)
        return change

    def _check(self) -> None:
        if self.changed_on_disk():
            raise ChangedOnDisk(
                f"{self.rel} changed on disk since crosscase read it (another program or person edited it); "
                "nothing was written: reload it to see its ratings, then rate again"
            )

    def _commit(self, change: Change, data: bytes | None, reason: str) -> None:
        """Write ``data`` (None: remove the file crosscase created) after checking that the file is still
        what was read, then append the audit row; on an audit failure the file is put back."""
        self._check()
        self._replace(data)
        try:
            append_audit(self.folder, self.who, change, reason)
        except RatingWriteError as exc:
            try:
                self._replace(self.data)
            except RatingWriteError as back:
                raise RatingWriteError(f"{exc}; and {self.rel} could not be put back: {back}") from None
            raise RatingWriteError(f"{exc}; {self.rel} was not changed") from None
        self.data = data
        self._doc = None if data is None else _Doc.parse(data, self.rel)

    def _replace(self, data: bytes | None) -> None:
        if data is None:
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise RatingWriteError(f"cannot remove {self.rel}: {exc.strerror or exc}") from None
            return
        try:
            if self.rel.startswith(FOLDER + "/"):
                (self.folder / FOLDER).mkdir(exist_ok=True)
            self.write(self.path, data, force=True)
        except SnapshotWriteError as exc:
            raise RatingWriteError(str(exc)) from None
        except OSError as exc:
            raise RatingWriteError(f"cannot write {self.rel}: {exc.strerror or exc}; nothing was written") from None


def _action(rel: str, before: tuple[str, str | None] | None, after: tuple[str, str | None] | None) -> str:
    """``consensus`` (ratings.csv), ``memo`` (only the memo changed) or ``rate``."""
    if rel == CONSENSUS:
        return "consensus"
    return "memo" if before is not None and after is not None and before[0] == after[0] else "rate"


def audit_row(who: str, change: Change, reason: str = "", when: str | None = None) -> list[str]:
    return [
        when or now_utc(),
        who,
        change.rel,
        change.action,
        change.site,
        change.theme,
        change.from_token or "",
        change.to_token or "",
        change.to_memo or "",
        reason,
    ]


def append_audit(folder: str | Path, who: str, change: Change, reason: str = "") -> None:
    """Append one row to ``audit.csv`` (created with its header); one write() of the whole row, with
    O_APPEND, so that two dashboards appending at once never interleave inside a row."""
    path = Path(folder) / AUDIT
    row = _render(audit_row(who, change, reason), "\n").encode("utf-8")
    try:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o666)
            row = _render(list(AUDIT_COLUMNS), "\n").encode() + row
        except FileExistsError:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND)
            if _last_byte(path) not in (b"", b"\n"):
                row = b"\n" + row
        try:
            if os.write(fd, row) != len(row):
                raise OSError(errno.ENOSPC, "the disk is full (the row was cut short)")
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        code = exc.errno
        why = (
            "the disk is full (or over quota)"
            if code in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC))
            else "permission denied"
            if code in (errno.EACCES, errno.EPERM, errno.EROFS)
            else exc.strerror or str(exc)
        )
        raise RatingWriteError(f"cannot append to {AUDIT}: {why}") from None


def _last_byte(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            if fh.tell() == 0:
                return b""
            fh.seek(-1, os.SEEK_END)
            return fh.read(1)
    except OSError:
        return b""


def read_audit(folder: str | Path) -> list[dict[str, str]]:
    """The audit log's rows (empty when there is none)."""
    try:
        text = (Path(folder) / AUDIT).read_text(encoding="utf-8")
    except OSError:
        return []
    return list(csv.DictReader(io.StringIO(text)))
