"""What a new user met first, part two: quitting with unsaved training, saving into a folder,
training interrupted with Ctrl+C, numbers and bars as a person reads them, the smallest
usable terminal, and an in-app evaluation giving way to a key."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from agents.persistence import read_metadata
from rltui.envs import catalog
from rltui.envs.session import Session
from rltui.formats.saves import save_target
from rltui.live.playalong import PlayAlong
from rltui.paths import saves_dir
from rltui.training.agent_factory import make_agent_for
from rltui.ui.app import RLTuiApp
from tests.helpers import press, screen_text, settle

SIZE = (120, 40)


# --- quitting, saving ---------------------------------------------------------------------------


def _lake_app() -> RLTuiApp:
    entry = catalog.resolve("FrozenLakeNotSlippery-v1")
    return RLTuiApp(Session(entry, seed=0), make_agent_for(entry, "q-learning", seed=0))


async def _learn_unsaved(pilot, steps: int = 1_500) -> None:
    """Let the agent learn at full speed until it has more unsaved steps than are worth asking about."""
    await press(pilot, "tab", "f")
    while pilot.app.screen.playalong.agent.steps < steps:
        await pilot.pause(0.05)


async def test_quitting_with_unsaved_training_asks_first() -> None:
    from rltui.ui.screens.dialogs import LeaveDialog

    app = _lake_app()
    async with app.run_test(size=SIZE) as pilot:
        await _learn_unsaved(pilot)
        await press(pilot, "space")
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, LeaveDialog)
        await pilot.press("escape")  # stay
        await pilot.pause()
        assert not isinstance(app.screen, LeaveDialog) and app.is_running
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("q")  # leave without saving
        await pilot.pause()
    assert app.return_code == 0


async def test_quitting_right_after_opening_does_not_ask() -> None:
    entry = catalog.resolve("Taxi-v4")
    app = RLTuiApp(Session(entry, seed=0), make_agent_for(entry, "q-learning", seed=0))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
    assert not app.is_running


def test_a_folder_as_save_target_means_inside_it(tmp_path: Path) -> None:
    from agents.persistence import SaveError

    assert save_target(str(tmp_path), "Taxi-v4", "dqn") == tmp_path / "Taxi-v4-dqn.safetensors"
    assert save_target(str(tmp_path / "new") + "/", "Taxi-v4", "dqn") == tmp_path / "new" / "Taxi-v4-dqn.safetensors"
    assert save_target(str(tmp_path / "mine"), "Taxi-v4", "dqn") == tmp_path / "mine.safetensors"
    (tmp_path / "file").write_text("x")
    with pytest.raises(SaveError, match="not a folder"):
        save_target(str(tmp_path / "file" / "agent"), "Taxi-v4", "dqn")


def test_saves_default_to_the_per_user_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RLTUI_SAVES", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    if sys.platform.startswith("linux"):
        assert saves_dir() == tmp_path / "rltui" / "saves"
    monkeypatch.setenv("RLTUI_SAVES", str(tmp_path / "elsewhere"))
    assert saves_dir() == tmp_path / "elsewhere"


def test_ctrl_c_in_train_saves_what_was_learned(tmp_path: Path) -> None:
    target = tmp_path / "cart.safetensors"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rltui",
            "train",
            "CartPole-v1",
            "--agent",
            "q-learning",
            "--steps",
            "100000000",
            "--save",
            str(target),
            "--json",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    first = proc.stderr.readline()  # the progress goes to stderr with --json; training has begun
    assert "q-learning on CartPole-v1" in first
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "Traceback" not in err
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["interrupted"] is True and summary["save"] == str(target)
    meta = read_metadata(target)
    assert meta["interrupted"] is True and meta["counters"]["steps"] == summary["steps"]


def test_eval_says_a_deterministic_env_is_evaluated_from_every_start(capsys: pytest.CaptureFixture[str]) -> None:
    from rltui.cli import main

    assert main(["eval", "saves/Taxi-v4-q-learning.safetensors", "--episodes", "20", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out.strip().splitlines()[-1])["episodes"] == 300
    assert "evaluated once from each of its 300 start states" in captured.err


def test_torch_gets_one_thread_unless_told_otherwise() -> None:
    code = "import agents.dqn, torch; print(torch.get_num_threads())"
    env = {k: v for k, v in os.environ.items() if k != "RLTUI_TORCH_THREADS"}
    one = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    two = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "RLTUI_TORCH_THREADS": "2"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert one.stdout.strip() == "1" and two.stdout.strip() == "2"
    bad = subprocess.run(
        [sys.executable, "-m", "rltui", "envs"],
        env={**env, "RLTUI_TORCH_THREADS": "many"},
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0 and "RLTUI_TORCH_THREADS" in bad.stderr


def test_numbers_read_as_a_person_expects() -> None:
    from rltui.ui.format import plural, sig

    assert sig(3.2e-5) == "3.20e-05" and sig(0.01234) == "0.0123" and sig(None) == "—"
    assert plural(1, "step") == "1 step" and plural(1000, "step") == "1,000 steps"


def test_q_bars_span_the_spread_of_close_values() -> None:
    from rltui.ui.widgets.q_values import QValuesPanel

    entry = catalog.resolve("MountainCar-v0")
    owner = PlayAlong(Session(entry, seed=0, render=False))
    owner.publish(force=True)
    q = np.array([-59.37, -59.44, -59.46])
    snap = dataclasses.replace(owner.latest, beliefs=dataclasses.replace(owner.latest.beliefs, q_values=q, greedy=0))
    panel = QValuesPanel(entry.action_names)
    lines = panel.render_snapshot(snap).plain.splitlines()[:3]
    bars = [line.count("█") for line in lines]
    assert bars[0] > bars[1] > bars[2] >= 1


@pytest.mark.parametrize("size", [(80, 24), (100, 30), (120, 40)])
async def test_every_panel_is_usable_from_the_minimum_size_up(size: tuple[int, int]) -> None:
    entry = catalog.resolve("Taxi-v4")
    app = RLTuiApp(Session(entry, seed=0), make_agent_for(entry, "q-learning", seed=0))
    async with app.run_test(size=size) as pilot:
        await press(pilot, "s")
        text = screen_text(app)
        assert "enlarge" not in text
        grid = [line for line in text.splitlines() if "│" in line and ("R" in line or "Y" in line)]
        assert any("Y" in line and "B" in line for line in grid)  # the map's last row is drawn
        for needle in (
            "Q-values",
            "Dropoff",
            "TD target",
            "Rewards and returns",
            "discounted",
            "Training",
            "epsilon",
            "steps/s",
        ):
            assert needle in text, needle
        plotted = "return " in text and "episode " in text.replace("episodes", "")
        assert plotted == (size[0] >= 96 and size[1] >= 30)
        await pilot.resize_terminal(79, size[1])  # one column short of the minimum
        await pilot.pause()
        assert ("enlarge" in screen_text(app)) is True


async def test_save_first_from_the_leave_dialog_saves_then_quits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RLTUI_SAVES", str(tmp_path))
    app = _lake_app()
    async with app.run_test(size=SIZE) as pilot:
        await _learn_unsaved(pilot)
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("ctrl+s")  # save first
        await pilot.pause()
        await pilot.press("enter")  # the suggested name
        deadline = time.monotonic() + 60  # a busy machine: the save waits for the owner's turn
        while app.is_running and time.monotonic() < deadline:
            await pilot.pause(0.01)
    saved = tmp_path / "FrozenLakeNotSlippery-v1-q-learning.safetensors"
    assert not app.is_running and read_metadata(saved)["counters"]["steps"] >= 1_500


def test_an_in_app_evaluation_gives_way_to_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from rltui.training import evaluation as training

    entry = catalog.resolve("Taxi-v4")  # evaluated from all 300 starts: long enough to hold a key
    owner = PlayAlong(Session(entry, seed=0, render=False), make_agent_for(entry, "q-learning"))
    episodes: list[int] = []
    keys: list[int] = []
    greedy_episode = training._greedy_episode

    def episode_then_a_key(*args, **kwargs):
        episodes.append(1)
        if len(episodes) == 2 and not keys:
            keys.append(0)
            owner.act(0)  # a person presses a key while the evaluation runs
        return greedy_episode(*args, **kwargs)

    monkeypatch.setattr(training, "_greedy_episode", episode_then_a_key)
    assert owner.progress.evaluate() is None and len(episodes) <= 3
    owner._drain()
    episodes.clear()
    assert owner.progress.evaluate() is not None and len(episodes) == 300  # left alone, it completes
