"""The Literature screen (issue 13): the study against the literature, on several study shapes.

The example (links, own ratings), a study rated with CFIR 2009 constructs only, a study with no
ratings, a pseudonymised one and hostile titles; at 80x24 and 120x40. Each test reads what the
screen shows (its rows, its headline, its detail) and holds it to the engine's figures.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from screens_studies import write_study
from textual.widgets import Select, Static
from tui_helpers import EXAMPLE, NASTY_LABEL, screen_text, settle

from tests.conftest import build_study
from tests.test_literature import CFIR09, ratings_csv
from tui.dashboard.app import CrosscaseApp
from tui.dashboard.screens.literature import LiteratureScreen
from tui.dashboard.screens.themes import ThemesScreen
from tui.dashboard.widgets.rows import RowList

SIZES = [(80, 24), (120, 40)]


async def open_literature(pilot) -> LiteratureScreen:
    await settle(pilot)
    await pilot.press("l")
    await settle(pilot, 1)
    assert isinstance(pilot.app.screen, LiteratureScreen)
    return pilot.app.screen


def rows_of(screen) -> list[str]:
    table = screen.query_one("#literature-list", RowList)
    return [table.row_text(i) for i in range(table.row_count)]


def detail_of(screen) -> str:
    return str(screen.query_one("#literature-detail-text", Static).render())


def move_to(screen, key: str) -> None:
    table = screen.query_one("#literature-list", RowList)
    table.move_to(table.keys.index(key))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_example_counts_rows_and_detail(size):
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=size) as pilot:
        screen = await open_literature(pilot)
        lit = app.comparison.literature
        head = str(screen.query_one("#literature-head", Static).render())
        assert head.replace("\n", " ").startswith(
            "This study confirms 7 of the 12 literature themes it can speak to, contradicts 0, finds no difference on 5"
        )
        rows = rows_of(screen)
        assert len(rows) == len(lit.rows) == 23
        symbols = {"confirmation": "✓", "discordance": "✗", "no-difference": "=", "insufficient": "?", "silence": "·"}
        for text, row in zip(rows, lit.rows):
            assert text.startswith(f"{symbols[row.fit]} {row.fit}"), text  # a symbol and a word
        width = screen.query_one("#literature-list", RowList).size.width
        assert all(len(text) <= width for text in rows)  # no sideways scrolling
        move_to(screen, "supervisor-resourcing")
        await settle(pilot, 1)
        detail = detail_of(screen)
        assert "Fit: ✓ confirmation" in detail
        assert "H high: S1 +2, S3 +2, S5 +1" in detail and "L low: S2 -2, S6 -1, S7 -2" in detail
        assert "⇄ supervisor_hours g=2.78 ✓ confirmation" in detail
        assert "Gillard S, Foster R, White S, et al." in detail and "doi:10.1186/s12913-024-11447-5" in detail
        assert "Supervisors of peer workers need adequate time" in detail
        assert "✓ confirmation" in screen_text(app)
        # Enter opens the theme in Themes
        screen.query_one("#literature-list", RowList).focus()
        await pilot.press("enter")
        await settle(pilot, 1)
        assert isinstance(app.screen, ThemesScreen) and app.screen.current_theme() == "supervisor-resourcing"
        await pilot.press("l")
        await settle(pilot, 1)
        assert isinstance(app.screen, LiteratureScreen)
        await pilot.press("q")


async def test_it_follows_a_change_of_split_and_of_rule():
    from cases.rules import make_rule

    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_literature(pilot)
        table = screen.query_one("#literature-list", RowList)
        row = table.keys.index("boundary-crossing")
        assert table.row_text(row).startswith("= no-difference")
        app.change_outcome(replace(app.outcome, split="tertiles"))
        await settle(pilot)
        assert app.comparison.split.rule == "tertiles"
        assert table.row_text(row).startswith("✗ discordance")
        assert screen.query_one("#literature-head", Static).render() is not None
        before = [table.row_text(i) for i in range(table.row_count)]
        app.change_rule(make_rule("means", {"strong_diff": 3.5, "weak_diff": 3.4}))
        await settle(pilot)
        after = [table.row_text(i) for i in range(table.row_count)]
        assert after != before
        assert [r.startswith(("✓", "✗")) for r in after].count(True) == sum(
            r.fit in ("confirmation", "discordance") for r in app.comparison.literature.rows
        )
        await pilot.press("q")


async def test_filters_by_fit_and_by_domain():
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_literature(pilot)
        screen.query_one("#literature-fit", Select).value = "silence"
        await settle(pilot, 1)
        rows = rows_of(screen)
        assert len(rows) == 11 and all(r.startswith("· silence") for r in rows)
        screen.query_one("#literature-domain", Select).value = "Inner Setting"
        await settle(pilot, 1)
        lit = app.comparison.literature
        want = [r for r in lit.rows if r.fit == "silence" and r.domain == "Inner Setting"]
        assert len(rows_of(screen)) == len(want) > 0
        assert screen.view_state()["filter"] == "fit=silence;domain=Inner Setting"
        screen.query_one("#literature-fit", Select).value = "discordance"
        await settle(pilot, 1)
        assert rows_of(screen) == ["No literature theme matches these filters."]
        assert "No theme matches" in detail_of(screen)
        await pilot.press("q")


async def test_a_study_rated_with_cfir_2009_constructs_only(tmp_path):
    folder = build_study(
        tmp_path, ratings_csv=ratings_csv(CFIR09), study_toml=lambda t: t.split("\n# Statistics by themes")[0] + "\n"
    )
    app = CrosscaseApp(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_literature(pilot)
        rows = rows_of(screen)
        for word in ("confirmation", "discordance", "no-difference", "insufficient", "silence"):
            assert any(word in r for r in rows), word
        move_to(screen, "leadership-support")
        await settle(pilot, 1)
        detail = detail_of(screen)
        assert "[cfir09-leadership-engagement] (its CFIR 2009 construct)" in detail.replace("\n", " ")
        screen.query_one("#literature-list", RowList).focus()
        await pilot.press("enter")
        await settle(pilot, 1)
        assert isinstance(app.screen, ThemesScreen)
        assert app.screen.current_theme() == "cfir09-leadership-engagement"  # the theme that carried it
        await pilot.press("q")


async def test_a_study_with_no_ratings(tmp_path):
    folder = write_study(
        tmp_path,
        [{"site": f"A{i}", "label": f"Site {i}", "score": i} for i in range(6)],
        {"score": {"label": "Score"}},
        outcome="score",
    )
    app = CrosscaseApp(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_literature(pilot)
        head = str(screen.query_one("#literature-head", Static).render()).replace("\n", " ")
        assert "confirms 0 of the 0 literature themes it can speak to" in head
        assert "silent on 23 of 23" in head
        assert all(r.startswith("· silence") for r in rows_of(screen))
        assert "none: the study rated neither this theme nor its CFIR construct" in detail_of(screen)
        await pilot.press("enter")  # a silent row opens the literature theme itself
        await settle(pilot, 1)
        assert isinstance(app.screen, ThemesScreen) and app.screen.current_theme() == "leadership-support"
        await pilot.press("q")


async def test_pseudonymised_the_ratings_name_no_site():
    app = CrosscaseApp(EXAMPLE, disclosure={"min_count": None, "pseudonymise": True})
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_literature(pilot)
        move_to(screen, "supervisor-resourcing")
        await settle(pilot, 1)
        detail = detail_of(screen)
        assert "H high: Site A +2, Site C +2, Site E +1" in detail
        text = screen_text(app)
        for site in ("S1", "S2", "S3", "S4", "S5", "S6", "S7", "Northgate", "Fenmoor"):
            assert site not in detail and site not in text
        await pilot.press("q")


async def test_own_themes_new_ones_below_and_hostile_text_shown_literally(tmp_path):
    themes = (
        f'[[theme]]\nid = "hostile"\ntitle = "{NASTY_LABEL.replace(chr(27), "")}"\nsources = ["10.1000/x"]\n\n'
        '[[theme]]\nid = "night-shift-cover"\ntitle = "Night-shift cover"\n'
    )
    folder = build_study(
        tmp_path,
        themes_toml=themes,
        ratings_csv=lambda t: (
            t
            + "".join(
                f"{s},{theme},{tok},\n"
                for theme in ("hostile", "night-shift-cover")
                for s, tok in (("S1", "+2"), ("S3", "+2"), ("S5", "+1"), ("S2", "-2"), ("S6", "-2"), ("S7", "-1"))
            )
        ),
    )
    app = CrosscaseApp(folder)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_literature(pilot)
        rows = rows_of(screen)
        assert rows[-2] == "New themes of the study (expansion)"
        assert rows[-1].startswith("+ expansion") and "Night-shift cover" in rows[-1]
        hostile = next(r for r in rows if "[b]bold" in r)
        assert hostile.startswith("✓ confirmation") and "[@click=app.quit]" in hostile
        table = screen.query_one("#literature-list", RowList)
        table.move_to(table.row_count - 1)
        await settle(pilot, 1)
        assert "Fit: + expansion" in detail_of(screen)
        assert isinstance(app.screen, LiteratureScreen)  # the [@click] in a title ran nothing
        await pilot.press("q")


async def test_footer_help_and_palette_name_the_screen():
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "l Literature" in screen_text(app).replace("\xa0", " ") or "lLiterature" in screen_text(app)
        await pilot.press("question_mark")
        await pilot.pause()
        rows = app.screen.key_rows()
        assert ("Everywhere", "l", "Literature") in rows
        assert {("Literature", "Fit filter"), ("Literature", "Domain filter")} <= {(t, d) for t, _, d in rows}
        await pilot.press("escape")
        await pilot.pause()
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert "Show Literature" in commands
        await pilot.press("q")
