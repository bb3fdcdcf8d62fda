"""Reading the files of a study folder safely: size limits, encodings, tables.

Every failure becomes a Problem (file, row, column, message); nothing here raises to the caller.
"""

from __future__ import annotations

import csv
import errno
import hashlib
import io
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from cases.errors import Collector

KIB = 1024
MIB = 1024 * KIB
# The largest file crosscase reads into memory, by kind. A contact log is streamed instead.
LIMITS = {"toml": 4 * MIB, "sites": 64 * MIB, "ratings": 256 * MIB}
MAX_FIELD = 1 * MIB
# A sites table is bounded by its cells as well as its bytes: a compressed Parquet or xlsx file of a
# few MB can hold tens of millions of rows. The bounds follow the CSV limit: a 64 MB CSV holds at
# most 32 million cells (one character and a comma each); rows and columns are bounded on their own.
MAX_SITE_ROWS = 2_000_000
MAX_COLUMNS = 16_384  # as many as a spreadsheet has
MAX_CELLS = LIMITS["sites"] // 2
MAX_UNPACKED = 8 * LIMITS["sites"]  # an xlsx is a zip: what its parts unpack to, at most


@dataclass
class Table:
    """A table read as text cells: ``rows`` holds (spreadsheet row number, cells)."""

    columns: list[str]
    rows: list[tuple[int, list[object]]]


def check_inside(path: Path, folder: Path, rel: str, out: Collector) -> bool:
    """Refuse a file that is a link pointing out of the study folder, or that is not a file."""
    try:
        real = path.resolve(strict=True)
        base = folder.resolve(strict=True)
    except OSError as exc:
        out.add(rel, None, None, f"cannot be read: {exc.strerror or exc}")
        return False
    except RuntimeError:  # a symbolic link loop, before Python 3.13 (which raises OSError ELOOP)
        out.add(rel, None, None, "cannot be read: Too many levels of symbolic links")
        return False
    if base not in real.parents:
        out.add(rel, None, None, "is a link to a file outside the study folder; copy the file in instead")
        return False
    if not real.is_file():
        out.add(rel, None, None, "is not a regular file")
        return False
    return True


def open_regular(path: Path):
    """``path`` opened for reading in binary, only if it is a regular file; OSError otherwise, at once.

    The file is opened without blocking (a FIFO or a device does not wait for a writer) and the
    open file itself is checked (fstat), so a file swapped for a pipe after a stat() is caught too.
    """
    fd = os.open(
        path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    )
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "is not a regular file", str(path))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return open(fd, "rb")  # (builtins.open: a test that patches os.fdopen for writes leaves reads be)
    except BaseException:
        os.close(fd)
        raise


def reason(exc: OSError) -> str:
    """The problem text for a file that cannot be read."""
    if exc.strerror == "is not a regular file":
        return "is not a regular file"
    return f"cannot be read: {exc.strerror or exc}"


SNIFF = 64 * KIB  # how much of a streamed file is looked at before it is hashed or read


def refuse_early(path: Path, rel: str, out: Collector, limit: int | None, sniff: bool = False) -> bool:
    """Cheap checks before a file is hashed or read, so that a huge or binary file is never read whole.

    The file's size against ``limit``; with ``sniff`` (a file read as UTF-8 only, the contact log),
    a UTF-16 byte-order mark or NUL bytes in its first 64 KB (a binary file, or text saved as UTF-16
    without a byte-order mark). True when the file is refused (the problem is in ``out``).
    """
    try:
        size = path.stat().st_size
        if limit is not None and size > limit:
            out.add(rel, None, None, f"is {_size(size)}, larger than the {_size(limit)} crosscase reads for this file")
            return True
        if sniff:
            with open_regular(path) as fh:
                head = fh.read(SNIFF)
            # a streamed file is read as UTF-8 only: UTF-16, even with its byte-order mark, is refused here
            problem = (1, UTF16) if head.startswith((b"\xff\xfe", b"\xfe\xff")) else nul_problem(head)
            if problem is not None:
                out.add(rel, problem[0], None, problem[1])
                return True
    except OSError as exc:
        out.add(rel, None, None, reason(exc))
        return True
    return False


def read_bytes(path: Path, rel: str, out: Collector, limit: int) -> bytes | None:
    try:
        size = path.stat().st_size
        if size > limit:
            out.add(rel, None, None, f"is {_size(size)}, larger than the {_size(limit)} crosscase reads for this file")
            return None
        with open_regular(path) as fh:
            return fh.read(limit + 1)
    except OSError as exc:
        out.add(rel, None, None, reason(exc))
        return None


UTF16_NO_BOM = "is not UTF-8 (it looks like UTF-16 without a byte-order mark); save the file as UTF-8"
BINARY = "holds a NUL character: is it a binary file?"
UTF16 = "is not UTF-8 (it is UTF-16); save the file as UTF-8"


