"""What a REFI-QDA import leaves behind that no other step reports, one line each (the report's
"not carried over" lines): links to nothing, graphs and links, memos on cases, codings and code
folders, and document variables when the sites are cases."""

from __future__ import annotations

from cases.qdpx_map import clean, counted
from cases.qdpx_read import Case, Project


def unmapped(project: Project, sites_from: str, elsewhere: set[str], sites: list[Case], themes: set[str]) -> list[str]:
    """The lines; ``elsewhere``: the variables whose values are all on things that are not sites."""
    lost = [
        f'case "{clean(name)}" (line {line}) refers to a source the project does not hold: that link is not carried over'
        for name, line in project.dangling
    ]
    for count, one, many in ((project.graphs, "graph", "graphs"), (project.links, "link", "links between items")):
        if count:
            lost.append(f"{counted(count, one, many)}: not carried over")
    memos = sum(1 for c in sites if c.description and not any(g in themes for g in c.codes))
    if memos and sites_from == "cases":
        lost.append(f"{counted(memos, 'case memo', 'case memos')} (a case's description): not carried over")
    coding_memos = sum(1 for s in project.sources.values() for sel in s.selections if sel.memo)
    if coding_memos:
        lost.append(
            f"{counted(coding_memos, 'coding memo', 'coding memos')} (a selection's description): not carried over"
        )
    folders = sum(1 for c in project.codes.values() if c.has_children and c.description and c.guid not in themes)
    if folders:
        lost.append(
            f"{counted(folders, 'description of a code folder', 'descriptions of code folders')}: not carried over "
            "(a folder names a domain)"
        )
    holder, other = ("documents", "sources") if sites_from == "cases" else ("cases", "cases")
    for g in sorted(elsewhere, key=lambda g: project.variables[g].name if g in project.variables else g):
        name = project.variables[g].name if g in project.variables else g
        lost.append(
            f'variable "{clean(name)}" holds values of {holder}, not of the sites: not carried over '
            f"(--sites-from {other} makes a site of each of the {holder})"
        )
    return lost
