"""What the continuous off-policy kinds (SAC, TD3, DDPG) share, written once: a bounded Box
seen in [-1, 1] units, a replay buffer of those, the warm-up of uniform random actions held
``warmup_repeat`` steps each, and the off-policy schedule (:func:`agents.schedules.off_policy_updates`).

Off-policy: a person's moves (their named action's vector) are learned from as the agent's
own are. A kind derives from :class:`ContinuousReplayAgent`, calls :meth:`~ContinuousReplayAgent._box`
before making its networks and :meth:`~ContinuousReplayAgent._replay` after, and writes
``update`` (one gradient step; its metrics name the critics' loss ``critic_loss``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from agents import nets
from agents.base import Transition
from agents.network import NetworkAgent
from agents.replay import ReplayBuffer
from agents.schedules import off_policy_updates

MAX_BUFFER_BYTES = 2 * 1024**3


class ContinuousReplayAgent(NetworkAgent):
    """A replay agent for a bounded Box of actions (see the module docstring)."""

    continuous = True
    learns_from_others = True
    low: np.ndarray
    high: np.ndarray
    dim: int
    obs_dim: int
    buffer: ReplayBuffer
    rng: np.random.Generator
    last_metrics: dict[str, float]

    def _box(self, observation: dict[str, Any], action: dict[str, Any] | None, name: str) -> None:
        """The action bounds, the observation's features and a check of the buffer's memory.

        Raises:
            ValueError: no, or unbounded, continuous actions; a buffer over 2 GB.
        """
        if action is None:
            raise ValueError(f"{name} needs continuous actions.")
        c = self.config
        self.observation = observation
        self.action = action
        self.n_actions = 0
        self.low = np.asarray(action["low"], dtype=np.float64)
        self.high = np.asarray(action["high"], dtype=np.float64)
        if not (np.isfinite(self.low).all() and np.isfinite(self.high).all()):
            raise ValueError(f"{name} needs bounded actions.")
        self.dim = len(self.low)
        self._center = (self.high + self.low) / 2
        self._half = (self.high - self.low) / 2
        self._features = nets.Features(observation)
        self.obs_dim = self._features.dim
        buffer_bytes = c.buffer_size * (2 * self.obs_dim + 2 + self.dim) * 4
        if buffer_bytes > MAX_BUFFER_BYTES:
            raise ValueError(
                f"a replay buffer of {c.buffer_size:,} transitions would take "
                f"{buffer_bytes / 2**30:,.1f} GB (at most 2): use a smaller buffer_size."
            )

    def _replay(self, seed: int | None) -> None:
        """The replay buffer, the random generator of exploration, the counters."""
        self.buffer = ReplayBuffer(self.config.buffer_size, self.obs_dim, seed, action_dim=self.dim)
        self.rng = np.random.default_rng(seed)
        self.steps = 0
        self.episodes = 0
        self.updates = 0
        self.last_metrics = {}
        self._layers: dict[str, nets.Layers] | None = None
        self._warmup_action: np.ndarray | None = None

    # --- actions in [-1, 1] units ----------------------------------------------------------

    def _to_env(self, unit: np.ndarray) -> np.ndarray:
        return (self._center + self._half * unit).astype(np.float32)

    def _to_unit(self, action: Any) -> np.ndarray:
        """An env action as the critics see it: scaled to [-1, 1]."""
        a = np.asarray(action, dtype=np.float64).reshape(-1)
        return np.clip((a - self._center) / self._half, -1.0, 1.0).astype(np.float32)

    def _warmup(self, explore: bool) -> np.ndarray | None:
        """A uniform random action in [-1, 1] units while exploring before ``learning_starts``
        (each held ``warmup_repeat`` steps), else None."""
        c = self.config
        if not explore or self.steps >= c.learning_starts:
            return None
        if self._warmup_action is None or self.steps % c.warmup_repeat == 0:
            self._warmup_action = self.rng.uniform(-1.0, 1.0, self.dim)
        return self._warmup_action

    # --- learning ----------------------------------------------------------------------------

    def update(self) -> dict[str, float]:
        """One gradient step on a replay batch; its metrics (``critic_loss`` among them)."""
        raise NotImplementedError

    def _episode_ended(self) -> None:
        """What else an episode's end resets (an exploration process's state)."""

    def observe(self, step: Transition) -> dict[str, float]:
        x, x2 = self._features(step.obs), self._features(step.next_obs)
        # A time limit is not an end: only a true end stops the bootstrap.
        self.buffer.add(x, self._to_unit(step.action), float(step.reward), x2, bool(step.terminated))
        self.steps += 1
        if step.terminated or step.truncated:
            self.episodes += 1
            self._episode_ended()
        due = off_policy_updates(self.config, self.steps, self.buffer.size)
        for _ in range(due):
            self.last_metrics = self.update()
        return {"loss": self.last_metrics["critic_loss"]} if due else {}

    def _reconfigured(self, old: Any) -> None:
        if self.config.buffer_size != old.buffer_size:
            self.buffer = ReplayBuffer(
                self.config.buffer_size, self.obs_dim, int(self.rng.integers(2**31)), action_dim=self.dim
            )
