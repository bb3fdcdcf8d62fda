"""Rating mode (crosscase STUDY --rater NAME) and the Consensus screen (issue 15, items 3 and 4), with
Pilot: rate with single keys, a memo, undo, another rater hidden, a file changed on disk, consensus."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from textual.widgets import Input
from tui_helpers import EXAMPLE, NASTY_LABEL, screen_text, settle

from cases.loader import load_study
from cases.rating_write import read_audit
from tui.dashboard.app import CrosscaseApp
from tui.dashboard.dialogs.confirm import ConfirmScreen
from tui.dashboard.rating import TextDialog
from tui.dashboard.screens.consensus import ConsensusScreen
from tui.dashboard.screens.matrix import MatrixGrid, MatrixScreen
from tui.dashboard.screens.site import SiteScreen

SIZE = (150, 45)


@pytest.fixture
def study(tmp_path):
    folder = tmp_path / "study"
    shutil.copytree(EXAMPLE, folder)
    return folder


def shown(app) -> Any:
    """The study the screens show (the app's attribute, typed loosely)."""
    return app.study


def compared(app) -> Any:
    """The comparison the screens show."""
    return app.comparison


def token_of(folder, rater: str, site: str, theme: str) -> str | None:
    rows = load_study(folder).raters.get(rater, ())
    return next((r.token for r in rows if (r.site, r.theme) == (site, theme)), None)


async def open_matrix_at(pilot, site: str):
    await settle(pilot)
    await pilot.press("M")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, MatrixScreen)
    table = screen.query_one("#matrix-table", MatrixGrid)
    table.cursor_column = table.column_keys.index(f"site:{site}")
    await pilot.pause()
    return screen, table


async def test_rate_a_cell_on_the_matrix_and_undo(study):
    original = (study / "ratings" / "ana.csv").read_bytes()
    app = CrosscaseApp(study, rater="ana")
    async with app.run_test(size=SIZE) as pilot:
        screen, _table = await open_matrix_at(pilot, "S1")
        site, theme = screen.rating_cell() or ("", "")
        assert site == "S1"
        before = token_of(study, "ana", site, theme)
        panel = screen_text(app)
        assert "Rating as ana" in panel and "1-5 rate -2..+2" in panel
        key = "1" if before != "-2" else "5"
        old = next(t for t in compared(app).themes if t.theme == theme)
        await pilot.press(key)
        await settle(pilot)
        wanted = "-2" if key == "1" else "+2"
        assert token_of(study, "ana", site, theme) == wanted
        assert shown(app).rating_tokens[theme][site] == wanted  # the screens and the figures follow
        new = next(t for t in compared(app).themes if t.theme == theme)
        assert compared(app).split.group_of(site) == "high"
        assert dict(new.high.ratings)[site] == wanted != dict(old.high.ratings).get(site)  # compared again
        assert (new.high.rated, new.high.mean) != (old.high.rated, old.high.mean)
        assert f" · {wanted}" in screen_text(app)
        await pilot.press("u")
        await settle(pilot)
        assert (study / "ratings" / "ana.csv").read_bytes() == original
        assert [(r["action"], r["to"]) for r in read_audit(study)] == [("rate", wanted), ("undo", before)]


async def test_another_raters_and_the_consensus_are_hidden(study):
    app = CrosscaseApp(study, rater="ana")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        ana = {(r.site, r.theme): r.token for r in load_study(study).raters["ana"]}
        seen = {(r.site, r.theme): r.token for r in shown(app).ratings}
        assert {k: v for k, v in seen.items() if k in ana} == ana
        assert set(shown(app).raters) == {"ana"}
        # a cell ana did not rate is shown as not rated, never with ben's or the consensus's token
        assert all(v == "Missing" for k, v in seen.items() if k not in ana)


async def test_a_new_rater_starts_empty_and_a_memo_is_written(study):
    app = CrosscaseApp(study, rater="cleo")
    async with app.run_test(size=SIZE) as pilot:
        screen, _table = await open_matrix_at(pilot, "S2")
        site, theme = screen.rating_cell() or ("", "")
        assert "not rated yet" in screen_text(app)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)
        app.screen.query_one(Input).value = NASTY_LABEL
        await pilot.press("enter")
        await settle(pilot)
        rows = {(r.site, r.theme): r for r in load_study(study).raters["cleo"]}
        assert rows[(site, theme)].token == "+1" and rows[(site, theme)].evidence == NASTY_LABEL
        text = screen_text(app)
        assert "[b]bold[/b]" in text  # shown literally, never as markup
        assert read_audit(study)[-1]["memo"] == NASTY_LABEL


