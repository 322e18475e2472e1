"""The peer's side of "TRPO against sb3-contrib": sb3-contrib's TRPO on an env, trained until a
greedy evaluation reaches the env's solved mark, the way ``rltui train`` stops (20
deterministic episodes every fiftieth of rltui's budget).

Not part of rltui (it imports neither rltui nor anything rltui needs): run it with a Python that
has ``sb3-contrib``, side by side with ``rltui train``::

    python rltui/bench/peer_sb3_trpo.py CartPole-v1 0 equal   # rltui's no-flag settings
    python rltui/bench/peer_sb3_trpo.py CartPole-v1 0 zoo     # rl-baselines3-zoo's recipe

It prints one JSON line: the env, seed, settings, steps trained, whether the mark was reached,
the last greedy mean, and the whole process's wall seconds (imports included, as ``rltui
train``'s are).
"""

from __future__ import annotations

import json
import sys
import time

START = time.perf_counter()

ZOO = {  # rl-baselines3-zoo's hyperparams/trpo.yml
    "CartPole-v1": dict(
        n_envs=2,
        n_timesteps=100_000,
        n_steps=512,
        batch_size=512,
        cg_damping=1e-3,
        gae_lambda=0.98,
        gamma=0.99,
        learning_rate=1e-3,
        n_critic_updates=20,
    ),
    "Pendulum-v1": dict(
        n_envs=2, n_timesteps=100_000, n_steps=1024, gamma=0.9, n_critic_updates=15, use_sde=True, sde_sample_freq=4
    ),
}
EQUAL = {  # rltui's no-flag TRPO settings (agents/trpo.py's defaults under the catalog's tuned ones)
    "CartPole-v1": dict(
        n_envs=1,
        n_timesteps=100_000,
        n_steps=1024,
        batch_size=128,
        cg_damping=0.1,
        cg_max_steps=15,
        gae_lambda=0.98,
        gamma=0.99,
        learning_rate=1e-3,
        n_critic_updates=20,
        target_kl=0.01,
    ),
    "Pendulum-v1": dict(
        n_envs=2,
        n_timesteps=200_000,
        n_steps=1024,
        batch_size=128,
        cg_damping=0.1,
        cg_max_steps=15,
        gae_lambda=0.95,
        gamma=0.9,
        learning_rate=1e-3,
        n_critic_updates=15,
        target_kl=0.01,
    ),
}
SOLVED = {"CartPole-v1": 475.0, "Pendulum-v1": -200.0}
"""rltui's solved marks (its catalog's ``solved_at``)."""
BUDGET = {"CartPole-v1": 100_000, "Pendulum-v1": 200_000}
"""rltui's TRPO budgets: evaluations come every fiftieth of it, as ``rltui train``'s do."""


def main(env_id: str, seed: int, settings: str) -> dict:
    import torch
    from sb3_contrib import TRPO
    from stable_baselines3.common.callbacks import EvalCallback, StopTrainingOnRewardThreshold
    from stable_baselines3.common.env_util import make_vec_env

    torch.set_num_threads(1)  # as rltui's agents run: one intra-op thread
    recipe = dict((ZOO if settings == "zoo" else EQUAL)[env_id])
    n_envs, steps = recipe.pop("n_envs"), recipe.pop("n_timesteps")
    env = make_vec_env(env_id, n_envs=n_envs, seed=seed)
    eval_env = make_vec_env(env_id, n_envs=1, seed=seed + 10_000)
    # sb3-contrib's MlpPolicy is rltui's networks already: 64x64 tanh, orthogonal initialisation.
    model = TRPO("MlpPolicy", env, seed=seed, verbose=0, **recipe)
    stop = StopTrainingOnRewardThreshold(reward_threshold=SOLVED[env_id], verbose=0)
    evaluate = EvalCallback(
        eval_env,
        callback_on_new_best=stop,
        n_eval_episodes=20,
        eval_freq=max(1, BUDGET[env_id] // 50 // n_envs),
        deterministic=True,
        verbose=0,
    )
    model.learn(total_timesteps=steps, callback=evaluate)
    return {
        "side": "sb3-contrib",
        "env": env_id,
        "seed": seed,
        "settings": settings,
        "steps": int(model.num_timesteps),
        "solved": bool(evaluate.best_mean_reward >= SOLVED[env_id]),
        "greedy": round(float(evaluate.last_mean_reward), 1),
        "wall_s": round(time.perf_counter() - START, 1),
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else "equal")))
