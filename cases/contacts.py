"""The participant-level contact log: derived site metrics, computed lazily with polars.

One streaming pass aggregates contacts per participant and per site and counts faulty rows at the
same time; only when a fault is found does a second pass look for the rows to name them.
"""

from __future__ import annotations

from pathlib import Path

from cases.errors import Collector
from cases.model import Metric

REPORT_ROWS = 5  # rows named per kind of fault; the rest are counted


def _scan(path: Path):
    import polars as pl

    if path.suffix.lower() == ".parquet":
        return pl.scan_parquet(path), 1
    sep = "\t" if path.suffix.lower() == ".tsv" else ","
    return pl.scan_csv(path, separator=sep, infer_schema=False, encoding="utf8", quote_char='"'), 2


def _schema(lf, rel: str, out: Collector) -> dict | None:
    try:
        return dict(lf.collect_schema())
    except Exception as exc:  # noqa: BLE001 - reported as a problem with the file
        out.add(rel, None, None, f"cannot be read: {_reason(exc)}")
        return None


def derive_contacts(path: Path, rel: str, site_ids: list[str], metrics: list[Metric], out: Collector) -> dict[str, dict[str, float | None]]:
    """Derived metric values per site; every site of ``site_ids`` gets an entry."""
    import polars as pl

    lf, first_row = _scan(path)
    schema = _schema(lf, rel, out)
    if schema is None:
        return {}
    schema = {str(k).strip().lstrip("\ufeff"): v for k, v in schema.items()}
    lf = lf.rename({k: k.strip().lstrip("\ufeff") for k in lf.collect_schema().names()})
    missing = [c for c in ("site", "participant") if c not in schema]
    for c in missing:
        out.add(rel, None, None, f"no column \"{c}\"")
    if missing:
        return {}
    has_date, has_minutes = "date" in schema, "minutes" in schema
    site = pl.col("site").cast(pl.String).str.strip_chars()
    participant = pl.col("participant").cast(pl.String).str.strip_chars()
    empty = lambda e: e.is_null() | (e == "")  # noqa: E731
    cols = [site.alias("site"), participant.alias("participant")]
    listing = pl.lit(False)
    bad_date = pl.lit(False)
    bad_minutes = pl.lit(False)
    if has_date:
        date = pl.col("date")
        if schema["date"] in (pl.String, pl.Utf8):
            d = date.str.strip_chars()
            bad_date = ~empty(d) & d.str.to_date("%Y-%m-%d", strict=False).is_null()
            date_empty = empty(d)
        else:
            date_empty = date.is_null()
        listing = date_empty
    if has_minutes:
        m = pl.col("minutes")
        if schema["minutes"] in (pl.String, pl.Utf8):
            mm = m.str.strip_chars()
            num = mm.cast(pl.Float64, strict=False)
            bad_minutes = ~empty(mm) & (num.is_null() | (num < 0) | num.is_nan() | num.is_infinite())
            minutes_empty = empty(mm)
        else:
            num = m.cast(pl.Float64)
            bad_minutes = num.is_not_null() & ((num < 0) | num.is_nan())
            minutes_empty = num.is_null()
        listing = (listing & minutes_empty) if has_date else minutes_empty
    if not (has_date or has_minutes):
        listing = pl.lit(False)
    rows = lf.select(
        *cols,
        (~listing).alias("contact"),
        bad_date.alias("bad_date"),
        bad_minutes.alias("bad_minutes"),
    )
    per_participant = rows.group_by("site", "participant").agg(
        pl.col("contact").sum().alias("contacts"),
        pl.col("bad_date").sum().alias("bad_date"),
        pl.col("bad_minutes").sum().alias("bad_minutes"),
        pl.len().alias("rows"),
        pl.col("contact").not_().sum().alias("listings"),
    )
    try:
        pp = per_participant.collect(engine="streaming")
    except Exception as exc:  # noqa: BLE001
        out.add(rel, None, None, f"cannot be read: {_reason(exc)}")
        return {}
    known = set(site_ids)
    faults = _faults(pp, known)
    if faults:
        _name_rows(lf, rows, faults, known, rel, first_row, out)
        return {}
    return _site_values(pp, site_ids, metrics)