async def test_the_site_screen_rates_the_marked_theme(study):
    app = CrosscaseApp(study, rater="ben")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(SiteScreen("S3"))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SiteScreen)
        first = screen.rating_cell()
        await pilot.press("j")
        await pilot.pause()
        second = screen.rating_cell()
        assert first is not None and second is not None and first != second and second[0] == "S3"
        assert "▶" in screen_text(app)
        await pilot.press("N")
        await settle(pilot)
        assert token_of(study, "ben", *second) == "N/A"
        assert isinstance(app.screen, SiteScreen)  # N is N/A here, not the next site


async def test_a_file_changed_on_disk_is_not_overwritten(study):
    app = CrosscaseApp(study, rater="ana")
    async with app.run_test(size=SIZE) as pilot:
        screen, _table = await open_matrix_at(pilot, "S1")
        cell = screen.rating_cell()
        assert cell is not None
        path = study / "ratings" / "ana.csv"
        lines = path.read_bytes().split(b"\n")
        other = next(i for i, line in enumerate(lines[1:], 1) if not line.startswith(f"{cell[0]},{cell[1]},".encode()))
        site, theme = lines[other].decode().split(",")[:2]
        lines[other] = f"{site},{theme},X,someone else's edit".encode()
        edited = b"\n".join(lines)
        path.write_bytes(edited)  # another person's edit, while the dashboard has the file open
        key = "1" if token_of(study, "ana", *cell) != "-2" else "5"
        await pilot.press(key)
        await settle(pilot)
        assert path.read_bytes() == edited and read_audit(study) == []
        assert isinstance(app.screen, ConfirmScreen)
        assert "changed on disk" in screen_text(app)
        await pilot.press("y")  # reload
        await settle(pilot)
        assert shown(app).rating_tokens[theme][site] == "X"
        await pilot.press(key)
        await settle(pilot)
        assert token_of(study, "ana", *cell) == ("-2" if key == "1" else "+2")
        assert f"{site},{theme},X,someone else's edit\n".encode() in path.read_bytes()


async def test_rating_keys_do_nothing_without_a_rater(study):
    original = (study / "ratings" / "ana.csv").read_bytes()
    app = CrosscaseApp(study)
    async with app.run_test(size=SIZE) as pilot:
        await open_matrix_at(pilot, "S1")
        await pilot.press("1", "u", "w")
        await settle(pilot)
        assert not isinstance(app.screen, TextDialog)
        assert (study / "ratings" / "ana.csv").read_bytes() == original and read_audit(study) == []


async def test_a_rater_name_differing_in_case_is_one_line(study):
    app = CrosscaseApp(study, rater="ANA")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert 'the rater "ANA" differs from "ana"' in text
        assert not (study / "ratings" / "ANA.csv").exists()


async def test_consensus_lists_disagreements_and_writes_ratings_csv(study):
    before = (study / "ratings.csv").read_bytes().split(b"\n")
    app = CrosscaseApp(study)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("K")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ConsensusScreen)
        d = screen.current()
        assert d is not None and len(dict(d.ratings)) == 2
        text = screen_text(app)
        assert "29 disagreements between ana, ben" in text and "consensus (ratings.csv)" in text
        token = "-2" if d.consensus != "-2" else "+2"
        await pilot.press("1" if token == "-2" else "5")
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)
        app.screen.query_one(Input).value = "agreed at the meeting of 3 May"
        await pilot.press("enter")
        await settle(pilot)
        after = (study / "ratings.csv").read_bytes().split(b"\n")
        assert sum(a != b for a, b in zip(before, after, strict=False)) + abs(len(after) - len(before)) == 1
        assert load_study(study).ratings_by_theme[d.theme][d.site].token == token
        row = read_audit(study)[-1]
        assert (row["file"], row["action"], row["site"], row["theme"], row["to"], row["reason"]) == (
            "ratings.csv",
            "consensus",
            d.site,
            d.theme,
            token,
            "agreed at the meeting of 3 May",
        )
        assert shown(app).ratings_by_theme[d.theme][d.site].token == token  # the figures use it
        assert f"{token}" in screen_text(app)
        await pilot.press("u")
        await settle(pilot)
        assert (study / "ratings.csv").read_bytes().split(b"\n") == before
        assert read_audit(study)[-1]["action"] == "undo"


