"""Grid scenes as coloured text, scaled to the space the view has."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style

from rltui.envs.scenes import CURSOR_GLYPH, GridScene
from rltui.envs.valuemap import ValueMap
from rltui.ui.render.palette import BORDER, CAPTION, cell_style

# (cell width, cell height) from largest to smallest: roughly square on screen.
_CELL_SIZES = ((9, 4), (7, 3), (5, 2), (3, 1), (2, 1), (1, 1))
AGENT_GLYPH = {
    "agent": "☺",
    "agent_loaded": "☺",
    "agent_east": "▶",
    "agent_south": "▼",
    "agent_west": "◀",
    "agent_north": "▲",
}
# Cells drawn with a texture, so they read without colour too.
FILL = {"cliff": "░", "wall_cell": "▒"}


def grid_size(scene: GridScene, cell_w: int, cell_h: int) -> tuple[int, int]:
    """Width and height in cells of the drawn grid, border included."""
    rows, cols = scene.shape
    gap = 1 if scene.east_walls else 0
    return cols * cell_w + (cols - 1) * gap + 2, rows * cell_h + 2


def choose_cell_size(scene: GridScene, width: int, height: int) -> tuple[int, int]:
    """The largest cell size whose grid (plus caption and legend lines) fits."""
    extra = 2 if scene.caption else 0
    extra += 2 if scene.legend else 0
    for cell_w, cell_h in _CELL_SIZES:
        w, h = grid_size(scene, cell_w, cell_h)
        if w <= width and h + extra <= height:
            return cell_w, cell_h
    for cell_w, cell_h in _CELL_SIZES:  # the grid first: legend and caption give way
        w, h = grid_size(scene, cell_w, cell_h)
        if w <= width and h <= height:
            return cell_w, cell_h
    return _CELL_SIZES[-1]


ARROWS = {"up": "↑", "north": "↑", "down": "↓", "south": "↓", "left": "←", "west": "←", "right": "→", "east": "→"}


NAMED = {"turn left": "↺", "turn right": "↻", "forward": "⇡", "pick up": "P", "drop": "D", "toggle": "O", "done": "✓"}
"""MiniGrid's actions, whose initials would clash (Turn left, Turn right, Toggle)."""


def action_glyphs(action_names: tuple[str, ...]) -> tuple[str, ...]:
    """An arrow for each move, the initial for anything else (P for Pickup)."""
    return tuple(ARROWS.get(name.lower()) or NAMED.get(name.lower()) or name[:1].upper() for name in action_names)


def value_style(value: float, lo: float, hi: float) -> Style:
    """Red (low V) through amber to green (high V)."""
    t = 0.5 if hi <= lo else (value - lo) / (hi - lo)
    low, mid, high = (150, 40, 40), (170, 130, 30), (40, 140, 60)
    a, b, u = (low, mid, t * 2) if t < 0.5 else (mid, high, t * 2 - 1)
    rgb = tuple(int(x + (y - x) * u) for x, y in zip(a, b))
    return Style(color="white", bgcolor=Color.from_rgb(*rgb), bold=True)


VIEWS = ("arrows", "numbers", "q")
"""How a value map draws each cell: V(s) as colour with the greedy action's glyph; V(s) as a
number; Q(s, a) per action (CS188's Q-triangles: up at the top, left at the left ...)."""
VIEW_NAMES = {"arrows": "V(s) and the greedy action", "numbers": "V(s) in numbers", "q": "Q(s,a) per action"}
_COMPASS = {"↑": "top", "↓": "bottom", "←": "left", "→": "right"}


def _fixed(x: float, decimals: int, drop_zero: bool) -> str:
    """``x`` with ``decimals`` decimals (``.85`` for ``0.85`` with ``drop_zero``); a value that
    rounds to zero is ``0``."""
    text = f"{x:.{decimals}f}"
    if float(text) == 0:
        return "0"
    if drop_zero and text.startswith(("0.", "-0.")):
        text = text.replace("0.", ".", 1)
    return text


def _short(x: float, width: int) -> str:
    """``x`` as ``1e3``, or dots where not even that fits."""
    if not math.isfinite(x):
        text = "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
        return text if len(text) <= width else "·" * max(1, width)
    short = f"{x:.0e}".replace("e+0", "e").replace("e-0", "e-")
    return short if len(short) <= width else "·" * max(1, width)


def number_format(values: Iterable[float], width: int) -> Callable[[float], str]:
    """One way to write every number of a value map in at most ``width`` characters: the most
    decimals with which all of ``values`` fit, the same for each (``.893`` beside ``.720``, never
    beside ``0.72``); a leading ``0.`` written ``.`` only when that is what makes them fit. A
    number that fits no fixed form is written ``1e3``."""
    finite = [float(v) for v in values if math.isfinite(v)]
    for decimals in (3, 2, 1, 0):
        for drop_zero in (False, True):
            if all(len(_fixed(v, decimals, drop_zero)) <= width for v in finite):
                return functools.partial(_written, decimals=decimals, drop_zero=drop_zero, width=width)
    return functools.partial(_written, decimals=0, drop_zero=False, width=width)


