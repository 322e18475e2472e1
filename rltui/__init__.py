"""rltui: reinforcement learning you can see, in the terminal."""

from __future__ import annotations

__version__ = "0.1.0"
