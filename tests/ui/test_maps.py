"""Grid worlds from maps: the file format, CS188's layouts, the editor, learning on a drawn map."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from rltui.envs import catalog
from rltui.envs.catalog.maps import maps_dir
from rltui.envs.gridmap import BUNDLED, GridMap, MapError, parse, read, write
from rltui.envs.session import Session
from rltui.training.agent_factory import make_agent_for
from rltui.training.evaluation import _greedy_episode
from rltui.training.loop import train
from rltui.ui.app import RLTuiApp
from tests.helpers import settle


@pytest.mark.parametrize("name", ["BridgeGrid", "DiscountGrid", "MazeGrid"])
def test_the_shipped_layouts_read_back_exactly(name: str, tmp_path: Path) -> None:
    path = BUNDLED / f"{name}.txt"
    grid_map = read(path)
    assert grid_map.to_text() == path.read_text(encoding="utf-8")  # byte for byte
    copy = write(grid_map, tmp_path / "copy.txt")
    assert read(copy) == replace(grid_map, name="copy")


def test_bridge_grid_is_cs188s_bridge() -> None:
    """With noise 0.2, a step from the start towards the small exit falls off the bridge one
    time in five: V(start) = 0.8 × 1 + 0.2 × −100 (no move is safer)."""
    agent = make_agent_for(catalog.resolve("map:BridgeGrid"), "value-iteration")
    assert agent.table.max(axis=1)[1 * 7 + 1] == pytest.approx(0.8 * 1 + 0.2 * -100)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("S . 1\n. #", "line 2: this row has 2 cells, the first has 3"),
        (". . 1", "the map needs exactly one start S, not 0"),
        ("S S 1", "the map needs exactly one start S, not 2"),
        ("S . .", "the map has no exit (a number) or hole, so no episode could end"),
        ("S x 1", "line 1: 'x' is not a cell; use . # S H C or a number (an exit's reward)"),
        ("slip = 2\nS . 1", "line 1: slip must be from 0.0 to 1.0, not 2"),
        (
            "speed = 2\nS . 1",
            "line 1: unknown setting 'speed'; the settings are slip, living_reward, gamma, max_steps.",
        ),
        ("max_steps = 1.5\nS . 1", "line 1: max_steps needs a whole number, not '1.5'"),
        ("S . 1\nslip = 0", "line 2: settings go before the grid"),
        ("# only a comment", "the map has no grid"),
    ],
)
def test_a_malformed_map_is_refused_in_one_sentence(text: str, said: str) -> None:
    with pytest.raises(MapError) as caught:
        parse(text)
    assert str(caught.value) == said


def test_a_malformed_map_file_exits_2_with_one_sentence(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("S . 1\n. #\n")
    env = {**os.environ, "RLTUI_SAVES": str(tmp_path)}
    for args, said in (
        (["--map", str(bad)], f"{bad}: line 2: this row has 2 cells, the first has 3"),
        (["--map", "Nowhere"], "There is no map named 'Nowhere'"),
        (["Taxi-v4", "--map", "MazeGrid"], "Give an environment or --map, not both"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "rltui", "play", *args], capture_output=True, text=True, env=env, timeout=60
        )
        assert done.returncode == 2 and said in done.stderr
        assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def _drawn_map() -> GridMap:
    """A map as the editor makes it: a blank 4x6 floor, then cells placed one by one."""
    blank = GridMap(
        tuple((".",) * 6 for _ in range(4)),
        slip=0.0,
        living_reward=-1.0,
        gamma=0.95,
        max_steps=50,
        name="drawn",
        description="drawn: a cliff, a wall and a big exit",
    )
    m = blank.with_cell(3, 0, "S").with_cell(3, 5, "10")
    for c in range(1, 5):
        m = m.with_cell(3, c, "C")  # a cliff along the bottom, as CliffWalking's
    return m.with_cell(1, 2, "#").with_cell(2, 2, "#")


def test_a_drawn_map_trains_q_learning_to_the_optimal_path(tmp_path: Path) -> None:
    path = write(_drawn_map(), maps_dir() / "drawn.txt")
    assert read(path) == _drawn_map()
    entry = catalog.resolve("map:drawn")
    assert entry.id == "map:drawn" and entry.gamma == 0.95
    planner = make_agent_for(entry, "value-iteration")
    env = catalog.make_env(entry, render=False)
    best, _ = _greedy_episode(planner, env, seed=0)
    # Round the wall over the top: 5 moves up and right to (0, 2), 6 on to the exit: ten at -1,
    # then the exit's 10.
    assert best == 0
    agent = make_agent_for(entry, "q-learning", seed=0)
    result = train(agent, entry, seed=0, steps=entry.budget_for("q-learning"))
    learned, cut = _greedy_episode(agent, env, seed=0)
    assert not cut and learned == best and result.eval_return_mean == best


async def test_the_editor_draws_saves_and_plays_a_map() -> None:
    app = RLTuiApp(Session(catalog.resolve("map:MazeGrid"), seed=0))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("E")
        await pilot.pause()
        editor = app.screen
        assert type(editor).__name__ == "MapEditorScreen" and editor.map_name == "MazeGrid-2"
        for key in ("down", "down", "w", "right", "right", "right", "g"):
            await pilot.press(key)
        editor.query_one("#map-slip").value = "0"  # sure footing: one optimal path
        await pilot.press("p")
        await pilot.pause()
        saved = maps_dir() / "MazeGrid-2.txt"
        expected = read(BUNDLED / "MazeGrid.txt").with_cell(2, 0, "#").with_cell(2, 3, "1")
        drawn = read(saved)
        assert drawn.cells == expected.cells and drawn.slip == 0
        assert drawn.to_text() == saved.read_text(encoding="utf-8")  # its file, exactly
        play = app.screen
        assert type(play).__name__ == "PlayScreen" and play.session.entry.id == "map:MazeGrid-2"
        await settle(pilot)
        await pilot.press("E")  # the person's own map now: saving keeps its name
        await pilot.pause()
        assert app.screen.map_name == "MazeGrid-2" and app.screen.own_file == saved
    # What the editor made trains Q-learning to the planner's optimal path.
    entry = catalog.resolve("map:MazeGrid-2")
    env = catalog.make_env(entry, render=False)
    planned = _greedy_path(make_agent_for(entry, "value-iteration"), env)
    agent = make_agent_for(entry, "q-learning", seed=0)
    train(agent, entry, seed=0, steps=entry.budget_for("q-learning"))
    assert _greedy_path(agent, env) == planned
    assert planned == [16, 17, 18, 19, 15, 11]  # right three times, up twice: the new exit


def _greedy_path(agent, env) -> list[int]:
    """The states a greedy episode visits (deterministic moves)."""
    obs, _ = env.reset(seed=0)
    path, done = [int(obs)], False
    while not done and len(path) < 100:
        obs, _, terminated, truncated, _ = env.step(agent.act(obs, False))
        path.append(int(obs))
        done = terminated or truncated
    return path


async def test_the_editor_refuses_to_save_an_unplayable_map() -> None:
    app = RLTuiApp(Session(catalog.resolve("FrozenLake-v1"), seed=0))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("E")
        await pilot.pause()
        editor = app.screen
        assert editor.map.slip == pytest.approx(2 / 3) and editor.map.cells[0][0] == "S"
        await pilot.press("right", "s")  # a second start moves the first: still one
        assert sum(t == "S" for row in editor.map.cells for t in row) == 1
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert (maps_dir() / "FrozenLake.txt").is_file()
        # Every exit and hole gone: no episode could end.
        blank = replace(
            editor.map, cells=tuple(tuple("S" if t == "S" else "." for t in row) for row in editor.map.cells)
        )
        editor.change(blank)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert read(maps_dir() / "FrozenLake.txt").cells != blank.cells  # the saved one stands
        assert app.screen is editor  # and the editor stays open to fix it
        assert np.array(editor.map.cells).shape == (4, 4)
