"""Atari (ale-py): played by keyboard in real time, the timeline's branching, the agent's frames."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("ale_py")

from rltui.envs import catalog  # noqa: E402
from rltui.envs.restore import capture, restore  # noqa: E402
from rltui.envs.session import Session  # noqa: E402
from rltui.live.playalong import PlayAlong  # noqa: E402
from rltui.training.agent_factory import AgentError, make_agent_for  # noqa: E402

PONG = "ALE/Pong-v5"


def test_pong_names_its_actions_and_runs_in_real_time_at_its_fps() -> None:
    entry = catalog.resolve(PONG)
    assert entry.group == "Atari" and entry.realtime and entry.rest_actions == (0,)
    assert entry.action_names[:4] == ("No-op", "Fire", "Paddle up", "Paddle down")
    session = Session(entry, seed=0)
    owner = PlayAlong(session, realtime=True)
    assert owner.fps == 30
    owner.commands.act(2)
    for _ in range(20):
        owner.stepper.frame()
    assert session.episode.steps == 20 and session.episode.actions[0] == 2
    assert session.scene().pixels.shape == (210, 160, 3)


def test_branching_puts_the_emulator_back_exactly() -> None:
    """ALE v5's sticky actions draw from the emulator's generator: it comes back too."""
    session = Session(catalog.resolve("ALE/Breakout-v5"), seed=0, render=False)
    for a in (1, 2, 2, 3):
        session.step(a)
    saved = capture(session.env)
    first = [session.env.step(a)[0] for a in (1, 2, 3, 3, 2) * 8]
    restore(session.env, saved)
    again = [session.env.step(a)[0] for a in (1, 2, 3, 3, 2) * 8]
    assert all(np.array_equal(x, y) for x, y in zip(first, again))
    assert not all(np.array_equal(first[0], x) for x in first)  # the screen did change


def test_the_agent_sees_four_grey_84x84_frames_and_a_branch_brings_them_back() -> None:
    """The agent's frame stack is part of the state the timeline captures: after a restore the
    next observation (three old frames and a new one) is what it was."""
    from rltui.envs.atari import AtariFrames, area_weights

    entry = catalog.resolve(PONG)
    env = catalog.make_env(entry, render=False)
    assert isinstance(env, AtariFrames) and env.observation_space.shape == (4, 84, 84)
    obs, _ = env.reset(seed=0)
    assert obs.dtype == np.uint8 and (obs == obs[0]).all()  # a reset fills the stack
    for a in (2, 2, 3, 0, 2, 3):
        obs, *_ = env.step(a)
    saved = capture(env)
    first = [env.step(a)[0] for a in (3, 3, 2, 0)]
    for _ in range(10):
        env.step(2)
    restore(env, saved)
    again = [env.step(a)[0] for a in (3, 3, 2, 0)]
    assert all(np.array_equal(x, y) for x, y in zip(first, again))
    assert np.array_equal(first[0][:3], obs[1:])  # oldest first: the stack moved on by one
    weights = area_weights(210, 84)
    assert np.allclose(weights.sum(axis=1), 1.0)
    assert np.allclose(env.frame(np.full((210, 160), 77, dtype=np.uint8)), 77)
    env.close()


def test_only_dqn_learns_from_frames_and_others_are_refused_in_one_sentence() -> None:
    from agents.registry import kinds_for

    entry = catalog.resolve(PONG)
    env = catalog.make_env(entry, render=False)
    try:
        assert kinds_for(env) == ["dqn"]
        for kind in ("q-learning", "ppo"):
            with pytest.raises(AgentError, match="cannot learn from ALE/Pong-v5's frames .*choose from: dqn"):
                make_agent_for(entry, kind, env=env)
        agent = make_agent_for(entry, "dqn", seed=0, env=env)
        assert agent.frames and agent.config.clip_reward and agent.config.hidden == (512,)
        obs, _ = env.reset(seed=0)
        assert agent.q_values(obs).shape == (6,)
        with pytest.raises(AgentError, match="one env at a time"):
            make_agent_for(entry, "dqn", {"n_envs": "4"}, env=env)
    finally:
        env.close()


async def test_tab_hands_pong_to_a_dqn_agent_whose_panel_names_the_actions() -> None:
    from rltui.ui.app import RLTuiApp
    from tests.helpers import screen_text, settle

    app = RLTuiApp(Session(catalog.resolve(PONG), seed=0))
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("tab")
        await settle(pilot)
        assert app.screen.playalong.agent is not None and app.screen.playalong.agent.kind == "dqn"
        await pilot.press("space")  # pause, so the panel holds still
        await settle(pilot)
        text = screen_text(app)
        assert "Paddle up" in text and "Paddle down" in text


def test_any_other_ale_game_gets_named_actions_keys_real_time_and_dqn() -> None:
    entry = catalog.resolve("ALE/Seaquest-v5")  # the full 18 actions
    assert entry.group == "Atari" and entry.realtime and entry.n_actions == 18
    assert entry.action_names[:6] == ("No-op", "Fire", "Up", "Right", "Left", "Down")
    assert entry.action_names[-1] == "Down+left+fire"
    key_map = entry.key_map()
    assert key_map["z"] == 1 and key_map["up"] == 2 and key_map["1"] == 6  # a diagonal on a number key
    assert len(set(key_map.values())) == 17  # ten other moves, nine number keys: one goes without
    assert entry.defaults_for("dqn")["clip_reward"] is True
    with pytest.raises(catalog.CatalogError, match="Unknown environment 'ALE/Pongg-v5'. Did you mean"):
        catalog.resolve("ALE/Pongg-v5")


def test_a_json_command_on_an_atari_game_prints_its_json_alone() -> None:
    # The emulator announces itself on fd 1 the first time a process makes a game: a
    # subprocess, so the announcement (once per process) cannot have been made already.
    import json
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "rltui", "bench", "atari", "--seconds", "0.2", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["env"] == PONG
    assert "A.L.E" not in out.stdout + out.stderr
