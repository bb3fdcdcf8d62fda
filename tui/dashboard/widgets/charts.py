"""Inline charts drawn with plain Unicode text: bars and dot strips that fit in a table cell."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from cases.escape import shorten
from cases.model import is_number
from tui.dashboard.widgets.palette import GROUP_MARK

EIGHTHS = " ▏▎▍▌▋▊▉█"
SEVERAL = "*"


def bar(value: float | None, lo: float | None, hi: float | None, width: int) -> str:
    """A horizontal bar of ``width`` cells for ``value`` on the scale lo..hi (blank when undefined)."""
    if value is None or lo is None or hi is None or width <= 0:
        return " " * max(width, 0)
    span = hi - lo
    fraction = 1.0 if span <= 0 else min(max((value - lo) / span, 0.0), 1.0)
    eighths = round(fraction * width * 8)
    if fraction > 0 and eighths == 0:
        eighths = 1
    full, part = divmod(eighths, 8)
    text = "█" * full + (EIGHTHS[part] if part else "")
    return text.ljust(width)


def position(value: float, lo: float, hi: float, width: int) -> int:
    if hi <= lo:
        return width // 2
    return min(max(round((value - lo) / (hi - lo) * (width - 1)), 0), width - 1)


def numbers(values: Iterable[object]) -> list[float]:
    return [float(v) for v in values if is_number(v)]


def scale(values: Iterable[object]) -> tuple[float | None, float | None]:
    """The lowest and the highest number among ``values`` (None, None when there is none)."""
    nums = numbers(values)
    return (min(nums), max(nums)) if nums else (None, None)


def bar_scale(values: Iterable[object]) -> tuple[float | None, float | None]:
    """The scale of bars for ``values``: from zero to the highest, when no value is below zero.

    A bar's length is then proportional to its value (35 participants draw about 60% of 57's bar,
    not nothing). With a value below zero the bars start at the lowest value instead, and the
    caller says so (``baseline_note``). Every value zero: the scale 0..1, so that no bar is drawn.
    """
    lo, hi = scale(values)
    if lo is None or hi is None:
        return None, None
    if lo >= 0:
        return 0.0, (hi if hi > 0 else 1.0)
    return lo, hi


def baseline_note(lo: float | None, digits: int = 2) -> str:
    """Where bars start, in words: "" for zero (the usual), else "bars from -2.00"."""
    if lo is None or lo == 0:
        return ""
    return f"bars from {lo:.{digits}f}"


_BITS = {"high": 1, "low": 2, "middle": 4}


def strip(points: Iterable[tuple[object, str]], width: int, styles: dict[str, str]) -> Text:
    """A dot strip: one cell per position on the common scale, marked H, L or M by group.

    ``points`` are (value, group) pairs; a cell holding sites of more than one group shows ``*``.
    Non-numeric values (suppressed counts) are left out.
    """
    pts = [(v, g) for v, g in points if v.__class__ is float or is_number(v)]
    if not pts:
        return Text("(no values)".ljust(width)[:width], style="dim", end="")
    lo, hi = min(v for v, _ in pts), max(v for v, _ in pts)
    cells = [0] * width  # per cell, a bit for each group found there
    bit_of = dict(_BITS)
    factor = (width - 1) / (hi - lo) if hi > lo else 0.0
    for v, g in pts:
        bit = bit_of.get(g) or bit_of.setdefault(g, 1 << len(bit_of))
        cells[int((v - lo) * factor + 0.5) if factor else width // 2] |= bit
    group_of = {bit: g for g, bit in bit_of.items()}
    out = Text(end="", no_wrap=True)
    for bits in cells:
        if not bits:
            out.append("·", style="dim")
        elif bits & (bits - 1):  # more than one group
            out.append(SEVERAL, style="bold")
        else:
            g = group_of[bits]
            out.append(GROUP_MARK.get(g, "?"), style=styles.get(g, ""))
    return out


def marker_strip(values: Iterable[float], mine: float | None, width: int, style: str) -> Text:
    """A strip of every site's value (·) with this site's value marked ◆."""
    nums = numbers(values)
    if not nums or mine is None:
        return Text("(no value)".ljust(width)[:width], style="dim", end="")
    lo, hi = min(nums), max(nums)
    cells = [" "] * width
    for v in nums:
        cells[position(v, lo, hi, width)] = "·"
    at = position(mine, lo, hi, width)
    out = Text("".join(cells[:at]), style="dim", end="", no_wrap=True)
    out.append("◆", style=style)
    out.append("".join(cells[at + 1 :]), style="dim")
    return out


# -- scatter labels --------------------------------------------------------------------------------
# The Sites screen's scatter: plotext draws the frame, the axes and their ticks; the marks and the
# labels are laid out here, cell by cell, so that no label is drawn over another label or over a mark.
# A point whose label finds no room gets a number next to its mark, and the key under the plot says
# which site each number is.

LABEL_CELLS = (20, 10)  # a label is tried at these lengths (then the id alone), right of its mark then left


@dataclass(frozen=True)
class Point:
    """One site on the scatter: its values, its group's mark and its label (data text)."""

    x: float
    y: float
    group: str
    site: str
    label: str


