"""SVG snapshots of every dialog (issue 12.7): help (?), split (o), export (e), the confirmation
an export to an existing file asks for (its fields shown for
the threshold and the quadrants rules too), the distinguishing rule (r) and the evidence of a matrix
cell (Enter on the Matrix screen; a: every site), each at 80x24 and 120x40, on the built-in example
and on generated studies (tests/shapes.py: hostile text, no second metric).

The cursors of text inputs do not blink (snapshot_apps.steady) and paths are relative to a fixed
current folder, so the SVGs are the same on every run. Update with
``pytest tests/tui/test_snapshots_dialogs.py --snapshot-update`` after looking at the new SVGs.
"""

from __future__ import annotations

import pytest
from snapshot_apps import SIZES, keys, size_id
from tui_helpers import EXAMPLE

from tui.dashboard.app import CrosscaseApp

BOTH = tuple(SIZES)
SMALL, LARGE = SIZES
# in the split dialog's rule list (median first): the keys that choose a rule once it is open
SPLIT_RULE = {"threshold": ("down", "enter"), "quadrants": ("down", "down", "down", "enter")}
MATRIX_CELL = ("M", "down", "right", "enter")  # the example's first rated cell (as test_matrix_snapshots)

CASES: dict[tuple[str, str], tuple[tuple[str, ...], tuple[tuple[int, int], ...]]] = {
    ("example", "help"): (("question_mark",), BOTH),
    ("example", "split"): (("o",), BOTH),
    ("example", "export"): (("e",), BOTH),
    ("example", "rule"): (("r",), BOTH),
    ("example", "evidence-every-site"): ((*MATRIX_CELL, "a"), (LARGE,)),
    ("hostile", "evidence"): (("M", "enter"), BOTH),
    ("no-second", "split-threshold"): (("o", "enter", *SPLIT_RULE["threshold"]), (SMALL,)),
    ("hostile", "split-quadrants"): (("o", "enter", *SPLIT_RULE["quadrants"]), (LARGE,)),
}
PARAMS = [
    pytest.param(study, dialog, size, id=f"{study}-{dialog}-{size_id(size)}")
    for (study, dialog), (_, sizes) in CASES.items()
    for size in sizes
]


@pytest.mark.parametrize(("study", "dialog", "size"), PARAMS)
def test_dialog(snap_compare, study_shapes, study, dialog, size):
    pressed, _ = CASES[(study, dialog)]
    app = CrosscaseApp(EXAMPLE if study == "example" else study_shapes[study].folder)
    assert snap_compare(app, terminal_size=size, run_before=keys(*pressed))


@pytest.mark.parametrize("size", SIZES, ids=size_id)
def test_confirm_dialog(snap_compare, tmp_path, monkeypatch, size):
    """Export to a file that exists: "example-snapshot.toml exists. Replace it?" (the default name,
    relative to the current folder, so no temporary path is on screen)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "example-snapshot.toml").write_text("# an older snapshot\n", encoding="utf-8")
    app = CrosscaseApp(EXAMPLE)
    assert snap_compare(app, terminal_size=size, run_before=keys("e", "enter"))
