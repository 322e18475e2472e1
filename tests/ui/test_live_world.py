"""The world changed while the agent learns: a grid map's cells painted (P), its slip and living
reward turned (K, --set-map), from the next episode on, the agent's values kept."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from agents.base import SettingError
from agents.value_iteration import q_star
from rltui.envs import catalog
from rltui.envs.gridmap import BUNDLED, GridMap, MapError, parse, parse_settings, read
from rltui.envs.session import AGENT, Session
from rltui.live.knobs import check_world, world_knobs_for
from rltui.live.playalong import PlayAlong
from rltui.training.agent_factory import make_agent_for
from rltui.ui.app import RLTuiApp
from tests.helpers import press, screen_text, settle

FAR = (1, 6)
"""BridgeGrid's far exit (+10), across the bridge from the start at (1, 1); the near one is (1, 0)."""


def _owner(
    kind: str = "q-learning", agent_settings: dict[str, str] | None = None, **settings: float
) -> tuple[PlayAlong, list[str]]:
    entry = catalog.resolve("map:BridgeGrid")
    if settings:
        from rltui.envs.catalog.maps import with_map

        entry = with_map(entry, replace(entry.make_kwargs["grid_map"], **settings))
    session = Session(entry, seed=0, render=False)
    said: list[str] = []
    owner = PlayAlong(
        session,
        make_agent_for(entry, kind, agent_settings, seed=0),
        deliver=lambda m: said.append(getattr(m, "text", "")),
    )
    owner.controller = AGENT
    return owner, said


def _cell(owner: PlayAlong, at: tuple[int, int]) -> str:
    return owner.session.env.unwrapped.map.cells[at[0]][at[1]]


def _greedy_exit(agent, env) -> int | None:
    """The state where the greedy moves from the start end (moves as aimed), None if they loop."""
    u = env.unwrapped
    s, seen = u.start_state, set()
    while s not in seen:
        seen.add(s)
        outcomes = u.P[s][agent.act(s, False)]
        _, s, _, done = max(outcomes)
        if done:
            return s
    return None


def test_painting_the_far_exit_changes_the_world_at_the_next_episode_and_keeps_the_q_table() -> None:
    owner, said = _owner()
    for _ in range(30):
        owner.stepper.agent()
    if owner.session.episode.done:
        owner.stepper.agent()  # the change is made mid-episode
    assert owner.session.episode.steps > 0
    owner.change_world(owner.world.now().with_cell(*FAR, "-10"))
    owner._drain()
    assert said[-1] == "The world changes at the next episode: exit +10 → exit -10 at row 1, column 6."
    marks = len(owner.progress.knob_marks)
    # The episode being played ends in the world it began in.
    while not owner.session.episode.done:
        assert _cell(owner, FAR) == "10" and owner.session.env.unwrapped.P[1 * 7 + 5][1][0][2] == 10.0
        owner.stepper.agent()
    assert len(owner.progress.knob_marks) == marks
    table = owner.agent.q_table()
    owner.stepper.new_episode()  # what the agent's next step does first
    assert _cell(owner, FAR) == "-10"
    assert np.array_equal(owner.agent.q_table(), table)  # same shape, same values at the change
    assert owner.session.entry.make_kwargs["grid_map"].cells[1][6] == "-10"  # evaluations play it too
    text = "world: exit +10 → exit -10 at row 1, column 6"
    assert owner.timeline.entries[0].knob == text and owner.progress.knob_marks[-1][1] == text
    owner.publish(force=True)
    assert owner.latest.training.knob_marks[-1][1] == text
    # Stepping onto it now ends the episode at -10.
    model = owner.session.env.unwrapped.P
    assert model[1 * 7 + 5][1] == [
        (0.8, 1 * 7 + 6, -10.0, True),
        (0.1, 0 * 7 + 5, -100.0, True),
        (0.1, 2 * 7 + 5, -100.0, True),
    ]


