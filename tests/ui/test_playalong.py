"""Play along: the owner thread, hand-offs, the panels and faults, driven as a person would."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from rltui.envs import catalog
from rltui.envs.session import AGENT, HUMAN, Session
from rltui.live.playalong import HISTORY, PlayAlong
from rltui.training.agent_factory import make_agent_for
from rltui.ui.app import RLTuiApp
from tests.helpers import press, screen_text, settle

SIZE = (120, 40)


def _app(env_id: str = "Taxi-v4", kind: str | None = "q-learning", seed: int = 0) -> RLTuiApp:
    entry = catalog.resolve(env_id)
    session = Session(entry, seed=seed)
    agent = None
    if kind is not None:
        agent = make_agent_for(entry, kind, seed=seed)
    return RLTuiApp(session, agent)


async def test_hand_off_mid_episode_continues_from_the_same_state() -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await press(pilot, "up", "left")
        session = screen.session
        state_after_person = session.obs
        await press(pilot, "n")  # the agent takes exactly one step, then waits
        agent_step = screen.snap.step.last
        assert agent_step.actor == AGENT and agent_step.t == 2
        assert agent_step.obs == state_after_person  # the agent began where the person left off
        state_after_agent = session.obs
        await press(pilot, "tab")
        assert screen.snap.status.controller == HUMAN
        await press(pilot, "down")
        person_step = screen.snap.step.last
        assert person_step.actor == HUMAN and person_step.obs == state_after_agent
        assert session.episode.actors == [HUMAN, HUMAN, AGENT, HUMAN]


async def test_n_advances_exactly_one_step() -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await press(pilot, "tab", "space")
        before = screen.session.total_steps
        await press(pilot, "n")
        assert screen.session.total_steps == before + 1
        await press(pilot, "n", "n")
        assert screen.session.total_steps == before + 3
        assert screen.snap.status.paused and screen.snap.status.controller == AGENT


async def test_q_panel_shows_the_agents_q_values() -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await press(pilot, "tab", "space")
        for _ in range(30):
            await press(pilot, "n")
        agent = screen.playalong.agent
        expected = agent.q_values(screen.session.obs)
        assert np.array_equal(screen.snap.beliefs.q_values, expected)
        text = screen_text(app)
        for name in ("South", "North", "Pickup", "Dropoff"):
            assert name in text
        greedy = screen.session.entry.action_names[int(np.argmax(expected))]
        assert f"★  {greedy}" in text or f"★▶ {greedy}" in text  # ★, then ▶'s column
        assert "TD error" in text


async def test_learning_from_the_persons_moves_changes_q() -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        agent = screen.playalong.agent
        before = agent.q_table().copy()
        await press(pilot, "up", "p")  # an illegal pickup: -10, worth learning from
        changed = np.argwhere(agent.q_table() != before)
        assert len(changed) == 2
        # and with learning from the person turned off, nothing changes
        await press(pilot, "l")
        before = agent.q_table().copy()
        await press(pilot, "p")
        assert np.array_equal(agent.q_table(), before)


async def test_full_speed_trains_and_a_key_takes_the_wheel_back() -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await press(pilot, "tab", "f")
        agent = screen.playalong.agent
        while agent.steps < 2_000:
            await pilot.pause(0.05)
        await settle(pilot)
        assert screen.snap.status.controller == AGENT and screen.snap.status.full_speed
        await press(pilot, "up")
        assert screen.snap.status.controller == HUMAN and screen.snap.step.last.actor == HUMAN
        text = screen_text(app)
        assert "HUMAN" in text and "epsilon" in text


async def test_save_in_the_app_then_eval_from_the_cli(tmp_path: Path) -> None:
    app = _app("FrozenLakeNotSlippery-v1")
    target = tmp_path / "lake.safetensors"
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "tab", "f")
        while app.screen.playalong.agent.steps < 3_000:
            await pilot.pause(0.05)
        await press(pilot, "space")
        await pilot.press("ctrl+s")
        dialog_input = app.screen.query_one("#save-path")
        dialog_input.value = str(target)
        await pilot.press("enter")
        await settle(pilot)
    assert target.exists()
    out = subprocess.run(
        [sys.executable, "-m", "rltui", "eval", str(target), "--json"], capture_output=True, text=True, check=True
    )
    assert '"env": "FrozenLakeNotSlippery-v1"' in out.stdout.splitlines()[-1]


async def test_load_dialog_refuses_a_broken_file_and_stays_open_to_fix_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rltui.ui.screens.dialogs import LoadDialog
    from tests.helpers import wait_for_text

    monkeypatch.setenv("RLTUI_SAVES", str(tmp_path / "saves"))
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x80\x04 not really")
    app = _app(kind=None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        path_input = app.screen.query_one("#load-path")
        path_input.focus()
        path_input.value = str(bad)
        await pilot.press("enter")
        await wait_for_text(pilot, "pickle")  # read in a worker; the reason shows under the field
        assert isinstance(app.screen, LoadDialog)
        # Fixed in place: the shipped Taxi agent loads and the dialog closes.
        path_input.value = "saves/Taxi-v4-q-learning.safetensors"
        await pilot.press("enter")
        for _ in range(500):
            await pilot.pause(0.01)
            if not isinstance(app.screen, LoadDialog):
                break
        await settle(pilot)
        assert app.screen.snap.status.has_agent is True and app.screen.snap.status.agent_kind == "q-learning"


async def test_an_exception_in_the_trainer_is_reported_and_stops_training() -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        agent = screen.playalong.agent

        def broken(step):
            raise RuntimeError("injected fault")

        agent.observe = broken
        await press(pilot, "n")  # the agent's step raises inside the owner thread
        assert screen.playalong.stopped_reason == "RuntimeError: injected fault"
        assert screen.snap.status.controller == HUMAN and screen.snap.status.paused
        messages = [n.message for n in app._notifications]
        assert any("Training stopped: RuntimeError: injected fault" in m for m in messages)
        assert screen.playalong.running  # the person keeps the controls


async def test_a_nan_loss_pauses_training() -> None:
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        agent = screen.playalong.agent
        learn = agent.observe

        def nan_loss(step):
            metrics = learn(step)
            return {**metrics, "loss": float("nan")}

        agent.observe = nan_loss
        await press(pilot, "n")
        assert screen.snap.status.paused and not screen.snap.status.learning
        assert any("loss became nan" in n.message for n in app._notifications)


def test_the_owner_thread_stops_promptly_at_full_speed_and_histories_stay_bounded() -> None:
    entry = catalog.resolve("FrozenLakeNotSlippery-v1")
    session = Session(entry, seed=0)
    agent = make_agent_for(entry, "q-learning", seed=0)
    owner = PlayAlong(session, agent)
    owner.controller, owner.full_speed = AGENT, True
    stop = threading.Event()
    thread = threading.Thread(target=owner.run, args=(stop,))
    thread.start()
    while session.episodes_finished < HISTORY + 200:
        thread.join(0.05)
    stop.set()
    thread.join(1.0)
    assert not thread.is_alive()
    owner.publish(force=True)
    assert len(owner.latest.training.returns) == HISTORY


async def test_value_map_draws_arrows_for_a_grid_world() -> None:
    app = _app("FrozenLakeNotSlippery-v1")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "tab", "f")
        while app.screen.playalong.agent.steps < 2_000:
            await pilot.pause(0.05)
        await press(pilot, "space", "v")
        text = screen_text(app)
        assert "arrows: the greedy action" in text and "V(s)" in text
        assert any(arrow in text for arrow in "←↓→↑")


async def test_the_launcher_brings_an_agent_along() -> None:
    from rltui.ui.screens.dialogs import AgentDialog
    from rltui.ui.screens.play import PlayScreen

    app = RLTuiApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")  # Taxi-v4
        assert isinstance(app.screen, AgentDialog)
        await pilot.press("down", "enter")  # the first agent kind: Q-learning
        assert isinstance(app.screen, PlayScreen)
        await settle(pilot)
        assert app.screen.snap.status.has_agent and app.screen.snap.status.agent_kind == "q-learning"
        await press(pilot, "n")
        assert app.screen.snap.step.last.actor == AGENT


async def test_scrub_back_then_branch_like_the_tmux_walkthrough() -> None:
    from tests.helpers import panel_value

    app = _app("CliffWalking-v1", kind=None)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await press(pilot, "up", "right", "right")
        assert panel_value(app, "step") == "3/3"
        after_first = screen.playalong.timeline.entries[1].obs
        await press(pilot, "left_square_bracket", "left_square_bracket")
        assert panel_value(app, "step") == "1/3"
        scene = screen.snap.step.scene
        assert scene.agent == divmod(after_first, 12)  # the marker is back where it was
        await press(pilot, "right_square_bracket")
        assert panel_value(app, "step") == "2/3"
        await press(pilot, "left_square_bracket", "up")
        assert panel_value(app, "step") == "2/2"


@pytest.mark.parametrize("env_id", ["Taxi-v4", "CartPole-v1"])
def test_branching_matches_a_fresh_env_stepped_with_the_same_actions(env_id: str) -> None:
    entry = catalog.resolve(env_id)
    owner = PlayAlong(Session(entry, seed=7, render=False))
    n = entry.n_actions
    for a in (0, 1 % n, 0, 1 % n, 0):
        owner.commands.act(a)
    owner.commands.scrub(-3)  # back to step 2
    owner.commands.act(1 % n)
    fresh = catalog.make_env(entry, render=False)
    fresh.reset(seed=7)
    for a in (0, 1 % n, 1 % n):
        expected = fresh.step(a)[0]
    assert np.allclose(np.asarray(owner.session.obs, dtype=float), np.asarray(expected, dtype=float))
    assert owner.session.episode.steps == 3 and owner.session.episode.actions == [0, 1 % n, 1 % n]


def test_the_taxi_value_map_after_a_delivery_shows_the_slice_that_just_ended() -> None:
    from agents.persistence import load_agent
    from rltui.envs.valuemap import value_map_for

    agent, _ = load_agent("saves/Taxi-v4-q-learning.safetensors")
    env = catalog.make_env(catalog.resolve("Taxi-v4"), render=False)
    env.reset(seed=0)
    u = env.unwrapped
    u.s = u.encode(0, 0, 0, 0)  # the passenger delivered to R: a terminal state
    delivered = value_map_for(catalog.resolve("Taxi-v4"), env)(agent)
    u.s = u.encode(0, 0, 4, 0)  # on the way to R with the passenger aboard
    aboard = value_map_for(catalog.resolve("Taxi-v4"), env)(agent)
    assert np.nanmax(np.abs(delivered.values)) > 0
    assert np.array_equal(delivered.values, aboard.values, equal_nan=True)


def test_steps_per_second_is_a_two_second_rate_that_a_pause_does_not_dilute(monkeypatch: pytest.MonkeyPatch) -> None:
    from rltui.live import playalong

    clock = [100.0]
    monkeypatch.setattr(playalong.time, "perf_counter", lambda: clock[0])
    rate = lambda now: owner.learner.stats.meter.rate(now)  # noqa: E731
    owner = PlayAlong(Session(catalog.resolve("CliffWalking-v1"), seed=0, render=False))
    for _ in range(3):  # a person's moves, then a long think
        owner.stepper.human(0)
        clock[0] += 0.5
    clock[0] += 30.0
    for _ in range(150):  # then steps at 100 a second (within the 200-step time limit)
        owner.stepper.human(0 if owner.session.episode.steps % 2 else 2)
        clock[0] += 0.01
    assert owner.session.total_steps == 153
    assert rate(clock[0]) == pytest.approx(100, rel=0.05)
    clock[0] += 2.0
    assert rate(clock[0]) == 0.0  # idle


def test_the_value_map_is_computed_only_while_it_is_shown() -> None:
    from rltui.envs.valuemap import value_map_for
    from rltui.training.agent_factory import make_agent_for

    entry = catalog.resolve("MountainCar-v0")
    session = Session(entry, seed=0, render=False)
    calls = []
    compute = value_map_for(entry, session.env)
    owner = PlayAlong(
        session,
        make_agent_for(entry, "q-learning", seed=0, env=session.env),
        value_states=lambda agent: calls.append(1) or compute(agent),
    )
    owner.publish(force=True)
    assert owner.latest.values is None and not calls
    owner.commands.show_values(True)
    owner.publish(force=True)
    assert owner.latest.values is not None and owner.latest.values.axes is not None and calls
    owner.commands.show_values(False)
    owner.publish(force=True)
    assert len(calls) == 1


async def test_policy_panel_shows_the_agents_pi_and_v() -> None:
    app = _app("CartPole-v1", "ppo")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await press(pilot, "tab", "space")
        for _ in range(5):
            await press(pilot, "n")
        agent = screen.playalong.agent
        pi, value = agent.policy(screen.session.obs)
        view = screen.snap.policy
        assert view is not None and screen.snap.beliefs.q_values is None
        assert np.allclose(view.pi, pi) and view.value == pytest.approx(value)
        text = screen_text(app)
        assert "Policy π(a|s)" in text and "V(s)" in text
        assert f"collecting {len(agent.rollout)}/256" in text and len(agent.rollout) >= 5
        greedy = screen.session.entry.action_names[int(np.argmax(pi))]
        assert (f"★  {greedy}" in text or f"★▶ {greedy}" in text) and f"{pi.max():.1%}" in text
        assert "entropy" in text and "epsilon" not in text


def test_taking_over_cuts_the_rollout_and_never_learns_from_the_person() -> None:
    entry = catalog.resolve("CartPole-v1")
    session = Session(entry, seed=0, render=False)
    agent = make_agent_for(entry, "ppo", seed=0)
    owner = PlayAlong(session, agent)
    for _ in range(4):
        owner.stepper.agent()
    assert len(agent.rollout) == 4 and not agent.rollout.ends[-1]
    owner.stepper.human(0)
    owner.stepper.human(1)
    assert len(agent.rollout) == 4 and agent.rollout.ends[-1]  # cut there, the person's steps left out
    assert agent.rollout.next_values[-1] != 0.0  # bootstrapped from V(s'), not ended
    owner.stepper.agent()
    assert len(agent.rollout) == 5 and not agent.rollout.ends[-1]
