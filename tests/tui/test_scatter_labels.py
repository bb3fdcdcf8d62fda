"""The Sites screen's scatter: labels never overwrite each other. A site whose label finds no room is
numbered next to its mark and named in the key under the plot; sites too many for the key are counted;
labels are data text, shown literally. Checked on what the plot draws, read back from its text: near-
identical values with long labels, a dense cluster, two sites, 2,000 sites."""

from __future__ import annotations

import random
import re

import pytest
from screens_studies import write_study
from shapes import shown
from tui_helpers import screen_text, settle

from tui.dashboard.app import CrosscaseApp
from tui.dashboard.screens.sites import Scatter, SitesScreen
from tui.dashboard.widgets.charts import Point, lay_out, spots_of
from tui.dashboard.widgets.palette import GROUP_MARK

SIZES = [(80, 24), (120, 40)]
MARKS = "HLM*"
LONG = "[b]Community health centre number {i}[/b] of the long name"


def close_study(
    root, n: int, label=LONG.format, dose=lambda i: 3.0 + 0.001 * (i % 3), outcome=lambda i: 0.5 + 0.001 * i
):
    """``n`` sites whose values differ in the third decimal: they fall on a few cells of the plot."""
    sites = [dict(site=f"C{i}", label=label(i=i), outcome=outcome(i), dose=dose(i)) for i in range(n)]
    return write_study(root, sites, {"outcome": {"label": "Outcome"}, "dose": {"label": "Dose"}}, outcome="outcome")


async def open_scatter(pilot, size):
    await settle(pilot)
    await pilot.press("s")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SitesScreen)
    if size[1] < 32:  # the table and the scatter take turns
        await pilot.press("p")
        await settle(pilot)
    plot = screen.query_one("#scatter", Scatter)
    return plot


class Drawn:
    """What the plot drew, read back from its text (not from the layout that made it)."""

    def __init__(self, plot: Scatter) -> None:
        lines = plot.render().plain.split("\n")
        assert len(lines) == plot.size.height
        top = next(i for i, line in enumerate(lines) if "┌" in line)
        bottom = next(i for i, line in enumerate(lines) if "└" in line)
        first, end = lines[bottom].index("└") + 1, lines[bottom].rindex("┘")
        self.canvas = [line[first:end] for line in lines[top + 1 : bottom]]
        self.key = "\n".join(lines[bottom + 3 :])  # under the tick labels and the axis' name

    def names(self, ids: list[str]) -> list[tuple[int, int, str]]:
        """(row, column, id) of each site id drawn on the canvas."""
        pattern = re.compile(
            r"(?<![\w\[])(" + "|".join(sorted(map(re.escape, ids), key=len, reverse=True)) + r")(?= |…|$)"
        )
        return [(r, m.start(), m.group(1)) for r, line in enumerate(self.canvas) for m in pattern.finditer(line)]

    def numbers(self, blank: list[tuple[int, int, int]]) -> dict[int, str]:
        """number -> the mark it is drawn beside (``H3`` or ``3H``), outside the label runs ``blank``."""
        rows = list(self.canvas)
        for r, start, stop in blank:
            rows[r] = rows[r][:start] + " " * (stop - start) + rows[r][stop:]
        found: dict[int, str] = {}
        for line in rows:
            for m in re.finditer(r"([HLM*])(\d+)|(\d+)([HLM*])", line):
                n, mark = (m.group(2), m.group(1)) if m.group(2) else (m.group(3), m.group(4))
                assert int(n) not in found, f"number {n} drawn twice"
                found[int(n)] = mark
        return found

    def key_entries(self) -> dict[int, tuple[str, list[str]]]:
        """number -> (mark, the site ids named) from the key."""
        entries = {}
        for m in re.finditer(r"(?:^|  )(\d+) ([HLM*]) (.*?)(?=  \d+ [HLM*] |  …|\n|$)", self.key, re.M):
            entries[int(m.group(1))] = (m.group(2), re.findall(r"(?<![\w])C\d+\b|S\d+\b", m.group(3)))
        return entries

    def counted(self) -> int:
        """Sites the key counts rather than names ("… 7 more sites", "2 sites too close together")."""
        more = sum(int(n) for n in re.findall(r"… (\d+) more sites?", self.key))
        return more + sum(int(n) for n in re.findall(r"(\d+) sites? too close together", self.key))


