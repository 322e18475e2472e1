"""TensorBoard logs: `train --tensorboard` writes event files TensorBoard's own reader lists."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agents.base import AgentBase
from rltui.cli import main
from rltui.formats.tensorboard import TAGS

event_accumulator = pytest.importorskip("tensorboard.backend.event_processing.event_accumulator")


def _scalars(run: Path) -> dict[str, list]:
    reader = event_accumulator.EventAccumulator(str(run))
    reader.Reload()
    return {tag: reader.Scalars(tag) for tag in reader.Tags()["scalars"]}


def _train(tmp_path: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[dict, Path]:
    assert main(["train", *argv, "--tensorboard", str(tmp_path / "tb"), "--no-save", "--json", "--quiet"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    run = Path(summary["tensorboard"])
    assert run.parent == tmp_path / "tb"
    return summary, run


def test_a_tabular_run_logs_sb3s_scalar_names(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    summary, run = _train(tmp_path, capsys, "Taxi-v4", "--agent", "q-learning", "--steps", "20000", "--seed", "3")
    assert run.name.startswith("Taxi-v4-q-learning-3-")
    scalars = _scalars(run)
    assert (
        {
            "rollout/ep_rew_mean",
            "rollout/ep_len_mean",
            "rollout/exploration_rate",
            "train/learning_rate",
            "time/fps",
            "eval/mean_return",
            "train/td_error",
        }
        <= set(scalars)
        <= set(TAGS)
    )
    steps = [e.step for e in scalars["rollout/exploration_rate"]]
    assert steps == sorted(steps) and steps[0] == 1_000 and steps[-1] == 20_000
    # ε falls as the schedule says, and α is the learning rate a tabular agent has.
    eps = [e.value for e in scalars["rollout/exploration_rate"]]
    assert eps[0] > eps[-1] and all(e.value == 1.0 for e in scalars["train/learning_rate"])


def test_a_dqn_run_logs_its_loss_and_a_ppo_run_its_update(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, run = _train(tmp_path, capsys, "CartPole-v1", "--agent", "dqn", "--steps", "3000", "--set", "hidden=16")
    assert {"train/loss", "train/learning_rate", "rollout/exploration_rate"} <= set(_scalars(run))
    _, run = _train(
        tmp_path,
        capsys,
        "CartPole-v1",
        "--agent",
        "ppo",
        "--steps",
        "3000",
        "--set",
        "hidden=16",
        "--set",
        "n_steps=512",
    )
    scalars = _scalars(run)
    assert {
        "train/policy_gradient_loss",
        "train/value_loss",
        "train/entropy",
        "train/approx_kl",
        "train/clip_fraction",
    } <= set(scalars)


def test_a_folder_that_cannot_hold_logs_is_one_sentence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code = main(
        ["train", "Taxi-v4", "--agent", "q-learning", "--steps", "10", "--tensorboard", str(blocker), "--no-save"]
    )
    err = capsys.readouterr().err
    assert code == 2 and f"{blocker} is a file, not a folder" in err and len(err.strip().splitlines()) == 1


def test_the_app_logs_each_agent_to_a_run_of_its_own(tmp_path: Path) -> None:
    from rltui.envs import catalog
    from rltui.envs.session import AGENT, Session
    from rltui.live.playalong import PlayAlong
    from rltui.training.agent_factory import make_agent_for

    entry = catalog.resolve("Taxi-v4")
    owner = PlayAlong(Session(entry, seed=0, render=False), tensorboard=tmp_path)
    owner._attach(make_agent_for(entry, "q-learning", seed=0))
    owner.controller = AGENT
    for _ in range(3_000):
        owner.stepper.agent()
    first = owner.runs.run
    owner._attach(make_agent_for(entry, "sarsa", seed=0))  # a new agent: a new run
    assert first.closed and owner.runs.run is not first
    owner.runs.run.close()
    runs = sorted(p.name for p in tmp_path.iterdir())
    assert len(runs) == 2 and runs[0].startswith("Taxi-v4-q-learning-0-") and runs[1].startswith("Taxi-v4-sarsa-0-")
    scalars = _scalars(first.dir)
    assert {"rollout/ep_rew_mean", "rollout/exploration_rate", "train/td_error"} <= set(scalars)
    assert [e.step for e in scalars["rollout/exploration_rate"]] == [1_000, 2_000, 3_000]


def test_without_the_extra_it_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "tensorboard", None)  # as if it were not installed
    code = main(
        ["train", "Taxi-v4", "--agent", "q-learning", "--steps", "10", "--tensorboard", str(tmp_path), "--no-save"]
    )
    assert code == 2
    from rltui.extras import install_hint

    assert capsys.readouterr().err.strip() == (
        f"rltui: --tensorboard needs the tensorboard extra: {install_hint('tensorboard')}."
    )


def test_ppos_learning_rate_is_the_one_its_optimiser_anneals_to(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, run = _train(
        tmp_path,
        capsys,
        "CartPole-v1",
        "--agent",
        "ppo",
        "--steps",
        "4000",
        "--set",
        "hidden=16",
        "--set",
        "n_steps=256",
        "--set",
        "learning_rate=0.001",
    )
    rates = [e.value for e in _scalars(run)["train/learning_rate"]]
    # Annealed linearly over the 4,000 steps: each row's rate is the last update's, below the one before.
    assert len(rates) == 4 and all(a > b for a, b in zip(rates, rates[1:]))
    assert rates[0] < 0.001 and rates[-1] < 0.001 * (1 - 3_000 / 4_000) + 1e-9


class _Counting(AgentBase):
    """An agent as far as the log is concerned: its lifetime count of steps, and what every
    agent has (no ε, no settings, no metrics)."""

    kind = "q-learning"
    epsilon = None
    config = None

    def __init__(self, steps: int) -> None:
        self.steps = steps


def test_a_run_from_a_loaded_agent_goes_on_from_its_steps_and_counts_fps_from_its_own(tmp_path: Path) -> None:
    from rltui.formats.tensorboard import RunLog

    now = [100.0]
    agent = _Counting(1_750_000)  # a shipped agent's lifetime
    log = RunLog(tmp_path, "Taxi-v4", "q-learning", 0, agent=agent, clock=lambda: now[0])
    for seconds in (2.0, 2.0, 4.0):
        agent.steps += 1_000
        now[0] += seconds
        log.maybe_row(agent)
    log.close()
    fps = _scalars(log.dir)["time/fps"]
    # SB3 with reset_num_timesteps=False: the axis continues, fps = this run's steps / its seconds.
    assert [e.step for e in fps] == [1_751_000, 1_752_000, 1_753_000]
    assert [e.value for e in fps] == [500.0, 500.0, 375.0]


def test_train_load_and_the_app_with_a_loaded_agent_share_the_step_axis(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from rltui.envs import catalog
    from rltui.envs.session import AGENT, Session
    from rltui.live.playalong import PlayAlong
    from rltui.training.agent_factory import load_agent_for

    saved = tmp_path / "taxi.safetensors"
    assert (
        main(
            [
                "train",
                "Taxi-v4",
                "--agent",
                "q-learning",
                "--steps",
                "3000",
                "--seed",
                "0",
                "--save",
                str(saved),
                "--quiet",
                "--json",
            ]
        )
        == 0
    )
    capsys.readouterr()
    _, run = _train(tmp_path, capsys, "Taxi-v4", "--load", str(saved), "--steps", "2000", "--seed", "1")
    trained = [e.step for e in _scalars(run)["rollout/exploration_rate"]]
    entry = catalog.resolve("Taxi-v4")
    owner = PlayAlong(Session(entry, seed=0, render=False), tensorboard=tmp_path / "app")
    owner._attach(load_agent_for(str(saved), entry)[0])
    owner.commands.toggle_learning()  # a loaded agent comes greedy: t trains it on
    owner.controller = AGENT
    for _ in range(2_000):
        owner.stepper.agent()
    owner.runs.run.close()
    played = [e.step for e in _scalars(owner.runs.run.dir)["rollout/exploration_rate"]]
    assert trained == played == [4_000, 5_000]


_ROLLOUT = {"rollout/ep_rew_mean", "rollout/ep_len_mean", "time/fps"}
SB3_TAGS = {
    # What Stable-Baselines3 writes for each (its dqn.py, ppo.py, sac.py and the base classes'
    # _dump_logs and _update_learning_rate): rltui's runs read alike.
    "dqn": _ROLLOUT | {"train/loss", "train/learning_rate", "rollout/exploration_rate"},
    "ppo": _ROLLOUT
    | {
        "train/loss",
        "train/policy_gradient_loss",
        "train/value_loss",
        "train/entropy_loss",
        "train/approx_kl",
        "train/clip_fraction",
        "train/clip_range",
        "train/explained_variance",
        "train/learning_rate",
    },
    "sac": _ROLLOUT
    | {"train/actor_loss", "train/critic_loss", "train/ent_coef", "train/ent_coef_loss", "train/learning_rate"},
    # SB3's td3.py (its DDPG is its TD3 with one critic, no smoothing, no delay).
    "td3": _ROLLOUT | {"train/actor_loss", "train/critic_loss", "train/learning_rate"},
    "ddpg": _ROLLOUT | {"train/actor_loss", "train/critic_loss", "train/learning_rate"},
    # sb3-contrib's trpo.py (train/std for a Gaussian policy only).
    "trpo": _ROLLOUT
    | {
        "train/policy_objective",
        "train/value_loss",
        "train/kl_divergence_loss",
        "train/is_line_search_success",
        "train/explained_variance",
        "train/std",
        "train/learning_rate",
    },
}


@pytest.mark.parametrize(
    ("kind", "argv"),
    [
        ("dqn", ["CartPole-v1", "--set", "learning_starts=200"]),
        ("ppo", ["CartPole-v1", "--set", "n_steps=256", "--set", "clip_range=0.3"]),
        ("sac", ["Pendulum-v1", "--set", "learning_starts=100", "--set", "batch_size=32"]),
        ("td3", ["Pendulum-v1", "--set", "batch_size=32"]),
        ("ddpg", ["Pendulum-v1", "--set", "batch_size=32", "--set", "noise=ou"]),
        ("trpo", ["Pendulum-v1", "--set", "n_steps=256", "--set", "n_envs=1"]),
    ],
)
def test_each_network_kind_writes_sb3s_tags(
    kind: str, argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, run = _train(tmp_path, capsys, *argv, "--agent", kind, "--steps", "2000", "--set", "hidden=16", "--seed", "0")
    scalars = _scalars(run)
    assert SB3_TAGS[kind] <= set(scalars) <= set(TAGS)
    assert "train/td_error" not in scalars  # a tabular agent's tag
    if kind == "ppo":  # SB3's entropy loss is the negative of the entropy
        pairs = zip(scalars["train/entropy_loss"], scalars["train/entropy"], strict=True)
        assert all(loss.value == pytest.approx(-entropy.value) for loss, entropy in pairs)
        assert all(e.value == pytest.approx(0.3) for e in scalars["train/clip_range"])
    if kind == "sac":  # both critics' losses together
        for total, q1, q2 in zip(
            scalars["train/critic_loss"], scalars["train/q1_loss"], scalars["train/q2_loss"], strict=True
        ):
            assert total.value == pytest.approx(q1.value + q2.value, rel=1e-5)
    if kind in ("td3", "ddpg"):  # the critics' MSE summed, as SB3's; DDPG has one critic
        assert ("train/q2_loss" in scalars) == (kind == "td3")
        for total, q1 in zip(scalars["train/critic_loss"], scalars["train/q1_loss"], strict=True):
            assert total.value >= q1.value > 0


def test_dqn_in_the_app_writes_its_loss_as_in_train(tmp_path: Path) -> None:
    from rltui.envs import catalog
    from rltui.envs.session import AGENT, Session
    from rltui.live.playalong import PlayAlong
    from rltui.training.agent_factory import make_agent_for

    entry = catalog.resolve("CartPole-v1")
    owner = PlayAlong(Session(entry, seed=0, render=False), tensorboard=tmp_path)
    owner._attach(make_agent_for(entry, "dqn", {"learning_starts": "200", "hidden": "16"}, seed=0))
    owner.controller = AGENT
    for _ in range(2_000):
        owner.stepper.agent()
    owner.runs.run.close()
    scalars = set(_scalars(owner.runs.run.dir))
    assert SB3_TAGS["dqn"] <= scalars <= set(TAGS) and "train/td_error" not in scalars
