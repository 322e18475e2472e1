"""Experience replay for off-policy agents: a ring buffer of transitions in preallocated
arrays, sampled uniformly into torch tensors."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch


class ReplayBufferSamples(NamedTuple):
    observations: torch.Tensor
    actions: torch.Tensor
    rewards: torch.Tensor
    next_observations: torch.Tensor
    terminated: torch.Tensor
    """1.0 where the episode truly ended; a time-limit cut is 0 and bootstraps."""


class ReplayBuffer:
    """A ring buffer of transitions in preallocated arrays."""

    def __init__(self, capacity: int, obs_dim: int, seed: int | None = None) -> None:
        self.capacity = capacity
        self.observations = np.zeros((capacity, obs_dim), dtype=np.float32)
        self.next_observations = np.zeros((capacity, obs_dim), dtype=np.float32)
        self.actions = np.zeros(capacity, dtype=np.int64)
        self.rewards = np.zeros(capacity, dtype=np.float32)
        self.terminated = np.zeros(capacity, dtype=np.float32)
        self.position = 0
        self.size = 0
        self.rng = np.random.default_rng(seed)

    def add(self, obs: np.ndarray, action: int, reward: float, next_obs: np.ndarray,
            terminated: bool) -> None:
        i = self.position
        self.observations[i] = obs
        self.next_observations[i] = next_obs
        self.actions[i] = action
        self.rewards[i] = reward
        self.terminated[i] = terminated
        self.position = (i + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch_size: int, device: torch.device) -> ReplayBufferSamples:
        idx = self.rng.integers(0, self.size, size=batch_size)
        return ReplayBufferSamples(
            torch.from_numpy(self.observations[idx]).to(device),
            torch.from_numpy(self.actions[idx]).to(device),
            torch.from_numpy(self.rewards[idx]).to(device),
            torch.from_numpy(self.next_observations[idx]).to(device),
            torch.from_numpy(self.terminated[idx]).to(device),
        )