def check_labels(drawn: Drawn, names: dict[str, str], marks: dict[str, str]) -> list[tuple[int, int, int]]:
    """Each site drawn on the canvas is there once, its label whole up to its ellipsis (nothing
    drawn over it), beside its own group's mark; returns the label runs (row, start, stop)."""
    runs = []
    seen = set()
    for row, col, site in drawn.names(list(names)):
        assert site not in seen, f"{site} drawn twice"
        seen.add(site)
        line = drawn.canvas[row]
        rest, expected = line[col:], names[site]
        cut = rest[: rest.find("…")] if "…" in rest[: len(expected)] else None
        if rest.startswith(expected):
            stop = col + len(expected)  # the name in full
        elif cut is not None and expected.startswith(cut) and len(cut) > len(site):
            stop = col + len(cut) + 1  # the name up to an ellipsis
        else:
            stop = col + len(site)  # the id alone (a crowded plot)
            assert line[stop : stop + 1] in (" ", "…", ""), (site, rest)
        plus = re.match(r" \+\d+", line[stop:])
        stop += plus.end() if plus else 0
        if col >= 2 and line[col - 1] == " " and line[col - 2] in MARKS:
            mark = line[col - 2]  # "H C3 …": right of its mark
        else:
            assert line[stop] == " " and line[stop + 1] in MARKS, (site, line)  # "C3 … H": left of it
            mark = line[stop + 1]
        assert mark == marks[site] or (plus and mark == "*"), (site, mark, line)
        runs.append((row, col, stop))
    return runs


def site_marks(app) -> dict[str, str]:
    split = app.comparison.split
    return {s: GROUP_MARK[split.group_of(s)] for s in (x.id for x in app.study.sites)}


def check_numbers(drawn: Drawn, runs, marks: dict[str, str]) -> dict[int, tuple[str, list[str]]]:
    """Every number drawn beside a mark is in the key with that mark and a site of that group (the
    key may stop early and count the rest); the key names no number the plot does not draw."""
    numbers, key = drawn.numbers(runs), drawn.key_entries()
    assert set(key) <= set(numbers), (key, numbers)
    assert sorted(numbers) == list(range(1, len(numbers) + 1))
    if set(key) != set(numbers):
        assert drawn.counted(), drawn.key
    for n, (mark, sites) in key.items():
        assert numbers[n] == mark, (n, mark, numbers[n])
        assert sites and all(mark in (marks[s], "*") for s in sites), (n, mark, sites)
    return key


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_close_sites_with_long_labels_never_overwrite_each_other(tmp_path, size):
    app = CrosscaseApp(close_study(tmp_path, 12))
    async with app.run_test(size=size) as pilot:
        plot = await open_scatter(pilot, size)
        drawn = Drawn(plot)
        marks = site_marks(app)
        names = {s: f"{s} {shown(LONG.format(i=int(s[1:])))}" for s in marks}
        runs = check_labels(drawn, names, marks)
        assert len(runs) >= 4  # the highest, the lowest, and more
        check_numbers(drawn, runs, marks)
        text = screen_text(app)
        assert "C11 [b]Community" in text  # the highest outcome: labelled, literally (no bold, no markup eaten)
        assert "\x1b" not in text