@dataclass
class Spot:
    """The sites that fall in one cell of the canvas (one mark; ``*`` when of several groups)."""

    col: int
    row: int  # from the top of the canvas
    points: list[Point] = field(default_factory=list)

    @property
    def mark(self) -> str:
        groups = {p.group for p in self.points}
        return GROUP_MARK.get(self.points[0].group, "?") if len(groups) == 1 else SEVERAL

    @property
    def group(self) -> str | None:
        groups = {p.group for p in self.points}
        return self.points[0].group if len(groups) == 1 else None


@dataclass
class Layout:
    """What goes on the canvas: (col, row, text, group) runs, and the numbered spots for the key."""

    runs: list[tuple[int, int, str, str | None]]
    numbered: list[tuple[int, Spot]]
    crowded: int  # sites (in spots to be labelled) that found room for neither a label nor a number

    @property
    def mixed(self) -> bool:
        """Is a mark ``*`` (sites of several groups in one cell)? The key then says what it means."""
        return any(group is None and text == SEVERAL for *_, text, group in self.runs)

    @property
    def keyed(self) -> bool:
        """Has the plot a key to show under it?"""
        return bool(self.numbered or self.crowded or self.mixed)


def limits(values: list[float], pad: float = 0.04) -> tuple[float, float]:
    """An axis' range: the values' own, widened by ``pad`` of it (by 1 when every value is the same)."""
    lo, hi = min(values), max(values)
    span = hi - lo
    if span <= 0:
        return lo - 1.0, hi + 1.0
    return lo - pad * span, hi + pad * span


def spots_of(points: list[Point], xlim: tuple[float, float], ylim: tuple[float, float], cols: int, rows: int):
    """The points gathered by the cell they fall in (row 0 is the canvas' top line), each value's cell
    rounded as plotext places its ticks, so that a mark is where the axes say."""
    spots: dict[tuple[int, int], Spot] = {}
    fx, fy = (cols - 1) / (xlim[1] - xlim[0]), (rows - 1) / (ylim[1] - ylim[0])
    x0, y0, floor = xlim[0], ylim[0], math.floor
    for p in points:
        col = min(max(floor(round(0.5 + fx * (p.x - x0), 8)), 0), cols - 1)
        row = rows - 1 - min(max(floor(round(0.5 + fy * (p.y - y0), 8)), 0), rows - 1)
        spot = spots.get((col, row))
        if spot is None:
            spot = spots[(col, row)] = Spot(col, row)
        spot.points.append(p)
    return list(spots.values())


