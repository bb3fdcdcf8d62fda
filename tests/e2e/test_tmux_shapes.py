"""The shape-matrix walk in a real terminal: the `crosscase` command in tmux, on studies that are not
the example (tests/shapes.py): no `[outcome] second`, an empty group, wide ratings only, hostile
text everywhere.

Each test opens the dashboard on one shape and walks it with keys as a person would: Compare (the
groups the contract's split rules give), every screen, the Site screen with n/p, the split dialog
with each rule (chosen in its list with the arrow keys, the threshold and the ids typed) and a
cancel, the export dialog (a cancel, then a snapshot that `crosscase open`'s reader takes), the
command palette, help, and q with exit status 0. Every step polls the pane (capture-pane) until it
shows what the step awaits; nothing sleeps blindly. Each test has its own tmux server.
"""

from __future__ import annotations

import os
import re
import tomllib
import uuid
from pathlib import Path

import pytest
from e2e_helpers import START_TIMEOUT, Tmux, app_shell_command, have, sgr_params, status_counts, tab_to, type_into_field
from shapes import Shape, shown

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not have("tmux"), reason="tmux is not installed")]

TMUX_SHAPES = ["no-second", "empty-group", "wide-only", "hostile"]
RULES = ("median", "threshold", "tertiles", "quadrants", "explicit")
WIDTH, HEIGHT = 100, 30


class ShapesTmux(Tmux):
    """A private tmux server whose socket name says whose it is."""

    def __init__(self, width: int, height: int) -> None:
        super().__init__(width, height)
        self.socket = f"crosscase-shapes-{os.getpid()}-{uuid.uuid4().hex[:10]}"


# -- what the pane shows --------------------------------------------------------------------------
def header(screen: str, name: str) -> bool:
    """The header (the pane's first line) names the screen ("Site" is not "Sites")."""
    first = screen.splitlines()[0] if screen else ""
    return re.search(rf"crosscase — {re.escape(name)}(\s|$)", first) is not None


def sizes(groups: dict[str, set[str]]) -> tuple[int, int, int]:
    return len(groups["high"]), len(groups["low"]), len(groups["middle"])


def sites_table(screen: str, shape: Shape) -> dict[str, str]:
    """site id -> the group mark of its row in the Sites table."""
    found = {}
    for line in screen.splitlines():
        for s in shape.ids:
            if re.match(rf"^\s*([HLM-])\s+{re.escape(s)}\s{{2,}}", line):
                found[s] = line.split()[0]
    return found


def check_text(screen: str, shape: Shape, coloured: str | None = None) -> None:
    """No raw escape or bidi character, nothing a pseudonym hides; no SGR 31 from the data."""
    assert "\x1b" not in screen and "\u202e" not in screen
    for hidden in shape.hidden:
        assert hidden not in screen, hidden
    if coloured is not None and shape.name == "hostile":
        assert not any(p == ["31"] for p in sgr_params(coloured))


def compare_ready(shape: Shape, rule: str, groups: dict[str, set[str]]):
    want = sizes(groups)

    def ready(screen: str) -> bool:
        return (
            header(screen, "Compare")
            and f"{shape.outcome} by {rule}" in screen
            and status_counts(screen) == want
            and "Change the outcome" not in screen
        )

    return ready


def check_compare(tmux: Tmux, shape: Shape, rule: str, groups: dict[str, set[str]]) -> str:
    screen = tmux.wait_for(compare_ready(shape, rule, groups), describe=f"Compare, {rule}, groups {sizes(groups)}")
    for mark, group in (("H", "high"), ("L", "low")):
        for s in sorted(groups[group])[:4]:
            assert f"{mark} {s} " in screen, (s, screen)
        if not groups[group]:
            assert "(no sites)" in screen
    check_text(screen, shape, tmux.screen(escapes=True))
    return screen


