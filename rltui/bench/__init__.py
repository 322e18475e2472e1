"""``rltui bench``: the project's own benchmarks. Each prints its figures.

Run from the repo: ``rltui bench render|tabular|dqn|playalong|demos|solve|atari|mujoco`` (``--json`` for one JSON line).
"""

from __future__ import annotations

import json
from typing import Any


def check_options(args: Any) -> None:
    """One sentence (UsageError) for options a benchmark cannot run with."""
    from rltui.commands.common import UsageError, resolve_env

    if args.seeds is not None and not 1 <= args.seeds <= 100:
        raise UsageError(f"--seeds must be from 1 to 100, not {args.seeds}.")
    if not 0 < args.seconds <= 3600:
        raise UsageError(f"--seconds must be above 0 and at most 3600, not {args.seconds:g}.")
    if not 0 <= args.busy <= 64:
        raise UsageError(f"--busy must be from 0 to 64, not {args.busy}.")
    if args.env is not None:
        resolve_env(args.env)
    if args.which == "atari":
        from rltui.bench.atari import ENV

        resolve_env(ENV)  # says which install to run when ale-py is missing
    if args.which == "mujoco":
        resolve_env(args.env or "Walker2d-v5")  # says which install to run when mujoco is missing
        if args.env is not None:
            from rltui.envs import catalog

            entry = catalog.get(args.env)
            if entry is None or entry.group != "MuJoCo":
                raise UsageError(f"bench mujoco draws MuJoCo's bodies; {args.env} is not one of them.")
    if args.agent is not None:
        from agents.registry import AgentError, check_kind

        try:
            check_kind(args.agent)
        except AgentError as exc:
            raise UsageError(str(exc)) from None
    if args.env is not None and args.which in ("playalong", "solve"):
        _check_kind_plays(args)


def _check_kind_plays(args: Any) -> None:
    """The kind a benchmark trains must be one that plays ``--env`` (as `train` checks): with
    no --agent, playalong takes the kind tab brings in there."""
    from agents.registry import default_kind
    from rltui.commands.common import UsageError, resolve_env
    from rltui.envs import catalog
    from rltui.training.agent_factory import kinds_for_entry

    entry = resolve_env(args.env)
    try:
        env = catalog.make_env(entry, render=False)
    except catalog.CatalogError as exc:
        raise UsageError(str(exc)) from None
    try:
        kinds = kinds_for_entry(entry, env)
        if args.agent is None and args.which == "playalong":
            args.agent = default_kind(env)  # what tab brings there
    finally:
        env.close()
    if args.agent is not None and args.agent not in kinds:
        raise UsageError(f"{args.agent} cannot play {entry.id}; choose --agent from: {', '.join(kinds)}.")


def run_bench(which: str, as_json: bool = False, **options: Any) -> int:
    options = {k: v for k, v in options.items() if v is not None}  # unset: each bench's default
    if which == "render":
        from rltui.bench.render import bench_render as bench
    elif which == "playalong":
        from rltui.bench.playalong import bench_playalong as bench
    elif which == "demos":
        from rltui.bench.demos import bench_demos as bench
    elif which == "solve":
        from rltui.bench.solve import bench_solve as bench
    elif which == "atari":
        from rltui.bench.atari import bench_atari as bench
    elif which == "mujoco":
        from rltui.bench.mujoco import bench_mujoco as bench
    elif which == "serve":
        from rltui.bench.serve import bench_serve as bench
    elif which == "tabular":
        from rltui.bench.agents import bench_tabular as bench
    else:
        from rltui.bench.agents import bench_dqn as bench
    competing = options.pop("busy", 0)
    from rltui.bench.common import busy

    with busy(competing):
        result = bench(**options, verbose=not as_json)
    if competing:
        result["busy_processes"] = competing
    if as_json:
        print(json.dumps(result))
        return 0
    from rich.console import Console
    from rich.table import Table

    if which == "solve":
        Console().print(solve_table(result["rows"]))
        return 0
    table = Table(title=f"rltui bench {which}", title_justify="left")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in result.items():
        if key != "bench":
            table.add_row(key, json.dumps(value) if isinstance(value, (list, dict)) else str(value))
    Console().print(table)
    return 0


def solve_table(rows: list[dict[str, Any]]) -> Any:
    from rich.table import Table

    table = Table(title="rltui bench solve: train ENV --agent KIND with no flags", title_justify="left")
    for name in ("env", "agent", "solved", "median steps", "median wall s", "greedy per seed"):
        table.add_column(
            name, justify="left" if name in ("env", "agent") else "right", no_wrap=name in ("env", "agent")
        )
    for row in rows:
        table.add_row(
            row["env"],
            row["agent"],
            f"{row['solved_seeds']}/{row['seeds']}",
            f"{row['median_steps']:,.0f}",
            f"{row['median_wall_s']:.1f}",
            " ".join("—" if g is None else f"{g:g}" for g in row["greedy"]),
        )
    return table
