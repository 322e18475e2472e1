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

from agents.beliefs import Beliefs, beliefs_of, nearest_named
from agents.protocols import Planner, TableAgent
from rltui.envs import adapters


@dataclass(frozen=True)
class Axes:
    """What a value map over a continuous observation shows: two of its dimensions, with the
    other ones (if any) as they are now."""

    x_label: str
    x_range: tuple[float, float]
    y_label: str
    y_range: tuple[float, float]
    """Row 0 is the top of the picture: ``y_range[1]``."""
    here: tuple[int, int] | None = None
    """The cell the env is in now (row, column)."""


@dataclass(frozen=True)
class ValueMap:
    """V(s) = max_a Q(s, a) and argmax_a per cell; NaN / -1 where there is no state (walls).
    A grid world's cells are its states; with ``axes``, the cells sample a continuous
    observation space (MountainCar's position × velocity)."""

    values: np.ndarray
    greedy: np.ndarray
    axes: Axes | None = None
    q: np.ndarray | None = None
    """Q(s, a) per cell and action (rows, cols, actions), NaN where there is no state; for a
    grid world's Q view (None for a continuous observation's map)."""
    q_label: str = "Q(s,a)"
    """What :attr:`q` holds: Q-values, or a policy agent's π(a|s)."""


@dataclass(frozen=True)
class ObservationGrid:
    """Observations to value, one per cell (rows, cols, obs dims), and how to label them."""

    observations: np.ndarray
    axes: Axes


def taxi_cells(env: Any) -> np.ndarray:
    _, _, passenger, destination = adapters.taxi_decode(env, adapters.toy_state(env))
    if passenger == destination:
        # Delivered: the episode is over, and those states are terminal (never learned, all
        # zero). The slice that just ended, with the passenger aboard, says more.
        passenger = 4
    size = adapters.TAXI_SIZE
    return np.array(
        [[adapters.taxi_encode(env, r, c, passenger, destination) for c in range(size)] for r in range(size)]
    )


def lake_cells(env: Any) -> np.ndarray:
    rows = adapters.lake_rows(env)
    return np.arange(len(rows) * len(rows[0])).reshape(len(rows), len(rows[0]))


def cliff_cells(env: Any) -> np.ndarray:
    rows, cols = adapters.cliff_mask(env).shape
    return np.arange(rows * cols).reshape(rows, cols)


def grid_map_cells(env: Any) -> np.ndarray:
    """A map's cells are its states (walls: -1)."""
    u = env.unwrapped
    states = np.arange(u.nrow * u.ncol).reshape(u.nrow, u.ncol)
    walls = np.array([[t == "#" for t in row] for row in u.map.cells])
    return np.where(walls, -1, states)


def portal_cells(env: Any) -> np.ndarray:
    u = env.unwrapped  # rltui's own env
    _, _, friend = u.decode(u.s)
    return np.array([[u.encode(r, c, friend) if u.is_free(r, c) else -1 for c in range(u.cols)] for r in range(u.rows)])


MOUNTAIN_CAR_CELLS = (18, 36)
"""Rows (velocity) x columns (position) of MountainCar's value map."""


def mountain_car_grid(env: Any) -> ObservationGrid:
    """MountainCar's value map: position across, velocity up, the car's state marked (the
    picture of Sutton & Barto's figure 10.1, live)."""
    rows, cols = MOUNTAIN_CAR_CELLS
    low, high = env.observation_space.low, env.observation_space.high
    (x_lo, x_hi), (v_lo, v_hi) = (float(low[0]), float(high[0])), (float(low[1]), float(high[1]))
    xs, vs = np.linspace(x_lo, x_hi, cols), np.linspace(v_hi, v_lo, rows)
    observations = np.stack(np.meshgrid(xs, vs), axis=-1)
    state = adapters.physics_state(env)
    here = None
    if state is not None:
        x, v = float(state[0]), float(state[1])
        col = round((x - x_lo) / (x_hi - x_lo) * (cols - 1))
        row = round((v_hi - v) / (v_hi - v_lo) * (rows - 1))
        here = (min(max(row, 0), rows - 1), min(max(col, 0), cols - 1))
    return ObservationGrid(observations, Axes("position", (x_lo, x_hi), "velocity", (v_lo, v_hi), here))


def value_map_for(entry: Any, env: Any) -> Callable[[Any], ValueMap] | None:
    """A function agent -> ValueMap for ``env``'s current situation, or None for envs whose
    catalog entry has neither ``value_cells`` nor ``value_grid``."""
    if entry.value_grid is not None:
        grid_of = entry.value_grid

        def sample(agent: Any) -> ValueMap:
            grid = grid_of(env)
            seen = [[_known(beliefs_of(agent, o, curve=False)) for o in row] for row in grid.observations]
            values = np.array([[b.value for b in row] for row in seen], dtype=np.float64)
            greedy = np.array([[nearest_named(b, entry.action_vectors) for b in row] for row in seen])
            return ValueMap(values, greedy, grid.axes)

        return sample
    if entry.value_obs is not None:
        return _by_observation(entry, env)
    cells = entry.value_cells
    if cells is None:
        return None

    def compute(agent: Any) -> ValueMap:
        states = cells(env)
        inside = states >= 0
        values = np.full(states.shape, np.nan)
        greedy = np.full(states.shape, -1)
        table = agent.q_table() if isinstance(agent, TableAgent) else None
        if table is None:  # a network or a policy agent: its beliefs, cell by cell
            observations = np.empty(states.shape, dtype=object)
            for (r, c), s in np.ndenumerate(states):
                observations[r, c] = int(s) if s >= 0 else None
            return _believed(agent, observations, entry.n_actions)
        q = np.full((*states.shape, table.shape[1]), np.nan)
        q[inside] = table[states[inside]]
        if isinstance(agent, Planner):  # a planner: V and the actions it takes
            v, actions = agent.value_table()
            values[inside], greedy[inside] = v[states[inside]], actions[states[inside]]
        else:
            values[inside] = table[states[inside]].max(axis=1)
            greedy[inside] = table[states[inside]].argmax(axis=1)
        return ValueMap(values, greedy, q=q)

    return compute


def _by_observation(entry: Any, env: Any) -> Callable[[Any], ValueMap]:
    """The value map of a grid world whose agents see observations, not state ids (MiniGrid)."""
    return lambda agent: _believed(agent, entry.value_obs(env), entry.n_actions)


def _believed(agent: Any, observations: np.ndarray, n_actions: int) -> ValueMap:
    """The agent's beliefs about each cell's observation (None: no state there): V, the greedy
    action, and Q(s, ·) (a policy agent's π(·|s))."""
    values = np.full(observations.shape, np.nan)
    greedy = np.full(observations.shape, -1)
    q = np.full((*observations.shape, n_actions), np.nan)
    label = "Q(s,a)"
    for (r, c), obs in np.ndenumerate(observations):
        if obs is None:
            continue
        seen = _known(beliefs_of(agent, obs))
        values[r, c], greedy[r, c] = seen.value, seen.greedy
        row = seen.q if seen.q is not None else seen.pi
        if row is not None:
            q[r, c] = row
            label = "Q(s,a)" if seen.q is not None else "π(a|s)"
    return ValueMap(values, greedy, q=q, q_label=label)


def _known(beliefs: Beliefs | None) -> Beliefs:
    """What an agent the value map is drawn for believes: every such agent answers (a map is
    only made for agents with Q-values, π and V, or a planner's table)."""
    if beliefs is None:
        raise ValueError("This agent holds no values to map.")
    return beliefs
