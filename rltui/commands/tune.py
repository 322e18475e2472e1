"""``rltui tune ENV --agent KIND``: a hyperparameter sweep on Optuna (see :mod:`rltui.core.tuning`)."""

from __future__ import annotations

import argparse
import sys
import threading
import time
from typing import Any

from rltui.commands.common import UsageError


def add_parser(sub: Any) -> None:
    p = sub.add_parser("tune", help="sweep an agent's hyperparameters (Optuna)",
                       description="Optuna study: TPE sampler, median pruner on the periodic greedy "
                       "evaluations. The study lives in saves/tune/ENV-KIND.db unless --storage says "
                       "otherwise: the same command again resumes it. Needs the tune extra.")
    p.add_argument("env", help="environment id")
    p.add_argument("--agent", required=True, help="the agent kind to tune")
    p.add_argument("--trials", type=int, default=20, help="trials to run now (default 20)")
    p.add_argument("--budget", type=int, default=None, help="environment steps per trial (default: "
                   "a fifth of the env's training budget for the kind)")
    p.add_argument("--storage", help="an Optuna storage URL (default: an SQLite file under saves/tune/)")
    p.add_argument("--study", help="the study's name (default ENV-KIND)")
    p.add_argument("--seed", type=int, default=0, help="the sampler's and every trial's seed")
    p.add_argument("--space", action="append", metavar="KEY=LOW:HIGH[:log]",
                   help="search KEY over this range instead (repeatable)")
    p.add_argument("--save-best", metavar="FILE", help="save the best trial's agent (of this run) here")
    p.add_argument("--json", action="store_true", help="one JSON object on the last line")


def run(args: argparse.Namespace) -> int:
    from rltui.commands.common import check_seed, print_json, resolve_env
    from rltui.core.tuning import (
        TuneError,
        best_command,
        objective,
        outcome,
        parse_space,
        study_for,
    )

    check_seed(args.seed)
    if not 1 <= args.trials <= 100_000:
        raise UsageError(f"--trials must be from 1 to 100000, not {args.trials}.")
    entry = resolve_env(args.env)
    from agents.registry import AgentError, spec

    try:
        kind = spec(args.agent).name
    except AgentError as exc:
        raise UsageError(str(exc)) from None
    budget = args.budget if args.budget is not None else max(1_000, entry.budget_for(kind) // 5)
    if budget < 100:
        raise UsageError(f"--budget must be 100 steps or more, not {budget}.")
    save_to = None
    if args.save_best:
        from agents.persistence import SaveError
        from rltui.core.storage import save_target

        try:
            save_to = save_target(args.save_best, entry.id, kind)
        except SaveError as exc:
            raise UsageError(str(exc)) from None
    try:
        space = parse_space(kind, args.space)
        study, url, name = study_for(entry.id, kind, args.storage, args.study, args.seed)
    except TuneError as exc:
        raise UsageError(str(exc)) from None
    before = outcome(study)
    stop = threading.Event()
    start = time.perf_counter()
    saved: list[float] = []

    def keep(agent: Any, value: float) -> None:
        if save_to is not None and (not saved or value > saved[-1]):
            from agents.persistence import save_agent

            save_agent(agent, save_to, entry.id, {"return_mean": value})
            saved.append(value)

    said = sys.stderr if args.json else sys.stdout
    print(f"Study {name} in {url} ({len(study.trials)} trials so far): {args.trials} more of {budget:,} "
          f"steps each, searching {', '.join(space)}.", file=said, flush=True)

    def progress(study: Any, trial: Any) -> None:
        now = outcome(study)
        best = "—" if now.best_value is None else f"{now.best_value:.4g} (trial {now.best_number})"
        state = trial.state.name.lower()
        value = "" if trial.value is None else f" {trial.value:.4g}"
        print(f"trial {trial.number}: {state}{value}   best {best}   "
              f"[{time.perf_counter() - start:.0f} s]", file=said, flush=True)

    try:
        study.optimize(objective(entry, kind, space, budget, args.seed, stop, keep), n_trials=args.trials,
                       callbacks=[progress], gc_after_trial=False)
    except KeyboardInterrupt:
        stop.set()
        print("Interrupted: the finished trials are kept in the study.", file=said, flush=True)
    result = outcome(study)
    seconds = time.perf_counter() - start
    command = best_command(entry.id, kind, budget, args.seed, result.best_params) if result.best_params else None
    summary = {
        "env": entry.id, "agent": kind, "study": name, "storage": url,
        "trials_finished": result.finished, "trials_pruned": result.pruned,
        "best_value": None if result.best_value is None else round(result.best_value, 4),
        "best_params": result.best_params, "best_command": command, "seconds": round(seconds, 1),
    }
    if args.json:
        print_json(summary)
        return 0
    _table(study, entry.id)
    print(f"{result.finished - before.finished} finished and {result.pruned - before.pruned} pruned now; "
          f"{result.finished} finished in the study.")
    if command:
        print(f"Best: {result.best_value:.4g}. To train it: {command}")
    if saved:
        print(f"Saved the best agent of this run ({saved[-1]:.4g}) to {save_to}.")
    elif save_to is not None:
        print("Nothing saved: no trial of this run finished (all pruned or refused).")
    return 0


def _table(study: Any, env_id: str, top: int = 5) -> None:
    from rich.console import Console
    from rich.table import Table

    from rltui.core.tuning import optuna_module

    optuna = optuna_module()
    done = sorted((t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE),
                  key=lambda t: t.value, reverse=True)[:top]
    if not done:
        print("No trial has finished yet.")
        return
    table = Table(title=f"Top trials on {env_id}")
    table.add_column("trial", justify="right")
    table.add_column("return", justify="right")
    table.add_column("settings")
    for t in done:
        table.add_row(str(t.number), f"{t.value:.4g}",
                      " ".join(f"{k}={v}" for k, v in t.user_attrs.get("settings", {}).items()))
    Console().print(table)
