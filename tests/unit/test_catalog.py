from __future__ import annotations

import importlib.util
from typing import Any

import gymnasium as gym
import numpy as np
import pytest

from rltui.envs import catalog
from rltui.envs.catalog import CatalogError
from rltui.envs.scenes import CardsScene, GridScene, PixelFrame, TextFrame
from rltui.envs.session import Session

AVAILABLE = [e for e in catalog.CATALOG if e.available]

# Keys the play screen keeps for itself (its own bindings; the help screen lists them).
APP_KEYS = {
    "tab",
    "space",
    "n",
    "full_stop",
    "plus",
    "minus",
    "f",
    "t",
    "r",
    "left_square_bracket",
    "right_square_bracket",
    "v",
    "ctrl+s",
    "ctrl+o",
    "question_mark",
    "q",
    "escape",
    "home",
    "end",
    "ctrl+e",
}


@pytest.mark.parametrize("entry", catalog.CATALOG, ids=lambda e: e.id)
def test_key_map_covers_every_action_without_clashes(entry: catalog.EnvEntry) -> None:
    key_map = entry.key_map()
    assert set(key_map.values()) == set(range(entry.n_actions))
    assert not set(key_map) & APP_KEYS
    all_keys = [k for ak in entry.keys for k in ak.key_list]
    assert len(all_keys) == len(set(all_keys)), "a key takes two actions"


@pytest.mark.parametrize("entry", AVAILABLE, ids=lambda e: e.id)
def test_every_env_makes_steps_and_renders(entry: catalog.EnvEntry) -> None:
    session = Session(entry, seed=0)
    try:
        assert session.n_actions == entry.n_actions
        before = session.scene()
        for action in range(entry.n_actions):
            if session.episode.done:
                session.reset()
            session.step(action)
        scene = session.scene()
        expected = {
            catalog.GRID: GridScene,
            catalog.CARDS: CardsScene,
            catalog.PIXELS: PixelFrame,
            catalog.ANSI: TextFrame,
        }[entry.render]
        assert isinstance(before, expected) and isinstance(scene, expected)
        if isinstance(scene, PixelFrame):
            assert scene.pixels.ndim == 3 and scene.pixels.shape[2] == 3
        if isinstance(scene, GridScene):
            rows, cols = scene.shape
            assert 0 <= scene.agent[0] < rows and 0 <= scene.agent[1] < cols
    finally:
        session.close()


def test_cliff_walking_has_a_step_cap() -> None:
    session = Session(catalog.resolve("CliffWalking-v1"), seed=0)
    steps = 0
    while not session.episode.done:
        session.step(0)  # walking into the top wall forever
        steps += 1
    assert session.episode.truncated and steps == 200


def test_pendulum_torque_is_discretised() -> None:
    session = Session(catalog.resolve("Pendulum-v1"), seed=0)
    assert session.n_actions == 5
    t = session.step(4)
    assert np.isfinite(t.reward)


def test_unknown_id_suggests_close_ids() -> None:
    with pytest.raises(CatalogError, match="Did you mean Taxi-v4"):
        catalog.resolve("Taxi-v3")
    with pytest.raises(CatalogError, match="CartPole-v1"):
        catalog.resolve("cartpole-v1")


class _Reach(gym.Env):
    """A registered env outside the catalog with a continuous action: move toward 0."""

    def __init__(self, bound: float = 1.0) -> None:
        self.action_space = gym.spaces.Box(-bound, bound, (2,), np.float32)
        self.observation_space = gym.spaces.Box(-10, 10, (2,), np.float32)
        self.x = np.zeros(2, dtype=np.float32)

    def reset(self, *, seed: int | None = None, options: Any = None) -> tuple[np.ndarray, dict]:
        super().reset(seed=seed)
        self.x = self.np_random.uniform(-1, 1, 2).astype(np.float32)
        return self.x.copy(), {}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict]:
        self.x = np.clip(self.x + 0.1 * np.asarray(action, dtype=np.float32), -10, 10)
        return self.x.copy(), -float(np.abs(self.x).sum()), False, False, {}


gym.register("rltui-test/Reach-v0", entry_point=_Reach, max_episode_steps=50)
gym.register("rltui-test/ReachUnbounded-v0", entry_point=_Reach, kwargs={"bound": np.inf})


def test_other_registered_continuous_env_gets_named_actions_per_dimension() -> None:
    entry = catalog.resolve("rltui-test/Reach-v0")
    assert entry.continuous and entry.group == "Other"
    assert entry.action_names == ("Rest", "Low 0", "High 0", "Low 1", "High 1")
    assert entry.action_vectors[4] == (0.0, 1.0)
    session = Session(entry, seed=0, render=False)
    start = session.obs.copy()
    session.step(2)  # High 0: +1 on the first dimension
    assert session.obs[0] == pytest.approx(start[0] + 0.1)
    session.step(np.array([5.0, -0.5]))  # clipped to the bound
    assert session.obs[0] == pytest.approx(start[0] + 0.2)
    assert session.episode.actions[1].tolist() == [5.0, -0.5]  # kept as given
    with pytest.raises(ValueError, match="2 finite numbers"):
        session.step(np.array([np.nan, 0.0]))


def test_unbounded_continuous_action_space_is_refused_in_one_sentence() -> None:
    with pytest.raises(CatalogError, match="not a bounded vector") as info:
        catalog.resolve("rltui-test/ReachUnbounded-v0")
    assert "\n" not in str(info.value)


def test_other_registered_discrete_env_plays_with_number_keys() -> None:
    entry = catalog.resolve("CliffWalkingSlippery-v1")
    assert entry.group == "Other" and entry.render == catalog.ANSI
    assert entry.key_map()["1"] == 0
    session = Session(entry, seed=0)
    session.step(0)
    scene = session.scene()
    assert isinstance(scene, TextFrame) and scene.text


def test_missing_dependency_names_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    lander = catalog.get("LunarLander-v3")
    assert lander is not None
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(CatalogError, match="needs Box2D"):
        catalog.resolve("LunarLander-v3")