def looks_utf16(sample: bytes) -> bool:
    """Text saved as UTF-16 without a byte-order mark: NUL in every other byte of a mostly-Latin start."""
    sample = sample[: len(sample) // 2 * 2]
    if len(sample) < 4:
        return False
    even, odd = sample[0::2], sample[1::2]
    half = len(sample) // 2
    return (odd.count(0) >= 0.7 * half and even.count(0) <= 0.1 * half) or (
        even.count(0) >= 0.7 * half and odd.count(0) <= 0.1 * half
    )


def nul_problem(data: bytes) -> tuple[int, str] | None:
    """(line, message) when ``data`` (a whole file or its start) holds a NUL byte; None otherwise."""
    at = data.find(b"\x00")
    if at < 0:
        return None
    if looks_utf16(data[:4096]):
        return 1, UTF16_NO_BOM
    return data[:at].count(b"\n") + 1, BINARY


def decode(data: bytes, rel: str, out: Collector) -> str | None:
    """UTF-8 (a byte-order mark is dropped), or UTF-16 with its mark; CRLF and CR become LF."""
    if not data.startswith((b"\xff\xfe", b"\xfe\xff")) and looks_utf16(data[:4096]):
        out.add(rel, 1, None, UTF16_NO_BOM)
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            out.add(rel, None, None, "is not valid UTF-16 although it starts with a UTF-16 byte-order mark")
            return None
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            out.add(rel, line, None, f"is not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8")
            return None
    if "\x00" in text:
        out.add(rel, text[: text.index("\x00")].count("\n") + 1, None, BINARY)
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(path: Path, rel: str, out: Collector, limit: int) -> str | None:
    data = read_bytes(path, rel, out, limit)
    if data is None:
        return None
    text = decode(data, rel, out)
    if text is not None and not text.strip():
        out.add(rel, None, None, "is empty")
        return None
    return text


def read_table(path: Path, rel: str, out: Collector, limit: int, max_rows: int | None = None) -> Table | None:
    """Read a .csv, .tsv, .parquet or .xlsx table into text cells with spreadsheet row numbers.

    ``max_rows`` bounds the data rows (and the cells, MAX_CELLS, for Parquet and xlsx, whose rows and
    columns are counted from the file's metadata before anything is read).
    """
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".xlsx"):
        if path.stat().st_size > limit:
            out.add(
                rel,
                None,
                None,
                f"is {_size(path.stat().st_size)}, larger than the {_size(limit)} crosscase reads for this file",
            )
            return None
        return _read_binary_table(path, rel, out, suffix, max_rows)
    text = read_text(path, rel, out, limit)
    if text is None:
        return None
    return parse_delimited(text, rel, out, "\t" if suffix == ".tsv" else ",", max_rows)


def _too_many_rows(rel: str, out: Collector, rows: int, max_rows: int) -> None:
    out.add(rel, None, None, f"has {rows:,} rows, more than the {max_rows:,} crosscase reads for this file")


def parse_delimited(text: str, rel: str, out: Collector, delimiter: str, max_rows: int | None = None) -> Table | None:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    # one pass: blank rows dropped, empty cells as None (a million-row file costs one walk over its cells)
    records: list[tuple[int, list]] = []
    number = 0
    stop = None if max_rows is None else max_rows + 1  # the header and max_rows rows
    old_limit = csv.field_size_limit(MAX_FIELD)
    try:
        for record in reader:
            number += 1
            cells = [c if c and not c.isspace() else None for c in record]
            if cells.count(None) == len(cells):
                continue
            if stop is not None and len(records) >= stop:
                out.add(rel, None, None, f"has more than {max_rows:,} rows, more than crosscase reads for this file")
                return None
            records.append((number, cells))
    except csv.Error as exc:
        msg = str(exc)
        if "field larger" in msg:
            msg = f"a field is longer than {_size(MAX_FIELD)}"
        out.add(rel, number + 1, None, f"cannot be read as {'TSV' if delimiter == chr(9) else 'CSV'}: {msg}")
        return None
    finally:
        csv.field_size_limit(old_limit)
    if not records:
        out.add(rel, None, None, "is empty")
        return None
    header_row, header = records[0]
    header = [h or "" for h in header]
    if delimiter == "," and len(header) == 1 and ";" in header[0]:
        out.add(rel, header_row, None, "looks semicolon-delimited; save it with commas (CSV) or tabs (.tsv)")
        return None
    del records[0]
    return _clean_header([h.strip() for h in header], records, rel, out, header_row)