async def test_consensus_is_refused_in_rating_mode(study):
    app = CrosscaseApp(study, rater="ana")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("K")
        await settle(pilot)
        assert not isinstance(app.screen, ConsensusScreen)
        assert any("without --rater" in n.message for n in app._notifications)


async def test_no_snapshot_export_in_rating_mode(study):
    """The figures in rating mode are one rater's, not the study's: e does not offer a snapshot."""
    app = CrosscaseApp(study, rater="ana")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert app.screen.__class__.__name__ != "ExportDialog"
        assert "Export" not in screen_text(app).splitlines()[-1]


async def test_help_lists_the_rating_keys_in_rating_mode(study):
    app = CrosscaseApp(study, rater="ana")
    async with app.run_test(size=SIZE) as pilot:
        await open_matrix_at(pilot, "S1")
        await pilot.press("question_mark")
        await settle(pilot)
        from tui.dashboard.dialogs.help import HelpDialog

        assert isinstance(app.screen, HelpDialog)
        rows = [(section, keys, what) for section, keys, what in app.screen.key_rows() if section.startswith("Rating")]
        assert ("Rating mode (Site and Matrix)", "1-5 X M N", "Rate") in rows
        assert {what for _s, _k, what in rows} >= {"Rate -1", "Rate N/A", "Memo…", "Undo", "Next theme"}


async def test_a_memo_with_control_characters_is_shown_escaped_and_kept(study):
    path = study / "ratings" / "ana.csv"
    lines = path.read_text().split("\n")
    site, theme = lines[1].split(",")[:2]
    lines[1] = f"{site},{theme},{lines[1].split(',')[2]},red \x1b[31malert\x1b[0m memo"
    path.write_text("\n".join(lines))
    original = path.read_bytes()
    app = CrosscaseApp(study, rater="ana")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(SiteScreen(site))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SiteScreen)
        for _ in range(40):
            if screen.rating_cell() == (site, theme):
                break
            await pilot.press("j")
        assert screen.rating_cell() == (site, theme)
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, TextDialog)
        value = app.screen.query_one(Input).value
        assert "\x1b" not in value and "alert" in value
        await pilot.press("enter")  # unchanged: the memo stays as it was, nothing written
        await settle(pilot)
        assert path.read_bytes() == original and read_audit(study) == []


async def test_consensus_with_one_rater_says_so(study):
    (study / "ratings" / "ben.csv").unlink()
    app = CrosscaseApp(study)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("K")
        await settle(pilot)
        assert isinstance(app.screen, ConsensusScreen) and app.screen.current() is None
        assert "Consensus needs two rater files" in screen_text(app)
        await pilot.press("3")
        await settle(pilot)
        assert not isinstance(app.screen, TextDialog) and read_audit(study) == []


async def test_consensus_refuses_to_overwrite_an_edited_ratings_csv(study):
    app = CrosscaseApp(study)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("K")
        await settle(pilot)
        path = study / "ratings.csv"
        edited = path.read_bytes() + b"\n"  # a colleague saved the file meanwhile
        path.write_bytes(edited)
        await pilot.press("3")
        await pilot.pause()
        app.screen.query_one(Input).value = "agreed"
        await pilot.press("enter")
        await settle(pilot)
        assert path.read_bytes() == edited and read_audit(study) == []
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, ConsensusScreen)


async def test_the_studys_own_themes_can_be_rated_before_anyone_has(study):
    (study / "themes.toml").write_text('[[theme]]\nid = "own-theme"\ntitle = "A theme of this study"\n')
    app = CrosscaseApp(study, rater="cleo")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rows = shown(app).rating_tokens.get("own-theme", {})
        assert rows and set(rows.values()) == {"Missing"} and len(rows) == len(shown(app).sites)
