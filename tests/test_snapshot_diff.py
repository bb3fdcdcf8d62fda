"""``crosscase diff`` and metrics.snapdiff: what moved between two snapshots (issue 5)."""

from __future__ import annotations

import copy
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cases.catalogue import example_dir
from cases.snapshot import read_snapshot
from metrics.snapdiff import diff_snapshots
from tui.cli import main


@pytest.fixture(autouse=True)
def _epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def engage_everyone(study: Path, site: str) -> None:
    """Give every listed participant of ``site`` a contact: its engagement becomes 1.0."""
    lines = (study / "contacts.csv").read_text().splitlines()
    out = []
    for line in lines:
        cells = line.split(",")
        if cells[0] == site and cells[2:] == ["", ""]:
            line = f"{site},{cells[1]},2017-08-01,30"
        out.append(line)
    (study / "contacts.csv").write_text("\n".join(out) + "\n")


@pytest.fixture
def rounds(capsys, tmp_path) -> tuple[Path, Path]:
    """Snapshots of the example before and after S2's engagement moves across the median."""
    study = tmp_path / "peer-study"
    shutil.copytree(example_dir(), study)
    old, new = tmp_path / "round1.toml", tmp_path / "round2.toml"
    assert run(capsys, "export", study, "-o", old, "--note", "round 1")[0] == 0
    engage_everyone(study, "S2")
    assert run(capsys, "export", study, "-o", new, "--note", "round 2")[0] == 0
    return old, new


def test_diff_names_the_site_that_moved_and_the_contrasts(capsys, rounds):
    old_path, new_path = rounds
    old, new = read_snapshot(old_path), read_snapshot(new_path)
    assert "S2" in old["groups"]["low"] and "S2" in new["groups"]["high"]
    code, out, err = run(capsys, "diff", old_path, new_path, "--format", "json")
    assert code == 0 and err == ""
    result = json.loads(out)
    from metrics.qca_diff import qca_changes

    qca = {"qca"} if qca_changes(old, new) else set()  # the example's QCA outcome is engagement: it moved
    assert set(result) == {"split", "moved_sites", "metrics", "themes", "ratings", "literature", "files"} | qca
    assert result["split"] is None
    assert {"site": "S2", "from": "low", "to": "high"} in result["moved_sites"]
    for moved in result["moved_sites"]:  # every move is real, and every real move is listed
        assert moved["site"] in old["groups"][moved["from"]] and moved["site"] in new["groups"][moved["to"]]
    assert len(result["moved_sites"]) == sum(
        1 for g in ("high", "low", "middle", "missing") for s in old["groups"][g] if s not in new["groups"][g]
    )
    assert result["files"] == [{"file": "contacts.csv", "change": "changed"}]
    assert result["metrics"] == expected_metric_changes(old, new) and result["metrics"]
    assert {"metric": "participants", "change": "sign", "old": -7.66666666667, "new": 2.66666666667} in result[
        "metrics"
    ]
    assert (
        result["themes"]
        == [
            {
                "theme": t["theme"],
                "from": t["distinguishing"],
                "to": u["distinguishing"],
                "from_direction": t["direction"],
                "to_direction": u["direction"],
            }
            for t, u in zip(old["themes"], new["themes"])
            if (t["distinguishing"], t["direction"]) != (u["distinguishing"], u["direction"])
        ]
        and result["themes"]
    )


def expected_metric_changes(old: dict, new: dict) -> list[dict]:
    """The rule of interfaces.md written out again, independently of metrics.snapdiff."""
    out = []
    for a, b in zip(old["metrics"], new["metrics"]):
        assert a["metric"] == b["metric"]
        da, db = a["mean_difference"], b["mean_difference"]
        if da is not None and db is not None and (da > 0) != (db > 0):
            out.append({"metric": a["metric"], "change": "sign", "old": da, "new": db})
        ga, gb = a["hedges_g"], b["hedges_g"]
        if (ga is None) != (gb is None):
            out.append({"metric": a["metric"], "change": "hedges_g_null", "old": ga, "new": gb})
        elif ga is not None and round(abs(gb - ga), 9) >= 0.2:
            out.append({"metric": a["metric"], "change": "hedges_g", "old": ga, "new": gb})
    return out


