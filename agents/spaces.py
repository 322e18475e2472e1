"""Observations as table rows: discrete states, tuples of them, and binned boxes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

# Continuous dimensions with infinite bounds need a range to bin over; these
# cover what CartPole's velocities reach in practice.
UNBOUNDED_FALLBACK = 4.0


def box_bounds(
    space: dict[str, Any], low: Sequence[float] = (), high: Sequence[float] = ()
) -> tuple[int, np.ndarray, np.ndarray]:
    """(dimensions, low, high) of a Box to cut into cells: the given bounds, else the space's,
    with infinite ones replaced by :data:`UNBOUNDED_FALLBACK`.

    Raises:
        ValueError: bounds of the wrong length, or a high bound not above its low one.
    """
    dims = int(np.prod(space["shape"]))
    lo = np.asarray(low if len(low) else space["low"], dtype=np.float64)
    hi = np.asarray(high if len(high) else space["high"], dtype=np.float64)
    if lo.shape != (dims,) or hi.shape != (dims,):
        raise ValueError(f"low and high need {dims} values each for this space.")
    lo = np.where(np.isfinite(lo), lo, -UNBOUNDED_FALLBACK)
    hi = np.where(np.isfinite(hi), hi, UNBOUNDED_FALLBACK)
    if np.any(hi <= lo):
        raise ValueError("Each high bound must be above its low bound.")
    return dims, lo, hi


class StateIndexer:
    """Maps an observation to a row index in ``0 .. n_states - 1``.

    Args:
        space: the observation space as :func:`agents.base.describe_space` gives it.
        bins: bins per dimension for a Box space.
        low: per-dimension lower clip bounds for a Box (empty: the space's).
        high: per-dimension upper clip bounds for a Box (empty: the space's).
    """

    def __init__(
        self,
        space: dict[str, Any],
        bins: int = 10,
        low: Sequence[float] = (),
        high: Sequence[float] = (),
    ) -> None:
        self.space = space
        kind = space["type"]
        if kind == "Discrete":
            self.n_states = int(space["n"])
            self._index = _discrete_index
        elif kind == "Tuple":
            sizes = []
            for sub in space["spaces"]:
                if sub["type"] != "Discrete":
                    raise ValueError("Tabular agents take tuples of discrete spaces only.")
                sizes.append(int(sub["n"]))
            self._radix = [math.prod(sizes[i + 1 :]) for i in range(len(sizes))]
            self.n_states = math.prod(sizes)
            self._index = self._tuple_index
        elif kind == "Box":
            dims, lo, hi = box_bounds(space, low, high)
            if bins < 1:
                raise ValueError("bins must be at least 1.")
            self.bins = bins
            self._low = lo
            self._scale = bins / (hi - lo)
            self._radix_arr = bins ** np.arange(dims - 1, -1, -1)
            self.n_states = bins**dims
            self._index = self._box_index
            self._last_obs: Any = None  # see TileCoder.__call__
            self._last = 0
        else:
            raise ValueError(f"Tabular agents do not handle {kind} observations.")
        self.n_rows = self.n_states

    def __call__(self, obs: Any) -> int:
        return self._index(obs)

    def _tuple_index(self, obs: Any) -> int:
        return sum(int(o) * r for o, r in zip(obs, self._radix))

    def _box_index(self, obs: Any) -> int:
        if obs is self._last_obs:
            return self._last
        cells = ((np.asarray(obs, dtype=np.float64) - self._low) * self._scale).astype(np.int64)
        np.clip(cells, 0, self.bins - 1, out=cells)
        self._last_obs, self._last = obs, int(cells @ self._radix_arr)
        return self._last


def _discrete_index(obs: Any) -> int:
    return int(obs)


class TileCoder:
    """Tile coding (Sutton & Barto, section 9.5.4) of a Box observation: ``tilings`` grids of
    ``tiles`` cells per dimension over [low, high], each offset from the last by an asymmetric
    fraction of a cell (1, 3, 5 … per dimension), so every observation lights up exactly one
    feature per tiling and nearby observations share most of theirs.

    ``coder(obs)`` is the tuple of active feature indices, one per tiling, each in
    ``0 .. n_rows - 1``.
    """

    def __init__(
        self, space: dict[str, Any], tilings: int, tiles: int, low: Sequence[float] = (), high: Sequence[float] = ()
    ) -> None:
        if space["type"] != "Box":
            raise ValueError("tile coding applies to Box observations only.")
        if tilings < 1 or tiles < 1:
            raise ValueError("tile coding needs at least one tiling of at least one tile.")
        dims, lo, hi = box_bounds(space, low, high)
        self.tilings, self.tiles = tilings, tiles
        cells = tiles + 1  # an offset tiling needs one more cell to cover the range
        self.per_tiling = cells**dims
        self.n_rows = tilings * self.per_tiling
        """Features: table rows."""
        self._low = lo
        self._scale = tiles / (hi - lo)
        displacement = 2 * np.arange(dims) + 1
        self._offsets = (np.arange(tilings)[:, None] * displacement[None, :] / tilings) % 1.0
        self._radix = cells ** np.arange(dims - 1, -1, -1)
        self._base = np.arange(tilings) * self.per_tiling
        self._top = tiles
        self._last_obs: Any = None
        self._last: tuple[int, ...] = ()

    def __call__(self, obs: Any) -> tuple[int, ...]:
        # A step asks for the same observation three times (act on s, then learn from s and
        # s'; s' is the next act's s): the last one is remembered by identity. Envs hand out a
        # fresh array per step, and the one remembered is held, so its id cannot be reused.
        if obs is self._last_obs:
            return self._last
        x = (np.asarray(obs, dtype=np.float64).reshape(-1) - self._low) * self._scale
        cells = (x[None, :] + self._offsets).astype(np.int64)
        np.clip(cells, 0, self._top, out=cells)
        self._last_obs, self._last = obs, tuple((cells @ self._radix + self._base).tolist())
        return self._last
