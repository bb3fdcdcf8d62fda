"""The headless command line of interfaces.md: summary, themes, example, --version, bad options."""

from __future__ import annotations

import json
import math
import os
import re
import statistics
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from cases.loader import load_study
from tui import cli
from tui.cli import main

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "data" / "example"
SITES = [f"S{i}" for i in range(1, 8)]
CANONICAL = {"-2", "-1", "0", "+1", "+2", "X", "Missing", "N/A", "E", "I"}
SMALL_GROUPS = re.compile(r"small groups .*do not generalise")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    rc = main(list(argv))
    cap = capsys.readouterr()
    assert "Traceback" not in cap.out + cap.err
    return rc, cap.out, cap.err


def summary(capsys, *options: str, study: str | None = None) -> dict:
    argv = ["summary", *([study] if study else []), "--format", "json", *options]
    rc, out, err = run(capsys, *argv)
    assert rc == 0, err
    return json.loads(out)


@pytest.fixture(scope="module")
def study():
    return load_study(EXAMPLE)


@pytest.fixture(scope="module")
def default_summary():
    import io
    from contextlib import redirect_stdout

    buf = io.StringIO()
    with redirect_stdout(buf):
        assert main(["summary", "--format", "json"]) == 0
    return json.loads(buf.getvalue())


def assert_groups_partition(groups: dict, sites=SITES) -> None:
    assert set(groups) >= {"high", "low", "middle", "missing"}
    every = [s for g in ("high", "low", "middle", "missing") for s in groups[g]]
    assert sorted(every) == sorted(sites)
    assert len(every) == len(set(every))
    assert all(isinstance(s, str) for s in every)


# ---- summary --format json ------------------------------------------------------------------------


def test_json_top_level_shape(default_summary, study):
    s = default_summary
    assert {"crosscase", "study", "split", "groups", "metrics", "themes", "warnings"} <= set(s)
    assert s["crosscase"] == "0.1.0"
    assert s["study"]["title"] == study.title
    assert s["study"]["synthetic"] is True
    assert s["study"]["fingerprint"] == study.fingerprint
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", s["study"]["fingerprint"])
    assert s["split"]["outcome"] == "engagement" and s["split"]["rule"] == "median"


def test_json_median_split_matches_an_independent_median(default_summary, study):
    values = {s.id: s.values["engagement"] for s in study.sites}
    median = statistics.median(values.values())
    assert default_summary["split"]["cut"] == pytest.approx(median, abs=1e-9)
    groups = default_summary["groups"]
    assert_groups_partition(groups)
    assert sorted(groups["high"]) == sorted(s for s, v in values.items() if v > median + 1e-12)
    assert sorted(groups["low"]) == sorted(s for s, v in values.items() if v < median - 1e-12)
    assert groups["missing"] == []


def test_json_metrics_follow_the_contract(default_summary, study):
    s = default_summary
    groups = s["groups"]
    expected = [k for k in study.metrics if k != "engagement"]
    assert [m["metric"] for m in s["metrics"]] == expected
    for m in s["metrics"]:
        assert {
            "metric",
            "label",
            "higher_is_better",
            "high",
            "low",
            "mean_difference",
            "median_difference",
            "hedges_g",
            "cliffs_delta",
            "p_permutation",
            "permutation",
            "spearman_with_outcome",
        } <= set(m)
        assert m["label"] == study.metrics[m["metric"]].label
        for g in ("high", "low"):
            fig = m[g]
            assert set(fig["values"]) == set(groups[g]), (m["metric"], g)
            present = [v for v in fig["values"].values() if v is not None]
            for site, v in fig["values"].items():
                raw = study.value(site, m["metric"])
                assert v == pytest.approx(raw, rel=1e-9) if raw is not None else v is None
            assert fig["n"] == len(present)
            assert fig["mean"] == pytest.approx(statistics.fmean(present), rel=1e-9)
            assert fig["median"] == pytest.approx(statistics.median(present), rel=1e-9)
            assert fig["min"] == pytest.approx(min(present)) and fig["max"] == pytest.approx(max(present))
        # differences are high minus low
        assert m["mean_difference"] == pytest.approx(m["high"]["mean"] - m["low"]["mean"], rel=1e-9, abs=1e-9)
        assert m["median_difference"] == pytest.approx(m["high"]["median"] - m["low"]["median"], rel=1e-9, abs=1e-9)
        if m["cliffs_delta"] is not None:
            hi = [v for v in m["high"]["values"].values() if v is not None]
            lo = [v for v in m["low"]["values"].values() if v is not None]
            delta = (sum(a > b for a in hi for b in lo) - sum(a < b for a in hi for b in lo)) / (len(hi) * len(lo))
            assert m["cliffs_delta"] == pytest.approx(delta)
        assert m["permutation"]["exact"] is True
        assert m["permutation"]["relabelings"] == math.comb(
            len(groups["high"]) + len(groups["low"]), len(groups["high"])
        )


