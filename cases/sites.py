"""sites.csv (or .tsv/.parquet/.xlsx): one row per site, metric columns and attributes."""

from __future__ import annotations

import math
import unicodedata
from types import MappingProxyType

from cases.errors import Collector
from cases.escape import code_points
from cases.model import Metric, Site
from cases.textio import Table


def parse_number(cell: object) -> float | None:
    """A finite number from a cell (text or number); None when it is not one."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        try:
            value = float(cell)
        except OverflowError:  # an integer too large for a float (a Parquet or xlsx cell)
            return None
    else:
        text = str(cell).strip()
        try:
            value = float(text)
        except ValueError:
            return None
        # a number as a spreadsheet writes it: float() also takes "1_5" (as 15) and other scripts' digits
        if "_" in text or not text.isascii():
            return None
    return value if math.isfinite(value) else None


def cell_text(cell: object) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def read_sites(table: Table, rel: str, metrics: dict[str, Metric], out: Collector) -> tuple[list[Site], list[str]]:
    """Sites with their metric values (derived metrics left for the contact log) and attributes."""
    columns = table.columns
    if "site" not in columns:
        out.add(rel, None, None, 'no column "site"')
        return [], []
    read_here = [k for k, m in metrics.items() if m.derive is None]
    for key, metric in metrics.items():
        if metric.derive is None and key not in columns:
            out.add(rel, None, None, f'no column "{key}" for [metrics.{key}]')
        elif metric.derive is not None and key in columns:
            out.add(rel, 1, key, f"[metrics.{key}] is derived from contacts, so sites must not have this column")
    index = {name: i for i, name in enumerate(columns)}
    attributes = [c for c in columns if c not in ("site", "label") and c not in metrics]
    sites: list[Site] = []
    first_row: dict[str, int] = {}
    canonical: dict[str, str] = {}  # NFC form -> the id as first written
    if not table.rows:
        out.add(rel, None, None, "has a header but no site rows")
    at_site, at_label = index["site"], index.get("label")
    read = [(key, index[key], metrics[key]) for key in read_here if key in index]  # looked up once, not per row
    at_attrs = [(a, index[a]) for a in attributes]
    for row, cells in table.rows:
        site_id = cells[at_site]
        if site_id is None:
            out.add(rel, row, "site", "the site id is empty")
            continue
        site_id = cell_text(site_id)
        if site_id in first_row:
            out.add(rel, row, "site", f'"{site_id}" appears twice (first at row {first_row[site_id]})')
            continue
        nfc = site_id if site_id.isascii() else unicodedata.normalize("NFC", site_id)
        if nfc in canonical:  # the same id to a reader, written with other code points (NFD from a Mac, say)
            first = canonical[nfc]
            out.add(
                rel,
                row,
                "site",
                f'"{site_id}" appears twice (first at row {first_row[first]}, written with other '
                f'Unicode code points: "{code_points(site_id)}" and "{code_points(first)}")',
            )
            continue
        canonical[nfc] = site_id
        first_row[site_id] = row
        values = {
            key: None if cells[i] is None else _metric_value(cells[i], metric, rel, row, out) for key, i, metric in read
        }
        label = None if at_label is None else cells[at_label]
        attrs = {a: (None if cells[i] is None else cell_text(cells[i])) for a, i in at_attrs}
        sites.append(
            Site(
                site_id,
                site_id if label is None else cell_text(label),
                MappingProxyType(values),
                MappingProxyType(attrs),
            )
        )
    return sites, attributes


def _metric_value(cell: object, metric: Metric, rel: str, row: int, out: Collector) -> float | None:
    if cell is None:
        return None
    value = parse_number(cell)
    if value is None:
        hint = (
            " (leave the cell empty for a missing value)"
            if str(cell).strip().upper() in ("#N/A", "NA", "N/A", "NAN", "-", ".")
            else ""
        )
        out.add(rel, row, metric.key, f'"{cell_text(cell)}" is not a number{hint}')
        return None
    if metric.min is not None and value < metric.min:
        out.add(rel, row, metric.key, f"{value:g} is below the minimum {metric.min:g}")
    elif metric.max is not None and value > metric.max:
        out.add(rel, row, metric.key, f"{value:g} is above the maximum {metric.max:g}")
    if metric.count and not value.is_integer():
        out.add(rel, row, metric.key, f"{value:g} is not a whole number, but [metrics.{metric.key}] is a count")
    return value
