"""The bad-input corpus (tests/corpus/cases.py): every broken folder gets its exact problem lines.

For each case, headless: `crosscase validate` exits 2 and prints every expected line on stdout (0
and the `ok:` line for the folders that must load); `crosscase summary` exits 2 with the same lines
on stderr and nothing on stdout; no traceback anywhere. Snapshot cases go through `crosscase diff`
and cases.snapshot.read_snapshot. A sample of cases is also opened in the dashboard, whose error
screen must show the problem text.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from corpus.cases import CASES, Case, build, expected

from cases.errors import StudyError
from cases.loader import load_study
from tui.cli import main

STUDY_CASES = [c for c in CASES if c.kind == "study"]
SNAPSHOT_CASES = [c for c in CASES if c.kind == "snapshot"]
COUNT_LINE = re.compile(r"\d+ problems? found")


def test_the_corpus_is_large_and_covers_every_family():
    assert len(CASES) >= 60
    assert sum(c.exit == 2 for c in CASES) >= 60
    families = {c.family for c in CASES}
    for family in (
        "folder",
        "study.toml",
        "metrics",
        "derive",
        "outcome",
        "distinguishing",
        "disclosure",
        "conditions",
        "sites",
        "contacts",
        "themes",
        "ratings",
        "encodings",
        "excel",
        "size",
        "links",
        "link-tables",
        "permissions",
        "snapshots",
    ):
        assert family in families, family


def _prepare(case: Case, tmp_path: Path, monkeypatch) -> Path:
    if case.skip:
        pytest.skip(case.skip)
    target = build(case, tmp_path)
    if case.patch is not None:
        case.patch(monkeypatch, target)
    return target


def _lines(text: str, root: Path) -> list[str]:
    """Output lines with the temporary folder's path cut, so that they read as in the case."""
    return [line.replace(f"{root}/", "").replace(str(root), "") for line in text.splitlines()]


def _matches(want: str | re.Pattern, line: str) -> bool:
    return bool(want.fullmatch(line)) if isinstance(want, re.Pattern) else want == line


def assert_problems(case: Case, target: Path, lines: list[str]) -> None:
    """Every expected line is there; with ``exact`` nothing else is (a line may repeat only in diff)."""
    wants = expected(case, target)
    for want in wants:
        assert any(_matches(want, line) for line in lines), f"{case.name}: missing {want!r} in {lines}"
    if case.exact:
        extra = [line for line in lines if not any(_matches(w, line) for w in wants)]
        assert not extra, f"{case.name}: unexpected problem lines {extra}"
        if case.kind == "study":
            repeated = sorted({line for line in lines if lines.count(line) > 1})
            assert not repeated, f"{case.name}: problem lines repeated {repeated}"


def _run(argv: list[str], capsys) -> tuple[int, str, str, float]:
    capsys.readouterr()
    start = time.monotonic()
    rc = main(argv)
    elapsed = time.monotonic() - start
    cap = capsys.readouterr()
    assert "Traceback" not in cap.out + cap.err
    return rc, cap.out, cap.err, elapsed


@pytest.mark.parametrize("case", STUDY_CASES, ids=str)
def test_validate(case: Case, tmp_path: Path, monkeypatch, capsys):
    target = _prepare(case, tmp_path, monkeypatch)
    rc, out, err, elapsed = _run(["validate", str(target)], capsys)
    lines = _lines(out, tmp_path)
    assert rc == case.exit, lines
    assert err == ""
    if case.within is not None:
        assert elapsed < case.within, f"{case.name}: validate took {elapsed:.1f}s"
    if case.exit == 0:
        assert len(lines) == 1 and lines[0].startswith("ok: "), lines
        if case.check is not None:
            case.check(load_study(target))
        return
    assert COUNT_LINE.fullmatch(lines[-1]), lines
    problems = lines[:-1]
    assert int(lines[-1].split()[0]) == len(problems)
    assert_problems(case, target, problems)


@pytest.mark.parametrize("case", STUDY_CASES, ids=str)
def test_summary(case: Case, tmp_path: Path, monkeypatch, capsys):
    target = _prepare(case, tmp_path, monkeypatch)
    rc, out, err, elapsed = _run(["summary", str(target)], capsys)
    assert rc == case.exit, err
    if case.within is not None:
        assert elapsed < case.within
    if case.exit == 0:
        assert err == "" and out.strip()
        return
    assert out == ""
    assert_problems(case, target, _lines(err, tmp_path))


@pytest.mark.parametrize("case", SNAPSHOT_CASES, ids=str)
def test_snapshot(case: Case, tmp_path: Path, monkeypatch, capsys):
    target = _prepare(case, tmp_path, monkeypatch)
    from cases.snapshot import read_snapshot

    with pytest.raises(StudyError) as info:
        read_snapshot(target)
    assert_problems(case, target, _lines(str(info.value), tmp_path))
    rc, out, err, _ = _run(["diff", str(target), str(target)], capsys)
    assert rc == 2 and out == ""
    assert_problems(case, target, _lines(err, tmp_path))  # each problem twice: the file is OLD and NEW


# --- the dashboard's error screen ---------------------------------------------------------------

PILOT_SAMPLE = [
    "toml-syntax-error",
    "metric-not-a-number",
    "split-explicit-unknown-site",
    "derive-without-contacts",
    "contacts-unknown-site",
    "themes-duplicate-id",
    "ratings-bad-token",
    "latin-1",
    "xlsx-na-in-metric",
    "link-outside",
    "sites-1gb-sparse",
    "empty-folder",
    "pseudonymised-unknown-ids",
]


def _screen_text(app) -> str:
    import html

    svg = app.export_screenshot()
    return "".join(html.unescape(p).replace("\xa0", " ") for p in re.findall(r"<text[^>]*>([^<]*)</text>", svg))


@pytest.mark.parametrize("name", PILOT_SAMPLE)
async def test_dashboard_error_screen(name: str, tmp_path: Path):
    pytest.importorskip("textual")
    app_module = pytest.importorskip("tui.dashboard.app")
    from tui.dashboard.screens.error import ErrorScreen

    case = next(c for c in CASES if c.name == name)
    target = build(case, tmp_path)
    app = app_module.CrosscaseApp(target)
    async with app.run_test(size=(220, 50)) as pilot:
        for _ in range(3):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
        assert isinstance(app.screen, ErrorScreen)
        text = _screen_text(app)
        assert "Traceback" not in text
        for want in expected(case, target):
            if isinstance(want, str):
                assert want.replace(f"{tmp_path}/", "") in text.replace(f"{tmp_path}/", ""), (want, text)
        await pilot.press("q")
    assert app.return_code == 2
