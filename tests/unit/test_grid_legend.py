"""A grid's legend names each mark once, and the map editor's cursor is a mark of its own."""

from __future__ import annotations

from pathlib import Path

from rltui.envs import gridmap
from rltui.envs.gridmap import FLOOR, WALL, parse
from rltui.envs.scenes import scene_of_map
from rltui.ui.render.grid import render_grid

BRIDGE = parse((Path(gridmap.__file__).parent / "maps" / "BridgeGrid.txt").read_text())
"""Good exits (+1, +10) and bad ones (-100): both kinds in one map."""


def _text(lines) -> list[str]:
    return ["".join(segment.text for segment in line) for line in lines]


def _cursor_mark(m, at) -> str:
    """What the cursor's cell shows, as the editor draws it (9x4 cells: the middle line)."""
    lines = _text(render_grid(scene_of_map(m, at, avatar="cursor"), 200, 60))
    row, col = at
    middle = lines[1 + row * 4 + 2]
    return middle[1 + col * 9 : 1 + (col + 1) * 9].strip()


def test_the_cursor_on_a_floor_cell_is_not_an_exits_mark_and_the_legend_names_it() -> None:
    floor = next((r, c) for r, row in enumerate(BRIDGE.cells) for c, t in enumerate(row) if t == FLOOR)
    scene = scene_of_map(BRIDGE, floor, avatar="cursor")
    mark = _cursor_mark(BRIDGE, floor)
    assert mark
    exit_marks = {g for g, kind, _ in scene.legend if kind in ("goal", "exit_bad")} | {"+", "-", "±"}
    assert mark not in exit_marks
    assert (mark, "cursor", "cursor") in scene.legend
    assert all(meaning != "you" for _, _, meaning in scene.legend)  # no ☺ in the editor
    wall = next((r, c) for r, row in enumerate(BRIDGE.cells) for c, t in enumerate(row) if t == WALL)
    assert _cursor_mark(BRIDGE, wall) == "▒"  # on a wall, the wall's texture shows through


def test_the_legend_of_a_map_with_good_and_bad_exits_has_one_exit_entry() -> None:
    scene = scene_of_map(BRIDGE, (1, 1))
    exits = [entry for entry in scene.legend if "exit" in entry[2]]
    assert len(exits) == 1, scene.legend
    legend_line = _text(render_grid(scene, 200, 60))[-1]
    assert legend_line.count("exit") == 1 and "☺  you" in legend_line
