"""Steps per second over the last couple of seconds, cheap enough for every step."""

from __future__ import annotations

from collections import deque

SAMPLE_INTERVAL = 0.05
SAMPLES = 40
WINDOW = 2.0
IDLE = 1.5
"""Seconds without a step after which the rate reads 0."""


class RateMeter:
    """Samples (time, step count) at most every :data:`SAMPLE_INTERVAL` seconds; the rate is
    taken over the last :data:`WINDOW` seconds, so a pause before a burst does not dilute it."""

    def __init__(self) -> None:
        self.samples: deque[tuple[float, int]] = deque(maxlen=SAMPLES)

    def record(self, now: float, steps: int) -> None:
        """Note that ``steps`` steps have been taken by time ``now`` (call on every step)."""
        samples = self.samples
        if not samples or now - samples[-1][0] >= SAMPLE_INTERVAL:
            samples.append((now, steps))

    def clear(self) -> None:
        self.samples.clear()

    def rate(self, now: float) -> float:
        """Steps per second by time ``now`` (0 when nothing has stepped for :data:`IDLE` seconds)."""
        samples = self.samples
        if len(samples) < 2 or now - samples[-1][0] > IDLE:
            return 0.0
        t1, s1 = samples[-1]
        t0, s0 = next(((t, n) for t, n in samples if t >= t1 - WINDOW), samples[0])
        if t0 == t1:
            t0, s0 = samples[-2]
        return (s1 - s0) / (t1 - t0) if t1 > t0 else 0.0
