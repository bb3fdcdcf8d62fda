"""The parts of a REFI-QDA project (Project.xsd 1.0) that crosscase uses, read from a checked archive.

Vendors differ; this reads what they write: the project file named after the project
(``Trial.qde``) or ``project.qde``; sources under ``Sources/`` or ``sources/``; GUIDs with or
without braces, in either case; memos as ``<Description>`` only; CRLF text files whose positions
count one character per line break (ATLAS.ti); PDF sources whose text is a ``<Representation>``.
The project's ``basePath`` (often an absolute path on the author's machine) is never read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

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
    memo: bool = False  # the selection has a <Description> (a coding memo), which crosscase does not carry


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
    relinked: list[tuple[str, str]] = field(default_factory=list)  # (case, source) found by their text
    dangling: list[tuple[str, int]] = field(default_factory=list)  # (case, line): a SourceRef to no source


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
    _relink(project, archive)
    notes = root.find("Notes")
    project.notes = len(notes.findall("Note")) if notes is not None else 0
    _sets_and_counts(root, project)
    return project


def _plain(text: str) -> str:
    return text.lstrip("\ufeff").replace("\r\n", "\n").strip()


def _relink(project: Project, archive: Archive) -> None:
    """Case SourceRefs that name no source. QualCoder names the copy of the document it stores
    beside the plain text (``sources/GUID.txt``) instead of the source: when that file's text is the
    text of exactly one source, the case is linked to that source (and ``relinked`` says so); any
    other is ``dangling``."""
    refs = [(case, i) for case in project.cases for i, ref in enumerate(case.sources) if ref not in project.sources]
    if not refs:
        return
    copies = {  # GUID-named text files in the archive
        guid(name.rsplit("/", 1)[-1].rsplit(".", 1)[0]): info
        for name, info in archive.members.items()
        if name.lower().endswith(".txt")
    }
    by_text: dict[str, list[str]] = {}
    for g, src in project.sources.items():
        if src.text is not None:
            by_text.setdefault(_plain(src.text), []).append(g)
    for case, i in refs:
        info = copies.get(case.sources[i])
        text = _decode(archive.read(info, archive.limits.source, "text source")) if info is not None else None
        owners = by_text.get(_plain(text), []) if text is not None else []
        name = case.name or "(a case without a name)"
        if len(owners) != 1:
            project.dangling.append((name, case.line))
            continue
        case.sources[i] = owners[0]
        project.relinked.append((name, project.sources[owners[0]].name))


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
                _text(sel.find("Description")) is not None,
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
    text = _decode(archive.read(info, archive.limits.source, "text source"))
    return (text, None) if text is not None else (None, "is not UTF-8 text")


def _decode(data: bytes) -> str | None:
    """A text file's text: UTF-16 with its mark, else UTF-8 (a mark dropped); None if neither."""
    encoding = "utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


@dataclass(frozen=True)
class Units:
    """How a source's positions count: REFI-QDA counts code points of the text file, CRLF as two.

    Vendors differ: ATLAS.ti counts a CRLF line break as one; programs built on Qt or .NET strings
    (QualCoder, and Windows tools) count UTF-16 code units, so a character outside the Basic
    Multilingual Plane (an emoji) counts two.
    """

    crlf_one: bool = False
    utf16: bool = False

    def describe(self) -> str:
        parts = ["a CRLF line break as one" if self.crlf_one else "", "UTF-16 code units" if self.utf16 else ""]
        return " and ".join(p for p in parts if p) or "code points"


class SourceText:
    """A source's text cut at positions counted in ``units``."""

    def __init__(self, text: str, units: Units):
        self.text = text.replace("\r\n", "\n") if units.crlf_one else text
        self.units = units
        self._wide = self.text.encode("utf-16-le") if units.utf16 else b""

    def cut(self, start: int, end: int) -> str | None:
        """The text from ``start`` to ``end`` (exclusive), or None when they are not inside it."""
        if self.units.utf16:
            if not 0 <= start < end <= len(self._wide) // 2:
                return None
            return self._wide[2 * start : 2 * end].decode("utf-16-le", errors="replace")
        if not 0 <= start < end <= len(self.text):
            return None
        return self.text[start:end]


def selection_text(source: Source, sel: Selection, units: Units = Units()) -> str | None:
    """The selected text, end exclusive, positions counted in ``units``."""
    return SourceText(source.text or "", units).cut(sel.start, sel.end)


def _fit(got: str | None, hint: str) -> int:
    """How well a cut text matches a selection's name: 2 the same, 1 the name is its beginning cut
    short ("..." / "…", or 20 characters or more), 0 not at all (whitespace does not count)."""
    if got is None:
        return 0
    text, name = " ".join(got.split()), " ".join(hint.split())
    if text == name:
        return 2
    short = name.rstrip(".… ")
    if (name != short or len(name) >= 20) and len(short) >= 4 and text.startswith(short):
        return 1
    return 0


def _origin_units(origin: str) -> Units:
    """What a vendor is known to count, when the selections' names cannot tell."""
    low = origin.casefold()
    return Units(crlf_one="atlas.ti" in low, utf16="qualcoder" in low)


class Counting(NamedTuple):
    units: Units
    unmatched: int  # named selections whose text still differs from their name
    open: bool  # whether UTF-16 or code points mattered here (an emoji) and nothing in the file decided it


def position_units(source: Source, origin: str, utf16: bool | None = None) -> Counting:
    """How this source's positions count.

    Where the choice matters (the text has a CRLF, or a character beyond U+FFFF), the selections
    whose ``name`` holds their text decide: the counting under which most of them match wins; a tie
    (or no name) goes to what the project's origin is known to count, else to REFI-QDA's rule
    (code points, CRLF as two). ``utf16`` True or False fixes that part of the choice (the import's
    ``--positions``).
    """
    text = source.text or ""
    crlf = [False, True] if "\r\n" in text else [False]
    astral = any(ord(ch) > 0xFFFF for ch in text)
    wide = [utf16] if utf16 is not None else ([False, True] if astral else [False])
    hinted = [sel for sel in source.selections if len(" ".join((sel.name or "").split())) >= 4]
    default = _origin_units(origin)
    default = Units(default.crlf_one and True in crlf, default.utf16 and True in wide)
    scores = {}
    for units in (Units(c, w) for c in crlf for w in wide):
        cutter = SourceText(text, units)
        scores[units] = [_fit(cutter.cut(sel.start, sel.end), sel.name or "") for sel in hinted]
    best = max(scores, key=lambda u: (sum(scores[u]), u == default, u == Units()))
    if not any(scores[best]):  # no name is the text under any counting: names are not texts ("line:642")
        return Counting(best, 0, len(wide) > 1 and bool(source.selections))
    decided = len({tuple(v) for k, v in scores.items() if k.crlf_one == best.crlf_one}) > 1
    return Counting(best, sum(1 for score in scores[best] if score == 0), len(wide) > 1 and not decided)
