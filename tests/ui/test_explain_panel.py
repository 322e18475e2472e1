"""X explains the step shown: the update the agent made, live and looking back, without
changing the agent; the owner fills the explain group only while the panel is open."""

from __future__ import annotations

import numpy as np

from rltui.envs import catalog
from rltui.envs.session import Session
from rltui.live.explaining import GROUP
from rltui.training.agent_factory import make_agent_for
from rltui.ui.app import RLTuiApp
from rltui.ui.widgets.explain_panel import ExplainPanel
from rltui.ui.widgets.returns_panel import ReturnsPanel
from tests.helpers import press, screen_text

SIZE = (150, 50)


def _app(env_id: str, kind: str) -> RLTuiApp:
    entry = catalog.resolve(env_id)
    return RLTuiApp(Session(entry, seed=0), make_agent_for(entry, kind, seed=0))


async def test_x_explains_the_live_step_and_any_step_looked_back_at() -> None:
    app = _app("Taxi-v4", "q-learning")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await press(pilot, "n", "n", "n", "n", "n")
        assert GROUP not in screen.playalong.publisher.wanted and GROUP not in screen.snap.groups
        table = np.asarray(screen.playalong.agent.arrays()["q_table"]).copy()
        await press(pilot, "X")
        assert screen.query_one(ExplainPanel).display and not screen.query_one(ReturnsPanel).display
        view = screen.snap.group(GROUP)
        assert view.step == 5 and not view.looking_back and view.explanation is not None
        live = {t.symbol: t.value for t in view.explanation.result}
        entry = screen.playalong.timeline.entries[5]
        assert live["r + γ·X"] == entry.td[0] and live["δ"] == entry.td[1]
        text = screen_text(app)
        assert "Explain step 5 (live)" in text and "Q-learning: the update of Q(s, a)" in text
        await press(pilot, "left_square_bracket", "left_square_bracket", "left_square_bracket")
        view = screen.snap.group(GROUP)
        assert view.step == 2 and view.looking_back
        back = {t.symbol: t.value for t in view.explanation.result}
        assert back["r + γ·X"] == screen.playalong.timeline.entries[2].td[0]
        assert "Explain step 2 (looking back)" in screen_text(app)
        # Explaining never changes the agent.
        assert np.array_equal(np.asarray(screen.playalong.agent.arrays()["q_table"]), table)
        await press(pilot, "X")
        assert not screen.query_one(ExplainPanel).display and screen.query_one(ReturnsPanel).display
        await press(pilot, "n")
        assert GROUP not in screen.snap.groups  # closed: not filled


async def test_x_without_an_agent_says_what_to_do() -> None:
    entry = catalog.resolve("Taxi-v4")
    app = RLTuiApp(Session(entry, seed=0), None)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "down", "X")
        assert "No agent: press tab" in screen_text(app)
