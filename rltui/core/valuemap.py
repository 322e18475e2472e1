"""The value map: V(s) and the greedy action for every cell of a grid world."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class ValueMap:
    """V(s) = max_a Q(s, a) and argmax_a per cell; NaN / -1 where there is no state (walls)."""

    values: np.ndarray
    greedy: np.ndarray


def _taxi(u: Any) -> np.ndarray:
    _, _, passenger, destination = u.decode(u.s)
    if passenger == destination:
        # Delivered: the episode is over, and those states are terminal (never learned, all
        # zero). The slice that just ended, with the passenger aboard, says more.
        passenger = 4
    return np.array([[u.encode(r, c, passenger, destination) for c in range(5)] for r in range(5)])


def _lake(u: Any) -> np.ndarray:
    return np.arange(u.nrow * u.ncol).reshape(u.nrow, u.ncol)


def _cliff(u: Any) -> np.ndarray:
    rows, cols = u.shape
    return np.arange(rows * cols).reshape(rows, cols)


def _portal(u: Any) -> np.ndarray:
    _, _, friend = u.decode(u.s)
    return np.array([[u.encode(r, c, friend) if u.is_free(r, c) else -1 for c in range(u.cols)]
                     for r in range(u.rows)])


CELL_STATES: dict[str, Callable[[Any], np.ndarray]] = {
    "Taxi-v4": _taxi,
    "FrozenLake-v1": _lake,
    "FrozenLakeNotSlippery-v1": _lake,
    "FrozenLake8x8-v1": _lake,
    "CliffWalking-v1": _cliff,
    "PortalRescue-v0": _portal,
}


def value_map_for(env_id: str, env: Any) -> Callable[[Any], ValueMap] | None:
    """A function agent -> ValueMap for ``env``'s current situation, or None for non-grid envs.

    Taxi and PortalRescue show the slice of states that matches where the
    passenger or friend is now.
    """
    cells = CELL_STATES.get(env_id)
    if cells is None:
        return None

    def compute(agent: Any) -> ValueMap:
        states = cells(env.unwrapped)
        values = np.full(states.shape, np.nan)
        greedy = np.full(states.shape, -1)
        table = agent.q_table() if hasattr(agent, "q_table") else None
        for (r, c), s in np.ndenumerate(states):
            if s < 0:
                continue
            q = table[s] if table is not None else agent.q_values(int(s))
            values[r, c] = float(np.max(q))
            greedy[r, c] = int(np.argmax(q))
        return ValueMap(values, greedy)

    return compute
