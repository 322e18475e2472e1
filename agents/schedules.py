"""Exploration schedules."""

from __future__ import annotations


def linear_schedule(start: float, end: float, duration: int, t: int) -> float:
    """Go from ``start`` to ``end`` linearly over ``duration`` steps, then stay at ``end``."""
    if duration <= 0 or t >= duration:
        return end
    return start + (end - start) * (t / duration)