def test_json_themes_follow_the_contract(default_summary, study):
    s = default_summary
    groups = s["groups"]
    rated = [t.id for t in study.rated_themes()]
    assert [t["theme"] for t in s["themes"]] == rated
    for t in s["themes"]:
        assert {"theme", "title", "high", "low", "distinguishing", "direction", "rule"} <= set(t)
        assert t["distinguishing"] in ("strong", "weak", "none", "insufficient")
        assert t["direction"] in ("expected", "reversed")
        for g in ("high", "low"):
            ratings = t[g]["ratings"]
            assert set(ratings) <= set(groups[g])
            assert set(ratings.values()) <= CANONICAL
            valences = [int(v) for v in ratings.values() if v in ("-2", "-1", "0", "+1", "+2")]
            assert t[g]["rated"] == len(valences)
            if valences:
                assert t[g]["mean"] == pytest.approx(statistics.fmean(valences))
            else:
                assert t[g]["mean"] is None
            for site, token in ratings.items():
                assert token == next(r.token for r in study.ratings if r.site == site and r.theme == t["theme"])


def test_json_warnings_hold_the_small_groups_note(default_summary):
    assert any(SMALL_GROUPS.search(w) for w in default_summary["warnings"]), default_summary["warnings"]


def test_json_with_an_explicit_study_path_equals_the_default(default_summary, capsys):
    assert summary(capsys, study=str(EXAMPLE)) == default_summary


# ---- the other formats ----------------------------------------------------------------------------


def test_text_format(capsys, default_summary):
    rc, out, err = run(capsys, "summary", "--format", "text")
    assert rc == 0 and err == ""
    assert "ILLUSTRATIVE DATA" in out
    assert "Split: engagement by median" in out
    for g in ("High", "Low", "Middle", "Missing"):
        assert re.search(rf"^\s+{g}\s+\(\d+\):", out, re.M), g
    for w in default_summary["warnings"]:
        assert w in out
    assert "Northgate" in out


def test_text_is_the_default_format(capsys):
    assert run(capsys, "summary")[1] == run(capsys, "summary", "--format", "text")[1]


def test_markdown_format(capsys, default_summary):
    rc, out, err = run(capsys, "summary", "--format", "markdown")
    assert rc == 0 and err == ""
    assert out.startswith("# ")
    assert "| metric |" in out and "## Warnings" in out
    for w in default_summary["warnings"]:
        assert w in out


def _no_none(value) -> bool:
    if isinstance(value, dict):
        return all(v is not None and _no_none(v) for v in value.values())
    if isinstance(value, list):
        return all(v is not None and _no_none(v) for v in value)
    return value is not None


def _drop_nulls(value):
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value if v is not None]
    return value


@pytest.mark.parametrize("options", [(), ("--split", "tertiles")])
def test_toml_format_parses_without_nulls_and_matches_json(capsys, options):
    rc, out, err = run(capsys, "summary", "--format", "toml", *options)
    assert rc == 0 and err == ""
    data = tomllib.loads(out)
    assert _no_none(data)
    assert data == _drop_nulls(summary(capsys, *options))


# ---- split overrides ------------------------------------------------------------------------------


def engagement(study) -> dict[str, float]:
    return {s.id: s.values["engagement"] for s in study.sites}


def test_split_threshold(capsys, study):
    s = summary(capsys, "--split", "threshold", "--threshold", "0.6")
    values = engagement(study)
    assert s["split"]["rule"] == "threshold"
    assert s["split"]["threshold"] == 0.6 and s["split"]["cut"] == 0.6
    assert_groups_partition(s["groups"])
    assert sorted(s["groups"]["high"]) == sorted(k for k, v in values.items() if v >= 0.6)
    assert sorted(s["groups"]["low"]) == sorted(k for k, v in values.items() if v < 0.6)
    assert s["groups"]["middle"] == []


