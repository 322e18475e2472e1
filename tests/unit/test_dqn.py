from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from agents.base import Transition
from agents.dqn import DQNAgent, DQNConfig
from agents.replay import ReplayBuffer
from rltui.envs import catalog
from rltui.training.loop import train

BOX = {"type": "Box", "shape": [2], "low": [-1.0, -1.0], "high": [1.0, 1.0]}


def test_dqn_learns_a_tiny_env() -> None:
    entry = catalog.resolve("FrozenLakeNotSlippery-v1")
    env = catalog.make_env(entry, render=False)
    config = DQNConfig(
        hidden=(32,),
        learning_starts=200,
        epsilon_decay_steps=2_000,
        target_update_interval=100,
        gamma=0.95,
        learning_rate=3e-3,
    )
    agent = DQNAgent({"type": "Discrete", "n": 16}, 4, config, seed=0)
    result = train(agent, entry, steps=4_000, seed=0)
    assert result.eval_return_mean == 1.0
    # Q(start, ·) approaches γ^5 for the best first move.
    assert agent.q_values(0).max() == pytest.approx(0.95**5, abs=0.15)
    env.close()


def test_replay_buffer_is_a_preallocated_ring() -> None:
    buffer = ReplayBuffer(capacity=3, obs_dim=2, seed=0)
    for i in range(5):
        buffer.add(np.full(2, i), i % 2, float(i), np.full(2, i + 1), i == 4)
    assert buffer.size == 3 and buffer.observations.shape == (3, 2)
    assert sorted(buffer.rewards.tolist()) == [2.0, 3.0, 4.0]


def test_truncation_bootstraps_and_termination_does_not() -> None:
    agent = DQNAgent(BOX, 2, DQNConfig(hidden=(8,), learning_starts=10**6), seed=0)
    agent.track_td = True
    import torch

    obs, nxt = np.zeros(2, np.float32), np.ones(2, np.float32)
    with torch.no_grad():
        target_q = agent.target_network(torch.from_numpy(nxt[None]))[0]
    bootstrap = agent.config.gamma * float(target_q[agent.q_values(nxt).argmax()])
    cut = agent.observe(Transition(obs, 0, 1.0, nxt, False, True))
    end = agent.observe(Transition(obs, 0, 1.0, nxt, True, False))
    assert end["td_target"] == pytest.approx(1.0)
    assert cut["td_target"] == pytest.approx(1.0 + bootstrap, abs=1e-5)
    # The buffer keeps only the true-termination flag.
    assert agent.buffer.terminated[:2].tolist() == [0.0, 1.0]


def test_hard_target_sync_every_interval_and_soft_blend() -> None:
    import torch

    agent = DQNAgent(
        BOX, 2, DQNConfig(hidden=(8,), learning_starts=1, batch_size=2, train_freq=1, target_update_interval=4), seed=0
    )
    for _ in range(3):
        agent.observe(Transition(np.zeros(2), 0, 1.0, np.ones(2), False, False))
    online, target = agent.q_network.state_dict(), agent.target_network.state_dict()
    assert any(not torch.equal(online[k], target[k]) for k in online)
    agent.observe(Transition(np.zeros(2), 0, 1.0, np.ones(2), False, False))  # step 4: copy
    target = agent.target_network.state_dict()
    assert all(torch.equal(agent.q_network.state_dict()[k], target[k]) for k in target)

    soft = DQNAgent(BOX, 2, DQNConfig(hidden=(8,), tau=0.5), seed=0)
    before = [p.clone() for p in soft.target_network.parameters()]
    with torch.no_grad():
        for p in soft.q_network.parameters():
            p.add_(1.0)
    soft.sync_target(0.5)
    for b, t in zip(before, soft.target_network.parameters()):
        assert torch.allclose(t, b + 0.5)


def test_warm_up_acts_at_random_then_epsilon_decays() -> None:
    agent = DQNAgent(
        BOX, 2, DQNConfig(hidden=(8,), learning_starts=50, epsilon_decay_steps=100, epsilon_end=0.1), seed=0
    )
    assert agent.epsilon == 1.0
    agent.steps = 100
    assert agent.epsilon == pytest.approx(0.1)


def test_cuda_request_without_cuda_is_one_sentence() -> None:
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(ValueError, match="CUDA is not available"):
        DQNAgent(BOX, 2, DQNConfig(device="cuda"))


def test_an_exploring_move_holds_its_random_action_for_explore_repeat_steps() -> None:
    space = {"type": "Box", "shape": [2], "low": [-1.0, -1.0], "high": [1.0, 1.0]}
    agent = DQNAgent(space, 3, DQNConfig(learning_starts=1_000, explore_repeat=5, hidden=(8,)), seed=0)
    obs = np.zeros(2, dtype=np.float32)
    actions = []
    for t in range(20):
        actions.append(agent.act(obs, explore=True))
        agent.observe(Transition(obs, actions[-1], 0.0, obs, False, t == 11))
    # Warm-up: runs of 5 equal actions, the run in progress cut where the episode ended.
    runs = [actions[0:5], actions[5:10], actions[10:12], actions[12:17]]
    assert all(len(set(run)) == 1 for run in runs)
    assert len(set(actions)) > 1  # random, not one action throughout
    greedy = agent.act(obs, explore=False)
    assert greedy == int(np.argmax(agent.q_values(obs)))  # greedy acting never holds


def test_dqn_steps_several_envs_side_by_side_into_one_buffer() -> None:
    from rltui.envs import catalog
    from rltui.training.agent_factory import make_agent_for
    from rltui.training.collectors import Many as _Many

    entry = catalog.resolve("CartPole-v1")
    agent = make_agent_for(entry, "dqn", {"n_envs": "3", "hidden": "16", "learning_starts": "50"}, seed=0)
    many = _Many(agent, entry, 3, seed=0)
    taken = 0
    for _ in range(200):
        n, _, _ = many.step()
        taken += n
    many.close()
    assert agent.steps == taken == agent.buffer.size and 3 * 200 - 30 <= taken <= 3 * 200
    # With ε at 0 (past warm-up), the batch acts as the greedy batch does.
    agent.config = dataclasses.replace(agent.config, epsilon_start=0.0, epsilon_end=0.0)
    observations = np.random.default_rng(0).normal(size=(5, 4)).astype(np.float32)
    assert list(agent.act_batch(observations)) == agent.act_greedy_batch(list(observations))
