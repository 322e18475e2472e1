from __future__ import annotations

import gymnasium as gym
import pytest

import rltui.envs.own  # noqa: F401  (registers PortalRescue-v0)
from rltui.envs.portal_rescue import (
    DOWN,
    LEFT,
    PICKUP,
    PORTAL,
    RIGHT,
    UP,
    PortalRescueEnv,
)


@pytest.fixture
def env() -> PortalRescueEnv:
    e = PortalRescueEnv(render_mode="ansi")
    e.reset(seed=0)
    return e


def test_registered_with_a_time_limit() -> None:
    made = gym.make("PortalRescue-v0")
    assert made.spec.max_episode_steps == 200
    obs, _ = made.reset(seed=3)
    assert made.observation_space.contains(obs)


def test_encode_decode_round_trip(env: PortalRescueEnv) -> None:
    for s in range(env.observation_space.n):
        assert env.encode(*env.decode(s)) == s


def test_transition_table_agrees_with_step(env: PortalRescueEnv) -> None:
    for s in range(env.observation_space.n):
        for a in range(env.action_space.n):
            ((p, expected_s, expected_r, expected_term),) = env.P[s][a]
            env.s = s
            s2, r, terminated, truncated, _ = env.step(a)
            assert (s2, r, terminated, truncated) == (expected_s, expected_r, expected_term, False)
            assert p == 1.0


def test_starts_on_a_free_cell_with_friend_waiting(env: PortalRescueEnv) -> None:
    for seed in range(50):
        s, _ = env.reset(seed=seed)
        row, col, friend = env.decode(s)
        assert env.is_free(row, col)
        assert friend != env.aboard


def test_rules(env: PortalRescueEnv) -> None:
    fr, fc = env.friend_locs[0]
    # Pickup where the friend is not: -10, the episode goes on.
    env.s = env.encode(2, 2, 0)
    _, r, term, _, _ = env.step(PICKUP)
    assert (r, term) == (-10.0, False)
    # Pickup where the friend stands: aboard, -1.
    env.s = env.encode(fr, fc, 0)
    s, r, term, _, _ = env.step(PICKUP)
    assert env.decode(s)[2] == env.aboard and (r, term) == (-1.0, False)
    # Portal away from the signal: -10 and the episode ends.
    env.s = env.encode(fr, fc, env.aboard)
    _, r, term, _, _ = env.step(PORTAL)
    assert (r, term) == (-10.0, True)
    # Portal at the signal without the friend: -10, ends.
    sr, sc = env.signal
    env.s = env.encode(sr, sc, 1)
    _, r, term, _, _ = env.step(PORTAL)
    assert (r, term) == (-10.0, True)
    # Portal at the signal with the friend aboard: +20, a win.
    env.s = env.encode(sr, sc, env.aboard)
    _, r, term, _, _ = env.step(PORTAL)
    assert (r, term) == (20.0, True)


def test_walls_block(env: PortalRescueEnv) -> None:
    # (0, 2) has a wall to its east at (0, 3) and the outer wall above it.
    env.s = env.encode(0, 2, 0)
    s, r, _, _, _ = env.step(RIGHT)
    assert env.decode(s)[:2] == (0, 2) and r == -1.0
    s, _, _, _, _ = env.step(UP)
    assert env.decode(s)[:2] == (0, 2)
    s, _, _, _, _ = env.step(LEFT)
    assert env.decode(s)[:2] == (0, 1)
    s, _, _, _, _ = env.step(DOWN)
    assert env.decode(s)[:2] == (1, 1)


def test_ansi_render_shows_agent_and_friend(env: PortalRescueEnv) -> None:
    env.s = env.encode(2, 2, 0)
    text = env.render()
    assert "a" in text and "F" in text and "S" in text
