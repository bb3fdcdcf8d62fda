"""``crosscase export --format qdpx``: a study as a REFI-QDA project (Project.xsd 1.0).

Sites become cases (the case's name is the site id; a label that differs is a Text variable
"label"); metrics become Integer (counts) or Float variables, the outcome first (so that an import
chooses it again), their labels as the variable's description; attributes become Text variables;
the study's own themes and every rated theme become codes, grouped under one code per domain, the
own themes' ids kept in the code's description; ratings become one Text variable per rated theme,
"TITLE rating", holding the canonical tokens. No evidence and no sources leave: the project has
no <Sources>. GUIDs are derived from the study (uuid5), so the same study exports the same file.
"""

from __future__ import annotations

import uuid
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple
from xml.etree import ElementTree as ET

from cases.atomic import write_atomic
from cases.model import Metric, Site, Study, Theme
from cases.qdpx import SYNTHETIC
from cases.version import __version__ as VERSION

NS = "urn:QDA-XML:project:1.0"
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


def project_xml(study: Study) -> bytes:
    ET.register_namespace("", NS)
    root = ET.Element(_q("Project"), {"name": study.title, "origin": f"crosscase {VERSION}"})
    rated = {r.theme for r in study.ratings}
    own = [t for t in study.themes.values() if t.kind == "study"]
    themes = own + [t for t in study.themes.values() if t.kind != "study" and t.id in rated]
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
    for site in study.sites:
        case = ET.SubElement(cases, _q("Case"), {"guid": _guid("site", site.id), "name": site.id})
        for v in variables:
            value = v.value_of(site)
            if value is None:
                continue
            vv = ET.SubElement(case, _q("VariableValue"))
            ET.SubElement(vv, _q("VariableRef"), {"targetGUID": v.guid})
            ET.SubElement(vv, _q(f"{v.kind}Value")).text = value
    described = "\n".join(
        [*([study.description] if study.description else []), *([SYNTHETIC] if study.synthetic else [])]
    )
    if described:
        ET.SubElement(root, _q("Description")).text = described
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


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


def export_qdpx(study: Study, path: str | Path, force: bool = False) -> Path:
    """Write ``study`` as a .qdpx at ``path`` (atomically; an existing file only with ``force``)."""
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo("project.qde", date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, project_xml(study))
    return write_atomic(path, buf.getvalue(), force=force)
