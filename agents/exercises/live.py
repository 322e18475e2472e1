"""A learner's function inside a live agent (``--exercise NAME=FILE``).

:func:`attach` loads the learner's file and puts a :class:`Swap` in the agent's ``exercise``
slot, where the agent looks up its target (the tabular agents' TD target, DQN's
``target_of``). The swap calls the learner's function on a thread of its own, given a second
a call, and checks what comes back against the reference's type and shape. The first call
that raises, runs over a second, or returns the wrong type, shape or NaN is said once, in one
sentence with the file and line (``say``), and from then on the reference answers: the agent
keeps running. Each single step's two values (the reference's and the learner's) are kept
for the explain view, with the first step where they differ.
"""

from __future__ import annotations

import copy
import math
import os
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from agents.exercises import Exercise, get
from agents.exercises.base import Abandoned, _untorch, stop_thread
from agents.exercises.check import (
    TIME_LIMIT,
    TOLERANCE,
    CodeProblem,
    FileProblem,
    Learner,
    as_array,
    as_number,
    kind_problem,
    load,
    raised_sentence,
)

SWITCH, OFF = "RLTUI_EXERCISES", "off"
"""``rltui serve`` sets RLTUI_EXERCISES=off for its visitors' apps unless --allow-exercises."""


def turn_off_for_children() -> None:
    """Refuse ``--exercise`` in the processes this one starts (``rltui serve``'s visitors' apps)."""
    os.environ[SWITCH] = OFF


class ExerciseError(ValueError):
    """``--exercise`` cannot be used as given: one sentence."""


def parse(spec: str) -> tuple[str, str]:
    """``"dqn_target=mine.py"`` → ``("dqn_target", "mine.py")``."""
    name, sep, path = spec.partition("=")
    if not sep or not name.strip() or not path.strip():
        raise ExerciseError(f"--exercise takes NAME=FILE (e.g. dqn_target=mine.py), not '{spec}'.")
    return name.strip(), path.strip()


def attach(agent: Any, spec: str, say: Callable[[str], None] | None = None) -> Swap:
    """Put the learner's function named in ``spec`` (NAME=FILE) in ``agent``'s exercise slot.

    Raises:
        ExerciseError: no such exercise, one the agent cannot run, or a file that does not load.
    """
    if os.environ.get(SWITCH) == OFF:
        raise ExerciseError(
            "Exercises are off here: this app is served by `rltui serve`, started without --allow-exercises "
            "(an exercise runs its file's Python in the app's process)."
        )
    name, path = parse(spec)
    try:
        exercise = get(name)
    except KeyError as exc:
        raise ExerciseError(str(exc.args[0])) from None
    if agent.kind not in exercise.agents:
        live = [e.name for e in _live_exercises() if agent.kind in e.agents]
        which = f"; a {agent.kind} agent runs {', '.join(live)}" if live else f"; a {agent.kind} agent runs none yet"
        raise ExerciseError(
            f"{name} does not run live in a {agent.kind} agent (it runs in: {', '.join(exercise.agents) or 'none'})"
            f"{which}."
        )
    if name == "double_dqn_target" and not agent.config.double_dqn:
        raise ExerciseError("double_dqn_target needs double_dqn=true (drop --set double_dqn=false).")
    try:
        learner = load(exercise, path)
    except (FileProblem, CodeProblem) as exc:
        raise ExerciseError(str(exc)) from None
    swap = Swap(exercise, learner, say)
    agent.exercise = swap
    return swap


def exercise_of(agent: Any) -> Swap | None:
    """The learner's function in ``agent``'s exercise slot, if one is there."""
    swap = getattr(agent, "exercise", None)
    return swap if isinstance(swap, Swap) else None


def hear(agent: Any, say: Callable[[str, str], None]) -> None:
    """Send a failure of ``agent``'s exercise to ``say(severity, text)`` (the app's notice)."""
    swap = exercise_of(agent)
    if swap is not None:
        swap.say = lambda text: say("error", text)
        if swap.failure is not None:
            say("error", swap.failure)


def _live_exercises() -> list[Exercise]:
    from agents.exercises import all_exercises

    return [e for e in all_exercises() if e.agents]


class _Worker:
    """One daemon thread that runs the learner's calls, so a call that never returns can be
    left behind (it cannot be stopped) while the agent goes on with the reference."""

    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[Callable[..., Any], tuple[Any, ...]]] = queue.Queue()
        self._done: queue.Queue[tuple[bool, Any]] = queue.Queue()
        self.thread = threading.Thread(target=self._run, daemon=True, name="exercise")
        self.thread.start()

    def _run(self) -> None:
        while True:
            fn, args = self._jobs.get()
            try:
                self._done.put((True, fn(*args)))
            except Abandoned:
                return  # ran past its time: ended by stop_thread
            except BaseException as exc:  # noqa: BLE001  (the learner's code: anything)
                self._done.put((False, exc))

    def call(self, fn: Callable[..., Any], args: tuple[Any, ...], limit: float) -> tuple[bool, Any]:
        """(True, value) or (False, the exception); raises TimeoutError past ``limit``."""
        self._jobs.put((fn, args))
        try:
            return self._done.get(timeout=limit)
        except queue.Empty:
            raise TimeoutError from None


