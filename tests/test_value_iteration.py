from __future__ import annotations

import pytest

from agents.value_iteration import ValueIterationAgent, q_star
from rltui.core import catalog
from rltui.core.training import evaluate


def _model(env_id: str):
    env = catalog.make_env(catalog.resolve(env_id), render=False)
    return env.unwrapped


def _mean_v_over_starts(env_id: str, gamma: float) -> float:
    u = _model(env_id)
    q, _ = q_star(u.P, gamma)
    return float((u.initial_state_distrib * q.max(axis=1)).sum())


@pytest.mark.parametrize(
    ("env_id", "gamma", "known"),
    [
        ("Taxi-v4", 1.0, 7.93),  # the optimum averaged over all 300 start states
        ("CliffWalking-v1", 1.0, -13.0),  # 13 steps along the cliff edge
        ("FrozenLake-v1", 1.0, 14 / 17),  # the slippery 4x4 lake's best success chance
        ("FrozenLakeNotSlippery-v1", 0.95, 0.95**5),  # six moves, reward 1 on the last
    ],
)
def test_value_iteration_reproduces_known_optima(env_id: str, gamma: float, known: float) -> None:
    assert _mean_v_over_starts(env_id, gamma) == pytest.approx(known, abs=1e-6)


def test_value_iteration_agent_walks_the_optimal_cliff_path() -> None:
    entry = catalog.resolve("CliffWalking-v1")
    agent = ValueIterationAgent(_model("CliffWalking-v1").P, 4)
    assert evaluate(agent, entry, episodes=1) == [-13.0]


def test_value_iteration_agent_reports_zero_td_error_on_its_own_model() -> None:
    u = _model("Taxi-v4")
    agent = ValueIterationAgent(u.P, 6)
    from agents.base import Transition

    s = 123
    for a in range(6):
        ((_, s2, r, done),) = u.P[s][a]
        metrics = agent.observe(Transition(s, a, r, s2, done, False))
        assert metrics["td_error"] == pytest.approx(0.0, abs=1e-6)
