"""What an agent believes about one state, whatever its family: Q(s, ·) for a value agent,
π(·|s) and V(s) for a policy agent, and for continuous actions the policy's mean and spread
per dimension with a curve over the first dimension's range (π's density, or SAC's Q(s, a)).
The panels, the timeline, the G_t table and the value map ask here instead of asking an
agent for Q-values it may not have."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from agents.protocols import ContinuousAgent, PolicyAgent, ValueAgent

CURVE_POINTS = 61
"""Where a one-dimensional action's curve is sampled, evenly over its range."""


@dataclass(frozen=True)
class ActionBeliefs:
    """A continuous-action agent's view of one state, in the env's action units."""

    low: np.ndarray
    high: np.ndarray
    mean: np.ndarray
    """The greedy action (the policy's mean, squashed for SAC), per dimension."""
    std: np.ndarray
    """How widely the policy samples around it, per dimension."""
    curve_label: str
    """``π(a|s)`` (a Gaussian policy's density) or ``Q(s,a)`` (SAC's critics)."""
    points: np.ndarray | None = None
    """For one action dimension: where the curve is sampled."""
    curve: np.ndarray | None = None
    """The curve's values at :attr:`points`."""


@dataclass(frozen=True)
class Beliefs:
    """An agent's view of one state."""

    q: np.ndarray | None = None
    """Q(s, ·) (a value agent)."""
    pi: np.ndarray | None = None
    """π(·|s) (a policy agent over discrete actions)."""
    value: float | None = None
    """V(s): max_a Q(s, a) for a value agent, the critic's estimate for a policy agent,
    min Q(s, greedy action) for SAC."""
    actions: ActionBeliefs | None = None
    """For continuous actions: the policy's mean, spread and curve."""

    @property
    def greedy(self) -> int:
        """The named action the agent takes when it does not explore (-1: its actions are
        continuous, see :attr:`actions`)."""
        if self.actions is not None:
            return -1
        return int(np.argmax(cast(np.ndarray, self.q if self.q is not None else self.pi)))


def is_policy_agent(agent: Any) -> bool:
    """Whether ``agent`` acts from a policy π (REINFORCE, PPO) rather than from Q-values."""
    return isinstance(agent, PolicyAgent)


def is_continuous(agent: Any) -> bool:
    """Whether ``agent`` chooses continuous action vectors (and can say what it believes of them)."""
    return agent is not None and bool(agent.continuous) and isinstance(agent, ContinuousAgent)


def beliefs_of(agent: Any, obs: Any, curve: bool = True) -> Beliefs | None:
    """``agent``'s beliefs about ``obs`` (None without an agent); ``curve=False`` leaves out a
    continuous action's curve (a value map needs only V and the mean)."""
    if agent is None:
        return None
    if is_continuous(agent):
        low = np.asarray(agent.action["low"], dtype=np.float64)
        high = np.asarray(agent.action["high"], dtype=np.float64)
        points = np.linspace(low[0], high[0], CURVE_POINTS) if len(low) == 1 and curve else None
        seen = agent.action_beliefs(obs, points)
        return Beliefs(
            value=float(seen["value"]),
            actions=ActionBeliefs(
                low=low,
                high=high,
                mean=np.asarray(seen["mean"], dtype=np.float64),
                std=np.asarray(seen["std"], dtype=np.float64),
                curve_label="π(a|s)" if is_policy_agent(agent) else "Q(s,a)",
                points=points,
                curve=None if points is None else np.asarray(seen["curve"], dtype=np.float64),
            ),
        )
    if is_policy_agent(agent):
        pi, value = agent.policy(obs)
        return Beliefs(pi=pi, value=float(value))
    if not isinstance(agent, ValueAgent):
        return None  # a kind that shows no beliefs (it has neither π nor Q)
    q = agent.q_values(obs)
    return Beliefs(q=q, value=float(np.max(q)))


def nearest_named(beliefs: Beliefs, vectors: Any) -> int:
    """The named action a belief's greedy choice is (for continuous actions: the named vector
    nearest the mean, as a value map's arrow shows it)."""
    if beliefs.actions is None or vectors is None:
        return beliefs.greedy
    distances = np.linalg.norm(np.asarray(vectors, dtype=np.float64) - beliefs.actions.mean, axis=1)
    return int(np.argmin(distances))
