"""The peer's side of "PPO against Stable-Baselines3": rl-baselines3-zoo's PPO recipe for an
env, trained until a greedy evaluation reaches the env's solved mark, the way ``rltui train``
stops (20 deterministic episodes every fiftieth of the budget).

Not part of rltui (it imports neither rltui nor anything rltui needs): run it with a Python
that has ``stable-baselines3`` and ``gymnasium[box2d]``, side by side with ``rltui train``::

    python rltui/bench/peer_sb3.py CartPole-v1 0

It prints one JSON line: the env, seed, steps trained, whether the mark was reached, the last
greedy mean, and the whole process's wall seconds (imports included, as ``rltui train``'s are).
"""

from __future__ import annotations

import json
import sys
import time

START = time.perf_counter()

# rl-baselines3-zoo's hyperparams/ppo.yml (LunarLander's entry is for -v2; the same here for -v3).
ZOO = {
    "CartPole-v1": dict(
        n_envs=8,
        n_timesteps=100_000,
        n_steps=32,
        batch_size=256,
        gae_lambda=0.8,
        gamma=0.98,
        n_epochs=20,
        ent_coef=0.0,
        learning_rate="lin_0.001",
        clip_range="lin_0.2",
    ),
    "Acrobot-v1": dict(
        normalize=True,
        n_envs=16,
        n_timesteps=1_000_000,
        n_steps=256,
        gae_lambda=0.94,
        gamma=0.99,
        n_epochs=4,
        ent_coef=0.0,
    ),
    "LunarLander-v3": dict(
        n_envs=16,
        n_timesteps=1_000_000,
        n_steps=1024,
        batch_size=64,
        gae_lambda=0.98,
        gamma=0.999,
        n_epochs=4,
        ent_coef=0.01,
    ),
}
SOLVED = {"CartPole-v1": 475.0, "Acrobot-v1": -100.0, "LunarLander-v3": 200.0}
"""rltui's solved marks (its catalog's ``solved_at``)."""
BUDGET = {"CartPole-v1": 100_000, "Acrobot-v1": 300_000, "LunarLander-v3": 1_000_000}
"""rltui's PPO budgets: evaluations come every fiftieth of it, as ``rltui train``'s do."""


def _schedule(value):
    if isinstance(value, str) and value.startswith("lin_"):
        start = float(value[4:])
        return lambda progress: progress * start
    return value


def main(env_id: str, seed: int) -> dict:
    import torch
    from stable_baselines3 import PPO
    from stable_baselines3.common.callbacks import EvalCallback, StopTrainingOnRewardThreshold
    from stable_baselines3.common.env_util import make_vec_env
    from stable_baselines3.common.vec_env import VecNormalize

    torch.set_num_threads(1)  # as rltui's agents run: one intra-op thread
    zoo = dict(ZOO[env_id])
    n_envs, steps = zoo.pop("n_envs"), zoo.pop("n_timesteps")
    normalize = zoo.pop("normalize", False)
    env = make_vec_env(env_id, n_envs=n_envs, seed=seed)
    eval_env = make_vec_env(env_id, n_envs=1, seed=seed + 10_000)
    if normalize:  # the zoo normalises observations and rewards; evaluation uses the same statistics
        env = VecNormalize(env, gamma=zoo["gamma"])
        eval_env = VecNormalize(eval_env, gamma=zoo["gamma"], training=False, norm_reward=False)
    for key in ("learning_rate", "clip_range"):
        if key in zoo:
            zoo[key] = _schedule(zoo[key])
    model = PPO("MlpPolicy", env, seed=seed, verbose=0, **zoo)
    stop = StopTrainingOnRewardThreshold(reward_threshold=SOLVED[env_id], verbose=0)
    every = max(1, BUDGET[env_id] // 50 // n_envs)

    class SyncedEval(EvalCallback):
        def _on_step(self) -> bool:
            if normalize and self.n_calls % self.eval_freq == 0:
                eval_env.obs_rms = env.obs_rms  # the training statistics, as the zoo's eval does
            return super()._on_step()

    evaluate = SyncedEval(
        eval_env, callback_on_new_best=stop, n_eval_episodes=20, eval_freq=every, deterministic=True, verbose=0
    )
    model.learn(total_timesteps=steps, callback=evaluate)
    return {
        "env": env_id,
        "seed": seed,
        "steps": int(model.num_timesteps),
        "solved": bool(evaluate.best_mean_reward >= SOLVED[env_id]),
        "greedy": round(float(evaluate.last_mean_reward), 1),
        "wall_s": round(time.perf_counter() - START, 1),
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], int(sys.argv[2]))))
