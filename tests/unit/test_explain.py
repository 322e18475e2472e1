"""Explain a step: each kind's update computed here by hand for a known transition, checked
against every number the explanation shows (to 1e-6); explaining changes nothing."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
import torch

from agents.base import Transition
from agents.explain import Explanation, as_text, explain, number
from rltui.envs import catalog
from rltui.training.agent_factory import make_agent_for

TAXI = catalog.resolve("Taxi-v4")
FROZEN = catalog.resolve("FrozenLake-v1")
CARTPOLE = catalog.resolve("CartPole-v1")
PENDULUM = catalog.resolve("Pendulum-v1")


def values(ex: Explanation) -> dict[str, object]:
    """Every symbol's value, the terms', the results' and the batch's."""
    return {t.symbol: t.value for t in (*ex.terms, *ex.result, *ex.batch)}


def arrays_of(agent: object) -> dict[str, list[float]]:
    return {k: np.asarray(v).ravel().tolist() for k, v in agent.arrays().items()}  # type: ignore[attr-defined]


@pytest.mark.parametrize("kind", ["q-learning", "sarsa", "expected-sarsa"])
def test_a_tabular_update_by_hand(kind: str) -> None:
    agent = make_agent_for(
        TAXI, kind, {"alpha": "0.5", "gamma": "0.9", "epsilon_start": "0.2", "epsilon_end": "0.2"}, 0
    )
    s, a, s2, r = 17, 2, 37, -1.0
    agent.table[s][a] = -2.5
    agent.table[s2] = [-1.0, -3.0, -0.5, -4.0, -10.0, -10.0]
    row2 = list(agent.table[s2])
    recorded = agent.observe(Transition(s, a, r, s2, False, False))
    if kind == "q-learning":
        x = max(row2)
    elif kind == "sarsa":
        x = row2[recorded["next_action"]]
    else:
        x = 0.8 * max(row2) + 0.2 * sum(row2) / 6
    target = r + 0.9 * x
    error = target + 2.5
    new = -2.5 + 0.5 * error
    assert agent.table[s][a] == pytest.approx(new, abs=1e-12)  # what the agent did
    ex = explain(agent, Transition(s, a, r, s2, False, False), recorded)
    assert ex is not None
    got = values(ex)
    symbol = ex.terms[-1].symbol
    for key, want in {
        "Q(s,a)": -2.5,
        "α": 0.5,
        "r": r,
        "γ": 0.9,
        symbol: x,
        "r + γ·X": target,
        "δ": error,
        "Q(s,a) new": new,
    }.items():
        assert got[key] == pytest.approx(want, abs=1e-6), key
    # The filled-in equation reads the same numbers, and they add up.
    assert ex.filled.endswith(f"= {number(new)}")
    assert number(x) in ex.filled or f"({number(x)})" in ex.filled


def test_a_terminal_step_has_no_bootstrap_and_the_time_limit_keeps_it() -> None:
    agent = make_agent_for(TAXI, "q-learning", {"alpha": "0.5", "gamma": "0.9"}, 0)
    agent.table[5] = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    end = Transition(0, 0, 20.0, 5, True, False)
    ex = explain(agent, end, agent.observe(end))
    assert ex is not None and values(ex)["max_a' Q(s',a')"] == 0.0 and values(ex)["r + γ·X"] == 20.0
    assert any("terminal" in note for note in ex.notes)
    cut = Transition(1, 0, 0.0, 5, False, True)
    ex = explain(agent, cut, agent.observe(cut))
    assert ex is not None and values(ex)["max_a' Q(s',a')"] == pytest.approx(6.0)
    assert any("time limit" in note for note in ex.notes)


def test_tile_coding_names_the_active_tiles_and_their_share() -> None:
    mountain = catalog.resolve("MountainCar-v0")
    agent = make_agent_for(mountain, "q-learning", {"coding": "tiles", "tilings": "4", "alpha": "0.4"}, 0)
    obs, nxt = np.array([-0.5, 0.0]), np.array([-0.49, 0.001])
    step = Transition(obs, 1, -1.0, nxt, False, False)
    recorded = agent.observe(step)
    ex = explain(agent, step, recorded)
    assert ex is not None
    tiles = agent.indexer(obs)
    note = next(n for n in ex.notes if n.startswith("Tile coding"))
    assert ", ".join(map(str, tiles)) in note
    assert number(0.4 / 4 * recorded["td_error"]) in note


def test_a_planners_bellman_backup_by_hand() -> None:
    agent = make_agent_for(FROZEN, "value-iteration", seed=0)
    while agent.planning:
        agent.sweep()
    state = 14  # beside the goal
    v, _ = agent.value_table()
    ex = explain(agent, Transition(state, 0, 0.0, state, False, False), {})
    assert ex is not None
    got = values(ex)
    for a in range(4):
        want = sum(
            p * (r + agent.config.gamma * (0.0 if done else v[s2])) for p, s2, r, done in agent.model.outcomes(state, a)
        )
        assert got[f"Q(s,{a})"] == pytest.approx(want, abs=1e-6)
        assert got[f"Q(s,{a})"] == pytest.approx(agent.q_values(state)[a], abs=1e-6)
    assert got["V(s)"] == pytest.approx(v[state], abs=1e-6)


def _trained(entry: object, kind: str, steps: int, settings: dict[str, str] | None = None) -> object:
    agent = make_agent_for(entry, kind, settings, seed=0)
    env = catalog.make_env(entry, render=False, kind=kind)
    obs, _ = env.reset(seed=0)
    for _ in range(steps):
        action = agent.act(obs, True)
        nxt, r, term, trunc, _ = env.step(action)
        agent.observe(Transition(obs, action, float(r), nxt, term, trunc))
        obs = nxt if not (term or trunc) else env.reset()[0]
    env.close()
    return agent


def test_dqn_target_and_loss_by_hand() -> None:
    agent = _trained(CARTPOLE, "dqn", 300, {"learning_starts": "50", "batch_size": "16", "hidden": "16"})
    agent.track_td = True
    obs = np.array([0.01, 0.2, -0.03, -0.25], dtype=np.float32)
    nxt = np.array([0.015, 0.4, -0.035, -0.5], dtype=np.float32)
    step = Transition(obs, 1, 1.0, nxt, False, False)
    with torch.no_grad():
        q = agent.q_network(torch.from_numpy(obs)[None])[0].double().numpy()
        online_next = agent.q_network(torch.from_numpy(nxt)[None])[0].double().numpy()
        target_next = agent.target_network(torch.from_numpy(nxt)[None])[0].double().numpy()
    a_star = int(np.argmax(online_next)) if agent.config.double_dqn else int(np.argmax(target_next))
    y = 1.0 + agent.config.gamma * target_next[a_star]
    delta = y - q[1]
    huber = 0.5 * delta**2 if abs(delta) <= 1 else abs(delta) - 0.5
    before = arrays_of(agent)
    recorded = copy.deepcopy(agent).observe(step)
    ex = explain(agent, step, recorded)
    assert ex is not None
    got = values(ex)
    for key, want in {"Q(s,a)": q[1], "a*": a_star, "Q_target(s',a*)": target_next[a_star], "y": y, "δ": delta}.items():
        assert got[key] == pytest.approx(want, abs=1e-6), key
    assert got["loss"] == pytest.approx(huber if agent.config.loss == "huber" else delta**2, abs=1e-6)
    assert arrays_of(agent) == before


def test_dqn_says_its_last_batch_when_it_stepped() -> None:
    agent = _trained(
        CARTPOLE, "dqn", 200, {"learning_starts": "50", "batch_size": "16", "hidden": "16", "train_freq": "1"}
    )
    agent.track_td = True
    obs = np.zeros(4, dtype=np.float32)
    recorded = agent.observe(Transition(obs, 0, 1.0, obs, False, False))
    assert {"loss", "batch_target", "grad_norm"} <= set(recorded)
    ex = explain(agent, Transition(obs, 0, 1.0, obs, False, False), recorded)
    assert ex is not None and {t.symbol for t in ex.batch} == {"mean y", "loss", "‖∇‖"}
    assert math.isfinite(values(ex)["‖∇‖"]) and values(ex)["‖∇‖"] > 0  # type: ignore[arg-type]


def test_a_policy_agents_advantage_by_hand() -> None:
    agent = _trained(CARTPOLE, "ppo", 50, {"hidden": "16"})
    c = agent.config
    rng = np.random.default_rng(0)
    states = [rng.normal(0, 0.05, 4).astype(np.float32) for _ in range(4)]
    after = [Transition(states[i], i % 2, 1.0, states[i + 1], False, False) for i in range(3)]

    def v(x: np.ndarray) -> float:
        with torch.no_grad():
            return float(agent.value_net(torch.from_numpy(x)[None])[0, 0])

    deltas = [1.0 + c.gamma * v(states[i + 1]) - v(states[i]) for i in range(3)]
    advantage = sum((c.gamma * c.gae_lambda) ** k * d for k, d in enumerate(deltas))
    with torch.no_grad():
        logits = agent.policy_net(torch.from_numpy(states[0])[None])[0].double()
    log_pi = float(torch.log_softmax(logits, 0)[0])
    before = arrays_of(agent)
    ex = explain(agent, after[0], {}, after)
    assert ex is not None
    got = values(ex)
    assert got["δ"] == pytest.approx(deltas[0], abs=1e-6)
    assert got["A"] == pytest.approx(advantage, abs=1e-6)
    assert got["log π(a|s)"] == pytest.approx(log_pi, abs=1e-6)
    assert got["V(s)"] == pytest.approx(v(states[0]), abs=1e-6)
    assert arrays_of(agent) == before


def test_sacs_soft_target_by_its_own_numbers_and_no_randomness_drawn() -> None:
    agent = _trained(PENDULUM, "sac", 60, {"hidden": "16,16", "learning_starts": "20", "batch_size": "8"})
    obs = np.array([1.0, 0.0, 0.2], dtype=np.float32)
    nxt = np.array([0.99, 0.1, 0.5], dtype=np.float32)
    step = Transition(obs, np.array([0.5]), -0.3, nxt, False, False)
    before, torch_rng, np_rng = (
        arrays_of(agent),
        torch.random.get_rng_state(),
        copy.deepcopy(agent.rng.bit_generator.state),
    )
    ex = explain(agent, step, {})
    again = explain(agent, step, {})
    assert ex == again  # a' is drawn from its own seeded generator
    got = values(ex)
    y = -0.3 + agent.config.gamma * (got["min Q'(s',a')"] - got["α"] * got["log π(a'|s')"])  # type: ignore[operator]
    assert got["y"] == pytest.approx(y, abs=1e-6)
    assert arrays_of(agent) == before
    assert torch.equal(torch.random.get_rng_state(), torch_rng) and agent.rng.bit_generator.state == np_rng


def test_an_explanation_is_plain_data_and_text() -> None:
    agent = make_agent_for(TAXI, "q-learning", seed=0)
    step = Transition(17, 2, -1.0, 37, False, False)
    ex = explain(agent, step, agent.observe(step))
    assert ex is not None
    import json

    assert json.loads(json.dumps(ex.as_dict()))["title"] == ex.title
    text = as_text(ex, 60)
    assert ex.equation in text and all(t.symbol in text for t in ex.terms)
    assert max(len(line) for line in text.splitlines() if not line.startswith(("Q(s,a) ←", "·"))) <= 60


def test_a_step_not_learned_from_says_so() -> None:
    agent = make_agent_for(TAXI, "q-learning", seed=0)
    ex = explain(agent, Transition(17, 2, -1.0, 37, False, False), {})
    assert ex is not None and "no update" in ex.title


def test_ppos_ratio_is_the_policy_now_against_the_one_that_acted() -> None:
    agent = make_agent_for(CARTPOLE, "ppo", {"hidden": "16", "n_steps": "8", "batch_size": "8"}, seed=0)
    obs = np.array([0.01, 0.2, -0.03, -0.25], dtype=np.float32)
    step = Transition(obs, 1, 1.0, obs, False, False)
    recorded = agent.observe(step)
    ex = explain(agent, step, recorded, [step])
    assert ex is not None and values(ex)["π/π_old"] == pytest.approx(1.0) and values(ex)["clipped"] is False
    for _ in range(8):  # the rollout completes: the policy moves
        agent.observe(Transition(obs, 0, 1.0, obs, False, False))
    ex = explain(agent, step, recorded, [step])
    assert ex is not None
    want = math.exp(values(ex)["log π(a|s)"] - recorded["log_prob"])  # type: ignore[operator]
    assert values(ex)["π/π_old"] == pytest.approx(want, abs=1e-9) and values(ex)["π/π_old"] != pytest.approx(1.0)
