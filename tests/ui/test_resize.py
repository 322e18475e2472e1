"""Resizing the terminal redraws every panel from the last snapshot, with no step needed."""

from __future__ import annotations

from agents.persistence import load_agent
from rltui.envs import catalog
from rltui.envs.session import Session
from rltui.ui.app import RLTuiApp
from tests.helpers import press, screen_text, settle

BIG, SMALL = (140, 44), (80, 24)


def _taxi_with_its_agent() -> RLTuiApp:
    agent, _ = load_agent("saves/Taxi-v4-q-learning.safetensors")
    return RLTuiApp(Session(catalog.resolve("Taxi-v4"), seed=3, kind=agent.kind), agent)


async def _resize(pilot, size: tuple[int, int]) -> None:
    await pilot.resize_terminal(*size)
    for _ in range(3):  # the resize, the widgets' own Resize events, the repaint
        await pilot.pause()


async def test_a_resize_while_paused_redraws_the_grid_and_the_q_bars() -> None:
    app = _taxi_with_its_agent()
    async with app.run_test(size=BIG) as pilot:
        await settle(pilot)
        await press(pilot, "n", "n", "n")
        screen = app.screen
        seq = screen.applied_seq
        before = screen_text(app)
        await _resize(pilot, SMALL)
        assert screen.applied_seq == seq  # nothing stepped: the redraw came from the resize
        text = screen_text(app)
        lines = text.splitlines()
        stage = "\n".join(line[: SMALL[0] // 2] for line in lines)
        for mark in ("R", "G", "Y", "B", "☺"):  # the whole grid, shrunk to fit
            assert mark in stage, f"{mark} is off screen after the resize:\n{text}"
        names = screen.session.entry.action_names
        for name in names:  # each action's bar and number on one line
            row = next(line for line in lines if f" {name} " in line)
            assert any(ch.isdigit() for ch in row.split(name, 1)[1]), f"{name}'s row wrapped:\n{text}"
        assert "TD target" in text, text
        await _resize(pilot, BIG)
        assert screen.applied_seq == seq
        assert screen_text(app) == before  # back at the old size: the old layout, not a corner
