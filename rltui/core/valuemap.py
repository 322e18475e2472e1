"""The value map: V(s) and the greedy action for every cell of a grid world.

Each grid world's catalog entry names its ``value_cells`` function: which state id each cell
shows now (Taxi and PortalRescue: the slice of states that matches where the passenger or
friend is now; walls are -1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from rltui.core import adapters


@dataclass(frozen=True)
class ValueMap:
    """V(s) = max_a Q(s, a) and argmax_a per cell; NaN / -1 where there is no state (walls)."""

    values: np.ndarray
    greedy: np.ndarray


def taxi_cells(env: Any) -> np.ndarray:
    _, _, passenger, destination = adapters.taxi_decode(env, adapters.toy_state(env))
    if passenger == destination:
        # Delivered: the episode is over, and those states are terminal (never learned, all
        # zero). The slice that just ended, with the passenger aboard, says more.
        passenger = 4
    size = adapters.TAXI_SIZE
    return np.array([[adapters.taxi_encode(env, r, c, passenger, destination) for c in range(size)]
                     for r in range(size)])


def lake_cells(env: Any) -> np.ndarray:
    rows = adapters.lake_rows(env)
    return np.arange(len(rows) * len(rows[0])).reshape(len(rows), len(rows[0]))


def cliff_cells(env: Any) -> np.ndarray:
    rows, cols = adapters.cliff_mask(env).shape
    return np.arange(rows * cols).reshape(rows, cols)


def portal_cells(env: Any) -> np.ndarray:
    u = env.unwrapped  # rltui's own env
    _, _, friend = u.decode(u.s)
    return np.array([[u.encode(r, c, friend) if u.is_free(r, c) else -1 for c in range(u.cols)]
                     for r in range(u.rows)])


def value_map_for(entry: Any, env: Any) -> Callable[[Any], ValueMap] | None:
    """A function agent -> ValueMap for ``env``'s current situation, or None for envs whose
    catalog entry has no ``value_cells``."""
    cells = entry.value_cells
    if cells is None:
        return None

    def compute(agent: Any) -> ValueMap:
        states = cells(env)
        values = np.full(states.shape, np.nan)
        greedy = np.full(states.shape, -1)
        table = agent.q_table() if callable(getattr(agent, "q_table", None)) else None
        for (r, c), s in np.ndenumerate(states):
            if s < 0:
                continue
            q = table[s] if table is not None else agent.q_values(int(s))
            values[r, c] = float(np.max(q))
            greedy[r, c] = int(np.argmax(q))
        return ValueMap(values, greedy)

    return compute
