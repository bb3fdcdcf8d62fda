"""Snapshots (issue 5): export, determinism, provenance, safe writes, evidence, reading, open.

The CLI runs in-process through ``tui.cli.main``; SOURCE_DATE_EPOCH is fixed so files compare byte
for byte. Every refusal and failure checks that an existing file is untouched and that no
temporary file is left behind.
"""

from __future__ import annotations

import csv
import errno
import os
import shutil
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cases.atomic import SnapshotWriteError, write_atomic
from cases.catalogue import example_dir
from cases.errors import StudyError
from cases.loader import load_study
from cases.snapshot import SCHEMA, parse_snapshot, read_snapshot
from metrics.analysis import analyse
from tui.cli import main
from tui.core.errors import UsageError
from tui.core.snapshots import open_snapshot, snapshot_options, write_snapshot_file

EPOCH = "1700000000"
CREATED = datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@pytest.fixture
def study(tmp_path) -> Path:
    """A copy of the example study in ``tmp_path/my-study``."""
    target = tmp_path / "my-study"
    shutil.copytree(example_dir(), target)
    return target


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def temp_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*.tmp"))


def export(capsys, study: Path, out: Path, *extra) -> str:
    code, _, err = run(capsys, "export", study, "-o", out, *extra)
    assert code == 0, err
    return out.read_text(encoding="utf-8")


# --- the file ------------------------------------------------------------------------------------


def test_export_writes_the_documented_snapshot(capsys, study, tmp_path):
    text = export(capsys, study, tmp_path / "snap.toml", "--note", "Steering group, month 6")
    data = tomllib.loads(text)
    assert text.startswith(f'schema = "{SCHEMA}"\ncrosscase = "0.1.0"\ncreated = 2023-11-14T22:13:20Z\n')
    assert data["created"] == CREATED
    assert data["note"] == "Steering group, month 6"
    loaded = load_study(study)
    assert data["study"] == {
        "title": loaded.title,
        "folder": "my-study",
        "fingerprint": loaded.fingerprint,
        "synthetic": True,
        "files": dict(loaded.files),
    }
    assert list(data["study"]["files"]) == sorted(data["study"]["files"])
    assert str(tmp_path) not in text and "/my-study" not in text
    assert data["split"]["outcome"] == "engagement" and data["split"]["rule"] == "median"
    assert set(data["groups"]) == {"high", "low", "middle", "missing"}
    assert data["view"] == {"screen": "compare"}
    assert data["disclosure"] == {"evidence_included": False, "min_count": 10, "pseudonymise": False}
    assert data["distinguishing"]["rule"] == "gap"
    assert [m["metric"] for m in data["metrics"]][:2] == ["contacts_per_participant", "participants"]
    assert all("ratings" in t["high"] for t in data["themes"])  # ratings are always included
    assert list(data)[-2:] == ["view", "disclosure"]


