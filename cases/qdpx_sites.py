"""What a REFI-QDA project's sites are: its cases (the default), its documents, or its sets.

NVivo, MAXQDA and QualCoder projects usually hold cases; ATLAS.ti writes none (its document groups
are sets, its document variables often set names such as "gender: male"), and a project coded
without cases has only documents. ``crosscase import --sites-from`` names the choice; nothing is
guessed: a project without a named case is refused with a line naming the choices it offers.

- ``cases``: each named case is a site (cases.qdpx's rules).
- ``sources``: each text or PDF document is a site: its own document variables, and those of a
  nameless case that refers to it alone (MAXQDA writes document variables so), become its values;
  a set named "NAME: VALUE" (ATLAS.ti's way to give documents an attribute) sets attribute NAME to
  VALUE for its member documents; every coded selection in the document is the site's evidence.
- ``sets``: each set holding documents is a site, and the coded selections in its documents are
  its evidence.
"""

from __future__ import annotations

from cases.qdpx_map import counted
from cases.qdpx_read import Case, Project, Variable

_TEXT_KINDS = ("TextSource", "PDFSource")


def choices(project: Project) -> str:
    """What a project without a named case offers instead, for its refusal line."""
    texts = sum(1 for s in project.sources.values() if s.kind in _TEXT_KINDS)
    holding = sum(1 for s in project.sets if s.sources)
    offers = []
    if texts:
        offers.append(f"{texts} text documents (--sites-from sources: a site per document)")
    if holding:
        offers.append(f"{holding} sets of documents (--sites-from sets: a site per set)")
    if not offers:
        return "it has no text document or set of documents either"
    return "import it with the sites taken from its " + ", or its ".join(offers)


def site_cases(project: Project, sites_from: str) -> tuple[list[Case], set[str], list[str]]:
    """The cases that stand for the sites, the GUIDs of the project's cases that are not sites
    (codings that name them are not codes), and what is not carried over, one line each."""
    if sites_from == "cases":
        return project.cases, set(), _unused_sets(project)
    ignored = {c.guid for c in project.cases}
    lost = []
    named = sum(1 for c in project.cases if c.name)
    if named:
        lost.append(f"{named} named cases: not used, as the sites are the project's {sites_from}")
    if sites_from == "sources":
        return _from_sources(project, lost), ignored, lost
    return _from_sets(project, lost), ignored, lost


def _unused_sets(project: Project) -> list[str]:
    if not project.sets:
        return []
    return [
        f"{counted(len(project.sets), 'set', 'sets')}: not carried over (--sites-from sets makes a site of each; --sites-from "
        'sources makes a set named "NAME: VALUE" an attribute of its documents)'
    ]


def _from_sources(project: Project, lost: list[str]) -> list[Case]:
    sole: dict[str, dict[str, str | None]] = {}  # source guid -> values of nameless cases that name it alone
    for case in project.cases:
        if case.name is None and len(case.sources) == 1:
            sole.setdefault(case.sources[0], {}).update(case.values)
    attributes = _set_attributes(project, lost)
    cases = []
    for src in project.sources.values():
        if src.kind not in _TEXT_KINDS:
            continue
        values = {**sole.get(src.guid, {}), **src.values, **attributes.get(src.guid, {})}
        cases.append(Case(f"source:{src.guid}", src.name, None, values, [src.guid], [], [], src.line))
    return cases


def _set_attributes(project: Project, lost: list[str]) -> dict[str, dict[str, str | None]]:
    """Sets named "NAME: VALUE" as a Text variable NAME per document; other sets are listed."""
    found: dict[str, dict[str, str | None]] = {}
    unused = 0
    for group in project.sets:
        name, sep, value = group.name.partition(":")
        name, value = name.strip(), value.strip()
        if not (sep and name and value and group.sources):
            unused += 1
            continue
        var = f"set:{name.casefold()}"
        project.variables.setdefault(var, Variable(var, name, "Text", f"From the sets named {name}: ...", group.line))
        for src in group.sources:
            mine = found.setdefault(src, {})
            if mine.get(var, value) != value:
                lost.append(
                    f'document in sets "{name}: {mine[var]}" and "{group.name}": "{name}" kept as "{mine[var]}"'
                )
                continue
            mine[var] = value
    if unused:
        lost.append(f'{unused} sets not named "NAME: VALUE" with documents: not carried over')
    return found


def _from_sets(project: Project, lost: list[str]) -> list[Case]:
    cases = []
    empty = 0
    for group in project.sets:
        members = [g for g in group.sources if g in project.sources]
        if not group.name or not members:
            empty += 1
            continue
        cases.append(Case(f"set:{group.guid}", group.name, group.description, {}, members, [], [], group.line))
    if empty:
        lost.append(f"{empty} sets hold no document (or have no name): not sites")
    return cases
