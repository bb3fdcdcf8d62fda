"""The dashboard walked over the study-shape matrix (tests/shapes.py), in Pilot.

On every shape, at 80x24: open on Compare; Sites, the Site screen and its n/p stepping, Themes,
Sensitivity, Configurations; the split dialog with each rule (median, threshold with a typed
value, tertiles, quadrants with a second metric when the study has two, explicit with ids) applied,
and once cancelled; the export dialog (cancelled once, then a file that `crosscase open`'s reader
takes); the command palette; help. Then the terminal grows to 160x48 (Compare, Sites and the Site
screen again) and q quits with return code 0. The hostile shape is also opened at 160x48 (and the
dialog's Cancel button used); the 2,000-site shape takes a shorter walk.

Each step checks what the screen shows against the shape's own data: the groups of tests/shapes.py's
oracle of the split rules (written from the contract, not from metrics/splits.py), the values and
labels it wrote, hostile text shown literally (markup as typed, escapes and bidi overrides made
visible), pseudonymised originals never shown, counts below min_count suppressed.

Time: each interaction costs 0.1-0.5 s of CPU in Textual (about half of it the Footer recomposing
on every screen or focus change), so a shape's walk is ~9 s of CPU.
"""

from __future__ import annotations

import time
import tomllib
from pathlib import Path

import pytest
from shapes import BIDI, SHAPES, SMALL_SHAPES, Shape, shown
from textual.widgets import Input, Select, Static
from tui_helpers import settle

from tui.dashboard.app import CrosscaseApp
from tui.dashboard.dialogs.export import ExportDialog
from tui.dashboard.dialogs.help import HelpDialog
from tui.dashboard.dialogs.split import SplitDialog
from tui.dashboard.screens.compare import PANEL_LIMIT, CompareScreen
from tui.dashboard.screens.site import SiteScreen
from tui.dashboard.screens.sites import SitesScreen
from tui.dashboard.screens.tables import ConfigurationsScreen, SensitivityScreen
from tui.dashboard.screens.themes import ThemesScreen
from tui.dashboard.widgets.grid import GridTable
from tui.dashboard.widgets.rows import RowList

RULES = ("median", "threshold", "tertiles", "quadrants", "explicit")
MARK = {"H": "high", "L": "low", "M": "middle"}


# -- checks ----------------------------------------------------------------------------------------
def screen_text(app) -> str:
    """What the terminal shows, one line per row (the compositor's strips, dialogs over their screen)."""
    return "\n".join("".join(seg.text for seg in strip) for strip in app.screen._compositor.render_strips())


def no_crash(app) -> None:
    assert app.is_running and app._exception is None, app._exception


def check_safe_text(app, shape: Shape) -> str:
    """The screen's text holds no raw escape or bidi character, and nothing a pseudonym hides."""
    text = screen_text(app)
    assert "\x1b" not in text and "\u202e" not in text, type(app.screen).__name__
    for hidden in shape.hidden:
        assert hidden not in text, (hidden, type(app.screen).__name__)
    return text


def check_hostile(text: str, shape: Shape, texts, width: int = 12) -> None:
    """Each of ``texts`` (raw data) shows literally: its start, as the contract makes it visible."""
    for raw in texts:
        start = shown(raw)[:width]
        assert start in text, (start, text[:2000])


def groups_shown(app) -> dict[str, set[str]]:
    c = app.comparison.split
    return {g: set(getattr(c, g)) for g in ("high", "low", "middle", "missing")}


def check_compare(app, shape: Shape, expected: dict[str, set[str]]) -> None:
    screen = app.screen
    assert isinstance(screen, CompareScreen), type(screen).__name__
    assert groups_shown(app) == expected
    status = str(screen.query_one("#status", Static).render())
    sizes = f"H {len(expected['high'])} · L {len(expected['low'])} · M {len(expected['middle'])}"
    assert sizes in status, (sizes, status)
    if expected["missing"]:
        assert f"missing {len(expected['missing'])}" in status
    text = check_safe_text(app, shape)
    for group in ("high", "low"):
        panel = screen.query_one(f"#{group}-sites", RowList)
        keys = [k for k in panel.keys if k]
        if len(expected[group]) <= PANEL_LIMIT:
            assert set(keys) == expected[group], group
        else:
            assert len(keys) == PANEL_LIMIT and set(keys) <= expected[group]
        if not expected[group]:
            assert "(no sites)" in panel.row_text(0)
        assert f"{group.capitalize()} ({len(expected[group])})" in text
        if keys:  # the panel's first row: the site, its label (cut to fit)
            first = panel.row_text(0)
            assert shown(f"{keys[0]} {shape.labels[keys[0]]}")[:12] in first, first
    # the middle line lists the middle (then the missing) sites, cut to the width: the first is one
    middle = str(screen.query_one("#middle-sites", Static).render())
    for group in ("middle", "missing"):
        if expected[group] and (group == "middle" or not expected["middle"]):
            head = middle.split(": ", 1)[1] if ": " in middle else ""
            assert any(head.startswith(f"{s} ") for s in expected[group]), (group, middle)
    if not shape.big:
        # the first rows of each panel are on screen (a 24-line terminal shows at least three)
        for group in ("high", "low"):
            for s in [k for k in screen.query_one(f"#{group}-sites", RowList).keys if k][:3]:
                assert s in text, (s, text[:1500])


