"""What an exercise is (see :mod:`agents.exercises`), and how its values are written."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np


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


def show(value: Any) -> str:
    """A value as a sentence writes it: floats to four significant digits."""
    value = _untorch(value)
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, np.ndarray):
        if value.dtype == bool:
            return "[" + ", ".join(str(bool(v)) for v in value.ravel()) + "]"
        return show(value.tolist())
    if isinstance(value, float | np.floating):
        return f"{float(value):.4g}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {show(v)}" for k, v in value.items()) + "}"
    return str(value)


def _untorch(value: Any) -> Any:
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        try:
            return value.detach().cpu().numpy()
        except Exception:  # noqa: BLE001
            return value
    return value


EXERCISES: dict[str, Exercise] = {}
"""Every exercise by name, in the order ``rltui exercise`` lists them."""


def register(exercise: Exercise) -> Exercise:
    EXERCISES[exercise.name] = exercise
    return exercise


DRAWN = 4
"""Cases drawn at random after the fixed ones."""


def row(rng: np.random.Generator, n: int) -> list[float]:
    """``n`` values drawn for a Q-row, rounded to be readable in a message."""
    return [round(float(v), 2) for v in rng.normal(0.0, 2.0, n)]


class Abandoned(BaseException):
    """Raised inside a learner's call that ran past its time, to end it (it is not caught by
    the learner's ``except Exception``)."""


def stop_thread(thread: threading.Thread, wait: float = 1.0) -> bool:
    """End a thread stuck in a learner's call: raise :class:`Abandoned` in it (CPython's
    asynchronous exception, delivered at its next bytecode; a call blocked in C code ends
    when that returns). Left running, a busy loop would hold the interpreter lock for as long
    as the process lives and slow everything else in it. Whether it ended within ``wait``."""
    import ctypes

    ident = thread.ident
    if ident is None or not thread.is_alive():
        return True
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(Abandoned))
    thread.join(wait)
    return not thread.is_alive()