def test_diff_text_is_readable(capsys, rounds):
    code, out, _ = run(capsys, "diff", *rounds)
    assert code == 0
    assert out.splitlines()[0] == "from " + f'{rounds[0]} (2023-11-14 22:13 UTC, "round 1")'
    assert "  S2: low -> high" in out
    assert "participants: mean difference changed sign: -7.667 -> 2.667" in out
    assert "  contacts.csv changed" in out
    assert "SPLIT" not in out
    assert "same split; its cut moved with the data" in out


def test_diff_of_a_snapshot_with_itself_is_empty(capsys, rounds):
    code, out, _ = run(capsys, "diff", rounds[0], rounds[0], "--format", "json")
    assert code == 0
    assert json.loads(out) == {
        "split": None,
        "moved_sites": [],
        "metrics": [],
        "themes": [],
        "ratings": [],
        "literature": [],
        "files": [],
    }
    code, out, _ = run(capsys, "diff", rounds[0], rounds[0])
    assert code == 0 and "Sites that changed group: none" in out and "Study files: none" in out


def test_a_different_split_or_rule_is_called_out_first(capsys, tmp_path):
    old, new = tmp_path / "median.toml", tmp_path / "tertiles.toml"
    assert run(capsys, "export", "-o", old)[0] == 0
    assert run(capsys, "export", "-o", new, "--split", "tertiles", "--distinguishing", "means")[0] == 0
    code, out, _ = run(capsys, "diff", old, new, "--format", "json")
    split = json.loads(out)["split"]
    assert split["changed"] == ["rule", "distinguishing"]
    assert split["old"]["rule"] == "median" and split["new"]["rule"] == "tertiles"
    assert split["new"]["distinguishing"]["rule"] == "means"
    code, out, _ = run(capsys, "diff", old, new)
    assert code == 0
    body = out.split("\n\n", 1)[1]
    assert body.startswith("THE SPLIT OR RULE CHANGED")
    assert "old: engagement by median; distinguishing rule gap" in body
    assert "new: engagement by tertiles; distinguishing rule means" in body
    assert body.index("SPLIT") < body.index("Sites that changed group")


# --- the rules, on hand-made snapshots -----------------------------------------------------------


def snapshot(**metrics) -> dict:
    base = {
        "created": datetime(2026, 1, 1, tzinfo=UTC),
        "study": {"files": {"sites.csv": "sha256:1", "study.toml": "sha256:2", "ratings.csv": "sha256:3"}},
        "split": {"outcome": "engagement", "rule": "median", "cut": 0.5},
        "distinguishing": {"rule": "gap", "strong_gap": 1.0},
        "groups": {"high": ["S1", "S2"], "low": ["S3", "S4"], "middle": ["S5"], "missing": []},
        "labels": {f"S{i}": f"Site {i}" for i in range(1, 6)},
        "metrics": [{"metric": k, "mean_difference": d, "hedges_g": g} for k, (d, g) in metrics.items()],
        "themes": [
            {"theme": "leadership", "distinguishing": "strong", "direction": "expected"},
            {"theme": "culture", "distinguishing": "none", "direction": "expected"},
        ],
    }
    return base


def test_metric_rules():
    old = snapshot(a=(1.0, 0.5), b=(1.0, 0.5), c=(1.0, 0.5), d=(1.0, None), e=(1.0, 0.5), gone=(1.0, 1.0), z=(0.0, 0.1))
    new = snapshot(
        a=(-0.1, 0.5), b=(1.0, 0.7), c=(0.9, 0.69), d=(1.0, 0.3), e=(None, None), born=(1.0, 2.0), z=(0.0, 0.0)
    )
    changes = {(m["metric"], m["change"]): (m["old"], m["new"]) for m in diff_snapshots(old, new)["metrics"]}
    assert changes == {
        ("a", "sign"): (1.0, -0.1),  # mean difference changed sign
        ("b", "hedges_g"): (0.5, 0.7),  # moved by exactly 0.2 (0.19999... in binary)
        ("d", "hedges_g_null"): (None, 0.3),  # stopped being null
        ("e", "hedges_g_null"): (0.5, None),  # became null; a null mean difference is not a sign change
        ("born", "added"): (None, 2.0),
        ("gone", "removed"): (1.0, None),
    }  # c moved by 0.19: not reported; z stayed 0


