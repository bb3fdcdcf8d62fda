"""The Matrix screen (issue 14, items 1 and 2): themes down by CFIR domain, sites across by the
outcome, the token in each cell, the label columns, the filters, and the evidence behind a cell,
on several study shapes."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest
from screens_studies import write_study
from textual.widgets import Input, Select
from tui_helpers import EXAMPLE, NASTY_LABEL, screen_text, settle

from cases.model import Study
from metrics.numbers import figure
from tui.dashboard.app import CrosscaseApp
from tui.dashboard.dialogs.evidence import EvidenceDialog
from tui.dashboard.screens.matrix import DOMAIN_ORDER, STUDY_GROUP, MatrixGrid, MatrixScreen, domain_rank


async def open_matrix(pilot):
    await settle(pilot)
    await pilot.press("M")
    await settle(pilot)
    assert isinstance(pilot.app.screen, MatrixScreen)
    return pilot.app.screen, pilot.app.screen.query_one("#matrix-table", MatrixGrid)


def site_columns(table) -> list[tuple[int, str]]:
    return [(i, key[len("site:") :]) for i, key in enumerate(table.column_keys) if key.startswith("site:")]


# what a cell shows, written out here (not the screen's own table): no row at all is "·" too
SHOWN = {
    "+2": "+2",
    "+1": "+1",
    "0": "0",
    "-1": "-1",
    "-2": "-2",
    "X": "X",
    "Missing": "·",
    "N/A": "n/a",
    "E": "E",
    "I": "I",
    None: "·",
}


def check_cells(app, table) -> None:
    """Every theme row's cells are the study's tokens, and its last columns the rule's findings."""
    results = {r.theme: r for r in app.comparison.themes}
    tokens = app.study.rating_tokens
    keys = table.column_keys
    seen = 0
    for index, theme in enumerate(table.keys):
        if theme is None:
            continue
        seen += 1
        for column, site in site_columns(table):
            token = tokens.get(theme, {}).get(site)
            assert table.cell_text(index, column) == SHOWN[token], (theme, site)
        r = results[theme]
        label = table.cell_text(index, keys.index("label"))
        assert label == r.distinguishing + ("↺" if r.direction == "reversed" else "")
        assert table.cell_text(index, keys.index("diff")) == figure(r.diff)
        assert table.cell_text(index, keys.index("gap")) == figure(r.gap)
        mark = table.cell_text(index, keys.index("mark"))
        assert mark.startswith({"strong": "**", "weak": "*", "insufficient": "?"}.get(r.distinguishing, ""))
    assert seen == len(app.comparison.themes)


def check_order(app, table, hide_middle=False) -> None:
    """Sites across: high, middle, low, missing; the highest outcome first within each."""
    split = app.comparison.split
    values = app.study.column(split.outcome)
    sites = [s for _, s in site_columns(table)]
    groups = [g for g in ("high", "middle", "low", "missing") if not (hide_middle and g == "middle")]
    expected_sets = [set(getattr(split, g)) for g in groups]
    start = 0
    for members in expected_sets:
        part = sites[start : start + len(members)]
        assert set(part) == members
        numbers = [values[s] for s in part if values.get(s) is not None]
        assert numbers == sorted(numbers, reverse=True)
        start += len(members)
    assert start == len(sites)
    marks = table.marks_text
    for column, site in site_columns(table):
        group = next(g for g in ("high", "middle", "low", "missing") if site in getattr(split, g))
        x = table._x[column] + table._columns[column].width - 1  # marks are right-aligned over the token
        assert marks[x] == {"high": "H", "middle": "M", "low": "L", "missing": "-"}[group]


def test_domains_in_cfir_order():
    assert (
        domain_rank("Innovation")
        < domain_rank("Outer Setting")
        < domain_rank("Inner Setting")
        < domain_rank("Characteristics of Individuals")
        < domain_rank("Process")
        < domain_rank("Something else")
        < domain_rank(None)
    )
    assert domain_rank("Intervention Characteristics") == domain_rank("innovation")
    assert len(DOMAIN_ORDER) == 5


