from __future__ import annotations

import statistics

import numpy as np
import pytest

from agents.base import Transition
from agents.schedules import linear_schedule
from agents.spaces import StateIndexer
from agents.tabular import TabularAgent, TabularConfig
from rltui.envs import catalog
from rltui.training.agent_factory import make_agent_for
from rltui.training.evaluation import evaluate
from rltui.training.loop import train

DISCRETE = {"type": "Discrete", "n": 3}


def _fresh(env_id: str, kind: str, seed: int = 0):
    entry = catalog.resolve(env_id)
    env = catalog.make_env(entry, render=False)
    return entry, make_agent_for(entry, kind, seed=seed, env=env)


def test_linear_schedule() -> None:
    assert linear_schedule(1.0, 0.1, 100, 0) == 1.0
    assert linear_schedule(1.0, 0.1, 100, 50) == pytest.approx(0.55)
    assert linear_schedule(1.0, 0.1, 100, 100) == 0.1
    assert linear_schedule(1.0, 0.1, 100, 10_000) == 0.1


def test_q_learning_update_by_hand() -> None:
    agent = TabularAgent("q-learning", DISCRETE, 2, TabularConfig(alpha=0.5, gamma=0.9))
    agent.table[1] = [2.0, 4.0]
    metrics = agent.observe(Transition(0, 1, 1.0, 1, False, False))
    # target = 1 + 0.9 * max(2, 4) = 4.6; Q(0,1) = 0 + 0.5 * 4.6
    assert metrics["td_target"] == pytest.approx(4.6)
    assert agent.table[0][1] == pytest.approx(2.3)


def test_terminal_does_not_bootstrap_but_truncation_does() -> None:
    agent = TabularAgent("q-learning", DISCRETE, 2, TabularConfig(alpha=1.0, gamma=0.9))
    agent.table[1] = [10.0, 10.0]
    assert agent.observe(Transition(0, 0, 1.0, 1, True, False))["td_target"] == pytest.approx(1.0)
    assert agent.observe(Transition(0, 0, 1.0, 1, False, True))["td_target"] == pytest.approx(10.0)
    assert agent.episodes == 2


def test_expected_sarsa_uses_the_epsilon_greedy_expectation() -> None:
    config = TabularConfig(alpha=1.0, gamma=1.0, epsilon_start=0.5, epsilon_end=0.5)
    agent = TabularAgent("expected-sarsa", DISCRETE, 2, config)
    agent.table[1] = [0.0, 4.0]
    # E = (1 - 0.5) * 4 + 0.5 * (0 + 4) / 2 = 3
    assert agent.observe(Transition(0, 0, 0.0, 1, False, False))["td_target"] == pytest.approx(3.0)


def test_sarsa_commits_to_the_next_action_it_bootstrapped_from() -> None:
    config = TabularConfig(alpha=1.0, gamma=1.0, epsilon_start=1.0, epsilon_end=1.0)
    agent = TabularAgent("sarsa", DISCRETE, 2, config, seed=3)
    agent.table[1] = [1.0, 7.0]
    for _ in range(20):
        target = agent.observe(Transition(0, 0, 0.0, 1, False, False))["td_target"]
        a2 = agent.act(1, explore=True)
        assert target == agent.table[1][a2]


def test_state_indexer_tuple_and_box() -> None:
    tup = StateIndexer(
        {
            "type": "Tuple",
            "spaces": [{"type": "Discrete", "n": 32}, {"type": "Discrete", "n": 11}, {"type": "Discrete", "n": 2}],
        }
    )
    assert tup.n_states == 32 * 11 * 2
    assert len({tup((a, b, c)) for a in range(32) for b in range(11) for c in range(2)}) == tup.n_states
    box = StateIndexer({"type": "Box", "shape": [2], "low": [0.0, 0.0], "high": [1.0, 1.0]}, bins=4)
    assert box.n_states == 16
    assert box((0.0, 0.0)) == 0 and box((0.99, 0.99)) == 15 and box((5.0, -5.0)) == 12