def test_sites_themes_and_files():
    old, new = snapshot(), snapshot()
    new["groups"] = {"high": ["S1", "S3"], "low": ["S4"], "middle": [], "missing": ["S5"]}
    new["labels"] = {k: v for k, v in old["labels"].items() if k != "S2"} | {"S6": "Site 6"}
    new["groups"]["low"].append("S6")
    new["themes"] = [
        {"theme": "leadership", "distinguishing": "strong", "direction": "reversed"},
        {"theme": "added-theme", "distinguishing": "weak", "direction": "expected"},
    ]
    new["study"]["files"] = {"sites.csv": "sha256:9", "study.toml": "sha256:2", "themes.toml": "sha256:4"}
    result = diff_snapshots(old, new)
    assert result["moved_sites"] == [
        {"site": "S2", "from": "high", "to": "absent"},
        {"site": "S3", "from": "low", "to": "high"},
        {"site": "S5", "from": "middle", "to": "missing"},
        {"site": "S6", "from": "absent", "to": "low"},
    ]
    assert result["themes"] == [
        {
            "theme": "leadership",
            "from": "strong",
            "to": "strong",
            "from_direction": "expected",
            "to_direction": "reversed",
        },
        {"theme": "added-theme", "from": "absent", "to": "weak", "from_direction": None, "to_direction": "expected"},
        {"theme": "culture", "from": "none", "to": "absent", "from_direction": "expected", "to_direction": None},
    ]
    assert result["files"] == [
        {"file": "ratings.csv", "change": "removed"},
        {"file": "sites.csv", "change": "changed"},
        {"file": "themes.toml", "change": "added"},
    ]
    assert result["split"] is None


def test_split_changes_but_not_a_moving_cut():
    old, new = snapshot(), snapshot()
    new["split"]["cut"] = 0.7
    assert diff_snapshots(old, new)["split"] is None
    changed = copy.deepcopy(new)
    changed["split"] = {"outcome": "engagement", "rule": "threshold", "cut": 0.7, "threshold": 0.7}
    assert diff_snapshots(old, changed)["split"]["changed"] == ["rule", "threshold"]
    rule = copy.deepcopy(old)
    rule["distinguishing"]["strong_gap"] = 2.0
    assert diff_snapshots(old, rule)["split"]["changed"] == ["distinguishing"]


def test_every_changed_rating_is_reported_even_when_no_label_flips(capsys, tmp_path):
    """Issue 10.10: one cell re-rated (+1 -> +2), one added, one removed; no theme's label changes."""
    study = tmp_path / "peer-study"
    shutil.copytree(example_dir(), study)
    old, new = tmp_path / "r1.toml", tmp_path / "r2.toml"
    assert run(capsys, "export", study, "-o", old)[0] == 0
    ratings = study / "ratings.csv"
    rows = ratings.read_text(encoding="utf-8").splitlines()
    assert rows[1].startswith("S1,leadership-support,+1,")
    rows[1] = rows[1].replace("S1,leadership-support,+1,", "S1,leadership-support,+2,", 1)
    gone = next(i for i, r in enumerate(rows) if r.startswith("S6,"))
    gone_site, gone_theme, gone_token = rows[gone].split(",")[:3]
    del rows[gone]
    ratings.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert run(capsys, "export", study, "-o", new)[0] == 0
    a, b = read_snapshot(old), read_snapshot(new)
    code, out, err = run(capsys, "diff", old, new, "--format", "json")
    assert (code, err) == (0, "")
    result = json.loads(out)
    changed = {(r["theme"], r["site"]): (r["from"], r["to"]) for r in result["ratings"]}
    assert changed[("leadership-support", "S1")] == ("+1", "+2")
    assert changed[(gone_theme, gone_site)] == (gone_token, "absent")
    assert len(result["ratings"]) == 2
    assert result["ratings"] == [r for r in result["ratings"] if set(r) == {"theme", "site", "from", "to"}]
    code, out, _ = run(capsys, "diff", old, new)
    titles = {t["theme"]: t["title"] for t in b["themes"]}
    assert "Ratings that changed: 2" in out
    assert f"  {titles['leadership-support']}, S1: +1 -> +2" in out.splitlines()
    assert f"  {titles[gone_theme]}, {gone_site}: {gone_token} -> absent" in out.splitlines()
    assert a["themes"] and diff_snapshots(a, a)["ratings"] == []


