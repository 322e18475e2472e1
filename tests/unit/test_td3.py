"""TD3 and DDPG: the target (smoothing, clipped noise, the min of twin critics, a time limit
bootstraps), the delayed actor, learning a tiny task, saves, bad settings, OU noise, a person's
key as a vector and the continuous panel's beliefs."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import pytest
import torch

from agents import nets
from agents.base import Transition
from agents.beliefs import beliefs_of
from agents.ddpg import DDPGAgent, DDPGConfig
from agents.persistence import save_agent
from agents.registry import AgentError, spec
from agents.td3 import TD3Agent, TD3Config
from rltui.envs import catalog
from rltui.envs.session import Session
from rltui.live.playalong import PlayAlong
from rltui.training.agent_factory import load_agent_for, make_agent_for

PENDULUM = catalog.resolve("Pendulum-v1")
BOX_1D = {"type": "Box", "shape": [1], "low": [-2.0], "high": [2.0]}
OBS_3 = {"type": "Box", "shape": [3], "low": [-1.0, -1.0, -8.0], "high": [1.0, 1.0, 8.0]}
KINDS = {"td3": (TD3Agent, TD3Config), "ddpg": (DDPGAgent, DDPGConfig)}


def _agent(kind: str, **settings: object) -> DDPGAgent:
    agent_class, config_class = KINDS[kind]
    config = config_class(**{"hidden": (16, 16), "batch_size": 4, "learning_starts": 4, **settings})  # type: ignore[arg-type]
    return agent_class(OBS_3, 0, config, seed=0, action=BOX_1D)


def _feed(agent: DDPGAgent, steps: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    obs = rng.standard_normal(3).astype(np.float32)
    for t in range(steps):
        nxt = rng.standard_normal(3).astype(np.float32)
        agent.observe(Transition(obs, agent.act(obs, True), float(rng.standard_normal()), nxt, t % 7 == 6, False))
        obs = nxt


# --- the update as the papers write it ----------------------------------------------------


def test_td3s_actor_and_targets_move_only_every_policy_delay_critic_updates() -> None:
    agent = _agent("td3", policy_delay=3)
    _feed(agent, 4)  # the buffer holds learning_starts: one update after the 4th step
    counts = []
    for _ in range(8):
        actor_before = [p.clone() for p in agent._actor_params]
        targets_before = [p.clone() for p in agent._targets]
        _feed(agent, 1, seed=agent.steps)
        moved = not all(torch.equal(a, b) for a, b in zip(actor_before, agent._actor_params))
        targets_moved = not all(torch.equal(a, b) for a, b in zip(targets_before, agent._targets))
        assert moved == targets_moved  # the targets blend with the actor's step, not between
        counts.append((agent.critic_optimizer.steps, agent.actor_optimizer.steps, moved))
    assert [c for c, _, _ in counts] == list(range(2, 10))  # a critic step every env step
    assert [a for _, a, _ in counts] == [c // 3 for c, _, _ in counts]  # the actor every third
    assert [m for _, _, m in counts] == [c % 3 == 0 for c, _, _ in counts]


def test_ddpg_steps_its_actor_with_every_critic_step() -> None:
    agent = _agent("ddpg")
    _feed(agent, 12)
    assert agent.critic_optimizer.steps == agent.actor_optimizer.steps == agent.updates == 9
    assert agent.n_critics == 1 and set(agent.networks()) == {"actor", "actor_target", "q1", "q1_target"}


@pytest.mark.parametrize("kind", ["td3", "ddpg"])
def test_the_target_is_min_q_at_the_target_action_and_bootstraps_a_time_limit(kind: str) -> None:
    agent = _agent(kind, gamma=0.9)
    _feed(agent, 10)  # the targets have moved away from their start
    next_obs = torch.tensor([[0.1, 0.2, 0.3], [0.1, 0.2, 0.3]])
    terminated = torch.tensor([0.0, 1.0])  # row 0 was cut by the time limit; row 1 ended
    torch.manual_seed(3)
    y = agent.target(torch.tensor([1.0, 1.0]), next_obs, terminated)
    torch.manual_seed(3)
    with torch.no_grad():  # by hand, with the same draw of the smoothing noise
        mu = torch.tanh(agent.actor_target(next_obs))
        if kind == "td3":
            mu = (mu + (torch.randn_like(mu) * 0.2).clamp(-0.5, 0.5)).clamp(-1, 1)
        inputs = torch.cat((next_obs, mu), 1)
        q = torch.stack([net(inputs) for net in agent.critic_targets]).min(dim=0).values.squeeze(1)
    assert float(y[0]) == pytest.approx(1.0 + 0.9 * float(q[0]), abs=1e-5)
    assert float(y[1]) == pytest.approx(1.0)  # a true end: nothing beyond it


def test_td3s_target_noise_is_clipped_and_the_action_kept_in_bounds() -> None:
    agent = _agent("td3", target_policy_noise=100.0, target_noise_clip=0.3)
    next_obs = torch.randn(500, 3)
    with torch.no_grad():
        mu = torch.tanh(agent.actor_target(next_obs))
        smoothed = agent.target_action(next_obs)
    shift = smoothed - mu
    assert float(shift.abs().max()) <= 0.3 + 1e-6 and float(smoothed.abs().max()) <= 1.0
    assert float((shift.abs() > 0.29).float().mean()) > 0.5  # σ̃ ≫ c: most draws are clipped


@pytest.mark.parametrize("kind", ["td3", "ddpg"])
def test_each_kind_learns_the_best_action_of_a_one_step_task(kind: str) -> None:
    """Reward −(a − 1)² in a one-step episode: Q(s, a) is the reward itself, and μ(s) climbs it to 1."""
    agent = _agent(kind, learning_rate=3e-3, batch_size=32, learning_starts=64, hidden=(32, 32), tau=0.05)
    obs = np.array([0.5, -0.5, 1.0], dtype=np.float32)
    before = float(agent.act(obs, False)[0])
    for _ in range(1_500):
        action = agent.act(obs, True)
        agent.observe(Transition(obs, action, -((float(action[0]) - 1.0) ** 2), obs, True, False))
    after = float(agent.act(obs, False)[0])
    assert abs(after - 1.0) < 0.15 < abs(before - 1.0)
    assert agent.episodes == 1_500 and math.isfinite(agent.last_metrics["actor_loss"])


# --- exploration ------------------------------------------------------------------------


def test_greedy_acts_mu_and_exploring_adds_gaussian_noise_of_action_noise() -> None:
    agent = _agent("td3", learning_starts=0, action_noise=0.2)
    obs = np.zeros(3, dtype=np.float32)
    mu = float(agent.act(obs, False)[0]) / 2.0  # in [-1, 1] units
    draws = np.array([agent.act(obs, True)[0] / 2.0 for _ in range(2_000)])
    assert abs(mu) < 0.8  # away from the bounds: the clip rarely acts
    assert draws.mean() == pytest.approx(mu, abs=0.02) and draws.std() == pytest.approx(0.2, rel=0.1)


def test_ou_noise_is_correlated_in_time_and_restarts_with_an_episode() -> None:
    agent = _agent("ddpg", noise="ou", action_noise=0.5)
    noise = np.array([agent._noise()[0] for _ in range(400)])
    normal = _agent("ddpg", action_noise=0.5)
    independent = np.array([normal._noise()[0] for _ in range(400)])
    assert np.corrcoef(noise[:-1], noise[1:])[0, 1] > 0.9
    assert abs(np.corrcoef(independent[:-1], independent[1:])[0, 1]) < 0.2
    agent._noise()
    obs = np.zeros(3, dtype=np.float32)
    agent.observe(Transition(obs, np.zeros(1, np.float32), 0.0, obs, False, True))  # a time-limit end
    assert agent._ou.tolist() == [0.0]


# --- settings, saves, the panel and a person's keys ---------------------------------------


@pytest.mark.parametrize(
    ("kind", "setting", "says"),
    [
        ("td3", {"policy_delay": "0"}, "'policy_delay'"),
        ("td3", {"target_noise_clip": "-1"}, "'target_noise_clip'"),
        ("ddpg", {"noise": "pink"}, "'noise'"),
        ("ddpg", {"action_noise": "nan"}, "'action_noise'"),
        ("td3", {"batch_size": "512", "buffer_size": "100"}, "cannot exceed 'buffer_size'"),
        ("ddpg", {"policy_delay": "2"}, "Unknown setting 'policy_delay' for the ddpg agent"),
    ],
)
def test_a_bad_setting_is_refused_in_one_sentence(kind: str, setting: dict[str, str], says: str) -> None:
    with pytest.raises(AgentError, match=says) as info:
        make_agent_for(PENDULUM, kind, setting, seed=0)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("kind", ["td3", "ddpg"])
def test_a_save_loads_bit_identically_and_goes_on_alike(kind: str, tmp_path: Path) -> None:
    agent = make_agent_for(PENDULUM, kind, {"hidden": "16,16", "learning_starts": "4", "batch_size": "4"}, seed=0)
    _feed(agent, 12)
    path = save_agent(agent, tmp_path / f"{kind}.safetensors", PENDULUM.id)
    loaded, meta = load_agent_for(str(path), PENDULUM)
    assert type(loaded) is type(agent) and meta["action_space"]["type"] == "Box"
    assert loaded.config == agent.config and loaded.counters() == agent.counters()
    assert {k: v.tobytes() for k, v in loaded.arrays().items()} == {k: v.tobytes() for k, v in agent.arrays().items()}
    assert any(k.startswith("actor_target.") for k in agent.arrays()) and "actor_optimizer.0.exp_avg" in agent.arrays()
    obs = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    assert np.array_equal(loaded.act(obs, False), agent.act(obs, False))
    with pytest.raises(ValueError, match="'hidden' cannot change once trained"):
        loaded.reconfigure(dataclasses.replace(loaded.config, hidden=(8,)))


@pytest.mark.parametrize("kind", ["td3", "ddpg"])
def test_the_panel_shows_q_over_the_first_dimension_around_mu(kind: str) -> None:
    session = Session(PENDULUM, seed=0, render=False)
    agent = make_agent_for(PENDULUM, kind, {"hidden": "16,16"}, seed=0, env=session.env)
    beliefs = beliefs_of(agent, session.obs)
    assert beliefs is not None and beliefs.actions is not None
    seen = beliefs.actions
    assert seen.curve_label == "Q(s,a)" and beliefs.greedy == -1
    assert seen.mean.tolist() == pytest.approx(agent.act(session.obs, False).tolist())  # μ(s)
    assert seen.std.tolist() == pytest.approx([2.0 * agent.config.action_noise])  # the noise, in env units
    obs = torch.as_tensor(session.obs, dtype=torch.float32).repeat(len(seen.points), 1)
    a = torch.as_tensor(seen.points / 2.0, dtype=torch.float32).unsqueeze(1)
    with torch.no_grad():
        q = torch.stack([net(torch.cat((obs, a), 1)) for net in agent.critics]).min(dim=0).values.squeeze(1)
    assert np.allclose(seen.curve, q.numpy(), atol=1e-5)
    mu = torch.as_tensor(seen.mean / 2.0, dtype=torch.float32)
    with torch.no_grad():
        v = min(float(net(torch.cat((obs[:1], mu[None]), 1))) for net in agent.critics)
    assert beliefs.value == pytest.approx(v, abs=1e-5)


@pytest.mark.parametrize("kind", ["td3", "ddpg"])
def test_each_kind_learns_from_a_persons_key_as_its_vector(kind: str) -> None:
    session = Session(PENDULUM, seed=0, render=False)
    agent = make_agent_for(PENDULUM, kind, {"hidden": "16,16"}, seed=0, env=session.env)
    owner = PlayAlong(session, agent)
    owner.commands.act(4)  # Torque +2: the top of the range
    owner.commands.act(1)  # Torque -1
    assert agent.steps == 2 and agent.buffer.actions[:2, 0].tolist() == [1.0, -0.5]  # scaled to [-1, 1]
    assert spec(kind).off_policy and agent.learns_from_others


def test_acting_in_numpy_matches_the_torch_modules() -> None:
    agent = _agent("td3")
    x = np.random.default_rng(1).standard_normal((5, 3)).astype(np.float32)
    with torch.no_grad():
        expected = torch.tanh(agent.actor(torch.from_numpy(x))).numpy()
    assert np.allclose(agent._mu(x), expected, atol=1e-6)
    assert nets.numpy_layers(agent.actor) is not None
