"""DQN on stacked frames: the Nature CNN, a replay that keeps each frame once, clipped rewards."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from agents.base import Transition, describe_space
from agents.dqn import DQNAgent, DQNConfig
from agents.nets import NatureCNN
from agents.replay import FrameReplay

SHAPE = (4, 84, 84)
FRAMES = {"type": "Box", "shape": list(SHAPE), "dtype": "uint8", "low": [0.0], "high": [255.0]}


def _episode(rng: np.random.Generator, length: int, shape: tuple[int, ...] = SHAPE) -> list[Transition]:
    """Transitions of one episode of random frames, stacked as the Atari wrapper stacks them."""
    first = rng.integers(0, 256, shape[1:], dtype=np.uint8)
    obs = np.stack([first] * shape[0])
    out = []
    for t in range(length):
        frame = rng.integers(0, 256, shape[1:], dtype=np.uint8)
        nxt = np.concatenate([obs[1:], frame[None]])
        out.append(Transition(obs, int(rng.integers(6)), float(rng.normal()), nxt, t == length - 1, False))
        obs = nxt
    return out


def _index(steps: list[Transition]) -> dict[bytes, Transition]:
    return {s.obs.tobytes() + s.next_obs.tobytes(): s for s in steps}


def test_frame_replay_gives_back_exact_stacks_and_keeps_each_frame_once() -> None:
    rng = np.random.default_rng(0)
    steps = _episode(rng, 30) + _episode(rng, 20)
    replay = FrameReplay(200, SHAPE, seed=0)
    for s in steps:
        replay.add(s.obs, s.action, s.reward, s.next_obs, s.terminated)
    # One slot per transition, plus a stack's worth where each episode begins.
    assert replay.written == 50 + 2 * 4 and replay.size == 50
    assert replay.frames.nbytes == 200 * 84 * 84
    known = _index(steps)
    batch = replay.sample(256, torch.device("cpu"))
    assert batch.observations.dtype == torch.uint8 and tuple(batch.observations.shape) == (256, *SHAPE)
    for i in range(256):
        o, n = batch.observations[i].numpy(), batch.next_observations[i].numpy()
        step = known[o.tobytes() + n.tobytes()]  # KeyError: a stack that never was
        assert step.action == int(batch.actions[i]) and step.terminated == bool(batch.terminated[i])
        assert float(batch.rewards[i]) == pytest.approx(step.reward)


def test_a_wrapped_ring_never_samples_a_stack_with_an_overwritten_frame() -> None:
    rng = np.random.default_rng(1)
    shape = (4, 6, 6)
    steps = [s for _ in range(12) for s in _episode(rng, int(rng.integers(3, 15)), shape)]
    replay = FrameReplay(37, shape, seed=1)
    recent: list[Transition] = []
    for s in steps:
        replay.add(s.obs, s.action, s.reward, s.next_obs, s.terminated)
        recent.append(s)
        if replay.written > 2 * replay.capacity:
            known = _index(recent)
            batch = replay.sample(64, torch.device("cpu"))
            for i in range(64):
                key = batch.observations[i].numpy().tobytes() + batch.next_observations[i].numpy().tobytes()
                assert key in known
    assert replay.size < 37


def test_a_branch_that_does_not_follow_starts_a_new_stack() -> None:
    rng = np.random.default_rng(2)
    steps = _episode(rng, 10)
    replay = FrameReplay(100, SHAPE, seed=0)
    for s in steps[:6]:
        replay.add(s.obs, s.action, s.reward, s.next_obs, s.terminated)
    assert replay.written == 4 + 6
    replay.add(steps[2].obs, 0, 0.0, steps[2].next_obs, False)  # back to step 2, as a branch does
    assert replay.written == 4 + 6 + 4 + 1


def test_nature_cnn_counts_its_weights_and_a_tiny_batch_learns() -> None:
    net = NatureCNN(SHAPE, 6, (512,))
    assert NatureCNN.parameters_for(SHAPE, 6, (512,)) == sum(p.numel() for p in net.parameters())
    agent = DQNAgent(
        FRAMES,
        6,
        DQNConfig(hidden=(32,), batch_size=4, learning_starts=8, buffer_size=64, train_freq=1, learning_rate=1e-3),
        seed=0,
    )
    before = [p.detach().clone() for p in agent.q_network.parameters()]
    losses = [agent.observe(s).get("loss") for s in _episode(np.random.default_rng(3), 20)]
    assert agent.updates > 0 and all(np.isfinite(x) for x in losses if x is not None)
    assert all(not torch.equal(a, b) for a, b in zip(before, agent.q_network.parameters()))
    obs = _episode(np.random.default_rng(4), 3)
    assert agent.q_values(obs[0].obs).shape == (6,)
    assert agent.act_greedy_batch([s.obs for s in obs]) == [agent.act(s.obs, explore=False) for s in obs]


def test_clipped_rewards_are_learned_as_their_sign() -> None:
    agent = DQNAgent(
        FRAMES, 6, DQNConfig(hidden=(16,), buffer_size=16, batch_size=4, learning_starts=100, clip_reward=True), seed=0
    )
    for s, r in zip(_episode(np.random.default_rng(5), 3), (7.0, -0.5, 0.0)):
        agent.observe(s._replace(reward=r))
    assert agent.buffer.rewards[[4, 5, 6]].tolist() == [1.0, -1.0, 0.0]


def test_frames_are_described_with_one_bound_and_a_save_round_trips(tmp_path) -> None:
    import gymnasium as gym

    from agents.persistence import load_agent, save_agent

    assert describe_space(gym.spaces.Box(0, 255, SHAPE, dtype=np.uint8)) == FRAMES
    agent = DQNAgent(FRAMES, 6, DQNConfig(hidden=(16,), buffer_size=16, batch_size=4), seed=0)
    path = tmp_path / "pong.safetensors"
    save_agent(agent, path, env_id="ALE/Pong-v5")
    loaded, meta = load_agent(path, expect_env="ALE/Pong-v5")
    assert meta["observation_space"] == FRAMES and loaded.frames
    obs = _episode(np.random.default_rng(6), 1)[0].obs
    assert np.allclose(loaded.q_values(obs), agent.q_values(obs))


def test_a_buffer_of_frames_too_big_for_memory_is_refused_in_one_sentence() -> None:
    DQNAgent(FRAMES, 6, DQNConfig(hidden=(16,), buffer_size=1_000_000), seed=0)  # the paper's: 6.6 GB
    with pytest.raises(ValueError, match=r"replay buffer of 2,000,000 transitions would take 13\.2 GB \(at most 8\)"):
        DQNAgent(FRAMES, 6, DQNConfig(hidden=(16,), buffer_size=2_000_000), seed=0)