async def test_example_matrix_cells_order_and_groups():
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, table = await open_matrix(pilot)
        check_cells(app, table)
        check_order(app, table)
        shown = {table.cell_text(i, c) for i, k in enumerate(table.keys) if k for c, _ in site_columns(table)}
        assert {"·", "n/a", "X", "+2", "-2"} <= shown  # the example has Missing, N/A and mixed ratings
        # group rows name the CFIR domains in CFIR order, each followed by its own themes
        heads = [table.row_text(i) for i, key in enumerate(table.keys) if key is None]
        assert heads == [
            "▸ Outer Setting (1)",
            "▸ Inner Setting (8)",
            "▸ Individuals (1)",
            "▸ Implementation Process (2)",
        ]
        domain = None
        for i, key in enumerate(table.keys):
            if key is None:
                domain = table.row_text(i)[2:].rsplit(" (", 1)[0]
            else:
                assert app.study.themes[key].domain == domain
        assert table.header_text.split()[0] == "Theme"
        # the cursor starts on the first theme's first site, and the line under the grid says so
        assert screen.current_theme() == table.keys[1] and screen.current_site() == site_columns(table)[0][1]
        line = str(screen.query_one("#matrix-cell").render())
        assert "S1 Northgate (H)" in line
        # the cursor moves by cell and the line follows
        await pilot.press("right", "down")
        await settle(pilot, 1)
        site, theme = site_columns(table)[1][1], screen.current_theme()
        assert screen.current_site() == site
        assert f"{site} {app.comparison.labels[site]}" in str(screen.query_one("#matrix-cell").render())
        assert app.study.rating_tokens[theme].get(site, "no rating") in str(screen.query_one("#matrix-cell").render())
        # ] jumps to the label columns, [ back to the first site
        await pilot.press("right_square_bracket")
        assert table.column_keys[table.cursor_column] == "label"
        await pilot.press("left_square_bracket")
        assert table.cursor_column == 2


async def test_the_matrix_follows_a_change_of_split_and_rule():
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, table = await open_matrix(pilot)
        before = [s for _, s in site_columns(table)]
        app.change_outcome(dataclasses.replace(app.outcome, split="tertiles"))
        await settle(pilot)
        assert app.comparison.split.rule == "tertiles"
        check_order(app, table)
        check_cells(app, table)
        assert {s for _, s in site_columns(table)} == set(before)
        from cases.rules import make_rule

        app.change_rule(make_rule("share"))
        await settle(pilot)
        assert app.comparison.rule.name == "share"
        check_cells(app, table)


async def test_a_study_without_second_metric_and_an_empty_high_group(tmp_path):
    sites = [{"site": f"A{i}", "label": f"Place {i}", "score": v} for i, v in enumerate([0.2, 0.5, 0.9, None, 0.4])]
    ratings = [(s["site"], "cfir09-leadership-engagement", t) for s, t in zip(sites, ["+2", "-1", "X", "0", "N/A"])]
    ratings += [("A1", "cfir09-tension-for-change", "+1")]
    folder = write_study(
        tmp_path,
        sites,
        {"score": {"label": "Score"}},
        outcome="score",
        split="threshold",
        outcome_extra={"threshold": 5.0},
        ratings=ratings,
    )
    app = CrosscaseApp(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, table = await open_matrix(pilot)
        assert app.comparison.split.high == ()
        check_order(app, table)
        check_cells(app, table)
        assert "H" not in table.marks_text.split(":", 1)[1].replace("high", "")
        # a site without an outcome comes last, marked "-"
        assert site_columns(table)[-1][1] == "A3"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, EvidenceDialog)
        await pilot.press("escape")
        await settle(pilot, 1)
        assert isinstance(app.screen, MatrixScreen)


WIDE = "theme,S1,S2,S3,S4,distinguishing\nLeadership Engagement,+2,+1,-1,-2,**\nTension for change,+1,0,0,-1,\n"


async def test_a_wide_ratings_only_study_shows_the_authors_judgement(make_study, tmp_path):
    folder = make_study(
        tmp_path,
        sites_csv="site,label,engagement\nS1,Center A,0.9\nS2,Center B,0.6\nS3,Center C,0.5\nS4,Center D,0.2\n",
        study_toml='[study]\ntitle = "Wide"\n[outcome]\nmetric = "engagement"\nsplit = "median"\n'
        '[metrics.engagement]\nlabel = "Engagement"\n',
        ratings_csv=None,
        contacts_csv=None,
        ratings_wide_csv=WIDE,
    )
    app = CrosscaseApp(folder)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, table = await open_matrix(pilot)
        check_cells(app, table)
        check_order(app, table)
        keys = table.column_keys
        assert "published" in keys
        published = {r.theme: r.published for r in app.comparison.themes}
        assert any(p is not None for p in published.values())
        for i, theme in enumerate(table.keys):
            if theme is not None:
                assert table.cell_text(i, keys.index("published")) == (published[theme] or "")


