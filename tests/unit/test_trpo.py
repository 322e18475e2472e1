"""TRPO: its conjugate gradient, the trust region its line search keeps, learning a tiny task
(discrete and continuous), saves loaded bit for bit, and bad settings refused in one sentence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from agents.base import Transition
from agents.persistence import load_agent, save_agent
from agents.registry import AgentError, build_config
from agents.trpo import TRPOAgent, TRPOConfig, conjugate_gradient

BOX = {"type": "Box", "shape": [2], "low": [-1.0, -1.0], "high": [1.0, 1.0]}
ACTION_1D = {"type": "Box", "shape": [1], "low": [-1.0], "high": [1.0]}
SMALL = {"hidden": (16, 16), "n_steps": 64, "batch_size": 32, "n_critic_updates": 5}


def _discrete(**settings: object) -> TRPOAgent:
    return TRPOAgent(BOX, 2, TRPOConfig(**{**SMALL, **settings}), seed=0)  # type: ignore[arg-type]


def _continuous(**settings: object) -> TRPOAgent:
    config = TRPOConfig(**{**SMALL, **settings})  # type: ignore[arg-type]
    return TRPOAgent(BOX, 0, config, seed=0, action=ACTION_1D)


def _reward(obs: np.ndarray, action: object) -> float:
    """The tiny task: a one-step episode; discrete, +1 for action 1 where obs[0] > 0 and for 0
    elsewhere; continuous, −(a − obs[0])², the best action the first coordinate itself."""
    if isinstance(action, np.ndarray):
        return -float((action[0] - obs[0]) ** 2)
    return 1.0 if int(action) == int(obs[0] > 0) else 0.0


def _play(agent: TRPOAgent, steps: int, seed: int = 0) -> list[dict[str, float]]:
    rng = np.random.default_rng(seed)
    updates = []
    for _ in range(steps):
        obs = rng.uniform(-1, 1, size=2).astype(np.float32)
        action = agent.act(obs, True)
        metrics = agent.observe(Transition(obs, action, _reward(obs, action), obs, True, False))
        if "is_line_search_success" in metrics:  # an update (every step says its π_old(a|s))
            updates.append(metrics)
    return updates


def test_conjugate_gradient_solves_a_known_spd_system() -> None:
    rng = np.random.default_rng(0)
    m = rng.normal(size=(6, 6))
    a = m @ m.T + 6 * np.eye(6)  # symmetric positive definite
    b = rng.normal(size=6)
    a_t, b_t = torch.from_numpy(a), torch.from_numpy(b)
    x = conjugate_gradient(lambda v: a_t @ v, b_t, max_steps=6)
    # In exact arithmetic conjugate gradient ends in n steps; in float64 it is exact to 1e-8.
    assert x.numpy() == pytest.approx(np.linalg.solve(a, b), rel=1e-8, abs=1e-10)
    few = conjugate_gradient(lambda v: a_t @ v, b_t, max_steps=2)
    assert not np.allclose(few.numpy(), np.linalg.solve(a, b), atol=1e-6)  # the steps are counted


@pytest.mark.parametrize("make", [_discrete, _continuous], ids=["discrete", "continuous"])
def test_an_update_keeps_the_kl_to_the_old_policy_within_target_kl(make: object) -> None:
    agent = make(target_kl=0.01)  # type: ignore[operator]
    rng = np.random.default_rng(1)
    batch = []
    for _ in range(63):
        obs = rng.uniform(-1, 1, size=2).astype(np.float32)
        action = agent.act(obs, True)
        agent.observe(Transition(obs, action, _reward(obs, action), obs, True, False))
        batch.append(obs)
    x = torch.from_numpy(np.stack(batch))
    with torch.no_grad():
        before = tuple(t.clone() for t in agent.head.distribution(agent._policy_out(x)))
    obs = rng.uniform(-1, 1, size=2).astype(np.float32)
    action = agent.act(obs, True)
    metrics = agent.observe(Transition(obs, action, _reward(obs, action), obs, True, False))
    assert metrics["is_line_search_success"] == 1.0
    with torch.no_grad():
        after = agent.head.distribution(agent._policy_out(x))
        kl = float(agent.head.kl(before, after).mean())
    # The step moved the policy, and by no more than the trust region on the batch (the last
    # step's state aside, whose share of the mean is 1/64).
    assert 0 < kl < 0.01 * 64 / 63
    assert metrics["kl_divergence_loss"] == pytest.approx(kl, rel=0.05)


def test_a_failed_line_search_keeps_the_old_policy() -> None:
    agent = _discrete(line_search_max_iter=3)
    kl = agent.head.kl
    # Every step tried reads as outside the trust region: the line search runs without autograd,
    # the Fisher-vector products (the KL's second derivative) with it.
    agent.head.kl = lambda old, new: kl(old, new) + (0.0 if torch.is_grad_enabled() else 1.0)  # type: ignore[method-assign]
    before = agent.arrays()
    updates = _play(agent, 64)
    after = agent.arrays()
    assert updates[0]["is_line_search_success"] == 0.0 and updates[0]["kl_divergence_loss"] == 0.0
    assert updates[0]["line_search_steps"] == 3
    policy = [k for k in before if k.startswith("policy.")]
    assert all(np.array_equal(before[k], after[k]) for k in policy)
    assert not np.array_equal(before["value.0.weight"], after["value.0.weight"])  # V still fits


def test_trpo_learns_a_tiny_discrete_task() -> None:
    agent = _discrete(target_kl=0.05)
    updates = _play(agent, 64 * 30)
    assert len(updates) == 30 and sum(u["is_line_search_success"] for u in updates) >= 25
    rng = np.random.default_rng(7)
    tests = rng.uniform(-1, 1, size=(200, 2)).astype(np.float32)
    right = sum(agent.act(o, False) == int(o[0] > 0) for o in tests)
    assert right >= 190


def test_trpo_learns_a_tiny_continuous_task() -> None:
    agent = _continuous(target_kl=0.05)
    updates = _play(agent, 64 * 40)
    rng = np.random.default_rng(7)
    tests = rng.uniform(-1, 1, size=(200, 2)).astype(np.float32)
    errors = [abs(float(agent.act(o, False)[0]) - float(o[0])) for o in tests]
    assert np.mean(errors) < 0.15
    assert updates[-1]["std"] < 0.9  # σ shrank from 1 as the mean found its mark
    beliefs = agent.action_beliefs(tests[0], np.linspace(-1, 1, 5))  # the panel's density curve
    assert beliefs["curve"].shape == (5,) and beliefs["std"][0] == pytest.approx(updates[-1]["std"], rel=1e-5)


def test_save_and_load_are_bit_identical(tmp_path: Path) -> None:
    agent = _continuous()
    _play(agent, 64 * 2)
    path = save_agent(agent, tmp_path / "trpo", "Pendulum-v1")
    loaded, meta = load_agent(path)
    assert loaded.kind == "trpo" and meta["counters"]["updates"] == agent.updates == 2
    saved, restored = agent.arrays(), loaded.arrays()
    assert saved.keys() == restored.keys() and "policy.log_std" in saved and "value_optimizer.0.exp_avg" in saved
    assert all(saved[k].dtype == restored[k].dtype and np.array_equal(saved[k], restored[k]) for k in saved)
    obs = np.array([0.3, -0.2], np.float32)
    assert np.array_equal(loaded.act(obs, False), agent.act(obs, False))


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        ({"target_kl": "0"}, "Setting 'target_kl' must be above 0 and at most 10"),
        ({"cg_max_steps": "0"}, "Setting 'cg_max_steps' must be from 1 to 1,000, not 0"),
        ({"cg_damping": "-1"}, "Setting 'cg_damping' must be from 0"),
        ({"line_search_shrinking_factor": "1.5"}, "Setting 'line_search_shrinking_factor' must be above 0"),
        ({"n_steps": "128", "batch_size": "512"}, "cannot exceed 'n_steps'"),
        ({"cg_iters": "10"}, "Unknown setting 'cg_iters'"),
    ],
)
def test_bad_settings_are_refused_in_one_sentence(settings: dict[str, str], says: str) -> None:
    with pytest.raises(AgentError) as caught:
        build_config("trpo", 0.99, settings=settings)
    message = str(caught.value)
    assert says in message and "\n" not in message and message.count(". ") <= 1
