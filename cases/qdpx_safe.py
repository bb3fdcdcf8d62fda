"""Reading a REFI-QDA archive (.qdpx) from elsewhere without trusting it.

The archive: every member's name is checked before anything is read (no ``..``, no absolute or
drive-letter path), the archive's own size and every member's declared size and compression ratio
are checked against limits, and a member is read only up to its limit, whatever its header claims
(a zip bomb's header may lie). The XML: expat with handlers that refuse any DOCTYPE, entity
declaration or external entity, so neither XXE nor "billion laughs" can happen; nothing but the
five predefined entities and character references is ever expanded.

Every refusal is a ``QdpxError`` whose problems read ``ARCHIVE/ENTRY[:LINE]: message``.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from cases.errors import Problem, StudyError

KIB, MIB, GIB = 1024, 1024 * 1024, 1024 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    archive: int = 2 * GIB  # the .qdpx file itself
    qde: int = 256 * MIB  # the project XML, uncompressed
    source: int = 64 * MIB  # one text source, uncompressed
    total: int = 1 * GIB  # everything read from the archive, uncompressed
    ratio: int = 200  # uncompressed / compressed size of a member ...
    ratio_from: int = 1 * MIB  # ... once it is at least this large uncompressed
    members: int = 100_000  # entries in the archive


LIMITS = Limits()


class QdpxError(StudyError):
    """A project that cannot be imported; every problem is one line naming the entry."""


def _size(n: int) -> str:
    for unit, step in (("GB", GIB), ("MB", MIB), ("KB", KIB)):
        if n >= step:
            return f"{n / step:.1f} {unit}".replace(".0 ", " ")
    return f"{n} bytes"


_DRIVE = re.compile(r"^[A-Za-z]:")


def unsafe_name(name: str) -> str | None:
    """Why a member name is refused, or None when it stays inside the archive's folder."""
    text = name.replace("\\", "/")
    if text.startswith("/") or _DRIVE.match(text):
        return "is an absolute path"
    if ".." in text.split("/"):
        return 'has a ".." part that leaves the project folder'
    if "\x00" in text:
        return "has a NUL character in its name"
    return None


