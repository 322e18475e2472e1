"""What the network kinds share, written once in agents.network (saves, loads, settings), the
off-policy schedule DQN and SAC share, and DQN's one target for torch batches and numpy rows."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from agents.base import Transition
from agents.dqn import DQNAgent, DQNConfig, target_of
from agents.ppo import PPOAgent, PPOConfig
from agents.reinforce import ReinforceAgent, ReinforceConfig
from agents.sac import SACAgent, SACConfig
from agents.schedules import off_policy_updates

BOX = {"type": "Box", "shape": [3], "low": [-1.0] * 3, "high": [1.0] * 3}
ACTION = {"type": "Box", "shape": [1], "low": [-2.0], "high": [2.0]}


def _agents() -> dict[str, object]:
    return {
        "dqn": DQNAgent(BOX, 2, DQNConfig(hidden=(8,), learning_starts=4, batch_size=4, train_freq=1), seed=0),
        "sac": SACAgent(BOX, 0, SACConfig(hidden=(8,), learning_starts=4, batch_size=4), seed=0, action=ACTION),
        "ppo": PPOAgent(BOX, 0, PPOConfig(hidden=(8,), n_steps=8, batch_size=4), seed=0, action=ACTION),
        "reinforce": ReinforceAgent(BOX, 2, ReinforceConfig(hidden=(8,)), seed=0),
    }


def _learn(agent, steps: int = 20) -> None:
    rng = np.random.default_rng(0)
    obs = rng.standard_normal(3).astype(np.float32)
    for t in range(steps):
        nxt = rng.standard_normal(3).astype(np.float32)
        agent.observe(Transition(obs, agent.act(obs, True), 1.0, nxt, t % 5 == 4, False))
        obs = nxt


@pytest.mark.parametrize("kind", ["dqn", "sac", "ppo", "reinforce"])
def test_every_kind_loads_what_it_saved_and_refuses_an_array_not_its_own(kind: str) -> None:
    agent = _agents()[kind]
    _learn(agent)
    arrays = agent.arrays()
    assert any(".exp_avg" in k for k in arrays) or kind == "reinforce"  # Adam's state is saved
    fresh = _agents()[kind]
    fresh.load_arrays(arrays, agent.counters())
    assert {k: v.tolist() for k, v in fresh.arrays().items()} == {k: v.tolist() for k, v in arrays.items()}
    assert fresh.counters() == agent.counters()
    with pytest.raises(ValueError, match=f"^stray.weight is not part of a {kind} agent$"):
        _agents()[kind].load_arrays({**arrays, "stray.weight": np.zeros(2, np.float32)}, {})


def test_reconfigure_sets_each_optimizers_declared_learning_rate() -> None:
    agents = _agents()
    sac, reinforce, ppo, dqn = agents["sac"], agents["reinforce"], agents["ppo"], agents["dqn"]
    sac.reconfigure(dataclasses.replace(sac.config, learning_rate=0.02))
    assert [o.lr for o in sac.optimizers().values()] == [0.02, 0.02, 0.02]
    reinforce.reconfigure(dataclasses.replace(reinforce.config, policy_lr=0.01, value_lr=0.03))
    assert (reinforce.policy_optimizer.lr, reinforce.value_optimizer.lr) == (0.01, 0.03)
    before = ppo.optimizer.lr
    ppo.reconfigure(dataclasses.replace(ppo.config, learning_rate=0.5))
    assert ppo.optimizer.lr == before  # its update sets it, annealed
    dqn.reconfigure(dataclasses.replace(dqn.config, learning_rate=0.04, loss="mse"))
    assert dqn.optimizer.lr == 0.04 and dqn._loss_fn is torch.nn.functional.mse_loss
    with pytest.raises(ValueError, match="'activation' cannot change once trained"):
        ppo.reconfigure(
            dataclasses.replace(ppo.config, activation="relu" if ppo.config.activation == "tanh" else "tanh")
        )
    with pytest.raises(ValueError, match="'hidden' cannot change once trained"):
        dqn.reconfigure(dataclasses.replace(dqn.config, hidden=(4,)))


def test_the_off_policy_schedule_waits_for_the_buffer_then_learns_every_train_freq() -> None:
    c = SimpleNamespace(learning_starts=100, buffer_size=1_000, train_freq=4, gradient_steps=3)
    assert off_policy_updates(c, steps=100, buffered=99) == 0  # not ready
    assert off_policy_updates(c, steps=100, buffered=100) == 3
    assert off_policy_updates(c, steps=101, buffered=101) == 0  # between updates
    assert off_policy_updates(c, steps=100, buffered=100, least=256) == 0  # not a batch yet (DQN)
    small = SimpleNamespace(learning_starts=100, buffer_size=50, train_freq=1, gradient_steps=1)
    assert off_policy_updates(small, steps=7, buffered=50) == 1  # a full buffer is ready


@pytest.mark.parametrize("double", [True, False])
def test_dqns_target_is_the_same_for_a_torch_batch_and_numpy_rows(double: bool) -> None:
    rng = np.random.default_rng(0)
    target_next, online_next = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    rewards, terminated = rng.standard_normal(5), np.array([0.0, 1.0, 0.0, 0.0, 1.0])
    by_numpy = target_of(rewards, terminated, 0.9, target_next, online_next if double else None)
    by_torch = target_of(
        *(torch.from_numpy(a) for a in (rewards, terminated)),
        0.9,
        torch.from_numpy(target_next),
        torch.from_numpy(online_next) if double else None,
    )
    best = (online_next if double else target_next).argmax(axis=1)
    by_hand = rewards + 0.9 * (1 - terminated) * target_next[np.arange(5), best]
    assert np.allclose(by_numpy, by_hand) and np.allclose(by_torch.numpy(), by_hand)
