"""Live knobs: α, ε, γ and the learning rate turned while the agent runs."""

from __future__ import annotations

import numpy as np
import pytest

from agents.base import SettingError
from rltui.envs import catalog
from rltui.envs.session import AGENT, Session
from rltui.live.knobs import check, knobs_for, retune
from rltui.live.playalong import PlayAlong
from rltui.returns import discounted_so_far
from rltui.training.agent_factory import make_agent_for
from rltui.ui.app import RLTuiApp
from tests.helpers import press, screen_text, settle


def _owner(env_id: str = "Taxi-v4", kind: str = "q-learning") -> tuple[PlayAlong, list[str]]:
    entry = catalog.resolve(env_id)
    session = Session(entry, seed=0, render=False)
    said: list[str] = []
    owner = PlayAlong(
        session, make_agent_for(entry, kind, seed=0), deliver=lambda m: said.append(getattr(m, "text", ""))
    )
    owner.controller = AGENT
    return owner, said


def _greedy_steps(owner: PlayAlong, n: int) -> list[bool]:
    """Take ``n`` agent steps; for each, whether its action was one of the greedy ones."""
    agent, greedy = owner.agent, []
    act = agent.act

    def watched(obs, explore):
        q = agent.q_values(obs)
        action = act(obs, explore)
        greedy.append(bool(q[action] == q.max()))
        return action

    agent.act = watched
    for _ in range(n):
        owner.stepper.agent()
    agent.act = act
    return greedy


def test_epsilon_to_zero_makes_the_next_hundred_agent_steps_greedy() -> None:
    owner, said = _owner()
    assert owner.agent.epsilon > 0.9  # Taxi's schedule starts at 1
    before = _greedy_steps(owner, 100)
    assert not all(before)  # exploring: the check below can fail
    owner.commands.retune({"epsilon": "0"})
    assert owner.agent.epsilon == 0.0
    assert all(_greedy_steps(owner, 100))
    assert any("ε" in s and "→ 0" in s for s in said)
    owner.publish(force=True)
    assert owner.latest.training.epsilon == 0.0 and owner.latest.training.knob_marks[-1][1].startswith("ε ")


def test_changing_gamma_changes_the_agents_targets_and_the_returns_panel_together() -> None:
    owner, _ = _owner()
    for _ in range(5):
        owner.stepper.agent()
    session, agent = owner.session, owner.agent
    owner.commands.retune({"gamma": "0.5"})
    assert agent.config.gamma == 0.5 and session.gamma == 0.5
    owner.publish(force=True)
    snap = owner.latest
    assert snap.step.gamma == 0.5
    assert snap.step.discounted == pytest.approx(discounted_so_far(session.episode.rewards, 0.5))
    # The next TD target discounts with the new γ.
    obs = session.obs
    owner.stepper.agent()
    last = session.last
    q_next = agent.q_values(last.next_obs).max() if not last.terminated else 0.0
    assert last.obs == obs
    assert owner.learner.stats.td_target == pytest.approx(last.reward + 0.5 * q_next, abs=1e-9) or (
        # (the update moved Q(s', ·) only if s' == s)
        last.next_obs == obs
    )
    # The step where it changed is marked on the timeline.
    assert any(entry.knob == "γ 0.99 → 0.5" for entry in owner.timeline.entries)


def test_a_bad_knob_value_is_one_sentence_and_changes_nothing() -> None:
    owner, said = _owner()
    config = owner.agent.config
    owner.commands.retune({"gamma": "1.5"})
    owner.commands.retune({"alpha": "fast"})
    owner.commands.retune({"epsilon": ""})
    assert owner.agent.config is config and not owner.progress.knob_marks
    assert said[-3:] == [
        "Setting 'gamma' must be from 0 to 1, not 1.5.",
        "Setting 'alpha' needs a number, not 'fast'.",
        "ε needs a value.",
    ]
    with pytest.raises(SettingError, match="not a knob"):
        check(owner.agent, {"hidden": "8"})


def test_dqn_takes_a_new_learning_rate_at_once() -> None:
    entry = catalog.resolve("CartPole-v1")
    agent = make_agent_for(entry, "dqn", {"hidden": "16"}, seed=0)
    keys = [knob.key for knob, _ in knobs_for(agent)]
    assert keys == ["epsilon", "epsilon_end", "epsilon_decay_steps", "gamma", "learning_rate"]
    assert retune(agent, {"learning_rate": "1e-4"}) == ["learning rate 0.002 → 0.0001"]
    assert agent.optimizer.lr == 1e-4
    assert retune(agent, {"learning_rate": "0.0001"}) == []  # nothing changed: nothing said


def test_a_planner_has_no_knobs() -> None:
    entry = catalog.resolve("FrozenLake-v1")
    assert knobs_for(make_agent_for(entry, "value-iteration")) == []


async def test_the_knobs_dialog_turns_epsilon_in_the_app() -> None:
    entry = catalog.resolve("Taxi-v4")
    app = RLTuiApp(Session(entry, seed=0), make_agent_for(entry, "q-learning", seed=0))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await press(pilot, "n")
        await pilot.press("K")
        text = screen_text(app)
        assert "Knobs" in text and "ε:" in text and "γ:" in text
        await pilot.press("tab")  # from α to ε
        for _ in range(8):
            await pilot.press("backspace")
        await pilot.press("0", "enter")
        await settle(pilot)
        assert screen.playalong.agent.epsilon == 0.0
        assert np.isclose(screen.snap.training.epsilon, 0.0)


async def test_the_knobs_dialog_sets_real_times_pace_without_an_agent() -> None:
    """CartPole's 50 steps a second are too fast for a person: K slows the world down."""
    entry = catalog.resolve("CartPole-v1")
    app = RLTuiApp(Session(entry, seed=0))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await settle(pilot)
        assert screen.snap.realtime.on and screen.snap.realtime.fps == 50
        await pilot.press("K")
        text = screen_text(app)
        assert "Knobs" in text and "pace:" in text and "Real time's pace" in text
        for text_in, says in (("0.1", "from 1 to 240"), ("fast", "a number of steps per second")):
            for _ in range(6):
                await pilot.press("backspace")
            await pilot.press(*text_in, "enter")
            await pilot.pause()
            assert says in screen_text(app)  # said under the fields; the dialog stays open
        for _ in range(6):
            await pilot.press("backspace")
        await pilot.press("1", "0", "enter")
        await settle(pilot)
        assert screen.snap.realtime.fps == 10 and screen.playalong.fps == 10


def test_the_pace_field_takes_what_play_fps_takes() -> None:
    from rltui.live.knobs import check_pace

    assert check_pace(" 12.5 ") == 12.5
    for bad in ("nan", "0", "241", "-3", "", "1e999"):
        with pytest.raises(SettingError):
            check_pace(bad)