def check_sites(app, shape: Shape, expected: dict[str, set[str]]) -> None:
    screen = app.screen
    assert isinstance(screen, SitesScreen)
    table = screen.query_one("#sites-table", GridTable)
    assert table.row_count == len(shape.ids)
    ids = list(table.keys)
    assert sorted(ids) == sorted(shape.ids)
    # sorted by the outcome, highest first, missing last
    values = [shape.values[s] for s in ids]
    present = [v for v in values if v is not None]
    assert present == sorted(present, reverse=True)
    assert all(v is None for v in values[len(present) :])
    # each row shows its id and its group's mark (a 2,000-site table: the first 40 rows, laid out
    # as they scroll into view, are enough)
    for row in range(min(table.row_count, 40)):
        site, mark = table.cell_text(row, 1), table.cell_text(row, 0)
        assert site == ids[row] or (site.endswith("…") and ids[row].startswith(site[:-1]))
        assert ids[row] in expected[MARK.get(mark, "missing")], (ids[row], mark)
    text = check_safe_text(app, shape)
    if not shape.big:
        assert ids[0] in text
    for metric, suppressed in shape.suppressed.items():
        col = table.column_keys.index(metric)
        for row, site in enumerate(ids):
            cell = table.cell_text(row, col)
            if site in suppressed:
                assert f"<{shape.min_count}" in cell and f"{suppressed[site]:g}" not in cell, (site, cell)
            else:
                assert "<" not in cell, (site, cell)


def check_themes(app, shape: Shape) -> None:
    screen = app.screen
    assert isinstance(screen, ThemesScreen)
    listing = screen.query_one("#themes-list", RowList)
    keys = [k for k in listing.keys if k]
    assert set(keys) == set(shape.rated_themes), (keys, shape.rated_themes)
    text = check_safe_text(app, shape)
    for tid in shape.rated_themes[:3]:
        title = shape.theme_titles.get(tid)
        if title is not None:
            assert shown(title)[:12] in text, title
    if not shape.rated_themes:
        detail = str(screen.query_one("#theme-detail-text", Static).render())
        assert detail.strip(), "an empty Themes screen says why"


def check_tables(app, shape: Shape) -> None:
    screen = app.screen
    text = check_safe_text(app, shape)
    if isinstance(screen, SensitivityScreen):
        cuts = app.comparison.sensitivity.cuts
        assert screen.query_one("#cuts-table").row_count == len(cuts)
    else:
        assert isinstance(screen, ConfigurationsScreen)
        for name in shape.conditions:
            assert shown(name)[:20] in text, name


def site_head(app) -> str:
    return str(app.screen.query_one("#site-head", Static).render())


def check_site(app, shape: Shape, site: str) -> None:
    screen = app.screen
    assert isinstance(screen, SiteScreen) and screen.site == site
    head = site_head(app)
    assert site in head
    assert shown(shape.labels[site])[:40] in head, (shape.labels[site], head)
    check_safe_text(app, shape)


# -- steps -----------------------------------------------------------------------------------------
async def press(pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)
    no_crash(pilot.app)


