"""``rltui bench tabular`` and ``rltui bench dqn``: do the default agents solve, and how fast."""

from __future__ import annotations

import random
import statistics
import time
from typing import Any

from rltui.bench.common import busy, machine


def _say(verbose: bool, text: str) -> None:
    if verbose:
        print(text, flush=True)


def raw_step_rate(env_id: str, steps: int = 200_000, seed: int = 0) -> float:
    """Steps/s of the env alone (same wrappers as training), random actions."""
    from rltui.envs import catalog

    env = catalog.make_env(catalog.resolve(env_id), render=False)
    rng = random.Random(seed)
    n = int(env.action_space.n)
    env.reset(seed=seed)
    start = time.perf_counter()
    for _ in range(steps):
        _, _, terminated, truncated, _ = env.step(rng.randrange(n))
        if terminated or truncated:
            env.reset()
    rate = steps / (time.perf_counter() - start)
    env.close()
    return rate


def _train_default(env_id: str, kind: str, seed: int, before: Any = None, **train_args: Any) -> tuple[Any, Any, float]:
    """Train with the catalog defaults; returns (agent, result, wall seconds incl. set-up).
    ``before(agent, entry)`` runs between making the agent and training it."""
    from rltui.envs import catalog
    from rltui.training.agent_factory import make_agent_for
    from rltui.training.loop import train

    start = time.perf_counter()
    entry = catalog.resolve(env_id)
    agent = make_agent_for(entry, kind, seed=seed)
    if before is not None:
        before(agent, entry)
    train_args.setdefault("steps", entry.budget_for(kind))
    train_args.setdefault("eval_every", 10**12)
    result = train(agent, entry, seed=seed, **train_args)
    return agent, result, time.perf_counter() - start


def bench_tabular(verbose: bool = True, **_: Any) -> dict[str, Any]:
    """Taxi speed and quality, the lakes, the cliff, and value iteration's optima."""
    from agents.value_iteration import q_star
    from rltui.envs import adapters, catalog
    from rltui.training.evaluation import evaluate

    out: dict[str, Any] = {"bench": "tabular"}
    raw = raw_step_rate("Taxi-v4")
    out["taxi_raw_env_steps_per_s"] = round(raw)
    _say(verbose, f"Taxi-v4 raw env: {raw:,.0f} steps/s")
    taxi = []
    for seed in range(5):
        _, result, wall = _train_default("Taxi-v4", "q-learning", seed)
        sps = result.steps / result.seconds
        taxi.append(
            {
                "seed": seed,
                "wall_s": round(wall, 2),
                "greedy_mean_all_300_starts": round(result.eval_return_mean, 4),
                "train_steps_per_s": round(sps),
                "ratio_to_raw": round(sps / raw, 3),
            }
        )
        _say(verbose, f"Taxi-v4 q-learning seed {seed}: {taxi[-1]}")
    out["taxi_q_learning"] = taxi
    out["taxi_solved_seeds"] = sum(t["greedy_mean_all_300_starts"] >= 7.9 for t in taxi)
    out["taxi_wall_s_max"] = max(t["wall_s"] for t in taxi)
    out["taxi_ratio_min"] = min(t["ratio_to_raw"] for t in taxi)

    for env_id, episodes in (("FrozenLake-v1", 2000), ("FrozenLake8x8-v1", 2000)):
        agent, result, wall = _train_default(env_id, "q-learning", 0, final_eval_episodes=1)
        success = statistics.fmean(evaluate(agent, catalog.resolve(env_id), episodes))
        key = env_id.split("-")[0].lower()
        out[f"{key}_q_learning_success"] = round(success, 4)
        out[f"{key}_q_learning_wall_s"] = round(wall, 2)
        _say(verbose, f"{env_id} q-learning: success {success:.3f} over {episodes} episodes, {wall:.1f}s")

    _, result, wall = _train_default("CliffWalking-v1", "q-learning", 0)
    out["cliff_q_learning_greedy_return"] = result.eval_return_mean
    out["cliff_q_learning_wall_s"] = round(wall, 2)
    _say(verbose, f"CliffWalking-v1 q-learning: greedy return {result.eval_return_mean}")

    optima = {}
    for env_id, gamma in (
        ("Taxi-v4", 1.0),
        ("CliffWalking-v1", 1.0),
        ("FrozenLake-v1", 1.0),
        ("FrozenLake-v1", 0.99),
        ("PortalRescue-v0", 1.0),
    ):
        env = catalog.make_env(catalog.resolve(env_id), render=False)
        q, sweeps = q_star(adapters.model(env), gamma)
        isd = adapters.start_distribution(env)
        optima[f"{env_id} gamma={gamma:g}"] = round(float((isd * q.max(axis=1)).sum()), 4)
        env.close()
    out["value_iteration_v_star_mean_over_starts"] = optima
    _say(verbose, f"value iteration V*: {optima}")
    return {**out, **machine()}