# -- steps -------------------------------------------------------------------------------------------
def visit_screens(tmux: Tmux, shape: Shape, rule: str, groups: dict[str, set[str]]) -> None:
    tmux.keys("s")
    screen = tmux.wait_for(
        lambda s: header(s, "Sites") and len(sites_table(s, shape)) == len(shape.ids),
        describe="the Sites table with every site",
    )
    for site, mark in sites_table(screen, shape).items():
        group = {"H": "high", "L": "low", "M": "middle"}.get(mark, "missing")
        assert site in groups[group], (site, mark)
    check_text(screen, shape, tmux.screen(escapes=True))
    tmux.keys("t")
    titles = [shown(title)[:12] for title in list(shape.theme_titles.values())[:2]]
    # the header comes before the list is filled: wait for both (the same poll, never a sleep)
    screen = tmux.wait_for(lambda s: header(s, "Themes") and all(t in s for t in titles), describe="the Themes screen")
    check_text(screen, shape)
    tmux.keys("v")
    screen = tmux.wait_for(lambda s: header(s, "Sensitivity") and "Every cut of" in s, describe="Sensitivity")
    check_text(screen, shape)
    tmux.keys("g")
    names = [shown(name)[:16] for name in shape.conditions]
    screen = tmux.wait_for(
        lambda s: header(s, "Configurations") and all(n in s for n in names),
        describe="Configurations with every condition",
    )
    check_text(screen, shape)
    tmux.keys("c")
    check_compare(tmux, shape, rule, groups)


def site_shown(site: str, shape: Shape):
    def test(screen: str) -> bool:
        if not header(screen, "Site") or (
            "Theme ratings and evidence" not in screen and "no theme ratings" not in screen
        ):
            return False
        head = next((line for line in screen.splitlines() if f" {site}  " in line), "")
        return shown(shape.labels[site])[:20] in head

    return test


def step_sites(tmux: Tmux, shape: Shape) -> None:
    order = shape.step_order()
    tmux.keys("s")
    tmux.wait_for(lambda s: header(s, "Sites"), describe="Sites")
    tmux.keys("Enter")
    tmux.wait_for(site_shown(order[0], shape), describe=f"the Site screen of {order[0]}")
    for key, at in (("n", 1), ("n", 2), ("p", 1)):
        tmux.keys(key)
        tmux.wait_for(site_shown(order[at], shape), describe=f"{key}: the Site screen of {order[at]}")
    tmux.keys("Escape")
    tmux.wait_for(lambda s: header(s, "Sites"), describe="back on Sites")
    tmux.keys("c")
    tmux.wait_for(lambda s: header(s, "Compare"), describe="Compare")


def dialog_open(tmux: Tmux) -> str:
    tmux.keys("o")
    return tmux.wait_for("Change the outcome and the split")


RULE_HELP = {
    "median": "above the median: high",
    "threshold": "at or above the threshold",
    "tertiles": "highest third: high",
    "quadrants": "above both medians",
    "explicit": "the sites you list are high",
}


def rule_list_open(screen: str) -> bool:
    return all(rule in screen for rule in RULES)


def choose_rule(tmux: Tmux, now: str, rule: str) -> None:
    """In the focused Split rule select: Enter opens its list, arrows move to ``rule``, Enter."""
    tmux.keys("Enter")
    tmux.wait_for(rule_list_open, describe="the list of rules open")
    delta = RULES.index(rule) - RULES.index(now)
    tmux.keys(*(["Down"] * delta if delta > 0 else ["Up"] * -delta), "Enter")
    tmux.wait_for(lambda s: RULE_HELP[rule] in s and not rule_list_open(s), describe=f"{rule} chosen")


def choose_second(tmux: Tmux, shape: Shape) -> None:
    """The focused Second metric select is blank: its list holds the blank line, then each metric."""
    key = f"({shape.outcome})"
    tmux.keys("Enter")
    tmux.wait_for(lambda s: s.count(key) >= 2, describe="the list of metrics open")
    tmux.keys(*["Down"] * (1 + list(shape.metrics).index(shape.second)), "Enter")
    tmux.wait_for(lambda s: s.count(key) == 1 and f"({shape.second})" in s, describe=f"{shape.second} chosen")


