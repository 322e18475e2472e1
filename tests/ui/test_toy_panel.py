"""Adding a panel is its widget and one snapshot group: a toy panel, defined here, is composed
by the play screen where it asks to go and redrawn from every snapshot with its own group,
which the owner fills (and fills only while a panel shown reads it), without any other file
naming it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from textual.widgets import Static

from rltui.envs import catalog
from rltui.envs.session import Session
from rltui.live import snapshot
from rltui.live.snapshot import Parts, Snapshot, snapshot_group
from rltui.ui.app import RLTuiApp
from rltui.ui.widgets import panel as panels
from rltui.ui.widgets.panel import SnapshotPanel
from tests.helpers import press, screen_text

GROUP = "toy_moves"


@pytest.fixture
def toy_panel() -> Iterator[type]:
    """A panel counting the person's moves this episode, and its group; gone afterwards."""

    @snapshot_group(GROUP)
    @dataclass(frozen=True)
    class MovesView:
        moves: int
        actions: tuple[int, ...]

        @classmethod
        def fill(cls, parts: Parts) -> MovesView:
            episode = parts.ctx.session.episode
            return cls(moves=episode.steps, actions=tuple(int(a) for a in episode.actions[-5:]))

    class MovesPanel(SnapshotPanel, Static):
        GROUPS = (GROUP,)
        AREA = "side"
        DEFAULT_CSS = "MovesPanel { height: 3; }"

        def show(self, snap: Snapshot) -> None:
            view = snap.group(GROUP)
            self.update(f"toy moves={view.moves} last={','.join(map(str, view.actions))}")

    try:
        yield MovesPanel
    finally:
        panels.PLACED.remove(MovesPanel)
        snapshot.unregister_group(GROUP)


def _app() -> RLTuiApp:
    return RLTuiApp(Session(catalog.resolve("Taxi-v4"), seed=0), None)


async def test_a_panel_and_its_group_are_all_it_takes(toy_panel: type) -> None:
    app = _app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert len(screen.query(toy_panel)) == 1
        assert screen.query_one(toy_panel).parent is screen.query_one("#side")
        assert screen.query_one(toy_panel).has_class("placed-panel")  # framed as the others
        assert GROUP in screen.playalong.publisher.wanted
        await press(pilot, "down", "down", "right")  # South, South, East
        text = screen_text(app)
        assert "toy moves=3 last=0,0,2" in text, text
        assert screen.snap.group(GROUP).moves == 3
        assert screen.snap.group("step").steps == 3  # a built-in group, by the same name lookup


async def test_a_group_no_panel_shows_is_not_filled(toy_panel: type) -> None:
    panels.PLACED.remove(toy_panel)  # registered, but no panel composed reads it
    try:
        app = _app()
        async with app.run_test(size=(120, 40)) as pilot:
            await press(pilot, "down")
            assert app.screen.snap.group(GROUP) is None
            assert GROUP not in app.screen.snap.groups
    finally:
        panels.PLACED.append(toy_panel)


def test_a_group_must_fill_itself_and_not_take_a_built_in_name() -> None:
    with pytest.raises(ValueError, match="built-in group"):
        snapshot_group("beliefs")
    with pytest.raises(TypeError, match="fill"):

        @snapshot_group("no_fill")
        @dataclass(frozen=True)
        class NoFill:
            x: int = 0


def test_a_panel_goes_in_a_known_area_and_reads_a_known_group() -> None:
    with pytest.raises(ValueError, match="one of side, left"):

        class Nowhere(SnapshotPanel, Static):
            AREA = "top"

    class Reads(SnapshotPanel, Static):
        GROUPS = ("nobody_fills_this",)
        AREA = "left"

        def show(self, snap: Any) -> None: ...

    try:
        with pytest.raises(LookupError, match="nobody_fills_this"):
            panels.placed_panels("left")
    finally:
        panels.PLACED.remove(Reads)
