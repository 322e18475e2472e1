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

from agents.base import PROBABILITY, STEPS, AgentBase, Limit, Transition
from agents.schedules import linear_schedule
from agents.spaces import StateIndexer, TileCoder

Q_LEARNING = "q-learning"
SARSA = "sarsa"
EXPECTED_SARSA = "expected-sarsa"
TABULAR_KINDS = (Q_LEARNING, SARSA, EXPECTED_SARSA)
MAX_BINS = 1_000
CODINGS = ("bins", "tiles")
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
    coding: str = "bins"
    """How a Box observation becomes table rows: ``bins`` (one cell of a grid) or ``tiles``
    (tile coding: one feature per tiling, Q a sum over them, a linear semi-gradient update)."""
    tilings: int = 8
    """Tile coding: offset grids laid over the observation space."""
    tiles: int = 8
    """Tile coding: cells per dimension in each tiling."""

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
        "tilings": Limit(1, 64),
        "tiles": Limit(1, 64),
    }

    def problems(self) -> list[str]:
        """Settings that must agree with each other."""
        if self.coding not in CODINGS:
            return [f"Setting 'coding' must be {' or '.join(CODINGS)}, not '{self.coding}'."]
        if (
            self.low
            and self.high
            and (len(self.low) != len(self.high) or any(lo >= hi for lo, hi in zip(self.low, self.high)))
        ):
            return ["Settings 'low' and 'high' need the same number of values, each low below its high."]
        return []


def q_learning_target(r: float, q_next: list[float], gamma: float, terminated: bool, truncated: bool) -> float:
    """Q-learning's TD target y = r + γ max_a' Q(s', a'); y = r where s' is terminal (a time
    limit, ``truncated``, is no end of the MDP: it bootstraps)."""
    return r + gamma * (0.0 if terminated else max(q_next))


def sarsa_target(r: float, q_next: list[float], a_next: int, gamma: float, terminated: bool, truncated: bool) -> float:
    """SARSA's TD target y = r + γ Q(s', a'), a' the action the policy chose in s'; y = r where
    s' is terminal."""
    return r + gamma * (0.0 if terminated else q_next[a_next])


def expected_sarsa_target(
    r: float, q_next: list[float], epsilon: float, gamma: float, terminated: bool, truncated: bool
) -> float:
    """Expected SARSA's TD target y = r + γ Σ_a' π(a'|s') Q(s', a') under the ε-greedy π:
    (1 − ε) max_a' Q(s', a') + ε mean_a' Q(s', a'); y = r where s' is terminal."""
    if terminated:
        return r + gamma * 0.0
    return r + gamma * ((1.0 - epsilon) * max(q_next) + epsilon * sum(q_next) / len(q_next))


_TARGETS: dict[str, Any] = {
    Q_LEARNING: q_learning_target,
    SARSA: sarsa_target,
    EXPECTED_SARSA: expected_sarsa_target,
}
"""Each kind's TD target (the references of ``rltui exercise``: agents/exercises)."""


