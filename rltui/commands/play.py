"""``rltui play [ENV]``: the app, on the launcher or straight into playing an env (with a
fresh or saved agent, or a recorded episode to replay)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from rltui.commands.common import UsageError, kind_list


def add_parser(sub: Any) -> None:
    play = sub.add_parser("play", help="play an environment by keyboard")
    play.add_argument("env", nargs="?", help="environment id, e.g. Taxi-v4 (see `rltui envs`)")
    play.add_argument(
        "--seed", type=int, default=None, help="seed for the first episode (later episodes draw theirs from it)"
    )
    who = play.add_mutually_exclusive_group()
    who.add_argument("--agent", help="a fresh agent to play along: " + kind_list())
    who.add_argument("--load", metavar="FILE", help="a saved agent to play along")
    play.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        dest="settings",
        help="a hyperparameter of the fresh agent (repeatable)",
    )
    pace = play.add_mutually_exclusive_group()
    pace.add_argument(
        "--real-time",
        dest="pace",
        action="store_const",
        const=True,
        help="the env keeps moving at its own fps while you drive, a held key pushes "
        "(the default for classic control; ctrl+t switches in the app)",
    )
    pace.add_argument(
        "--turn-by-turn",
        dest="pace",
        action="store_const",
        const=False,
        help="one step per key, the env waits (the default for grid worlds and cards)",
    )
    play.add_argument(
        "--fps",
        type=float,
        metavar="N",
        help="real time's pace in steps per second "
        "instead of the env's own (e.g. --fps 10 slows CartPole's 50 down for a person); "
        "implies --real-time; +/- change it in the app",
    )
    play.add_argument(
        "--tensorboard",
        metavar="DIR",
        help="write each agent's training scalars to a TensorBoard run in DIR (needs the tensorboard extra)",
    )
    play.add_argument(
        "--map",
        metavar="FILE",
        help="play a grid world drawn as a map (a file, or a "
        "map's name: BridgeGrid, DiscountGrid, MazeGrid, or one saved to saves/maps/)",
    )
    play.add_argument(
        "--set-map",
        nargs="+",
        action="extend",
        metavar="KEY=VALUE",
        dest="map_settings",
        help="change the map's settings for this session: slip (0 to 1, the chance a move slides "
        "sideways), living_reward (every other move's reward), gamma, max_steps; e.g. --set-map "
        "slip=0.2 living_reward=-0.04 (K and P change the world while the agent learns)",
    )
    play.add_argument(
        "--exercise",
        metavar="NAME=FILE",
        help="the agent learns with your own function from FILE in place of its own (see `rltui exercise`); "
        "X shows your value beside the reference's",
    )
    play.add_argument(
        "--replay",
        metavar="FILE",
        help="open a saved episode (ctrl+e writes them "
        "to saves/episodes/) in the timeline: ] steps through it, a move branches",
    )


def run(args: argparse.Namespace) -> int:
    """Open the app (``rltui`` with no command comes here too)."""
    from rltui.ui.terminal import quiet_typing

    # From the first moment: keys typed while torch loads are neither echoed into the shell's
    # scrollback nor left for the shell; the terminal is as it was before os._exit below.
    with quiet_typing():
        code = _open_app(args)
    # The terminal is restored and the owner thread has stopped (saves are written and
    # fsynced there). Tearing down torch's and numpy's modules can take over a second
    # more, which a person sees as a slow quit: leave now.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _open_app(args: argparse.Namespace) -> int:
    """Check the arguments, make the session and its agent, and run the app: its exit code."""
    from rltui.commands.common import check_seed, parse_settings, resolve_env

    check_seed(getattr(args, "seed", None))
    tensorboard = _check_paths(args)
    env_id = getattr(args, "env", None)
    grid_map = getattr(args, "map", None)
    if grid_map is not None:
        from rltui.envs.catalog import MAP_PREFIX

        if env_id is not None:
            raise UsageError(f"Give an environment or --map, not both ({env_id} and --map {grid_map}).")
        env_id = MAP_PREFIX + grid_map
    replay = getattr(args, "replay", None)
    session = agent = record = None
    entry = resolve_env(env_id) if env_id is not None else None
    if replay is not None:
        from rltui.commands.common import read_episode

        if args.seed is not None:
            raise UsageError("--seed does not apply to --replay: the episode file holds its seed.")
        record, entry = read_episode(replay, entry)
    map_settings = getattr(args, "map_settings", None)
    if map_settings:
        entry = _set_map(entry, map_settings, replay)
    pace = getattr(args, "pace", None)
    fps = getattr(args, "fps", None)
    if fps is not None:
        from rltui.live.realtime import check_fps

        try:
            check_fps(fps)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        if pace is False:
            raise UsageError("--fps sets real time's pace: it does not go with --turn-by-turn.")
        if entry is None:
            raise UsageError("--fps needs an environment: rltui play ENV --fps 10.")
        pace = True
    if pace is not None and entry is None:
        raise UsageError("--real-time and --turn-by-turn need an environment: rltui play ENV --real-time.")
    if entry is not None:
        from dataclasses import replace

        from rltui.envs.session import Session

        if pace is not None:
            entry = replace(entry, realtime=pace, fps=fps)
        agent = _play_agent(args, entry, parse_settings(getattr(args, "settings", None)))
        _attach_exercise(agent, getattr(args, "exercise", None))
        session = Session(
            entry, seed=record.seed if record else args.seed, kind=agent.kind if agent is not None else None
        )
    elif getattr(args, "agent", None) or getattr(args, "load", None):
        raise UsageError("--agent and --load need an environment: rltui play ENV --agent KIND.")
    from rltui.ui.app import RLTuiApp

    app = RLTuiApp(session, agent, replay=record, tensorboard=tensorboard)
    _exit_on_signals(app)
    app.run()
    return app.return_code or 0


def _set_map(entry: Any, pairs: list[str], replay: str | None) -> Any:
    """``entry`` (a map's) with ``--set-map``'s settings, each checked as a map file's line is."""
    from dataclasses import replace

    from rltui.envs.catalog.maps import with_map
    from rltui.envs.gridmap import GridMap, MapError, parse_settings

    grid_map = entry.make_kwargs.get("grid_map") if entry is not None else None
    if not isinstance(grid_map, GridMap):
        raise UsageError("--set-map changes a grid map's settings: give it with --map NAME.")
    if replay is not None:
        raise UsageError("--set-map does not go with --replay: the episode was played in the map as it is.")
    try:
        settings: dict[str, Any] = parse_settings(pairs)
    except MapError as exc:
        raise UsageError(f"--set-map: {str(exc).rstrip('.')}.") from None
    return with_map(entry, replace(grid_map, **settings))


def _check_paths(args: argparse.Namespace) -> str | None:
    """What the app will write to, checked as `train` checks it, before anything is made or
    loaded (see :mod:`rltui.paths`): the saves folder (``$RLTUI_SAVES``), and the
    TensorBoard folder (``--tensorboard``, else ``$RLTUI_TENSORBOARD`` for every session),
    which is returned with ``~`` expanded (None: no logs). An empty ``--agent``, ``--load`` or
    ``--map`` is one sentence too, not a flag silently dropped."""
    from rltui.formats.tensorboard import TensorBoardError, check_writable
    from rltui.paths import PathError, check_saves_dir

    wanted = {"agent": f"a kind: {kind_list()}", "load": "a saved agent's file", "map": "a map's name or file"}
    for name, what in wanted.items():
        value = getattr(args, name, None)
        if value is not None and not value.strip():
            raise UsageError(f"--{name} is empty: give it {what}.")
    given = getattr(args, "tensorboard", None)
    what = "--tensorboard"
    if given is None and os.environ.get("RLTUI_TENSORBOARD"):
        given, what = os.environ["RLTUI_TENSORBOARD"], "$RLTUI_TENSORBOARD"
    try:
        check_saves_dir()
        return None if given is None else str(check_writable(given, what))
    except (PathError, TensorBoardError) as exc:
        raise UsageError(str(exc)) from None


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


def _attach_exercise(agent: object, spec: str | None) -> None:
    """The learner's function in the agent's place (``--exercise NAME=FILE``)."""
    if spec is None:
        return
    if agent is None:
        raise UsageError("--exercise needs an agent: rltui play ENV --agent KIND --exercise NAME=FILE.")
    from agents.exercises.live import ExerciseError, attach

    try:
        attach(agent, spec)
    except ExerciseError as exc:
        raise UsageError(str(exc)) from None


def _play_agent(args: argparse.Namespace, entry: object, settings: dict[str, str]) -> object:
    """The agent named on the command line, made or loaded before the app starts."""
    if args.load:
        from agents.persistence import SaveError
        from rltui.training.agent_factory import load_agent_for

        if settings:
            raise UsageError("--set applies to a fresh --agent, not to a loaded one.")
        try:
            return load_agent_for(args.load, entry)[0]  # type: ignore[arg-type]
        except SaveError as exc:
            raise UsageError(str(exc)) from None
    if args.agent:
        from rltui.training.agent_factory import AgentError, make_agent_for, watched

        try:
            return make_agent_for(entry, args.agent, watched(args.agent, settings), seed=args.seed)  # type: ignore[arg-type]
        except AgentError as exc:
            raise UsageError(str(exc)) from None
    if settings:
        raise UsageError("--set needs --agent KIND.")
    return None
