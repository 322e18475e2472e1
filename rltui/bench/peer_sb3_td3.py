"""The peer's side of "TD3 and DDPG against Stable-Baselines3": SB3's TD3 or DDPG on an env,
trained until a greedy evaluation reaches the env's solved mark, the way ``rltui train`` stops
(20 deterministic episodes every 1,000 steps for Pendulum's 20k budget).

Not part of rltui (it imports neither rltui nor anything rltui needs): run it with a Python that
has ``stable-baselines3``, side by side with ``rltui train``::

    python rltui/bench/peer_sb3_td3.py td3 Pendulum-v1 0 equal   # rltui's Pendulum defaults
    python rltui/bench/peer_sb3_td3.py ddpg Pendulum-v1 0 zoo    # rl-baselines3-zoo's recipe

It prints one JSON line: the kind, env, seed, settings, steps trained, whether the mark was
reached, the last greedy mean, and the whole process's wall seconds (imports included, as
``rltui train``'s are).
"""

from __future__ import annotations

import json
import sys
import time

START = time.perf_counter()

ZOO = {  # rl-baselines3-zoo's hyperparams/td3.yml and ddpg.yml (the same for both kinds)
    "Pendulum-v1": dict(
        n_timesteps=20_000,
        gamma=0.98,
        buffer_size=200_000,
        learning_starts=10_000,
        noise_std=0.1,
        gradient_steps=1,
        train_freq=1,
        learning_rate=1e-3,
        net_arch=[400, 300],
    )
}
EQUAL = {  # rltui's no-flag settings for these kinds on Pendulum (agents/ddpg.py, agents/td3.py, the catalog)
    "Pendulum-v1": dict(
        n_timesteps=20_000,
        gamma=0.98,
        buffer_size=300_000,
        learning_starts=100,
        batch_size=256,
        tau=0.005,
        noise_std=0.1,
        gradient_steps=1,
        train_freq=1,
        learning_rate=1e-3,
        net_arch=[64, 64],
    )
}
SOLVED = {"Pendulum-v1": -200.0}
"""rltui's solved marks (its catalog's ``solved_at``)."""
EVAL_EVERY = {"Pendulum-v1": 1_000}
"""Steps between greedy evaluations, as ``rltui train``'s schedule has them for its budget."""


def main(kind: str, env_id: str, seed: int, settings: str) -> dict:
    import numpy as np
    import torch
    from stable_baselines3 import DDPG, TD3
    from stable_baselines3.common.callbacks import EvalCallback, StopTrainingOnRewardThreshold
    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.noise import NormalActionNoise

    torch.set_num_threads(1)  # as rltui's agents run: one intra-op thread
    hp = dict((ZOO if settings == "zoo" else EQUAL)[env_id])
    steps, std, net_arch = hp.pop("n_timesteps"), hp.pop("noise_std"), hp.pop("net_arch")
    env = make_vec_env(env_id, n_envs=1, seed=seed)
    eval_env = make_vec_env(env_id, n_envs=1, seed=seed + 10_000)
    dim = env.action_space.shape[0]
    noise = NormalActionNoise(mean=np.zeros(dim), sigma=std * np.ones(dim))
    model = {"td3": TD3, "ddpg": DDPG}[kind](
        "MlpPolicy", env, seed=seed, verbose=0, action_noise=noise, policy_kwargs=dict(net_arch=net_arch), **hp
    )
    stop = StopTrainingOnRewardThreshold(reward_threshold=SOLVED[env_id], verbose=0)
    evaluate = EvalCallback(
        eval_env,
        callback_on_new_best=stop,
        n_eval_episodes=20,
        eval_freq=EVAL_EVERY[env_id],
        deterministic=True,
        verbose=0,
    )
    model.learn(total_timesteps=steps, callback=evaluate)
    return {
        "side": "sb3",
        "kind": kind,
        "env": env_id,
        "seed": seed,
        "settings": settings,
        "steps": int(model.num_timesteps),
        "solved": bool(evaluate.best_mean_reward >= SOLVED[env_id]),
        "greedy": round(float(evaluate.last_mean_reward), 1),
        "wall_s": round(time.perf_counter() - START, 1),
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])))
