"""Exercises: small pure functions a learner writes (a TD target, GAE, a loss ...), each with
the reference the agents use, seeded cases that include the edge cases the talks warn about,
and a comparison. ``rltui exercise`` lists, templates and checks them; ``--exercise`` runs a
learner's function inside a live agent (:mod:`agents.exercises.live`).

An exercise's reference is either the agent's own function (the tabular targets, DQN's
``target_of``, ``agents.policy.gae``, ``agents.value_iteration.Model.backup``) or checked
against it in ``tests/unit/test_exercises.py``, so a reference cannot drift from its agent.
"""

from __future__ import annotations

from agents.exercises.base import Case, Exercise
from agents.exercises.catalog import EXERCISES

__all__ = ["EXERCISES", "Case", "Exercise", "all_exercises", "get"]


def get(name: str) -> Exercise:
    """The exercise called ``name``.

    Raises:
        KeyError: with the sentence to say (the names there are).
    """
    if name not in EXERCISES:
        raise KeyError(f"There is no exercise '{name}'; there are: {', '.join(EXERCISES)}.")
    return EXERCISES[name]


def all_exercises() -> list[Exercise]:
    """Every exercise, in the order ``rltui exercise`` lists them."""
    return list(EXERCISES.values())
