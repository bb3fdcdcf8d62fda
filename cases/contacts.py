"""The participant-level contact log: derived site metrics, computed lazily with polars.

The fast path reads the log once, typed (dates as dates, minutes as numbers), streaming, and
aggregates contacts per participant and then per site. Any fault (a value that does not parse, an
unknown or empty id, negative minutes) sends it to the slow path: a second pass over the text that
finds the rows to name them. A valid log therefore costs one typed pass, as polars itself would.
"""

from __future__ import annotations

from pathlib import Path

from cases.errors import Collector
from cases.model import Metric

REPORT_ROWS = 5  # rows named per kind of fault; the rest are counted


def _pending_signals() -> None:
    """Nothing: calling a Python function lets the interpreter run the signal handlers that are due."""


def _one_interrupt(function):
    """Ctrl-C during a polars query gives one KeyboardInterrupt, not two.

    polars raises KeyboardInterrupt itself and leaves Python's own SIGINT handler due, which would
    raise a second KeyboardInterrupt inside whatever handles the first (the command line's clean
    "interrupted" exit became a traceback). The second one is taken here.
    """
    import functools

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except KeyboardInterrupt:
            try:
                _pending_signals()
            except KeyboardInterrupt:
                pass
            raise

    return wrapper


def _scan(path: Path, typed: bool):
    """(lazy frame, first data row number, column names)."""
    import polars as pl

    if path.suffix.lower() == ".parquet":
        lf = pl.scan_parquet(path)
        return lf, 1, lf.collect_schema().names()
    sep = "\t" if path.suffix.lower() == ".tsv" else ","
    names = pl.scan_csv(path, separator=sep, infer_schema=False).collect_schema().names()
    schema: dict[str, type[pl.DataType]] = dict.fromkeys(names, pl.String)
    if typed:
        schema.update({n: pl.Date for n in names if n.strip().lstrip("\ufeff") == "date"})
        schema.update({n: pl.Float64 for n in names if n.strip().lstrip("\ufeff") == "minutes"})
    return pl.scan_csv(path, separator=sep, schema=schema), 2, names


def _columns(lf, names: list[str], typed: bool):
    """(site, participant, is-a-contact, bad-date, bad-minutes) expressions over the log.

    Ids are taken as written (stripping 10 million strings doubles the cost of the pass); an id
    with spaces around it is a fault that the slow path names.
    """
    import polars as pl

    clean = {n.strip().lstrip("\ufeff"): n for n in names}
    schema = lf.collect_schema()
    site = pl.col(clean["site"]).cast(pl.String)
    participant = pl.col(clean["participant"]).cast(pl.String)
    empties, bad_date, bad_minutes = [], pl.lit(False), pl.lit(False)
    if "date" in clean:
        col = pl.col(clean["date"])
        if schema[clean["date"]] == pl.String:
            text = col.str.strip_chars()
            empty = text.is_null() | (text == "")
            parsed = text.str.to_date("%Y-%m-%d", strict=typed)
            bad_date = ~empty & parsed.is_null()
            empties.append(empty)
        else:
            empties.append(col.is_null())
    if "minutes" in clean:
        col = pl.col(clean["minutes"])
        if schema[clean["minutes"]] == pl.String:
            text = col.str.strip_chars()
            empty = text.is_null() | (text == "")
            value = text.cast(pl.Float64, strict=typed)
            bad_minutes = ~empty & (value.is_null() | value.is_nan() | value.is_infinite() | (value < 0))
            empties.append(empty)
        else:
            value = col.cast(pl.Float64)
            bad_minutes = value.is_not_null() & (value.is_nan() | value.is_infinite() | (value < 0))
            empties.append(value.is_null())
    contact = ~pl.all_horizontal(empties) if empties else pl.lit(True)
    return (
        site.alias("site"),
        participant.alias("participant"),
        contact.alias("contact"),
        bad_date.alias("bad_date"),
        bad_minutes.alias("bad_minutes"),
    )


@_one_interrupt
def derive_contacts(
    path: Path, rel: str, site_ids: list[str], metrics: list[Metric], out: Collector
) -> dict[str, dict[str, float | None]]:
    """Derived metric values per site; every site of ``site_ids`` gets an entry."""
    import polars as pl

    try:
        lf, _first_row, names = _scan(path, typed=True)
    except Exception as exc:
        _unreadable(path, rel, exc, out)
        return {}
    clean = [n.strip().lstrip("\ufeff") for n in names]
    missing = [c for c in ("site", "participant") if c not in clean]
    for c in missing:
        out.add(rel, None, None, f'no column "{c}"')
    if missing:
        return {}
    known = set(site_ids)
    try:
        site, participant, contact, bad_date, bad_minutes = _columns(lf, names, typed=True)
        pp = (
            lf.select(site, participant, contact, (bad_date | bad_minutes).alias("bad"))
            .group_by("site", "participant")
            .agg(pl.col("contact").sum().alias("contacts"), pl.col("bad").any().alias("bad"))
            .collect(engine="streaming")
        )
        faulty = bool(pp["bad"].any()) or _bad_ids(pp, known)
    except pl.exceptions.ComputeError:
        faulty = True  # a value did not parse: the slow path names it
    except Exception as exc:
        _unreadable(path, rel, exc, out)
        return {}
    if faulty:
        before = out.count()
        try:
            _name_rows(path, rel, known, out)
        except Exception as exc:
            _unreadable(path, rel, exc, out)
        if out.count() == before:
            out.add(rel, None, None, "cannot be read: a value does not parse")
        return {}
    return _site_values(pp, site_ids, metrics) if metrics else {}