def test_same_inputs_give_identical_bytes(capsys, study, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    a = export(capsys, study, tmp_path / "a.toml", "--split", "tertiles")
    b = export(capsys, study, tmp_path / "elsewhere" / "b.toml", "--split", "tertiles")
    assert a.encode() == b.encode()


def test_created_is_now_without_source_date_epoch(capsys, study, tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    before = datetime.now(UTC).replace(microsecond=0)
    data = tomllib.loads(export(capsys, study, tmp_path / "now.toml"))
    assert before <= data["created"] <= datetime.now(UTC)
    assert data["created"].microsecond == 0


def test_a_bad_source_date_epoch_is_refused(capsys, study, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    code, _, err = run(capsys, "export", study, "-o", tmp_path / "x.toml")
    assert code == 2 and "SOURCE_DATE_EPOCH" in err
    assert not (tmp_path / "x.toml").exists() and not temp_files(tmp_path)


def test_folder_is_the_name_only_even_for_dot(capsys, study, tmp_path, monkeypatch):
    monkeypatch.chdir(study)
    data = tomllib.loads(export(capsys, ".", tmp_path / "dot.toml"))
    assert data["study"]["folder"] == "my-study"


# --- round trip ----------------------------------------------------------------------------------

SPLITS = [
    (),
    ("--split", "tertiles"),
    ("--split", "threshold", "--threshold", "0.5"),
    ("--split", "explicit", "--high", "S1,S3", "--low", "S6,S7"),
    ("--split", "quadrants", "--second", "fidelity"),
    ("--distinguishing", "means:strong_diff=1.5", "--min-count", "40"),
]


@pytest.mark.parametrize("options", SPLITS, ids=lambda o: " ".join(o) or "default")
def test_round_trip_export_open_export_gives_the_same_bytes(capsys, study, tmp_path, options):
    first = tmp_path / "first.toml"
    export(capsys, study, first, "--note", "round 1", *options)
    opened = open_snapshot(first)
    assert opened.folder == study and opened.warnings == []
    assert opened.figures == read_snapshot(first)
    loaded = load_study(opened.folder)
    comparison = analyse(loaded, snapshot_options(opened.figures, opened.outcome))
    again = write_snapshot_file(
        comparison,
        loaded,
        tmp_path / "again.toml",
        note=opened.figures.get("note"),
        include_evidence=opened.figures["disclosure"]["evidence_included"],
        view=opened.view,
    )
    assert again.read_bytes() == first.read_bytes()


def test_dashboard_view_is_written_and_restored(study, tmp_path):
    loaded = load_study(study)
    view = {"screen": "site", "site": "S3", "sort": "hedges_g", "filters": {"employer": ["NHS"]}, "unset": None}
    path = write_snapshot_file(analyse(loaded), loaded, tmp_path / "view.toml", view=view)
    restored = open_snapshot(path).view
    assert restored == {"screen": "site", "site": "S3", "sort": "hedges_g", "filters": {"employer": ["NHS"]}}


# --- evidence ------------------------------------------------------------------------------------


def evidence_texts(study: Path) -> list[str]:
    with (study / "ratings.csv").open(encoding="utf-8") as fh:
        return [row["evidence"] for row in csv.DictReader(fh) if row["evidence"]]


def test_evidence_stays_out_by_default(capsys, study, tmp_path):
    text = export(capsys, study, tmp_path / "plain.toml")
    texts = evidence_texts(study)
    assert texts
    assert not [t for t in texts if t in text or t.replace('"', '\\"') in text]
    assert "evidence =" not in text and "[themes.evidence]" not in text
    assert tomllib.loads(text)["disclosure"]["evidence_included"] is False


def test_include_evidence_writes_it_per_theme(capsys, study, tmp_path):
    data = tomllib.loads(export(capsys, study, tmp_path / "ev.toml", "--include-evidence"))
    assert data["disclosure"]["evidence_included"] is True
    found = {text for t in data["themes"] for text in t.get("evidence", {}).values()}
    assert found == set(evidence_texts(study))
    theme = data["themes"][0]
    assert set(theme["evidence"]) <= set(theme["high"]["ratings"]) | set(theme["low"]["ratings"]) | set(
        theme.get("middle", {}).get("ratings", {})
    )


def test_evidence_with_pseudonyms_is_refused(capsys, study, tmp_path):
    code, _, err = run(capsys, "export", study, "-o", tmp_path / "p.toml", "--pseudonymise", "--include-evidence")
    assert code == 2 and "evidence" in err
    assert not (tmp_path / "p.toml").exists() and not temp_files(tmp_path)


# --- refusals and failures of the write ----------------------------------------------------------

OLD = "old contents, not a snapshot\n"


@pytest.fixture
def existing(tmp_path) -> Path:
    path = tmp_path / "out" / "snap.toml"
    path.parent.mkdir()
    path.write_text(OLD)
    return path


def assert_untouched(path: Path) -> None:
    assert path.read_text() == OLD
    assert not temp_files(path.parent)


def test_existing_file_is_refused_without_force(capsys, study, existing):
    code, out, err = run(capsys, "export", study, "-o", existing)
    assert code == 2 and err.strip() == f"{existing}: already exists; use --force to replace it"
    assert_untouched(existing)


def test_force_replaces_an_existing_file(capsys, study, existing):
    existing.chmod(0o640)
    text = export(capsys, study, existing, "--force")
    assert tomllib.loads(text)["schema"] == SCHEMA
    assert existing.stat().st_mode & 0o777 == 0o640
    assert not temp_files(existing.parent)


def test_a_new_file_gets_the_usual_permissions(capsys, study, tmp_path):
    old = os.umask(0o022)
    try:
        export(capsys, study, tmp_path / "new.toml")
    finally:
        os.umask(old)
    assert (tmp_path / "new.toml").stat().st_mode & 0o777 == 0o644


def test_a_directory_as_path_is_refused(capsys, study, tmp_path):
    target = tmp_path / "adir"
    target.mkdir()
    code, _, err = run(capsys, "export", study, "-o", target, "--force")
    assert code == 2 and "is a folder" in err
    assert target.is_dir() and list(target.iterdir()) == []
    with pytest.raises(IsADirectoryError):
        write_atomic(target, "x", force=True)


def test_a_missing_folder_is_a_clear_error(capsys, study, tmp_path):
    code, _, err = run(capsys, "export", study, "-o", tmp_path / "nowhere" / "s.toml")
    assert code == 2 and "does not exist" in err and "Traceback" not in err


def test_a_study_file_is_never_the_target(capsys, study):
    before = (study / "sites.csv").read_bytes()
    code, _, err = run(capsys, "export", study, "-o", study / "sites.csv", "--force")
    assert code == 2 and "study's own files" in err
    assert (study / "sites.csv").read_bytes() == before and not temp_files(study)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_read_only_folder(capsys, study, existing):
    existing.parent.chmod(0o500)
    try:
        probe = existing.parent / "probe"
        try:
            probe.write_text("x")
            probe.unlink()
            pytest.skip("running as root: a read-only folder can still be written (see the simulated test)")
        except PermissionError:
            pass
        code, _, err = run(capsys, "export", study, "-o", existing, "--force")
    finally:
        existing.parent.chmod(0o700)
    assert code == 2 and "permission denied" in err
    assert_untouched(existing)


def test_permission_denied_is_a_clear_error(capsys, study, existing, monkeypatch):
    """The read-only folder simulated (root can write anywhere): creating the temporary file fails."""
    real_open = os.open

    def deny(path, *args, **kwargs):
        if str(path).endswith(".tmp"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    code, _, err = run(capsys, "export", study, "-o", existing, "--force")
    assert code == 2
    assert err.strip() == (
        f"cannot write {existing}: permission denied (the folder {existing.parent} cannot be "
        "written); the existing file was left unchanged"
    )
    assert_untouched(existing)


@pytest.mark.parametrize("where", ["fsync", "write"])
def test_a_full_disk_leaves_the_old_file(capsys, study, existing, monkeypatch, where):
    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    if where == "fsync":
        monkeypatch.setattr(os, "fsync", full)
    else:
        real_fdopen = os.fdopen

        class Full:
            def __init__(self, fh):
                self.fh = fh

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.fh.close()

            def write(self, data):
                self.fh.write(data[: len(data) // 2])
                full()

        monkeypatch.setattr(os, "fdopen", lambda fd, mode: Full(real_fdopen(fd, mode)))
    code, _, err = run(capsys, "export", study, "-o", existing, "--force")
    assert code == 2 and "the disk is full" in err and "left unchanged" in err
    assert_untouched(existing)


def test_killed_before_the_rename_leaves_the_old_file_and_no_temp(study, existing, monkeypatch):
    """The export dies after the temporary file is complete, at the rename."""
    seen = []

    def killed(src, dst):
        seen.append(Path(src))
        assert Path(src).exists() and Path(src).parent == existing.parent
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", killed)
    loaded = load_study(study)
    with pytest.raises(KeyboardInterrupt):
        write_snapshot_file(analyse(loaded), loaded, existing, force=True)
    assert seen and seen[0].name.startswith(".snap.toml.") and seen[0].name.endswith(".tmp")
    assert_untouched(existing)


def test_an_os_error_at_the_rename_is_clear(capsys, study, existing, monkeypatch):
    def broken(src, dst):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "replace", broken)
    code, _, err = run(capsys, "export", study, "-o", existing, "--force")
    assert (
        code == 2
        and err.strip() == f"cannot write {existing}: Input/output error; the existing file was left unchanged"
    )
    assert_untouched(existing)


def test_write_atomic_never_replaces_without_force(tmp_path, monkeypatch):
    """A file that appears between the check and the rename is not replaced (the final link refuses)."""
    path = tmp_path / "race.toml"
    real_fsync = os.fsync

    def appear(fd):
        real_fsync(fd)
        if not path.exists():
            path.write_text(OLD)

    monkeypatch.setattr(os, "fsync", appear)
    with pytest.raises(FileExistsError):
        write_atomic(path, "new\n")
    assert path.read_text() == OLD and not temp_files(tmp_path)


def test_write_atomic_errors_are_oserrors_with_errno(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full")))
    with pytest.raises(SnapshotWriteError) as info:
        write_atomic(tmp_path / "x.toml", "data")
    assert info.value.errno == errno.ENOSPC and str(info.value).endswith("nothing was written")
    assert not (tmp_path / "x.toml").exists() and not temp_files(tmp_path)


# --- reading and validating ----------------------------------------------------------------------


@pytest.fixture
def snapshot_text(capsys, study, tmp_path) -> str:
    return export(capsys, study, tmp_path / "good.toml")


def problems(text: str) -> list[str]:
    with pytest.raises(StudyError) as info:
        parse_snapshot(text, "s.toml")
    return [str(p) for p in info.value.problems]


def test_malformed_toml_names_the_line(snapshot_text):
    lines = snapshot_text.splitlines()
    lines[9] = "title = = broken"
    (found,) = problems("\n".join(lines))
    assert found.startswith("s.toml:10: TOML syntax error: ")


def test_not_a_snapshot(snapshot_text):
    (found,) = problems('title = "a study.toml perhaps"\n')
    assert found.startswith("s.toml: not a crosscase snapshot")


def test_an_unknown_schema(snapshot_text):
    (found,) = problems(snapshot_text.replace(SCHEMA, "someone.else/1", 1))
    assert (
        found
        == 's.toml:1: schema: schema "someone.else/1" is not supported (this crosscase reads crosscase.snapshot/1)'
    )


def test_a_future_schema(snapshot_text):
    (found,) = problems(snapshot_text.replace(SCHEMA, "crosscase.snapshot/2", 1))
    assert found.startswith("s.toml:1: schema: written by a newer crosscase")


def test_missing_tables_and_wrong_types_name_their_lines(snapshot_text):
    text = snapshot_text.replace("[groups]\n", "[groupz]\n", 1)
    text = text.replace("\nn = 3\n", '\nn = "three"\n', 1)
    found = problems(text)
    assert 's.toml: missing "groups"' in found
    line = text.splitlines().index('n = "three"') + 1
    assert f"s.toml:{line}: metrics[1].high.n: must be a whole number" in found


def test_a_folder_that_is_a_path_is_refused(snapshot_text):
    found = problems(snapshot_text.replace('folder = "my-study"', 'folder = "../../etc"', 1))
    assert any("study.folder: must be a folder's name, not a path" in f for f in found)


def test_unreadable_snapshot_files(tmp_path):
    (tmp_path / "bin.toml").write_bytes(b'schema = "\xff"\n')
    (tmp_path / "empty.toml").write_text("")
    for name, expected in (
        ("bin.toml", "is not UTF-8"),
        ("empty.toml", "is empty"),
        ("missing.toml", "no such"),
        (".", "is a folder"),
    ):
        with pytest.raises(StudyError) as info:
            read_snapshot(tmp_path / name)
        assert expected in str(info.value)


def test_diff_of_a_malformed_snapshot_exits_2(capsys, snapshot_text, tmp_path):
    good = tmp_path / "good.toml"
    bad = tmp_path / "bad.toml"
    bad.write_text(snapshot_text.replace(SCHEMA, "crosscase.snapshot/9", 1))
    code, out, err = run(capsys, "diff", good, bad)
    assert code == 2 and out == "" and err.startswith(f"{bad}:1: schema: written by a newer crosscase")


def test_nulls_are_restored_on_reading(capsys, study, tmp_path):
    sites = study / "sites.csv"
    rows = sites.read_text().splitlines()
    rows[1] = rows[1].replace(",6.0,", ",,")  # S1's supervisor_hours missing
    sites.write_text("\n".join(rows) + "\n")
    path = tmp_path / "nulls.toml"
    export(capsys, study, path)
    data = read_snapshot(path)
    hours = next(m for m in data["metrics"] if m["metric"] == "supervisor_hours")
    assert "S1" in hours["high"]["values"] and hours["high"]["values"]["S1"] is None
    assert list(hours["high"]["values"]) == data["groups"]["high"]


# --- open ----------------------------------------------------------------------------------------


def test_open_finds_the_study_next_to_the_snapshot(capsys, study, tmp_path):
    path = tmp_path / "s.toml"
    export(capsys, study, path, "--split", "threshold", "--threshold", "0.5")
    opened = open_snapshot(path)
    assert opened.folder == study and opened.warnings == [] and opened.view == {"screen": "compare"}
    outcome = opened.outcome
    assert (outcome.metric, outcome.split, outcome.threshold) == ("engagement", "threshold", 0.5)
    assert opened.figures["split"]["threshold"] == 0.5


def test_open_with_a_missing_study(capsys, study, tmp_path):
    path = tmp_path / "s.toml"
    export(capsys, study, path)
    moved = tmp_path / "renamed"
    study.rename(moved)
    with pytest.raises(UsageError) as info:
        open_snapshot(path)
    assert "my-study" in str(info.value) and "--study DIR" in str(info.value)
    with pytest.raises(UsageError):
        open_snapshot(path, tmp_path / "nope")
    assert open_snapshot(path, moved).folder == moved


def test_open_an_invalid_snapshot_is_a_usage_error(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("schema = [\n")
    with pytest.raises(UsageError) as info:
        open_snapshot(bad)
    assert info.value.lines[0].startswith(f"{bad}:")


def test_open_a_changed_study_names_each_changed_file(capsys, study, tmp_path):
    path = tmp_path / "s.toml"
    export(capsys, study, path)
    with (study / "sites.csv").open("a") as fh:
        fh.write("")
    (study / "contacts.csv").write_text((study / "contacts.csv").read_text() + "S1,P9999,2017-09-01,20\n")
    (study / "ratings.csv").unlink()
    (study / "themes.toml").write_text('[[theme]]\nid = "extra"\ntitle = "Extra"\n')
    opened = open_snapshot(path)
    assert opened.folder == study
    assert opened.warnings == ["contacts.csv changed", "ratings.csv removed", "themes.toml added"]
    assert opened.figures["study"]["files"]["contacts.csv"] != load_study(study).files["contacts.csv"]


def test_open_the_built_in_example_from_anywhere(capsys, tmp_path):
    path = tmp_path / "example.toml"
    code, _, err = run(capsys, "export", "-o", path)
    assert code == 0, err
    assert open_snapshot(path).folder == example_dir()


def test_open_a_pseudonymised_snapshot_is_read_only(capsys, study, tmp_path):
    path = tmp_path / "p.toml"
    text = export(capsys, study, path, "--pseudonymise")
    assert '"S1"' not in text and "Northgate" not in text
    opened = open_snapshot(path)
    assert opened.folder is None and "pseudonymised" in opened.warnings[0]
    assert opened.outcome.metric == "engagement" and opened.figures["disclosure"]["pseudonymise"] is True


# --- 10.13: the snapshot view shows what the live view showed -------------------------------------


def _figures(c) -> dict[str, float]:
    """Every figure the views format, by a name that the snapshot's dict shares."""
    out = {}
    for m in c.metrics:
        for key in ("mean_difference", "median_difference", "hedges_g", "cliffs_delta", "spearman_with_outcome"):
            out[f"{m.metric}.{key}"] = getattr(m, key)
        for g in ("high", "low"):
            for key in ("mean", "median", "min", "max"):
                out[f"{m.metric}.{g}.{key}"] = getattr(getattr(m, g), key)
    for t in c.themes:
        for g in ("high", "low"):
            out[f"{t.theme}.{g}.mean"] = getattr(t, g).mean
    return {k: v for k, v in out.items() if isinstance(v, float)}


@pytest.mark.parametrize("split", ["median", "tertiles", "quadrants"])
def test_every_figure_shows_the_same_live_and_from_its_snapshot(study, tmp_path, split):
    """One figure was rounded twice: 12 significant digits on write, then the view's decimals (1.07
    live, 1.06 from the file for 1.0650000000000004); the views now round what the file keeps."""
    from dataclasses import replace

    from metrics.numbers import fmt
    from metrics.results import Options
    from metrics.summary import from_dict

    loaded = load_study(study)
    outcome = replace(loaded.outcome, split=split, second="peer_workers" if split == "quadrants" else None)
    live = analyse(loaded, Options(outcome=outcome))
    path = write_snapshot_file(live, loaded, tmp_path / f"{split}.toml")
    reopened = from_dict(read_snapshot(path))
    before, after = _figures(live), _figures(reopened)
    assert before.keys() == after.keys() and len(before) > 50
    for key, value in before.items():
        for digits in range(5):
            assert fmt(value, digits) == fmt(after[key], digits), (key, value, after[key], digits)
    if split == "tertiles":
        assert before["fidelity.mean_difference"] == 1.0650000000000004  # the case the issue saw
        assert fmt(before["fidelity.mean_difference"], 2) == fmt(after["fidelity.mean_difference"], 2) == "1.07"
