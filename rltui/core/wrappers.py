"""Wrappers that let rltui play environments it could not otherwise."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np


class DiscreteTorque(gym.ActionWrapper):
    """Turn a one-dimensional Box action space into a few discrete values.

    Pendulum-v1 takes a torque in [-2, 2]; keys and tabular agents need a
    handful of named choices instead.
    """

    def __init__(self, env: gym.Env, values: Sequence[float]) -> None:
        super().__init__(env)
        self.values = np.asarray(values, dtype=np.float32)
        self.action_space = gym.spaces.Discrete(len(self.values))

    def action(self, action: Any) -> np.ndarray:
        return self.values[int(action)].reshape(1)