class TabularAgent(AgentBase):
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
        self.indexer = self._make_indexer()
        rows = self.indexer.n_rows
        if rows * n_actions > MAX_TABLE:
            fix = (
                f"use fewer {self.SHRINK}"
                if observation.get("type") == "Box"
                else "the env has too many states for a table; dqn learns it"
            )
            raise ValueError(
                f"a table of {rows:,} rows x {n_actions} actions is too big (at most {MAX_TABLE:,} values): {fix}."
            )
        start = self.config.q_init / self.SHARES
        self.table: list[list[float]] = [[start] * n_actions for _ in range(rows)]
        self.steps = 0
        self.episodes = 0
        self.rng = random.Random(seed)
        self._actions = range(n_actions)
        self._next_action: tuple[int, int] | None = None  # SARSA's chosen a' for s'

    exercise: Any = None
    """A learner's TD target in place of the kind's own (``--exercise``: agents/exercises/live.py)."""

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
        row = self._row(s)
        return row.index(max(row))

    def _explore(self, s: Any) -> int:
        if self.rng.random() < self.epsilon:
            return self.rng.randrange(self.n_actions)
        row = self._row(s)
        best = max(row)
        if row.count(best) > 1:
            # Break ties at random: an untried state would otherwise always take action 0,
            # and with sparse rewards (FrozenLake) that can walk into a wall forever.
            return self.rng.choice([a for a, q in enumerate(row) if q == best])
        return row.index(best)

    def q_values(self, obs: Any) -> np.ndarray:
        return np.array(self._row(self.indexer(obs)), dtype=np.float64)

    # --- the representation (a table row per state; tile coding overrides these) ----------

    SHRINK = "bins"
    SHARES = 1
    ARRAY = "q_table"

    def _make_indexer(self) -> Any:
        c = self.config
        return StateIndexer(self.observation, c.bins, c.low, c.high)

    def _row(self, s: Any) -> list[float]:
        """Q(s, ·): the table's own row (the caller must not change it)."""
        return self.table[s]

    def _learn(self, s: Any, action: int, td_error: float) -> None:
        self.table[s][action] += self.config.alpha * td_error

    # --- learning ------------------------------------------------------------

    def observe(self, step: Transition) -> dict[str, float]:
        c = self.config
        s = self.indexer(step.obs)
        s2 = self.indexer(step.next_obs)
        self._next_action = None
        said: dict[str, Any] = {"alpha": c.alpha}  # what explains the update (agents/explain.py)
        row2 = self._row(s2)
        target = self.exercise if self.exercise is not None else _TARGETS[self.kind]
        if self.kind == Q_LEARNING:
            td_target = target(step.reward, row2, c.gamma, step.terminated, step.truncated)
        elif self.kind == SARSA:
            a2 = 0  # no a' beyond a terminal state (and no draw for it)
            if not step.terminated:
                a2 = self._explore(s2)
                if not step.truncated:
                    self._next_action = (s2, a2)
                said["next_action"] = a2
            td_target = target(step.reward, row2, a2, c.gamma, step.terminated, step.truncated)
        else:  # expected SARSA under the epsilon-greedy policy
            eps = self.epsilon
            if not step.terminated:
                said["epsilon"] = eps
            td_target = target(step.reward, row2, eps, c.gamma, step.terminated, step.truncated)
        if self.exercise is not None:  # the learner's value beside the reference's, for the explain view
            said.update(self.exercise.said(self.steps + 1))
        td_error = td_target - self._row(s)[step.action]
        self._learn(s, step.action, td_error)
        self.steps += 1
        if step.terminated or step.truncated:
            self.episodes += 1
        said["td_target"], said["td_error"] = td_target, td_error
        return said

    def reconfigure(self, config: TabularConfig) -> None:
        """Go on with new settings (on resume); the table's shape cannot change.

        Raises:
            ValueError: a setting that would change the table's shape.
        """
        for key in ("bins", "low", "high", "coding", "tilings", "tiles"):
            if getattr(config, key) != getattr(self.config, key):
                raise ValueError(f"'{key}' cannot change once trained: the Q-table has its shape.")
        self.config = config

    # --- persistence ------------------------------------------------------------

    def config_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self.config).items()}

    def arrays(self) -> dict[str, np.ndarray]:
        return {self.ARRAY: np.asarray(self.table, dtype=np.float64)}

    def counters(self) -> dict[str, Any]:
        return {"steps": self.steps, "episodes": self.episodes}

    def load_arrays(self, arrays: dict[str, np.ndarray], counters: dict[str, Any]) -> None:
        table = arrays[self.ARRAY]
        expected = (self.indexer.n_rows, self.n_actions)
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


class TileCodedAgent(TabularAgent):
    """The same three update rules on tile-coded features: Q(s, a) is the sum of the weights of
    the active tile in each tiling, and a TD error moves each of them by alpha / tilings of it
    (linear semi-gradient TD). Zeros are optimistic where rewards are negative (MountainCar)."""

    SHRINK = "tiles or tilings"
    ARRAY = "weights"
    q_table = None  # type: ignore[assignment]  # there is no table of states: the value map asks q_values instead

    @property
    def SHARES(self) -> int:  # type: ignore[override]  # q_init is spread over the tilings
        return self.config.tilings

    def _make_indexer(self) -> Any:
        c = self.config
        return TileCoder(self.observation, c.tilings, c.tiles, c.low, c.high)

    def _row(self, s: Any) -> list[float]:
        table = self.table
        return [sum(q) for q in zip(*[table[i] for i in s])]

    def _learn(self, s: Any, action: int, td_error: float) -> None:
        step = self.config.alpha / self.config.tilings * td_error
        table = self.table
        for i in s:
            table[i][action] += step


def make_tabular(
    kind: str, observation: dict[str, Any], n_actions: int, config: TabularConfig, seed: int | None = None
) -> TabularAgent:
    """A tile-coded agent for a Box observation when ``config.coding`` is ``tiles``, else one
    with a table row per state (a bin of a Box)."""
    tiles = observation.get("type") == "Box" and config.coding == "tiles"
    return (TileCodedAgent if tiles else TabularAgent)(kind, observation, n_actions, config, seed)


def build(kind: str, space: Any, env: Any, config: TabularConfig, seed: int | None) -> TabularAgent:
    """A fresh tabular agent (see :mod:`agents.registry`)."""
    return make_tabular(kind, space.observation, space.n_actions, config, seed=seed)


def restore(kind: str, meta: dict[str, Any], arrays: dict[str, np.ndarray], config: TabularConfig) -> TabularAgent:
    """A saved tabular agent (see :mod:`agents.registry`)."""
    agent = make_tabular(kind, meta["observation_space"], int(meta["n_actions"]), config)
    agent.load_arrays(arrays, meta["counters"])
    return agent