def test_q_learning_solves_the_non_slippery_lake() -> None:
    entry, agent = _fresh("FrozenLakeNotSlippery-v1", "q-learning")
    result = train(agent, entry, steps=10_000, seed=0)
    assert result.eval_return_mean == 1.0 and result.solved


def test_q_learning_finds_the_cliff_edge_path() -> None:
    entry, agent = _fresh("CliffWalking-v1", "q-learning")
    result = train(agent, entry, steps=50_000, seed=0)
    assert result.eval_return_mean == -13.0


def test_target_return_stops_early() -> None:
    entry, agent = _fresh("FrozenLakeNotSlippery-v1", "q-learning")
    result = train(agent, entry, steps=200_000, target_return=1.0, eval_every=1_000, seed=0)
    assert result.stopped_early and result.steps < 200_000


def test_blackjack_tabular_beats_random() -> None:
    entry, agent = _fresh("Blackjack-v1", "q-learning")
    train(agent, entry, steps=100_000, seed=0, final_eval_episodes=1)
    learned = statistics.fmean(evaluate(agent, entry, 2000))
    assert learned > -0.2  # a random player loses about 0.4 a hand


def test_a_budget_ends_with_the_weights_of_the_best_evaluation(monkeypatch: pytest.MonkeyPatch) -> None:
    from rltui.envs import catalog
    from rltui.training import loop as training
    from rltui.training.agent_factory import make_agent_for

    entry = catalog.resolve("Taxi-v4")
    agent = make_agent_for(entry, "q-learning", seed=0)
    script = iter([10.0, 50.0, 20.0, 15.0, 49.0])  # three periodic, the last weights, the final
    tables: list[np.ndarray] = []

    def scripted(agent_, entry_, episodes, **_):
        tables.append(agent_.q_table())
        return [next(script)]

    monkeypatch.setattr(training, "evaluate", scripted)
    result = training.train(agent, entry, steps=300, seed=0, eval_every=100, eval_episodes=1)
    assert result.best_step == 200
    assert np.array_equal(agent.q_table(), tables[1])  # the weights evaluated at step 200
    assert not np.array_equal(tables[1], tables[3])  # ... which training had moved on from
    assert agent.steps == 300  # the counters stay where training left them
    assert result.eval_return_mean == 49.0


def test_the_last_weights_stay_when_they_are_the_best(monkeypatch: pytest.MonkeyPatch) -> None:
    from rltui.envs import catalog
    from rltui.training import loop as training
    from rltui.training.agent_factory import make_agent_for

    entry = catalog.resolve("Taxi-v4")
    agent = make_agent_for(entry, "q-learning", seed=0)
    script = iter([10.0, 20.0, 30.0, 30.0, 30.0])
    monkeypatch.setattr(training, "evaluate", lambda *a, **k: [next(script)])
    result = training.train(agent, entry, steps=300, seed=0, eval_every=100, eval_episodes=1)
    assert result.best_step is None


