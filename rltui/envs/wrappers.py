"""Wrappers that let rltui play environments it could not otherwise."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import gymnasium as gym
import numpy as np


class NamedActions(gym.ActionWrapper):
    """A continuous-action env that also takes a few named actions by index.

    The action space stays the env's Box: a continuous agent's vector goes through, clipped
    to the bounds. An integer picks one of ``vectors`` instead: a person's key (Pendulum's
    "Torque +1"), or, with ``for_agents``, a discrete agent's choice (value-based kinds see
    Pendulum-v1 as five torques).

    Args:
        vectors: the action vector of each named action, in action order.
        for_agents: discrete agent kinds may choose among the named actions
            (``agent_actions`` is then their number, read by ``agents.registry``).
    """

    def __init__(self, env: gym.Env, vectors: Sequence[Sequence[float]], for_agents: bool = False) -> None:
        super().__init__(env)
        box = cast(gym.spaces.Box, env.action_space)  # a Box: the catalog names actions of Box envs only
        self.vectors = np.asarray(vectors, dtype=np.float32).reshape(len(vectors), -1)
        if self.vectors.shape[1] != int(np.prod(box.shape)):
            raise ValueError(f"named actions need {int(np.prod(box.shape))} values each")
        self.low = np.asarray(box.low, dtype=np.float32).reshape(-1)
        self.high = np.asarray(box.high, dtype=np.float32).reshape(-1)
        self.agent_actions = len(self.vectors) if for_agents else 0

    def action(self, action: Any) -> np.ndarray:
        """The env's action vector for ``action``: a named action's index, or a vector (clipped
        to the bounds; a non-finite value is refused)."""
        if isinstance(action, (int, np.integer)):
            return self.vectors[int(action)].copy()
        vector = np.asarray(action, dtype=np.float32).reshape(-1)
        if vector.shape != self.low.shape:
            raise ValueError(f"An action needs {self.low.size} values, not {vector.size}.")
        if not np.isfinite(vector).all():
            raise ValueError("An action must be finite numbers.")
        return np.clip(vector, self.low, self.high)


def named_actions_of(env: Any) -> int:
    """How many named actions a continuous env's :class:`NamedActions` takes (0: none)."""
    while env is not None:
        if isinstance(env, NamedActions):
            return len(env.vectors)
        env = getattr(env, "env", None)
    return 0
