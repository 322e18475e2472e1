"""Returns and discounted returns, as the panels and tests define them.

* return: ``sum(r_t)`` over the episode;
* discounted return from step t: ``G_t = sum_k gamma**k * r_{t+k}``;
* discounted return so far (after step t): ``sum_{k<=t} gamma**k * r_k``.
"""

from __future__ import annotations

from collections.abc import Sequence


def episode_return(rewards: Sequence[float]) -> float:
    """The undiscounted return: the sum of the rewards."""
    return float(sum(rewards))


def discounted_so_far(rewards: Sequence[float], gamma: float) -> float:
    """``sum_k gamma**k * r_k`` over the rewards seen so far, discounted from step 0."""
    total, weight = 0.0, 1.0
    for r in rewards:
        total += weight * r
        weight *= gamma
    return total


def returns_to_go(rewards: Sequence[float], gamma: float) -> list[float]:
    """``G_t`` for every step t, computed backwards: ``G_t = r_t + gamma * G_{t+1}``.

    Args:
        rewards: r_0 ... r_{T-1} of a finished episode.
        gamma: the discount factor.

    Returns:
        A list the length of ``rewards``; ``G_0`` is the discounted return of the episode.
    """
    out = [0.0] * len(rewards)
    g = 0.0
    for t in range(len(rewards) - 1, -1, -1):
        g = rewards[t] + gamma * g
        out[t] = g
    return out