def _bad_ids(pp, known: set[str]) -> bool:
    import polars as pl

    site, participant = pl.col("site"), pl.col("participant")
    bad = (
        site.is_null()
        | (site == "")
        | participant.is_null()
        | (participant == "")
        | ~site.is_in(sorted(known))
        | (participant != participant.str.strip_chars())
    )
    return bool(pp.select(bad.any()).item())


def _name_rows(path: Path, rel: str, known: set[str], out: Collector) -> None:
    """The slow path: read the log as text and name the first rows of each kind of fault."""
    import polars as pl

    lf, first_row, names = _scan(path, typed=False)
    site, participant, _, bad_date, bad_minutes = _columns(lf, names, typed=False)
    rows = lf.select(
        site,
        participant,
        bad_date,
        bad_minutes,
        *(
            pl.col(n).cast(pl.String).alias(f"raw_{c}")
            for n, c in ((n, n.strip().lstrip("\ufeff")) for n in names)
            if c in ("date", "minutes")
        ),
    ).with_row_index("row", offset=first_row)
    s, p = pl.col("site"), pl.col("participant")
    checks = (
        (s.is_null() | (s == ""), "site", lambda r: "the site id is empty"),
        (p.is_null() | (p == ""), "participant", lambda r: "the participant id is empty"),
        (p != p.str.strip_chars(), "participant", lambda r: f'"{r["participant"]}" has spaces around the id'),
        (~s.is_in(sorted(known)) & (s != ""), "site", lambda r: f'"{r["site"]}" is not a site in the sites file'),
        (pl.col("bad_date"), "date", lambda r: f'"{r.get("raw_date")}" is not an ISO date (YYYY-MM-DD)'),
        (
            pl.col("bad_minutes"),
            "minutes",
            lambda r: f'"{r.get("raw_minutes")}" is not a number of minutes (0 or more)',
        ),
    )
    counts = (
        rows.select(*(e.sum().alias(str(i)) for i, (e, _, _) in enumerate(checks))).collect(engine="streaming").row(0)
    )
    for (expr, column, message), total in zip(checks, counts):
        if not total:
            continue
        for r in rows.filter(expr).head(REPORT_ROWS).collect().iter_rows(named=True):
            out.add(rel, r["row"], column, message(r))
        if total > REPORT_ROWS:
            out.add(rel, None, column, f"{total - REPORT_ROWS} more rows with the same problem")


def _site_values(pp, site_ids: list[str], metrics: list[Metric]) -> dict[str, dict[str, float | None]]:
    import polars as pl

    aggs = []
    for m in metrics:
        d = m.derive
        assert d is not None, "only metrics derived from the contact log come here"
        if d.rule == "share_with_at_least":
            aggs.append((pl.col("contacts") >= d.n).mean().alias(m.key))
        elif d.rule == "mean_contacts":
            aggs.append(pl.col("contacts").mean().alias(m.key))
        elif d.rule == "median_contacts":
            aggs.append(pl.col("contacts").median().alias(m.key))
        else:
            aggs.append(pl.len().cast(pl.Float64).alias(m.key))
    per_site = {r["site"]: r for r in pp.group_by("site").agg(*aggs).iter_rows(named=True)}
    values: dict[str, dict[str, float | None]] = {}
    for sid in site_ids:
        r = per_site.get(sid)
        values[sid] = {}
        for m in metrics:
            if r is None:
                values[sid][m.key] = 0.0 if m.derive is not None and m.derive.rule == "participants" else None
            else:
                v = r[m.key]
                values[sid][m.key] = None if v is None else float(v)
    return values


def first_bad_utf8(path: Path) -> tuple[int, int] | None:
    """(line, byte) of the first byte that is not UTF-8, reading in chunks; None if all is UTF-8."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    from cases.textio import open_regular

    line = 1
    with open_regular(path) as fh:
        while chunk := fh.read(1 << 20):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                return line + chunk[: exc.start].count(b"\n"), chunk[exc.start]
            line += chunk.count(b"\n")
    return None


def _unreadable(path: Path, rel: str, exc: Exception, out: Collector) -> None:
    reason = _reason(exc)
    if "UTF-8" in reason and path.suffix.lower() != ".parquet":
        bad = first_bad_utf8(path)
        if bad is not None:
            out.add(rel, bad[0], None, f"is not UTF-8 (byte 0x{bad[1]:02x}); save the file as UTF-8")
            return
    out.add(rel, None, None, f"cannot be read: {reason}")


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    if "utf-8" in first.lower() or "utf8" in first.lower():
        return "it is not UTF-8; save the file as UTF-8"
    return first[:200]
