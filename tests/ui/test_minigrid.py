"""MiniGrid: the state agents see, the scene, the timeline's branching, and learning."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("minigrid")

from rltui.envs import catalog  # noqa: E402
from rltui.envs.restore import capture, restore  # noqa: E402
from rltui.envs.session import Session  # noqa: E402
from rltui.envs.valuemap import value_map_for  # noqa: E402
from rltui.training.agent_factory import make_agent_for  # noqa: E402
from rltui.training.loop import train  # noqa: E402

DOORKEY = "MiniGrid-DoorKey-5x5-v0"
LEFT, RIGHT, FORWARD, PICKUP, DROP, TOGGLE = range(6)


def _session(env_id: str = DOORKEY, seed: int = 0) -> Session:
    return Session(catalog.resolve(env_id), seed=seed, render=False)


def test_the_state_holds_what_varies_between_layouts_and_nothing_constant() -> None:
    assert _session("MiniGrid-Empty-8x8-v0").env.get_wrapper_attr("features") == ()
    session = _session()
    assert session.env.get_wrapper_attr("features") == ("door_state", "door_at", "key_at")
    u = session.env.unwrapped
    x, y, direction, carried, door_state, door_at, key_at = session.obs
    assert (x + 1, y + 1, direction) == (*map(int, u.agent_pos), int(u.agent_dir))
    assert carried == 0 and door_state == 2  # nothing carried; the door locked
    # Two seeds, two layouts, two different states: a table never mixes them up.
    assert _session(seed=1).obs != session.obs


def test_picking_up_the_key_and_unlocking_the_door_show_in_the_state() -> None:
    session = _session()
    u = session.env.unwrapped
    (kx, ky), (dx, dy) = [
        next(
            (x, y)
            for y in range(u.height)
            for x in range(u.width)
            if u.grid.get(x, y) is not None and u.grid.get(x, y).type == kind
        )
        for kind in ("key", "door")
    ]
    # Walk up to the key by the model's own moves: face it from a free neighbour.
    u.agent_pos, u.agent_dir = np.array((kx, ky + 1)), 3  # below the key, facing north
    assert u.grid.get(kx, ky + 1) is None
    session.step(PICKUP)
    assert session.obs[3] == 1 and session.obs[6] == 3 * 3  # carrying a key; the key nowhere on the grid
    u.agent_pos, u.agent_dir = np.array((dx - 1, dy)), 0  # west of the door, facing east
    session.step(TOGGLE)
    assert session.obs[4] == 0  # open


def test_the_scene_draws_the_door_the_key_and_the_agents_heading() -> None:
    session = _session()
    scene = session.scene()
    glyphs = {cell.glyph for row in scene.cells for cell in row}
    assert {"▣", "k", "★"} <= glyphs
    assert scene.avatar == "agent_" + ("east", "south", "west", "north")[int(session.env.unwrapped.agent_dir)]
    assert "use the key" in scene.caption
    dimmed = [cell.kind for row in scene.cells for cell in row if cell.kind.endswith(":dim")]
    assert dimmed  # the agent's view does not cover the whole grid


def test_branching_from_an_earlier_step_matches_a_fresh_env() -> None:
    actions = [RIGHT, FORWARD, LEFT, PICKUP, FORWARD, RIGHT, FORWARD, TOGGLE, FORWARD]
    session = _session(seed=3)
    for a in actions[:4]:
        session.step(a)
    saved = capture(session.env)
    after = [session.step(a) for a in actions[4:]]
    restore(session.env, saved)
    again = [session.env.step(a) for a in actions[4:]]
    assert [(t.next_obs, t.reward) for t in after] == [(o, r) for o, r, *_ in again]
    fresh = _session(seed=3)
    for a in actions:
        fresh.step(a)
    assert fresh.obs == again[-1][0]


def test_q_learning_solves_the_empty_room_with_its_defaults() -> None:
    entry = catalog.resolve("MiniGrid-Empty-8x8-v0")
    agent = make_agent_for(entry, "q-learning", seed=0)
    result = train(agent, entry, steps=entry.budget_for("q-learning"), target_return=entry.solved_at, seed=0)
    assert result.solved and result.eval_return_mean >= 0.9


def test_the_value_map_covers_every_cell_the_agent_can_stand_on() -> None:
    session = _session("MiniGrid-Empty-8x8-v0")
    agent = make_agent_for(session.entry, "q-learning", seed=0, env=session.env)
    values = value_map_for(session.entry, session.env)(agent)
    assert values.values.shape == (8, 8)
    assert np.isnan(values.values[0]).all() and np.isfinite(values.values[1:-1, 1:-1]).all()
    assert values.q.shape == (8, 8, 7)


def test_an_unknown_minigrid_id_is_one_sentence() -> None:
    with pytest.raises(catalog.CatalogError, match="Unknown environment 'MiniGrid-Nowhere-v0'"):
        catalog.resolve("MiniGrid-Nowhere-v0")
    entry = catalog.resolve("MiniGrid-Empty-5x5-v0")  # any registered MiniGrid id plays
    assert entry.group == "MiniGrid" and entry.action_names[2] == "Forward"


# --- what network kinds see: the partial view ------------------------------------------------


def _view_of(u) -> np.ndarray:
    own = u.gen_obs()
    return np.append(own["image"].reshape(-1), own["direction"]).astype(np.uint8)


def test_network_kinds_see_the_partial_view_and_tables_the_state() -> None:
    entry = catalog.resolve(DOORKEY)
    for kind in ("dqn", "ppo", "reinforce"):
        session = Session(entry, seed=0, render=False, kind=kind)
        u = session.env.unwrapped
        assert session.env.observation_space.shape == (7 * 7 * 3 + 1,)
        assert np.array_equal(session.obs, _view_of(u))
        session.step(FORWARD)
        session.step(LEFT)
        assert np.array_equal(session.obs, _view_of(u)) and session.obs[-1] == u.agent_dir
        assert session.env.observation_space.contains(session.obs)
    for kind in (None, "q-learning", "sarsa", "expected-sarsa"):
        assert isinstance(Session(entry, seed=0, render=False, kind=kind).obs, tuple)


def test_a_dqn_agent_is_made_for_the_view_even_from_a_persons_session() -> None:
    session = _session()  # a person's: the state
    agent = make_agent_for(session.entry, "dqn", seed=0, env=session.env)
    assert agent.observation["shape"] == [148]
    assert isinstance(session.obs, tuple)  # making it changed nothing under the person
    q = agent.q_values(Session(session.entry, seed=0, render=False, kind="dqn").obs)
    assert q.shape == (7,) and np.isfinite(q).all()


def test_a_network_agent_joining_a_persons_episode_sees_every_kept_step_as_its_view() -> None:
    from rltui.live.playalong import PlayAlong

    actions = [RIGHT, FORWARD, LEFT, PICKUP]
    session = _session(seed=3)
    owner = PlayAlong(session)
    for a in actions:
        owner.commands.act(a)
    assert isinstance(session.obs, tuple)
    agent = make_agent_for(session.entry, "dqn", seed=0)
    owner._attach(agent)
    # The same steps seen from the start by a DQN's session: the same observations.
    fresh = Session(session.entry, seed=3, render=False, kind="dqn")
    seen = [fresh.obs] + [fresh.step(a).next_obs for a in actions]
    assert [e.obs.tolist() for e in owner.timeline.entries] == [o.tolist() for o in seen]
    assert np.array_equal(session.obs, seen[-1])
    owner.commands.act(FORWARD)  # and it learns from the view from here on
    assert agent.steps == 1 and session.obs.shape == (148,)
    # A table joining again sees the state again.
    owner._attach(make_agent_for(session.entry, "q-learning", seed=0))
    assert isinstance(session.obs, tuple) and all(isinstance(e.obs, tuple) for e in owner.timeline.entries)


def test_the_value_map_of_a_network_agent_reads_its_view_from_each_cell() -> None:
    session = Session(catalog.resolve("MiniGrid-Empty-8x8-v0"), seed=0, render=False, kind="dqn")
    agent = make_agent_for(session.entry, "dqn", seed=0, env=session.env)
    here = tuple(session.env.unwrapped.agent_pos)
    values = value_map_for(session.entry, session.env)(agent)
    assert values.values.shape == (8, 8) and np.isfinite(values.values[1:-1, 1:-1]).all()
    assert tuple(session.env.unwrapped.agent_pos) == here  # the agent is put back
    x, y = here
    assert np.allclose(values.q[y, x], agent.q_values(session.obs), atol=1e-5)
    # Another cell: what it would see from there (the cell ahead of the room's far corner differs).
    assert not np.allclose(values.q[1, 1], values.q[6, 6])


def test_a_save_that_sees_minigrid_another_way_is_refused_in_one_sentence(tmp_path) -> None:
    from agents.persistence import SaveError, save_agent
    from agents.registry import make_agent
    from rltui.training.agent_factory import load_agent_for

    entry = catalog.resolve(DOORKEY)
    # A DQN made on the state, as rltui made them before network kinds saw the view.
    agent = make_agent("dqn", _session().env, DOORKEY, gamma=0.99, defaults={}, settings=None, seed=0)
    assert agent.observation["type"] == "Tuple"
    path = save_agent(agent, tmp_path / "old.safetensors", DOORKEY)
    with pytest.raises(SaveError, match="sees MiniGrid-DoorKey-5x5-v0 another way"):
        load_agent_for(str(path), entry)


async def test_the_launcher_says_which_observation_each_kind_sees_and_dqn_opens_on_the_view() -> None:
    from rltui.ui.app import RLTuiApp
    from rltui.ui.screens.dialogs import AgentDialog
    from rltui.ui.screens.play import PlayScreen
    from tests.helpers import screen_text

    app = RLTuiApp()
    async with app.run_test(size=(130, 40)) as pilot:
        envs = app.screen.query_one("#env-list")
        envs.highlighted = next(i for i in range(envs.option_count) if envs.get_option_at_index(i).id == DOORKEY)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AgentDialog)
        assert "see the agent's 7x7 partial view" in screen_text(app)
        kinds = app.screen.query_one("#agent-list")
        kinds.highlighted = next(i for i in range(kinds.option_count) if kinds.get_option_at_index(i).id == "kind:dqn")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PlayScreen)
        assert app.screen.session.obs.shape == (148,)  # the DQN's session shows the view from the start
