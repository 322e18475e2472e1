"""A session owns one environment and the episode being played in it.

A person's key and an agent's choice both go through :meth:`Session.step`, so
the panels, recording and learning never care who acted.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np

from agents.base import Transition
from rltui.envs import catalog
from rltui.envs.catalog import PIXELS, EnvEntry
from rltui.envs.scenes import PixelFrame, TextFrame
from rltui.returns import discounted_so_far, returns_to_go

HUMAN = "human"
AGENT = "agent"


class EpisodeOver(Exception):
    """Raised when stepping an episode that has ended; reset first."""


class Episode:
    """Bookkeeping for one episode: rewards, return and discounted return so far."""

    def __init__(self, gamma: float, seed: int | None = None) -> None:
        self.gamma = gamma
        self.seed = seed
        """The reset seed: with the actions, all it takes to play the episode again."""
        self.rewards: list[float] = []
        self.actions: list[Any] = []
        """Each step's action as taken: an index, or a continuous env's vector."""
        self.actors: list[str] = []
        self.return_ = 0.0
        self.discounted = 0.0
        self._weight = 1.0  # gamma ** t for the next reward
        self.terminated = False
        self.truncated = False

    @property
    def steps(self) -> int:
        return len(self.rewards)

    @property
    def done(self) -> bool:
        return self.terminated or self.truncated

    def add(self, transition: Transition) -> None:
        self.rewards.append(transition.reward)
        self.actions.append(transition.action)
        self.actors.append(transition.actor)
        self.return_ += transition.reward
        self.discounted += self._weight * transition.reward
        self._weight *= self.gamma
        self.terminated = transition.terminated
        self.truncated = transition.truncated

    def truncate(self, steps: int) -> None:
        """Forget everything after the first ``steps`` steps (branching from an earlier step)."""
        del self.rewards[steps:], self.actions[steps:], self.actors[steps:]
        self.return_ = sum(self.rewards)
        self.discounted = discounted_so_far(self.rewards, self.gamma)
        self._weight = self.gamma ** len(self.rewards)
        self.terminated = self.truncated = False

    def set_gamma(self, gamma: float) -> None:
        """Count the discounted return with another γ from now on, including the steps so far."""
        self.gamma = gamma
        self.discounted = discounted_so_far(self.rewards, gamma)
        self._weight = gamma ** len(self.rewards)

    def returns_to_go(self) -> list[float]:
        """``G_t`` for every step so far (the true values once the episode is done)."""
        return returns_to_go(self.rewards, self.gamma)


class Session:
    """One environment and the current episode.

    Args:
        entry: what to play (see :func:`rltui.envs.catalog.resolve`).
        seed: the first episode's reset seed; later episodes get seeds drawn from it
            (from the OS when None). Every episode knows its seed, so it can be replayed.
        render: whether to ask the env for frames (off for headless training).
        gamma: the discount; the entry's default when None.
        kind: the kind of agent that will play, where the env shows kinds different
            observations (:func:`rltui.envs.catalog.observation_for`); see :meth:`observe_as`.
    """

    def __init__(
        self,
        entry: EnvEntry,
        seed: int | None = None,
        render: bool = True,
        gamma: float | None = None,
        kind: str | None = None,
    ) -> None:
        self.entry = entry
        self.gamma = entry.gamma if gamma is None else gamma
        self.env = catalog.make_env(entry, render=render, kind=kind)
        self.render = render
        self.episodes_finished = 0
        self.total_steps = 0
        self.last: Transition | None = None
        self.obs: Any = None
        self.episode = Episode(self.gamma)
        self.seed = seed
        """The first episode's seed (None: drawn from the OS); an agent made here is seeded with it."""
        self._seeds = random.Random(seed)
        self.reset(seed=seed)

    @property
    def n_actions(self) -> int:
        """Named actions: a discrete env's actions, or a continuous env's keyed vectors."""
        return self.entry.n_actions if self.entry.continuous else int(self.env.action_space.n)

    @property
    def continuous(self) -> bool:
        """The env's actions are vectors; an int still takes a named one."""
        return self.entry.continuous

    def set_gamma(self, gamma: float) -> None:
        """Use another discount (an agent's own) for this episode and the ones after it."""
        self.gamma = gamma
        self.episode.set_gamma(gamma)

    def observe_as(self, kind: str | None) -> bool:
        """Show an agent of ``kind`` what it sees of the env from now on (MiniGrid: a network
        agent its partial view, a tabular one its state); whether that changed anything, in
        which case the current observation is made again and the last transition forgotten
        (it was seen the other way)."""
        changed, obs = catalog.observe_as(self.env, kind)
        if not changed:
            return False
        self.obs = obs
        self.last = None
        return True

    def reset(self, seed: int | None = None) -> Any:
        """Start a new episode (seeded ``seed``, else the next drawn seed); returns the first observation."""
        if seed is None:
            seed = self._seeds.getrandbits(31)
        self.obs, _info = self.env.reset(seed=seed)
        self.episode = Episode(self.gamma, seed)
        self.last = None
        return self.obs

    def step(self, action: Any, actor: str = HUMAN) -> Transition:
        """Take ``action`` in the current episode: an action's index, or for a continuous env
        a vector (clipped to the env's bounds; the transition keeps it as given).

        Raises:
            EpisodeOver: the episode has ended; call :meth:`reset`.
            ValueError: ``action`` is not one of the env's actions.
        """
        if self.episode.done:
            raise EpisodeOver("The episode is over; reset to start a new one.")
        action = self.check_action(action)
        next_obs, reward, terminated, truncated, info = self.env.step(action)
        transition = Transition(
            obs=self.obs,
            action=action,
            reward=float(reward),
            next_obs=next_obs,
            terminated=bool(terminated),
            truncated=bool(truncated),
            t=self.episode.steps,
            actor=actor,
            info=info,
        )
        self.obs = next_obs
        self.episode.add(transition)
        self.total_steps += 1
        self.last = transition
        if transition.done:
            self.episodes_finished += 1
        return transition

    def check_action(self, action: Any) -> Any:
        """``action`` as the env takes it: an int in range, or a finite float32 vector.

        Raises:
            ValueError: neither.
        """
        if isinstance(action, (int, np.integer)) or not self.continuous:
            action = int(action)
            if not 0 <= action < self.n_actions:
                raise ValueError(f"Action {action} is not in 0..{self.n_actions - 1}.")
            return action
        vector = np.asarray(action, dtype=np.float32).reshape(-1)
        size = int(np.prod(self.env.action_space.shape))
        if vector.size != size or not np.isfinite(vector).all():
            raise ValueError(f"A continuous action here is {size} finite numbers.")
        return vector

    def action_vector(self, action: Any) -> np.ndarray:
        """The vector the env takes for ``action`` (a continuous env: its ``NamedActions``
        wrapper, outermost, maps a named action's index and clips a vector)."""
        return self.env.action(action)

    def scene(self) -> Any:
        """What the env looks like now: a GridScene, CardsScene, PixelFrame or TextFrame."""
        if self.entry.scene is not None:
            return self.entry.scene(self.env, self.episode.done)
        if not self.render:
            return TextFrame("")
        frame = self.env.render()
        if self.entry.render == PIXELS and frame is not None:
            return PixelFrame(frame)
        return TextFrame(frame if isinstance(frame, str) else "")

    def close(self) -> None:
        self.env.close()
