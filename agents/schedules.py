"""Schedules: exploration's, and when an off-policy agent learns."""

from __future__ import annotations

from typing import Any


def linear_schedule(start: float, end: float, duration: int, t: int) -> float:
    """Go from ``start`` to ``end`` linearly over ``duration`` steps, then stay at ``end``."""
    if duration <= 0 or t >= duration:
        return end
    return start + (end - start) * (t / duration)


def off_policy_updates(config: Any, steps: int, buffered: int, least: int = 1) -> int:
    """The gradient steps a replay agent (DQN, SAC) takes after its environment step ``steps``:
    ``gradient_steps`` every ``train_freq`` steps once its buffer holds ``learning_starts``
    transitions (at least ``least``, and at most the buffer's size), else none. After a load
    the buffer starts empty: it refills before updates resume, without random warm-up."""
    ready = buffered >= max(least, min(config.learning_starts, config.buffer_size))
    return config.gradient_steps if ready and steps % config.train_freq == 0 else 0
