"""Value iteration: Q* from an environment's transition table ``P``."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, ClassVar

import numpy as np

from agents.base import PROBABILITY, Limit, Transition

VALUE_ITERATION = "value-iteration"


@dataclass(frozen=True)
class ValueIterationConfig:
    """Settings of value iteration."""

    gamma: float = 0.99
    """Discount factor."""
    tolerance: float = 1e-10
    """Stop when no Q-value moves by more than this in a sweep."""
    max_sweeps: int = 100_000
    """Give up after this many sweeps."""

    KINDS: ClassVar[tuple[str, ...]] = ("value-iteration",)
    LIMITS: ClassVar[dict[str, Limit]] = {
        "gamma": PROBABILITY,
        "tolerance": Limit(0.0, 1.0, low_open=True),
        "max_sweeps": Limit(1, 10_000_000),
    }


def q_star(P: dict[int, dict[int, list[tuple[float, int, float, bool]]]], gamma: float,
           tolerance: float = 1e-10, max_sweeps: int = 100_000) -> tuple[np.ndarray, int]:
    """Optimal action values from a toy-text transition table.

    Args:
        P: ``P[s][a] = [(probability, next_state, reward, terminated), ...]``.
        gamma: discount factor (1.0 works for episodic tasks that always end).
        tolerance: convergence threshold on the largest change in a sweep.
        max_sweeps: upper bound on sweeps.

    Returns:
        (Q* as an (n_states, n_actions) array, sweeps taken).
    """
    n_states = len(P)
    n_actions = len(P[0])
    sa, prob, nxt, rew, cont = [], [], [], [], []
    for s in range(n_states):
        for a in range(n_actions):
            for p, s2, r, done in P[s][a]:
                sa.append(s * n_actions + a)
                prob.append(p)
                nxt.append(s2)
                rew.append(r)
                cont.append(0.0 if done else 1.0)
    sa_i = np.asarray(sa)
    prob_a, nxt_i = np.asarray(prob, dtype=np.float64), np.asarray(nxt)
    expected_r = np.bincount(sa_i, weights=prob_a * np.asarray(rew), minlength=n_states * n_actions)
    weight = prob_a * np.asarray(cont) * gamma
    q = np.zeros(n_states * n_actions)
    for sweep in range(1, max_sweeps + 1):
        v = q.reshape(n_states, n_actions).max(axis=1)
        new_q = expected_r + np.bincount(sa_i, weights=weight * v[nxt_i], minlength=n_states * n_actions)
        delta = float(np.max(np.abs(new_q - q)))
        q = new_q
        if delta < tolerance:
            break
    return q.reshape(n_states, n_actions), sweep


class ValueIterationAgent:
    """Acts greedily on Q* computed from the env's model; learns nothing from steps."""

    kind = VALUE_ITERATION
    learns = False
    """Q* is computed, not learned: nothing is lost by not saving it."""

    def __init__(self, P: Any, n_actions: int, config: ValueIterationConfig | None = None) -> None:
        self.config = config or ValueIterationConfig()
        self.n_actions = n_actions
        self.table, self.sweeps = q_star(P, self.config.gamma, self.config.tolerance,
                                         self.config.max_sweeps)
        self.steps = 0
        self.episodes = 0

    @property
    def epsilon(self) -> float:
        return 0.0

    def act(self, obs: Any, explore: bool) -> int:
        return int(np.argmax(self.table[int(obs)]))

    def q_values(self, obs: Any) -> np.ndarray:
        return self.table[int(obs)].copy()

    def observe(self, step: Transition) -> dict[str, float]:
        """Q* is already exact: nothing to learn, but report the TD error against it."""
        c = self.config
        bootstrap = 0.0 if step.terminated else float(self.table[int(step.next_obs)].max())
        td_target = step.reward + c.gamma * bootstrap
        self.steps += 1
        if step.terminated or step.truncated:
            self.episodes += 1
        return {"td_target": td_target, "td_error": td_target - float(self.table[int(step.obs), step.action])}

    def reconfigure(self, config: ValueIterationConfig) -> None:
        """New settings on resume: Q* was computed for one γ and stays as it is.

        Raises:
            ValueError: any change, since Q* would have to be computed again from the model.
        """
        if config != self.config:
            raise ValueError("value iteration's Q* was computed with these settings; "
                             "compute a new one with rltui train ENV --agent value-iteration --set ...")

    def config_dict(self) -> dict[str, Any]:
        return asdict(self.config)

    def arrays(self) -> dict[str, np.ndarray]:
        return {"q_table": self.table}

    def counters(self) -> dict[str, Any]:
        return {"steps": self.steps, "episodes": self.episodes, "sweeps": self.sweeps}

    def q_table(self) -> np.ndarray:
        return self.table.copy()


def from_table(table: Any, config: ValueIterationConfig, counters: dict[str, Any],
               n_actions: int) -> ValueIterationAgent:
    """A value-iteration agent restored from a saved Q* (no model needed)."""
    table = np.asarray(table)
    if table.ndim != 2 or table.shape[1] != n_actions or table.dtype.kind != "f":
        raise ValueError(f"its Q-table has shape {table.shape}, not (states, {n_actions})")
    if not np.isfinite(table).all():
        raise ValueError("its Q-table holds values that are not finite numbers")
    agent = ValueIterationAgent.__new__(ValueIterationAgent)
    agent.config = config
    agent.table = np.asarray(table, dtype=np.float64)
    agent.n_actions = agent.table.shape[1]
    agent.sweeps = int(counters.get("sweeps", 0))
    agent.steps = int(counters.get("steps", 0))
    agent.episodes = int(counters.get("episodes", 0))
    return agent


CONFIG = ValueIterationConfig


def build(kind: str, space: Any, env: Any, config: ValueIterationConfig,
          seed: int | None) -> ValueIterationAgent:
    """Q* from the env's model (see :mod:`agents.registry`)."""
    return ValueIterationAgent(env.unwrapped.P, space.n_actions, config)


def restore(kind: str, meta: dict[str, Any], arrays: dict[str, np.ndarray],
            config: ValueIterationConfig) -> ValueIterationAgent:
    """A saved Q* (see :mod:`agents.registry`)."""
    return from_table(arrays["q_table"], config, meta["counters"], meta["n_actions"])
