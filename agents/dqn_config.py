"""DQN's settings: what ``--set`` may turn, with their ranges, and the defaults."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from agents import nets
from agents.base import PROBABILITY, STEPS, Limit

DQN_KIND = "dqn"


@dataclass(frozen=True)
class DQNConfig:
    """Hyperparameters of DQN. The defaults (with CartPole's learning rate of 2e-3) solve
    CartPole-v1, Acrobot-v1 and Pendulum-v1 in under 50k steps; a small network updated
    every fourth step is what makes that fast (see the README's Benchmarks)."""

    learning_rate: float = 1e-3
    """Adam step size."""
    gamma: float = 0.99
    """Discount factor."""
    buffer_size: int = 50_000
    """Transitions the replay buffer holds (preallocated)."""
    batch_size: int = 64
    """Transitions per gradient step."""
    learning_starts: int = 500
    """Random warm-up steps before the first update."""
    train_freq: int = 4
    """Environment steps between updates."""
    gradient_steps: int = 1
    """Gradient steps per update."""
    target_update_interval: int = 250
    """Environment steps between hard copies of the Q-network into the target network."""
    tau: float = 1.0
    """Target update rate: 1.0 copies every ``target_update_interval``; below 1,
    a soft update ``θ' ← τθ + (1-τ)θ'`` after every gradient step."""
    epsilon_start: float = 1.0
    """Exploration rate at step 0."""
    epsilon_end: float = 0.01
    """Exploration rate after the decay."""
    epsilon_decay_steps: int = 5_000
    """Steps over which epsilon falls linearly."""
    explore_repeat: int = 1
    """An exploring move (warm-up or ε) holds its random action for this many steps
    (temporally-extended ε-greedy, as Dabney et al.'s εz-greedy with a fixed duration): a
    push held for a while carries MountainCar's car up a slope, where a push re-drawn every
    step jitters in place. 1: classic ε-greedy."""
    double_dqn: bool = True
    """Pick a' with the Q-network, value it with the target network."""
    loss: str = "huber"
    """``huber`` (smooth L1) or ``mse``."""
    max_grad_norm: float = 10.0
    """Clip the gradient's global norm to this (0: no clipping)."""
    hidden: tuple[int, ...] = (64, 64)
    """Hidden layer sizes of the Q-network (for frames: the fully connected layers after the
    convolutions, 512 in the Nature DQN)."""
    clip_reward: bool = False
    """Learn from the reward's sign (-1, 0 or +1), as DQN did on Atari, so one network and
    learning rate fit every game; the panels and returns still show the game's own rewards."""
    device: str = "cpu"
    """``cpu`` or ``cuda``."""
    n_envs: int = 1
    """Envs stepped side by side in ``train`` (Gymnasium's sync vector env): one batched
    forward pass acts for all; every env's step goes into the one replay buffer."""

    KINDS: ClassVar[tuple[str, ...]] = ("dqn",)
    LIMITS: ClassVar[dict[str, Limit]] = {
        "learning_rate": Limit(0.0, 1.0, low_open=True),
        "gamma": PROBABILITY,
        "buffer_size": Limit(1, 10_000_000),
        "batch_size": Limit(1, 65_536),
        "learning_starts": STEPS,
        "train_freq": Limit(1, 1_000_000),
        "gradient_steps": Limit(1, 1_000),
        "target_update_interval": Limit(1, 10**9),
        "tau": Limit(0.0, 1.0, low_open=True),
        "epsilon_start": PROBABILITY,
        "epsilon_end": PROBABILITY,
        "epsilon_decay_steps": STEPS,
        "explore_repeat": Limit(1, 10_000),
        "loss": Limit(choices=("huber", "mse")),
        "max_grad_norm": Limit(0.0, 1e9),
        "hidden": Limit(1, 4_096, length=(1, 8)),
        "n_envs": Limit(1, 256),
    }

    def problems(self) -> list[str]:
        """Settings that must agree with each other (and a device this machine has)."""
        return nets.replay_problems(self)
