"""SVG snapshots of every screen (issue 12.7), beyond the example's Compare, Sites, Site, Themes,
Literature and Matrix screens that tests/tui/test_dashboard_snapshots.py and test_matrix_snapshots.py
keep: the Sensitivity and Configurations screens and the Sites plot on the built-in example; the
main screens again on generated studies of other shapes (tests/shapes.py: hostile text, two sites,
no second metric, no ratings, the study's own themes); the error screen, the snapshot screen (on
its own and beside a changed study) and the "enlarge the terminal" message.

Each at 80x24 (the smallest supported size) and 120x40 unless its layout does not change with the
size. Nothing on screen changes between runs: no clock in the header, the permutation p-values are
exact or seeded and waited for (snapshot_apps.steady), paths are relative to a fixed current folder,
snapshots are exported with SOURCE_DATE_EPOCH set. Update with
``pytest tests/tui/test_snapshots_screens.py --snapshot-update`` after looking at the new SVGs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from snapshot_apps import SIZES, broken_study, exported, keys, size_id
from tui_helpers import EXAMPLE

from tui.dashboard.app import CrosscaseApp

BOTH = tuple(SIZES)
SMALL, LARGE = SIZES

# (study, screen) -> (keys, sizes); study "example" is the built-in one, the others are shapes
CASES: dict[tuple[str, str], tuple[tuple[str, ...], tuple[tuple[int, int], ...]]] = {
    ("example", "sensitivity"): (("v",), BOTH),
    ("example", "configurations"): (("g",), BOTH),
    ("example", "sites-plot"): (("s", "p"), BOTH),
    ("hostile", "compare"): ((), BOTH),
    ("hostile", "sites"): (("s",), BOTH),
    ("hostile", "site"): (("s", "enter"), BOTH),
    ("hostile", "themes"): (("t",), BOTH),
    ("hostile", "matrix"): (("M",), BOTH),
    ("hostile", "literature"): (("l",), (LARGE,)),
    ("two-sites", "compare"): ((), (SMALL,)),
    ("two-sites", "sensitivity"): (("v",), (SMALL,)),
    ("two-sites", "configurations"): (("g",), (LARGE,)),
    ("no-second", "compare"): ((), (LARGE,)),
    ("no-second", "sites-plot"): (("s", "p"), (SMALL,)),
    ("no-ratings", "themes"): (("t",), (SMALL,)),
    ("own-themes", "literature"): (("l",), (SMALL,)),
    ("example", "qca"): (("Q",), BOTH),
    ("example", "qca-truth-table"): (("Q", "2"), (LARGE,)),
    ("example", "qca-solutions"): (("Q", "3"), BOTH),
    ("example", "qca-necessity"): (("Q", "4"), (SMALL,)),
    ("hostile", "qca"): (("Q",), (LARGE,)),
    ("example", "consensus"): (("K",), BOTH),
}
PARAMS = [
    pytest.param(study, screen, size, id=f"{study}-{screen}-{size_id(size)}")
    for (study, screen), (_, sizes) in CASES.items()
    for size in sizes
]


def _folder(study: str, study_shapes) -> Path:
    return EXAMPLE if study == "example" else study_shapes[study].folder


@pytest.mark.parametrize(("study", "screen", "size"), PARAMS)
def test_screen(snap_compare, study_shapes, study, screen, size):
    pressed, _ = CASES[(study, screen)]
    app = CrosscaseApp(_folder(study, study_shapes))
    assert snap_compare(app, terminal_size=size, run_before=keys(*pressed))


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_error_screen(snap_compare, tmp_path, monkeypatch, size):
    """Every problem of a study that cannot be opened, literally (markup, escape, bidi shown as text)."""
    broken_study(tmp_path)
    monkeypatch.chdir(tmp_path)  # the title names the folder as given: "broken", not a temporary path
    assert snap_compare(CrosscaseApp(Path("broken")), terminal_size=size, run_before=keys())


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_snapshot_screen_alone(snap_compare, study_shapes, tmp_path, monkeypatch, size):
    """A pseudonymised snapshot cannot be matched to its study: its own figures, read-only."""
    target = exported(study_shapes["pseudonymised"].folder, tmp_path)
    monkeypatch.chdir(tmp_path)
    app = CrosscaseApp(None, snapshot=target.name)
    assert snap_compare(app, terminal_size=size, run_before=keys())


@pytest.mark.parametrize(
    ("screen", "size"), [("compare", LARGE), ("snapshot", SMALL)], ids=lambda v: v if isinstance(v, str) else size_id(v)
)
def test_a_changed_study_beside_its_snapshot(snap_compare, study_shapes, tmp_path, monkeypatch, screen, size):
    """The recomputed figures with the "since the snapshot" banner and its toast; F: the snapshot's own."""
    target = exported(study_shapes["no-contacts"].folder, tmp_path, changed=True)
    monkeypatch.chdir(tmp_path)
    app = CrosscaseApp(None, snapshot=target.name)
    assert snap_compare(app, terminal_size=size, run_before=keys("F", quiet=True) if screen == "snapshot" else keys())


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_snapshot_screen_alone_qca(snap_compare, tmp_path, monkeypatch, size):
    """A pseudonymised snapshot of the example, scrolled to its [qca] as recorded: the conditions and
    cut-offs, the truth table and the solutions with their consistency and coverage."""
    target = exported(EXAMPLE, tmp_path, "--pseudonymise")
    monkeypatch.chdir(tmp_path)

    async def before(pilot) -> None:
        await keys()(pilot)
        screen = pilot.app.screen
        screen.query_one("#snapshot-body").scroll_to_widget(screen.query_one("#snapshot-qca"), animate=False, top=True)
        await pilot.pause()

    assert snap_compare(CrosscaseApp(None, snapshot=target.name), terminal_size=size, run_before=before)


@pytest.mark.parametrize(
    ("study", "screen", "size"),
    [("example", "compare", (79, 24)), ("hostile", "sites", (120, 23))],
    ids=lambda v: v if isinstance(v, str) else size_id(v),
)
def test_enlarge_message(snap_compare, study_shapes, study, screen, size):
    """One column or one row short of 80x24: the screen asks for a larger terminal instead."""
    pressed = CASES.get((study, screen), ((),))[0]
    app = CrosscaseApp(_folder(study, study_shapes))
    assert snap_compare(app, terminal_size=size, run_before=keys(*pressed))


RATING = [("matrix", ("M",), SMALL), ("matrix", ("M",), LARGE), ("site", ("s", "enter"), LARGE)]
RATING += [("memo-dialog", ("M", "w"), size) for size in BOTH]


@pytest.mark.parametrize(
    ("screen", "pressed", "size"), [pytest.param(*case, id=f"{case[0]}-{size_id(case[2])}") for case in RATING]
)
def test_rating_mode(snap_compare, tmp_path, monkeypatch, screen, pressed, size):
    """crosscase STUDY --rater ana: the rater's own tokens only, the cell's panel, the memo dialog.
    Nothing is rated here, so nothing is written; a copy all the same."""
    import shutil

    shutil.copytree(EXAMPLE, tmp_path / "example")
    monkeypatch.chdir(tmp_path)
    app = CrosscaseApp(Path("example"), rater="ana")
    assert snap_compare(app, terminal_size=size, run_before=keys(*pressed))