def test_split_tertiles(capsys, study):
    s = summary(capsys, "--split", "tertiles")
    values = engagement(study)
    ranked = sorted(values, key=values.get)
    k = len(ranked) // 3
    assert len(set(values.values())) == len(values)  # no ties in the example: boundaries are clean
    assert s["split"]["rule"] == "tertiles"
    assert sorted(s["groups"]["high"]) == sorted(ranked[-k:])
    assert sorted(s["groups"]["low"]) == sorted(ranked[:k])
    assert sorted(s["groups"]["middle"]) == sorted(ranked[k:-k])
    assert isinstance(s["split"]["cut"], list) and len(s["split"]["cut"]) == 2
    assert any(SMALL_GROUPS.search(w) for w in s["warnings"])


def test_split_quadrants_with_second(capsys, study):
    s = summary(capsys, "--split", "quadrants", "--second", "fidelity")
    e = engagement(study)
    f = {x.id: x.values["fidelity"] for x in study.sites}
    me, mf = statistics.median(e.values()), statistics.median(f.values())
    assert s["split"]["rule"] == "quadrants" and s["split"]["second"] == "fidelity"
    assert s["split"]["cut"] == pytest.approx([me, mf])
    assert sorted(s["groups"]["high"]) == sorted(x for x in SITES if e[x] > me and f[x] > mf)
    assert sorted(s["groups"]["low"]) == sorted(x for x in SITES if e[x] < me and f[x] < mf)
    assert_groups_partition(s["groups"])
    # the second metric is not among the compared metrics
    assert "fidelity" not in [m["metric"] for m in s["metrics"]]
    assert "engagement" not in [m["metric"] for m in s["metrics"]]


def test_split_explicit(capsys):
    s = summary(capsys, "--split", "explicit", "--high", "S1,S3", "--low", "S2,S7")
    assert s["split"]["rule"] == "explicit"
    assert s["split"]["high"] == ["S1", "S3"] and s["split"]["low"] == ["S2", "S7"]
    assert s["groups"]["high"] == ["S1", "S3"] and s["groups"]["low"] == ["S2", "S7"]
    assert sorted(s["groups"]["middle"]) == ["S4", "S5", "S6"]
    for m in s["metrics"]:
        assert set(m["high"]["values"]) == {"S1", "S3"} and set(m["low"]["values"]) == {"S2", "S7"}


# ---- bad options: exit 2, one line on stderr, no traceback -----------------------------------------


@pytest.mark.parametrize(
    "options, expected",
    [
        (("--outcome", "nosuch"), 'outcome: "nosuch" is not a metric of the study'),
        (("--split", "threshold"), "a threshold split needs a threshold (a number)"),
        (("--distinguishing", "nosuch"), None),
        (("--split", "explicit", "--high", "S1,S9", "--low", "S2"), None),
        (("--split", "quadrants", "--second", "nosuch"), None),
    ],
)
def test_bad_options_exit_2_with_one_line(capsys, options, expected):
    rc, out, err = run(capsys, "summary", "--format", "json", *options)
    assert rc == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, lines
    if expected:
        assert lines[0] == expected
    else:
        assert lines[0].strip()
    if options[0] == "--distinguishing":
        assert "nosuch" in lines[0]


@pytest.mark.parametrize(
    "argv", [["summary", "--split", "nosuch"], ["summary", "--threshold", "abc"], ["summary", "--format", "yaml"]]
)
def test_argument_errors_exit_2_without_traceback(capsys, argv):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.splitlines()[-1].startswith("crosscase summary: error:")
    assert len(err.splitlines()) == 1  # one line per problem, no usage block


def test_summary_of_a_broken_study_exits_2_with_the_problem_lines(make_study, tmp_path, capsys):
    folder = make_study(tmp_path, ratings_csv=lambda text: text + "S1,cfir09-planning,+3,\nS9,cfir09-planning,+1,\n")
    rc, out, err = run(capsys, "summary", str(folder))
    assert rc == 2 and out == ""
    n = len((EXAMPLE / "ratings.csv").read_text().splitlines())
    assert err.splitlines() == [
        f'ratings.csv:{n + 1}: rating: "+3" is not a rating token (-2..+2, X, Missing, N/A, E, I)',
        f'ratings.csv:{n + 2}: site: "S9" is not a site in the sites file',
    ]


def test_summary_of_a_missing_folder(capsys, tmp_path):
    rc, out, err = run(capsys, "summary", str(tmp_path / "nope"))
    assert rc == 2
    assert err.splitlines() == [f"{tmp_path / 'nope'}: no such study folder"]


# ---- themes ---------------------------------------------------------------------------------------