class Swap:
    """The learner's function in the agent's exercise slot, called as the agent calls its
    reference (see the module docstring)."""

    def __init__(self, exercise: Exercise, learner: Learner, say: Callable[[str], None] | None = None) -> None:
        self.exercise = exercise
        self.learner = learner
        self.say = say
        """Where the one sentence of a failure goes (the app's notification, train's stderr)."""
        self.failure: str | None = None
        """The sentence, once the learner's function failed (the reference answers from then on)."""
        self.calls = 0
        self.differing = 0
        """Calls where the learner's value differed from the reference's (it is used all the same)."""
        self.last: tuple[float, float] | None = None
        """The latest one-step call's (reference, learner) values, for the explain view."""
        self.first_differs: int | None = None
        """The first agent step whose value differed (as :meth:`said` was told)."""
        self.limit = TIME_LIMIT
        self._pending_differs = False
        self._worker: _Worker | None = None

    def __deepcopy__(self, memo: dict[int, Any]) -> Swap:
        """A copy of the agent (``rltui explain``'s, a kept best) shares the learner's function
        and what was found, with a worker thread of its own."""
        twin = Swap(self.exercise, self.learner, self.say)
        twin.failure, twin.calls, twin.differing, twin.first_differs = (
            self.failure,
            self.calls,
            self.differing,
            self.first_differs,
        )
        return twin

    @property
    def path(self) -> Path:
        return self.learner.path

    def describe(self) -> dict[str, Any]:
        """What a save made with the exercise in place records of it."""
        return {
            "name": self.exercise.name,
            "file": str(self.learner.path),
            "failed": self.failure,
            "differing_calls": self.differing,
            "calls": self.calls,
        }

    def note(self) -> str:
        """One line for the Training panel."""
        where = self.learner.path.name
        if self.failure is not None:
            return f"{where} failed: reference in use"
        return f"yours: {self.exercise.name} ({where})"

    def __call__(self, *args: Any) -> Any:
        if self.exercise.name in ("dqn_target", "double_dqn_target"):
            return self._dqn(*args)
        reference = self.exercise.reference(*args)
        got = self._run(args, reference)
        if got is None:
            return reference
        value = as_number(got)
        assert value is not None
        self._record(float(reference), value)
        return value

    def _dqn(self, rewards: Any, terminated: Any, gamma: float, target_next: Any, online_next: Any = None) -> Any:
        from agents.dqn import target_of

        double = self.exercise.name == "double_dqn_target"
        chooser = online_next if double else None
        reference = target_of(rewards, terminated, gamma, target_next, chooser)
        tensor = hasattr(reference, "detach")
        # The batch in the agent's own precision (float32 for a torch update), so that a right
        # function computes what the reference does, rounding included.
        dtype = np.asarray(_untorch(reference)).dtype if tensor else np.float64
        numpy_args: tuple[Any, ...] = (
            np.asarray(_untorch(rewards), dtype=dtype),
            np.asarray(_untorch(terminated), dtype=dtype),
            float(gamma),
            np.asarray(_untorch(target_next), dtype=dtype),
        )
        if double:
            numpy_args += (np.asarray(_untorch(online_next), dtype=dtype),)
        expected = np.asarray(_untorch(reference), dtype=np.float64)
        got = self._run(numpy_args, expected)
        if got is None:
            return reference
        values = as_array(got, expected.shape)
        assert values is not None
        if len(values) == 1:
            self._record(float(expected[0]), float(values[0]))
        elif not np.allclose(values, expected, atol=1e-5, rtol=1e-5):
            self.differing += 1
        if tensor:
            import torch

            return torch.as_tensor(values, dtype=reference.dtype, device=reference.device)
        return values

    def _run(self, args: tuple[Any, ...], expected: Any) -> Any:
        """The learner's value, or None where the reference must answer (after a failure)."""
        if self.failure is not None:
            return None
        self.calls += 1
        if self._worker is None:
            self._worker = _Worker()
        started = time.perf_counter()
        try:
            ok, got = self._worker.call(self.learner.fn, copy.deepcopy(args), self.limit)
        except TimeoutError:
            stop_thread(self._worker.thread)  # a busy loop would hold the interpreter lock
            self._worker = None
            return self._fail(f"{self.path}:{self.learner.line}: it took over {self.limit:g} s")
        if not ok:
            return self._fail(raised_sentence(got, self.path))
        if time.perf_counter() - started > self.limit:
            return self._fail(f"{self.path}:{self.learner.line}: it took over {self.limit:g} s")
        problem = kind_problem(self.exercise, expected, got)
        if problem is not None:
            return self._fail(f"{self.path}:{self.learner.line}: {problem}")
        return got

    def _fail(self, what: str) -> None:
        self.failure = f"{what.rstrip('.')}; {self.exercise.name} falls back to the reference and training goes on."
        if self.say is not None:
            try:
                self.say(self.failure)
            except Exception:  # noqa: BLE001  (a closed app: the failure is kept all the same)
                pass
        return None

    def _record(self, reference: float, learner: float) -> None:
        self.last = (reference, learner)
        same = math.isclose(learner, reference, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
        if not same:
            self.differing += 1
        self._pending_differs = not same

    def said(self, step: int) -> dict[str, float]:
        """What the agent records of its latest one-step call at agent step ``step`` (the
        explain view reads it): both values and the first step where they differed."""
        if self.last is None or self.failure is not None:
            return {}
        if self._pending_differs and self.first_differs is None:
            self.first_differs = step
        reference, learner = self.last
        self.last = None
        out = {"exercise_reference": reference, "exercise_learner": learner}
        if self.first_differs is not None:
            out["exercise_first_differs"] = float(self.first_differs)
        return out
