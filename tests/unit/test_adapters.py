"""Every internal attribute rltui reads from a third-party env, checked against the installed
Gymnasium: if an upgrade renames or reshapes one, these fail (and say which), instead of a
scene, value map or timeline quietly breaking."""

from __future__ import annotations

import numpy as np
import pytest

from rltui.envs import adapters, catalog


def _env(env_id: str, **kwargs):
    env = catalog.make_env(catalog.resolve(env_id), render=False)
    env.reset(seed=0, **kwargs)
    return env


def test_toy_text_state_model_and_starts() -> None:
    env = _env("Taxi-v4")
    s = adapters.toy_state(env)
    assert 0 <= s < 500
    P = adapters.model(env)
    assert P is not None and len(P) == 500 and len(P[s]) == 6
    prob, nxt, reward, terminated = P[s][0][0]
    assert prob == 1.0 and 0 <= nxt < 500 and isinstance(terminated, bool)
    starts = adapters.start_distribution(env)
    assert starts.shape == (500,) and starts.sum() == pytest.approx(1.0) and starts[s] > 0
    adapters.set_toy_state(env, nxt)
    assert adapters.toy_state(env) == nxt
    assert env.step(0)[0] == P[nxt][0][0][1]  # the env steps on from the state set
    assert not adapters.stochastic(env)
    assert adapters.stochastic(_env("FrozenLake-v1"))
    assert adapters.model(_env("CartPole-v1")) is None


def test_taxi_decode_encode_stands_and_walls() -> None:
    env = _env("Taxi-v4")
    for s in (0, 123, 499):
        row, col, passenger, destination = adapters.taxi_decode(env, s)
        assert 0 <= row < 5 and 0 <= col < 5 and 0 <= passenger <= 4 and 0 <= destination < 4
        assert adapters.taxi_encode(env, row, col, passenger, destination) == s
    assert adapters.taxi_stands(env) == [(0, 0), (0, 4), (4, 0), (4, 3)]  # R, G, Y, B
    assert adapters.taxi_east_walls(env) == {(0, 1), (1, 1), (3, 0), (4, 0), (3, 2), (4, 2)}


def test_lake_rows() -> None:
    assert adapters.lake_rows(_env("FrozenLake-v1")) == ["SFFF", "FHFH", "FFFH", "HFFG"]
    rows = adapters.lake_rows(_env("FrozenLake8x8-v1"))
    assert len(rows) == 8 and rows[0][0] == "S" and rows[-1][-1] == "G"


def test_cliff_mask() -> None:
    mask = adapters.cliff_mask(_env("CliffWalking-v1"))
    assert mask.shape == (4, 12) and mask.dtype == bool
    assert mask[3, 1:11].all() and mask.sum() == 10


def test_blackjack_hands() -> None:
    player, dealer = adapters.blackjack_hands(_env("Blackjack-v1"))
    assert len(player) == 2 and len(dealer) == 2
    assert all(1 <= card <= 10 for card in player + dealer)


@pytest.mark.parametrize(
    ("env_id", "dims", "extras"),
    [
        ("CartPole-v1", 4, {"steps_beyond_terminated"}),
        ("MountainCar-v0", 2, set()),
        ("Acrobot-v1", 4, set()),
        ("Pendulum-v1", 2, {"last_u"}),
    ],
)
def test_classic_control_physics_state(env_id: str, dims: int, extras: set[str]) -> None:
    env = _env(env_id)
    state = np.array(adapters.physics_state(env), dtype=float)
    assert state.shape == (dims,)
    env.step(env.action_space.sample())
    assert extras <= set(adapters.extras(env))
    adapters.set_physics_state(env, state)
    assert np.array_equal(np.array(adapters.physics_state(env), dtype=float), state)
    assert adapters.physics_state(_env("Taxi-v4")) is None


def test_toy_text_last_action() -> None:
    env = _env("Taxi-v4")
    env.step(2)
    assert adapters.extras(env)["lastaction"] == 2


def test_time_limit_elapsed_steps() -> None:
    env = _env("CartPole-v1")
    limit = adapters.time_limit(env)
    assert limit is not None and adapters.elapsed_steps(limit) == 0
    env.step(0)
    assert adapters.elapsed_steps(limit) == 1
    adapters.set_elapsed_steps(limit, 499)
    _, _, terminated, truncated, _ = env.step(0)
    assert truncated and not terminated  # the 500th step: the limit counts from the value set


def test_mujoco_model_data_and_state() -> None:
    pytest.importorskip("mujoco")
    pytest.importorskip("imageio")
    env = _env("Walker2d-v5")
    assert adapters.is_mujoco(env) and not adapters.is_mujoco(_env("CartPole-v1"))
    model, data = adapters.mujoco_model_data(env)
    assert model.nq == 9 and model.nu == 6 and data.qpos.shape == (9,)
    state = adapters.mujoco_state(env)
    assert state.dtype == np.float64 and state[0] == data.time  # MuJoCo's state starts with the time
    assert np.array_equal(state[1 : 1 + model.nq], data.qpos)
    env.step(np.ones(6, dtype=np.float32))
    moved = data.qpos.copy()
    adapters.set_mujoco_state(env, state)
    assert not np.array_equal(data.qpos, moved) and np.array_equal(adapters.mujoco_state(env), state)