def test_a_change_of_size_is_refused_in_one_sentence() -> None:
    owner, said = _owner()
    bigger = GridMap(owner.world.now().cells + (("#",) * 7,))
    owner.world.change(bigger)
    assert said[-1] == (
        "Not changed: the agent holds a row per state of this 3x7 world, so a live change keeps its size, "
        "not 4x7 (E edits a copy of any size)."
    )
    assert owner.world.pending is None
    with pytest.raises(MapError, match="keeps that size, not 4x7"):
        owner.session.env.unwrapped.remap(bigger)


def test_an_env_not_drawn_from_a_map_says_so() -> None:
    entry = catalog.resolve("Taxi-v4")
    said: list[str] = []
    owner = PlayAlong(Session(entry, seed=0, render=False), deliver=lambda m: said.append(getattr(m, "text", "")))
    assert owner.world.now() is None and world_knobs_for(owner.world.now()) == []
    owner.world.set({"slip": 0.0})
    assert said[-1].startswith("Only a grid map's world can change while the agent learns")


@pytest.mark.parametrize("watch", ["true", "false"])
@pytest.mark.parametrize("kind", ["value-iteration", "policy-iteration"])
def test_a_planner_replans_from_the_changed_model_at_the_next_episode(kind: str, watch: str) -> None:
    owner, _ = _owner(kind, {"watch": watch}, slip=0.0)
    agent, env = owner.agent, owner.session.env
    while agent.planning:  # watched: a sweep per agent step
        owner.stepper.agent()
    assert _greedy_exit(agent, env) == 1 * 7 + 6  # across the bridge: 10 γ^5 > 1
    owner.world.change(owner.world.now().with_cell(*FAR, "-10"))
    assert _greedy_exit(agent, env) == 1 * 7 + 6  # not before the next episode
    owner.session.episode.terminated = True  # (the episode ends)
    owner.stepper.agent()
    assert agent.planning == (watch == "true")  # watched, it sweeps again step by step; else at once
    while agent.planning:
        owner.stepper.agent()
    assert _greedy_exit(agent, env) == 1 * 7 + 0  # the near exit now
    expected, _ = q_star(env.unwrapped.P, agent.config.gamma)
    assert np.allclose(agent.table, expected, atol=1e-8)


def test_slip_and_living_reward_change_at_the_next_episode() -> None:
    owner, said = _owner()
    owner.set_world(check_world({"slip": "0", "living_reward": "-0.04"}))
    owner._drain()
    assert said[-1] == "The world changes at the next episode: slip 0.2 → 0, living reward 0 → -0.04."
    assert owner.session.env.unwrapped.map.slip == 0.2
    owner.stepper.new_episode()
    u = owner.session.env.unwrapped
    assert u.map.slip == 0 and u.map.living_reward == -0.04
    assert u.P[1 * 7 + 2][1] == [(1.0, 1 * 7 + 3, -0.04, False)]  # along the bridge, sure-footed
    assert u.P[1 * 7 + 2][2] == [(1.0, 2 * 7 + 2, -100.0, True)]  # off it only when aimed there
    assert owner.session.entry.step_note is None  # no slip to say any more
    assert owner.progress.knob_marks[-1][1] == "world: slip 0.2 → 0, living reward 0 → -0.04"


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"slip": "1.5"}, "slip must be from 0.0 to 1.0, not 1.5."),
        ({"slip": "-0.1"}, "slip must be from 0.0 to 1.0, not -0.1."),
        ({"living_reward": "nan"}, "living reward must be a finite number, not nan."),
        ({"living_reward": "-inf"}, "living reward must be a finite number, not -inf."),
        ({"living_reward": "lots"}, "living reward needs a number, not 'lots'."),
        ({"gamma": "0.5"}, "'gamma' is not a setting of the world."),
    ],
)
def test_bad_world_knobs_are_refused_in_one_sentence(changes: dict[str, str], said: str) -> None:
    with pytest.raises(SettingError) as caught:
        check_world(changes)
    assert str(caught.value) == said


