"""The QCA screen (issue 16): key Q, five sections drawn from the engine's figures, the sites behind
each row and term (Enter opens a site), cut-offs changed in place, warnings, 80x24, text literal."""

from __future__ import annotations

from screens_studies import write_study
from textual.widgets import DataTable
from tui_helpers import NASTY_LABEL, screen_text, settle

from cases.loader import load_study
from metrics.analysis import analyse
from metrics.qca import Cuts
from metrics.qca_study import study_qca
from tui.dashboard.app import CrosscaseApp
from tui.dashboard.dialogs.help import HelpDialog
from tui.dashboard.screens.qca import QcaScreen, bar
from tui.dashboard.screens.site import SiteScreen


def engine(folder=None, cuts=None):
    from cases.catalogue import example_dir

    study = load_study(folder or example_dir())
    return study_qca(study, analyse(study).split, cuts=cuts)


def cells(table: DataTable, column: int) -> list[str]:
    return [str(table.get_row_at(i)[column]) for i in range(table.row_count)]


async def open_qca(pilot):
    await settle(pilot)
    await pilot.press("Q")
    await settle(pilot)
    assert isinstance(pilot.app.screen, QcaScreen)
    return pilot.app.screen


async def test_the_example_at_80x24_shows_the_engines_solutions_and_sections():
    expected = engine()
    app = CrosscaseApp(None)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_qca(pilot)
        table = screen.query_one("#qca-table", DataTable)
        rows = {str(k.value): table.get_row(k) for k in table.rows}
        for kind in ("conservative", "parsimonious", "intermediate"):
            for i, model in enumerate(expected.solutions[kind], 1):
                row = rows[f"{kind}:{i}"]
                assert str(row[2]) == f"{model.fit.incl:.3f}" and str(row[4]) == f"{model.fit.cov:.3f}"
                for j, term in enumerate(model.terms):
                    t = rows[f"{kind}:{i}:{j}"]
                    assert str(t[1]).strip() == term.term and str(t[5]) == f"{term.cov_unique:.3f}"
        text = screen_text(app)
        assert "3 Solutions" in text and "incl_cut 0.80" in text
        await pilot.press("2")
        await settle(pilot)
        assert cells(table, -1) == [", ".join(r.cases) for r in expected.truth_table]
        assert cells(table, len(expected.conditions)) == [r.out for r in expected.truth_table]
        await pilot.press("4")
        await settle(pilot)
        assert cells(table, 0) == [n.condition for n in expected.necessity]
        assert cells(table, 3) == [f"{n.ron:.3f}" for n in expected.necessity]
        await pilot.press("5")
        await settle(pilot)
        assert cells(table, 0) == list(expected.warnings)
        await pilot.press("1")
        await settle(pilot)
        names = cells(table, 0)
        assert names[:-1] == list(expected.conditions) and names[-1].startswith("engagem")
        sites = screen.query_one("#qca-sites", DataTable)
        for name_row, name in enumerate(expected.conditions):
            table.move_cursor(row=name_row)
            await pilot.pause()
            got = {str(k.value): str(sites.get_row(k)[2]) for k in sites.rows}
            assert got == {s: f"{m[name]:.3f}" for s, m in expected.cases.items()}
            assert {str(sites.get_row(k)[3]) for k in sites.rows} == {bar(m[name]) for m in expected.cases.values()}


async def test_enter_opens_the_site_behind_a_term_or_a_row():
    expected = engine()
    app = CrosscaseApp(None)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_qca(pilot)
        table = screen.query_one("#qca-table", DataTable)
        keys = [str(k.value) for k in table.rows]
        # a term behind one site: Enter opens it
        one = next(
            (k, m.terms[j].cases[0])
            for kind in ("conservative", "parsimonious", "intermediate")
            for i, m in enumerate(expected.solutions[kind], 1)
            for j in range(len(m.terms))
            if len(m.terms[j].cases) == 1 and (k := f"{kind}:{i}:{j}") in keys
        )
        table.move_cursor(row=keys.index(one[0]))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SiteScreen) and app.screen.site == one[1]
        await pilot.press("escape")
        await settle(pilot)
        # a row behind several sites: Enter goes to the sites below, Enter there opens one
        assert isinstance(app.screen, QcaScreen)
        await pilot.press("2")
        await settle(pilot)
        many = next(i for i, r in enumerate(expected.truth_table) if r.n > 1)
        table.move_cursor(row=many)
        await pilot.press("enter")
        await settle(pilot)
        sites = screen.query_one("#qca-sites", DataTable)
        assert app.focused is not None and app.focused.id == "qca-sites"
        assert [str(k.value) for k in sites.rows] == list(expected.truth_table[many].cases)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert isinstance(app.screen, SiteScreen) and app.screen.site == expected.truth_table[many].cases[1]


