"""The ``rltui`` command.

Imports stay inside the commands so that ``rltui --help`` answers at once and
nothing loads torch unless a DQN is asked for.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from rltui import __version__
from rltui.commands import evaluate, saves, train
from rltui.commands.common import UsageError

EXIT_USAGE = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rltui",
        description="Reinforcement learning you can see, in the terminal. "
        "With no command, opens the launcher.",
    )
    parser.add_argument("--version", action="version", version=f"rltui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    play = sub.add_parser("play", help="play an environment by keyboard")
    play.add_argument("env", nargs="?", help="environment id, e.g. Taxi-v4 (see `rltui envs`)")
    play.add_argument("--seed", type=int, default=None, help="seed for the first episode (later episodes draw theirs from it)")
    who = play.add_mutually_exclusive_group()
    who.add_argument("--agent", help="a fresh agent to play along: q-learning, sarsa, expected-sarsa, "
                     "value-iteration or dqn")
    who.add_argument("--load", metavar="FILE", help="a saved agent to play along")
    play.add_argument("--set", action="append", metavar="KEY=VALUE", dest="settings",
                      help="a hyperparameter of the fresh agent (repeatable)")
    play.add_argument("--replay", metavar="FILE", help="open a saved episode (ctrl+e writes them "
                      "to saves/episodes/) in the timeline: ] steps through it, a move branches")

    train.add_parser(sub)
    evaluate.add_parser(sub)

    envs = sub.add_parser("envs", help="list the environments rltui knows")
    envs.add_argument("--json", action="store_true", help="print the catalog as JSON")

    saves.add_parser(sub)

    bench = sub.add_parser("bench", help="run the project's own benchmarks")
    bench.add_argument("which", choices=["render", "tabular", "dqn", "playalong", "demos"], help="what to measure")
    bench.add_argument("--json", action="store_true", help="print one JSON object last")
    bench.add_argument("--seconds", type=float, default=5.0, help="how long the timed parts of render "
                       "and playalong run")
    bench.add_argument("--env", default="Taxi-v4", help="environment for playalong")
    bench.add_argument("--agent", default="q-learning", help="agent kind for playalong")
    bench.add_argument("--seeds", type=int, default=None, help="seeds for the dqn (default 5) and demos "
                       "(default 3) benchmarks")
    bench.add_argument("--busy", type=int, default=0, metavar="N", help="run N other busy processes "
                       "meanwhile, as on a loaded machine (default 0)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from agents.torch_setup import threads_problem

    problem = threads_problem()
    if problem is not None:
        print(f"rltui: {problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.command in (None, "play"):
            return _play(args)
        if args.command == "envs":
            return _envs(args.json)
        if args.command == "train":
            return train.run(args)
        if args.command == "eval":
            return evaluate.run(args)
        if args.command == "saves":
            return saves.run(args)
        if args.command == "bench":
            from rltui.bench import check_options, run_bench

            check_options(args)

            return run_bench(args.which, as_json=args.json, seconds=args.seconds, seeds=args.seeds,
                             env=args.env, kind=args.agent, busy=args.busy)
    except UsageError as exc:
        print(f"rltui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("rltui: interrupted.", file=sys.stderr)
        return 130
    return 0


def _play(args: argparse.Namespace) -> int:
    from rltui.commands.common import check_seed, parse_settings, resolve_env

    check_seed(getattr(args, "seed", None))
    env_id = getattr(args, "env", None)
    replay = getattr(args, "replay", None)
    session = agent = record = None
    entry = resolve_env(env_id) if env_id is not None else None
    if replay is not None:
        from rltui.commands.common import read_episode

        if args.seed is not None:
            raise UsageError("--seed does not apply to --replay: the episode file holds its seed.")
        record, entry = read_episode(replay, entry)
    if entry is not None:
        from rltui.core.session import Session

        agent = _play_agent(args, entry, parse_settings(getattr(args, "settings", None)))
        session = Session(entry, seed=record.seed if record else args.seed)
    elif getattr(args, "agent", None) or getattr(args, "load", None):
        raise UsageError("--agent and --load need an environment: rltui play ENV --agent KIND.")
    from rltui.ui.app import RLTuiApp

    app = RLTuiApp(session, agent, replay=record)
    _exit_on_signals(app)
    app.run()
    # The terminal is restored and the owner thread has stopped (saves are written and
    # fsynced there). Tearing down torch's and numpy's modules can take over a second
    # more, which a person sees as a slow quit: leave now.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(app.return_code or 0)


def _exit_on_signals(app: object) -> None:
    """``kill`` (SIGTERM) or SIGINT close the app the way q does: the terminal is restored and
    the owner thread stops, instead of a dead process leaving the terminal in the app's mode."""
    import asyncio
    import signal

    def close(signum: int, frame: object) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not running yet (or any more): nothing to restore
            raise SystemExit(128 + signum) from None
        loop.call_soon_threadsafe(app.exit, None, 128 + signum)  # type: ignore[attr-defined]

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, close)


def _play_agent(args: argparse.Namespace, entry: object, settings: dict[str, str]) -> object:
    """The agent named on the command line, made or loaded before the app starts."""
    if args.load:
        from agents.persistence import SaveError, load_agent

        if settings:
            raise UsageError("--set applies to a fresh --agent, not to a loaded one.")
        try:
            return load_agent(args.load, expect_env=entry.id)[0]  # type: ignore[attr-defined]
        except SaveError as exc:
            raise UsageError(str(exc)) from None
    if args.agent:
        from rltui.core.agent_factory import AgentError, make_agent_for

        try:
            return make_agent_for(entry, args.agent, settings, seed=args.seed)  # type: ignore[arg-type]
        except AgentError as exc:
            raise UsageError(str(exc)) from None
    if settings:
        raise UsageError("--set needs --agent KIND.")
    return None


def _envs(as_json: bool) -> int:
    from rltui.core import catalog

    rows = [
        {
            "id": e.id,
            "group": e.group,
            "description": e.description,
            "actions": list(e.action_names),
            "keys": {e.action_names[ak.action]: ak.label for ak in e.keys},
            "render": e.render,
            "gamma": e.gamma,
            "available": e.available,
        }
        for _, entries in catalog.catalog_by_group()
        for e in entries
    ]
    if as_json:
        import json

        print(json.dumps(rows))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title="rltui environments", title_justify="left", show_lines=False)
    table.add_column("id", style="bold", no_wrap=True)
    table.add_column("description", ratio=3)
    table.add_column("keys", ratio=2)
    group = None
    for row in rows:
        if row["group"] != group:
            group = row["group"]
            if table.row_count:
                table.add_section()
            table.add_row(f"[#8fa3b8]{group.upper()}[/]", "", "")
        keys = "  ".join(f"{k} {name}" for name, k in row["keys"].items())
        desc = row["description"]
        if not row["available"]:
            desc += " [italic](not installed)[/]"
        table.add_row(row["id"], desc, keys)
    Console().print(table)
    print("Any other registered Gymnasium id with discrete actions plays too, with number keys.")
    return 0