def _written(x: float, decimals: int, drop_zero: bool, width: int) -> str:
    """``x`` in the fixed form, or the short one when it does not fit ``width``."""
    if math.isfinite(x):
        text = _fixed(x, decimals, drop_zero)
        if len(text) <= width:
            return text
    return _short(x, width)


def fit_number(x: float, width: int) -> str:
    """``x`` alone in at most ``width`` characters, as precise as fits (0.853, .85, -13, 1e3)."""
    return number_format([x], width)(x)


class _Cells:
    """What one value-map view draws in a cell: a list of (text, style) per line."""

    def __init__(
        self,
        values: ValueMap,
        view: str,
        glyphs: tuple[str, ...],
        cell_w: int,
        cell_h: int,
        lo: float,
        hi: float,
        shown: np.ndarray | None = None,
    ) -> None:
        self.values, self.view, self.glyphs = values, view, glyphs
        self.cell_w, self.cell_h, self.lo, self.hi = cell_w, cell_h, lo, hi
        sides = [_COMPASS.get(g) for g in glyphs]
        self.compass = (
            view == "q"
            and cell_h >= 3
            and cell_w >= 3
            and len(glyphs) == 4
            and sorted(s for s in sides if s) == ["bottom", "left", "right", "top"]
        )
        self.sides = sides
        self.banded = view == "q" and not self.compass and 0 < len(glyphs) <= cell_w
        # Every number on the map in one format, fitting its narrowest place: the numbers view's
        # cells (a space between neighbours), or the compass's sides (top and bottom are wider).
        self._room = (cell_w - 1 if cell_w > 3 else cell_w) if view == "numbers" else (cell_w - 3) // 2
        self._shown = shown

    @functools.cached_property
    def number(self) -> Callable[[float], str]:
        """The map's one number format: made once, and only by a view that writes numbers."""
        shown = self._shown
        return number_format([] if shown is None else shown.ravel().tolist(), max(1, self._room))

    def line(self, r: int, c: int, line: int, avatar: str | None = None) -> list[Segment]:
        """Line ``line`` of cell (r, c); ``avatar``: the agent stands there (drawn as it is in a
        scene: the whole cell in the arrows view, else a line of its own above the middle, or
        in the middle of a compass)."""
        w, h, mid = self.cell_w, self.cell_h, self.cell_h // 2
        if avatar is not None and not self.compass:
            if self.view == "arrows" or h == 1 or line == mid - 1:
                glyph = AGENT_GLYPH.get(avatar, "☺")
                top = self.view != "arrows" and h > 1
                return [Segment(glyph.center(w) if line == mid or top else " " * w, cell_style(avatar))]
        v = float(self.values.values[r, c])
        if self.view == "numbers" or (self.view == "q" and not (self.compass or self.banded)):
            style = value_style(v, self.lo, self.hi) if math.isfinite(v) else cell_style("floor")
            if self.view == "q":
                text = self.glyphs[self.values.greedy[r, c]] if self.glyphs else " "
                return [Segment(text.center(w) if line == mid else " " * w, style)]
            return [Segment(self.number(v).center(w) if line == mid else " " * w, style)]
        if self.view == "arrows":
            style = value_style(v, self.lo, self.hi) if math.isfinite(v) else cell_style("floor")
            glyph = self.glyphs[self.values.greedy[r, c]] if self.glyphs else " "
            return [Segment(glyph.center(w) if line == mid else " " * w, style)]
        q = self.values.q[r, c] if self.values.q is not None else np.full(len(self.glyphs), np.nan)
        if self.banded:
            n = len(self.glyphs)
            inner = w - 1 if w > n else w  # a space between neighbours' bands
            widths = [inner // n + (1 if i < inner % n else 0) for i in range(n)]
            bands = [
                Segment((g if line == mid else " ").center(k), self._style(q[a]))
                for a, (g, k) in enumerate(zip(self.glyphs, widths))
            ]
            return bands + ([Segment(" ", cell_style("floor"))] if inner < w else [])
        # The compass: each move's Q on the side it leads to.
        floor = cell_style("floor")
        number = w >= 9
        at = {side: a for a, side in enumerate(self.sides)}
        if line in (0, h - 1):
            a = at["top" if line == 0 else "bottom"]
            text = self.number(q[a]) if number else self.glyphs[a]
            left = (w - len(text)) // 2
            return [
                Segment(" " * left, floor),
                Segment(text, self._style(q[a])),
                Segment(" " * (w - left - len(text)), floor),
            ]
        if line != mid:
            return [Segment(" " * w, floor)]
        a, b = at["left"], at["right"]
        left = self.number(q[a]) if number else self.glyphs[a]
        right = self.number(q[b]) if number else self.glyphs[b]
        edge = 1 if number else 0
        gap = w - len(left) - len(right) - 2 * edge
        middle = [Segment(" " * gap, floor)]
        if avatar is not None and gap >= 1:
            before = (gap - 1) // 2
            middle = [
                Segment(" " * before, floor),
                Segment(AGENT_GLYPH.get(avatar, "☺"), cell_style(avatar)),
                Segment(" " * (gap - 1 - before), floor),
            ]
        pad = [Segment(" " * edge, floor)] if edge else []
        return [*pad, Segment(left, self._style(q[a])), *middle, Segment(right, self._style(q[b])), *pad]

    def _style(self, x: float) -> Style:
        return value_style(x, self.lo, self.hi) if math.isfinite(x) else cell_style("floor")


def render_grid(
    scene: GridScene,
    width: int,
    height: int,
    values: ValueMap | None = None,
    glyphs: tuple[str, ...] = (),
    view: str = "arrows",
) -> list[list[Segment]]:
    """Draw ``scene`` to fit ``width x height`` cells, as lines of segments; with ``values``,
    as a value map in one of :data:`VIEWS`. Cells with no value (walls, holes, the cliff, the
    goal) are drawn as what they are.

    Segments straight away, not a rich Text: this runs on every frame of a training agent.
    """
    lo = hi = 0.0
    cells: _Cells | None = None
    cell_w, cell_h = choose_cell_size(scene, width, height)
    if values is not None:
        drawn = np.array([[cell.has_value for cell in row] for row in scene.cells])
        if view == "q" and values.q is not None:
            shown = values.q[drawn]
        else:
            shown = values.values[drawn]
        finite = shown[np.isfinite(shown)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
        cells = _Cells(values, view, glyphs, cell_w, cell_h, lo, hi, finite)
    rows, cols = scene.shape
    gap = 1 if scene.east_walls else 0
    inner_w = cols * cell_w + (cols - 1) * gap
    side = Segment("│", BORDER)
    lines: list[list[Segment]] = [[Segment("╭" + "─" * inner_w + "╮", BORDER)]]
    for r in range(rows):
        for line in range(cell_h):
            segments = [side]
            for c in range(cols):
                cell = scene.cells[r][c]
                kind, glyph = cell.kind, cell.glyph
                middle = line == cell_h // 2
                here = (r, c) == scene.agent
                valued = cells is not None and cell.has_value and not math.isnan(values.values[r, c])
                if valued:
                    segments += cells.line(r, c, line, scene.avatar if here else None)
                elif here and scene.avatar == "cursor":  # the map editor's: the cell shows through
                    shown = glyph if glyph.strip() else FILL.get(kind, CURSOR_GLYPH)
                    text = shown[:cell_w].center(cell_w) if middle else " " * cell_w
                    segments.append(Segment(text, cell_style("cursor")))
                elif here:
                    kind = scene.avatar
                    text = AGENT_GLYPH.get(kind, "☺").center(cell_w) if middle else " " * cell_w
                    segments.append(Segment(text, cell_style(kind)))
                else:
                    fill = FILL.get(kind, " ")
                    if len(glyph) > cell_w:  # an exit's reward in a narrow cell: its sign
                        glyph = glyph[0]
                    text = glyph.center(cell_w, fill) if middle and glyph != " " else fill * cell_w
                    segments.append(Segment(text, cell_style(kind)))
                if gap and c < cols - 1:
                    wall = (r, c) in scene.east_walls
                    segments.append(Segment("┃" if wall else " ", cell_style("wall" if wall else "floor")))
            segments.append(side)
            lines.append(segments)
    lines.append([Segment("╰" + "─" * inner_w + "╯", BORDER)])
    if values is not None:
        label = values.q_label if view == "q" else "V(s)"
        lines += [
            [],
            [
                Segment(f"{label} ", Style(bold=True)),
                Segment(f" {lo:.2f} ", value_style(lo, lo, hi)),
                Segment(" … "),
                Segment(f" {hi:.2f} ", value_style(hi, lo, hi)),
            ],
            [Segment(_view_caption(view, cells), CAPTION)],
        ]
        return lines
    room = height - len(lines)
    if scene.caption and room >= 2:
        lines += [[], [Segment(scene.caption, CAPTION)]]
        room -= 2
    if scene.legend and room >= 2:
        legend: list[Segment] = []
        for i, (glyph, kind, meaning) in enumerate(scene.legend):
            if i:
                legend.append(Segment("  "))
            shown = AGENT_GLYPH.get(kind, glyph if glyph != " " else FILL.get(kind, " "))
            legend += [Segment(f" {shown} ", cell_style(kind)), Segment(f" {meaning}")]
        lines += [[], legend]
    return lines


def _view_caption(view: str, cells: _Cells | None) -> str:
    if view == "numbers":
        text = "numbers: V(s)"
    elif view == "q" and cells is not None and cells.compass:
        text = "each move's value on the side it leads to"
    elif view == "q" and cells is not None and cells.banded:
        text = "a band per action: " + " ".join(cells.glyphs)
    elif view == "q":
        text = "too small for a band per action: the greedy one"
    else:
        text = "arrows: the greedy action"
    return text + "   v: next view"
