"""Helpers the benchmarks share."""

from __future__ import annotations

import os
import platform
from typing import Any

import numpy as np


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "machine": platform.machine()}


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))
