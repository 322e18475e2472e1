"""Atari (ale-py): played by keyboard in real time, the timeline's branching, agents refused for now."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("ale_py")

from rltui.core import catalog  # noqa: E402
from rltui.core.agent_factory import AgentError, make_agent_for  # noqa: E402
from rltui.core.playalong import PlayAlong  # noqa: E402
from rltui.core.restore import capture, restore  # noqa: E402
from rltui.core.session import Session  # noqa: E402

PONG = "ALE/Pong-v5"


def test_pong_names_its_actions_and_runs_in_real_time_at_its_fps() -> None:
    entry = catalog.resolve(PONG)
    assert entry.group == "Atari" and entry.realtime and entry.rest_actions == (0,)
    assert entry.action_names[:4] == ("No-op", "Fire", "Paddle up", "Paddle down")
    session = Session(entry, seed=0)
    owner = PlayAlong(session, realtime=True)
    assert owner.fps == 30
    owner._act(2)
    for _ in range(20):
        owner._frame()
    assert session.episode.steps == 20 and session.episode.actions[0] == 2
    assert session.scene().pixels.shape == (210, 160, 3)


def test_branching_puts_the_emulator_back_exactly() -> None:
    """ALE v5's sticky actions draw from the emulator's generator: it comes back too."""
    session = Session(catalog.resolve("ALE/Breakout-v5"), seed=0, render=False)
    for a in (1, 2, 2, 3):
        session.step(a)
    saved = capture(session.env)
    first = [session.env.step(a)[0] for a in (1, 2, 3, 3, 2) * 8]
    restore(session.env, saved)
    again = [session.env.step(a)[0] for a in (1, 2, 3, 3, 2) * 8]
    assert all(np.array_equal(x, y) for x, y in zip(first, again))
    assert not all(np.array_equal(first[0], x) for x in first)  # the screen did change


def test_agents_are_refused_in_one_sentence_for_now() -> None:
    with pytest.raises(AgentError, match="No agent plays ALE/Pong-v5 yet"):
        make_agent_for(catalog.resolve(PONG), "dqn")


async def test_the_panel_and_tab_say_no_agent_plays_it_yet() -> None:
    from rltui.ui.app import RLTuiApp
    from tests.helpers import screen_text, settle

    app = RLTuiApp(Session(catalog.resolve(PONG), seed=0))
    async with app.run_test(size=(160, 50)) as pilot:
        assert "No agent plays this one yet" in screen_text(app)
        await pilot.press("tab")
        await settle(pilot)
        said = [n.message for n in app._notifications]
        assert any("No agent plays ALE/Pong-v5 yet" in m for m in said), said
        assert app.screen.playalong.agent is None
