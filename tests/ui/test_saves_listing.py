"""The saves a person sees: whose each is, names that do not collide, interrupted ones marked,
in the load dialog as in `rltui saves`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agents.persistence import load_agent, save_agent
from rltui.envs import catalog
from rltui.envs.session import Session
from rltui.formats.saves import fresh_save_path
from rltui.paths import SHIPPED_DIR
from rltui.ui.app import RLTuiApp
from tests.helpers import wait_for_text

SIZE = (140, 40)
ENV = "CliffWalking-v1"
SHIPPED = SHIPPED_DIR / f"{ENV}-q-learning.safetensors"


@pytest.fixture
def saves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "saves"
    folder.mkdir()
    monkeypatch.setenv("RLTUI_SAVES", str(folder))
    return folder


def test_a_fresh_save_name_is_not_the_name_of_a_shipped_save(saves: Path) -> None:
    assert SHIPPED.is_file()
    first = fresh_save_path(ENV, "q-learning")
    assert first.parent == saves and first.name == f"{ENV}-q-learning-2.safetensors"
    first.write_bytes(b"x")
    assert fresh_save_path(ENV, "q-learning").name == f"{ENV}-q-learning-3.safetensors"
    assert fresh_save_path(ENV, "sarsa").name == f"{ENV}-sarsa.safetensors"  # nothing shipped


async def test_the_load_dialog_says_whose_each_save_is_and_marks_an_interrupted_one(saves: Path) -> None:
    from textual.widgets import OptionList

    shutil.copy(SHIPPED, saves / SHIPPED.name)  # yours, with the shipped one's name
    agent, _ = load_agent(SHIPPED)
    save_agent(agent, saves / "stopped.safetensors", ENV, interrupted=True)
    app = RLTuiApp(Session(catalog.resolve(ENV), seed=0))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        await wait_for_text(pilot, "stopped")  # listed off the UI thread
        options = app.screen.query_one("#load-list", OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
    same = [p for p in prompts if f"{ENV}-q-learning " in p]
    assert len(same) == 2 and same[0].endswith("(yours)") and same[1].endswith("(shipped)")
    (stopped,) = [p for p in prompts if "stopped" in p]
    assert "stopped (interrupted)" in stopped and stopped.endswith("(yours)")


async def test_the_save_dialog_says_when_a_typed_name_overwrites(saves: Path) -> None:
    from textual.app import App
    from textual.widgets import Input, Label

    from rltui.ui.screens.dialogs import SaveDialog

    existing = saves / "mine.safetensors"
    existing.write_bytes(b"x")

    class Host(App):
        def on_mount(self) -> None:
            self.push_screen(SaveDialog(str(fresh_save_path(ENV, "q-learning")), ENV, "q-learning"))

    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        note = app.screen.query_one("#save-error", Label)
        field = app.screen.query_one("#save-path", Input)
        assert str(note.render()) == ""  # the proposed name is free
        field.value = str(saves / "mine")
        await pilot.pause()
        assert "mine.safetensors exists there: enter overwrites it." in str(note.render())
        field.value = str(saves / "other")
        await pilot.pause()
        assert str(note.render()) == ""
