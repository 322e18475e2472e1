"""rltui: reinforcement learning you can see, in the terminal."""

from __future__ import annotations

import agents  # noqa: F401  (first: it holds numpy's BLAS to one thread before numpy loads)

__version__ = "0.1.0"
