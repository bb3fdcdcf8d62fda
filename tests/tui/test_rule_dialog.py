"""The distinguishing-rule dialog: open it (key and palette), change parameters, apply, bad input, cancel."""

from __future__ import annotations

from textual.widgets import Input, Select, Static
from tui_helpers import EXAMPLE, settle

from tui.dashboard.app import CrosscaseApp
from tui.dashboard.dialogs.rule import RuleDialog
from tui.dashboard.screens.compare import CompareScreen


def labels(app) -> dict[str, str]:
    return {t.theme: t.distinguishing for t in app.comparison.themes}


async def test_apply_new_parameters_changes_the_labels():
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        before = labels(app)
        assert before["boundary-crossing"] == "none"  # the groups touch at 0
        await pilot.press("r")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, RuleDialog)
        assert dialog.query_one("#rule-name", Select).value == "gap"
        weak_gap = dialog.query_one("#rule-gap-weak_gap", Input)
        assert weak_gap.display and weak_gap.value == "1"  # the rule in force, prefilled
        assert not dialog.query_one("#rule-means-weak_diff", Input).display
        weak_gap.value = "0"
        await pilot.click("#rule-apply")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        assert app.comparison.rule.params["weak_gap"] == 0.0
        after = labels(app)
        assert after["boundary-crossing"] == "weak"
        assert next(t for t in app.comparison.themes if t.theme == "boundary-crossing").direction == "reversed"
        assert after != before
        assert all(t.rule == app.comparison.rule.describe() for t in app.comparison.themes)
        # the split is unchanged; reopening shows the rule now in force
        assert app.comparison.split.rule == "median"
        await pilot.press("r")
        await pilot.pause()
        assert app.screen.query_one("#rule-gap-weak_gap", Input).value == "0"
        await pilot.press("escape")


async def test_another_rule_with_its_own_parameters():
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#rule-name", Select).value = "means"
        await pilot.pause()
        weak = dialog.query_one("#rule-means-weak_diff", Input)
        assert weak.display and weak.value == "1"  # the rule's default
        assert not dialog.query_one("#rule-gap-weak_gap", Input).display
        weak.value = "0.5"
        weak.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.comparison.rule.name == "means"
        assert app.comparison.rule.params == {"strong_diff": 2.0, "weak_diff": 0.5}
        assert app.comparison.themes[0].rule.startswith("means:")


async def test_a_bad_number_is_shown_in_the_dialog():
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        rule = app.comparison.rule
        await pilot.press("r")
        await pilot.pause()
        dialog = app.screen
        dialog.query_one("#rule-gap-strong_diff", Input).value = "lots"
        dialog.query_one("#rule-gap-weak_diff", Input).value = "nan"
        await pilot.click("#rule-apply")
        await pilot.pause()
        assert isinstance(app.screen, RuleDialog)
        problems = str(dialog.query_one("#rule-problems", Static).render())
        assert 'strong_diff: "lots" is not a number' in problems
        assert 'weak_diff: "nan" is not a finite number' in problems
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        assert app.comparison.rule == rule


async def test_cancel_and_the_palette():
    app = CrosscaseApp(EXAMPLE)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        before = labels(app)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"distinguishing rule")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, RuleDialog)
        dialog.query_one("#rule-gap-weak_gap", Input).value = "-2"
        await pilot.click("#rule-cancel")
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        assert labels(app) == before
        assert app.comparison.rule.params["weak_gap"] == 1.0
