"""The Themes list at 80 columns with both the authors' published judgement (ratings-wide.csv's
``distinguishing`` column) and the analyst's (judgements.csv): every row fits its list, so nothing is
cut off at the edge or scrolls sideways, and the marks that say what each label is stay text (``≠``,
the authors' label in brackets), with each label in full in the theme's detail."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest
from textual.widgets import Select, Static
from tui_helpers import EXAMPLE, settle

from tui.dashboard.app import CrosscaseApp
from tui.dashboard.widgets.rows import RowList

PUBLISHED = {"leadership-support": "**", "peer-role-clarity": "*"}  # everything else "none"
WORDS = {"**": "strong", "*": "weak"}
JUDGEMENTS = "theme,label,reason\nleadership-support,Strong,memos read strong\npeer-role-clarity,weak,\n"
SIZES = [(80, 24), (120, 40)]


def wide_ratings() -> str:
    """The example's ratings.csv as ratings-wide.csv with the authors' ``distinguishing`` column."""
    rows = list(csv.DictReader((EXAMPLE / "ratings.csv").open(encoding="utf-8")))
    sites = sorted({r["site"] for r in rows})
    by_theme: dict[str, dict[str, str]] = {}
    for r in rows:
        by_theme.setdefault(r["theme"], {})[r["site"]] = r["rating"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["theme", "distinguishing", *sites])
    for theme, cells in by_theme.items():
        writer.writerow([theme, PUBLISHED.get(theme, "none"), *(cells.get(s, "") for s in sites)])
    return out.getvalue()


@pytest.fixture
def both(tmp_path, make_study):
    """The example with the authors' judgement on every theme and the analyst's on two."""
    return make_study(tmp_path, ratings_csv=None, ratings_wide_csv=wide_ratings(), judgements_csv=JUDGEMENTS)


async def open_themes(pilot, scope: str = "rated"):
    await settle(pilot)
    await pilot.press("t")
    await settle(pilot)
    screen = pilot.app.screen
    if scope != "rated":
        screen.query_one("#theme-scope", Select).value = scope
        await settle(pilot)
    await pilot.pause(0.1)  # the refit after the first layout
    await settle(pilot, 1)
    return screen, screen.query_one("#themes-list", RowList)


def assert_fits(listed: RowList) -> None:
    room = listed.scrollable_content_region.width
    widths = [len(listed.header_text)] + [len(listed.row_text(i)) for i in range(listed.row_count)]
    assert max(widths) <= room, (max(widths), room, listed.header_text)
    assert listed.virtual_size.width <= room and not listed.show_horizontal_scrollbar


@pytest.mark.parametrize("scope", ["rated", "all"])  # "all": 129 rows, so a vertical scrollbar too
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_every_row_fits_the_list_and_keeps_its_marks(both, size, scope):
    app = CrosscaseApp(both)
    async with app.run_test(size=size) as pilot:
        screen, listed = await open_themes(pilot, scope)
        assert_fits(listed)
        assert scope == "rated" or listed.show_vertical_scrollbar
        results = {r.theme: r for r in app.comparison.themes}
        assert results["leadership-support"].distinguishing == "none"  # the analyst's "strong" differs
        assert results["peer-role-clarity"].distinguishing == "weak"  # and agrees
        header = listed.header_text
        assert header.startswith("Dist.") and "auth" in header and "Analyst" in header
        for i, theme in enumerate(listed.keys):
            row, r = listed.row_text(i), results.get(theme)
            if r is None:  # a literature theme no site rates
                continue
            assert row.startswith(r.distinguishing[:6]), row  # the rule's label first, never replaced
            authors = WORDS.get(PUBLISHED.get(theme, ""), "none")
            assert f"({authors})" in row or f"({authors[0].upper()})" in row, row  # in words or by initial
        rows = {key: listed.row_text(i) for i, key in enumerate(listed.keys)}
        assert "strong ≠" in rows["leadership-support"]  # the difference is a mark, not a colour
        assert "weak" in rows["peer-role-clarity"].split(")", 1)[1] and "≠" not in rows["peer-role-clarity"]
        # what a short row gives by its initial, the detail says in words
        screen.select_theme("leadership-support")
        await settle(pilot, 1)
        detail = str(screen.query_one("#theme-detail-text", Static).render())
        assert "authors' judgement: strong · rule's: none" in detail
        assert "analyst: strong ≠ rule's none · reason: memos read strong" in detail


async def test_the_labels_are_in_full_where_there_is_room(both):
    app = CrosscaseApp(both)
    async with app.run_test(size=(120, 40)) as pilot:
        _, listed = await open_themes(pilot)
        rows = {key: listed.row_text(i) for i, key in enumerate(listed.keys)}
        assert "Dist. (authors)" in listed.header_text
        assert rows["leadership-support"].startswith("none (strong)")
        assert "Leadership support and cha" in rows["leadership-support"]  # the title gets the room left


async def test_a_resize_lays_the_rows_out_again(both):
    app = CrosscaseApp(both)
    async with app.run_test(size=(120, 40)) as pilot:
        _, listed = await open_themes(pilot)
        wide = listed.row_text(0)
        await pilot.resize_terminal(80, 24)
        await pilot.pause(0.1)
        await settle(pilot, 1)
        assert_fits(listed)
        assert len(listed.row_text(0)) < len(wide)
        await pilot.resize_terminal(120, 40)
        await pilot.pause(0.1)
        await settle(pilot, 1)
        assert listed.row_text(0) == wide


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_without_the_authors_the_labels_stay_whole(tmp_path, make_study, size):
    app = CrosscaseApp(make_study(tmp_path, judgements_csv=JUDGEMENTS))
    async with app.run_test(size=size) as pilot:
        _, listed = await open_themes(pilot, "all")
        assert_fits(listed)
        assert "auth" not in listed.header_text
        rows = {key: listed.row_text(i) for i, key in enumerate(listed.keys)}
        assert rows["leadership-support"].startswith("none ") and "strong ≠" in rows["leadership-support"]
        assert "(" not in rows["leadership-support"]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_widest_labels_fit_and_keep_the_reversed_mark(both, size):
    """A reversed theme (↺) the authors judged "distinguishing", the longest label they give: set by hand
    on the comparison, so the width is tested whatever the engine finds."""
    app = CrosscaseApp(both)
    async with app.run_test(size=size) as pilot:
        _, listed = await open_themes(pilot)
        c = app.comparison
        wide = {"direction": "reversed", "distinguishing": "insufficient", "published": "distinguishing"}
        app.comparison = replace(
            c, themes=tuple(replace(t, **wide) if t.theme == "leadership-support" else t for t in c.themes)
        )
        await settle(pilot, 1)
        assert_fits(listed)
        row = listed.row_text(listed.keys.index("leadership-support"))
        assert row.startswith("insuff↺ (") and ("(distinguishing)" in row or "(D)" in row), row
        assert "strong ≠" in row  # the analyst's judgement still differs from the rule's label
