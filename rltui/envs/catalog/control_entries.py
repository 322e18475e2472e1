"""The catalog's classic-control and Box2D entries (CartPole, MountainCar, Acrobot, Pendulum,
LunarLander, BipedalWalker), in the order the launcher lists them; see
:mod:`rltui.envs.catalog.entries` for what an entry holds."""

from __future__ import annotations

from rltui.envs import valuemap
from rltui.envs.catalog.entry import PIXELS, EnvEntry, keys

_PENDULUM_TORQUES = ((-2.0,), (-1.0,), (0.0,), (1.0,), (2.0,))
# LunarLander's continuous actions: (main, lateral). Main fires above 0 (throttle 50-100%),
# a side engine below -0.5 (left) or above 0.5 (right).
_LANDER_VECTORS = ((-1.0, 0.0), (-1.0, -1.0), (1.0, 0.0), (-1.0, 1.0), (1.0, -1.0), (1.0, 1.0))
# BipedalWalker: torques of (hip 1, knee 1, hip 2, knee 2); a key drives one joint.
_WALKER_VECTORS = (
    (0.0, 0.0, 0.0, 0.0),
    (1.0, 0.0, 0.0, 0.0),
    (-1.0, 0.0, 0.0, 0.0),
    (0.0, 1.0, 0.0, 0.0),
    (0.0, -1.0, 0.0, 0.0),
    (0.0, 0.0, 1.0, 0.0),
    (0.0, 0.0, -1.0, 0.0),
    (0.0, 0.0, 0.0, 1.0),
    (0.0, 0.0, 0.0, -1.0),
    (1.0, -1.0, -1.0, 1.0),
    (-1.0, 1.0, 1.0, -1.0),
)

