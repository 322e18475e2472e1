"""Load a learner's file and check their function against the reference, case by case.

Every way a learner's code can go wrong is one sentence with their file and line: a file
that cannot be read or does not define the function (:class:`FileProblem`, a usage error),
a function that raises, runs over a second, or returns the wrong type or shape or NaN
(:class:`CodeProblem`), or a value that differs from the reference (one sentence a case).
"""

from __future__ import annotations

import importlib.util
import math
import numbers
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from agents.exercises.base import Case, Exercise, _untorch, show, stop_thread

TIME_LIMIT = 1.0
"""Seconds one call of the learner's function may take."""
TOLERANCE = 1e-6
"""Absolute and relative tolerance of a value against the reference."""


class FileProblem(Exception):
    """The learner's file cannot be loaded or lacks the function: one sentence."""


class CodeProblem(Exception):
    """The learner's function raised, ran too long, or returned the wrong type, shape or NaN."""


@dataclass(frozen=True)
class Learner:
    """A learner's function and where it lives."""

    fn: Callable[..., Any]
    path: Path

    @property
    def line(self) -> int:
        code = getattr(self.fn, "__code__", None)
        return int(code.co_firstlineno) if code is not None else 1


def load(exercise: Exercise, path: str | Path) -> Learner:
    """The learner's ``exercise.name`` from the Python file at ``path``, imported in-process.

    Raises:
        FileProblem: no such file, not readable, no such function.
        CodeProblem: the file itself raises or has a syntax error (with its line).
    """
    file = Path(path)
    if not file.is_file():
        raise FileProblem(f"{path}: there is no such file.")
    module_name = f"rltui_exercise_{exercise.name}_{abs(hash(str(file.resolve())))}"
    spec = importlib.util.spec_from_file_location(module_name, file)
    if spec is None or spec.loader is None:
        raise FileProblem(f"{path}: cannot be loaded as Python (name it something.py).")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        raise CodeProblem(f"{path}:{exc.lineno or 1}: a syntax error: {exc.msg}.") from None
    except OSError as exc:
        raise FileProblem(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    except BaseException as exc:  # noqa: BLE001  (their code: anything it raises is one sentence)
        raise CodeProblem(raised_sentence(exc, file, "loading the file")) from None
    fn = getattr(module, exercise.name, None)
    if not callable(fn):
        raise FileProblem(f"{path}: it defines no function {exercise.name}() (write `def {exercise.name}(...)`).")
    return Learner(fn, file)


def where(exc: BaseException, file: Path) -> int | None:
    """The line of the last frame of the traceback in the learner's ``file``."""
    try:
        target = file.resolve()
        line = None
        for frame in traceback.extract_tb(exc.__traceback__):
            if Path(frame.filename).resolve() == target:
                line = frame.lineno
        return line
    except (OSError, ValueError):
        return None


def raised_sentence(exc: BaseException, file: Path, during: str = "") -> str:
    """``FILE:LINE: ZeroDivisionError: division by zero in case 3 (...).``"""
    line = where(exc, file)
    at = f"{file}:{line}" if line is not None else str(file)
    where_ = f" in {during}" if during else ""
    if isinstance(exc, NotImplementedError):
        return f"{at}: not written yet (it raises NotImplementedError){where_}."
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{at}: {type(exc).__name__}{': ' + text if text else ''}{where_}."


def call(learner: Learner, args: dict[str, Any], during: str, limit: float = TIME_LIMIT) -> Any:
    """The learner's function on ``args`` (copies: it cannot change the case), in a thread
    given ``limit`` seconds.

    Raises:
        CodeProblem: it raised or ran too long.
    """
    import copy

    box: dict[str, Any] = {}
    given = copy.deepcopy(args)

    def run() -> None:
        try:
            box["value"] = learner.fn(**given)
        except BaseException as exc:  # noqa: BLE001
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True, name="exercise")
    thread.start()
    thread.join(limit)
    if thread.is_alive():
        stop_thread(thread)
        raise CodeProblem(
            f"{learner.path}:{learner.line}: it took over {limit:g} s in {during} (a loop that never ends?)."
        )
    if "error" in box:
        raise CodeProblem(raised_sentence(box["error"], learner.path, during))
    return box.get("value")


def as_number(value: Any) -> float | None:
    """A real number the learner returned (a float, int, numpy scalar, 0-d array or tensor), else None."""
    value = _untorch(value)
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, np.ndarray) and value.shape in ((), (1,)) and value.dtype.kind in "fiu":
        return float(value.reshape(()))
    return None


