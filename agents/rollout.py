"""A policy agent's rollout: the steps since its last update, GAE over them, and what the
n-step kinds (PPO, TRPO) check of their settings (:mod:`agents.policy` learns from it)."""

from __future__ import annotations

from typing import Any

import numpy as np

MAX_ROLLOUT = 1_000_000
"""Steps one rollout may hold before an update (REINFORCE waits for whole episodes)."""


def gae(
    rewards: np.ndarray, values: np.ndarray, next_values: np.ndarray, ends: np.ndarray, gamma: float, lam: float
) -> tuple[np.ndarray, np.ndarray]:
    """Generalised advantage estimates and the returns they imply (Schulman et al. 2016).

    Args:
        rewards: r_t.
        values: V(s_t) when the step was taken.
        next_values: V(s_{t+1}), 0 where the episode truly ended (a time limit, a hand-off or
            the end of the rollout keeps V(s_{t+1}): the state still has value).
        ends: where a segment ends (terminated, truncated, cut): no advantage flows back
            across it.
        lam: λ; 1 gives the reward-to-go minus the baseline (REINFORCE's), 0 the TD error.

    Returns:
        (advantages, returns), returns = advantages + values.
    """
    n = len(rewards)
    advantages = np.zeros(n, dtype=np.float64)
    running = 0.0
    for t in range(n - 1, -1, -1):
        delta = rewards[t] + gamma * next_values[t] - values[t]
        running = delta + (0.0 if ends[t] else gamma * lam * running)
        advantages[t] = running
    return advantages, advantages + values


class Rollout:
    """The steps since the last update, as growing lists (a rollout is short)."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.obs: list[np.ndarray] = []
        self.actions: list[Any] = []
        """Indices, or continuous action vectors as sampled."""
        self.rewards: list[float] = []
        self.log_probs: list[float] = []
        self.values: list[float] = []
        self.next_values: list[float] = []
        self.ends: list[bool] = []

    def __len__(self) -> int:
        return len(self.actions)

    def add(
        self, x: np.ndarray, action: Any, reward: float, log_prob: float, value: float, next_value: float, end: bool
    ) -> None:
        self.obs.append(x)
        self.actions.append(action)
        self.rewards.append(reward)
        self.log_probs.append(log_prob)
        self.values.append(value)
        self.next_values.append(next_value)
        self.ends.append(end)

    def advantages(self, gamma: float, lam: float) -> tuple[np.ndarray, np.ndarray]:
        return gae(
            np.asarray(self.rewards),
            np.asarray(self.values),
            np.asarray(self.next_values),
            np.asarray(self.ends),
            gamma,
            lam,
        )


class Stream(Rollout):
    """One env's steps when several are collected side by side."""

    pending = False
    """The last step still waits for V(s')."""


def rollout_problems(config: Any) -> list[str]:
    """An n-step agent's settings that must agree (a minibatch within one rollout), and its device."""
    from agents.torch_setup import device_problem

    out = []
    if config.batch_size > config.n_steps * config.n_envs:
        rollout = (
            f"'n_steps' ({config.n_steps})"
            if config.n_envs == 1
            else f"'n_steps' × 'n_envs' ({config.n_steps} × {config.n_envs})"
        )
        out.append(
            f"Setting 'batch_size' ({config.batch_size}) cannot exceed {rollout}: a minibatch "
            "is drawn from one rollout."
        )
    problem = device_problem(config.device)
    if problem is not None:
        out.append(problem)
    return out


def explained_variance(predicted: np.ndarray, target: np.ndarray) -> float:
    """1 − Var(target − predicted) / Var(target): 1 is a perfect value function, 0 no better
    than a constant (as Spinning Up and SB3 log it)."""
    var = float(np.var(target))
    return float("nan") if var == 0 else 1.0 - float(np.var(target - predicted)) / var
