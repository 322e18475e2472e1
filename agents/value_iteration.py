"""Planning with the env's model ``P``: value iteration and policy iteration.

Both compute Q* for a toy-text env from its transition table, all at once (``train``) or,
with ``watch``, one sweep per agent step, so a person sees values spread from the goal and
can compare the two in sweeps to convergence (Sutton & Barto ch. 4; CS188's gridworld).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

import numpy as np

from agents.base import PROBABILITY, AgentBase, Limit, Transition

VALUE_ITERATION = "value-iteration"
POLICY_ITERATION = "policy-iteration"


@dataclass(frozen=True)
class ValueIterationConfig:
    """Settings of value iteration and policy iteration."""

    gamma: float = 0.99
    """Discount factor."""
    tolerance: float = 1e-10
    """Converged when no value moves by more than this in a sweep (the Bellman residual)."""
    max_sweeps: int = 100_000
    """Give up after this many sweeps."""
    watch: bool = False
    """Plan from V = 0 one sweep per agent step, so the value map shows values spreading from
    the goal sweep by sweep (the play screen's default); else plan to the end at once."""

    KINDS: ClassVar[tuple[str, ...]] = ("value-iteration", "policy-iteration")
    LIMITS: ClassVar[dict[str, Limit]] = {
        "gamma": PROBABILITY,
        "tolerance": Limit(0.0, 1.0, low_open=True),
        "max_sweeps": Limit(1, 10_000_000),
    }


class Model:
    """A toy-text env's transition table as arrays, for fast Bellman backups.

    Args:
        P: ``P[s][a] = [(probability, next_state, reward, terminated), ...]``.
    """

    def __init__(self, P: dict[int, dict[int, list[tuple[float, int, float, bool]]]]) -> None:
        self.n_states = len(P)
        self.n_actions = len(P[0])
        sa, prob, nxt, rew, cont = [], [], [], [], []
        for s in range(self.n_states):
            for a in range(self.n_actions):
                for p, s2, r, done in P[s][a]:
                    sa.append(s * self.n_actions + a)
                    prob.append(p)
                    nxt.append(s2)
                    rew.append(r)
                    cont.append(0.0 if done else 1.0)
        self._sa = np.asarray(sa)
        prob_a = np.asarray(prob, dtype=np.float64)
        self._next = np.asarray(nxt)
        size = self.n_states * self.n_actions
        self._reward = np.bincount(self._sa, weights=prob_a * np.asarray(rew), minlength=size)
        self._weight = prob_a * np.asarray(cont)
        self._prob, self._rew, self._cont = prob_a, np.asarray(rew, dtype=np.float64), np.asarray(cont)

    def outcomes(self, s: int, a: int) -> list[tuple[float, int, float, bool]]:
        """P[s][a] again: (probability, next state, reward, terminated) of each outcome."""
        at = np.flatnonzero(self._sa == s * self.n_actions + a)
        return [(float(self._prob[i]), int(self._next[i]), float(self._rew[i]), not bool(self._cont[i])) for i in at]

    def backup(self, v: np.ndarray, gamma: float) -> np.ndarray:
        """Q(s, a) = E[r + γ V(s')], with V(s') = 0 past a true end: (n_states, n_actions)."""
        size = self.n_states * self.n_actions
        q = self._reward + np.bincount(self._sa, weights=gamma * self._weight * v[self._next], minlength=size)
        return q.reshape(self.n_states, self.n_actions)


def q_star(
    P: dict[int, dict[int, list[tuple[float, int, float, bool]]]],
    gamma: float,
    tolerance: float = 1e-10,
    max_sweeps: int = 100_000,
) -> tuple[np.ndarray, int]:
    """Optimal action values from a toy-text transition table, by value iteration from V = 0.

    Args:
        P: ``P[s][a] = [(probability, next_state, reward, terminated), ...]``.
        gamma: discount factor (1.0 works for episodic tasks that always end).
        tolerance: convergence threshold on the largest change of a Q-value in a sweep.
        max_sweeps: upper bound on sweeps.

    Returns:
        (Q* as an (n_states, n_actions) array, sweeps taken).
    """
    agent = ValueIterationAgent(P, len(P[0]), ValueIterationConfig(gamma, tolerance, max_sweeps))
    return agent.table, agent.sweeps


class ValueIterationAgent(AgentBase):
    """Plans Q* from the env's model by value iteration; acts greedily on it; learns nothing
    from steps.

    A sweep is one Bellman optimality backup of every state: Q(s, a) ← E[r + γ max Q(s', ·)].
    With ``watch`` the sweeps happen one per :meth:`sweep` call (the play screen makes one per
    agent step), from Q = 0.
    """

    kind = VALUE_ITERATION
    ARRAYS: ClassVar[tuple[str, ...]] = ("q_table",)
    """The arrays a save of this kind holds, no more and no fewer."""
    learns = False
    """Q* is computed, not learned: nothing is lost by not saving it."""

    def __init__(self, P: Any, n_actions: int, config: ValueIterationConfig | None = None) -> None:
        self.config = config or ValueIterationConfig()
        self.n_actions = n_actions
        self.model: Model | None = Model(P)
        self.observation = {"type": "Discrete", "n": self.model.n_states}
        """The states planned for, as :func:`agents.base.describe_space` names them (a save
        records it, and a load checks it against the env's, as for every kind)."""
        self.table = np.zeros((self.model.n_states, n_actions))
        self.sweeps = 0
        self.residual = math.inf
        """The largest change of a value in the latest sweep (the Bellman residual)."""
        self.converged = False
        self.steps = 0
        self.episodes = 0
        self.last_metrics: dict[str, float] = {}
        if not self.config.watch:
            while self.planning:
                self.sweep()

    @property
    def planning(self) -> bool:
        """Sweeps remain: not converged, within ``max_sweeps``, and the model is at hand."""
        return not self.converged and self.model is not None and self.sweeps < self.config.max_sweeps

    def sweep(self) -> float:
        """One sweep; returns its residual."""
        assert self.model is not None
        new = self.model.backup(self.table.max(axis=1), self.config.gamma)
        self._swept(float(np.max(np.abs(new - self.table))))
        self.table = new
        return self.residual

    def _swept(self, residual: float) -> None:
        self.sweeps += 1
        self.residual = residual
        self.converged = residual < self.config.tolerance
        self.last_metrics = {"sweeps": float(self.sweeps), "residual": residual}

    def replan(self, P: Any) -> None:
        """Plan again from a changed model ``P`` (the same states: the world changed while it
        plays), from the values it has: with ``watch`` a sweep per agent step from now on
        (the value map shows them reroute), else to convergence at once.

        Raises:
            ValueError: ``P`` has another count of states or actions.
        """
        model = Model(P)
        if (model.n_states, model.n_actions) != self.table.shape:
            raise ValueError(
                f"the changed model has {model.n_states} states and {model.n_actions} actions, "
                f"the plan {self.table.shape[0]} and {self.table.shape[1]}"
            )
        self.model = model
        self.converged = False
        self.residual = math.inf
        self._replanning()
        if not self.config.watch:
            while self.planning:
                self.sweep()

    def _replanning(self) -> None:
        """What else planning again resets (policy iteration: evaluate its policy first)."""

    def plan_status(self) -> str:
        """Where planning stands, for the panel."""
        if self.converged:
            return "converged"
        return "not started" if self.sweeps == 0 else "sweeping" if self.planning else "stopped"

    @property
    def epsilon(self) -> float:
        return 0.0

    def act(self, obs: Any, explore: bool) -> int:
        return int(np.argmax(self.table[int(obs)]))

    def q_values(self, obs: Any) -> np.ndarray:
        return self.table[int(obs)].copy()

    def value_table(self) -> tuple[np.ndarray, np.ndarray]:
        """V(s) and the action the agent takes in each state (the value map's colours and arrows)."""
        return self.table.max(axis=1), self.table.argmax(axis=1)

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
            raise ValueError(
                f"{self.kind}'s values were computed with these settings; "
                f"compute new ones with rltui train ENV --agent {self.kind} --set ..."
            )

    def config_dict(self) -> dict[str, Any]:
        return asdict(self.config)

    def arrays(self) -> dict[str, np.ndarray]:
        return {"q_table": self.table}

    def counters(self) -> dict[str, Any]:
        return {"steps": self.steps, "episodes": self.episodes, "sweeps": self.sweeps, "converged": self.converged}

    def q_table(self) -> np.ndarray:
        return self.table.copy()


class PolicyIterationAgent(ValueIterationAgent):
    """Plans by policy iteration: evaluate the policy (sweeps of V(s) ← E[r + γ V(s')] under
    it, until the residual is below the tolerance), then improve it (greedy on the values),
    until an improvement changes nothing. Starts from the policy that always takes action 0.

    :attr:`table` holds the one-step lookahead Q(s, a) = E[r + γ V^π(s')], so the greedy
    action in it is the improvement the next step would make.
    """

    kind = POLICY_ITERATION
    ARRAYS: ClassVar[tuple[str, ...]] = ("q_table", "v", "policy")

    def __init__(self, P: Any, n_actions: int, config: ValueIterationConfig | None = None) -> None:
        self.v = np.zeros(len(P))
        self.policy = np.zeros(len(P), dtype=np.int64)
        self.improvements = 0
        """Policy improvements made: the outer loop's count (the last one changed nothing)."""
        self.evaluating = True
        super().__init__(P, n_actions, config)

    def sweep(self) -> float:
        """One evaluation sweep, or (once the values have settled) one improvement."""
        assert self.model is not None
        states = np.arange(self.model.n_states)
        q = self.model.backup(self.v, self.config.gamma)
        if self.evaluating:
            new_v = q[states, self.policy]
            residual = float(np.max(np.abs(new_v - self.v)))
            self.v = new_v
            self.table = self.model.backup(new_v, self.config.gamma)
            self.sweeps += 1
            self.residual = residual
            self.evaluating = residual >= self.config.tolerance
        else:
            # Greedy, keeping the current action where it is as good (so a tie never cycles).
            best = q.argmax(axis=1)
            keep = q[states, self.policy] >= q[states, best] - 1e-12
            new_policy = np.where(keep, self.policy, best)
            self.improvements += 1
            self.converged = bool(np.array_equal(new_policy, self.policy))
            self.policy = new_policy
            self.evaluating = not self.converged
            self.table = q
        # "policy" numbers the policy now in hand as plan_status does: π1 is the first one
        # evaluated, and the improvement that changes nothing leaves the last one standing.
        self.last_metrics = {
            "sweeps": float(self.sweeps),
            "residual": self.residual,
            "improvements": float(self.improvements),
            "policy": float(self.improvements + (0 if self.converged else 1)),
        }
        return self.residual

    def _replanning(self) -> None:
        self.evaluating = True

    def plan_status(self) -> str:
        if self.converged or not self.planning:
            return super().plan_status()
        return f"{'evaluating' if self.evaluating else 'improving'} π{self.improvements + 1}"

    def act(self, obs: Any, explore: bool) -> int:
        return int(self.policy[int(obs)])

    def value_table(self) -> tuple[np.ndarray, np.ndarray]:
        return self.v.copy(), self.policy.copy()

    def arrays(self) -> dict[str, np.ndarray]:
        return {"q_table": self.table, "v": self.v, "policy": self.policy}

    def counters(self) -> dict[str, Any]:
        return {**super().counters(), "improvements": self.improvements}


def from_table(
    table: Any,
    config: ValueIterationConfig,
    counters: dict[str, Any],
    n_actions: int,
    kind: str = VALUE_ITERATION,
    arrays: dict[str, np.ndarray] | None = None,
    observation: dict[str, Any] | None = None,
) -> ValueIterationAgent:
    """A planning agent restored from its saved values (no model: it plans no further).

    Every array is checked before use: the Q-table (states, ``n_actions``) of finite floats, its
    rows the states ``observation`` names (when the save names them); a policy-iteration save's
    ``v`` and ``policy`` one per state, finite values and actions in range; no other array.

    Raises:
        ValueError: an array missing, of another shape or type, or holding values out of range.
    """
    table = np.asarray(table)
    if table.ndim != 2 or table.shape[1] != n_actions or table.shape[0] < 1 or table.dtype.kind != "f":
        raise ValueError(f"its Q-table has shape {table.shape}, not (states, {n_actions})")
    if not np.isfinite(table).all():
        raise ValueError("its Q-table holds values that are not finite numbers")
    n_states = table.shape[0]
    if observation is not None and observation.get("n") != n_states:
        raise ValueError(f"its Q-table has {n_states} rows, but it was saved for {observation.get('n')} states")
    cls = PolicyIterationAgent if kind == POLICY_ITERATION else ValueIterationAgent
    names = set(arrays if arrays is not None else {"q_table"})
    expected = set(cls.ARRAYS)
    if names != expected:
        missing, extra = sorted(expected - names), sorted(names - expected)
        raise ValueError(
            f"it lacks its {', '.join(missing)} array{'s' if len(missing) > 1 else ''}"
            if missing
            else f"it holds arrays a {kind} agent never writes ({', '.join(extra)[:60]})"
        )
    converged = counters.get("converged", True)
    if not isinstance(converged, bool):
        raise ValueError("its counter 'converged' is not true or false")
    agent = cls.__new__(cls)
    agent.config = config
    agent.table = np.asarray(table, dtype=np.float64)
    agent.n_actions = agent.table.shape[1]
    agent.observation = {"type": "Discrete", "n": n_states}
    agent.model = None
    agent.sweeps = int(counters.get("sweeps", 0))
    agent.converged = converged
    agent.residual = math.nan
    agent.steps = int(counters.get("steps", 0))
    agent.episodes = int(counters.get("episodes", 0))
    agent.last_metrics = {}
    if isinstance(agent, PolicyIterationAgent):
        assert arrays is not None
        policy, v = np.asarray(arrays["policy"]), np.asarray(arrays["v"])
        if policy.shape != (n_states,) or policy.dtype.kind not in "iu" or ((policy < 0) | (policy >= n_actions)).any():
            raise ValueError(
                f"its policy is not one action from 0 to {n_actions - 1} for each of its {n_states} states"
            )
        if v.shape != (n_states,) or v.dtype.kind != "f" or not np.isfinite(v).all():
            raise ValueError(f"its values v are not {n_states} finite numbers, one per state")
        agent.policy, agent.v = policy.astype(np.int64), v.astype(np.float64)
        agent.improvements = int(counters.get("improvements", 0))
        agent.evaluating = False
    return agent


CONFIG = ValueIterationConfig


def build(kind: str, space: Any, env: Any, config: ValueIterationConfig, seed: int | None) -> ValueIterationAgent:
    """A planner on the env's model (see :mod:`agents.registry`)."""
    cls = PolicyIterationAgent if kind == POLICY_ITERATION else ValueIterationAgent
    return cls(env.unwrapped.P, space.n_actions, config)


def restore(
    kind: str, meta: dict[str, Any], arrays: dict[str, np.ndarray], config: ValueIterationConfig
) -> ValueIterationAgent:
    """A saved Q* (see :mod:`agents.registry`)."""
    if "q_table" not in arrays:
        raise ValueError("it lacks its q_table array")
    return from_table(
        arrays["q_table"], config, meta["counters"], meta["n_actions"], kind, arrays, meta.get("observation_space")
    )