async def visit_screens(pilot, shape: Shape, steps=(("n", 1), ("p", 0), ("p", -1))) -> None:
    """From Compare: Sites, Enter on its first row (the Site screen) and n/p stepping (p wraps to
    the last site), Escape back to Sites, then Themes, Sensitivity, Configurations and Compare."""
    app = pilot.app
    expected = groups_shown(app)
    await press(pilot, "s")
    check_sites(app, shape, expected)
    app.screen.query_one("#sites-table").focus()
    order = shape.step_order()
    await press(pilot, "enter")
    check_site(app, shape, order[0])
    if shape.name == "hostile":
        memo = str(app.screen.query_one("#site-themes", Static).render())
        assert "[@click=app.quit]evil memo [b]x[/b]\\x1b[31m\\u202e" in memo
        check_hostile(screen_text(app), shape, shape.metric_labels.values())
    for key, at in steps:
        await press(pilot, key)
        check_site(app, shape, order[at % len(order)])
    await press(pilot, "escape")
    assert isinstance(app.screen, SitesScreen)
    await press(pilot, "t")
    check_themes(app, shape)
    if shape.name == "hostile":
        check_hostile(screen_text(app), shape, list(shape.theme_titles.values()))
    await press(pilot, "v")
    check_tables(app, shape)
    await press(pilot, "g")
    check_tables(app, shape)
    await press(pilot, "c")
    check_compare(app, shape, expected)


async def choose_rule(pilot, rule: str, keyboard: bool = True) -> None:
    """Pick ``rule`` in the focused Split rule select: with the keyboard (Enter, arrows, Enter), or
    by setting the select's value as a click in its list does (the cheaper way, for most rules)."""
    from cases.model import SPLIT_RULES

    dialog = pilot.app.screen
    select = dialog.query_one("#split-rule", Select)
    assert dialog.focused is select
    if not keyboard:
        select.value = rule
        await pilot.pause()
        assert all(w.display == (rule == "threshold") for w in dialog.query(".-threshold"))
        return
    now = SPLIT_RULES.index(select.value)
    await pilot.press("enter")
    await pilot.pause()
    delta = SPLIT_RULES.index(rule) - now
    await pilot.press(*(["down"] * delta if delta > 0 else ["up"] * -delta), "enter")
    await pilot.pause()
    assert select.value == rule
    assert not any(w.display for w in dialog.query(".-threshold")) or rule == "threshold"


async def type_into(pilot, selector: str, text: str) -> None:
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.value = ""
    await pilot.pause()
    await pilot.press(*text)
    assert field.value == text


async def apply_split(pilot, shape: Shape, rule: str, keyboard: bool = True) -> bool:
    """Open the split dialog (o), fill it in for ``rule`` and apply; False when the dialog refused."""
    app = pilot.app
    await press(pilot, "o")
    dialog = app.screen
    assert isinstance(dialog, SplitDialog)
    await choose_rule(pilot, rule, keyboard)
    submit = "#split-apply"
    if rule == "threshold":
        await type_into(pilot, "#split-threshold", f"{shape.walk_threshold:g}")
        submit = "#split-threshold"  # Enter in the field applies
    elif rule == "quadrants":
        second = dialog.query_one("#split-second", Select)
        if app.comparison.split.rule != "quadrants" and not app.outcome.second:
            assert second.value == (shape.second if shape.in_toml_second else Select.NULL)
        if shape.second is not None:
            second.value = shape.second
            await pilot.pause()
    elif rule == "explicit":
        dialog.query_one("#split-high", Input).value = ",".join(shape.explicit[0])
        dialog.query_one("#split-low", Input).value = " , ".join(shape.explicit[1])
        submit = "#split-low"
    dialog.query_one(submit).focus()
    await press(pilot, "enter")
    if rule == "quadrants" and shape.second is None:
        assert app.screen is dialog
        problems = str(dialog.query_one("#split-problems", Static).render())
        assert "needs a second metric" in problems
        await press(pilot, "escape")
        return False
    assert not isinstance(app.screen, SplitDialog), str(dialog.query_one("#split-problems", Static).render())
    assert app.comparison.split.rule == rule
    return True


async def split_walk(pilot, shape: Shape, rules=RULES, cancel_button: bool = False) -> None:
    app = pilot.app
    for i, rule in enumerate(rules):
        # the rule is chosen with the keyboard twice, then directly (each dialog costs ~0.5 s)
        applied = await apply_split(pilot, shape, rule, keyboard=i in (1, 2))
        check_compare(app, shape, shape.groups(rule) if applied else groups_shown(app))
    # cancelled after changing the rule (Escape, or the Cancel button): nothing changes
    before = app.comparison
    await press(pilot, "o")
    await choose_rule(pilot, "tertiles" if before.split.rule != "tertiles" else "median")
    if cancel_button:
        app.screen.query_one("#split-cancel").focus()
        await press(pilot, "enter")
    else:
        await press(pilot, "escape")
    assert isinstance(app.screen, CompareScreen) and app.comparison is before


