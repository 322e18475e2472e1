"""The exercises, each with its reference and seeded cases (see :mod:`agents.exercises`), one
module per family: tabular methods, DQN, policy gradients, planning.

Cases start with the edge cases the talks warn about (a terminal step, a time-limit cut that
is no end, ties in argmax, γ = 0, a single step, an empty episode), then a few drawn from a
seeded generator.
"""

from __future__ import annotations

import importlib

from agents.exercises.base import EXERCISES

FAMILIES = ("ex_tabular", "ex_dqn", "ex_policy", "ex_planning")
"""The families' modules, in the order ``rltui exercise`` lists them (each registers its own
as it loads)."""

for _family in FAMILIES:
    importlib.import_module(f"agents.exercises.{_family}")

__all__ = ["EXERCISES", "FAMILIES"]
