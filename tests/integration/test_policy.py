"""REINFORCE and PPO: the maths on hand-computed numbers, rollouts, saves, bad settings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from agents.base import Transition
from agents.persistence import load_agent, save_agent
from agents.policy import gae
from agents.ppo import PPOAgent, PPOConfig, clipped_surrogate
from agents.reinforce import ReinforceAgent, ReinforceConfig
from rltui.envs import catalog
from rltui.training.agent_factory import make_agent_for
from rltui.training.loop import train

BOX = {"type": "Box", "shape": [2], "low": [-1.0, -1.0], "high": [1.0, 1.0]}


def test_gae_by_hand_with_a_truncation_and_a_true_end() -> None:
    # Step 1 is cut by a time limit (bootstraps from V(s')=4), step 2 truly ends (V=0).
    rewards = np.array([1.0, 2.0, 3.0])
    values = np.array([0.5, 1.0, 2.0])
    next_values = np.array([1.0, 4.0, 0.0])
    ends = np.array([False, True, True])
    advantages, returns = gae(rewards, values, next_values, ends, gamma=0.5, lam=0.5)
    # t=2: 3 + 0.5*0 - 2 = 1;  t=1: 2 + 0.5*4 - 1 = 3 (nothing flows back across the cut);
    # t=0: (1 + 0.5*1 - 0.5) + 0.5*0.5*3 = 1.75.
    assert advantages.tolist() == pytest.approx([1.75, 3.0, 1.0])
    assert returns.tolist() == pytest.approx([2.25, 4.0, 3.0])
    # λ=1 is the reward-to-go minus the baseline: G_0 = 1 + 0.5*(2 + 0.5*4) = 3.
    advantages, returns = gae(rewards, values, next_values, ends, gamma=0.5, lam=1.0)
    assert returns.tolist() == pytest.approx([3.0, 4.0, 3.0])


def test_clipped_surrogate_by_hand() -> None:
    ratio = torch.tensor([0.5, 1.0, 1.5, 0.5, 1.5])
    advantage = torch.tensor([1.0, -1.0, 2.0, -1.0, -2.0])
    got = clipped_surrogate(ratio, advantage, 0.2).tolist()
    # min(0.5, 0.8) | min(-1, -1) | min(3, 2.4) | min(-0.5, -0.8) | min(-3, -2.4)
    assert got == pytest.approx([0.5, -1.0, 2.4, -0.8, -3.0])


def _step(
    obs: np.ndarray,
    action: int,
    reward: float = 1.0,
    terminated: bool = False,
    truncated: bool = False,
    actor: str = "agent",
) -> Transition:
    return Transition(obs, action, reward, obs + 0.1, terminated, truncated, actor=actor)


def test_ppo_updates_every_n_steps_and_reports_what_spinning_up_logs() -> None:
    agent = PPOAgent(BOX, 3, PPOConfig(n_steps=8, batch_size=4, n_epochs=2), seed=0)
    obs = np.zeros(2, np.float32)
    metrics = [agent.observe(_step(obs, agent.act(obs, True))) for _ in range(8)]
    assert all(set(m) == {"log_prob"} for m in metrics[:7])  # no update yet: only π_old(a|s)
    assert {"policy_loss", "value_loss", "entropy", "approx_kl", "clip_fraction"} <= set(metrics[7])
    assert agent.updates == 1 and len(agent.rollout) == 0
    assert metrics[7]["epochs"] == 2 and 0 < metrics[7]["entropy"] <= np.log(3) + 1e-6


def test_ppo_stops_an_update_early_on_kl() -> None:
    agent = PPOAgent(
        BOX, 2, PPOConfig(n_steps=64, batch_size=8, n_epochs=50, learning_rate=0.5, target_kl=1e-4), seed=0
    )
    rng = np.random.default_rng(0)
    for _ in range(64):
        obs = rng.normal(size=2).astype(np.float32)
        metrics = agent.observe(Transition(obs, agent.act(obs, True), float(rng.normal()), obs, False, False))
    assert metrics["epochs"] < 50


def test_a_cut_ends_the_segment_and_bootstraps() -> None:
    agent = PPOAgent(BOX, 2, PPOConfig(n_steps=100, batch_size=10), seed=0)
    obs = np.zeros(2, np.float32)
    for _ in range(3):
        agent.observe(_step(obs, 0))
    agent.cut()
    assert agent.rollout.ends == [False, False, True]
    assert agent.rollout.next_values[-1] != 0.0  # V(s'), not a terminal zero
    agent.cut()  # twice changes nothing
    assert agent.rollout.ends == [False, False, True]


def test_policy_is_a_distribution_and_greedy_takes_its_mode() -> None:
    agent = ReinforceAgent(BOX, 4, seed=0)
    obs = np.array([0.3, -0.2], np.float32)
    pi, value = agent.policy(obs)
    assert pi.shape == (4,) and pi.sum() == pytest.approx(1.0) and (pi > 0).all()
    assert agent.act(obs, False) == int(np.argmax(pi))
    with torch.no_grad():  # the numpy forward agrees with the torch networks
        logits = agent.policy_net(torch.from_numpy(obs)[None])[0].numpy()
        v = float(agent.value_net(torch.from_numpy(obs)[None])[0, 0])
    assert pi == pytest.approx(np.exp(logits) / np.exp(logits).sum(), rel=1e-5)
    assert value == pytest.approx(v, rel=1e-5, abs=1e-6)


def test_reinforce_updates_per_batch_of_episodes() -> None:
    agent = ReinforceAgent(BOX, 2, ReinforceConfig(episodes_per_update=2, min_steps_per_update=1), seed=0)
    obs = np.zeros(2, np.float32)
    assert set(agent.observe(_step(obs, 0))) == {"log_prob"}
    assert set(agent.observe(_step(obs, 1, terminated=True))) == {"log_prob"}
    assert agent.phase() == "collecting episode 2/2"
    assert agent.observe(_step(obs, 0, truncated=True))["value_loss"] >= 0
    assert agent.updates == 1 and agent.episodes == 2


@pytest.mark.parametrize("kind", ["reinforce", "ppo"])
def test_save_and_resume(kind: str, tmp_path: Path) -> None:
    entry = catalog.resolve("CartPole-v1")
    agent = make_agent_for(entry, kind, {"hidden": "16"}, seed=0)
    train(agent, entry, steps=600, seed=0, final_eval_episodes=1)
    path = save_agent(agent, tmp_path / kind, entry.id)
    loaded, meta = load_agent(path)
    assert loaded.kind == kind and meta["counters"]["updates"] == agent.updates > 0
    obs = np.array([0.01, -0.02, 0.03, 0.0], np.float32)
    assert loaded.policy(obs)[0] == pytest.approx(agent.policy(obs)[0])
    saved, restored = agent.arrays(), loaded.arrays()
    assert saved.keys() == restored.keys()
    assert all(np.array_equal(saved[k], restored[k]) for k in saved)


def _rltui(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {"RLTUI_SAVES": str(home), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "rltui", *args], capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--agent", "ppo", "--set", "n_steps=0"], "Setting 'n_steps' must be from 1"),
        (["--agent", "ppo", "--set", "clip_range=-1"], "Setting 'clip_range' must be above 0"),
        (["--agent", "ppo", "--set", "clip=-1"], "Unknown setting 'clip'"),
        (["--agent", "reinforce", "--set", "episodes_per_update=0"], "Setting 'episodes_per_update'"),
        (["--agent", "ppo", "--set", "batch_size=512", "--set", "n_steps=128"], "cannot exceed 'n_steps'"),
    ],
)
def test_bad_settings_are_one_sentence(args: list[str], says: str, tmp_path: Path) -> None:
    out = _rltui("train", "CartPole-v1", "--steps", "10", "--no-save", *args, home=tmp_path)
    assert out.returncode == 2 and says in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_demos_and_a_policy_save_loaded_as_dqn_are_refused(tmp_path: Path) -> None:
    entry = catalog.resolve("CartPole-v1")
    agent = make_agent_for(entry, "ppo", {"hidden": "8"}, seed=0)
    path = save_agent(agent, tmp_path / "p", entry.id)
    out = _rltui(
        "train", "CartPole-v1", "--load", str(path), "--agent", "dqn", "--steps", "1", "--no-save", home=tmp_path
    )
    assert out.returncode == 2 and "holds a ppo agent, not dqn" in out.stderr
    demo = tmp_path / "demo.jsonl"
    demo.write_text("")
    out = _rltui(
        "train", "CartPole-v1", "--agent", "ppo", "--demos", str(demo), "--steps", "1", "--no-save", home=tmp_path
    )
    assert out.returncode == 2 and "--demos needs an off-policy agent" in out.stderr
    assert "ppo learns only from its own moves" in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_a_resumed_ppo_anneals_over_its_new_budget() -> None:
    agent = PPOAgent(BOX, 2, PPOConfig(learning_rate=1e-3), seed=0)
    agent.plan(3_000)
    agent.steps = 1_500
    assert agent.learning_rate == pytest.approx(5e-4)
    agent.steps = 3_000  # the first budget is spent: resumed with 1,000 more
    agent.plan(1_000)
    assert agent.learning_rate == pytest.approx(1e-3)
    assert agent.config.anneal_steps == 0  # the horizon is the run's, not a saved setting


def test_vector_collection_never_joins_two_episodes() -> None:
    from rltui.training.collectors import Many as _Many

    class Recorder:
        kind = "ppo"  # every agent has its kind (the env it is made for may depend on it)

        def __init__(self) -> None:
            self.seen: dict[int, list[Transition]] = {}
            self.rng = np.random.default_rng(0)

        def act_batch(self, observations: np.ndarray) -> np.ndarray:
            return self.rng.integers(0, 2, size=len(observations))

        def observe_batch(self, i: int, step: Transition) -> None:
            self.seen.setdefault(i, []).append(step)

    recorder = Recorder()
    many = _Many(recorder, catalog.resolve("CartPole-v1"), 3, seed=0)
    taken = ended = 0
    for _ in range(400):
        n, finished, _ = many.step()
        taken, ended = taken + n, ended + len(finished)
    many.close()
    assert ended >= 10 and taken == sum(len(v) for v in recorder.seen.values())
    # Every end but the last few costs its env one step, the reset, which is not a transition.
    assert 3 * 400 - ended <= taken <= 3 * 400 - ended + 3
    for steps in recorder.seen.values():
        for before, after in zip(steps, steps[1:]):
            if before.done:  # a fresh episode: CartPole starts within ±0.05
                assert np.abs(after.obs).max() <= 0.05 and not np.array_equal(after.obs, before.next_obs)
            else:
                assert np.array_equal(after.obs, before.next_obs)


def test_ppo_learns_from_several_envs() -> None:
    entry = catalog.resolve("CartPole-v1")
    agent = make_agent_for(entry, "ppo", {"n_envs": "4", "n_steps": "16", "batch_size": "32", "hidden": "16"}, seed=0)
    result = train(agent, entry, steps=640, seed=0, final_eval_episodes=1)
    assert agent.updates >= 9 and result.steps >= 640 and agent.steps == result.steps
    assert {"policy_loss", "clip_fraction"} <= set(agent.last_metrics)
