"""``crosscase export --format qdpx``: a study as a REFI-QDA project (Project.xsd 1.0).

Sites become cases (the case's name is the site id; a label that differs is a Text variable
"label"); metrics become Integer (counts) or Float variables, the outcome first (so that an import
chooses it again), their labels as the variable's description; attributes become Text variables;
the study's own themes and every rated theme become codes, grouped under one code per domain, the
own themes' ids kept in the code's description; ratings become one Text variable per rated theme,
"TITLE rating", holding the canonical tokens. GUIDs are derived from the study (uuid5), so the
same study exports the same file. The study's analysis settings (study.toml's [outcome],
[distinguishing], [disclosure], [[condition]], [qca] and [[link]]), which REFI-QDA has no place for,
go at the end of the project's description between "[crosscase settings]" lines, so that an import
gives the same summary (cases.qdpx_settings).

Evidence leaves only when asked (``include_evidence``): then each excerpt's source becomes a text
source in ``Sources/`` holding its excerpts one after another (a blank line between), each excerpt
a selection coded with its theme (one selection coded twice when a site's excerpt is coded with two
themes). A source that holds one site's excerpts is that case's (``SourceRef``, as the QDA tools
link a document to a case); a source shared by several sites links each case to its own selections
(``SelectionRef``). An excerpt without a source goes to a source "SITE evidence". Without
``include_evidence`` the project has no <Sources>.
"""

from __future__ import annotations

import re
import uuid
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple
from xml.etree import ElementTree as ET

from cases.atomic import write_atomic
from cases.model import Excerpt, Metric, Site, Study, Theme
from cases.qdpx import SYNTHETIC
from cases.qdpx_settings import settings_block
from cases.version import __version__ as VERSION

NS = "urn:QDA-XML:project:1.0"
# what XML 1.0 cannot hold (a terminal escape's ESC, NUL, other C0 controls, lone surrogates, U+FFFE/F)
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
REPLACEMENT = "\ufffd"
_ROOT = uuid.UUID("6c1b2f0e-3d4a-5b6c-8d7e-9f0a1b2c3d4e")


def _guid(*parts: str) -> str:
    return str(uuid.uuid5(_ROOT, "\0".join(parts))).upper()


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _decimal(value: float) -> str:
    """xsd:decimal: no exponent, no "nan"."""
    text = format(Decimal(repr(value)), "f")
    return text[:-2] if text.endswith(".0") else text


class _Variable(NamedTuple):
    guid: str
    name: str
    kind: str  # typeOfVariable: Integer, Float or Text
    description: str | None
    value_of: Callable[[Site], str | None]  # a site's value, as the XML writes it (None: no value)


class _Source(NamedTuple):
    guid: str
    name: str
    text: str
    selections: list[tuple[str, int, int, list[str], set[str]]]  # guid, start, end, theme ids, site ids


def _source_name(excerpt: Excerpt) -> str:
    """The name of the text source an excerpt is exported in: its own source, else "SITE evidence"."""
    return excerpt.source or f"{excerpt.site} evidence"


def _sources(evidence: tuple[Excerpt, ...] | list[Excerpt]) -> list[_Source]:
    """The evidence as text sources: per source name, its excerpts in the study's order."""
    by_name: dict[str, dict[tuple[str, str], list[str]]] = {}  # name -> (site, excerpt) -> themes
    for e in evidence:
        themes = by_name.setdefault(_source_name(e), {}).setdefault((e.site, e.excerpt), [])
        if e.theme not in themes:
            themes.append(e.theme)
    sources = []
    for name, excerpts in by_name.items():
        parts: list[str] = []
        selections = []
        at = 0
        for (site, text), themes in excerpts.items():
            if parts:
                parts.append("\n\n")
                at += 2
            guid = _guid("excerpt", name, site, text)
            selections.append((guid, at, at + len(text), themes, {site}))
            parts.append(text)
            at += len(text)
        sources.append(_Source(_guid("source", name), name, "".join(parts), selections))
    return sources


