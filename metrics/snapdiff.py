"""What changed between two snapshots of a comparison (``crosscase diff``): a pure function of two dicts.

The result is the JSON form of interfaces.md::

    {"split": {...} or None,
     "moved_sites": [{"site", "from", "to"}],          # from/to: high, low, middle, missing, absent
     "metrics": [{"metric", "change", "old", "new"}],  # change: sign, hedges_g, hedges_g_null, added, removed
     "themes": [{"theme", "from", "to", "from_direction", "to_direction"}],
     "ratings": [{"theme", "site", "from", "to"}],     # every changed cell; a token, or absent
     "literature": [{"theme", "from", "to"}],          # a literature row's fit (absent: not a row)
     "files": [{"file", "change"}],                    # change: added, removed, changed
     "judgements": [{"theme", "from", "to"}]}          # only when one changed (judgements.csv); null = none recorded

``split`` is set when the split's definition (outcome, rule and its options; not the cut, which
moves with the data) or the distinguishing rule differs: ``{"changed": [...], "old": {...},
"new": {...}}``. Each metric may appear once per kind of change.
"""

from __future__ import annotations

import math

from cases.model import GROUPS, PLACED
from cases.snapshot import file_changes

G_MOVE = 0.2  # Hedges' g moving by this much or more is reported
TOLERANCE = 1e-9  # so that a move of exactly 0.2 written with 12 digits still counts


def diff_snapshots(old: dict, new: dict) -> dict:
    """The differences between snapshot ``old`` and snapshot ``new`` (read by cases.snapshot);
    ``judgements`` only when a theme's recorded judgement differs."""
    out = {
        "split": split_change(old, new),
        "moved_sites": moved_sites(old, new),
        "metrics": metric_changes(old, new),
        "themes": theme_changes(old, new),
        "ratings": rating_changes(old, new),
        "literature": literature_changes(old, new),
        "files": [
            {"file": f, "change": c}
            for f, c in file_changes(old.get("study", {}).get("files", {}), new.get("study", {}).get("files", {}))
        ],
    }
    judged = judgement_changes(old, new)
    if judged:
        out["judgements"] = judged
    from metrics.qca_diff import qca_changes

    if qca := qca_changes(old, new):  # only when a QCA solution changed (analysis.md section 3)
        out["qca"] = qca
    return out


def _definition(snapshot: dict) -> dict:
    split = {k: v for k, v in snapshot.get("split", {}).items() if k != "cut"}
    rule = snapshot.get("distinguishing")
    if rule is not None:
        split["distinguishing"] = rule
    return split


def split_change(old: dict, new: dict) -> dict | None:
    a, b = _definition(old), _definition(new)
    if a == b:
        return None
    keys = list(dict.fromkeys([*a, *b]))
    return {"changed": [k for k in keys if a.get(k) != b.get(k)], "old": a, "new": b}


def _group_of(snapshot: dict) -> dict[str, str]:
    where: dict[str, str] = {}
    for g in GROUPS:
        for site in snapshot.get("groups", {}).get(g, []):
            where.setdefault(site, g)
    return where


def _site_order(old: dict, new: dict, old_at: dict, new_at: dict) -> list[str]:
    """Sites in the sites file's order (the labels' order), then any others in group order."""
    keys = [*old.get("labels", {}), *new.get("labels", {}), *old_at, *new_at]
    return list(dict.fromkeys(keys))


def moved_sites(old: dict, new: dict) -> list[dict]:
    old_at, new_at = _group_of(old), _group_of(new)
    moved = []
    for site in _site_order(old, new, old_at, new_at):
        if site not in old_at and site not in new_at:
            continue
        a, b = old_at.get(site, "absent"), new_at.get(site, "absent")
        if a != b:
            moved.append({"site": site, "from": a, "to": b})
    return moved


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        return None
    return float(value)