ENTRIES: tuple[EnvEntry, ...] = (
    EnvEntry(
        id="CartPole-v1",
        group="Classic control",
        description="Push the cart left or right to keep the pole upright.",
        action_names=("Push left", "Push right"),
        keys=keys(("left,a", 0), ("right,d", 1)),
        render=PIXELS,
        gamma=0.99,
        solved_at=475.0,
        tuned={
            "tabular": {
                "alpha": 0.1,
                "epsilon_end": 0.01,
                "epsilon_decay_steps": 300_000,
                "bins": 8,
                "low": (-2.4, -3.0, -0.21, -3.5),
                "high": (2.4, 3.0, 0.21, 3.5),
            },
            "dqn": {"learning_rate": 2e-3},
        },
        budgets={"tabular": 500_000, "dqn": 50_000, "ppo": 100_000, "reinforce": 500_000, "trpo": 100_000},
        # No "no push": left and right in turn are none on average, and the pole falls alone.
        realtime=True,
        rest_action=(0, 1),
    ),
    EnvEntry(
        id="MountainCar-v0",
        group="Classic control",
        description="Rock the underpowered car back and forth to reach the flag.",
        action_names=("Accelerate left", "Coast", "Accelerate right"),
        keys=keys(("left,a", 0), ("down,s", 1), ("right,d", 2)),
        render=PIXELS,
        gamma=0.99,
        solved_at=-110.0,  # Gymnasium's reward_threshold
        # Tile coding (8 tilings of 8x8) with optimistic zeros explores on its own: no ε needed.
        tuned={
            "tabular": {
                "coding": "tiles",
                "tilings": 8,
                "tiles": 8,
                "alpha": 0.5,
                "epsilon_start": 0.0,
                "epsilon_end": 0.0,
            },
            # Exploring moves hold their random push for 30 steps (18 of 100 random episodes
            # reach the flag so, none re-drawing every step); then DQN's own small network
            # updated every 4th step learns it, where rl-zoo's 256x256 with 8 gradient steps
            # of 128 every 16 steps re-drew its pushes and solved 3 of 5 seeds.
            "dqn": {
                "learning_rate": 4e-3,
                "epsilon_end": 0.005,
                "epsilon_decay_steps": 24_000,
                "buffer_size": 10_000,
                "learning_starts": 1_000,
                "explore_repeat": 30,
                "target_update_interval": 600,
            },
        },
        budgets={"tabular": 300_000, "dqn": 120_000},
        value_grid=valuemap.mountain_car_grid,
        realtime=True,
        rest_action=1,
    ),
    EnvEntry(
        id="Acrobot-v1",
        group="Classic control",
        description="Swing the two-link arm until its tip rises above the line.",
        action_names=("Torque -1", "No torque", "Torque +1"),
        keys=keys(("left,a", 0), ("down,s", 1), ("right,d", 2)),
        render=PIXELS,
        gamma=0.99,
        solved_at=-100.0,  # Gymnasium's reward_threshold
        tuned={
            "tabular": {
                "coding": "tiles",
                "tilings": 8,
                "tiles": 4,
                "alpha": 0.3,
                "epsilon_start": 0.0,
                "epsilon_end": 0.0,
            },
            "dqn": {"epsilon_decay_steps": 20_000},
            # rl-zoo's PPO rollout for Acrobot (16 envs of 256 steps, λ 0.94, 4 epochs; no
            # observation normalising): every seed solved in 18k-30k steps, against 12k-72k
            # and up to 14 s from one env of 256 (README, "PPO against Stable-Baselines3").
            "ppo": {"n_envs": 16, "n_steps": 256, "gae_lambda": 0.94, "n_epochs": 4},
            # rl-zoo's TRPO rollout for Acrobot (2 envs of 1024; no observation normalising):
            # seeds 0-1 solved at 24k and 60k steps.
            "trpo": {"n_envs": 2},
        },
        budgets={"tabular": 400_000, "dqn": 100_000, "ppo": 300_000, "reinforce": 500_000, "trpo": 300_000},
        realtime=True,
        rest_action=1,
    ),
    EnvEntry(
        id="Pendulum-v1",
        group="Classic control",
        description="Swing the pendulum up and hold it there (torque from -2 to 2).",
        action_names=("Torque -2", "Torque -1", "No torque", "Torque +1", "Torque +2"),
        keys=keys(("left,a", 0), ("z", 1), ("down,s", 2), ("x", 3), ("right,d", 4)),
        render=PIXELS,
        gamma=0.98,
        solved_at=-200.0,  # Gymnasium sets none; a swing-up held upright scores above it
        # Tile coding over (cos, sin, angular velocity); every step costs, so zeros explore.
        tuned={
            "tabular": {
                "coding": "tiles",
                "tilings": 8,
                "tiles": 8,
                "alpha": 0.3,
                "epsilon_start": 0.0,
                "epsilon_end": 0.0,
            },
            # An update every 8th step at twice the learning rate: as few steps to solve (14k-31k,
            # seeds 0-4) for half the updates of every 4th.
            "dqn": {"epsilon_decay_steps": 20_000, "train_freq": 8, "learning_rate": 2e-3},
            # rl-zoo's SAC for Pendulum (lr 1e-3) on a 64x64 network: as few steps to solve
            # as 256x256 (seeds 0-1: 4k and 3k both ways) at a fraction of the arithmetic;
            # and rl-zoo's PPO's short horizon (γ 0.9).
            "sac": {"learning_rate": 1e-3, "hidden": (64, 64)},
            # rl-zoo's TD3 and DDPG for Pendulum (lr 1e-3, Gaussian noise 0.1) on a 64x64 network
            # with 100 warm-up steps, not 10,000: seed 0 solved at 5k-7k steps either way, 3x faster.
            "td3": {"hidden": (64, 64)},
            "ddpg": {"hidden": (64, 64)},
            "ppo": {
                "gamma": 0.9,
                "n_steps": 1024,
                "n_envs": 4,
                "n_epochs": 10,
                "batch_size": 64,
                "gae_lambda": 0.95,
                "learning_rate": 1e-3,
            },
            # rl-zoo's TRPO for Pendulum (2 envs of 1024 steps, γ 0.9, 15 critic epochs) without
            # its gSDE exploration: seeds 0-4 solved at 56k-64k steps of the 200k budget.
            "trpo": {"gamma": 0.9, "n_steps": 1024, "n_envs": 2, "n_critic_updates": 15, "gae_lambda": 0.95},
        },
        budgets={
            "tabular": 500_000,
            "dqn": 50_000,
            "sac": 20_000,
            "td3": 20_000,
            "ddpg": 20_000,
            "ppo": 200_000,
            "trpo": 200_000,
        },
        action_vectors=_PENDULUM_TORQUES,
        action_dims=("torque",),
        realtime=True,
        rest_action=2,
        named_for_agents=True,
    ),
    EnvEntry(
        id="MountainCarContinuous-v0",
        group="Classic control",
        description="Rock the car up the hill with a continuous push; every push costs a little.",
        action_names=("Push left", "Coast", "Push right"),
        keys=keys(("left,a", 0), ("down,s", 1), ("right,d", 2)),
        render=PIXELS,
        gamma=0.99,
        solved_at=90.0,  # Gymnasium's reward_threshold
        # Exploration is the problem: a push re-drawn every step jitters in place, and every
        # push costs, so an agent settles for standing still. Ten thousand warm-up steps of
        # random pushes each held for 25 steps reach the flag in most episodes (19 of 20 in a
        # check), and the replay buffer keeps those. A small network, as rl-zoo's.
        # TD3 and DDPG: the same warm-up, and rl-zoo's Ornstein-Uhlenbeck noise of 0.5 after it.
        tuned={
            "sac": {"learning_starts": 10_000, "warmup_repeat": 25, "hidden": (64, 64)},
            "td3": {
                "learning_starts": 10_000,
                "warmup_repeat": 25,
                "hidden": (64, 64),
                "noise": "ou",
                "action_noise": 0.5,
            },
            "ddpg": {
                "learning_starts": 10_000,
                "warmup_repeat": 25,
                "hidden": (64, 64),
                "noise": "ou",
                "action_noise": 0.5,
            },
        },
        budgets={"sac": 50_000, "td3": 100_000, "ddpg": 100_000, "ppo": 200_000, "trpo": 200_000},
        value_grid=valuemap.mountain_car_grid,
        action_vectors=((-1.0,), (0.0,), (1.0,)),
        action_dims=("force",),
        realtime=True,
        rest_action=1,
    ),
    EnvEntry(
        id="LunarLander-v3",
        group="Classic control",
        description="Fire the engines to land softly between the flags.",
        action_names=("Do nothing", "Fire left engine", "Fire main engine", "Fire right engine"),
        keys=keys(("down,s", 0), ("left,a", 1), ("up,w", 2), ("right,d", 3)),
        render=PIXELS,
        gamma=0.99,
        solved_at=200.0,  # Gymnasium's reward_threshold
        # Eight dimensions: ten bins each would be 10^8 rows. Coarse tiles keep a table possible
        # (for watching one learn a little); DQN is the agent that lands.
        tuned={
            "tabular": {"coding": "tiles", "tilings": 4, "tiles": 3, "alpha": 0.1},
            "dqn": {
                "learning_rate": 6.3e-4,
                "epsilon_decay_steps": 12_000,
                "hidden": (256, 256),
                "buffer_size": 50_000,
                "target_update_interval": 250,
            },
            # rl-zoo's PPO for LunarLander, from one env instead of 16 (and the env's γ).
            "ppo": {"n_steps": 1024, "batch_size": 64, "gae_lambda": 0.98, "n_epochs": 4, "entropy_coef": 0.01},
            # rl-zoo's TRPO for LunarLander (2 envs of 512, damping 0.01, 15 critic epochs): seed 0
            # reached 200 late, at 960k of the 1M budget (the zoo's 200k is its own budget).
            "trpo": {"n_envs": 2, "n_steps": 512, "cg_damping": 0.01, "n_critic_updates": 15},
        },
        budgets={"dqn": 300_000, "ppo": 1_000_000, "reinforce": 1_000_000, "trpo": 1_000_000},
        requires="Box2D",
        extra="box2d",
        realtime=True,
    ),
    EnvEntry(
        id="LunarLanderContinuous-v3",
        group="Classic control",
        description="Land between the flags with throttled engines (main and sides, continuous).",
        action_names=(
            "Engines off",
            "Fire left engine",
            "Fire main engine",
            "Fire right engine",
            "Main + left",
            "Main + right",
        ),
        keys=keys(("down,s", 0), ("left,a", 1), ("up,w", 2), ("right,d", 3), ("z", 4), ("c", 5)),
        render=PIXELS,
        gamma=0.99,
        solved_at=200.0,  # Gymnasium's reward_threshold
        # rl-zoo's SAC for LunarLanderContinuous (without its 400x300 network).
        # rl-zoo's TD3 and DDPG for it (without their 400x300 networks).
        tuned={
            "sac": {"learning_rate": 7.3e-4, "tau": 0.01, "learning_starts": 10_000},
            "td3": {"gamma": 0.98, "buffer_size": 200_000, "learning_starts": 10_000},
            "ddpg": {"gamma": 0.98, "buffer_size": 200_000, "learning_starts": 10_000},
        },
        budgets={"sac": 300_000, "td3": 300_000, "ddpg": 300_000, "ppo": 1_000_000},
        requires="Box2D",
        extra="box2d",
        action_vectors=_LANDER_VECTORS,
        action_dims=("main", "lateral"),
        realtime=True,
    ),
    EnvEntry(
        id="BipedalWalker-v3",
        group="Classic control",
        description="Teach the two-legged walker to stand, then walk across rough ground.",
        action_names=(
            "Relax",
            "Hip 1 forward",
            "Hip 1 back",
            "Knee 1 bend",
            "Knee 1 stretch",
            "Hip 2 forward",
            "Hip 2 back",
            "Knee 2 bend",
            "Knee 2 stretch",
            "Stride 1",
            "Stride 2",
        ),
        # Left hand drives leg 1 (w/s hip, e/d knee), right hand leg 2 (u/j hip, i/k knee).
        keys=keys(
            ("down,x", 0),
            ("w", 1),
            ("s", 2),
            ("e", 3),
            ("d", 4),
            ("u", 5),
            ("j", 6),
            ("i", 7),
            ("k", 8),
            ("left", 9),
            ("right", 10),
        ),
        render=PIXELS,
        gamma=0.99,
        solved_at=300.0,  # Gymnasium's reward_threshold
        # rl-zoo's SAC for BipedalWalker (without its gSDE exploration and 400x300 network).
        # rl-zoo's TD3 and DDPG for it (without their 400x300 networks).
        tuned={
            "sac": {"learning_rate": 7.3e-4, "gamma": 0.98, "tau": 0.02, "learning_starts": 10_000},
            "td3": {"gamma": 0.98, "buffer_size": 200_000, "learning_starts": 10_000},
            "ddpg": {"gamma": 0.98, "buffer_size": 200_000, "learning_starts": 10_000},
        },
        budgets={"sac": 300_000, "td3": 1_000_000, "ddpg": 1_000_000, "ppo": 2_000_000},
        requires="Box2D",
        extra="box2d",
        action_vectors=_WALKER_VECTORS,
        action_dims=("hip 1", "knee 1", "hip 2", "knee 2"),
        realtime=True,
    ),
)