def _clean_header(columns: list[str], rows, rel: str, out: Collector, header_row: int) -> Table | None:
    """Drop unnamed columns that hold nothing (Excel's trailing columns); refuse other header faults."""
    width = len(columns)
    ok = True
    for n, cells in rows:
        if len(cells) > width and any(c is not None for c in cells[width:]):
            out.add(rel, n, None, f"has {len(cells)} fields but the header has {width}")
            ok = False
    keep = []
    for i, name in enumerate(columns):
        if not name:
            if any(i < len(cells) and cells[i] is not None for _, cells in rows):
                out.add(rel, header_row, None, f"column {i + 1} has values but no name (a merged header cell?)")
                ok = False
            continue
        keep.append(i)
    seen: set[str] = set()
    for i in keep:
        if columns[i] in seen:
            out.add(rel, header_row, columns[i], "the column appears twice")
            ok = False
        seen.add(columns[i])
    if not ok:
        return None
    if len(keep) == width:  # nothing to drop: only rows of another width are cut or padded
        table_rows = [(n, cells) if len(cells) == width else (n, (cells + [None] * width)[:width]) for n, cells in rows]
    else:
        table_rows = [(n, [cells[i] if i < len(cells) else None for i in keep]) for n, cells in rows]
    return Table([columns[i] for i in keep], table_rows)


def _bounds(path: Path, rel: str, out: Collector, suffix: str, max_rows: int | None) -> bool:
    """Rows and columns from the file's metadata, before its data is read; False (and a problem) when
    the table is larger than crosscase reads."""
    import polars as pl

    kind = suffix[1:]
    try:
        if suffix == ".parquet":
            columns = len(pl.read_parquet_schema(path))
            rows = pl.scan_parquet(path).select(pl.len()).collect().item()  # the footer's row count
        else:
            import zipfile

            with zipfile.ZipFile(path) as book:
                unpacked = sum(i.file_size for i in book.infolist())
            if unpacked > MAX_UNPACKED:
                out.add(
                    rel,
                    None,
                    None,
                    f"unpacks to {_size(unpacked)}, more than the {_size(MAX_UNPACKED)} crosscase reads for this file",
                )
                return False
            import fastexcel

            sheet = fastexcel.read_excel(path).load_sheet(0, n_rows=0, header_row=None)
            rows, columns = sheet.total_height, sheet.width
    except Exception as exc:
        out.add(rel, None, None, f"cannot be read as {kind}: {_first_line(exc)}")
        return False
    if columns > MAX_COLUMNS:
        out.add(
            rel, None, None, f"has {columns:,} columns, more than the {MAX_COLUMNS:,} crosscase reads for this file"
        )
        return False
    if max_rows is not None and rows > max_rows + (suffix == ".xlsx"):
        _too_many_rows(rel, out, rows - (suffix == ".xlsx"), max_rows)
        return False
    if rows * max(columns, 1) > MAX_CELLS:
        out.add(
            rel,
            None,
            None,
            f"has {rows:,} rows of {columns:,} columns, more than the {MAX_CELLS:,} cells crosscase "
            "reads for this file",
        )
        return False
    return True


def _read_binary_table(path: Path, rel: str, out: Collector, suffix: str, max_rows: int | None = None) -> Table | None:
    import polars as pl

    if not _bounds(path, rel, out, suffix, max_rows):
        return None
    try:
        if suffix == ".parquet":
            frame = pl.read_parquet(path)
            first = 1  # Parquet rows are counted from 1
        else:
            frame = pl.read_excel(path, infer_schema_length=0)
            first = 2  # a spreadsheet's first data row
    except Exception as exc:
        out.add(rel, None, None, f"cannot be read as {suffix[1:]}: {_first_line(exc)}")
        return None
    if frame.width == 0:
        out.add(rel, None, None, "is empty")
        return None
    columns = [str(c).strip() for c in frame.columns]
    if suffix == ".xlsx":
        columns = ["" if c.startswith("__UNNAMED__") else c for c in columns]
    rows = []
    for i, record in enumerate(frame.iter_rows()):
        cells = [None if (v is None or (isinstance(v, str) and not v.strip())) else _date_only(v) for v in record]
        if any(c is not None for c in cells):
            rows.append((first + i, cells))
    return _clean_header(columns, rows, rel, out, 1)


_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T]00:00:00(\.0+)?$")


def _date_only(value):
    """A spreadsheet date (a date-time at midnight, as Excel stores dates) as the date it is."""
    import datetime as dt

    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time(0) and value.tzinfo is None else value
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-":
        found = _MIDNIGHT.match(value)
        if found:
            return found.group(1)
    return value


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def _size(n: int) -> str:
    for unit, factor in (("GB", 1024**3), ("MB", MIB), ("KB", KIB)):
        if n >= factor:
            return f"{n / factor:.1f} {unit}"
    return f"{n} bytes"


def hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open_regular(path) as fh:  # a pipe or a device raises at once instead of blocking
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