SPREAD = dict(dose=lambda i: 3.0 + 0.001 * i)  # 30 sites on two lines, a few cells apart
CLUSTER = dict(dose=lambda i: 3.0 + 0.001 * i if i < 29 else 3.15)  # 29 of them in a few cells, one far off


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("shape", [SPREAD, CLUSTER], ids=["spread", "cluster"])
async def test_each_site_is_labelled_numbered_or_counted(tmp_path, size, shape):
    folder = close_study(tmp_path, 30, label=lambda i: f"Site {i}", outcome=lambda i: 0.5 + 0.001 * (i % 2), **shape)
    app = CrosscaseApp(folder)
    async with app.run_test(size=size) as pilot:
        plot = await open_scatter(pilot, size)
        drawn = Drawn(plot)
        marks = site_marks(app)
        runs = check_labels(drawn, {s: f"{s} Site {s[1:]}" for s in marks}, marks)
        key = check_numbers(drawn, runs, marks)
        on_plot = {site for _, _, site in drawn.names(list(marks))}
        plus = sum(int(n) for line in drawn.canvas for n in re.findall(r" \+(\d+)", line))
        in_key = [s for _, sites in key.values() for s in sites]
        assert not on_plot & set(in_key) and len(in_key) == len(set(in_key))
        assert len(on_plot) + plus + len(in_key) + drawn.counted() == 30, (drawn.canvas, drawn.key)
        if shape is CLUSTER:
            assert drawn.counted() and "too close together to label" in drawn.key
        if size == (80, 24):
            assert key  # too close for a name each: numbers, and the key says whose


async def test_two_sites_are_both_labelled_in_full(study_shapes):
    shape = study_shapes["two-sites"]
    app = CrosscaseApp(shape.folder)
    async with app.run_test(size=(120, 40)) as pilot:
        plot = await open_scatter(pilot, (120, 40))
        drawn = Drawn(plot)
        marks = site_marks(app)
        names = {s: f"{s} {shown(shape.labels[s])}" for s in shape.ids}
        assert len(check_labels(drawn, names, marks)) == 2
        canvas = "\n".join(drawn.canvas)
        assert all(name in canvas for name in names.values())
        assert not drawn.key.strip()  # nothing numbered: no key


async def test_2000_sites_label_the_extremes_and_overwrite_nothing(study_shapes):
    shape = study_shapes["big-2000"]
    app = CrosscaseApp(shape.folder)
    async with app.run_test(size=(120, 40)) as pilot:
        plot = await open_scatter(pilot, (120, 40))
        drawn = Drawn(plot)
        marks = site_marks(app)
        names = {s: f"{s} {shown(shape.labels[s])}" for s in shape.ids}
        runs = check_labels(drawn, names, marks)
        key = check_numbers(drawn, runs, marks)
        assert 1 <= len(runs) + len(key) <= 4  # the extremes only: 2,000 labels would cover every mark
        shown_sites = {site for _, _, site in drawn.names(list(names))} | {s for _, ss in key.values() for s in ss}
        highest = max((v, s) for s, v in shape.values.items() if v is not None)[1]
        assert highest in shown_sites or drawn.counted()
        assert sum(line.count(m) for line in drawn.canvas for m in MARKS) > 100  # the sites are all marked


@pytest.mark.parametrize("seed", range(20))
def test_the_layout_puts_nothing_over_anything(seed):
    """Random clusters: no two runs (marks, labels, numbers) share a cell, and every spot keeps its mark."""
    rng = random.Random(seed)
    cols, rows = rng.choice([(40, 6), (72, 14), (110, 9)])
    centre = rng.random()
    points = [
        Point(
            centre + rng.gauss(0, 0.02),
            rng.gauss(0, 1) * rng.choice([0.01, 1]),
            rng.choice(["high", "low"]),
            f"X{i}",
            "L" * rng.randint(0, 30),
        )
        for i in range(rng.randint(2, 60))
    ]
    xs, ys = [p.x for p in points], [p.y for p in points]
    spots = spots_of(points, (min(xs) - 0.01, max(xs) + 0.01), (min(ys) - 0.01, max(ys) + 0.01), cols, rows)
    layout = lay_out(spots, cols, rows, 30)
    used: dict[tuple[int, int], str] = {}
    for col, row, text, _ in layout.runs:
        assert col >= 0 and col + len(text) <= cols and 0 <= row < rows
        for c in range(col, col + len(text)):
            assert (c, row) not in used, (text, used[(c, row)])
            used[(c, row)] = text
    for s in spots:
        assert used[(s.col, s.row)] in ("H", "L", "*")
    assert sum(len(s.points) for s in spots) == len(points)