def bench_dqn(seeds: int = 5, verbose: bool = True, **_: Any) -> dict[str, Any]:
    """CartPole-v1 DQN with the defaults: solved within 50k steps per seed, and where time goes."""
    out: dict[str, Any] = {"bench": "dqn", "env": "CartPole-v1", "budget_steps": 50_000}
    runs = []
    for seed in range(seeds):
        _, result, wall = _train_default(
            "CartPole-v1",
            "dqn",
            seed,
            steps=50_000,
            target_return=475.0,
            eval_every=1_000,
            eval_episodes=20,
            final_eval_episodes=20,
        )
        runs.append(
            {
                "seed": seed,
                "solved": result.eval_return_mean >= 475.0,
                "steps": result.steps,
                "wall_s": round(wall, 2),
                "greedy_mean_20": round(result.eval_return_mean, 1),
            }
        )
        _say(verbose, f"CartPole-v1 dqn seed {seed}: {runs[-1]}")
    out["runs"] = runs
    out["solved_seeds"] = sum(r["solved"] for r in runs)
    out["median_wall_s"] = round(statistics.median(r["wall_s"] for r in runs), 2)
    out["time_split"] = time_split()
    _say(verbose, f"where the time goes (10k steps): {out['time_split']}")
    out["under_load"] = under_load(verbose=verbose)
    return {**out, **machine()}


def under_load(steps: int = 6_000, rounds: int = 2, verbose: bool = True) -> dict[str, Any]:
    """The same CartPole DQN run (``steps`` steps, seed 0) with the machine idle and with one
    other busy process, alternating: what a user's busy machine costs. Torch's default thread
    pool made this 20x slower; with one thread it should stay within 2x."""
    import os

    from agents.torch_setup import thread_count

    idle: list[float] = []
    loaded: list[float] = []
    for r in range(rounds):
        for runs, competing in ((idle, 0), (loaded, 1)):
            with busy(competing):
                _, result, _ = _train_default("CartPole-v1", "dqn", 0, steps=steps, final_eval_episodes=1)
            runs.append(result.seconds)
            _say(
                verbose,
                f"round {r + 1}: {steps:,} DQN steps with {competing} busy process(es) "
                f"on {os.cpu_count()} cores: {result.seconds:.2f} s",
            )
    out = {
        "steps": steps,
        "torch_threads": thread_count(),
        "idle_s": [round(x, 2) for x in idle],
        "busy_s": [round(x, 2) for x in loaded],
        "slowdown": round(statistics.median(loaded) / statistics.median(idle), 2),
    }
    _say(verbose, f"under load: {out}")
    return out


def time_split(steps: int = 10_000, seed: int = 0) -> dict[str, float]:
    """Seconds per part of DQN training on CartPole: env steps, action selection, learning."""
    from agents.base import Transition
    from rltui.envs import catalog
    from rltui.training.agent_factory import make_agent_for

    entry = catalog.resolve("CartPole-v1")
    env = catalog.make_env(entry, render=False, kind="dqn")
    agent = make_agent_for(entry, "dqn", seed=seed, env=env)
    obs, _ = env.reset(seed=seed)
    t_env = t_act = t_learn = 0.0
    clock = time.perf_counter
    for _ in range(steps):
        t0 = clock()
        action = agent.act(obs, True)
        t1 = clock()
        next_obs, reward, terminated, truncated, _ = env.step(action)
        t2 = clock()
        agent.observe(Transition(obs, action, float(reward), next_obs, terminated, truncated))
        t3 = clock()
        t_act += t1 - t0
        t_env += t2 - t1
        t_learn += t3 - t2
        obs = env.reset()[0] if terminated or truncated else next_obs
    env.close()
    total = t_env + t_act + t_learn
    return {
        "steps": steps,
        "env_s": round(t_env, 3),
        "act_s": round(t_act, 3),
        "learn_s": round(t_learn, 3),
        "gradient_steps": agent.updates,
        "ms_per_gradient_step": round(1000 * t_learn / max(agent.updates, 1), 3),
        "learn_share": round(t_learn / total, 3),
    }