def metric_changes(old: dict, new: dict) -> list[dict]:
    before = {m["metric"]: m for m in old.get("metrics", [])}
    after = {m["metric"]: m for m in new.get("metrics", [])}
    changes = []
    for key in list(dict.fromkeys([*after, *before])):
        if key not in before:
            changes.append({"metric": key, "change": "added", "old": None, "new": _number(after[key].get("hedges_g"))})
            continue
        if key not in after:
            changes.append(
                {"metric": key, "change": "removed", "old": _number(before[key].get("hedges_g")), "new": None}
            )
            continue
        a, b = before[key], after[key]
        da, db = _number(a.get("mean_difference")), _number(b.get("mean_difference"))
        if da is not None and db is not None and _sign(da) != _sign(db):
            changes.append({"metric": key, "change": "sign", "old": da, "new": db})
        ga, gb = _number(a.get("hedges_g")), _number(b.get("hedges_g"))
        if (ga is None) != (gb is None):
            changes.append({"metric": key, "change": "hedges_g_null", "old": ga, "new": gb})
        elif ga is not None and gb is not None and abs(gb - ga) >= G_MOVE - TOLERANCE:
            changes.append({"metric": key, "change": "hedges_g", "old": ga, "new": gb})
    return changes


def theme_changes(old: dict, new: dict) -> list[dict]:
    before = {t["theme"]: t for t in old.get("themes", [])}
    after = {t["theme"]: t for t in new.get("themes", [])}
    changes = []
    for key in list(dict.fromkeys([*after, *before])):
        a, b = before.get(key, {}), after.get(key, {})
        la, lb = a.get("distinguishing", "absent"), b.get("distinguishing", "absent")
        ra, rb = a.get("direction"), b.get("direction")
        if la != lb or (ra != rb and key in before and key in after):
            changes.append({"theme": key, "from": la, "to": lb, "from_direction": ra, "to_direction": rb})
    return changes


def judgement_changes(old: dict, new: dict) -> list[dict]:
    """Themes whose recorded judgement (judgements.csv) differs: changed, recorded, or dropped (null)."""
    before = {t["theme"]: t.get("judgement") for t in old.get("themes", [])}
    after = {t["theme"]: t.get("judgement") for t in new.get("themes", [])}
    return [
        {"theme": key, "from": before.get(key), "to": after.get(key)}
        for key in dict.fromkeys([*after, *before])
        if before.get(key) != after.get(key)
    ]


def _ratings(theme: dict) -> dict[str, str]:
    """A theme's rating of each site, whichever group the site is in."""
    out: dict[str, str] = {}
    for g in PLACED:
        out.update((theme.get(g) or {}).get("ratings") or {})
    return out


def rating_changes(old: dict, new: dict) -> list[dict]:
    """Every rating cell that differs, whether or not a label moved: a site rated differently, or
    rated in one snapshot only ("absent" in the other); themes in the new snapshot's order, then the
    old's, sites in the sites file's order."""
    before = {t["theme"]: _ratings(t) for t in old.get("themes", [])}
    after = {t["theme"]: _ratings(t) for t in new.get("themes", [])}
    order = _site_order(old, new, _group_of(old), _group_of(new))
    changes = []
    for key in list(dict.fromkeys([*after, *before])):
        a, b = before.get(key, {}), after.get(key, {})
        for site in dict.fromkeys([*order, *a, *b]):
            was, now = a.get(site, "absent"), b.get(site, "absent")
            if was != now:
                changes.append({"theme": key, "site": site, "from": was, "to": now})
    return changes


def literature_changes(old: dict, new: dict) -> list[dict]:
    """The literature rows whose fit changed (analysis.md section 1), in the new snapshot's row order
    then the old one's. A snapshot written before the literature was part of it has no rows to
    compare: nothing is reported then."""
    if "literature" not in old or "literature" not in new:
        return []
    before = {r["theme"]: r.get("fit") for r in old["literature"].get("rows", [])}
    after = {r["theme"]: r.get("fit") for r in new["literature"].get("rows", [])}
    changes = []
    for key in list(dict.fromkeys([*after, *before])):
        a, b = before.get(key, "absent"), after.get(key, "absent")
        if a != b:
            changes.append({"theme": key, "from": a, "to": b})
    return changes
