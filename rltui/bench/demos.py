"""``rltui bench demos``: how much a few good demonstration episodes speed up learning.

Twenty Taxi-v4 episodes are played by value iteration's greedy policy (standing
in for a person who plays well) and recorded as ``ctrl+e`` would. Q-learning then
trains as ``rltui train Taxi-v4 --agent q-learning`` does (default budget, stopping
once the greedy mean over all 300 starts reaches 7.9), without demonstrations and
with them fed once and ten times, on several seeds.
"""

from __future__ import annotations

import statistics
from typing import Any

from rltui.bench.agents import _say, _train_default
from rltui.bench.common import machine

ENV = "Taxi-v4"
DEMO_EPISODES = 20
PASSES = (0, 1, 10)


def record_expert_episodes(n: int = DEMO_EPISODES, seed: int = 100) -> list[Any]:
    """``n`` Taxi episodes played greedily by value iteration, as episode records."""
    from rltui.envs import catalog
    from rltui.envs.session import Session
    from rltui.formats import episodes
    from rltui.training.agent_factory import make_agent_for

    entry = catalog.resolve(ENV)
    expert = make_agent_for(entry, "value-iteration")
    session = Session(entry, seed=seed, render=False)
    records = []
    for _ in range(n):
        while not session.episode.done:
            session.step(expert.act(session.obs, False))
        records.append(episodes.record_of(session.episode, ENV))
        session.reset()
    session.close()
    return records


def bench_demos(seeds: int = 3, verbose: bool = True, **_: Any) -> dict[str, Any]:
    from rltui.envs.catalog import resolve
    from rltui.formats import episodes
    from rltui.training.evaluation import eval_schedule

    records = record_expert_episodes()
    demo_steps = sum(r.steps for r in records)
    entry = resolve(ENV)
    budget, target = entry.budget_for("q-learning"), entry.solved_at
    out: dict[str, Any] = {
        "bench": "demos",
        "env": ENV,
        "agent": "q-learning",
        "demo_episodes": len(records),
        "demo_steps": demo_steps,
    }
    for passes in PASSES:
        steps = []
        for seed in range(seeds):

            def feed(agent: Any, entry: Any, passes: int = passes) -> None:
                if passes:
                    episodes.learn_from(agent, records, entry, passes)

            _, result, _ = _train_default(
                ENV,
                "q-learning",
                seed,
                before=feed,
                steps=budget,
                target_return=target,
                **eval_schedule(budget, target, entry.min_eval_episodes),
            )
            steps.append(result.steps if result.solved else None)
            _say(
                verbose,
                f"passes {passes:>2}  seed {seed}: solved after {result.steps:,} steps"
                if result.solved
                else f"passes {passes:>2}  seed {seed}: not solved in {budget:,} steps",
            )
        solved = [s for s in steps if s is not None]
        out[f"steps_to_solve_passes_{passes}"] = steps
        out[f"median_passes_{passes}"] = statistics.median(solved) if solved else None
    out.update(machine())
    return out
