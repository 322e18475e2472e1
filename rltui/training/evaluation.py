"""Greedy evaluation: an agent's episodes without exploration, every start state of a small
env or seeded episodes side by side, and how often ``train`` evaluates (:func:`eval_schedule`)."""

from __future__ import annotations

import statistics
from typing import Any, Protocol

from agents.protocols import BatchActor
from rltui.envs import adapters, catalog
from rltui.envs.catalog import EnvEntry


class StopFlag(Protocol):
    """What ``evaluate`` and ``train`` ask of a stop signal (a ``threading.Event`` is one)."""

    def is_set(self) -> bool: ...


def evaluate(
    agent: Any,
    entry: EnvEntry,
    episodes: int,
    seed: int = 10_000,
    target: float | None = None,
    exhaustive: bool = True,
    stop: StopFlag | None = None,
) -> list[float]:
    """Greedy (exploration off) returns.

    A deterministic grid world with a finite set of start states (Taxi-v4,
    CliffWalking-v1, PortalRescue-v0, FrozenLakeNotSlippery-v1) is evaluated
    from every start state: an exact figure, whatever ``episodes`` says. Other
    envs run ``episodes`` episodes seeded ``seed``, ``seed + 1``, ...

    An env with a :attr:`~rltui.envs.catalog.EnvEntry.min_eval_episodes` runs at
    least that many (Blackjack: a hand is mostly luck).

    With ``target``, gives up after the first few episodes when their mean is
    below it: a periodic check for the target costs little until it can pass
    (not where a few episodes say nothing: an env with a minimum).
    With ``exhaustive=False`` even a grid world runs ``episodes`` seeded
    episodes (a cheap look for a progress bar). Setting ``stop`` ends it early
    (with the returns so far).

    ``rltui eval``, ``train``'s evaluations and the app's greedy marks all come
    here, so their figures are comparable.
    """
    env = catalog.make_env(entry, render=False, kind=agent.kind)
    try:
        starts = enumerable_starts(env) if exhaustive else None
        if starts is not None:
            every: list[float] = []
            for s in starts:
                if stop is not None and stop.is_set():
                    break
                total, cut = _greedy_episode(agent, env, start=s, stop=stop)
                every.append(total)
                if target is not None and cut:
                    break  # a greedy policy that loops until the time limit has not solved it
            return every
        returns: list[float] = []
        precheck = target is not None and not entry.min_eval_episodes
        mark = target if target is not None else float("-inf")
        total = max(episodes, entry.min_eval_episodes)
        if isinstance(agent, BatchActor):
            # A network agent acts for several episodes with one forward pass: first the
            # pre-check's few, then the rest side by side.
            first = min(PRECHECK_EPISODES, total) if precheck else 0
            returns = _greedy_episodes(agent, entry, env, range(seed, seed + first), stop)
            if precheck and returns and statistics.fmean(returns) < mark:
                return returns
            return returns + _greedy_episodes(agent, entry, env, range(seed + first, seed + total), stop)
        for i in range(total):
            if precheck and i == PRECHECK_EPISODES and statistics.fmean(returns) < mark:
                break
            if stop is not None and stop.is_set():
                break
            returns.append(_greedy_episode(agent, env, seed=seed + i, stop=stop)[0])
        return returns
    finally:
        env.close()


SIDE_BY_SIDE = 16
"""Greedy episodes a network agent plays at once in an evaluation (one forward pass for all)."""


def _greedy_episodes(agent: Any, entry: EnvEntry, env: Any, seeds: range, stop: StopFlag | None) -> list[float]:
    """Greedy returns of the episodes seeded ``seeds``, :data:`SIDE_BY_SIDE` at a time, in seed
    order (as :func:`_greedy_episode` would give them one by one)."""
    returns: list[float] = []
    envs = [env]
    try:
        for wave in range(0, len(seeds), SIDE_BY_SIDE):
            wave_seeds = seeds[wave : wave + SIDE_BY_SIDE]
            while len(envs) < len(wave_seeds):
                envs.append(catalog.make_env(entry, render=False, kind=agent.kind))
            observations = [e.reset(seed=s)[0] for e, s in zip(envs, wave_seeds)]
            totals = [0.0] * len(wave_seeds)
            live = list(range(len(wave_seeds)))
            while live:
                if stop is not None and stop.is_set():
                    return returns  # the finished ones only: a cut episode says nothing
                actions = agent.act_greedy_batch([observations[i] for i in live])
                still = []
                for i, action in zip(live, actions):
                    obs, reward, terminated, truncated, _ = envs[i].step(action)
                    totals[i] += float(reward)
                    observations[i] = obs
                    if not (terminated or truncated):
                        still.append(i)
                live = still
            returns.extend(totals)
        return returns
    finally:
        for extra in envs[1:]:
            extra.close()


PRECHECK_EPISODES = 3


def start_states(entry: EnvEntry) -> int | None:
    """How many start states a deterministic grid world is evaluated from, or None for an env
    evaluated over seeded episodes."""
    env = catalog.make_env(entry, render=False)
    try:
        starts = enumerable_starts(env)
    finally:
        env.close()
    return None if starts is None else len(starts)


def enumerable_starts(env: Any) -> list[int] | None:
    """Every start state of a deterministic toy-text env, or None for any other env."""
    isd = adapters.start_distribution(env)
    if adapters.model(env) is None or isd is None or adapters.stochastic(env):
        return None
    return [i for i, p in enumerate(isd) if p > 0]


def _greedy_episode(
    agent: Any, env: Any, seed: int | None = None, start: int | None = None, stop: StopFlag | None = None
) -> tuple[float, bool]:
    """One greedy episode: (return, whether the time limit cut it)."""
    obs, _ = env.reset(seed=seed)
    if start is not None:
        adapters.set_toy_state(env, start)
        obs = start
    total, terminated, truncated = 0.0, False, False
    while not (terminated or truncated):
        obs, reward, terminated, truncated, _ = env.step(agent.act(obs, False))
        total += float(reward)
        if stop is not None and stop.is_set():
            break
    return total, bool(truncated and not terminated)


def eval_schedule(steps: int | None, target: float | None, min_eval_episodes: int = 0) -> dict[str, int]:
    """How often to evaluate greedily: often enough to stop soon after a target is met,
    rarely enough that evaluation stays a small share of the run (an env whose evaluations
    run at least ``min_eval_episodes`` episodes, Blackjack's 10,000 hands, evaluates at most
    once per three times that many steps)."""
    budget = steps or 100_000
    floor = max(1_000, 3 * min_eval_episodes)
    if target is not None:
        return {"eval_every": max(floor, budget // 50), "eval_episodes": 20}
    return {"eval_every": max(floor, budget // 10), "eval_episodes": 10}  # and the best is kept