async def test_a_study_without_ratings_says_so(tmp_path):
    sites = [{"site": f"A{i}", "label": f"Place {i}", "score": float(i)} for i in range(4)]
    folder = write_study(tmp_path, sites, {"score": {"label": "Score"}}, outcome="score")
    app = CrosscaseApp(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, table = await open_matrix(pilot)
        assert "no ratings" in str(screen.query_one("#matrix-empty").render())
        assert not table.display
        await pilot.press("enter", "a", "right", "h")
        await settle(pilot)
        assert isinstance(app.screen, MatrixScreen)


ESC_SHOWN = "\\x1b"  # what an ESC character looks like on screen
THEMES_TOML = (
    '[[theme]]\nid = "night-cover"\ntitle = "' + NASTY_LABEL.replace(chr(27), "\\u001b") + '"\n'
    'domain = "Inner setting"\n'
)


async def test_hostile_titles_labels_and_evidence_are_shown_literally(make_study, tmp_path, monkeypatch):
    folder = make_study(
        tmp_path,
        sites_csv=lambda text: text.replace("S1,Northgate,", f'S1,"{NASTY_LABEL}",', 1),
        themes_toml=THEMES_TOML,
        ratings_csv=lambda text: text + f'S1,night-cover,+2,"{NASTY_LABEL}"\nS6,night-cover,-1,\n',
    )
    excerpt = SimpleNamespace(
        site="S1", theme="night-cover", excerpt="[@click=app.quit]quoted[/] \x1b[2J", source="[b]int-03[/b]", row=2
    )
    monkeypatch.setattr(
        Study,
        "excerpts",
        lambda self, site, theme: (excerpt,) if (site, theme) == ("S1", "night-cover") else (),
        raising=False,
    )
    app = CrosscaseApp(folder)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, table = await open_matrix(pilot)
        heads = [table.row_text(i) for i, key in enumerate(table.keys) if key is None]
        assert heads[0] == f"▸ {STUDY_GROUP} (1)"  # the study's own theme, in its own group, first
        row = table.keys.index("night-cover")
        assert table.row_text(row).startswith("[b]bold[/b] [@click=a")
        assert table.cell_text(row, table.column_keys.index("site:S1")) == "+2"
        table.move_cell(row, table.column_keys.index("site:S1"))
        await settle(pilot, 1)
        text = screen_text(app)
        assert "[b]bold[/b] [@click=app.quit]" in text  # the title and the label, cut, never markup
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, EvidenceDialog)
        shown = screen_text(app)
        assert "[@click=app.quit]quoted[/] \\x1b[2J" in shown and "[b]int-03[/b]" in shown
        assert "[@click=app.quit]x[/]\\x1b[31mred" in shown
        plain = dialog.text.plain
        assert "Rating memo: " + NASTY_LABEL.replace(chr(27), ESC_SHOWN) in plain
        await pilot.click("#evidence-text")
        await settle(pilot)
        assert app.is_running and isinstance(app.screen, EvidenceDialog)


async def test_pseudonymised_matrix_names_no_site(monkeypatch):
    monkeypatch.setattr(
        Study,
        "excerpts",
        lambda self, site, theme: (
            SimpleNamespace(site=site, theme=theme, excerpt="Northgate said so", source="int-1", row=2),
        ),
        raising=False,
    )
    app = CrosscaseApp(EXAMPLE, disclosure={"min_count": 10, "pseudonymise": True})
    async with app.run_test(size=(120, 40)) as pilot:
        screen, table = await open_matrix(pilot)
        real = [f"S{i}" for i in range(1, 8)] + ["Northgate", "Fenmoor", "Eastbrook"]
        shown = [s for _, s in site_columns(table)]
        assert all(s.startswith("Site ") for s in shown)
        texts = table.header_text + table.marks_text + "".join(table.row_text(i) for i in range(table.row_count))
        assert not any(f" {r} " in f" {texts} " for r in real)
        assert "Northgate" not in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        text = app.screen.text.plain
        assert "not shown with pseudonymised sites" in text and "Northgate" not in text
        await pilot.press("a")
        text = app.screen.text.plain
        assert "Northgate" not in text and "not shown with pseudonymised sites" in text


