"""Pilot tests: the app as a person drives it."""

from __future__ import annotations

from pathlib import Path

import pytest

from rltui.envs import catalog
from rltui.envs.session import Session
from rltui.ui.app import RLTuiApp
from rltui.ui.screens.dialogs import AgentDialog
from rltui.ui.screens.help import HelpScreen
from rltui.ui.screens.launcher import LauncherScreen
from rltui.ui.screens.play import PlayScreen
from tests.helpers import panel_value, press, screen_text, settle, wait_for_text

SIZE = (120, 40)
AVAILABLE = [e for e in catalog.CATALOG if e.available]


def _app(env_id: str, seed: int = 0) -> RLTuiApp:
    return RLTuiApp(Session(catalog.resolve(env_id), seed=seed))


async def test_cliff_walking_up_then_right_reads_minus_two() -> None:
    app = _app("CliffWalking-v1")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "up", "right")
        assert panel_value(app, "return") == "-2"
        assert panel_value(app, "discounted") == "-1.99"
        assert panel_value(app, "step") == "2/2"


@pytest.mark.parametrize("entry", AVAILABLE, ids=lambda e: e.id)
async def test_every_env_plays_by_keyboard(entry: catalog.EnvEntry) -> None:
    app = _app(entry.id)
    keys = [ak.key_list[0] for ak in entry.keys]
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, PlayScreen)
        session = screen.session
        if entry.realtime:
            await press(pilot, "ctrl+t")  # turn by turn: one step per key (real time: below)
        pressed = 0
        for key in (keys * 2)[:6]:
            if session.episode.done:
                await press(pilot, "r")
            await press(pilot, key)
            pressed += 1
        assert session.total_steps == pressed
        steps = session.episode.steps
        assert panel_value(app, "step") == f"{steps}/{steps}"
        text = screen_text(app)
        assert "Rewards and returns" in text and entry.id in text


async def test_real_time_runs_at_the_envs_pace_from_the_first_key() -> None:
    app = _app("Pendulum-v1")
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        session = screen.session
        await settle(pilot)
        assert session.total_steps == 0 and "a key starts the clock" in screen_text(app)
        await pilot.press("right")  # not settled: the clock keeps publishing
        for _ in range(400):  # the clock steps on its own, 30 times a second
            if session.total_steps >= 30:
                break
            await pilot.pause(0.01)
        assert session.total_steps >= 30 and screen.playalong.clock_running
        actions = session.episode.actions
        assert actions[0] == 4 and actions[-1] == 2  # Torque +2, then No torque once the hold ran out


async def test_episode_end_shows_returns_to_go() -> None:
    app = _app("FrozenLakeNotSlippery-v1")
    async with app.run_test(size=SIZE) as pilot:
        # S F F F / F H F H / F F F H / H F F G: down, down, right, right, down, right.
        await press(pilot, "down", "down", "right", "right", "down", "right")
        session = app.screen.session
        assert session.episode.terminated and session.episode.return_ == 1.0
        text = screen_text(app)
        assert "Episode over" in text and "G_t" in text
        assert "0.77" in text  # G_0 = 0.95**5 = 0.7738
        # Action keys do nothing once the episode is over...
        await press(pilot, "left")
        assert session.episode.steps == 6
        # ... and r starts a new one.
        await press(pilot, "r")
        assert session.episode.steps == 0 and panel_value(app, "step") == "0/0"
        assert "Episode over" not in screen_text(app)


async def test_small_terminal_asks_to_be_enlarged() -> None:
    app = _app("CartPole-v1")
    async with app.run_test(size=(60, 18)) as pilot:
        await press(pilot, "left", "right")
        assert "enlarge the terminal" in screen_text(app)
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        text = screen_text(app)
        assert "enlarge the terminal" not in text and "Rewards and returns" in text


async def test_launcher_lists_groups_and_opens_an_env() -> None:
    app = RLTuiApp()
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, LauncherScreen)
        text = screen_text(app)
        for group in ("GRID WORLDS", "GRID MAPS", "CLASSIC CONTROL"):
            assert group in text
        await pilot.press("end")  # the list scrolls to its last groups
        await pilot.pause()
        text = screen_text(app)
        assert "CARDS" in text and "CUSTOM" in text and "PortalRescue-v0" in text
        await pilot.press("home")
        await pilot.pause()
        await pilot.press("enter")  # the first environment is highlighted from the start
        assert isinstance(app.screen, AgentDialog)
        await pilot.press("enter")  # "Just me"
        assert isinstance(app.screen, PlayScreen)
        assert app.screen.session.entry.id == "Taxi-v4"
        await pilot.press("escape")
        assert isinstance(app.screen, LauncherScreen)
        await pilot.press("down", "enter", "enter")
        assert app.screen.session.entry.id == "FrozenLake-v1"


async def test_escape_from_a_direct_play_opens_the_launcher() -> None:
    app = _app("Taxi-v4")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("escape")
        assert isinstance(app.screen, LauncherScreen)


async def test_help_lists_the_env_keys_and_closes() -> None:
    app = _app("Taxi-v4")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await wait_for_text(pilot, "Pickup", "Dropoff", "hand control to the agent")
        await pilot.press("end")  # the definitions are further down
        await wait_for_text(pilot, "G_t", "TD error")
        await pilot.press("escape")
        assert isinstance(app.screen, PlayScreen)


async def test_q_quits() -> None:
    app = _app("Taxi-v4")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_screenshot_shows_the_panels(tmp_path: Path) -> None:
    app = _app("PortalRescue-v0")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "up")
        path = app.save_screenshot(filename="play.svg", path=str(tmp_path))
    svg = Path(path).read_text()
    assert "PortalRescue-v0" in svg and "Rewards" in svg and "Portal" in svg


async def test_the_launcher_opens_a_grid_map_and_lists_a_map_saved_meanwhile(tmp_path) -> None:
    from rltui.envs.catalog.maps import maps_dir
    from rltui.envs.gridmap import BUNDLED, read, write

    app = RLTuiApp()
    async with app.run_test(size=SIZE) as pilot:
        envs = app.screen.query_one("#env-list")
        index = next(i for i in range(envs.option_count) if envs.get_option_at_index(i).id == "map:BridgeGrid")
        envs.highlighted = index
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AgentDialog)
        write(read(BUNDLED / "MazeGrid.txt"), maps_dir() / "Mine.txt")  # as the editor saves one
        await pilot.press("escape")
        await pilot.pause()
        ids = [envs.get_option_at_index(i).id for i in range(envs.option_count)]
        assert "map:Mine" in ids
