"""The literature and the links end to end (analysis.md section 1): ``summary`` JSON, TOML, text and
markdown, snapshots and ``open``'s figures, pseudonyms, over generated studies (rated with CFIR
constructs only, with their own themes, with links), each row held to the contract's words."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, build_study
from tests.test_literature import CFIR09, CFIR2, OWN_THEMES, contract_link_fit, expected, ratings_csv
from tui.cli import main

LINKS = """
[[link]]
theme = "night-shift-cover"
metric = "peer_workers"

[[link]]
theme = "cfir09-leadership-engagement"
metric = "supervisors"

[[link]]
theme = "medical-model"
metric = "fidelity_trust"
"""


def summary(capsys, folder: Path, *flags: str, fmt: str = "json"):
    capsys.readouterr()
    assert main(["summary", str(folder), "--format", fmt, *flags]) == 0
    out = capsys.readouterr().out
    return json.loads(out) if fmt == "json" else tomllib.loads(out) if fmt == "toml" else out


def contract_links(folder: Path, data: dict) -> list[dict]:
    """analysis.md's links, from study.toml's [[link]]s and the summary's own metrics and themes."""
    spec = tomllib.loads((folder / "study.toml").read_text(encoding="utf-8")).get("link", [])
    metrics = {m["metric"]: m for m in data["metrics"]}
    themes = {t["theme"]: t for t in data["themes"]}
    out = []
    for link in spec:
        m, t = metrics.get(link["metric"]), themes.get(link["theme"])
        md = m["mean_difference"] if m else None
        q = 0 if not md else (1 if md > 0 else -1) * (1 if m.get("higher_is_better", True) else -1)
        label, direction = (t["distinguishing"], t["direction"]) if t else (None, None)
        r = (1 if direction == "expected" else -1) if label in ("strong", "weak") else 0
        out.append(
            {
                "theme": link["theme"],
                "metric": link["metric"],
                "mean_difference": md,
                "hedges_g": m["hedges_g"] if m else None,
                "cliffs_delta": m["cliffs_delta"] if m else None,
                "distinguishing": label,
                "direction": direction,
                "fit": contract_link_fit(q, r),
            }
        )
    return out


def held_to_the_contract(capsys, folder: Path) -> dict:
    data = summary(capsys, folder)
    want = expected(folder, data)
    got = data["literature"]
    assert list(got) == ["rows", "new", "counts"]
    assert len(got["rows"]) == len(want["rows"])
    for g, w in zip(got["rows"], want["rows"]):
        assert g == w, g["theme"]
        assert list(g) == ["theme", "title", "influence", "sources", "via", "distinguishing", "direction", "fit"]
    assert got["new"] == want["new"] and got["counts"] == want["counts"]
    assert data["links"] == contract_links(folder, data)
    for link in data["links"]:
        assert list(link) == [
            "theme",
            "metric",
            "mean_difference",
            "hedges_g",
            "cliffs_delta",
            "distinguishing",
            "direction",
            "fit",
        ]
    # TOML: the same objects, the nulls left out
    toml = summary(capsys, folder, fmt="toml")
    assert toml["literature"] == _no_nulls(got) and toml["links"] == _no_nulls(data["links"])
    return data


def _no_nulls(value):
    if isinstance(value, dict):
        return {k: _no_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_no_nulls(v) for v in value]
    return value


def test_the_example(capsys):
    data = held_to_the_contract(capsys, EXAMPLE)
    assert data["literature"]["counts"] == {
        "confirmation": 7,
        "discordance": 0,
        "no-difference": 5,
        "insufficient": 0,
        "silence": 11,
        "expansion": 0,
    }
    assert [(link["theme"], link["metric"], link["fit"]) for link in data["links"]] == [
        ("supervisor-resourcing", "supervisor_hours", "confirmation"),
        ("ward-staff-relationships", "ward_relationship", "confirmation"),
    ]


@pytest.mark.parametrize("constructs", [CFIR09, CFIR2], ids=["cfir2009", "cfir2"])
def test_rated_with_constructs_only(capsys, tmp_path, constructs):
    folder = build_study(
        tmp_path,
        ratings_csv=ratings_csv(constructs),
        study_toml=lambda t: t.split("\n# Statistics by themes")[0] + "\n",
    )
    data = held_to_the_contract(capsys, folder)
    rows = data["literature"]["rows"]
    assert all(r["via"] is None or r["via"].startswith("cfir") for r in rows)
    assert {r["fit"] for r in rows} >= {"confirmation", "discordance", "no-difference", "insufficient", "silence"}
    assert data["links"] == []