def test_set_map_takes_the_maps_settings() -> None:
    assert parse_settings(["slip=0.2", " living_reward = -0.04"]) == {"slip": 0.2, "living_reward": -0.04}
    assert parse_settings(["max_steps=50"]) == {"max_steps": 50}


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["slip=2"], "rltui: --set-map: slip must be from 0.0 to 1.0, not 2."),
        (["living_reward=inf"], "rltui: --set-map: living_reward must be a finite number, not inf."),
        (
            ["speed=1"],
            "rltui: --set-map: unknown setting 'speed'; the settings are slip, living_reward, gamma, max_steps.",
        ),
        (["slip"], "rltui: --set-map: a map setting is KEY=VALUE (slip=0.2), not 'slip'."),
        (["slip=0", "slip=0.1"], "rltui: --set-map: slip is set twice."),
    ],
)
def test_bad_set_map_values_exit_2_with_one_sentence(args: list[str], said: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "rltui", "play", "--map", "BridgeGrid", "--set-map", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and done.stderr.strip() == said


def test_set_map_needs_a_map() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "rltui", "play", "Taxi-v4", "--set-map", "slip=0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "rltui: --set-map changes a grid map's settings: give it with --map NAME."


def test_set_map_makes_the_session_play_the_changed_map() -> None:
    from rltui.commands.play import _set_map

    entry = _set_map(catalog.resolve("map:BridgeGrid"), ["slip=0", "living_reward=-0.04"], None)
    env = catalog.make_env(entry, render=False)
    assert env.unwrapped.map.slip == 0 and env.unwrapped.map.living_reward == -0.04
    assert entry.id == "map:BridgeGrid"  # the same env, as saves name it


@pytest.mark.parametrize("name", ["BridgeGrid", "DiscountGrid", "MazeGrid"])
def test_an_old_map_file_loads_and_saves_byte_identically(name: str) -> None:
    path = BUNDLED / f"{name}.txt"
    assert read(path).to_text().encode("utf-8") == path.read_bytes()


def test_a_map_without_slip_or_living_reward_lines_loads_with_the_old_defaults() -> None:
    m = parse("# old\nS . 1\n")
    assert (m.slip, m.living_reward, m.gamma, m.max_steps) == (0.0, 0.0, 0.9, 100)
    assert parse(m.to_text()) == replace(m, name="map")


async def test_p_paints_the_live_world_and_k_turns_its_slip() -> None:
    entry = catalog.resolve("map:BridgeGrid")
    app = RLTuiApp(Session(entry, seed=0), make_agent_for(entry, "q-learning", seed=0))
    async with app.run_test(size=(140, 45)) as pilot:
        screen = app.screen
        await press(pilot, "n", "n")
        await pilot.press("P")
        await pilot.pause()
        painter = app.screen
        assert type(painter).__name__ == "MapEditorScreen" and painter.live
        assert "Painting the live world" in screen_text(app)
        await pilot.press("right_square_bracket")  # a column more: refused, the size stays
        await pilot.pause()
        assert painter.map.shape == (3, 7)
        for key in ("down", *["right"] * 6):
            await pilot.press(key)
        await pilot.press("tab", "tab", "tab")  # past slip and living reward (no name, γ or time limit)
        assert app.focused is painter.query_one("#map-exit")
        painter.query_one("#map-exit").value = "-10"
        await pilot.press("shift+tab", "shift+tab", "shift+tab")
        await pilot.press("g", "p")
        await settle(pilot)
        assert app.screen is screen
        owner = screen.playalong
        assert owner.world.pending is not None and owner.world.pending.cells[1][6] == "-10"
        assert _cell(owner, FAR) == "10"  # not before the next episode
        await pilot.press("K")
        await pilot.pause()
        text = screen_text(app)
        assert "slip:" in text and "living reward:" in text and "next episode" in text
        field = app.screen.query_one("#knob-slip")
        field.value = "2"
        field.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert "slip must be from 0.0 to 1.0, not 2." in screen_text(app)  # the dialog stays open
        field.value = "0"
        await pilot.press("enter")
        await settle(pilot)
        assert owner.world.pending.slip == 0 and owner.world.pending.cells[1][6] == "-10"  # both wait
        await press(pilot, "r")  # a new episode: the world changes
        assert _cell(owner, FAR) == "-10" and owner.session.env.unwrapped.map.slip == 0
        assert screen.snap.training.knob_marks[-1][1] == "world: exit +10 → exit -10 at row 1, column 6, slip 0.2 → 0"
