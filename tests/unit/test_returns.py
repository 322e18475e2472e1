from __future__ import annotations

import pytest

from rltui.envs.session import Episode, Transition
from rltui.returns import discounted_so_far, episode_return, returns_to_go


def test_returns_to_go_by_hand() -> None:
    # G_2 = 3; G_1 = 2 + 0.5*3 = 3.5; G_0 = 1 + 0.5*3.5 = 2.75
    assert returns_to_go([1.0, 2.0, 3.0], 0.5) == pytest.approx([2.75, 3.5, 3.0])


def test_discounted_so_far_by_hand() -> None:
    # 1 + 0.9*2 + 0.81*3 = 5.23
    assert discounted_so_far([1.0, 2.0, 3.0], 0.9) == pytest.approx(5.23)
    assert discounted_so_far([], 0.9) == 0.0


def test_discounted_so_far_equals_g0_once_done() -> None:
    rewards = [-1.0, -1.0, -100.0, -1.0, 20.0]
    assert discounted_so_far(rewards, 0.95) == pytest.approx(returns_to_go(rewards, 0.95)[0])


def test_undiscounted_is_the_sum() -> None:
    rewards = [-1.0, -1.0, 20.0]
    assert episode_return(rewards) == 18.0
    assert returns_to_go(rewards, 1.0) == [18.0, 19.0, 20.0]


def test_episode_bookkeeping_matches_the_functions() -> None:
    episode = Episode(gamma=0.99)
    rewards = [-1.0, -1.0, -1.0, 5.0]
    for t, r in enumerate(rewards):
        episode.add(Transition(0, 0, r, 0, t == len(rewards) - 1, False, t, "human"))
    assert episode.return_ == pytest.approx(2.0)
    # -1 - 0.99 - 0.9801 + 5 * 0.970299
    assert episode.discounted == pytest.approx(-1 - 0.99 - 0.9801 + 5 * 0.970299)
    assert episode.done and episode.terminated
    assert episode.returns_to_go()[0] == pytest.approx(episode.discounted)
