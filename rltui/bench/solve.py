"""``rltui bench solve``: for every catalog env and every agent kind that plays it, the steps
and wall seconds until the env's solved mark (or its budget), per seed, and the greedy result
over 100 seeded episodes: what ``rltui train ENV --agent KIND`` does with no flags."""

from __future__ import annotations

import statistics
import time
from typing import Any

from rltui.bench.common import machine

LEFT_OUT = ("Atari",)
"""Groups only ``--env`` runs: an Atari DQN's budget is a day of this machine's CPU."""


def pairs(env: str | None = None, kind: str | None = None) -> list[tuple[str, str]]:
    """(env id, kind) for every available catalog env outside :data:`LEFT_OUT` (or ``env``) and
    applicable kind (or ``kind``) that learns."""
    from agents.registry import kinds_for, spec
    from rltui.envs import catalog

    out = []
    entries = [catalog.resolve(env)] if env else [e for e in catalog.CATALOG if e.available and e.group not in LEFT_OUT]
    for entry in entries:
        made = catalog.make_env(entry, render=False)
        kinds = [k for k in kinds_for(made) if spec(k).learns and (kind is None or k == kind)]
        made.close()
        out += [(entry.id, k) for k in kinds]
    return out


def solve_once(env_id: str, kind: str, seed: int) -> dict[str, Any]:
    """One run of ``train ENV --agent KIND --seed SEED`` with the catalog's budget and mark."""
    from rltui.envs import catalog
    from rltui.training.agent_factory import make_agent_for
    from rltui.training.evaluation import eval_schedule
    from rltui.training.loop import train

    entry = catalog.resolve(env_id)
    start = time.perf_counter()
    agent = make_agent_for(entry, kind, seed=seed)
    steps, target = entry.budget_for(kind), entry.solved_at
    result = train(
        agent,
        entry,
        steps=steps,
        target_return=target,
        seed=seed,
        **eval_schedule(steps, target, entry.min_eval_episodes),
    )
    return {
        "env": env_id,
        "agent": kind,
        "seed": seed,
        "solved": result.solved,
        "steps": result.steps,
        "budget": steps,
        "wall_s": round(time.perf_counter() - start, 2),
        "greedy_mean": None if result.eval_return_mean is None else round(result.eval_return_mean, 2),
        "solved_at": target,
    }


def bench_solve(
    env: str | None = None, kind: str | None = None, seeds: int = 5, verbose: bool = True, **_: Any
) -> dict[str, Any]:
    runs, rows = [], []
    for env_id, k in pairs(env, kind):
        mine = []
        for seed in range(seeds):
            run = solve_once(env_id, k, seed)
            mine.append(run)
            if verbose:
                print(
                    f"{env_id} {k} seed {seed}: {'solved' if run['solved'] else 'not solved'} at "
                    f"{run['steps']:,} steps in {run['wall_s']} s, greedy {run['greedy_mean']}",
                    flush=True,
                )
        runs += mine
        rows.append(
            {
                "env": env_id,
                "agent": k,
                "solved_seeds": sum(r["solved"] for r in mine),
                "seeds": seeds,
                "median_steps": statistics.median(r["steps"] for r in mine),
                "median_wall_s": statistics.median(r["wall_s"] for r in mine),
                "greedy": [r["greedy_mean"] for r in mine],
            }
        )
    return {"bench": "solve", "rows": rows, "runs": runs, **machine()}
