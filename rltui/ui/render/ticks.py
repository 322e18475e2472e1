"""Axis ticks a person reads at a glance: round steps, zero when it is in range, never upside down."""

from __future__ import annotations

import math
from collections.abc import Iterator

NICE_STEPS = (1.0, 2.0, 2.5, 5.0)


def _nice_steps(at_least: float) -> Iterator[float]:
    """1, 2, 2.5, 5 times powers of ten, from the first one not below ``at_least``, upwards."""
    magnitude = 10.0 ** math.floor(math.log10(at_least))
    while True:
        for m in NICE_STEPS:
            if m * magnitude >= at_least * (1 - 1e-9):
                yield m * magnitude
        magnitude *= 10


def nice_ticks(lo: float, hi: float, most: int = 5) -> tuple[float, float, list[float], list[str]]:
    """An axis range covering ``lo``..``hi`` and at most ``most`` (at least 3) ticks on round values.

    Equal (or nearly equal) ends are padded so the line sits in the middle of a real range,
    not on an axis whose labels run backwards.

    Returns:
        (axis low, axis high, tick values, tick labels).
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        lo, hi = 0.0, 1.0
    if lo > hi:
        lo, hi = hi, lo
    if hi - lo < 1e-6 * max(1.0, abs(lo), abs(hi)):
        pad = max(abs(lo) * 0.1, 1.0)
        lo, hi = lo - pad, hi + pad
    most = max(3, most)  # a range across zero needs three: below, zero, above
    raw = (hi - lo) / (most - 1)
    for step in _nice_steps(raw):
        first, last = math.floor(lo / step + 1e-9), math.ceil(hi / step - 1e-9)
        if last - first + 1 <= most:  # rounding outwards can add a tick: then a bigger step
            break
    ticks = [i * step for i in range(first, last + 1)]
    decimals = max(0, -math.floor(math.log10(step) + 1e-9))
    if decimals and not math.isclose(round(step, decimals), step):
        decimals += 1  # 2.5, 0.25
    return ticks[0], ticks[-1], ticks, [_label(t, decimals) for t in ticks]


def _label(value: float, decimals: int) -> str:
    if abs(value) >= 10_000 and decimals == 0:
        text = f"{value / 1000:.{1 if value % 1000 else 0}f}k"
    else:
        text = f"{value:.{decimals}f}"
        if decimals:
            text = text.rstrip("0").rstrip(".")
    return "0" if text.strip("-0.k") == "" else text