async def test_cut_offs_change_in_place_and_reset():
    app = CrosscaseApp(None)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_qca(pilot)
        await pilot.press("2", "i", "i", "n")
        await settle(pilot)
        expected = engine(cuts=Cuts(0.9, 2, 0.0))
        assert screen.view.result.cuts == Cuts(0.9, 2, 0.0)
        table = screen.query_one("#qca-table", DataTable)
        assert cells(table, len(expected.conditions)) == [r.out for r in expected.truth_table]
        assert "?" in cells(table, len(expected.conditions))  # single-site rows are below n_cut
        assert "incl_cut 0.90" in screen_text(app) and "0 resets" in screen_text(app)
        await pilot.press("0")
        await settle(pilot)
        assert screen.view.result.cuts == engine().cuts


SHAPE_SITES = [
    dict(site="A1", label=NASTY_LABEL, size=10.0, outcome=0.9),
    dict(site="A2", label="Two", size=5.0, outcome=0.8),  # size 5: membership exactly 0.5
    dict(site="A3", label="Three", size=9.0, outcome=0.2),  # same row as A1, out of the outcome
    dict(site="A4", label="Four", size=1.0, outcome=0.1),
    dict(site="A5", label="Five", size=2.0, outcome=None),
]


async def test_a_generated_shape_shows_warnings_and_hostile_text_literally(tmp_path):
    folder = write_study(
        tmp_path,
        SHAPE_SITES,
        {"size": {"label": "Size"}, "outcome": {"label": "Outcome", "min": 0, "max": 1}},
        outcome="outcome",
        ratings=[(str(s["site"]), "leadership-support", t) for s, t in zip(SHAPE_SITES, ["+2", "0", "+1", "-1", "0"])],
    )
    toml = folder / "study.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8")
        + '\n[[condition]]\nname = "SIZE"\nmetric = "size"\nfuzzy = [1, 5, 9]\n'
        + '\n[[condition]]\nname = "LEAD"\ntheme = "leadership-support"\nat_least = 1\n'
        + '\n[qca]\noutcome = { metric = "outcome", calibrated = true }\n',
        encoding="utf-8",
    )
    expected = engine(folder)
    assert any("exactly 0.5" in w for w in expected.warnings) and any("contradictory" in w for w in expected.warnings)
    app = CrosscaseApp(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_qca(pilot)
        await pilot.press("5")
        await settle(pilot)
        table = screen.query_one("#qca-table", DataTable)
        shown = cells(table, 0)
        for w in expected.warnings:
            assert w in shown
        assert any(s.startswith("left out: A5: no value of outcome") for s in shown)
        await pilot.press("2")
        await settle(pilot)
        sites = screen.query_one("#qca-sites", DataTable)
        row = next(i for i, r in enumerate(expected.truth_table) if "A1" in r.cases)
        table.move_cursor(row=row)
        await pilot.pause()
        label = str(sites.get_row("A1")[0])
        assert label.startswith("A1 [b]bold[/b]")  # markup shown as written, not applied
        assert "\x1b" not in label
        await pilot.press("q")


async def test_a_study_without_conditions_says_so(tmp_path):
    folder = write_study(
        tmp_path, SHAPE_SITES[:4], {"size": {"label": "Size"}, "outcome": {"label": "O"}}, outcome="outcome"
    )
    app = CrosscaseApp(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_qca(pilot)
        assert screen.view is not None and screen.view.result is None
        assert "defines no [[condition]]" in screen_text(app)


async def test_help_lists_the_qca_key_and_the_screens_keys():
    app = CrosscaseApp(None)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        help_dialog = app.screen
        assert isinstance(help_dialog, HelpDialog)
        rows = help_dialog.key_rows()
        assert ("Everywhere", "Q", "QCA") in rows
        assert ("QCA", "1", "Calibration") in rows and ("QCA", "i", "incl_cut +0.05") in rows


def test_sites_by_value_put_numbers_first_then_text_then_missing():
    from tui.dashboard.screens.qca import by_value

    assert [s for s, _ in by_value({"a": 3.0, "b": None, "c": "+1", "d": 1, "e": 3.0})] == ["d", "a", "e", "c", "b"]


async def test_a_fuzzy_conditions_bars_trace_its_calibration_curve():
    expected = engine()
    app = CrosscaseApp(None)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_qca(pilot)
        await pilot.press("1")
        await settle(pilot)
        table = screen.query_one("#qca-table", DataTable)
        table.move_cursor(row=list(expected.conditions).index("SUP"))
        await pilot.pause()
        sites = screen.query_one("#qca-sites", DataTable)
        values = [float(str(sites.get_row_at(i)[1])) for i in range(sites.row_count)]
        members = [float(str(sites.get_row_at(i)[2])) for i in range(sites.row_count)]
        assert values == sorted(values) and members == sorted(members) and sites.row_count == 7


async def test_the_head_counts_one_condition_in_the_singular(tmp_path):
    """A study with one condition read "on 1 conditions"."""
    folder = write_study(
        tmp_path, SHAPE_SITES[:4], {"size": {"label": "Size"}, "outcome": {"label": "O"}}, outcome="outcome"
    )
    toml = folder / "study.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8") + '\n[[condition]]\nname = "BIG"\nmetric = "size"\nat_least = 6\n',
        encoding="utf-8",
    )
    app = CrosscaseApp(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_qca(pilot)
        text = screen_text(app)
        assert "on 1 condition, 4 sites" in text, text