def test_themes_text(capsys):
    rc, out, err = run(capsys, "themes")
    assert rc == 0 and err == ""
    for heading in ("Themes reported by the seed papers", "CFIR (2009) constructs", "CFIR 2.0 constructs"):
        assert heading in out
    assert "leadership-support: " in out


def test_themes_json(capsys):
    from cases.catalogue import load_catalogue

    rc, out, err = run(capsys, "themes", "--format", "json")
    assert rc == 0
    data = json.loads(out)
    ids = [t["id"] for t in data["themes"]]
    assert len(ids) == len(set(ids))
    assert ids == [t.id for t in load_catalogue().themes]
    assert all(t["title"] and t["kind"] in ("literature", "cfir2009", "cfir2") for t in data["themes"])
    keys = {s["key"] for s in data["sources"]}
    assert len(keys) == len(data["sources"])


# ---- example DIR ----------------------------------------------------------------------------------


def test_example_writes_a_loadable_study(capsys, tmp_path, study):
    target = tmp_path / "new" / "study"
    rc, out, err = run(capsys, "example", str(target))
    assert rc == 0 and err == ""
    assert str(target) in out
    written = load_study(target)
    assert written.fingerprint == study.fingerprint
    assert sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()) == sorted(study.files)
    assert run(capsys, "validate", str(target))[0] == 0


def test_example_into_an_existing_empty_folder(capsys, tmp_path):
    target = tmp_path / "empty"
    target.mkdir()
    assert run(capsys, "example", str(target))[0] == 0
    assert (target / "study.toml").is_file()


@pytest.mark.parametrize("kind", ["file-inside", "a-file"])
def test_example_refuses_a_non_empty_target(capsys, tmp_path, kind):
    target = tmp_path / "taken"
    if kind == "file-inside":
        target.mkdir()
        (target / "notes.txt").write_text("mine")
    else:
        target.write_text("a file, not a folder")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    rc, out, err = run(capsys, "example", str(target))
    assert rc == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith(str(target))
    assert sorted(p.name for p in tmp_path.rglob("*")) == before
    if kind == "file-inside":
        assert (target / "notes.txt").read_text() == "mine"


# ---- --version and the dashboard path -------------------------------------------------------------


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == "crosscase 0.1.0"


def test_a_folder_named_like_a_subcommand_goes_to_the_dashboard(monkeypatch):
    """`crosscase ./summary` opens the dashboard on that folder (the app itself is not started)."""
    seen = []
    monkeypatch.setattr(cli, "cmd_dashboard", lambda study, *a, **k: seen.append(study) or 0)
    assert main(["./summary"]) == 0
    assert main([]) == 0
    assert seen == ["./summary", None]


# ---- the real console entry, in a subprocess -------------------------------------------------------


def _subprocess(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args], capture_output=True, text=True, env=env, cwd=REPO, timeout=60
    )


def test_console_entry_summary_json_in_a_subprocess(default_summary):
    proc = _subprocess("summary", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert json.loads(proc.stdout) == default_summary


def test_console_entry_exit_2_in_a_subprocess(tmp_path):
    proc = _subprocess("validate", str(tmp_path / "nope"))
    assert proc.returncode == 2
    assert proc.stdout.splitlines()[0] == f"{tmp_path / 'nope'}: no such study folder"
    assert "Traceback" not in proc.stdout + proc.stderr


# ---- export targets (11.9, 11.14) -----------------------------------------------------------------


def _unsearchable(monkeypatch, folder: Path) -> None:
    """``folder`` without search (x) permission, simulated (root can look anywhere): any name in it fails."""
    real_stat, real_lstat = os.stat, os.lstat

    def fake(real):
        def call(path, *args, **kwargs):
            if not isinstance(path, int) and Path(os.fsdecode(path)).parent == folder:
                raise PermissionError(13, "Permission denied", os.fsdecode(path))
            return real(path, *args, **kwargs)

        return call

    monkeypatch.setattr(os, "stat", fake(real_stat))
    monkeypatch.setattr(os, "lstat", fake(real_lstat))


def test_export_into_a_folder_that_cannot_be_searched_is_one_line(capsys, tmp_path, monkeypatch):
    out = tmp_path / "locked"
    out.mkdir()
    _unsearchable(monkeypatch, out)
    rc, stdout, err = run(capsys, "export", "-o", str(out / "snap.toml"))
    assert rc == 2 and stdout == ""
    assert len(err.splitlines()) == 1 and "permission denied" in err.lower(), err
    assert str(out / "snap.toml") in err


def test_write_atomic_in_a_folder_that_cannot_be_searched_is_a_write_error(tmp_path, monkeypatch):
    from cases.atomic import SnapshotWriteError, write_atomic

    _unsearchable(monkeypatch, tmp_path)
    with pytest.raises(SnapshotWriteError) as info:
        write_atomic(tmp_path / "x.toml", "x = 1\n")
    assert "permission denied" in str(info.value)


# ---- numbers on the command line (11.12) ------------------------------------------------------------


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "NaN", "1_5", "1e999", "\u0661"])
def test_threshold_must_be_a_finite_number(capsys, value):
    with pytest.raises(SystemExit) as info:
        main(["summary", "--split", "threshold", f"--threshold={value}", "--format", "json"])
    cap = capsys.readouterr()
    assert info.value.code == 2 and cap.out == ""
    assert cap.err.startswith("crosscase summary: error: argument --threshold:") and "is not a finite number" in cap.err


