"""MiniGrid's catalog entries: a curated set, and an entry for any other registered
``MiniGrid-*`` id (with the ``minigrid`` extra)."""

from __future__ import annotations

from typing import Any

from rltui.envs.catalog.entry import GRID, EnvEntry, keys

GROUP = "MiniGrid"
PREFIX = "MiniGrid-"
ACTION_NAMES = ("Turn left", "Turn right", "Forward", "Pick up", "Drop", "Toggle", "Done")
# As MiniGrid's manual_control.py has them, where rltui's own keys leave room: space and tab
# are rltui's (pause, hand-off), so toggle is e and pick up p.
KEYS = keys(("left,a", 0), ("right,d", 1), ("up,w", 2), ("p,pageup", 3), ("x,pagedown", 4), ("e", 5), ("z", 6))
REQUIRES = "minigrid"
EXTRA = "minigrid"
"""rltui's optional extra that installs the package."""


def _scene(env: Any, done: bool = False) -> Any:
    from rltui.envs.minigrid import (
        scene,  # gymnasium and minigrid load with the env, not the catalog
    )

    return scene(env, done)


def _value_obs(env: Any) -> Any:
    from rltui.envs.minigrid import value_observations

    return value_observations(env)


DQN = {
    "hidden": (256, 256),
    "learning_rate": 5e-4,
    "batch_size": 128,
    "buffer_size": 200_000,
    "train_freq": 2,
    "target_update_interval": 1_000,
    "epsilon_decay_steps": 80_000,
    "epsilon_end": 0.05,
}
"""DQN from the partial view (148 small whole numbers): a wider network, learning slower and
more often than the kind's defaults, with a slowly moving target; exploration falls to 5%
over 80k steps (a random walk finds DoorKey-5x5's goal in 8% of its episodes)."""


PPO = {"n_envs": 8, "n_steps": 128, "batch_size": 64, "learning_rate": 2.5e-4, "entropy_coef": 0.01}
"""PPO from the partial view: rl-baselines3-zoo's MiniGrid settings (after rl-starter-files),
with a little entropy to keep exploring (the kind's own defaults scored 0 on DoorKey-5x5 at 100k
steps, seed 0)."""


def entry(
    env_id: str,
    description: str,
    tuned: dict | None = None,
    budgets: dict | None = None,
    solved_at: float | None = None,
) -> EnvEntry:
    return EnvEntry(
        id=env_id,
        group=GROUP,
        description=description,
        action_names=ACTION_NAMES,
        keys=KEYS,
        render=GRID,
        gamma=0.99,
        solved_at=solved_at,
        tuned={"dqn": DQN, "ppo": PPO, **(tuned or {"tabular": {"alpha": 0.5, "epsilon_decay_steps": 50_000}})},
        budgets=budgets or {"tabular": 200_000, "dqn": 200_000, "ppo": 200_000},
        scene=_scene,
        value_obs=_value_obs,
        requires=REQUIRES,
        extra=EXTRA,
    )


ENTRIES: tuple[EnvEntry, ...] = (
    entry(
        "MiniGrid-Empty-8x8-v0",
        "An empty room: get to the green goal square.",
        tuned={"tabular": {"alpha": 0.5, "epsilon_decay_steps": 20_000}},
        budgets={"tabular": 50_000, "dqn": 50_000, "ppo": 50_000},
        solved_at=0.9,
    ),
    entry(
        "MiniGrid-DoorKey-5x5-v0",
        "Pick up the key, unlock the door, reach the goal.",
        tuned={"tabular": {"alpha": 0.5, "epsilon_decay_steps": 100_000}},
        budgets={"tabular": 300_000, "dqn": 200_000, "ppo": 200_000},
        solved_at=0.9,
    ),
    entry("MiniGrid-FourRooms-v0", "Four rooms joined by gaps: find the goal somewhere in them."),
    entry("MiniGrid-LavaCrossingS9N1-v0", "Cross the river of lava through its one gap to the goal."),
    entry("MiniGrid-KeyCorridorS3R1-v0", "Find the key behind the rooms, unlock the door, pick up the ball."),
    entry("MiniGrid-MultiRoom-N2-S4-v0", "Open the doors from room to room up to the goal."),
)


def generic(env_id: str) -> EnvEntry:
    """Any other registered ``MiniGrid-*`` id: the same keys, scene and agents."""
    return entry(env_id, "A MiniGrid world (registered by the minigrid package).")