async def test_the_evidence_of_a_cell_and_of_the_theme_at_every_site(monkeypatch):
    calls = []

    def excerpts(self, site, theme):
        calls.append((site, theme))
        return tuple(
            SimpleNamespace(
                site=site,
                theme=theme,
                excerpt=f"Excerpt {n} of {theme} at {site}",
                source=f"interview-{site}-{n}" if n else None,
                row=n + 2,
            )
            for n in range(2)
        )

    monkeypatch.setattr(Study, "excerpts", excerpts, raising=False)
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, table = await open_matrix(pilot)
        await pilot.press("down", "right")  # the second theme, the second site
        theme, site = screen.current_theme(), screen.current_site()
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, EvidenceDialog)
        memo = app.study.ratings_by_theme[theme][site].evidence
        plain = dialog.text.plain
        assert f"Rating memo: {memo}" in plain
        assert f"Excerpt 0 of {theme} at {site}\n  — source: (not given)" in plain
        assert f"Excerpt 1 of {theme} at {site}\n  — source: interview-{site}-1" in plain
        assert f"rating {app.study.rating_tokens[theme][site]}" in plain
        assert memo[:30] in screen_text(app)
        # a: the same theme at every site, high, middle, low, each site's memo and excerpts
        await pilot.press("a")
        await settle(pilot, 1)
        plain = dialog.text.plain
        split = app.comparison.split
        at = {g: plain.index(f"\n{m} {g} (") for g, m in (("high", "H"), ("middle", "M"), ("low", "L"))}
        assert at["high"] < at["middle"] < at["low"]
        for group in ("high", "middle", "low"):
            for s in getattr(split, group):
                where = plain.index(f"{s} {app.comparison.labels[s]}\n")
                assert at[group] < where and (group == "low" or where < at[{"high": "middle", "middle": "low"}[group]])
                assert f"Excerpt 1 of {theme} at {s}" in plain
        assert {(s, theme) for s in app.study.rating_tokens[theme]} <= set(calls)
        # the body scrolls, Escape closes
        await pilot.press("pagedown")
        await pilot.press("escape")
        await settle(pilot, 1)
        assert isinstance(app.screen, MatrixScreen)
        # a on the matrix: the theme at every site at once
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, EvidenceDialog) and app.screen.every_site


async def test_without_study_excerpts_the_memo_still_shows(monkeypatch):
    monkeypatch.delattr(Study, "excerpts", raising=False)
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, table = await open_matrix(pilot)
        await pilot.press("enter")
        await settle(pilot)
        plain = app.screen.text.plain
        assert "Rating memo: Managers at" in plain or "Rating memo:" in plain
        assert "Excerpts (0)" in plain


async def test_filters_by_text_domain_label_and_hiding_the_middle():
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, table = await open_matrix(pilot)
        every = [k for k in table.keys if k is not None]
        titles = {r.theme: r.title for r in app.comparison.themes}
        # text: / then words of the title
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        for ch in "training":
            await pilot.press(ch)
        await pilot.press("enter")
        await settle(pilot, 1)
        kept = [k for k in table.keys if k is not None]
        assert kept == [k for k in every if "training" in titles[k].casefold() or "training" in k]
        assert app.focused is table
        screen.set_filter("")
        await settle(pilot, 1)
        assert [k for k in table.keys if k is not None] == every
        # domain
        screen.query_one("#matrix-domain", Select).value = "Inner Setting"
        await settle(pilot, 1)
        kept = [k for k in table.keys if k is not None]
        assert kept and all(app.study.themes[k].domain == "Inner Setting" for k in kept)
        assert len(kept) < len(every)
        screen.query_one("#matrix-domain", Select).value = "__all__"
        # label
        screen.query_one("#matrix-label", Select).value = "strong"
        await settle(pilot, 1)
        strong = {r.theme for r in app.comparison.themes if r.distinguishing == "strong"}
        assert {k for k in table.keys if k is not None} == strong and strong
        screen.query_one("#matrix-label", Select).value = "distinguishing"
        await settle(pilot, 1)
        assert {k for k in table.keys if k is not None} == {
            r.theme for r in app.comparison.themes if r.distinguishing in ("strong", "weak")
        }
        screen.query_one("#matrix-label", Select).value = "__all__"
        screen.set_filter("no theme is called this")
        await settle(pilot, 1)
        assert "No theme matches" in str(screen.query_one("#matrix-empty").render())
        screen.set_filter("")
        await settle(pilot, 1)
        # h hides the middle group's columns, and shows them again
        middle = set(app.comparison.split.middle)
        assert middle and middle <= {s for _, s in site_columns(table)}
        await pilot.press("h")
        await settle(pilot, 1)
        assert not middle & {s for _, s in site_columns(table)}
        check_order(app, table, hide_middle=True)
        check_cells(app, table)
        await pilot.press("h")
        await settle(pilot, 1)
        assert middle <= {s for _, s in site_columns(table)}


