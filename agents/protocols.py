"""What only some agents can do, as small runtime-checkable protocols: rltui asks
``isinstance(agent, ValueAgent)`` rather than probing for a method. What every agent has (its
kind, config, steps, whether it learns, its last metrics) is :class:`Learner`, and
:class:`agents.base.AgentBase` gives every kind's class those attributes.

A method set to None on a class (a tile-coded agent's ``q_table``) does not count: such an
agent is not an instance of the protocol.

What an agent is, is a matter of its class: each protocol remembers its answer per class
(:class:`_ByClass`). Python's own check walks the protocol's members on every call, and the
play-along owner asks several times a step (it made full-speed play 2.4 times slower).
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

import numpy as np


class _ByClass(type(Protocol)):  # type: ignore[misc]
    """A runtime-checkable protocol whose ``isinstance`` answer is kept per class (its members
    are methods and attributes every instance of a class has alike)."""

    def __instancecheck__(cls, instance: Any) -> bool:
        seen = _SEEN.setdefault(cls, weakref.WeakKeyDictionary())
        kind = type(instance)
        try:
            return seen[kind]
        except KeyError:
            answer = seen[kind] = super().__instancecheck__(instance)
            return answer


_SEEN: dict[type, weakref.WeakKeyDictionary[type, bool]] = {}
"""Per protocol, its answer per class (kept outside the protocol: an attribute of its own
would count as one of its members)."""


@runtime_checkable
class Learner(Protocol, metaclass=_ByClass):
    """Every agent, whatever its kind."""

    kind: str
    config: Any
    n_actions: int
    observation: dict[str, Any]
    steps: int
    episodes: int
    learns: bool
    continuous: bool
    action: dict[str, Any] | None
    last_metrics: Mapping[str, float]

    def act(self, obs: Any, explore: bool) -> Any: ...

    def observe(self, step: Any) -> dict[str, float]: ...


@runtime_checkable
class ValueAgent(Protocol, metaclass=_ByClass):
    """Acts greedily on Q(s, ·) (tabular kinds, DQN, the planners)."""

    def q_values(self, obs: Any) -> np.ndarray: ...


@runtime_checkable
class TableAgent(Protocol, metaclass=_ByClass):
    """Keeps Q as one table of states (a value map reads it whole)."""

    def q_table(self) -> np.ndarray: ...


@runtime_checkable
class Planner(Protocol, metaclass=_ByClass):
    """Plans from the env's model: V and the actions it takes per state, and where its sweeps
    stand (``planning``: sweeps are still to come, one per :meth:`sweep`); :meth:`replan`
    takes a changed model (the world changed while it plays) and plans again from its values."""

    planning: bool

    def sweep(self) -> float: ...

    def value_table(self) -> tuple[np.ndarray, np.ndarray]: ...

    def plan_status(self) -> str: ...

    def replan(self, P: Any) -> None: ...


@runtime_checkable
class PolicyAgent(Protocol, metaclass=_ByClass):
    """Acts from a policy π with a critic V (REINFORCE, PPO): π(·|s) and V(s), the phase of its
    rollout, its updates and the latest advantage."""

    updates: int
    last_advantage: float | None

    def policy(self, obs: Any) -> tuple[np.ndarray, float]: ...

    def phase(self) -> str: ...

    def cut(self) -> None:
        """End the rollout here (a person takes over: their moves are not its policy's)."""
        ...


@runtime_checkable
class ContinuousAgent(Protocol, metaclass=_ByClass):
    """Can say, per state, the mean and spread of its action and a curve over the first
    action dimension (a policy agent on a Box, SAC); :attr:`Learner.continuous` says whether
    its actions are continuous now."""

    def action_beliefs(self, obs: Any, points: np.ndarray | None = None) -> dict[str, Any]: ...


@runtime_checkable
class TracksTD(Protocol, metaclass=_ByClass):
    """Can keep each step's TD error for the panels, when asked (DQN)."""

    track_td: bool


@runtime_checkable
class BatchActor(Protocol, metaclass=_ByClass):
    """Acts greedily for several observations with one forward pass (network kinds)."""

    def act_greedy_batch(self, observations: list[Any]) -> list[Any]: ...


@runtime_checkable
class Scheduled(Protocol, metaclass=_ByClass):
    """Sets schedules over a training budget before it starts (PPO's learning-rate annealing)."""

    def plan(self, total_steps: int) -> None: ...


@runtime_checkable
class Resumable(Protocol, metaclass=_ByClass):
    """Its learned arrays can be copied out and put back (a save, the best evaluation's)."""

    def arrays(self) -> dict[str, np.ndarray]: ...

    def load_arrays(self, arrays: dict[str, np.ndarray], counters: dict[str, Any]) -> None: ...


@runtime_checkable
class Optimized(Protocol, metaclass=_ByClass):
    """Learns by gradient steps (:class:`agents.network.NetworkAgent`): its optimizers by the
    prefix of their saved arrays, each with the step size it last stepped with (``lr``)."""

    def optimizers(self) -> dict[str, Any]: ...
