"""Small study folders of other shapes than the built-in example, for the screen tests.

``write_study(root, sites, metrics, ...)`` writes study.toml, sites.csv and (when given) ratings.csv
from plain Python values, so a test states the whole study it runs on: no second metric unless
asked, any number of sites, metrics of any range (small proportions, negative scores), no ratings.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_study(
    root: Path,
    sites: list[dict],
    metrics: dict[str, dict],
    *,
    outcome: str,
    split: str = "median",
    ratings: list[tuple[str, str, str]] | None = None,
    attributes: tuple[str, ...] = (),
    title: str = "A small study",
    outcome_extra: dict | None = None,
    distinguishing: dict | None = None,
) -> Path:
    """Write a study folder at ``root/"study"`` and return it.

    ``sites``: one dict per site with ``site``, ``label``, every attribute and metric value (None =
    missing). ``metrics``: key -> [metrics.KEY] entries (label, min, max, count...). ``ratings``:
    (site, theme, rating) rows; None writes no ratings file.
    """
    folder = Path(root) / "study"
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        "[study]",
        f"title = {_toml_value(title)}",
        "synthetic = false",
        "",
        "[outcome]",
        f"metric = {_toml_value(outcome)}",
        f"split = {_toml_value(split)}",
    ]
    lines += [f"{k} = {_toml_value(v)}" for k, v in (outcome_extra or {}).items()]
    for key, entry in metrics.items():
        lines += ["", f"[metrics.{key}]"] + [f"{k} = {_toml_value(v)}" for k, v in entry.items()]
    if distinguishing:
        lines += ["", "[distinguishing]"] + [f"{k} = {_toml_value(v)}" for k, v in distinguishing.items()]
    (folder / "study.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    header = ["site", "label", *attributes, *metrics]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in sites:
        writer.writerow(["" if row.get(h) is None else row.get(h) for h in header])
    (folder / "sites.csv").write_text(out.getvalue(), encoding="utf-8")
    if ratings is not None:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["site", "theme", "rating"])
        writer.writerows(ratings)
        (folder / "ratings.csv").write_text(out.getvalue(), encoding="utf-8")
    return folder