class Archive:
    """An opened .qdpx: names checked, members read within limits, total bytes read counted."""

    def __init__(self, path: str | Path, limits: Limits = LIMITS):
        self.path = Path(path)
        self.label = self.path.name
        self.limits = limits
        self.read_total = 0
        try:
            size = self.path.stat().st_size
        except OSError as exc:
            raise QdpxError([Problem(self.label, None, None, f"cannot be read: {exc.strerror or exc}")]) from None
        if size > limits.archive:
            raise QdpxError(
                [
                    Problem(
                        self.label,
                        None,
                        None,
                        f"is {_size(size)}, larger than the {_size(limits.archive)} crosscase imports",
                    )
                ]
            )
        try:
            self.zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise QdpxError(
                [Problem(self.label, None, None, f"is not a REFI-QDA project (.qdpx is a zip file): {exc}")]
            ) from None
        infos = self.zip.infolist()
        problems = []
        if len(infos) > limits.members:
            problems.append(
                Problem(self.label, None, None, f"has {len(infos)} entries, more than the {limits.members} allowed")
            )
        for info in infos:
            why = unsafe_name(info.filename)
            if why:
                problems.append(
                    Problem(f"{self.label}/{info.filename}", None, None, f"refused: the entry's name {why}")
                )
            elif info.file_size >= limits.ratio_from and info.file_size > limits.ratio * max(info.compress_size, 1):
                problems.append(
                    Problem(
                        f"{self.label}/{info.filename}",
                        None,
                        None,
                        f"refused: it expands {info.file_size // max(info.compress_size, 1)} times "
                        f"(to {_size(info.file_size)}), more than the {limits.ratio} times allowed (a zip bomb?)",
                    )
                )
        if problems:
            self.zip.close()
            raise QdpxError(problems)
        # member lookup ignores case and "\" vs "/": vendors write Sources/ or sources/
        self.members = {info.filename.replace("\\", "/"): info for info in infos if not info.is_dir()}
        self._folded: dict[str, zipfile.ZipInfo] = {}
        for name, info in self.members.items():
            self._folded.setdefault(name.casefold(), info)

    def close(self) -> None:
        self.zip.close()

    def find(self, name: str) -> zipfile.ZipInfo | None:
        name = name.replace("\\", "/").lstrip("/")
        return self.members.get(name) or self._folded.get(name.casefold())

    def read(self, info: zipfile.ZipInfo, limit: int, what: str) -> bytes:
        """The member's bytes, refused past ``limit`` or past the archive's total (read, not declared)."""
        entry = f"{self.label}/{info.filename}"
        if info.file_size > limit:
            raise QdpxError(
                [
                    Problem(
                        entry,
                        None,
                        None,
                        f"refused: the {what} is {_size(info.file_size)}, larger than the {_size(limit)} allowed",
                    )
                ]
            )
        chunks, got = [], 0
        try:
            with self.zip.open(info) as fh:
                while chunk := fh.read(1 * MIB):
                    got += len(chunk)
                    self.read_total += len(chunk)
                    if got > limit:
                        raise QdpxError(
                            [
                                Problem(
                                    entry,
                                    None,
                                    None,
                                    f"refused: the {what} expands past the {_size(limit)} allowed "
                                    f"(its header said {_size(info.file_size)})",
                                )
                            ]
                        )
                    if self.read_total > self.limits.total:
                        raise QdpxError(
                            [
                                Problem(
                                    entry,
                                    None,
                                    None,
                                    f"refused: the project expands past {_size(self.limits.total)} in all (a zip bomb?)",
                                )
                            ]
                        )
                    chunks.append(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
            raise QdpxError([Problem(entry, None, None, f"cannot be read: {exc}")]) from None
        return b"".join(chunks)


# --- XML -----------------------------------------------------------------------------------


@dataclass
class Node:
    """An XML element with its namespace dropped and the line it starts on."""

    tag: str
    attrib: dict[str, str]
    line: int
    children: list[Node] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def find(self, tag: str) -> Node | None:
        return next((c for c in self.children if c.tag == tag), None)

    def findall(self, tag: str) -> list[Node]:
        return [c for c in self.children if c.tag == tag]

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.attrib.get(key, default)


class _Refused(Exception):
    def __init__(self, line: int, message: str):
        self.line, self.message = line, message


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def parse_xml(data: bytes, entry: str) -> Node:
    """Parse ``data`` into Nodes; a DTD, an entity declaration or an external entity is refused."""
    parser = expat.ParserCreate(namespace_separator="}")
    try:
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    except AttributeError:  # pragma: no cover - every CPython expat has it
        pass
    stack: list[Node] = []
    root: list[Node] = []

    def refuse(message: str):
        def handler(*_args):
            raise _Refused(parser.CurrentLineNumber, message)

        return handler

    def start(name, attrs):
        node = Node(_local(name), {_local(k): v for k, v in attrs.items()}, parser.CurrentLineNumber)
        if stack:
            stack[-1].children.append(node)
        else:
            root.append(node)
        stack.append(node)

    def end(_name):
        stack.pop()

    def chars(text):
        if stack:
            stack[-1].parts.append(text)

    parser.StartDoctypeDeclHandler = refuse(
        "refused: the project declares a DTD (<!DOCTYPE>), which REFI-QDA never needs"
    )
    parser.EntityDeclHandler = refuse("refused: the project declares an XML entity")
    parser.UnparsedEntityDeclHandler = refuse("refused: the project declares an XML entity")
    parser.ExternalEntityRefHandler = refuse("refused: the project refers to an external entity")
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.buffer_text = True
    try:
        parser.Parse(data, True)
    except _Refused as exc:
        raise QdpxError([Problem(entry, exc.line, None, exc.message)]) from None
    except expat.ExpatError as exc:
        raise QdpxError(
            [Problem(entry, exc.lineno, None, f"is not well-formed XML: {expat.ErrorString(exc.code)}")]
        ) from None
    if not root:
        raise QdpxError([Problem(entry, None, None, "holds no XML element")])
    return root[0]
