"""Exercises: small pure functions a learner writes (a TD target, GAE, a loss ...), each with
the reference the agents use, seeded cases that include the edge cases the talks warn about,
and a comparison. ``rltui exercise`` lists, templates and checks them; ``--exercise`` runs a
learner's function inside a live agent (:mod:`agents.exercises.live`).

An exercise's reference is either the agent's own function (the tabular targets, DQN's
``target_of``, ``agents.policy.gae``, ``agents.value_iteration.Model.backup``) or checked
against it in ``tests/unit/test_exercises.py``, so a reference cannot drift from its agent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Case:
    """One set of inputs, named for what it tries (``terminal step``, ``ties in argmax`` ...)."""

    name: str
    args: dict[str, Any]


@dataclass(frozen=True)
class Exercise:
    """One function to write.

    Attributes:
        name: the function's name (and the exercise's).
        summary: one line for the list.
        params: the parameters, in order.
        doc: the docstring of the template, in the talks' notation (inputs, outputs).
        reference: the reference implementation, called with the same arguments.
        cases: seeded cases, ``cases(seed)``.
        returns: ``"scalar"``, ``"array"`` (the reference's shape) or ``"action"``.
        judge: for exercises checked by properties rather than one answer (ε-greedy):
            ``judge(fn, case) -> (expected, got) or None``, descriptions of a disagreement.
        agents: the kinds that can run the learner's function live (``--exercise``).
        imports: what the template imports.
    """

    name: str
    summary: str
    params: tuple[str, ...]
    doc: str
    reference: Callable[..., Any]
    cases: Callable[[int], list[Case]]
    returns: str = "scalar"
    judge: Callable[[Callable[..., Any], Case], tuple[str, str] | None] | None = None
    agents: tuple[str, ...] = ()
    imports: tuple[str, ...] = field(default=())


EXERCISES: dict[str, Exercise] = {}
"""Every exercise by name, in the order ``rltui exercise`` lists them."""


def register(exercise: Exercise) -> Exercise:
    EXERCISES[exercise.name] = exercise
    return exercise


def get(name: str) -> Exercise:
    """The exercise called ``name``.

    Raises:
        KeyError: with the sentence to say (the names there are).
    """
    _load()
    if name not in EXERCISES:
        raise KeyError(f"There is no exercise '{name}'; there are: {', '.join(EXERCISES)}.")
    return EXERCISES[name]


def all_exercises() -> list[Exercise]:
    _load()
    return list(EXERCISES.values())


def _load() -> None:
    from agents.exercises import catalog  # noqa: F401  (registers them)