def read_exported(path: Path, shape: Shape) -> dict:
    """The exported file, read as `crosscase open` reads it (validated, its study found)."""
    from cases.snapshot import read_snapshot
    from tui.core.snapshots import open_snapshot

    snapshot = read_snapshot(path)
    opened = open_snapshot(path, shape.folder)
    pseudonymised = bool(snapshot["disclosure"].get("pseudonymise"))
    assert (opened.folder is None) == pseudonymised
    if opened.folder is not None:
        assert Path(opened.folder) == shape.folder and opened.warnings == []
    return snapshot


async def export_walk(pilot, shape: Shape, tmp: Path, *, cancel: bool = True) -> None:
    app = pilot.app
    default = Path.cwd() / f"{shape.folder.name}-snapshot.toml"
    if cancel:
        await press(pilot, "e")
        assert isinstance(app.screen, ExportDialog)
        await press(pilot, "escape")
        assert not isinstance(app.screen, ExportDialog)
        assert not default.exists()
    out = tmp / f"{shape.name}-export.toml"
    await press(pilot, "e")
    dialog = app.screen
    assert isinstance(dialog, ExportDialog)
    dialog.query_one("#export-path", Input).value = str(out)
    await press(pilot, "enter")
    deadline = time.monotonic() + 30
    while not out.exists() and time.monotonic() < deadline:
        await pilot.pause(0.05)
    assert out.exists()
    raw = out.read_text(encoding="utf-8")
    for hidden in shape.hidden:
        assert hidden not in raw
    data = read_exported(out, shape)
    split = app.comparison.split
    assert data["split"]["rule"] == split.rule
    assert sorted(data["groups"]["high"]) == sorted(split.high)
    assert sorted(data["groups"]["low"]) == sorted(split.low)
    assert tomllib.loads(raw)["schema"] == "crosscase.snapshot/1"  # plain TOML to the standard reader


async def palette_walk(pilot, *, run: bool) -> None:
    from textual.command import CommandPalette

    app = pilot.app
    before = type(app.screen)
    await pilot.press("ctrl+p")
    await pilot.pause()
    assert isinstance(app.screen, CommandPalette)
    await pilot.press(*"split")
    await pilot.pause(0.3)
    if run:  # "Change split…" from the palette: the dialog opens
        await press(pilot, "enter")
        assert isinstance(app.screen, SplitDialog)
    await press(pilot, "escape")
    if isinstance(app.screen, CommandPalette):
        await press(pilot, "escape")
    assert type(app.screen) is before


async def help_walk(pilot) -> None:
    app = pilot.app
    await press(pilot, "question_mark")
    assert isinstance(app.screen, HelpDialog)
    assert "Split…" in {d for _, _, d in app.screen.key_rows()}
    await press(pilot, "escape")
    assert isinstance(app.screen, CompareScreen)


async def open_app(pilot, shape: Shape) -> None:
    app = pilot.app
    await settle(pilot)
    no_crash(app)
    check_compare(app, shape, shape.groups())
    text = screen_text(app)
    if shape.name == "hostile":
        panel_sites = groups_shown(app)["high"] | groups_shown(app)["low"]
        check_hostile(text, shape, [f"{s} {shape.labels[s]}" for s in panel_sites], width=14)
        check_hostile(text, shape, [shape.metric_labels["fidelity"]])