def test_rating_changes_of_added_and_removed_themes():
    old, new = snapshot(), snapshot()
    old["themes"] = [{"theme": "t", "title": "T", "high": {"ratings": {"S1": "+1"}}, "low": {"ratings": {"S4": "X"}}}]
    new["themes"] = [
        {"theme": "u", "title": "U", "high": {"ratings": {"S1": "0"}}, "low": {"ratings": {}}},
        {
            "theme": "t",
            "title": "T",
            "high": {"ratings": {}},
            "low": {"ratings": {"S4": "X"}},
            "middle": {"ratings": {"S3": "Missing"}},
        },
    ]
    assert diff_snapshots(old, new)["ratings"] == [
        {"theme": "u", "site": "S1", "from": "absent", "to": "0"},
        {"theme": "t", "site": "S1", "from": "+1", "to": "absent"},
        {"theme": "t", "site": "S3", "from": "absent", "to": "Missing"},
    ]


# --- the literature rows' fit (analysis.md section 1) ------------------------------------------


def test_diff_reports_literature_rows_whose_fit_changed(capsys, tmp_path):
    """Two exports of the example: the median split, and tertiles (several labels move). Each row
    whose fit differs is listed once, with its fit before and after, and no other row is."""
    old, new = tmp_path / "median.toml", tmp_path / "tertiles.toml"
    assert run(capsys, "export", "-o", old)[0] == 0
    assert run(capsys, "export", "-o", new, "--split", "tertiles")[0] == 0
    a, b = read_snapshot(old), read_snapshot(new)
    fits_a = {r["theme"]: r["fit"] for r in a["literature"]["rows"]}
    fits_b = {r["theme"]: r["fit"] for r in b["literature"]["rows"]}
    want = [{"theme": t, "from": fits_a[t], "to": fits_b[t]} for t in fits_b if fits_a[t] != fits_b[t]]
    assert want, "the tertiles split moves some fits of the example"
    code, out, _ = run(capsys, "diff", old, new, "--format", "json")
    assert code == 0 and json.loads(out)["literature"] == want
    assert {"theme": "boundary-crossing", "from": "no-difference", "to": "discordance"} in want
    code, out, _ = run(capsys, "diff", old, new)
    assert f"Literature themes whose fit changed: {len(want)}" in out
    assert "  boundary-crossing: = no-difference -> ✗ discordance" in out


def test_literature_changes_rules():
    from metrics.snapdiff import literature_changes

    def lit(**fits):
        return {"literature": {"rows": [{"theme": t.replace("_", "-"), "fit": f} for t, f in fits.items()]}}

    old = lit(a="confirmation", b="silence", c="no-difference", gone="insufficient")
    new = lit(a="confirmation", b="discordance", c="silence", added="confirmation")
    assert literature_changes(old, new) == [
        {"theme": "b", "from": "silence", "to": "discordance"},
        {"theme": "c", "from": "no-difference", "to": "silence"},
        {"theme": "added", "from": "absent", "to": "confirmation"},
        {"theme": "gone", "from": "insufficient", "to": "absent"},
    ]
    assert literature_changes({}, new) == [] and literature_changes(old, {}) == []  # an older snapshot