def apply_rule(tmux: Tmux, shape: Shape, rule: str, current: str, second_set: bool) -> None:
    dialog_open(tmux)
    choose_rule(tmux, current, rule)
    if rule == "threshold":
        if shape.threshold is None:
            tab_to(tmux, "a number, e.g.")  # the threshold field, showing its placeholder
        else:
            tmux.keys("Tab")  # the threshold field, showing the study's threshold
        type_into_field(tmux, "Threshold", f"{shape.walk_threshold:g}", placeholder="a number, e.g. 0.6")
        tmux.keys("Enter")
    elif rule == "quadrants":
        tmux.keys("Tab")  # the second metric's select
        if not second_set:
            choose_second(tmux, shape)
        tmux.keys("Tab", "Enter")  # Apply
    elif rule == "explicit":
        # the High sites field (empty: nothing to clear); wait for the focus to land on it, since keys
        # sent while the dialog is still showing the explicit fields went to another widget (a flake)
        tab_to(tmux, "e.g. S1,S3")
        type_into_field(tmux, "High sites (comma-separated ids)", ",".join(shape.explicit[0]), placeholder="e.g. S1,S3")
        tab_to(tmux, "e.g. S6,S7")
        type_into_field(tmux, "Low sites (comma-separated ids)", ",".join(shape.explicit[1]), placeholder="e.g. S6,S7")
        tmux.keys("Enter")
    else:
        tmux.keys("Tab", "Enter")  # Apply (the hidden fields are skipped)
    check_compare(tmux, shape, rule, shape.groups(rule))


def split_walk(tmux: Tmux, shape: Shape) -> str:
    current, second_set = shape.split, shape.in_toml_second
    for rule in RULES:
        if rule == current:
            continue
        apply_rule(tmux, shape, rule, current, second_set)
        second_set = second_set or rule == "quadrants"
        current = rule
    # cancelled: a rule chosen, then Escape: the groups stay
    dialog_open(tmux)
    choose_rule(tmux, current, "tertiles")
    tmux.keys("Escape")
    check_compare(tmux, shape, current, shape.groups(current))
    return current


def read_snapshot(path: Path) -> dict | None:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None


def export_walk(tmux: Tmux, shape: Shape, out: Path, rule: str) -> None:
    from tui.core.snapshots import open_snapshot

    tmux.keys("e")
    tmux.wait_for("Export the current comparison")
    tmux.keys("Escape")
    tmux.wait_for(
        lambda s: "Export the current comparison" not in s and header(s, "Compare"), describe="the export dialog closed"
    )
    tmux.keys("e")
    tmux.wait_for("Export the current comparison")
    type_into_field(tmux, "File", str(out))
    tmux.keys("Enter")
    data: dict = {}

    def written(screen: str) -> bool:
        nonlocal data
        data = read_snapshot(out) or {}
        return bool(data) and "Snapshot written to" in screen

    tmux.wait_for(written, describe=f"the snapshot {out} and the 'written' notice")
    assert data["split"]["rule"] == rule
    for hidden in shape.hidden:
        assert hidden not in out.read_text(encoding="utf-8")
    folder = open_snapshot(out, shape.folder).folder
    assert folder == (None if shape.hidden else shape.folder)


def palette_and_help(tmux: Tmux) -> None:
    tmux.keys("C-p")
    tmux.wait_for("Search for commands", describe="the command palette")
    tmux.text("change split")
    tmux.wait_for("Change the outcome metric", describe="the Change split… command offered")
    tmux.keys("Escape")
    tmux.wait_for(
        lambda s: "Search for commands" not in s and "Change the outcome metric" not in s, describe="the palette closed"
    )
    tmux.keys("?")
    tmux.wait_for(lambda s: "Escape closes this help" in s and "Split…" in s, describe="help")
    tmux.keys("Escape")
    tmux.wait_for(lambda s: "Escape closes this help" not in s and header(s, "Compare"), describe="help closed")


@pytest.mark.parametrize("name", TMUX_SHAPES)
def test_tmux_walk_on_a_shape(study_shapes, name, tmp_path):
    shape = study_shapes[name]
    out = tmp_path / f"{name}-from-tmux.toml"
    tmux = ShapesTmux(WIDTH, HEIGHT)
    try:
        tmux.start(app_shell_command(str(shape.folder)), cwd=tmp_path)
        tmux.wait_for(
            lambda s: header(s, "Compare") and status_counts(s) is not None,
            START_TIMEOUT,
            describe="the Compare screen",
        )
        groups = shape.groups()
        screen = check_compare(tmux, shape, shape.split, groups)
        if name == "hostile":
            assert shown(f"S1 {shape.labels['S1']}")[:16] in screen  # markup shown as typed
            assert "\\x1b[31mRed site" in screen  # the escape made visible
        visit_screens(tmux, shape, shape.split, groups)
        step_sites(tmux, shape)
        rule = split_walk(tmux, shape)
        export_walk(tmux, shape, out, rule)
        palette_and_help(tmux)
        tmux.keys("q")
        assert tmux.wait_for_exit() == 0
    finally:
        tmux.kill()
