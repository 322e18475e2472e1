"""Grid scenes as coloured text, scaled to the space the view has."""

from __future__ import annotations

from rich.text import Text

from rltui.core.scenes import GridScene
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
    return _CELL_SIZES[-1]


def render_grid(scene: GridScene, width: int, height: int) -> Text:
    """Draw ``scene`` to fit ``width x height`` cells."""
    cell_w, cell_h = choose_cell_size(scene, width, height)
    rows, cols = scene.shape
    gap = 1 if scene.east_walls else 0
    inner_w = cols * cell_w + (cols - 1) * gap
    out = Text(no_wrap=True, overflow="crop")
    out.append("╭" + "─" * inner_w + "╮\n", BORDER)
    for r in range(rows):
        for line in range(cell_h):
            out.append("│", BORDER)
            for c in range(cols):
                cell = scene.cells[r][c]
                kind, glyph = cell.kind, cell.glyph
                if (r, c) == scene.agent:
                    kind, glyph = scene.agent_kind, AGENT_GLYPH.get(scene.agent_kind, "☺")
                middle = line == cell_h // 2
                fill = FILL.get(kind, " ")
                text = glyph.center(cell_w, fill) if middle and glyph != " " else fill * cell_w
                out.append(text, cell_style(kind))
                if gap and c < cols - 1:
                    wall = (r, c) in scene.east_walls
                    out.append("┃" if wall else " ", cell_style("wall" if wall else "floor"))
            out.append("│\n", BORDER)
    out.append("╰" + "─" * inner_w + "╯", BORDER)
    if scene.caption:
        out.append("\n\n")
        out.append(scene.caption, CAPTION)
    if scene.legend:
        out.append("\n\n")
        for i, (glyph, kind, meaning) in enumerate(scene.legend):
            if i:
                out.append("  ")
            shown = AGENT_GLYPH.get(kind, glyph if glyph != " " else FILL.get(kind, " "))
            out.append(f" {shown} ", cell_style(kind))
            out.append(f" {meaning}")
    return out