def _sources_xml(root: ET.Element, sources: list[_Source]) -> None:
    box = ET.SubElement(root, _q("Sources"))
    for src in sources:
        el = ET.SubElement(
            box, _q("TextSource"), {"guid": src.guid, "name": src.name, "plainTextPath": f"internal://{src.guid}.txt"}
        )
        for guid, start, end, themes, _sites in src.selections:
            sel = ET.SubElement(
                el,
                _q("PlainTextSelection"),
                {"guid": guid, "name": src.text[start:end][:60], "startPosition": str(start), "endPosition": str(end)},
            )
            for theme in themes:
                coding = ET.SubElement(sel, _q("Coding"), {"guid": _guid("coding", guid, theme)})
                ET.SubElement(coding, _q("CodeRef"), {"targetGUID": _guid("theme", theme)})


def _case_links(sources: list[_Source]) -> dict[str, tuple[list[str], list[str]]]:
    """site id -> (the sources it owns, the selections it owns in shared sources)."""
    links: dict[str, tuple[list[str], list[str]]] = {}
    for src in sources:
        sites = set().union(*(sel[4] for sel in src.selections))
        for guid, _start, _end, _themes, owners in src.selections:
            for site in owners:
                owned, picked = links.setdefault(site, ([], []))
                if len(sites) == 1:
                    if src.guid not in owned:
                        owned.append(src.guid)
                else:
                    picked.append(guid)
    return links


def project_xml(study: Study, include_evidence: bool = False) -> bytes:
    """The project's XML; with ``include_evidence``, its sources too (``project_files`` writes their text)."""
    return _project(study, _sources(study.evidence) if include_evidence else [])[0]


def _project(study: Study, sources: list[_Source]) -> tuple[bytes, int]:
    """The XML, and how many characters XML cannot hold were written as U+FFFD."""
    ET.register_namespace("", NS)
    root = ET.Element(_q("Project"), {"name": study.title, "origin": f"crosscase {VERSION}"})
    rated = {r.theme for r in study.ratings}
    wanted = rated | {t for src in sources for sel in src.selections for t in sel[3]}
    own = [t for t in study.themes.values() if t.kind == "study"]
    themes = own + [t for t in study.themes.values() if t.kind != "study" and t.id in wanted]
    if themes:
        _codebook(root, themes)
    variables = _variables(study, themes, rated)
    if variables:
        box = ET.SubElement(root, _q("Variables"))
        for v in variables:
            var = ET.SubElement(box, _q("Variable"), {"guid": v.guid, "name": v.name, "typeOfVariable": v.kind})
            if v.description:
                ET.SubElement(var, _q("Description")).text = v.description
    cases = ET.SubElement(root, _q("Cases"))
    links = _case_links(sources)
    for site in study.sites:
        case = ET.SubElement(cases, _q("Case"), {"guid": _guid("site", site.id), "name": site.id})
        for v in variables:
            value = v.value_of(site)
            if value is None:
                continue
            vv = ET.SubElement(case, _q("VariableValue"))
            ET.SubElement(vv, _q("VariableRef"), {"targetGUID": v.guid})
            ET.SubElement(vv, _q(f"{v.kind}Value")).text = value
        owned, picked = links.get(site.id, ([], []))
        for guid in owned:
            ET.SubElement(case, _q("SourceRef"), {"targetGUID": guid})
        for guid in picked:
            ET.SubElement(case, _q("SelectionRef"), {"targetGUID": guid})
    if sources:
        _sources_xml(root, sources)
    described = "\n".join(
        [
            *([study.description] if study.description else []),
            *([SYNTHETIC] if study.synthetic else []),
            *([block] if (block := settings_block(study)) else []),
        ]
    )
    if described:
        ET.SubElement(root, _q("Description")).text = described
    replaced = _tidy(root)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True), replaced


def _tidy(root: ET.Element) -> int:
    """Every character XML 1.0 cannot hold, in any text or attribute, as U+FFFD (a project with
    them is not XML: no QDA tool, nor crosscase's import, would open it); returns how many."""
    replaced = 0
    for el in root.iter():
        if el.text:
            el.text, n = _NOT_XML.subn(REPLACEMENT, el.text)
            replaced += n
        for key, value in el.attrib.items():
            el.attrib[key], n = _NOT_XML.subn(REPLACEMENT, value)
            replaced += n
    return replaced


