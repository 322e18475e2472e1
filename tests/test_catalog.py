from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from rltui.core import catalog
from rltui.core.catalog import CatalogError
from rltui.core.scenes import CardsScene, GridScene, PixelFrame, TextFrame
from rltui.core.session import Session

AVAILABLE = [e for e in catalog.CATALOG if e.available]

# Keys the play screen keeps for itself (its own bindings; the help screen lists them).
APP_KEYS = {"tab", "space", "n", "full_stop", "plus", "minus", "f", "t", "r", "left_square_bracket",
            "right_square_bracket", "v", "ctrl+s", "ctrl+o", "question_mark", "q", "escape",
            "home", "end", "ctrl+e"}


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


def test_continuous_action_space_is_refused_in_one_sentence() -> None:
    with pytest.raises(CatalogError, match="Box action space") as info:
        catalog.resolve("MountainCarContinuous-v0")
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
