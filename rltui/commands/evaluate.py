"""``rltui eval``: a saved agent's greedy returns."""

from __future__ import annotations

import argparse
import statistics
from typing import Any

from rltui.commands.common import UsageError, check_seed, print_json, resolve_env


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "eval",
        help="evaluate a saved agent greedily",
        description="Run a saved agent with exploration off and report its returns. "
        "Deterministic grid worlds are run from every start state.",
    )
    p.add_argument("file", help="a save made by rltui (saves/*.safetensors)")
    p.add_argument(
        "--episodes",
        type=int,
        default=None,
        help="episodes to run (default 100; deterministic grid worlds are run once from every start state instead)",
    )
    p.add_argument("--seed", type=int, default=10_000, help="seed of the first episode")
    p.add_argument("--json", action="store_true", help="one JSON object on the last line")


def run(args: argparse.Namespace) -> int:
    from agents.persistence import SaveError
    from rltui.training.agent_factory import load_agent_for
    from rltui.training.evaluation import evaluate, start_states

    if args.episodes is not None and args.episodes < 1:
        raise UsageError(f"--episodes must be at least 1, not {args.episodes}.")
    check_seed(args.seed)
    try:
        agent, meta = load_agent_for(args.file)
    except SaveError as exc:
        raise UsageError(str(exc)) from None
    entry = resolve_env(meta["env_id"])
    starts = start_states(entry)
    if starts is not None and (args.episodes is not None or args.seed != 10_000):
        import sys

        print(
            f"{entry.id} is deterministic: it is evaluated once from each of its {starts} start "
            "states, an exact figure (--episodes and --seed apply to random envs).",
            file=sys.stderr,
        )
    if args.episodes is not None and args.episodes < entry.min_eval_episodes:
        import sys

        print(
            f"{entry.id}'s returns are mostly luck: it is evaluated over at least "
            f"{entry.min_eval_episodes:,} episodes.",
            file=sys.stderr,
        )
    returns = evaluate(agent, entry, args.episodes or 100, seed=args.seed)
    summary = {
        "env": entry.id,
        "agent": agent.kind,
        "episodes": len(returns),
        "return_mean": round(statistics.fmean(returns), 4),
        "return_std": round(statistics.pstdev(returns), 4) if len(returns) > 1 else 0.0,
    }
    if args.json:
        print_json(summary)
    else:
        from rltui.commands.progress import print_summary

        shown = dict(summary)
        if starts is not None:
            shown["episodes"] = f"{len(returns)} (one from every start state)"
        print_summary("Greedy evaluation", {"file": args.file, **shown, "trained steps": meta["counters"].get("steps")})
    return 0
