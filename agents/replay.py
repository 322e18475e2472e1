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
    """A ring buffer of transitions in preallocated arrays.

    One float32 row per transition holds ``s``, ``s'``, the reward and the end flag side by
    side (``observations`` and the rest are column views of it), so a batch is one gather
    and one tensor: a small network's update is mostly per-operation overhead, and five
    gathers and five tensors cost a tenth of it.
    """

    def __init__(self, capacity: int, obs_dim: int, seed: int | None = None, action_dim: int = 0) -> None:
        self.capacity = capacity
        self.obs_dim = obs_dim
        self.action_dim = action_dim
        """Continuous actions' dimensions (kept in the row too); 0: discrete actions."""
        self.rows = np.zeros((capacity, 2 * obs_dim + 2 + action_dim), dtype=np.float32)
        self.observations = self.rows[:, :obs_dim]
        self.next_observations = self.rows[:, obs_dim : 2 * obs_dim]
        self.rewards = self.rows[:, 2 * obs_dim]
        self.terminated = self.rows[:, 2 * obs_dim + 1]
        self.actions = self.rows[:, 2 * obs_dim + 2 :] if action_dim else np.zeros(capacity, dtype=np.int64)
        self.position = 0
        self.size = 0
        self.rng = np.random.default_rng(seed)

    def add(
        self, obs: np.ndarray, action: int | np.ndarray, reward: float, next_obs: np.ndarray, terminated: bool
    ) -> None:
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
        rows = torch.from_numpy(self.rows[idx]).to(device)
        d = self.obs_dim
        return ReplayBufferSamples(
            rows[:, :d],
            rows[:, 2 * d + 2 :] if self.action_dim else torch.from_numpy(self.actions[idx]).to(device),
            rows[:, 2 * d],
            rows[:, d : 2 * d],
            rows[:, 2 * d + 1],
        )


class FrameReplay:
    """Replay for stacked frames (Atari's four 84x84 greyscale frames) that keeps each frame
    once, as bytes.

    Consecutive observations of a frame stack share all but one frame, so a ring of single
    frames holds them: slot ``j`` keeps the newest frame of a transition's ``s'`` with the
    transition's action, reward and end flag; ``s`` is frames ``j-k .. j-1`` and ``s'`` frames
    ``j-k+1 .. j`` (``k`` frames to a stack). A transition that does not follow the one before
    (a new episode, a branch from the timeline, the agent handed a state) first writes its
    ``s`` as ``k`` slots of its own that hold no transition, so no stack ever spans two
    episodes. About ``height x width`` bytes per transition (7,056 for 84x84), against
    ``2 x k x height x width x 4`` (225,792) for float rows of ``s`` and ``s'``.

    Args:
        capacity: frame slots (transitions, less a stack's worth per episode).
        shape: one observation's shape (stack, height, width).
    """

    def __init__(self, capacity: int, shape: tuple[int, ...], seed: int | None = None) -> None:
        self.stack = int(shape[0])
        if capacity <= self.stack:
            raise ValueError(f"a frame replay needs more than {self.stack} slots.")
        self.capacity = capacity
        self.frames = np.zeros((capacity, *shape[1:]), dtype=np.uint8)
        self.actions = np.zeros(capacity, dtype=np.int64)
        self.rewards = np.zeros(capacity, dtype=np.float32)
        self.terminated = np.zeros(capacity, dtype=np.float32)
        self.holds = np.zeros(capacity, dtype=bool)
        """Whether a slot holds a transition (a stack's first frames do not)."""
        self.position = 0
        self.written = 0
        """Slots written so far (the ring is full once this reaches ``capacity``)."""
        self.size = 0
        """Transitions that can be sampled."""
        self._offsets = np.arange(-self.stack, 1)
        self.rng = np.random.default_rng(seed)

    @staticmethod
    def bytes_per_slot(shape: tuple[int, ...]) -> int:
        """Memory one slot (about one transition) takes, for a stack of ``shape``."""
        return int(np.prod(shape[1:])) + 8 + 4 + 4 + 1

    def _last(self) -> np.ndarray:
        """The slots of the newest stack's frames."""
        return (self.position + self._offsets[:-1]) % self.capacity

    def _write(
        self, frame: np.ndarray, holds: bool, action: int = 0, reward: float = 0.0, terminated: bool = False
    ) -> None:
        i = self.position
        if self.holds[i]:
            self.size -= 1
        self.frames[i] = frame
        self.holds[i] = holds
        self.actions[i] = action
        self.rewards[i] = reward
        self.terminated[i] = terminated
        self.size += holds
        self.position = (i + 1) % self.capacity
        self.written += 1

    def add(self, obs: np.ndarray, action: int, reward: float, next_obs: np.ndarray, terminated: bool) -> None:
        follows = self.written >= self.stack and np.array_equal(self.frames[self._last()], obs)
        if not follows:
            for frame in obs:
                self._write(frame, holds=False)
        self._write(next_obs[-1], holds=True, action=action, reward=reward, terminated=terminated)

    def _usable(self, idx: np.ndarray) -> np.ndarray:
        """Slots that hold a transition whose whole stack is still in the ring (the oldest
        ``stack`` slots' frames before them have been overwritten)."""
        ok = self.holds[idx]
        if self.written > self.capacity:
            ok &= (idx - self.position) % self.capacity >= self.stack
        return ok

    def sample(self, batch_size: int, device: torch.device) -> ReplayBufferSamples:
        high = min(self.written, self.capacity)
        idx = self.rng.integers(0, high, size=batch_size)
        bad = ~self._usable(idx)
        while bad.any():  # few slots are unusable: a stack's worth per episode
            idx[bad] = self.rng.integers(0, high, size=int(bad.sum()))
            bad = ~self._usable(idx)
        window = torch.from_numpy(self.frames[(idx[:, None] + self._offsets) % self.capacity]).to(device)
        return ReplayBufferSamples(
            window[:, :-1],
            torch.from_numpy(self.actions[idx]).to(device),
            torch.from_numpy(self.rewards[idx]).to(device),
            window[:, 1:],
            torch.from_numpy(self.terminated[idx]).to(device),
        )
