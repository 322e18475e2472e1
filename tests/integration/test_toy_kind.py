"""A kind knows itself: a toy kind, defined here and registered with one registry call, is
trained, saved, loaded, played in the app and tuned as the built-in kinds are, without any
other file naming it.

The toy is constant-α every-visit Monte-Carlo control with a Q-table: it learns at the end of
each episode, from the discounted returns of the episode's steps. This module is the kind's
module too (``CONFIG``, ``build``, ``restore``), as a kind's own module would be.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from agents import registry
from agents.base import PROBABILITY, AgentBase, Limit, Transition
from agents.protocols import Learner, PolicyAgent, TableAgent, ValueAgent
from agents.search import Dim
from rltui.cli import main

TOY = "toy-mc"
ENV = "Taxi-v4"


@dataclass(frozen=True)
class ToyConfig:
    """The toy's settings (every kind's config has ``gamma``)."""

    KINDS: ClassVar[tuple[str, ...]] = (TOY,)
    LIMITS: ClassVar[dict[str, Limit]] = {
        "gamma": PROBABILITY,
        "epsilon": PROBABILITY,
        "alpha": Limit(0.0, 1.0, low_open=True),
    }
    gamma: float = 0.99
    alpha: float = 0.2
    """How far each return moves Q(s, a)."""
    epsilon: float = 0.3
    """Exploration, held (no schedule)."""
    q_init: float = 0.0


class MonteCarloAgent(AgentBase):
    """Every-visit Monte-Carlo control: ε-greedy on a Q-table, updated once an episode ends."""

    kind = TOY

    def __init__(self, observation: dict[str, Any], n_actions: int, config: ToyConfig, seed: int | None) -> None:
        self.config = config
        self.observation = observation
        self.n_actions = n_actions
        self.table = np.full((int(observation["n"]), n_actions), config.q_init)
        self.steps = self.episodes = 0
        self.rng = np.random.default_rng(seed)
        self._episode: list[tuple[int, int, float]] = []
        self.last_metrics: dict[str, float] = {}

    @property
    def epsilon(self) -> float:
        return self.config.epsilon

    def act(self, obs: Any, explore: bool) -> int:
        if explore and self.rng.random() < self.config.epsilon:
            return int(self.rng.integers(self.n_actions))
        return int(np.argmax(self.table[int(obs)]))

    def q_values(self, obs: Any) -> np.ndarray:
        return self.table[int(obs)].copy()

    def q_table(self) -> np.ndarray:
        return self.table.copy()

    def observe(self, step: Transition) -> dict[str, float]:
        self.steps += 1
        self._episode.append((int(step.obs), int(step.action), float(step.reward)))
        if not step.done:
            return {}
        g = 0.0
        for s, a, r in reversed(self._episode):
            g = r + self.config.gamma * g
            self.table[s, a] += self.config.alpha * (g - self.table[s, a])
        self.episodes += 1
        self._episode = []
        self.last_metrics = {"mc_return": g}
        return {"loss": 0.0}

    def reconfigure(self, config: ToyConfig) -> None:
        self.config = config

    def config_dict(self) -> dict[str, Any]:
        return asdict(self.config)

    def arrays(self) -> dict[str, np.ndarray]:
        return {"q_table": self.table}

    def counters(self) -> dict[str, Any]:
        return {"steps": self.steps, "episodes": self.episodes}

    def load_arrays(self, arrays: dict[str, np.ndarray], counters: dict[str, Any]) -> None:
        if arrays["q_table"].shape != self.table.shape:
            raise ValueError(f"its table is {arrays['q_table'].shape}, not {self.table.shape}")
        self.table = np.array(arrays["q_table"], dtype=np.float64)
        self.steps, self.episodes = int(counters.get("steps", 0)), int(counters.get("episodes", 0))


CONFIG = ToyConfig


def build(kind: str, space: Any, env: Any, config: ToyConfig, seed: int | None) -> MonteCarloAgent:
    if space.observation.get("type") != "Discrete":
        raise ValueError("the toy keeps a table of discrete states")
    return MonteCarloAgent(space.observation, space.n_actions, config, seed)


def restore(kind: str, meta: dict[str, Any], arrays: dict[str, np.ndarray], config: ToyConfig) -> MonteCarloAgent:
    agent = MonteCarloAgent(meta["observation_space"], int(meta["n_actions"]), config, seed=None)
    agent.load_arrays(arrays, meta["counters"])
    return agent


SPACE = {"alpha": Dim(0.05, 0.5, log=True), "epsilon": Dim(choices=(0.1, 0.3))}
SPEC = registry.KindSpec(
    TOY,
    __name__,
    "toy",
    "Toy Monte-Carlo control: a Q-table moved toward each episode's returns",
    off_policy=False,
    space=SPACE,
    shape_keys=frozenset({"q_init"}),
    metric_tags={"mc_return": "train/mc_return"},
    panel_metrics=(("MC G", ("mc_return",)),),
)


@pytest.fixture(autouse=True)
def toy_kind() -> Iterator[registry.KindSpec]:
    registry.register(SPEC)  # the one call that adds the kind
    try:
        yield SPEC
    finally:
        registry.unregister(TOY)
    assert TOY not in registry.KINDS


def _json(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_the_registry_knows_the_toy_and_refuses_a_second_of_its_name() -> None:
    assert TOY in registry.KINDS and registry.DESCRIPTIONS[TOY] == SPEC.description
    assert TOY not in registry.OFF_POLICY and registry.spec(TOY) is SPEC
    with pytest.raises(registry.AgentError, match="exists already"):
        registry.register(SPEC)
    registry.unregister("q-learning")  # a built-in kind stays
    assert "q-learning" in registry.KINDS


def test_train_saves_and_a_load_goes_on_from_its_steps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from rltui.training.agent_factory import load_agent_for

    saved = tmp_path / "toy.safetensors"
    assert (
        main(
            ["train", ENV, "--agent", TOY, "--steps", "3000", "--seed", "0", "--save", str(saved), "--quiet", "--json"]
        )
        == 0
    )
    first = _json(capsys)
    assert first["agent"] == TOY and saved.is_file()
    agent, meta = load_agent_for(str(saved))
    assert isinstance(agent, MonteCarloAgent) and meta["kind"] == TOY and agent.steps >= 3000
    assert isinstance(agent, Learner) and isinstance(agent, ValueAgent) and isinstance(agent, TableAgent)
    assert not isinstance(agent, PolicyAgent)
    assert agent.table.any()  # it learned: the returns of its episodes reached the table
    again = tmp_path / "toy2.safetensors"
    assert (
        main(
            [
                "train",
                ENV,
                "--load",
                str(saved),
                "--steps",
                "1000",
                "--set",
                "alpha=0.1",
                "--save",
                str(again),
                "--quiet",
                "--json",
            ]
        )
        == 0
    )
    capsys.readouterr()
    resumed, _ = load_agent_for(str(again))
    assert resumed.steps == agent.steps + 1000 and resumed.config.alpha == 0.1
    # Its spec's shape settings are fixed once trained; --envs is for kinds that step several envs.
    assert main(["train", ENV, "--load", str(saved), "--set", "q_init=1", "--no-save", "--quiet"]) == 2
    assert "q_init cannot change when resuming" in capsys.readouterr().err
    assert main(["train", ENV, "--agent", TOY, "--envs", "2", "--no-save", "--quiet"]) == 2
    assert f"agents only, not {TOY}" in capsys.readouterr().err


def test_the_tensorboard_log_names_its_metric_as_its_spec_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    assert (
        main(["train", ENV, "--agent", TOY, "--steps", "3000", "--no-save", "--quiet", "--tensorboard", str(tmp_path)])
        == 0
    )
    (run,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    events = EventAccumulator(str(run))
    events.Reload()
    assert "train/mc_return" in events.Tags()["scalars"]


async def test_the_play_screen_drives_it_and_shows_its_panel_rows() -> None:
    from rltui.envs import catalog
    from rltui.envs.session import AGENT, Session
    from rltui.live.knobs import knobs_for
    from rltui.training.agent_factory import make_agent_for
    from rltui.ui.app import RLTuiApp
    from tests.helpers import press, screen_text

    entry = catalog.resolve(ENV)
    agent = make_agent_for(entry, TOY, seed=0)
    assert {knob.key for knob, _ in knobs_for(agent)} == {"alpha", "gamma"}
    app = RLTuiApp(Session(entry, seed=0, kind=agent.kind), agent)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await press(pilot, "tab", "space")  # the agent drives, paused: n steps it once
        before = agent.steps
        for _ in range(40):
            await press(pilot, "n")
        snap = screen.snap
        assert snap.status.controller == AGENT and snap.status.agent_kind == TOY and agent.steps == before + 40
        assert np.array_equal(snap.beliefs.q_values, agent.q_values(screen.session.obs))
        text = screen_text(app)
        assert TOY in text and "MC G" in text  # its spec's row in the Training panel


def test_tune_sweeps_its_spec_space(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("optuna")
    assert (
        main(["tune", ENV, "--agent", TOY, "--budget", "500", "--trials", "2", "--storage", "sqlite://", "--json"]) == 0
    )
    out = _json(capsys)
    assert out["agent"] == TOY and out["trials_finished"] + out["trials_pruned"] == 2
    assert set(out["best_params"]) <= set(SPACE)
