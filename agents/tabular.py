"""Tabular agents: Q-learning, SARSA and Expected SARSA.

The Q-table is kept as Python lists of floats: for the handful of actions a
toy env has, ``max(row)`` on a list is several times faster than numpy on a
row, and the training loop runs at the environment's own pace. Saves and
panels get numpy copies.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

import numpy as np

from agents.base import PROBABILITY, STEPS, Limit, Transition
from agents.schedules import linear_schedule
from agents.spaces import StateIndexer

Q_LEARNING = "q-learning"
SARSA = "sarsa"
EXPECTED_SARSA = "expected-sarsa"
TABULAR_KINDS = (Q_LEARNING, SARSA, EXPECTED_SARSA)
MAX_BINS = 1_000
MAX_TABLE = 20_000_000
"""Q-values a table may hold (160 MB as lists of floats is already a lot for a toy env)."""


@dataclass(frozen=True)
class TabularConfig:
    """Hyperparameters of the tabular agents."""

    alpha: float = 0.1
    """Learning rate: how far Q(s,a) moves toward each TD target."""
    gamma: float = 0.99
    """Discount factor."""
    epsilon_start: float = 1.0
    """Exploration rate at step 0."""
    epsilon_end: float = 0.05
    """Exploration rate after the decay."""
    epsilon_decay_steps: int = 100_000
    """Steps over which epsilon falls linearly from start to end."""
    q_init: float = 0.0
    """Initial Q-value of every (state, action)."""
    bins: int = 10
    """Bins per dimension when the observation is continuous."""
    low: tuple[float, ...] = ()
    """Per-dimension lower clip bound for binning (empty: the space's own)."""
    high: tuple[float, ...] = ()
    """Per-dimension upper clip bound for binning (empty: the space's own)."""

    KINDS: ClassVar[tuple[str, ...]] = ("q-learning", "sarsa", "expected-sarsa")
    LIMITS: ClassVar[dict[str, Limit]] = {
        "alpha": Limit(0.0, 1.0, low_open=True),
        "gamma": PROBABILITY,
        "epsilon_start": PROBABILITY,
        "epsilon_end": PROBABILITY,
        "epsilon_decay_steps": STEPS,
        "q_init": Limit(-1e9, 1e9),
        "bins": Limit(1, MAX_BINS),
        "low": Limit(-1e9, 1e9, length=(0, 64)),
        "high": Limit(-1e9, 1e9, length=(0, 64)),
    }

    def problems(self) -> list[str]:
        """Settings that must agree with each other."""
        if self.low and self.high and (len(self.low) != len(self.high)
                                       or any(lo >= hi for lo, hi in zip(self.low, self.high))):
            return ["Settings 'low' and 'high' need the same number of values, each low below its high."]
        return []


class TabularAgent:
    """One Q-table, three update rules.

    Args:
        kind: ``q-learning``, ``sarsa`` or ``expected-sarsa``.
        observation: the observation space, as :func:`agents.base.describe_space` gives it.
        n_actions: size of the discrete action space.
        config: hyperparameters.
        seed: seeds exploration.
    """

    def __init__(
        self,
        kind: str,
        observation: dict[str, Any],
        n_actions: int,
        config: TabularConfig | None = None,
        seed: int | None = None,
    ) -> None:
        if kind not in TABULAR_KINDS:
            raise ValueError(f"Unknown tabular kind '{kind}'.")
        self.kind = kind
        self.config = config or TabularConfig()
        self.observation = observation
        self.n_actions = n_actions
        self.indexer = StateIndexer(observation, self.config.bins, self.config.low, self.config.high)
        size = self.indexer.n_states * n_actions
        if size > MAX_TABLE:
            raise ValueError(f"a Q-table of {self.indexer.n_states:,} states x {n_actions} actions "
                             f"is too big (at most {MAX_TABLE:,} values): use fewer bins.")
        self.table: list[list[float]] = [
            [self.config.q_init] * n_actions for _ in range(self.indexer.n_states)
        ]
        self.steps = 0
        self.episodes = 0
        self.rng = random.Random(seed)
        self._actions = range(n_actions)
        self._next_action: tuple[int, int] | None = None  # SARSA's chosen a' for s'

    # --- acting --------------------------------------------------------------

    @property
    def epsilon(self) -> float:
        c = self.config
        return linear_schedule(c.epsilon_start, c.epsilon_end, c.epsilon_decay_steps, self.steps)

    def act(self, obs: Any, explore: bool) -> int:
        s = self.indexer(obs)
        if explore:
            if self._next_action is not None and self._next_action[0] == s:
                return self._next_action[1]  # SARSA already committed to a'
            return self._explore(s)
        row = self.table[s]
        return row.index(max(row))

    def _explore(self, s: int) -> int:
        if self.rng.random() < self.epsilon:
            return self.rng.randrange(self.n_actions)
        row = self.table[s]
        best = max(row)
        if row.count(best) > 1:
            # Break ties at random: an untried state would otherwise always take action 0,
            # and with sparse rewards (FrozenLake) that can walk into a wall forever.
            return self.rng.choice([a for a, q in enumerate(row) if q == best])
        return row.index(best)

    def q_values(self, obs: Any) -> np.ndarray:
        return np.array(self.table[self.indexer(obs)], dtype=np.float64)

    # --- learning ------------------------------------------------------------

    def observe(self, step: Transition) -> dict[str, float]:
        c = self.config
        s = self.indexer(step.obs)
        s2 = self.indexer(step.next_obs)
        row = self.table[s]
        self._next_action = None
        if step.terminated:
            bootstrap = 0.0  # no value beyond a terminal state; truncation keeps it
        elif self.kind == Q_LEARNING:
            bootstrap = max(self.table[s2])
        elif self.kind == SARSA:
            a2 = self._explore(s2)
            if not step.truncated:
                self._next_action = (s2, a2)
            bootstrap = self.table[s2][a2]
        else:  # expected SARSA under the epsilon-greedy policy
            row2 = self.table[s2]
            eps = self.epsilon
            bootstrap = (1.0 - eps) * max(row2) + eps * sum(row2) / self.n_actions
        td_target = step.reward + c.gamma * bootstrap
        td_error = td_target - row[step.action]
        row[step.action] += c.alpha * td_error
        self.steps += 1
        if step.terminated or step.truncated:
            self.episodes += 1
        return {"td_target": td_target, "td_error": td_error}

    def reconfigure(self, config: TabularConfig) -> None:
        """Go on with new settings (on resume); the table's shape cannot change.

        Raises:
            ValueError: a setting that would change the table's shape.
        """
        for key in ("bins", "low", "high"):
            if getattr(config, key) != getattr(self.config, key):
                raise ValueError(f"'{key}' cannot change once trained: the Q-table has its shape.")
        self.config = config

    # --- persistence ------------------------------------------------------------

    def config_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self.config).items()}

    def arrays(self) -> dict[str, np.ndarray]:
        return {"q_table": np.asarray(self.table, dtype=np.float64)}

    def counters(self) -> dict[str, Any]:
        return {"steps": self.steps, "episodes": self.episodes}

    def load_arrays(self, arrays: dict[str, np.ndarray], counters: dict[str, Any]) -> None:
        table = arrays["q_table"]
        expected = (self.indexer.n_states, self.n_actions)
        if table.shape != expected:
            raise ValueError(f"its Q-table has shape {table.shape}, not {expected}")
        if table.dtype.kind != "f" or not np.isfinite(table).all():
            raise ValueError("its Q-table holds values that are not finite numbers")
        self.table = table.astype(np.float64).tolist()
        self.steps = int(counters.get("steps", 0))
        self.episodes = int(counters.get("episodes", 0))

    def q_table(self) -> np.ndarray:
        """The whole table, (n_states, n_actions)."""
        return np.asarray(self.table, dtype=np.float64)


CONFIG = TabularConfig


def build(kind: str, space: Any, env: Any, config: TabularConfig, seed: int | None) -> TabularAgent:
    """A fresh tabular agent (see :mod:`agents.registry`)."""
    return TabularAgent(kind, space.observation, space.n_actions, config, seed=seed)


def restore(kind: str, meta: dict[str, Any], arrays: dict[str, np.ndarray],
            config: TabularConfig) -> TabularAgent:
    """A saved tabular agent (see :mod:`agents.registry`)."""
    agent = TabularAgent(kind, meta["observation_space"], int(meta["n_actions"]), config)
    agent.load_arrays(arrays, meta["counters"])
    return agent
