"""Collecting experience for ``train``: one env stepped by the agent, or several side by side.

A collector's ``step()`` returns (steps taken, (return, length) of each episode that ended, the
loss if the agent reported one); ``log`` (a :class:`rltui.formats.tensorboard.RunLog`) hears each
step's TD error.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from agents.base import Transition
from rltui.envs import catalog
from rltui.envs.catalog import EnvEntry


def collector_for(agent: Any, entry: EnvEntry, n_envs: int, seed: int | None) -> Any:
    """:class:`Many` for an agent set to several envs, else :class:`One`."""
    return Many(agent, entry, n_envs, seed) if n_envs > 1 else One(agent, entry, seed)


class One:
    """Steps one env: the agent acts, the env answers, the agent learns."""

    def __init__(self, agent: Any, entry: EnvEntry, seed: int | None) -> None:
        self.env = catalog.make_env(entry, render=False, kind=agent.kind)
        self.act, self.observe = agent.act, agent.observe
        self.obs, _ = self.env.reset(seed=seed)
        self.episode_return = 0.0
        self.episode_length = 0
        self.log: Any = None

    def step(self) -> tuple[int, list[tuple[float, int]], float | None]:
        """(steps taken, (return, length) of the episodes that ended, the loss if the agent
        reported one)."""
        obs = self.obs
        action = self.act(obs, True)
        next_obs, reward, terminated, truncated, _ = self.env.step(action)
        metrics = self.observe(Transition(obs, action, float(reward), next_obs, terminated, truncated))
        if self.log is not None:
            self.log.td(metrics.get("td_error"))
        self.episode_return += reward
        self.episode_length += 1
        finished = []
        if terminated or truncated:
            finished.append((float(self.episode_return), self.episode_length))
            self.episode_return, self.episode_length = 0.0, 0
            self.obs, _ = self.env.reset()
        else:
            self.obs = next_obs
        return 1, finished, metrics.get("loss")

    def close(self) -> None:
        self.env.close()


class Many:
    """Steps ``n`` envs side by side (Gymnasium's sync vector env, next-step autoreset): one
    batched action for all, each env's step learned from separately. The step after an env's
    episode ended is its reset, not a transition: it is skipped, so no transition ever joins
    the end of one episode to the start of the next."""

    def __init__(self, agent: Any, entry: EnvEntry, n: int, seed: int | None = None) -> None:
        from gymnasium.vector import AutoresetMode, SyncVectorEnv

        self.agent = agent
        kind = agent.kind
        self.envs = SyncVectorEnv(
            [lambda: catalog.make_env(entry, render=False, kind=kind) for _ in range(n)],
            autoreset_mode=AutoresetMode.NEXT_STEP,
        )
        self.obs, _ = self.envs.reset(seed=seed)
        self.returns = np.zeros(n)
        self.lengths = np.zeros(n, dtype=np.int64)
        self.resetting = np.zeros(n, dtype=bool)
        self.log: Any = None

    def step(self) -> tuple[int, list[tuple[float, int]], float | None]:
        actions = self.agent.act_batch(self.obs)
        next_obs, rewards, terminated, truncated, _ = self.envs.step(actions)
        taken, finished = 0, []
        for i in np.flatnonzero(~self.resetting):
            self.agent.observe_batch(
                int(i),
                Transition(
                    self.obs[i], actions[i], float(rewards[i]), next_obs[i], bool(terminated[i]), bool(truncated[i])
                ),
            )
            taken += 1
            self.returns[i] += rewards[i]
            self.lengths[i] += 1
            if terminated[i] or truncated[i]:
                finished.append((float(self.returns[i]), int(self.lengths[i])))
                self.returns[i], self.lengths[i] = 0.0, 0
        self.resetting = terminated | truncated
        self.obs = next_obs
        return taken, finished, None

    def close(self) -> None:
        self.envs.close()
