"""Continuous actions: the squashed Gaussian, SAC's target, the Gaussian PPO head, the named
actions of a continuous env, the panel's curve, real-time keys, saves and bad input."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch

from agents.base import SpaceInfo, Transition
from agents.beliefs import beliefs_of
from agents.heads import GaussianHead
from agents.persistence import SaveError, save_agent
from agents.registry import AgentError
from agents.sac import SACAgent, SACConfig, squashed_log_prob
from rltui.envs import catalog
from rltui.envs.session import Session
from rltui.live.playalong import PlayAlong
from rltui.live.realtime import HOLD, KeyHold
from rltui.training.agent_factory import load_agent_for, make_agent_for

PENDULUM = catalog.resolve("Pendulum-v1")
BOX_1D = {"type": "Box", "shape": [1], "low": [-2.0], "high": [2.0]}
OBS_3 = {"type": "Box", "shape": [3], "low": [-1.0, -1.0, -8.0], "high": [1.0, 1.0, 8.0]}


def _sac(**settings: object) -> SACAgent:
    config = SACConfig(hidden=(16, 16), batch_size=4, learning_starts=4, **settings)  # type: ignore[arg-type]
    return SACAgent(OBS_3, 0, config, seed=0, action=BOX_1D)


# --- the squashed Gaussian and SAC's target ---------------------------------------------


def test_squashed_gaussian_log_prob_matches_a_hand_computed_value() -> None:
    # u = 0.5 from N(0.2, 0.5²): z = 0.6, log N = -0.18 - ln 0.5 - ½ ln 2π = -0.405791.
    # tanh(0.5) = 0.462117, ln(1 - 0.462117²) = ln 0.786448 = -0.240229.
    # log π(tanh u) = -0.405791 + 0.240229 = -0.165562.
    u = torch.tensor([[0.5]])
    value = squashed_log_prob(u, torch.tensor([[0.2]]), torch.tensor([[math.log(0.5)]]))
    assert float(value[0]) == pytest.approx(-0.165562, abs=1e-5)
    # Two dimensions add: the second at u = 0 from N(0, 1) is -½ ln 2π - ln 1 = -0.918939.
    two = squashed_log_prob(
        torch.tensor([[0.5, 0.0]]), torch.tensor([[0.2, 0.0]]), torch.tensor([[math.log(0.5), 0.0]])
    )
    assert float(two[0]) == pytest.approx(-0.165562 - 0.918939, abs=1e-5)


def test_sac_target_bootstraps_a_truncation_but_not_a_true_end() -> None:
    agent = _sac(ent_coef=0.5, gamma=0.9)
    next_obs = torch.tensor([[0.1, 0.2, 0.3], [0.1, 0.2, 0.3]])
    rewards = torch.tensor([1.0, 1.0])
    terminated = torch.tensor([0.0, 1.0])  # row 0 was cut by the time limit; row 1 ended
    torch.manual_seed(7)
    y = agent.target(rewards, next_obs, terminated)
    # By hand, with the same draw of a' ~ π(·|s'): min Q'(s', a') − α log π(a'|s').
    torch.manual_seed(7)
    with torch.no_grad():
        out = agent.actor(next_obs)
        mean, log_std = out[:, :1], out[:, 1:].clamp(-20, 2)
        u = mean + log_std.exp() * torch.randn_like(mean)
        a = torch.tanh(u)
        inputs = torch.cat((next_obs, a), dim=1)
        q = torch.min(agent.q1_target(inputs), agent.q2_target(inputs)).squeeze(1)
        soft = q - 0.5 * squashed_log_prob(u, mean, log_std)
    assert float(y[0]) == pytest.approx(1.0 + 0.9 * float(soft[0]), abs=1e-5)
    assert float(y[1]) == pytest.approx(1.0)  # a true end: nothing beyond it


def test_sac_keeps_a_time_limit_cut_as_not_terminal_and_learns() -> None:
    agent = _sac()
    obs = np.zeros(3, dtype=np.float32)
    for t in range(6):
        action = agent.act(obs, explore=True)
        assert action.shape == (1,) and -2.0 <= float(action[0]) <= 2.0
        agent.observe(Transition(obs, action, -1.0, obs + 0.1, False, t == 5))
    assert agent.buffer.terminated[:6].tolist() == [0.0] * 6  # the cut bootstraps
    assert agent.updates > 0 and math.isfinite(agent.last_metrics["q1_loss"])
    assert 0 < agent.ent_coef < 1.0  # tuned down from 1 toward the target entropy


def test_sac_save_resume_round_trip(tmp_path: Path) -> None:
    entry = PENDULUM
    agent = make_agent_for(entry, "sac", {"hidden": "16,16", "learning_starts": "4", "batch_size": "4"}, seed=0)
    obs = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    for _ in range(10):
        agent.observe(Transition(obs, agent.act(obs, True), -1.0, obs, False, False))
    path = save_agent(agent, tmp_path / "sac.safetensors", entry.id)
    loaded, meta = load_agent_for(str(path), entry)
    assert meta["action_space"]["type"] == "Box" and meta["n_actions"] == 0
    assert loaded.steps == agent.steps and loaded.updates == agent.updates
    assert loaded.ent_coef == pytest.approx(agent.ent_coef)
    assert np.array_equal(loaded.act(obs, False), agent.act(obs, False))


def test_a_sac_save_from_before_ent_coef_was_named_so_still_loads(tmp_path: Path) -> None:
    import json

    from safetensors.numpy import load_file, save

    from agents.persistence import META_KEY, read_metadata

    agent = make_agent_for(
        PENDULUM, "sac", {"hidden": "16,16", "learning_starts": "4", "batch_size": "4", "ent_coef_init": "0.5"}, seed=0
    )
    obs = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    for _ in range(10):
        agent.observe(Transition(obs, agent.act(obs, True), -1.0, obs, False, False))
    path = save_agent(agent, tmp_path / "sac.safetensors", PENDULUM.id)
    meta, arrays = read_metadata(path), load_file(str(path))
    assert "log_ent_coef" in arrays and "ent_coef_optimizer.0.exp_avg" in arrays
    # As rltui wrote it before: the setting, the array and its optimizer named alpha.
    meta["config"]["alpha"], meta["config"]["alpha_init"] = (
        meta["config"].pop("ent_coef"),
        meta["config"].pop("ent_coef_init"),
    )
    old = {k.replace("ent_coef", "alpha"): v for k, v in arrays.items()}
    assert "log_alpha" in old and "alpha_optimizer.0.exp_avg" in old
    (tmp_path / "old.safetensors").write_bytes(save(old, metadata={META_KEY: json.dumps(meta)}))
    loaded, _ = load_agent_for(str(tmp_path / "old.safetensors"), PENDULUM)
    assert loaded.config.ent_coef_init == 0.5 and loaded.ent_coef == pytest.approx(agent.ent_coef)
    assert loaded.ent_coef_optimizer.steps == agent.ent_coef_optimizer.steps > 0
    assert {k: v.ravel().tolist() for k, v in loaded.arrays().items()} == {
        k: v.ravel().tolist() for k, v in arrays.items()
    }


def test_sacs_old_setting_name_says_its_new_one() -> None:
    from agents.base import SettingError, apply_settings

    with pytest.raises(
        SettingError, match=r"^The setting 'alpha' of the sac agent is now called 'ent_coef'; use ent_coef=0.3\.$"
    ):
        apply_settings(SACConfig(), {"alpha": "0.3"})
    assert apply_settings(SACConfig(), {"ent_coef": "0.3"}).ent_coef == 0.3


# --- the Gaussian head of PPO and REINFORCE ----------------------------------------------


def test_gaussian_head_log_prob_and_entropy_by_hand() -> None:
    head = GaussianHead(BOX_1D)
    head.log_std.data.fill_(math.log(0.5))
    # a = 1.0 from N(0.4, 0.5²): z = 1.2, log π = -0.72 + 0.693147 - 0.918939 = -0.945792.
    assert head.log_prob(np.array([0.4]), np.array([1.0])) == pytest.approx(-0.945792, abs=1e-6)
    log_probs, entropy = head.log_prob_entropy(torch.tensor([[0.4]]), torch.tensor([[1.0]]))
    assert float(log_probs[0]) == pytest.approx(-0.945792, abs=1e-5)
    # Entropy of N(·, 0.5²): ½ + ½ ln 2π + ln 0.5 = 0.725791.
    assert float(entropy[0]) == pytest.approx(0.725791, abs=1e-5)


def test_ppo_on_pendulum_is_gaussian_and_keeps_its_samples_unclipped() -> None:
    agent = make_agent_for(PENDULUM, "ppo", {"n_steps": "8", "batch_size": "4", "n_envs": "1"}, seed=0)
    assert agent.continuous and agent.n_actions == 0
    session = Session(PENDULUM, seed=0, render=False)
    agent.head.log_std.data.fill_(2.0)  # wide: some samples fall outside [-2, 2]
    raw = []
    for _ in range(8):
        action = agent.act(session.obs, True)
        raw.append(float(action[0]))
        agent.observe(session.step(action, actor="agent"))
    assert max(abs(a) for a in raw) > 2.0
    assert agent.updates == 1  # the rollout of 8 was learned from, the samples as drawn


def test_discrete_kinds_play_pendulum_through_its_named_torques() -> None:
    dqn = make_agent_for(PENDULUM, "dqn", seed=0)
    assert dqn.n_actions == 5
    session = Session(PENDULUM, seed=0, render=False)
    session.step(4)  # Torque +2
    assert session.env.unwrapped.last_u == pytest.approx(2.0)
    session.step(np.array([-7.0], dtype=np.float32))  # a vector is clipped to the bounds
    assert session.env.unwrapped.last_u == pytest.approx(-2.0)


@pytest.mark.parametrize(
    ("env_id", "kind", "says"),
    [
        ("MountainCarContinuous-v0", "dqn", "choose from: reinforce, ppo, trpo, sac, ddpg, td3"),
        ("MountainCarContinuous-v0", "q-learning", "are continuous"),
        ("CartPole-v1", "sac", "are discrete; choose from"),
    ],
)
def test_a_kind_that_cannot_choose_the_envs_actions_says_which_can(env_id: str, kind: str, says: str) -> None:
    with pytest.raises(AgentError, match=says) as info:
        make_agent_for(catalog.resolve(env_id), kind, seed=0)
    assert "\n" not in str(info.value)


def test_a_discrete_pendulum_policy_is_refused_by_the_continuous_one(tmp_path: Path) -> None:
    from agents.ppo import PPOAgent, PPOConfig

    old = PPOAgent(SpaceInfo(OBS_3, 5).observation, 5, PPOConfig(hidden=(8,)), seed=0)
    path = save_agent(old, tmp_path / "old.safetensors", "Pendulum-v1")
    with pytest.raises(
        SaveError, match="chooses among 5 named actions, but a ppo agent plays Pendulum-v1's continuous actions now"
    ) as info:
        load_agent_for(str(path), PENDULUM)
    assert "\n" not in str(info.value)
    dqn = make_agent_for(PENDULUM, "dqn", {"hidden": "8"}, seed=0)  # value kinds keep the torques
    path = save_agent(dqn, tmp_path / "dqn.safetensors", "Pendulum-v1")
    assert load_agent_for(str(path), PENDULUM)[0].n_actions == 5


# --- the play-along and the panel ------------------------------------------------------------


def test_sac_learns_from_a_persons_key_as_its_vector() -> None:
    session = Session(PENDULUM, seed=0, render=False)
    agent = make_agent_for(PENDULUM, "sac", {"hidden": "16,16"}, seed=0, env=session.env)
    owner = PlayAlong(session, agent)
    owner.commands.act(4)  # Torque +2: the top of the range
    owner.commands.act(1)  # Torque -1
    assert agent.steps == 2
    assert agent.buffer.actions[:2, 0].tolist() == [1.0, -0.5]  # scaled to [-1, 1]


def test_the_panels_curve_is_the_agents_q_at_the_sampled_points() -> None:
    session = Session(PENDULUM, seed=0, render=False)
    agent = make_agent_for(PENDULUM, "sac", {"hidden": "16,16"}, seed=0, env=session.env)
    owner = PlayAlong(session, agent)
    owner.publish(force=True)
    seen = owner.latest.beliefs.actions
    assert seen is not None and seen.curve_label == "Q(s,a)"
    # min(Q1, Q2)(s, a) through the torch modules, at the panel's points scaled to [-1, 1]
    obs = torch.as_tensor(session.obs, dtype=torch.float32).repeat(len(seen.points), 1)
    a = torch.as_tensor(seen.points / 2.0, dtype=torch.float32).unsqueeze(1)
    with torch.no_grad():
        q = torch.min(agent.q1(torch.cat((obs, a), 1)), agent.q2(torch.cat((obs, a), 1))).squeeze(1)
    assert np.allclose(seen.curve, q.numpy(), atol=1e-5)
    assert owner.latest.beliefs.greedy == -1 and owner.latest.beliefs.state_value == pytest.approx(
        beliefs_of(agent, session.obs).value
    )


def test_the_panel_draws_the_curves_peak_where_the_curve_peaks() -> None:
    from rich.text import Text

    from agents.beliefs import ActionBeliefs
    from rltui.ui.widgets.q_values import CURVE_ROWS, _curve

    points = np.linspace(-2, 2, 61)
    seen = ActionBeliefs(
        low=np.array([-2.0]),
        high=np.array([2.0]),
        mean=np.array([1.0]),
        std=np.array([0.3]),
        curve_label="Q(s,a)",
        points=points,
        curve=-((points - 1.0) ** 2),
    )
    out = Text()
    _curve(out, seen, np.array([-1.0]), 41)
    lines = out.plain.split("\n")
    top = lines[0]
    assert top.index("█") <= 30 <= top.rindex("█")  # x = 1.0 is column 30 of 41
    marks = lines[CURVE_ROWS]
    assert marks.index("★") == 30 and marks.index("▲") == 10


# --- real time ---------------------------------------------------------------------------------


def test_a_held_key_repeats_and_a_released_one_returns_to_rest() -> None:
    hold = KeyHold(rest=2, hold=HOLD)
    frames = [i / 30 for i in range(60)]  # two seconds at Pendulum's 30 frames per second
    presses = [0.0] + [0.5 + k * 0.033 for k in range(16)]  # a tap, then held from 0.5 s to ~1 s
    actions, pending = [], list(presses)
    for now in frames:
        while pending and pending[0] <= now:
            hold.press(4, pending.pop(0))
        actions.append(hold.action(now))
    last_press = presses[-1]
    expected = [4 if now < HOLD or (0.5 <= now < last_press + HOLD) else 2 for now in frames]
    assert actions == expected
    assert actions[0] == 4 and actions[-1] == 2  # pushed at once, at rest after the release


def test_real_time_steps_at_the_envs_pace_with_the_rest_action_between_keys() -> None:
    session = Session(PENDULUM, seed=0, render=False)
    owner = PlayAlong(session, realtime=PENDULUM.realtime)
    assert owner.realtime and owner.fps == 30
    owner.commands.act(4)
    assert session.episode.steps == 0 and owner.clock_running  # the key starts the clock
    owner.stepper.frame()
    owner.hold.release()  # as when the key is let go and its hold has run out
    owner.stepper.frame()
    assert session.episode.actions == [4, 2]  # Torque +2, then No torque
    owner.commands.toggle_realtime()
    owner.commands.act(0)
    assert session.episode.actions == [4, 2, 0] and not owner.clock_running  # turn by turn


def test_continuous_episodes_save_and_replay(tmp_path: Path) -> None:
    from rltui.formats import episodes

    session = Session(PENDULUM, seed=3, render=False)
    session.step(np.array([0.75], dtype=np.float32), actor="agent")
    session.step(4)
    path = episodes.save(episodes.record_of(session.episode, PENDULUM.id), tmp_path)
    read = episodes.read(path)
    assert read.actions == ((0.75,), 4)
    steps = episodes.check(read, PENDULUM)
    assert [s.reward for s in steps] == session.episode.rewards


@pytest.mark.parametrize(
    ("env_id", "kind"),
    [("CartPole-v1", "dqn"), ("Pendulum-v1", "sac"), ("Pendulum-v1", "ppo"), ("Acrobot-v1", "reinforce")],
)
def test_network_agents_evaluate_side_by_side_as_one_by_one(env_id: str, kind: str) -> None:
    from rltui.training.evaluation import _greedy_episode, evaluate

    entry = catalog.resolve(env_id)
    agent = make_agent_for(entry, kind, {"hidden": "16"}, seed=0)
    env = catalog.make_env(entry, render=False)
    one_by_one = [_greedy_episode(agent, env, seed=100 + i)[0] for i in range(20)]
    env.close()
    assert evaluate(agent, entry, 20, seed=100) == pytest.approx(one_by_one)


def test_cartpole_in_real_time_falls_when_left_alone() -> None:
    """CartPole has no "no push": with no key held, left and right in turn, and the pole falls."""
    entry = catalog.resolve("CartPole-v1")
    assert entry.realtime and entry.rest_actions == (0, 1)
    session = Session(entry, seed=0, render=False)
    owner = PlayAlong(session, realtime=entry.realtime)
    assert owner.fps == 50  # CartPole's render_fps
    owner.commands.act(1)  # one tap starts the clock
    owner.hold.release()  # and is let go at once
    while not session.episode.done:
        owner.stepper.frame()
    assert session.episode.actions[:1] == [0] and session.episode.actions[:6] == [0, 1, 0, 1, 0, 1]
    assert session.episode.steps < 100 and not owner.clock_running  # fell; the clock stopped
