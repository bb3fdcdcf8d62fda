"""A snapshot's ``[qca]`` (analysis.md section 3): every field that ``diff`` and the dashboard read
has its type, ``out`` is 0, 1 or ?, and a pseudonymised snapshot names no site by its id.

``check_qca(data, c)`` is called by cases/snapshot.py's body check with its checker ``c`` (``need``
and ``err`` name the file, the line and the key of each problem)."""

from __future__ import annotations

from cases.tomlcheck import check_pseudonyms

KINDS = ("conservative", "parsimonious", "intermediate")
OUTS = ("0", "1", "?")


def _fits(c, item: dict, where: tuple, keys=("incl", "pri", "cov")) -> None:
    for key in keys:
        c.need(item, where, key, float, required=False)


def check_qca(data: dict, c) -> None:
    qca = c.need(data, (), "qca", dict, required=False)
    if qca is None:
        return
    w = ("qca",)
    c.need(qca, w, "outcome", str)
    c.need(qca, w, "conditions", [str])
    cuts = c.need(qca, w, "cuts", dict)
    if cuts is not None:
        c.need(cuts, (*w, "cuts"), "incl", float)
        c.need(cuts, (*w, "cuts"), "n", int)
        c.need(cuts, (*w, "cuts"), "pri", float)
    c.need(qca, w, "cases", {str: {str: float}})
    for i, item in enumerate(c.need(qca, w, "left_out", [dict], required=False) or []):
        c.need(item, (*w, "left_out", i), "site", str)
        c.need(item, (*w, "left_out", i), "reason", str)
    for i, row in enumerate(c.need(qca, w, "truth_table", [dict], required=False) or []):
        where = (*w, "truth_table", i)
        c.need(row, where, "configuration", str)
        c.need(row, where, "n", int)
        _fits(c, row, where, ("incl", "pri"))
        out = c.need(row, where, "out", str)
        if isinstance(out, str) and out not in OUTS:
            c.err(where, "out", f'"{out}" is not one of 0, 1, ?')
        c.need(row, where, "cases", [str], required=False)
    solutions = c.need(qca, w, "solutions", dict, required=False) or {}
    for kind, value in solutions.items():
        where = (*w, "solutions", kind)
        if kind not in KINDS:
            c.err((*w, "solutions"), kind, f"is not a solution ({', '.join(KINDS)})")
            continue
        if not isinstance(value, dict):
            c.err((*w, "solutions"), kind, "must be a table")
            continue
        for j, model in enumerate(c.need(value, where, "models", [dict], required=False) or []):
            mw = (*where, "models", j)
            c.need(model, mw, "expression", str)
            _fits(c, model, mw)
            c.need(model, mw, "assumptions", [str], required=False)
            for k, term in enumerate(c.need(model, mw, "terms", [dict], required=False) or []):
                tw = (*mw, "terms", k)
                c.need(term, tw, "term", str)
                _fits(c, term, tw, ("incl", "pri", "cov", "cov_unique"))
                c.need(term, tw, "cases", [str], required=False)
    for i, item in enumerate(c.need(qca, w, "necessity", [dict], required=False) or []):
        c.need(item, (*w, "necessity", i), "condition", str)
        _fits(c, item, (*w, "necessity", i), ("incl", "cov", "ron"))
    c.need(qca, w, "warnings", [str], required=False)
    disclosure = data.get("disclosure")
    if isinstance(disclosure, dict) and disclosure.get("pseudonymise") is True:
        _pseudonyms(qca, c)


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _pseudonyms(qca: dict, c) -> None:
    """In a pseudonymised snapshot, every site the QCA names is a pseudonym."""
    sites: list[tuple[tuple, str | None, object]] = []
    cases = qca.get("cases")
    if isinstance(cases, dict):
        sites += [(("qca",), "cases", s) for s in cases]
    for i, item in enumerate(_list(qca.get("left_out"))):
        if isinstance(item, dict):
            sites.append((("qca", "left_out", i), "site", item.get("site")))
    for i, row in enumerate(_list(qca.get("truth_table"))):
        if isinstance(row, dict):
            sites += [(("qca", "truth_table", i), "cases", s) for s in _list(row.get("cases"))]
    seen: set[str] = set()
    for where, key, site in sites:
        check_pseudonyms(c, where, key, [site], seen)
