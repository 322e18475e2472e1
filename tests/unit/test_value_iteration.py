from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from agents.value_iteration import (
    PolicyIterationAgent,
    ValueIterationAgent,
    ValueIterationConfig,
    q_star,
)
from rltui.envs import catalog
from rltui.envs.session import AGENT, Session
from rltui.envs.valuemap import value_map_for
from rltui.live.playalong import PlayAlong
from rltui.training.agent_factory import make_agent_for, watched
from rltui.training.evaluation import evaluate


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


# --- planning you can watch: sweep by sweep ---------------------------------------------------


def _lake8() -> tuple[dict, ValueIterationConfig]:
    return _model("FrozenLake8x8-v1").P, ValueIterationConfig(gamma=0.99, tolerance=1e-6)


def test_value_iteration_sweep_by_sweep_ends_where_the_one_shot_agent_does() -> None:
    P, config = _lake8()
    at_once = ValueIterationAgent(P, 4, config)
    watched = ValueIterationAgent(P, 4, replace(config, watch=True))
    assert watched.sweeps == 0 and not watched.table.any() and watched.planning  # from V = 0
    residuals = []
    while watched.planning:
        residuals.append(watched.sweep())
    assert watched.converged and residuals[-1] < 1e-6 <= residuals[-2]
    assert watched.sweeps == at_once.sweeps == len(residuals)
    assert 100 < watched.sweeps < 1_000  # FrozenLake8x8 at γ 0.99 needs a few hundred
    # A contraction: each sweep's largest change is at most γ times the one before.
    assert all(b <= 0.99 * a + 1e-15 for a, b in zip(residuals, residuals[1:]))
    assert np.array_equal(watched.value_table()[0], at_once.value_table()[0])
    assert watched.plan_status() == "converged" and not watched.planning


def test_policy_iteration_finds_the_same_values_in_few_policies() -> None:
    P, config = _lake8()
    vi = ValueIterationAgent(P, 4, config)
    pi = PolicyIterationAgent(P, 4, replace(config, watch=True))
    statuses = set()
    while pi.planning:
        pi.sweep()
        statuses.add(pi.plan_status())
    assert {"evaluating π1", "improving π1", "converged"} <= statuses
    assert pi.converged and 2 <= pi.improvements < 30 and pi.sweeps > vi.sweeps
    v_star, _ = vi.value_table()
    v_pi, policy = pi.value_table()
    assert np.max(np.abs(v_pi - v_star)) < 1e-3
    # The stable policy is greedy on V*: no action beats it by more than the tolerance allows.
    q = vi.table
    assert np.all(q[np.arange(len(policy)), policy] >= q.max(axis=1) - 1e-3)


def test_the_panel_numbers_the_policy_that_plan_status_names() -> None:
    """While "evaluating π1" the panel must not say "policies 0": both name the policy in hand."""
    from types import SimpleNamespace

    from rltui.ui.widgets.training_panel import _planner_rows

    P, config = _lake8()
    pi = PolicyIterationAgent(P, 4, replace(config, watch=True))
    seen = set()
    while pi.planning:
        pi.sweep()
        status = pi.plan_status()
        rows = dict(
            _planner_rows(
                SimpleNamespace(training=SimpleNamespace(metrics=tuple(pi.last_metrics.items())), planning=status)
            )
        )
        if status != "converged":
            assert status.endswith(rows["policy"]), (status, rows)
            seen.add(rows["policy"])
        else:
            assert rows["policy"] == f"π{pi.improvements}"
    assert "π1" in seen and "policies" not in rows


def test_a_watched_planner_plans_one_sweep_per_agent_step_before_the_env_moves() -> None:
    entry = catalog.resolve("FrozenLake8x8-v1")
    session = Session(entry, seed=0, render=False)
    agent = make_agent_for(entry, "value-iteration", watched("value-iteration", {"tolerance": "1e-6"}), env=session.env)
    owner = PlayAlong(session, agent, value_states=value_map_for(entry, session.env))
    owner.controller = AGENT
    owner.stepper.agent()
    assert agent.sweeps == 1 and session.total_steps == 0
    owner.commands.show_values(True)
    owner.publish(force=True)
    snap = owner.latest
    assert snap.planning == "sweeping" and dict(snap.training.metrics)["sweeps"] == 1
    # After one sweep from V = 0 only the cells next to the goal are worth anything.
    goal_row = snap.values.values[-1]
    assert np.nanmax(snap.values.values[:-2]) == 0 and goal_row[-2] > 0
    while agent.planning:
        owner.stepper.agent()
    assert session.total_steps == 0
    owner.stepper.agent()  # converged: now it acts
    assert session.total_steps == 1


def test_a_policy_iteration_save_keeps_its_policy(tmp_path: Path) -> None:
    from agents.persistence import load_agent, save_agent

    entry = catalog.resolve("FrozenLake-v1")
    agent = make_agent_for(entry, "policy-iteration")
    path = tmp_path / "pi.safetensors"
    save_agent(agent, path, entry.id)
    loaded, _ = load_agent(path)
    assert loaded.kind == "policy-iteration" and not loaded.planning
    assert np.array_equal(loaded.policy, agent.policy) and np.array_equal(loaded.v, agent.v)
    assert [loaded.act(s, False) for s in range(16)] == [agent.act(s, False) for s in range(16)]