def _codebook(root: ET.Element, themes: list[Theme]) -> None:
    """<CodeBook>: a code per theme, under one (not codable) code per domain."""
    codes = ET.SubElement(ET.SubElement(root, _q("CodeBook")), _q("Codes"))
    folders: dict[str, ET.Element] = {}
    for theme in themes:
        parent = codes
        if theme.domain:
            if theme.domain not in folders:
                folders[theme.domain] = ET.SubElement(
                    codes,
                    _q("Code"),
                    {"guid": _guid("domain", theme.domain), "name": theme.domain, "isCodable": "false"},
                )
            parent = folders[theme.domain]
        code = ET.SubElement(
            parent, _q("Code"), {"guid": _guid("theme", theme.id), "name": theme.title, "isCodable": "true"}
        )
        if theme.kind == "study":
            text = (theme.summary + "\n" if theme.summary else "") + f"[crosscase theme id: {theme.id}]"
            ET.SubElement(code, _q("Description")).text = text


def _variables(study: Study, themes: list[Theme], rated: set[str]) -> list[_Variable]:
    """The metrics (the outcome first), the label when a site's differs from its id, the attributes,
    and a rating variable per rated theme."""
    outcome = study.outcome.metric
    variables = [_metric_variable(key, study.metrics[key]) for key in sorted(study.metrics, key=lambda k: k != outcome)]
    if any(s.label != s.id for s in study.sites):
        variables.append(_Variable(_guid("label"), "label", "Text", "The site's display name in crosscase", _label))
    for attr in study.attributes:
        variables.append(_Variable(_guid("attribute", attr), attr, "Text", None, _attribute_of(attr)))
    by_pair = {(r.site, r.theme): r.token for r in study.ratings}
    for theme in themes:
        if theme.id in rated:
            variables.append(
                _Variable(
                    _guid("rating", theme.id),
                    f"{theme.title} rating",
                    "Text",
                    f"Ratings of the theme {theme.id}",
                    _rating_of(by_pair, theme.id),
                )
            )
    return variables


def _label(site: Site) -> str | None:
    return site.label


def _attribute_of(attr: str) -> Callable[[Site], str | None]:
    def value_of(site: Site) -> str | None:
        return site.attributes.get(attr)

    return value_of


def _rating_of(by_pair: dict[tuple[str, str], str], theme: str) -> Callable[[Site], str | None]:
    def value_of(site: Site) -> str | None:
        return by_pair.get((site.id, theme))

    return value_of


def _metric_variable(key: str, metric: Metric) -> _Variable:
    """An Integer (a count) or Float variable; its description the label, then unit, min, max,
    higher_is_better and count lines (as the import reads them)."""
    kind = "Integer" if metric.count else "Float"
    fmt: Callable[[float], str] = (lambda v: str(int(v))) if kind == "Integer" else _decimal
    described = [
        metric.label,
        *(f"{k}: {v}" for k, v in (("unit", metric.unit), ("min", metric.min), ("max", metric.max)) if v is not None),
    ]
    described += [] if metric.higher_is_better else ["higher_is_better: false"]
    described += ["count: true"] if metric.count else []

    def value_of(s: Site) -> str | None:
        value = s.values.get(key)
        return None if value is None else fmt(value)

    return _Variable(_guid("metric", key), key, kind, "\n".join(described), value_of)


class Exported(NamedTuple):
    path: Path
    replaced: int  # characters XML 1.0 cannot hold (e.g. a terminal escape's ESC), written as U+FFFD
    sources: int = 0  # text sources holding the evidence (with include_evidence)


def export_qdpx(study: Study, path: str | Path, force: bool = False, include_evidence: bool = False) -> Exported:
    """Write ``study`` as a .qdpx at ``path`` (atomically; an existing file only with ``force``);
    its evidence excerpts only with ``include_evidence``."""
    import io

    sources = _sources(study.evidence) if include_evidence else []
    xml, replaced = _project(study, sources)
    members = {"project.qde": xml}
    members |= {f"Sources/{src.guid}.txt": src.text.encode("utf-8") for src in sources}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return Exported(write_atomic(path, buf.getvalue(), force=force), replaced, len(sources))