def _faults(pp, known: set[str]) -> list[str]:
    import polars as pl

    faults = []
    if pp.filter(pl.col("site").is_null() | (pl.col("site") == "")).height:
        faults.append("empty_site")
    if pp.filter(pl.col("participant").is_null() | (pl.col("participant") == "")).height:
        faults.append("empty_participant")
    if pp.filter(pl.col("site").is_not_null() & (pl.col("site") != "") & ~pl.col("site").is_in(sorted(known))).height:
        faults.append("unknown_site")
    if pp["bad_date"].sum():
        faults.append("bad_date")
    if pp["bad_minutes"].sum():
        faults.append("bad_minutes")
    if pp.filter((pl.col("listings") > 0) & (pl.col("rows") > 1)).height:
        faults.append("listing_with_contacts")
    return faults


def _name_rows(lf, rows, faults: list[str], known: set[str], rel: str, first_row: int, out: Collector) -> None:
    """The second pass: find the first rows of each fault to name them."""
    import polars as pl

    indexed = rows.with_row_index("row", offset=first_row)
    checks = {
        "empty_site": (pl.col("site").is_null() | (pl.col("site") == ""), "site", lambda r: "the site id is empty"),
        "empty_participant": (pl.col("participant").is_null() | (pl.col("participant") == ""), "participant", lambda r: "the participant id is empty"),
        "unknown_site": (~pl.col("site").is_in(sorted(known)) & (pl.col("site") != ""), "site", lambda r: f"\"{r['site']}\" is not a site in the sites file"),
        "bad_date": (pl.col("bad_date"), "date", lambda r: "not an ISO date (YYYY-MM-DD)"),
        "bad_minutes": (pl.col("bad_minutes"), "minutes", lambda r: "not a number of minutes (0 or more)"),
    }
    for fault in faults:
        if fault == "listing_with_contacts":
            _name_listings(indexed, rel, out)
            continue
        expr, column, message = checks[fault]
        found = indexed.filter(expr)
        total = found.select(pl.len()).collect(engine="streaming").item()
        for r in found.head(REPORT_ROWS).collect().iter_rows(named=True):
            out.add(rel, r["row"], column, message(r))
        if total > REPORT_ROWS:
            out.add(rel, None, column, f"{total - REPORT_ROWS} more rows with the same problem")


def _name_listings(indexed, rel: str, out: Collector) -> None:
    import polars as pl

    pairs = indexed.group_by("site", "participant").agg(
        pl.col("contact").not_().sum().alias("listings"), pl.len().alias("n"), pl.col("row").filter(~pl.col("contact")).first().alias("row")
    ).filter((pl.col("listings") > 0) & (pl.col("n") > 1)).sort("row")
    for r in pairs.head(REPORT_ROWS).collect().iter_rows(named=True):
        out.add(rel, r["row"], "participant", f"\"{r['participant']}\" at site \"{r['site']}\" is listed with no contact (empty date and minutes) but also has contacts")


def _site_values(pp, site_ids: list[str], metrics: list[Metric]) -> dict[str, dict[str, float | None]]:
    import polars as pl

    aggs = [pl.len().alias("__participants")]
    for m in metrics:
        d = m.derive
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
                values[sid][m.key] = 0.0 if m.derive.rule == "participants" else None
            else:
                v = r[m.key]
                values[sid][m.key] = None if v is None else float(v)
    return values


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    first = text[0] if text else type(exc).__name__
    if "utf-8" in first.lower() or "utf8" in first.lower():
        return "it is not UTF-8; save the file as UTF-8"
    return first[:200]
