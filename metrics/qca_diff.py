"""What changed in the QCA between two snapshots (``crosscase diff``): the solutions, by their models.

``qca_changes(old, new)`` lists, for each solution (conservative, parsimonious, intermediate) whose
models differ, ``{"solution", "from", "to"}`` with the model expressions of each snapshot (``null``
for a snapshot without ``[qca]``), and ``{"solution": "conditions", ...}`` first when the
conditions themselves differ. A snapshot pair that both lack ``[qca]`` has no change.
"""

from __future__ import annotations

KINDS = ("conservative", "parsimonious", "intermediate")


def _models(snapshot: dict, kind: str) -> list[str] | None:
    qca = snapshot.get("qca")
    if not isinstance(qca, dict):
        return None
    models = ((qca.get("solutions") or {}).get(kind) or {}).get("models") or []
    return [m.get("expression", "") for m in models if isinstance(m, dict)]


def qca_changes(old: dict, new: dict) -> list[dict]:
    if not isinstance(old.get("qca"), dict) and not isinstance(new.get("qca"), dict):
        return []
    changes = []
    a, b = (s.get("qca") if isinstance(s.get("qca"), dict) else None for s in (old, new))
    ca, cb = (None if q is None else list(q.get("conditions") or []) for q in (a, b))
    if ca != cb:
        changes.append({"solution": "conditions", "from": ca, "to": cb})
    for kind in KINDS:
        was, now = _models(old, kind), _models(new, kind)
        if was != now:
            changes.append({"solution": kind, "from": was, "to": now})
    return changes


def change_lines(changes: list[dict]) -> list[str]:
    """For people: ``  parsimonious: C2 -> C1 | C2`` (models separated by |; none, or absent without [qca])."""

    def models(value) -> str:
        if value is None:
            return "absent"
        return " | ".join(value) if value else "none"

    return [f"  {c['solution']}: {models(c['from'])} -> {models(c['to'])}" for c in changes]