# -- the tests -------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", SHAPES)
def test_every_shape_validates(study_shapes, name, capsys):
    """`crosscase validate` says ok, and the loaded study holds what the generator wrote."""
    from cases.loader import load_study
    from metrics.compare import resolve
    from metrics.pseudonyms import pseudonymise
    from metrics.results import Options
    from tui.cli import main

    shape = study_shapes[name]
    assert main(["validate", str(shape.folder)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: ") and f"{len(shape.ids)} sites" in out
    study = load_study(shape.folder)
    options = Options()
    if resolve(study, options)[2].pseudonymise:
        study, options = pseudonymise(study, options)
    assert tuple(s.id for s in study.sites) == shape.ids
    assert {s.id: s.values.get(shape.outcome) for s in study.sites} == shape.values
    assert {t.id for t in study.rated_themes()} == set(shape.rated_themes)
    assert tuple(study.metrics) == shape.metrics


# the palette's "Change split…" opens the dialog: on the shapes where the dialog once crashed
PALETTE_RUN = {"no-second", "single-metric", "two-sites", "derived-only"}


# Shapes that differ in what is read (file format, derived metrics, which ratings), not in the values
# the split rules cut: their walk applies two rules, not five, and skips the resize (suite time).
READ_SHAPES = {"parquet", "xlsx", "no-contacts", "derived-only", "all-missing", "no-ratings", "own-themes"}


async def full_walk(pilot, shape: Shape, tmp: Path, cancel_button: bool = False) -> None:
    """Every screen and site stepping, each split rule and a cancel, export, palette, help."""
    await open_app(pilot, shape)
    await visit_screens(pilot, shape)
    rules = ("median", "explicit") if shape.name in READ_SHAPES else RULES
    await split_walk(pilot, shape, rules=rules, cancel_button=cancel_button)
    await export_walk(pilot, shape, tmp)
    await palette_walk(pilot, run=shape.name in PALETTE_RUN)
    await help_walk(pilot)


async def resized_walk(pilot, shape: Shape, size: tuple[int, int]) -> None:
    """The terminal changes size: Compare, Sites (on the last split) and the Site screen again."""
    app = pilot.app
    await pilot.resize_terminal(*size)
    await settle(pilot)
    assert app.size == size
    groups = groups_shown(app)
    check_compare(app, shape, groups)
    await press(pilot, "s")
    check_sites(app, shape, groups)
    app.screen.query_one("#sites-table").focus()
    await press(pilot, "enter")
    check_site(app, shape, shape.step_order()[0])
    await press(pilot, "c")
    check_compare(app, shape, groups)


@pytest.mark.parametrize("name", SMALL_SHAPES)
async def test_walk_at_80x24_then_160x48(study_shapes, name, tmp_path, monkeypatch):
    shape = study_shapes[name]
    monkeypatch.chdir(tmp_path)
    app = CrosscaseApp(shape.folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await full_walk(pilot, shape, tmp_path)
        if name not in READ_SHAPES:
            await resized_walk(pilot, shape, (160, 48))
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    assert app._exception is None


async def test_walk_opened_at_160x48(study_shapes, tmp_path, monkeypatch):
    """Opened at the bigger size (the screens composed at it): every screen, a split, its Cancel
    button, export; then down to 80x24. On the hostile shape, whose texts are cut by width."""
    shape = study_shapes["hostile"]
    monkeypatch.chdir(tmp_path)
    app = CrosscaseApp(shape.folder)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_app(pilot, shape)
        await visit_screens(pilot, shape, steps=(("n", 1), ("p", 0)))
        await split_walk(pilot, shape, rules=("tertiles",), cancel_button=True)
        await export_walk(pilot, shape, tmp_path, cancel=False)
        await resized_walk(pilot, shape, (80, 24))
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
    assert app._exception is None


async def test_compare_middle_line_shows_a_hostile_metric_label_literally(study_shapes):
    """The hostile shape's median split has a middle site, so Compare's middle line names the
    highlighted metric, whose label holds a bidi override (U+202E): it must show as \\u202e."""
    shape = study_shapes["hostile"]
    assert shape.groups()["middle"]
    app = CrosscaseApp(shape.folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        middle = str(app.screen.query_one("#middle-sites", Static).render())
        label = shape.metric_labels["fidelity"]
        assert BIDI in label and middle.startswith("M Middle (1)")
        assert BIDI not in middle and shown(label) in middle, repr(middle)
        await pilot.press("q")


async def test_walk_the_2000_site_study(study_shapes, tmp_path, monkeypatch):
    """The shorter walk: every screen, a site step, four rules, a cancel, export, palette, 120x40, quit."""
    shape = study_shapes["big-2000"]
    monkeypatch.chdir(tmp_path)
    app = CrosscaseApp(shape.folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_app(pilot, shape)
        await visit_screens(pilot, shape, steps=(("n", 1),))
        for i, rule in enumerate(("threshold", "quadrants", "tertiles", "explicit")):
            assert await apply_split(pilot, shape, rule, keyboard=i == 0)
            check_compare(app, shape, shape.groups(rule))
        before = app.comparison
        await press(pilot, "o")
        await press(pilot, "escape")
        assert app.comparison is before and isinstance(app.screen, CompareScreen)
        await export_walk(pilot, shape, tmp_path, cancel=False)
        await palette_walk(pilot, run=False)
        await resized_walk(pilot, shape, (120, 40))
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
