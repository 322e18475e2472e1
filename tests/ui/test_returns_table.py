"""The G_t table fits the side panel: every header whole, the V(s_t) column on screen."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from textual.app import App, ComposeResult
from textual.containers import Vertical

from rltui.live.snapshot import ReturnsRow, Status, StepView, TableView, TimelineView
from rltui.ui.widgets.returns_panel import COLUMNS, ReturnsPanel, fit_columns
from tests.helpers import screen_text

NAMES = ("South", "North", "East", "West", "Pickup", "Dropoff")


def test_fit_columns_narrows_the_action_and_who_columns_never_below_their_header() -> None:
    rows = [("123", "agent", "Push right hard", "-100", "-123.45", "-99.87")]
    natural = fit_columns(COLUMNS, rows, 200)
    assert natural == [3, 5, 15, 4, 7, 6]
    tight = fit_columns(COLUMNS, rows, 34)
    assert sum(tight) + len(tight) - 1 <= 34
    assert tight[3:] == natural[3:] and tight[2] < natural[2]  # numbers whole, the action cut
    floor = fit_columns(COLUMNS, rows, 10)
    assert floor == [3, 3, 6, 4, 7, 6]  # no header is cut, even when it cannot fit


class _Side(App):
    CSS_PATH = "../../rltui/ui/app.tcss"

    def compose(self) -> ComposeResult:
        with Vertical(id="side"):
            yield ReturnsPanel(NAMES, id="returns-panel")


def _snap(steps: int) -> SimpleNamespace:
    rows = tuple(ReturnsRow(t, "agent", t % 6, -10.0 if t % 7 == 0 else -1.0, -12.345 + t / 100) for t in range(steps))
    returns = tuple(-120.5 + t / 10 for t in range(steps))
    return SimpleNamespace(
        timeline=TimelineView(shown=steps, recorded=steps),
        step=StepView(
            scene=None,
            last=None,
            last_outcome=None,
            steps=steps,
            return_=-200.0,
            discounted=-80.3,
            rewards_tail=(-1.0,),
            done=True,
            gamma=0.99,
        ),
        status=Status(
            controller="agent",
            learning=True,
            paused=True,
            full_speed=False,
            speed=4,
            has_agent=True,
            agent_kind="q-learning",
            loading=False,
        ),
        table=TableView(finished=(rows, returns), row=steps - 1),
    )


@pytest.mark.parametrize("side", [48, 40])  # the side panel, wide and narrow (see app.tcss)
async def test_the_g_t_table_shows_every_column_with_three_digit_steps(side: int) -> None:
    app = _Side()
    async with app.run_test(size=(100, 40)) as pilot:
        app.query_one("#side").styles.width = side
        await pilot.pause()
        app.query_one(ReturnsPanel).show(_snap(130))
        for _ in range(3):
            await pilot.pause()
        lines = [line[:side] for line in screen_text(app).splitlines()]
        header = next(line for line in lines if " who " in line)
        assert all(label in header.split() for label in COLUMNS), header
        last = next(line for line in lines if line.strip("│ ").startswith("129 "))
        assert last.split()[-2] == "-11.05", last  # V(s_t) of step 129, whole, then the border
