"""The parts of a REFI-QDA project (Project.xsd 1.0) that crosscase uses, read from a checked archive.

Vendors differ; this reads what they write: the project file named after the project
(``Trial.qde``) or ``project.qde``; sources under ``Sources/`` or ``sources/``; GUIDs with or
without braces, in either case; memos as ``<Description>`` only; CRLF text files whose positions
count one character per line break (ATLAS.ti); PDF sources whose text is a ``<Representation>``.
The project's ``basePath`` (often an absolute path on the author's machine) is never read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cases.errors import Problem
from cases.qdpx_safe import Archive, Node, QdpxError, parse_xml


def guid(text: str | None) -> str:
    """A GUID compared as REFI-QDA allows it written: braces and case do not matter."""
    return (text or "").strip().strip("{}").upper()


@dataclass
class Code:
    guid: str
    name: str
    path: tuple[str, ...]  # names from the top of the codebook down to this code
    description: str | None
    has_children: bool
    line: int


@dataclass
class Variable:
    guid: str
    name: str
    type: str
    description: str | None
    line: int


@dataclass
class Case:
    guid: str
    name: str | None
    description: str | None
    values: dict[str, str | None]  # variable guid -> value text (None: empty element)
    sources: list[str]
    selections: list[str]
    codes: list[str]
    line: int


@dataclass
class Selection:
    guid: str
    name: str | None
    start: int
    end: int
    codes: list[str]
    line: int


@dataclass
class Source:
    guid: str
    name: str
    kind: str  # TextSource, PDFSource, PictureSource, AudioSource, VideoSource
    text: str | None = None  # the plain text, positions counted in code points
    missing: str | None = None  # why the text could not be read
    selections: list[Selection] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)  # codings of the whole source
    other_selections: int = 0  # picture, PDF-region, audio and video selections
    values: dict[str, str | None] = field(default_factory=dict)  # document variables on the source itself
    line: int = 0


@dataclass
class Set:
    """A set (ATLAS.ti's document groups, NVivo's and MAXQDA's sets): its member sources and codes."""

    guid: str
    name: str
    description: str | None
    sources: list[str]
    codes: int
    line: int


@dataclass
class Project:
    name: str
    origin: str
    entry: str
    codes: dict[str, Code]
    variables: dict[str, Variable]
    cases: list[Case]
    sources: dict[str, Source]
    notes: int = 0
    description: str | None = None
    sets: list[Set] = field(default_factory=list)
    graphs: int = 0
    links: int = 0


def find_qde(archive: Archive) -> str:
    """The project file: ``project.qde`` or one named after the project, at the top of the archive."""
    top = [n for n in archive.members if n.lower().endswith(".qde") and "/" not in n]
    anywhere = [n for n in archive.members if n.lower().endswith(".qde")]
    choices = top or anywhere
    if not choices:
        raise QdpxError(
            [Problem(archive.label, None, None, "holds no .qde project file: it is not a REFI-QDA project")]
        )
    if len(choices) == 1:
        return choices[0]
    stem = archive.path.stem.casefold()
    for want in ("project.qde", f"{stem}.qde"):
        for n in choices:
            if n.rsplit("/", 1)[-1].casefold() == want:
                return n
    raise QdpxError(
        [
            Problem(
                archive.label,
                None,
                None,
                f"holds {len(choices)} .qde files ({', '.join(sorted(choices))}): "
                "crosscase cannot tell which is the project",
            )
        ]
    )


def _text(node: Node | None) -> str | None:
    if node is None:
        return None
    text = node.text.strip()
    return text or None


def _int(node: Node, key: str, entry: str) -> int:
    raw = node.get(key)
    try:
        return int((raw or "").strip())  # missing: not a whole number either
    except ValueError:
        raise QdpxError(
            [Problem(entry, node.line, None, f"<{node.tag}> {key} {raw!r} is not a whole number")]
        ) from None


def read_project(archive: Archive) -> Project:
    qde = find_qde(archive)
    entry = f"{archive.label}/{qde}"
    root = parse_xml(archive.read(archive.members[qde], archive.limits.qde, "project file"), entry)
    if root.tag != "Project":
        raise QdpxError(
            [Problem(entry, root.line, None, f"the root element is <{root.tag}>, not a REFI-QDA <Project>")]
        )
    project = Project(
        root.get("name") or archive.path.stem, " ".join((root.get("origin") or "").split()), entry, {}, {}, [], {}
    )
    book = root.find("CodeBook")
    codes = book.find("Codes") if book is not None else None
    if codes is not None:
        _codes(codes.findall("Code"), (), project, entry)
    variables = root.find("Variables")
    for v in variables.findall("Variable") if variables is not None else ():
        g = guid(v.get("guid"))
        project.variables[g] = Variable(
            g,
            " ".join((v.get("name") or "").split()),
            (v.get("typeOfVariable") or "").strip(),
            _text(v.find("Description")),
            v.line,
        )
    cases = root.find("Cases")
    for c in cases.findall("Case") if cases is not None else ():
        name = " ".join((c.get("name") or "").split()) or None
        project.cases.append(
            Case(
                guid(c.get("guid")),
                name,
                _text(c.find("Description")),
                _values(c),
                [guid(r.get("targetGUID")) for r in c.findall("SourceRef")],
                [guid(r.get("targetGUID")) for r in c.findall("SelectionRef")],
                [guid(r.get("targetGUID")) for r in c.findall("CodeRef")],
                c.line,
            )
        )
    sources = root.find("Sources")
    for s in sources.children if sources is not None else ():
        project.sources[guid(s.get("guid"))] = _source(s, archive, entry)
    project.description = _text(root.find("Description"))
    notes = root.find("Notes")
    project.notes = len(notes.findall("Note")) if notes is not None else 0
    _sets_and_counts(root, project)
    return project


def _sets_and_counts(root: Node, project: Project) -> None:
    """The project's sets, and how many graphs and links it holds (which crosscase does not carry)."""
    sets = root.find("Sets")
    for node in sets.findall("Set") if sets is not None else ():
        project.sets.append(
            Set(
                guid(node.get("guid")),
                " ".join((node.get("name") or "").split()),
                _text(node.find("Description")),
                [guid(r.get("targetGUID")) for r in node.findall("MemberSource")],
                len(node.findall("MemberCode")),
                node.line,
            )
        )
    for tag, box in (("graphs", "Graphs"), ("links", "Links")):
        found = root.find(box)
        setattr(project, tag, len(found.children) if found is not None else 0)


def _codes(nodes: list[Node], parent: tuple[str, ...], project: Project, entry: str) -> None:
    for node in nodes:
        name = " ".join((node.get("name") or "").split())
        if not name:
            raise QdpxError([Problem(entry, node.line, None, "a <Code> has no name")])
        path = (*parent, name)
        children = node.findall("Code")
        g = guid(node.get("guid"))
        project.codes[g] = Code(g, name, path, _text(node.find("Description")), bool(children), node.line)
        _codes(children, path, project, entry)


_VALUE_TAGS = ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue", "DateTimeValue")


def _values(node: Node) -> dict[str, str | None]:
    values = {}
    for vv in node.findall("VariableValue"):
        ref = vv.find("VariableRef")
        if ref is None:
            continue
        value = next((c for c in vv.children if c.tag in _VALUE_TAGS), None)
        values[guid(ref.get("targetGUID"))] = None if value is None else (value.text.strip() or None)
    return values


def _codings(node: Node) -> list[str]:
    return [guid(ref.get("targetGUID")) for c in node.findall("Coding") if (ref := c.find("CodeRef")) is not None]


def _source(node: Node, archive: Archive, entry: str) -> Source:
    name = " ".join((node.get("name") or "").split()) or "(unnamed source)"
    src = Source(
        guid(node.get("guid")),
        name,
        node.tag,
        codes=_codings(node),
        values=_values(node),
        line=node.line,
    )
    text_node: Node | None = node
    if node.tag == "PDFSource":
        src.other_selections = len(node.findall("PDFSelection"))
        text_node = node.find("Representation")
    elif node.tag != "TextSource":
        src.other_selections = sum(
            len(node.findall(t)) for t in ("PictureSelection", "AudioSelection", "VideoSelection")
        )
        return src
    if text_node is None:
        src.missing = "has no text representation"
        return src
    src.codes += [] if text_node is node else _codings(text_node)
    src.text, src.missing = _read_text(text_node, archive)
    for sel in text_node.findall("PlainTextSelection"):
        src.selections.append(
            Selection(
                guid(sel.get("guid")),
                sel.get("name"),
                _int(sel, "startPosition", entry),
                _int(sel, "endPosition", entry),
                _codings(sel),
                sel.line,
            )
        )
    return src


def _read_text(node: Node, archive: Archive) -> tuple[str | None, str | None]:
    """The source's plain text (inline, or the file ``plainTextPath`` names), or why there is none."""
    inline = node.find("PlainTextContent")
    if inline is not None:
        return inline.text, None
    path = (node.get("plainTextPath") or "").strip()
    if not path:
        return None, "has no plain text (only rich text, which crosscase does not read)"
    scheme, sep, rest = path.partition("://")
    if not sep:
        scheme, rest = "internal", path
    if scheme.lower() != "internal":
        # relative:// and absolute:// point outside the archive; the path itself is never repeated
        return None, "is stored outside the project file, so its text is not in the .qdpx"
    info = None
    for folder in ("Sources/", "sources/", ""):
        info = archive.find(folder + rest)
        if info is not None:
            break
    if info is None:
        return None, "names a text file that is not in the .qdpx"
    data = archive.read(info, archive.limits.source, "text source")
    encoding = "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    try:
        return data.decode(encoding), None
    except UnicodeDecodeError:
        return None, "is not UTF-8 text"


def selection_text(source: Source, sel: Selection, crlf_one: bool) -> str | None:
    """The selected text, positions in code points, end exclusive; ``crlf_one``: CRLF counts as one."""
    text = source.text or ""
    if crlf_one:
        text = text.replace("\r\n", "\n")
    if not 0 <= sel.start < sel.end <= len(text):
        return None
    return text[sel.start : sel.end]


def counts_crlf_as_one(source: Source, origin: str) -> bool:
    """Whether this source's positions count a CRLF line break as one character.

    REFI-QDA counts characters of the text file, so CRLF is two; ATLAS.ti counts one per line break.
    A selection whose ``name`` holds its text decides; otherwise the project's origin does.
    """
    text = source.text or ""
    if "\r\n" not in text:
        return False
    for sel in source.selections:
        hint = " ".join((sel.name or "").split())
        if len(hint) < 4:
            continue
        fits = []
        for one in (False, True):
            got = selection_text(source, sel, one)
            fits.append(got is not None and " ".join(got.split()).startswith(hint.rstrip(".… ")))
        if fits[0] != fits[1]:
            return fits[1]
    return "atlas.ti" in origin.casefold()