def label_order(spots: list[Spot], limit: int) -> list[Spot]:
    """The spots to label, most telling first: the sites of the highest and lowest outcome (y), then
    of the highest and lowest x (each put first in its spot, so that its name is the one shown), then
    the others from the top; only those four when there are more than ``limit``."""
    if not spots:
        return []
    first: list[Spot] = []
    for value, pick in ((lambda p: p.y, max), (lambda p: p.y, min), (lambda p: p.x, max), (lambda p: p.x, min)):
        spot, point = pick(((s, p) for s in spots for p in s.points), key=lambda sp: value(sp[1]))
        if all(spot is not f for f in first):
            spot.points.remove(point)
            spot.points.insert(0, point)
            first.append(spot)
    if len(spots) > limit:
        return first
    return first + [s for s in sorted(spots, key=lambda s: (s.row, s.col)) if all(s is not f for f in first)]


def site_name(p: Point) -> str:
    """``S4 Harrowfield``: the id (unique, where labels may not be) and the label, when it has one."""
    return p.site if not p.label or p.label == p.site else f"{p.site} {p.label}"


def spot_names(spot: Spot) -> list[str]:
    """The labels a spot may have, longest first: its first site's name cut to each of LABEL_CELLS,
    then its id alone; with ``+2`` for the other sites in the same cell."""
    head = spot.points[0]
    more = f" +{len(spot.points) - 1}" if len(spot.points) > 1 else ""
    names = [fit(site_name(head), max(cells - len(more), 1)) + more for cells in LABEL_CELLS]
    names.append(fit(head.site, LABEL_CELLS[-1]) + more)
    return list(dict.fromkeys(names))


def fit(text: str, cells: int) -> str:
    """``text`` (data: cleaned, shown literally) cut to ``cells`` terminal cells with an ellipsis."""
    short = shorten(text, cells)
    if cell_len(short) > cells:  # wide characters
        out = Text(short)
        out.truncate(cells, overflow="ellipsis")
        short = out.plain
    return short


def lay_out(spots: list[Spot], cols: int, rows: int, limit: int) -> Layout:
    """Every spot's mark, then a label for each spot in ``label_order`` where it fits (never over a
    mark or another label, with a blank cell between it and the next), else a number, else it is
    crowded out."""
    taken = [[False] * cols for _ in range(rows)]
    runs: list[tuple[int, int, str, str | None]] = []
    for s in spots:
        taken[s.row][s.col] = True
        runs.append((s.col, s.row, s.mark, s.group))

    def free(row: int, start: int, width: int) -> bool:
        line = taken[row]
        return start >= 0 and start + width <= cols and not any(line[start : start + width])

    def put(s: Spot, name: str, gap: str) -> bool:
        """``name`` right of the mark (``H name``), else left of it (``name H``), ``gap`` between."""
        width = cell_len(name) + len(gap)
        for start, text, margin in (
            (s.col + 1, gap + name, s.col + 1 + width),
            (s.col - width, name + gap, s.col - width - 1),
        ):
            inside = 0 <= margin < cols  # a blank cell between this label and the next mark or label
            if free(s.row, start, width) and (not inside or not taken[s.row][margin]):
                for c in range(start, start + width):
                    taken[s.row][c] = True
                if inside:
                    taken[s.row][margin] = True
                runs.append((start, s.row, text, s.group))
                return True
        return False

    numbered: list[tuple[int, Spot]] = []
    crowded = 0
    for s in label_order(spots, limit):
        if any(put(s, name, " ") for name in spot_names(s)):
            continue
        if put(s, str(len(numbered) + 1), ""):
            numbered.append((len(numbered) + 1, s))
        else:
            crowded += len(s.points)
    return Layout(runs, numbered, crowded)


def pack(entries: list[Text], width: int) -> list[Text]:
    """Entries laid on lines of ``width`` cells, two spaces apart."""
    out: list[Text] = []
    line = Text(end="", no_wrap=True)
    for entry in entries:
        if line.cell_len and line.cell_len + 2 + entry.cell_len > width:
            out.append(line)
            line = Text(end="", no_wrap=True)
        if line.cell_len:
            line.append("  ")
        line.append_text(entry)
    if line.cell_len:
        out.append(line)
    return out


