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
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree as ET

from cases.atomic import write_atomic
from cases.model import Study
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


def project_xml(study: Study) -> bytes:
    ET.register_namespace("", NS)
    root = ET.Element(_q("Project"), {"name": study.title, "origin": f"crosscase {VERSION}"})
    rated = {r.theme for r in study.ratings}
    own = [t for t in study.themes.values() if t.kind == "study"]
    themes = own + [t for t in study.themes.values() if t.kind != "study" and t.id in rated]
    if themes:
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
    variables = []  # (guid, name, type, description, value(site) -> str | None)
    labels = any(s.label != s.id for s in study.sites)
    outcome = study.outcome.metric
    for key in sorted(study.metrics, key=lambda k: k != outcome):
        metric = study.metrics[key]
        kind = "Integer" if metric.count else "Float"
        fmt = (lambda v: str(int(v))) if kind == "Integer" else _decimal
        described = [
            metric.label,
            *(
                f"{k}: {v}"
                for k, v in (("unit", metric.unit), ("min", metric.min), ("max", metric.max))
                if v is not None
            ),
        ]
        described += [] if metric.higher_is_better else ["higher_is_better: false"]
        described += ["count: true"] if metric.count else []
        variables.append(
            (
                _guid("metric", key),
                key,
                kind,
                "\n".join(described),
                lambda s, key=key, fmt=fmt: None if s.values.get(key) is None else fmt(s.values[key]),
            )
        )
    if labels:
        variables.append((_guid("label"), "label", "Text", "The site's display name in crosscase", lambda s: s.label))
    for attr in study.attributes:
        variables.append((_guid("attribute", attr), attr, "Text", None, lambda s, attr=attr: s.attributes.get(attr)))
    by_pair = {(r.site, r.theme): r.token for r in study.ratings}
    for theme in themes:
        if theme.id in rated:
            variables.append(
                (
                    _guid("rating", theme.id),
                    f"{theme.title} rating",
                    "Text",
                    f"Ratings of the theme {theme.id}",
                    lambda s, tid=theme.id: by_pair.get((s.id, tid)),
                )
            )
    if variables:
        box = ET.SubElement(root, _q("Variables"))
        for g, name, kind, description, _ in variables:
            var = ET.SubElement(box, _q("Variable"), {"guid": g, "name": name, "typeOfVariable": kind})
            if description:
                ET.SubElement(var, _q("Description")).text = description
    cases = ET.SubElement(root, _q("Cases"))
    for site in study.sites:
        case = ET.SubElement(cases, _q("Case"), {"guid": _guid("site", site.id), "name": site.id})
        for g, _name, kind, _d, value_of in variables:
            value = value_of(site)
            if value is None:
                continue
            vv = ET.SubElement(case, _q("VariableValue"))
            ET.SubElement(vv, _q("VariableRef"), {"targetGUID": g})
            ET.SubElement(vv, _q(f"{kind}Value")).text = value
    described = "\n".join(
        [*([study.description] if study.description else []), *([SYNTHETIC] if study.synthetic else [])]
    )
    if described:
        ET.SubElement(root, _q("Description")).text = described
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def export_qdpx(study: Study, path: str | Path, force: bool = False) -> Path:
    """Write ``study`` as a .qdpx at ``path`` (atomically; an existing file only with ``force``)."""
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo("project.qde", date_time=(1980, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, project_xml(study))
    return write_atomic(path, buf.getvalue(), force=force)
