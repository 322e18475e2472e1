"""``rltui exercise``: list the exercises, write one's template, check a learner's file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from rltui.commands.common import UsageError

EXIT_DIFFERS = 1
"""The learner's function differs from the reference, raises, or returns the wrong thing."""


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "exercise",
        help="write the line yourself: list the exercises, start one, check your file",
        description="Exercises are small functions an agent uses (a TD target, GAE, a loss ...). With no "
        "NAME, lists them; NAME --new FILE writes a template to fill in; NAME FILE runs your function on "
        "cases that include the edge cases (terminal and truncated steps, ties, γ = 0, empty episodes) "
        "and says which differ from the reference (exit 0 only when all agree). Your file runs as your "
        "own code, in this process. `rltui play ENV --agent KIND --exercise NAME=FILE` then trains an "
        "agent with it (see docs/exercises.md).",
    )
    p.add_argument("name", nargs="?", metavar="NAME", help="the exercise (rltui exercise lists them)")
    p.add_argument("file", nargs="?", metavar="FILE", help="your Python file to check")
    p.add_argument("--new", metavar="FILE", help="write a template for NAME to FILE (never over an existing file)")
    p.add_argument("--seed", type=int, default=0, help="seed of the drawn cases (default 0)")


def run(args: argparse.Namespace) -> int:
    from agents.exercises import all_exercises, get

    if args.name is None:
        if args.new or args.file:
            raise UsageError("Name the exercise first: rltui exercise NAME --new FILE.")
        exercises = all_exercises()
        width = max(len(e.name) for e in exercises)
        for e in exercises:
            live = f"  (live: --agent {', '.join(e.agents)})" if e.agents else ""
            print(f"{e.name:<{width}}  {e.summary}{live}")
        print("\nrltui exercise NAME --new FILE writes a template; rltui exercise NAME FILE checks it.")
        return 0
    try:
        exercise = get(args.name)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from None
    if args.new is not None:
        if args.file is not None:
            raise UsageError("Give either --new FILE (to start) or FILE (to check), not both.")
        return _new(exercise, Path(args.new))
    if args.file is None:
        print(f"def {exercise.name}({', '.join(exercise.params)}):\n    {exercise.doc}\n")
        print(f"Start with: rltui exercise {exercise.name} --new {exercise.name}.py")
        return 0
    return _check(exercise, args.file, args.seed)


def _new(exercise: Any, path: Path) -> int:
    from agents.exercises.check import template
    from rltui.fileio import write_atomic

    if path.exists():
        raise UsageError(f"{path} already exists; it is left as it is (choose another name, or check it).")
    if not path.parent.is_dir():
        raise UsageError(f"{path.parent} is not a folder.")
    try:
        write_atomic(path, template(exercise).encode())
    except OSError as exc:
        raise UsageError(f"{path} cannot be written ({exc.strerror or exc}).") from None
    print(f"Wrote {path}: fill in {exercise.name}, then run: rltui exercise {exercise.name} {path}")
    return 0


def _check(exercise: Any, file: str, seed: int) -> int:
    from agents.exercises.check import CodeProblem, FileProblem, check, load

    try:
        learner = load(exercise, file)
        report = check(exercise, learner, seed)
    except FileProblem as exc:
        raise UsageError(str(exc)) from None
    except CodeProblem as exc:
        print(f"rltui: {exc}", file=sys.stderr)
        return EXIT_DIFFERS
    for sentence in report.differing:
        print(sentence)
    if report.differing:
        print(f"{len(report.differing)} of {report.cases} cases differ from the reference.")
        return EXIT_DIFFERS
    print(f"All {report.cases} cases agree with the reference: {exercise.name} is right.")
    return 0