async def test_matrix_key_in_footer_help_and_palette_at_80x24():
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert any(b.key == "M" and b.action == "show('matrix')" for b in app.BINDINGS)
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert "Show Matrix" in commands
        screen, table = await open_matrix(pilot)
        text = screen_text(app)
        assert "? Help" in text and "q Quit" in text and "Every site" in text
        # the cursor's cell: its token is in view, and the line under the grid names it in full
        await pilot.press("down", "down", "right", "right")
        await settle(pilot, 1)
        site, theme = screen.current_site(), screen.current_theme()
        token = SHOWN[app.study.rating_tokens[theme].get(site)]
        assert table.cell_text(table.cursor, table.cursor_column) == token
        line = str(screen.query_one("#matrix-cell").render())
        assert f"{site} {app.comparison.labels[site]}" in line
        await pilot.press("question_mark")
        await settle(pilot, 1)
        rows = app.screen.key_rows()
        assert ("Everywhere", "M", "Matrix") in rows
        assert any(section == "Matrix" and what == "Hide middle" for section, _, what in rows)
        assert ("Dialogs", "a", "Every site / this site") in rows


@pytest.mark.slow
async def test_two_thousand_sites_by_fifty_themes(tmp_path):
    import importlib.util

    from tui_helpers import REPO

    spec = importlib.util.spec_from_file_location("bench_dashboard", REPO / "tests/benchmarks/bench_dashboard.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    make_study = bench.make_study
    folder = make_study(tmp_path / "big", 2000, 50, 7)
    app = CrosscaseApp(folder)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, table = await open_matrix(pilot)
        assert len(site_columns(table)) == 2000
        assert sum(k is not None for k in table.keys) == 50
        for _ in range(40):
            await pilot.press("right")
        await pilot.press("pagedown", "down")
        await settle(pilot, 1)
        assert table.cursor_column == 42 and table.scroll_x > 0 and table.scroll_y > 0
        check_cells(app, table)
        check_order(app, table)
        theme, site = screen.current_theme(), screen.current_site()
        app.change_outcome(dataclasses.replace(app.outcome, split="tertiles"))
        await settle(pilot)
        assert app.comparison.split.rule == "tertiles"
        assert 0 < table.laid_out <= 40  # only the rows in view were laid out again
        strip = table._strips[table.cursor]  # and of them only the columns in view
        assert len([seg for seg in strip if seg.text.strip()]) < 200
        assert screen.current_theme() == theme and screen.current_site() == site  # the cursor stays on its cell
        check_order(app, table)
        check_cells(app, table)


async def test_a_snapshot_written_on_the_matrix_reopens_there(tmp_path, monkeypatch):
    from tui_helpers import export_via_dialog

    monkeypatch.chdir(tmp_path)
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, table = await open_matrix(pilot)
        screen.set_filter("peer")
        screen.query_one("#matrix-label", Select).value = "distinguishing"
        await settle(pilot, 1)
        await pilot.press("h", "down", "right", "right")
        await settle(pilot, 1)
        theme, site = screen.current_theme(), screen.current_site()
        rows = list(table.keys)
        await export_via_dialog(pilot, "matrix.toml")
    assert (tmp_path / "matrix.toml").exists()
    app = CrosscaseApp(None, snapshot=str(tmp_path / "matrix.toml"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MatrixScreen)
        table = screen.query_one("#matrix-table", MatrixGrid)
        assert screen.filter_text == "peer" and screen.query_one("#matrix-filter", Input).value == "peer"
        assert screen.label == "distinguishing" and screen.hide_middle
        assert list(table.keys) == rows
        assert (screen.current_theme(), screen.current_site()) == (theme, site)
        assert not set(app.comparison.split.middle) & {s for _, s in site_columns(table)}


async def test_the_theme_column_follows_the_terminal_width():
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, table = await open_matrix(pilot)
        narrow = table._columns[0].width
        await pilot.resize_terminal(130, 40)
        await settle(pilot)
        assert table._columns[0].width > narrow
        check_order(app, table)
        check_cells(app, table)


@pytest.mark.parametrize("name", __import__("shapes").SMALL_SHAPES)
async def test_the_matrix_on_every_study_shape(study_shapes, name):
    """tests/shapes.py's shapes: the columns against the shape's own oracle of the groups and the
    outcome (written from the contract, not from the engine), the rows against its rated themes,
    hostile text literal, pseudonymised originals never shown; a cell's evidence opens and closes."""
    from shapes import shown

    shape = study_shapes[name]
    app = CrosscaseApp(shape.folder)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, table = await open_matrix(pilot)
        if not shape.rated_themes:
            assert "no ratings" in str(screen.query_one("#matrix-empty").render())
            return
        expected = shape.groups()
        columns = [s for _, s in site_columns(table)]
        assert set(columns) == set(shape.ids)
        at = 0
        for group in ("high", "middle", "low", "missing"):
            members = expected.get(group, set())
            part = columns[at : at + len(members)]
            assert set(part) == members, group
            numbers = [shape.values[s] for s in part if shape.values[s] is not None]
            assert numbers == sorted(numbers, reverse=True)
            at += len(members)
        assert {k for k in table.keys if k is not None} == set(shape.rated_themes)
        check_cells(app, table)
        text = screen_text(app)
        rows = "".join(table.row_text(i) for i in range(table.row_count))
        for title in shape.theme_titles.values():  # every theme's title, literally (its start)
            if title in shape.hostile:
                assert shown(title)[:12] in rows
        for column, site in site_columns(table)[:6]:  # the cursor's line: the site's label, literally
            table.move_cell(table.cursor, column)
            await settle(pilot, 1)
            label = shape.labels.get(site, site)
            assert shown(f"{site} {label}")[:20] in str(screen.query_one("#matrix-cell").render())
        for secret in shape.hidden:
            assert secret not in text and secret not in table.header_text
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, EvidenceDialog)
        for secret in shape.hidden:
            assert secret not in app.screen.text.plain
        await pilot.press("a", "escape")
        await settle(pilot, 1)
        assert isinstance(app.screen, MatrixScreen) and app.is_running


async def test_the_examples_own_excerpts_in_the_evidence_dialog():
    """The example's evidence.csv (Study.excerpts, no stand-in): every excerpt of the cell with its
    source; a study without the file says so."""
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        screen, table = await open_matrix(pilot)
        row, column = next(
            (i, c)
            for i, k in enumerate(table.keys)
            if k
            for c, s in site_columns(table)
            if len(app.study.excerpts(s, k)) > 1
        )
        table.move_cell(row, column)
        await settle(pilot, 1)
        theme, site = screen.current_theme(), screen.current_site()
        found = app.study.excerpts(site, theme)
        await pilot.press("enter")
        await settle(pilot)
        plain = app.screen.text.plain
        assert f"Excerpts ({len(found)})" in plain
        for e in found:
            assert f"• {e.excerpt}\n  — source: {e.source or '(not given)'}" in plain


async def test_a_study_without_evidence_csv_says_so(tmp_path):
    sites = [{"site": f"A{i}", "label": f"Place {i}", "score": float(i)} for i in range(4)]
    folder = write_study(
        tmp_path,
        sites,
        {"score": {"label": "Score"}},
        outcome="score",
        ratings=[(f"A{i}", "cfir09-leadership-engagement", "+1") for i in range(4)],
    )
    app = CrosscaseApp(folder)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_matrix(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "Excerpts (0): the study has no evidence.csv" in app.screen.text.plain


async def test_site_and_themes_screens_show_the_excerpts_too(monkeypatch):
    """Issue 14 item 2: the Site screen lists each theme's excerpts with their source under its memo,
    the Themes detail each site's excerpts on a line; text literally."""
    hostile = "[b]said[/b] \x1b[2J"
    monkeypatch.setattr(
        Study,
        "excerpts",
        lambda self, site, theme: (
            SimpleNamespace(site=site, theme=theme, excerpt=f"{hostile} {site}/{theme}", source=f"int-{site}", row=2),
        ),
        raising=False,
    )
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        site = app.screen.site
        text = str(app.screen.query_one("#site-themes").render())
        for theme in (r.theme for r in app.study.ratings if r.site == site):
            assert f"• [b]said[/b] \\x1b[2J {site}/{theme} — int-{site}" in text
        await pilot.press("t")
        await settle(pilot)
        theme = app.screen.current_theme()
        text = str(app.screen.query_one("#theme-detail-text").render())
        for s in app.study.rating_tokens[theme]:
            assert f"• [b]said[/b] \\x1b[2J {s}/{theme} — int-{s}" in text