def test_own_themes_and_links(capsys, tmp_path):
    themes = {
        "night-shift-cover": "up",
        "sourced-up": "up",
        "cfir2-structural-characteristics": "down",
        "leadership-support": "up",
        "quiet-theme": "flat",
        "turned-theme": "down",
        "medical-model": "blank",
        "thin-theme": "blank",
        "cfir09-leadership-engagement": "down",
        "supervisor-resourcing": "up",
        "ward-staff-relationships": "flat",
    }
    folder = build_study(
        tmp_path, themes_toml=OWN_THEMES, ratings_csv=ratings_csv(themes), study_toml=lambda t: t + LINKS
    )
    data = held_to_the_contract(capsys, folder)
    assert [n["theme"] for n in data["literature"]["new"]] == ["night-shift-cover", "turned-theme"]
    fits = [link["fit"] for link in data["links"]]
    assert fits[:2] == ["confirmation", "expansion"]  # supervisor hours; ward relationship: none
    assert len(fits) == 5 and "discordance" in fits  # supervisors up, the construct reversed


def test_a_study_theme_mapped_through_its_cfir2009_title(capsys, tmp_path):
    """themes.toml's cfir2009 (like the catalogue's): an own sourced theme speaks through the construct."""
    own = (
        '[[theme]]\nid = "ward-culture"\ntitle = "Ward culture"\ninfluence = "barrier"\n'
        'cfir2009 = "Culture"\nsources = ["10.1186/s12913-024-11447-5"]\n'
    )
    folder = build_study(tmp_path, themes_toml=own, ratings_csv=ratings_csv({"cfir09-culture": "down"}))
    data = held_to_the_contract(capsys, folder)
    row = data["literature"]["rows"][-1]
    assert row == {
        "theme": "ward-culture",
        "title": "Ward culture",
        "influence": "barrier",
        "sources": ["10.1186/s12913-024-11447-5"],
        "via": "cfir09-culture",
        "distinguishing": "strong",
        "direction": "reversed",
        "fit": "discordance",
    }


def test_text_and_markdown_show_the_rows_literally(capsys, tmp_path):
    own = (
        '[[theme]]\nid = "odd-theme"\ntitle = "A <b>bold</b> | [link](http://x) \\u001b[31m red"\n'
        'sources = ["10.1000/x"]\n'
    )
    folder = build_study(tmp_path, themes_toml=own, ratings_csv=lambda t: t + "S1,odd-theme,+2,\nS2,odd-theme,-2,\n")
    text = summary(capsys, folder, fmt="text")
    assert "Literature: this study confirms" in text and "Statistics by themes" in text
    assert "\x1b" not in text and "A <b>bold</b> | [link](http://x) \\x1b[31m red [odd-theme]" in text
    assert "✓ confirmation   Resourcing of the peer supervisor role [supervisor-resourcing]" in text
    md = summary(capsys, folder, fmt="markdown")
    assert "## The study against the literature" in md and "### Statistics by themes" in md
    mine = md[md.index("## The study against the literature") : md.index("## Split sensitivity")]
    assert "| ✓ confirmation | A &lt;b&gt;bold&lt;/b&gt; \\| \\[link\\](http://x) \\\\x1b\\[31m red |" in mine
    assert "<b>" not in mine and "\x1b" not in md


def test_pseudonymised_output_names_no_site(capsys):
    real = [line.split(",")[0:2] for line in (EXAMPLE / "sites.csv").read_text().splitlines()[1:]]
    text = summary(capsys, EXAMPLE, "--pseudonymise", fmt="text")
    block = text[text.index("Literature:") : text.index("Statistics by themes")]
    assert "high: Site A +2" in block  # S1 is Site A, rated +2 on supervisor resourcing
    for site, label in real:
        assert f" {site} " not in block and f"{site}," not in block and label not in block
    data = summary(capsys, EXAMPLE, "--pseudonymise")
    dumped = json.dumps({"literature": data["literature"], "links": data["links"]})
    assert not any(site in dumped.split('"') for site, _ in real)


def test_a_snapshot_carries_them_and_open_restores_them(capsys, tmp_path, monkeypatch):
    from cases.snapshot import read_snapshot
    from metrics.summary import from_dict, to_dict

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    folder = build_study(
        tmp_path,
        themes_toml=OWN_THEMES,
        ratings_csv=ratings_csv({"night-shift-cover": "up", "sourced-up": "down"}),
        study_toml=lambda t: t + LINKS,
    )
    data = summary(capsys, folder)
    out = tmp_path / "snap.toml"
    assert main(["export", str(folder), "-o", str(out)]) == 0
    snap = read_snapshot(out)
    rebuilt = to_dict(from_dict(snap))
    assert rebuilt["literature"] == data["literature"] and rebuilt["links"] == data["links"]
    restored = from_dict(snap)
    assert restored.literature.row("supervisor-resourcing").claim.startswith("Supervisors of peer workers")
    assert restored.literature.row("supervisor-resourcing").fit == "silence"
    assert restored.literature.row("sourced-up").ratings["high"][0] == ("S1", "-2")
    assert restored.literature.row("sourced-up").papers[0].citation.startswith("Gillard S")
