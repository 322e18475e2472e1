"""``rltui bench atari``: what learning Pong from pixels costs on this machine.

Figures: the env's steps/s alone and with the agent's frame preprocessing, DQN's training
steps/s with the Atari defaults once learning has begun, the time of one update, and the
replay's memory per transition and per million transitions (against what two float stacks
per transition, or two uint8 stacks, would take).
"""

from __future__ import annotations

import time
from typing import Any

from rltui.bench.common import machine

ENV = "ALE/Pong-v5"


def _say(verbose: bool, text: str) -> None:
    if verbose:
        print(text, flush=True)


def bench_atari(seconds: float = 5.0, verbose: bool = True, **_: Any) -> dict[str, Any]:
    import numpy as np

    from agents.base import Transition
    from agents.replay import FrameReplay
    from rltui.envs import catalog
    from rltui.envs.atari import frames_of
    from rltui.training.agent_factory import make_agent_for

    entry = catalog.resolve(ENV)
    out: dict[str, Any] = {"bench": "atari", "env": ENV, **machine()}
    env = catalog.make_env(entry, render=False)
    wrapper = frames_of(env)
    assert wrapper is not None
    rng = np.random.default_rng(0)

    def env_rate(step: Any) -> float:
        env.reset(seed=0)
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / 2:
            if any(step(int(rng.integers(6)))[2:4]):
                env.reset()
            n += 1
        return n / (time.perf_counter() - start)

    out["env_steps_per_s"] = round(env_rate(wrapper.env.step))
    out["env_with_frames_steps_per_s"] = round(env_rate(env.step))
    _say(
        verbose,
        f"{ENV}: {out['env_steps_per_s']:,} steps/s alone, "
        f"{out['env_with_frames_steps_per_s']:,} with the agent's 84x84 frames",
    )

    warm = 1_000
    agent = make_agent_for(entry, "dqn", {"learning_starts": str(warm)}, seed=0, env=env)
    obs, _ = env.reset(seed=0)
    steps = updates = 0
    start = None
    while start is None or time.perf_counter() - start < seconds * 4:
        if steps == warm:
            start, updates = time.perf_counter(), agent.updates
        action = agent.act(obs, True)
        nxt, reward, terminated, truncated, _ = env.step(action)
        agent.observe(Transition(obs, action, float(reward), nxt, terminated, truncated))
        obs = env.reset()[0] if terminated or truncated else nxt
        steps += 1
    wall = time.perf_counter() - start
    out["dqn_train_steps_per_s"] = round((steps - warm) / wall, 1)
    out["dqn_updates_per_s"] = round((agent.updates - updates) / wall, 1)
    n = 10
    begin = time.perf_counter()
    for _ in range(n):
        agent.update()
    out["dqn_update_ms"] = round((time.perf_counter() - begin) / n * 1000, 1)
    budget = entry.budget_for("dqn")
    out["dqn_budget_steps"] = budget
    out["dqn_budget_hours"] = round(budget / out["dqn_train_steps_per_s"] / 3600, 1)
    _say(
        verbose,
        f"DQN (Nature CNN, a batch of 32 every 4th step): {out['dqn_train_steps_per_s']} "
        f"steps/s, {out['dqn_update_ms']} ms an update; its {budget:,}-step budget: "
        f"{out['dqn_budget_hours']} hours",
    )

    shape = wrapper.observation_space.shape
    per = FrameReplay.bytes_per_slot(shape)
    out["replay_bytes_per_transition"] = per
    out["replay_gb_per_million"] = round(per * 1e6 / 1e9, 2)
    out["two_uint8_stacks_gb_per_million"] = round(2 * int(np.prod(shape)) * 1e6 / 1e9, 1)
    out["two_float32_stacks_gb_per_million"] = round(2 * 4 * int(np.prod(shape)) * 1e6 / 1e9, 1)
    _say(
        verbose,
        f"Replay: {per:,} bytes a transition, {out['replay_gb_per_million']} GB a million "
        f"(two uint8 stacks: {out['two_uint8_stacks_gb_per_million']} GB; two float32 "
        f"stacks: {out['two_float32_stacks_gb_per_million']} GB)",
    )
    env.close()
    return out