def key_lines(layout: Layout, width: int, lines: int, styles: dict[str, str]) -> list[Text]:
    """The key under the plot: ``3 H S4 Harrowfield`` for each numbered spot (every site in it), what
    ``*`` means when a cell holds sites of several groups, and how many were too close to label,
    in at most ``lines`` lines of ``width`` cells; the sites that do not fit are counted on the last
    line ("… 7 more sites: the table lists every site")."""
    entries: list[Text] = []
    if layout.mixed:
        entries.append(Text(f"{SEVERAL} sites of several groups", style="dim", end=""))
    legend = len(entries)
    for n, s in layout.numbered:
        names = ", ".join(site_name(p) for p in s.points)
        entry = Text(f"{n} {s.mark} ", style=styles.get(s.group or "", "bold"), end="")
        entry.append(fit(names, max(min((width - 2) // 2, 40) - entry.cell_len, 4)))
        entries.append(entry)
    sites = [0] * legend + [len(s.points) for _, s in layout.numbered]
    crowd = [Text(f"{layout.crowded} {sites_word(layout.crowded)} too close together to label", style="dim", end="")]
    packed = pack(entries + (crowd if layout.crowded else []), width)
    keep = len(entries)
    while len(packed) > lines and keep > legend:
        keep -= 1
        more = sum(sites[keep:]) + layout.crowded
        tail = Text(f"… {more} more {sites_word(more)}: the table lists every site", style="dim", end="")
        packed = pack([*entries[:keep], tail], width)
    return packed[:lines]


def sites_word(count: int) -> str:
    return "site" if count == 1 else "sites"


def canvas_of(lines: list[str]) -> tuple[int, int, int, int] | None:
    """The canvas of a plotext plot, from its frame: (first column, end column, first line, end line),
    or None when the plot is too small to have one."""
    top = next((i for i, line in enumerate(lines) if "┌" in line and "┐" in line), None)
    bottom = next((i for i, line in enumerate(lines) if "└" in line and "┘" in line), None)
    if top is None or bottom is None or bottom - top < 2:
        return None
    first, end = lines[bottom].index("└") + 1, lines[bottom].rindex("┘")
    if end - first < 2 or lines[top].find("┌") != first - 1:
        return None
    return first, end, top + 1, bottom


def canvas_background(line: Text, at: int) -> Style:
    """The background colour plotext gave the cell ``at`` of ``line`` (its canvas colour)."""
    found = Style.combine(
        [
            Style.parse(span.style) if isinstance(span.style, str) else span.style
            for span in line.spans
            if span.start <= at < span.end
        ]
    )
    return Style(bgcolor=found.bgcolor)


def overlay(lines: list[Text], canvas: tuple[int, int, int, int], layout: Layout, styles: dict[str, str]) -> None:
    """Draw the layout's marks and labels over the canvas of ``lines`` (in place): each canvas line
    is made again from its cells, on the canvas' own background; the text is never read as markup."""
    first, end, top, _ = canvas
    by_row: dict[int, list[tuple[int, str, str | None]]] = {}
    for col, row, text, group in layout.runs:
        by_row.setdefault(row, []).append((col, text, group))
    parsed: dict[str | None, Style] = {}
    for row, runs in by_row.items():
        line = lines[top + row]
        background = canvas_background(line, first)
        middle = Text(end="", no_wrap=True)
        at = 0
        for col, text, group in sorted(runs, key=lambda r: r[0]):
            middle.append(" " * (col - at), style=background)
            style = parsed.get(group) or parsed.setdefault(group, Style.parse(styles.get(group or "", "bold")))
            middle.append(text, style=background + style)
            at = col + cell_len(text)
        middle.append(" " * (end - first - at), style=background)
        lines[top + row] = line[:first] + middle + line[end:]