@pytest.mark.parametrize("value", ["1_0", "\u0661\u0660", "10.0"])
def test_min_count_must_be_ascii_digits(capsys, value):
    with pytest.raises(SystemExit) as info:
        main(["summary", f"--min-count={value}"])
    cap = capsys.readouterr()
    assert info.value.code == 2 and cap.out == "" and "is not a whole number" in cap.err


def test_a_valid_threshold_still_gives_valid_json(capsys):
    rc, out, _ = run(capsys, "summary", "--split", "threshold", "--threshold", "0.5", "--format", "json")
    assert rc == 0 and json.loads(out)["split"]["rule"] == "threshold"


# ---- --pseudonymise withholds site ids from problem lines (11.4) -------------------------------------


@pytest.mark.parametrize("command", ["summary", "export"])
def test_pseudonymise_flag_withholds_site_ids_from_problem_lines(command, make_study, tmp_path, capsys):
    folder = make_study(tmp_path)
    sites = (folder / "sites.csv").read_text(encoding="utf-8")
    (folder / "sites.csv").write_text(
        sites + sites.splitlines()[1].replace("Northgate", "Northgate again") + "\n", encoding="utf-8"
    )
    extra = ["-o", str(tmp_path / "out.toml")] if command == "export" else []
    rc, out, err = run(capsys, command, str(folder), *extra)
    assert rc == 2 and '"S1" appears twice' in err
    rc, out, err = run(capsys, command, str(folder), "--pseudonymise", *extra)
    assert rc == 2 and out == ""
    assert err.splitlines() == ["sites.csv:9: site: [site id withheld (pseudonymise)] appears twice (first at row 2)"]
    assert "S1" not in err and "Northgate" not in err
    assert not (tmp_path / "out.toml").exists()


@pytest.mark.parametrize(
    "name", ["themes.toml", "sites.tsv", "contacts.parquet", "ratings-wide.csv", "Study.toml", "sites.csv"]
)
def test_export_never_writes_a_study_file_name_into_the_study(name, make_study, tmp_path, capsys):
    folder = make_study(tmp_path)
    before = sorted(p.name for p in folder.iterdir())
    rc, out, err = run(capsys, "export", str(folder), "-o", str(folder / name), "--force")
    assert rc == 2 and "is one of the study's own files" in err
    assert sorted(p.name for p in folder.iterdir()) == before
    assert main(["validate", str(folder)]) == 0


def test_export_force_never_replaces_a_pipe(tmp_path, capsys):
    target = tmp_path / "snap.toml"
    os.mkfifo(target)
    rc, out, err = run(capsys, "export", "-o", str(target), "--force")
    assert rc == 2 and "not a regular file" in err
    import stat

    assert stat.S_ISFIFO(os.lstat(target).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snap.toml"]


def test_export_force_never_replaces_a_device(tmp_path, capsys):
    import stat

    target = tmp_path / "snap.toml"
    try:
        os.mknod(target, stat.S_IFCHR | 0o644, os.makedev(1, 3))  # like /dev/null
    except OSError:
        pytest.skip("cannot make a device node here (not root)")
    rc, out, err = run(capsys, "export", "-o", str(target), "--force")
    assert rc == 2 and "not a regular file" in err
    assert stat.S_ISCHR(os.lstat(target).st_mode)


@pytest.mark.parametrize(
    "name", ["a" * 246 + ".toml", "\u00e9" * 123 + ".toml"]
)  # 251 bytes each (251 and 128 characters)
def test_export_to_the_longest_valid_name(name, tmp_path, capsys):
    target = tmp_path / name
    assert len(os.fsencode(name)) <= 255
    rc, out, err = run(capsys, "export", "-o", str(target))
    assert rc == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