def test_tile_coding_lights_one_feature_per_tiling_and_neighbours_share_most() -> None:
    from agents.spaces import TileCoder

    space = {"type": "Box", "shape": [2], "low": [-1.2, -0.07], "high": [0.6, 0.07]}
    coder = TileCoder(space, tilings=8, tiles=8)
    assert coder.n_rows == 8 * 9 * 9
    here, near, far = coder([-0.5, 0.0]), coder([-0.49, 0.001]), coder([0.5, 0.06])
    assert len(here) == 8 and len(set(here)) == 8
    assert all(0 <= i < coder.n_rows for i in here)
    assert all(i // coder.per_tiling == t for t, i in enumerate(here))  # one in each tiling
    assert 4 <= len(set(here) & set(near)) < 8 and not set(here) & set(far)
    assert coder([-99.0, 99.0]) == coder([-1.2, 0.07])  # beyond the bounds: the edge tiles


def test_a_tile_coded_agent_learns_saves_and_loads(tmp_path) -> None:
    from agents.persistence import load_agent, save_agent
    from agents.tabular import TileCodedAgent

    entry = catalog.resolve("MountainCar-v0")
    agent = make_agent_for(entry, "q-learning", seed=0)
    assert isinstance(agent, TileCodedAgent)  # the catalog's choice for this env
    assert agent.q_values([-0.5, 0.0]).tolist() == [0.0, 0.0, 0.0]
    metrics = agent.observe(Transition([-0.5, 0.0], 2, -1.0, [-0.49, 0.001], False, False))
    assert metrics["td_error"] == pytest.approx(-1.0)
    q = agent.q_values([-0.5, 0.0])
    assert q[2] == pytest.approx(-0.5) and q[0] == 0.0  # alpha 0.5 of the error, over 8 tilings
    loaded, _ = load_agent(save_agent(agent, tmp_path / "car", entry.id))
    assert isinstance(loaded, TileCodedAgent) and loaded.q_values([-0.5, 0.0])[2] == pytest.approx(-0.5)


@pytest.mark.parametrize(
    ("setting", "says"),
    [
        ("tilings=0", "tilings"),
        ("tiles=-2", "tiles"),
        ("coding=hex", "coding"),
        ("tilings=1000", "tilings"),
    ],
)
def test_settings_that_make_no_sense_for_tile_coding_are_one_sentence(
    setting: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from rltui.cli import main

    assert (
        main(
            [
                "train",
                "MountainCar-v0",
                "--agent",
                "q-learning",
                "--set",
                setting,
                "--steps",
                "10",
                "--no-save",
                "--quiet",
            ]
        )
        == 2
    )
    err = capsys.readouterr().err.strip()
    assert says in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_mountain_cars_value_map_is_position_by_velocity_with_the_car_marked() -> None:
    from rltui.envs.session import Session
    from rltui.envs.valuemap import MOUNTAIN_CAR_CELLS, value_map_for
    from rltui.ui.render.field import HERE, render_field

    entry = catalog.resolve("MountainCar-v0")
    session = Session(entry, seed=0, render=False)
    agent = make_agent_for(entry, "q-learning", seed=0, env=session.env)
    for _ in range(50):
        agent.observe(session.step(agent.act(session.obs, True)))
    field = value_map_for(entry, session.env)(agent)
    assert field.values.shape == MOUNTAIN_CAR_CELLS and field.axes.x_label == "position"
    row, col = field.axes.here
    x, v = session.obs
    assert abs(-1.2 + col * 1.8 / (MOUNTAIN_CAR_CELLS[1] - 1) - x) < 0.06  # the marked cell is the car's
    assert abs(0.07 - row * 0.14 / (MOUNTAIN_CAR_CELLS[0] - 1) - v) < 0.005
    assert field.values.min() < 0  # the steps taken cost -1 each
    lines = render_field(field, 60, 30, entry.action_names)
    text = ["".join(seg.text for seg in line) for line in lines]
    assert all(len(t) <= 60 for t in text) and sum(t.count(HERE) for t in text) == 2  # cell and legend
    assert "position" in text[-2] and "+0.07" in text[1] and "-0.07" in text[-3]


def test_a_target_met_by_a_lucky_handful_is_confirmed_before_training_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    from rltui.envs import catalog
    from rltui.training import loop as training
    from rltui.training.agent_factory import make_agent_for

    entry = catalog.resolve("Taxi-v4")
    agent = make_agent_for(entry, "q-learning", seed=0)
    calls: list[int] = []
    script = iter([[9.0], [5.0], [9.0], [8.5]])  # met, not confirmed; met, confirmed over 100

    def scripted(agent_, entry_, episodes, **_):
        calls.append(episodes)
        return next(script)

    monkeypatch.setattr(training, "evaluate", scripted)
    result = training.train(
        agent, entry, steps=1_000, target_return=8.0, seed=0, eval_every=100, eval_episodes=1, final_eval_episodes=100
    )
    assert result.steps == 200 and result.solved and result.eval_return_mean == 8.5
    assert calls == [1, 100, 1, 100]  # no evaluation again after the confirmed one