def as_array(value: Any, shape: tuple[int, ...]) -> np.ndarray | None:
    """The learner's array-like as float64 of ``shape``, else None."""
    value = _untorch(value)
    if not isinstance(value, np.ndarray | list | tuple):
        return None
    try:
        out = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return out if out.shape == shape else None


def kind_problem(exercise: Exercise, expected: Any, got: Any) -> str | None:
    """What is wrong with the type, shape or finiteness of ``got`` (None: it is comparable)."""
    if exercise.returns == "array":
        shape = np.shape(expected)
        arr = as_array(got, shape)
        if arr is None:
            return f"it returned {describe(got)}, not a numpy array of shape {shape}"
        if not np.isfinite(arr).all():
            return f"it returned {show(arr)}, which holds NaN or infinity"
        return None
    number = as_number(got)
    if number is None:
        return f"it returned {describe(got)}, not a float"
    if not math.isfinite(number):
        return f"it returned {number}, not a finite number"
    return None


def agrees(exercise: Exercise, expected: Any, got: Any) -> bool:
    if exercise.returns == "array":
        arr = as_array(got, np.shape(expected))
        return arr is not None and bool(np.allclose(arr, expected, rtol=TOLERANCE, atol=TOLERANCE))
    number = as_number(got)
    return number is not None and math.isclose(number, float(expected), rel_tol=TOLERANCE, abs_tol=TOLERANCE)


def describe(value: Any) -> str:
    value = _untorch(value)
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, list | tuple):
        return f"a {type(value).__name__} of {len(value)}"
    return f"{show(value)} (a {type(value).__name__})"


def inputs(case: Case) -> str:
    return ", ".join(f"{k}={show(v)}" for k, v in case.args.items() if k != "seed")


@dataclass(frozen=True)
class Report:
    """What checking found: one sentence per differing case, and the count of cases."""

    differing: list[str]
    cases: int


def check(exercise: Exercise, learner: Learner, seed: int = 0) -> Report:
    """Run the learner's function on every case and compare it with the reference.

    Raises:
        CodeProblem: the function raised, ran too long, or returned the wrong type, shape or NaN.
    """
    cases = exercise.cases(seed)
    differing = []
    for i, case in enumerate(cases, 1):
        label = f"case {i} ({case.name})"
        if exercise.judge is not None:
            found = _judged(exercise, learner, case, label)
            if found is not None:
                want, got = found
                differing.append(f"Case {i} ({case.name}) differs: {inputs(case)}: expected {want}, got {got}.")
            continue
        expected = exercise.reference(**case.args)
        got = call(learner, case.args, label)
        problem = kind_problem(exercise, expected, got)
        if problem is not None:
            raise CodeProblem(f"{learner.path}:{learner.line}: {problem} in {label}.")
        if not agrees(exercise, expected, got):
            differing.append(
                f"Case {i} ({case.name}) differs: {inputs(case)}: expected {show(expected)}, got {show(_plain(got))}."
            )
    return Report(differing, len(cases))


def _plain(value: Any) -> Any:
    value = _untorch(value)
    number = as_number(value)
    return number if number is not None and not isinstance(value, list | tuple) else value


def _judged(exercise: Exercise, learner: Learner, case: Case, label: str) -> tuple[str, str] | None:
    assert exercise.judge is not None
    box: dict[str, Any] = {}

    def fn(*args: Any) -> Any:
        return learner.fn(*args)

    def run() -> None:
        try:
            box["value"] = exercise.judge(fn, case)  # type: ignore[misc]
        except BaseException as exc:  # noqa: BLE001
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True, name="exercise")
    thread.start()
    thread.join(TIME_LIMIT * 5)
    if thread.is_alive():
        raise CodeProblem(
            f"{learner.path}:{learner.line}: it took over {TIME_LIMIT * 5:g} s in {label} "
            "(thousands of choices; a loop that never ends?)."
        )
    if "error" in box:
        raise CodeProblem(raised_sentence(box["error"], learner.path, label))
    return box["value"]


def template(exercise: Exercise) -> str:
    """A file to start from: the signature, the docstring, ``raise NotImplementedError``."""
    head = (
        f'"""rltui exercise {exercise.name}: {exercise.summary}.\n\n'
        f'Check it with `rltui exercise {exercise.name} THIS_FILE`."""\n'
    )
    imports = "".join(f"import {m}\n" for m in exercise.imports)
    return (
        f"{head}\n{imports}{chr(10) if imports else ''}\n"
        f"def {exercise.name}({', '.join(exercise.params)}):\n"
        f'    """{exercise.doc}\n    """\n'
        f'    raise NotImplementedError("write {exercise.name} here")\n'
    )
