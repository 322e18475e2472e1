"""What an agent believes about one state, whatever its family: Q(s, ·) for a value agent,
π(·|s) and V(s) for a policy agent. The panels, the timeline, the G_t table and the value
map ask here instead of asking an agent for Q-values it may not have."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Beliefs:
    """An agent's view of one state."""

    q: np.ndarray | None = None
    """Q(s, ·) (a value agent)."""
    pi: np.ndarray | None = None
    """π(·|s) (a policy agent)."""
    value: float | None = None
    """V(s): max_a Q(s, a) for a value agent, the critic's estimate for a policy agent."""

    @property
    def greedy(self) -> int:
        """The action the agent takes when it does not explore."""
        return int(np.argmax(self.q if self.q is not None else self.pi))


def is_policy_agent(agent: Any) -> bool:
    """Whether ``agent`` acts from a policy π (REINFORCE, PPO) rather than from Q-values."""
    return callable(getattr(agent, "policy", None))


def beliefs_of(agent: Any, obs: Any) -> Beliefs | None:
    """``agent``'s beliefs about ``obs`` (None without an agent)."""
    if agent is None:
        return None
    if is_policy_agent(agent):
        pi, value = agent.policy(obs)
        return Beliefs(pi=pi, value=float(value))
    q = agent.q_values(obs)
    return Beliefs(q=q, value=float(np.max(q)))
