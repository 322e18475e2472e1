"""What the Training panel's plot shows, decided apart from drawing it.

Each episode's return is a point (a bar while there are few episodes), never a line: a line
between two returns draws values no episode had. When there are more episodes than the plot has
columns, each column keeps its real extremes (the episodes with the lowest and the highest return
in it), so the spread stays visible and every value plotted is one that happened. The moving
average is the line; greedy evaluations are points of their own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MOVING_AVERAGE = 20
"""Episodes in the moving average."""
FEW_EPISODES = 30
"""Up to this many episodes, each return is a bar (a handful of points is hard to read)."""


@dataclass(frozen=True)
class ReturnsPlotData:
    """The series of the returns plot, each as (episodes, values)."""

    returns: tuple[tuple[float, ...], tuple[float, ...]]
    """Real episodes and their real returns (all of them, or each column's lowest and highest)."""
    bars: bool
    """Draw the returns as bars (few episodes) rather than points."""
    average: tuple[tuple[float, ...], tuple[float, ...]]
    """The moving average of the last ``window`` returns at each episode (empty under two episodes)."""
    window: int
    """Episodes in each average (fewer than :data:`MOVING_AVERAGE` while there are fewer)."""
    evals: tuple[tuple[float, ...], tuple[float, ...]]
    """Greedy evaluations: the episode after which each ran and its mean return."""
    episodes: tuple[int, int] | None
    """The first and the last episode shown, or None with none."""

    @property
    def values(self) -> list[float]:
        """Every finite value plotted, for the y axis (zero too when bars rise from it)."""
        out = [*self.returns[1], *self.average[1], *self.evals[1]]
        if self.bars and out:
            out.append(0.0)
        return [v for v in out if math.isfinite(v)]


def _pairs(xs: Sequence[float], ys: Sequence[float]) -> tuple[tuple[float, ...], tuple[float, ...]]:
    return tuple(float(x) for x in xs), tuple(float(y) for y in ys)


def plot_data(
    returns: Sequence[tuple[int, float]],
    evals: Sequence[tuple[int, float]] = (),
    columns: int = 120,
    window: int = MOVING_AVERAGE,
    few: int = FEW_EPISODES,
) -> ReturnsPlotData:
    """The plot's series for ``returns`` ((episode, return), oldest first) and ``evals``
    ((episode, mean)) on a plot ``columns`` characters wide."""
    columns = max(1, columns)
    n = len(returns)
    shown_evals = _pairs([e for e, _ in evals], [v for _, v in evals])
    if n == 0:
        return ReturnsPlotData(((), ()), False, ((), ()), 0, shown_evals, None)
    x = np.asarray([e for e, _ in returns], dtype=float)
    y = np.asarray([r for _, r in returns], dtype=float)
    if n <= columns:
        keep = np.arange(n)
    else:
        keep_list: list[int] = []
        for bucket in np.array_split(np.arange(n), columns):
            part = y[bucket]
            finite = np.isfinite(part)
            if not finite.any():
                keep_list.append(int(bucket[0]))
                continue
            lo = int(bucket[np.where(finite, part, np.inf).argmin()])
            hi = int(bucket[np.where(finite, part, -np.inf).argmax()])
            keep_list.extend(sorted({lo, hi}))
        keep = np.asarray(keep_list)
    kernel = min(window, n)
    average: tuple[tuple[float, ...], tuple[float, ...]] = ((), ())
    if n >= 2:
        avg = np.convolve(y, np.ones(kernel) / kernel, mode="valid")
        ax = x[kernel - 1 :]
        step = max(1, math.ceil(len(avg) / columns))
        pick = list(range(0, len(avg), step))
        if pick[-1] != len(avg) - 1:
            pick.append(len(avg) - 1)  # the line ends at the latest episode
        average = _pairs(ax[pick], avg[pick])
    return ReturnsPlotData(
        returns=_pairs(x[keep], y[keep]),
        bars=n <= few,
        average=average,
        window=kernel,
        evals=shown_evals,
        episodes=(int(x[0]), int(x[-1])),
    )
