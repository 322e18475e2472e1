"""Grid scenes as coloured text, scaled to the space the view has."""

from __future__ import annotations

import math

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style

from rltui.core.scenes import GridScene
from rltui.core.valuemap import ValueMap
from rltui.ui.render.palette import BORDER, CAPTION, cell_style

# (cell width, cell height) from largest to smallest: roughly square on screen.
_CELL_SIZES = ((9, 4), (7, 3), (5, 2), (3, 1), (2, 1), (1, 1))
AGENT_GLYPH = {"agent": "☺", "agent_loaded": "☺"}
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


ARROWS = {"up": "↑", "north": "↑", "down": "↓", "south": "↓", "left": "←", "west": "←",
          "right": "→", "east": "→"}


def action_glyphs(action_names: tuple[str, ...]) -> tuple[str, ...]:
    """An arrow for each move, the initial for anything else (P for Pickup)."""
    return tuple(ARROWS.get(name.lower(), name[:1].upper()) for name in action_names)


def value_style(value: float, lo: float, hi: float) -> Style:
    """Red (low V) through amber to green (high V)."""
    t = 0.5 if hi <= lo else (value - lo) / (hi - lo)
    low, mid, high = (150, 40, 40), (170, 130, 30), (40, 140, 60)
    a, b, u = (low, mid, t * 2) if t < 0.5 else (mid, high, t * 2 - 1)
    rgb = tuple(int(x + (y - x) * u) for x, y in zip(a, b))
    return Style(color="white", bgcolor=Color.from_rgb(*rgb), bold=True)


def render_grid(scene: GridScene, width: int, height: int, values: ValueMap | None = None,
                glyphs: tuple[str, ...] = ()) -> list[list[Segment]]:
    """Draw ``scene`` to fit ``width x height`` cells, as lines of segments; with ``values``,
    as a value map: V(s) as the cell colour and the greedy action's glyph in each cell.

    Segments straight away, not a rich Text: this runs on every frame of a training agent.
    """
    finite = np.array([])
    if values is not None:
        drawn = np.array([[cell.has_value for cell in row] for row in scene.cells])
        finite = values.values[drawn & np.isfinite(values.values)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
    cell_w, cell_h = choose_cell_size(scene, width, height)
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
                style = cell_style(kind)
                v = values.values[r, c] if values is not None and cell.has_value else math.nan
                if not math.isnan(v):
                    style = value_style(v, lo, hi) if math.isfinite(v) else cell_style("floor")
                    glyph = glyphs[values.greedy[r, c]] if glyphs else glyph
                if (r, c) == scene.agent:
                    kind, glyph = scene.avatar, AGENT_GLYPH.get(scene.avatar, "☺")
                    style = cell_style(kind)
                middle = line == cell_h // 2
                fill = FILL.get(kind, " ") if math.isnan(v) else " "
                text = glyph.center(cell_w, fill) if middle and glyph != " " else fill * cell_w
                segments.append(Segment(text, style))
                if gap and c < cols - 1:
                    wall = (r, c) in scene.east_walls
                    segments.append(Segment("┃" if wall else " ", cell_style("wall" if wall else "floor")))
            segments.append(side)
            lines.append(segments)
    lines.append([Segment("╰" + "─" * inner_w + "╯", BORDER)])
    if values is not None:
        lines += [[], [Segment("V(s) ", Style(bold=True)), Segment(f" {lo:.2f} ", value_style(lo, lo, hi)),
                       Segment(" … "), Segment(f" {hi:.2f} ", value_style(hi, lo, hi))],
                  [Segment("arrows: the greedy action", CAPTION)]]
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
