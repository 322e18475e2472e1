"""The ``rltui`` command: parses the arguments and hands them to a command in
``rltui/commands/``.

Imports stay inside the commands so that ``rltui --help`` answers at once and
nothing loads torch unless a DQN is asked for.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from rltui import __version__
from rltui.commands import compare, envs, episodes, evaluate, exercise, explain, play, saves, serve, train, tune
from rltui.commands.common import EXIT_USAGE, UsageError
from rltui.paths import PathError

EXIT_BROKEN_PIPE = 1
"""A reader that left before the output ended (``rltui saves --json | head -c 600``): a quiet
exit 1, as Python's documentation advises and as Rich's console does for the tables."""
COMMANDS = {
    "play": play,
    "train": train,
    "tune": tune,
    "compare": compare,
    "eval": evaluate,
    "envs": envs,
    "saves": saves,
    "episodes": episodes,
    "explain": explain,
    "exercise": exercise,
    "serve": serve,
}
"""Each command's module, by its name on the command line (``bench`` is the project's own)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rltui",
        description="Reinforcement learning you can see, in the terminal. With no command, opens the launcher.",
    )
    parser.add_argument("--version", action="version", version=f"rltui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    for command in COMMANDS.values():
        command.add_parser(sub)

    bench = sub.add_parser("bench", help="run the project's own benchmarks")
    bench.add_argument(
        "which",
        choices=["render", "tabular", "dqn", "playalong", "demos", "solve", "atari", "mujoco", "serve"],
        help="what to measure",
    )
    bench.add_argument("--json", action="store_true", help="print one JSON object last")
    bench.add_argument(
        "--seconds", type=float, default=5.0, help="how long the timed parts of render, playalong and atari run"
    )
    bench.add_argument(
        "--env",
        default=None,
        help="environment for playalong (default Taxi-v4), solve (default: every catalog env but Atari's) "
        "and mujoco (default Walker2d-v5 and Humanoid-v5)",
    )
    bench.add_argument(
        "--agent",
        default=None,
        help="agent kind for playalong (default q-learning) and solve (default: every kind that plays the env)",
    )
    bench.add_argument(
        "--seeds", type=int, default=None, help="seeds for the dqn (default 5) and demos (default 3) benchmarks"
    )
    bench.add_argument(
        "--visitors", default=None, metavar="N,N,...", help="visitors at once for serve (default 1,2,4,8)"
    )
    bench.add_argument(
        "--busy",
        type=int,
        default=0,
        metavar="N",
        help="run N other busy processes meanwhile, as on a loaded machine (default 0)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _main(argv)
        sys.stdout.flush()  # output still buffered meets a closed pipe here, not at the exit
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_BROKEN_PIPE
    return code


def _quiet_stdout() -> None:
    """Point stdout at the null device, so that the interpreter's own flush at exit does not
    meet the closed pipe again (and print its "Exception ignored" lines)."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # a stdout that is no file (a test's capture)
        pass


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    from agents.torch_setup import threads_problem

    problem = threads_problem()
    if problem is not None:
        print(f"rltui: {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        command = COMMANDS.get(args.command or "play")
        if command is not None:
            return command.run(args)
        if args.command == "bench":
            from rltui.bench import check_options, run_bench

            check_options(args)

            return run_bench(
                args.which,
                as_json=args.json,
                seconds=args.seconds,
                seeds=args.seeds,
                env=args.env,
                kind=args.agent,
                busy=args.busy,
                visitors=args.visitors,
            )
    except (UsageError, PathError) as exc:  # a path a person gave (rltui.paths), wherever it is met
        print(f"rltui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("rltui: interrupted.", file=sys.stderr)
        return 130
    return 0
