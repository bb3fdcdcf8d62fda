"""The snapshot screen: a snapshot's recorded [qca] shown read-only (solutions with their consistency and
coverage, the conditions and cut-offs, as the file holds them), its text literal, at 80x24; and escape
"Quit" alone, "Back" beside a changed study (two bindings, one shown at a time)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import tomli_w
from screens_studies import write_study
from snapshot_apps import exported
from test_app_footer import screen_rows
from tui_helpers import EXAMPLE, NASTY_LABEL, screen_text, settle

from tui.dashboard.app import CrosscaseApp
from tui.dashboard.screens.compare import CompareScreen
from tui.dashboard.screens.snapshot import NO_QCA, SnapshotScreen

HOSTILE = NASTY_LABEL + "\u202eevil"  # markup, a click action, an escape sequence, a bidi override


def example_snapshot(root: Path, *options: str) -> Path:
    """``crosscase export`` of (a copy of) the built-in example, which has a [qca], with a fixed date."""
    return exported(EXAMPLE, root, *options)


def qca_shown(app) -> str:
    return str(app.screen.query_one("#snapshot-qca").render())


async def scroll_to_qca(pilot) -> None:
    body = pilot.app.screen.query_one("#snapshot-body")
    body.scroll_to_widget(pilot.app.screen.query_one("#snapshot-qca"), animate=False, top=True)
    await settle(pilot, 1)


async def test_a_snapshot_alone_shows_its_recorded_qca_at_80x24(tmp_path):
    target = example_snapshot(tmp_path, "--pseudonymise")
    qca = tomllib.loads(target.read_text(encoding="utf-8"))["qca"]
    app = CrosscaseApp(None, snapshot=str(target))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SnapshotScreen) and app.screen.alone
        text = qca_shown(app)
        assert f"on {', '.join(qca['conditions'])} " in text
        cuts = qca["cuts"]
        assert f"incl_cut {cuts['incl']:g}, n_cut {cuts['n']}, pri_cut {cuts['pri']:g}" in text
        models = [
            (kind, m)
            for kind in ("conservative", "parsimonious", "intermediate")
            for m in qca["solutions"][kind]["models"]
        ]
        assert len(models) == 3
        for kind, model in models:  # each solution with its consistency and coverage, from the file
            assert f"{kind.capitalize()} solution" in text
            assert (
                f"M1: {model['expression']}  (incl {model['incl']:.3f}, PRI {model['pri']:.3f}, cov {model['cov']:.3f})"
                in text
            )
            for term in model["terms"]:
                assert f"cov {term['cov']:.3f}  covU {term['cov_unique']:.3f}" in text
        for item in qca["necessity"]:
            assert f"  {item['condition']:<12} {item['incl']:.3f}  {item['cov']:.3f}" in text
        await scroll_to_qca(pilot)  # on screen at 80x24: the body scrolls down to it
        rows = screen_rows(app)
        assert any(r.startswith("QCA as recorded in the snapshot") for r in rows), rows
        assert any(r.startswith(f"QCA of {qca['outcome']} on C1, C2") for r in rows), rows
        assert rows[-1].startswith("esc Quit ? Help")
        await pilot.press("q")
    assert app.return_code == 0


async def test_a_snapshot_without_qca_says_so(tmp_path):
    sites = [dict(site=f"A{i}", label=f"Site {i}", size=float(i), outcome=i / 10) for i in range(1, 7)]
    study = write_study(
        tmp_path / "made", sites, {"size": {"label": "Size"}, "outcome": {"label": "O"}}, outcome="outcome"
    )
    target = exported(study, tmp_path, "--pseudonymise")
    assert "qca" not in tomllib.loads(target.read_text(encoding="utf-8"))
    app = CrosscaseApp(None, snapshot=str(target))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SnapshotScreen)
        assert qca_shown(app) == NO_QCA
        await scroll_to_qca(pilot)
        assert NO_QCA in screen_text(app) and "QCA of" not in screen_text(app)


async def test_hostile_condition_names_in_a_snapshots_qca_show_literally(tmp_path):
    target = example_snapshot(tmp_path, "--pseudonymise")
    data = tomllib.loads(target.read_text(encoding="utf-8"))
    qca = data["qca"]
    qca["conditions"][0] = HOSTILE
    qca["necessity"][0]["condition"] = HOSTILE
    model = qca["solutions"]["parsimonious"]["models"][0]
    model["expression"] = f"{HOSTILE}*C2"
    model["terms"][0]["term"] = f"{HOSTILE}*C2"
    target.write_text(tomli_w.dumps(data), encoding="utf-8")
    app = CrosscaseApp(None, snapshot=str(target))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, SnapshotScreen)  # the [@click=app.quit] ran nothing
        text = qca_shown(app)
        literal = "[b]bold[/b] [@click=app.quit]x[/]\\x1b[31mred\\u202eevil"
        assert f"on {literal}, C2" in text
        assert f"M1: {literal}*C2  (incl" in text and f"  {literal} " in text
        assert "\x1b" not in text and "\u202e" not in text
        await scroll_to_qca(pilot)
        assert "[b]bold[/b]" in screen_text(app)  # drawn as written, not made bold
        await pilot.press("q")
    assert app.return_code == 0


async def test_escape_quits_alone_and_goes_back_beside_a_study(tmp_path):
    """Two escape bindings, one shown at a time: the footer reads "esc Quit" alone, "esc Back" beside a
    changed study, and escape does what it says (the screen once swapped its private ``_bindings``)."""
    (tmp_path / "alone").mkdir()
    alone = example_snapshot(tmp_path / "alone", "--pseudonymise")
    for size in ((80, 24), (120, 40)):
        app = CrosscaseApp(None, snapshot=str(alone))
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, SnapshotScreen) and screen.alone
            footer = screen_rows(app)[-1]
            assert footer.startswith("esc Quit ? Help ") and "Back" not in footer, footer
            assert screen.active_bindings["escape"].binding.description == "Quit"
            await pilot.press("escape")
            await settle(pilot, 1)
        assert app.return_code == 0 and app.quitting

    (tmp_path / "beside").mkdir()
    beside = example_snapshot(tmp_path / "beside")
    sites = tmp_path / "beside" / "example" / "sites.csv"
    sites.write_text(sites.read_text(encoding="utf-8").replace("Northgate", "Northgate One", 1), encoding="utf-8")
    app = CrosscaseApp(None, snapshot=str(beside))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen) and app.snapshot_figures is not None
        await pilot.press("F")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SnapshotScreen) and not screen.alone
        footer = screen_rows(app)[-1]
        assert footer.startswith("esc Back ? Help ") and "Quit" not in footer, footer
        assert screen.active_bindings["escape"].binding.description == "Back"
        assert qca_shown(app).startswith("QCA as recorded in the snapshot\nQCA of engagement on ")
        await pilot.press("escape")
        await settle(pilot, 1)
        assert isinstance(app.screen, CompareScreen) and not app.quitting
        await pilot.press("q")
    assert app.return_code == 0
