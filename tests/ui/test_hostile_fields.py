"""The app's writers on a hostile disk and its save-name field given hostile names (issue 28's
last part): each ends in one notification or a refusal under the field, never a crash, and an
existing save being overwritten stays whole. The names are generated from one seed."""

from __future__ import annotations

import errno
import os
import random
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input

from rltui.envs import catalog
from rltui.envs.session import Session
from rltui.ui.app import RLTuiApp
from tests.helpers import settle

SEED = 28
SIZE = (140, 48)


def _notes(app: RLTuiApp) -> list[str]:
    return [n.message for n in app._notifications]


async def _wait_for_note(pilot: Any, needle: str) -> str:
    for _ in range(400):
        await pilot.pause(0.01)
        found = [n for n in _notes(pilot.app) if needle in n]
        if found:
            return found[-1]
    raise AssertionError(f"no notification with {needle!r}: {_notes(pilot.app)}")


def _names(folder: Path, n: int) -> list[str]:
    """Save names a person might type: control characters, dots, long and odd ones."""
    rng = random.Random(SEED)
    controls = ["\x07", "\t", "\x1b[2J", "\r", "\x7f", "\x85", "\x00"]
    out = []
    for _ in range(n):
        stem = "".join(rng.choice("ab-_.é ") for _ in range(rng.randint(1, 12)))
        at = rng.randint(0, len(stem))  # inside the name: spaces around it are trimmed, as a person means
        out.append(str(folder / ("a" + stem[:at] + rng.choice(controls) + stem[at:] + "z")))
    return out


async def _save_as(pilot: Any, name: str | None) -> tuple[Any, str]:
    """Open the save dialog, type ``name`` (None keeps the suggestion), press enter: (the dialog,
    what it says under the field)."""
    app = pilot.app
    await pilot.press("ctrl+s")
    await pilot.pause()
    dialog = app.screen
    assert type(dialog).__name__ == "SaveDialog"
    if name is not None:
        dialog.query_one("#save-path", Input).value = name
        await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    said = str(dialog.query_one("#save-error").render()) if dialog.is_attached else ""
    return dialog, said


async def test_a_save_name_with_a_control_character_is_refused_under_the_field(tmp_path: Path) -> None:
    app = RLTuiApp(Session(catalog.resolve("FrozenLake-v1"), seed=0), agent_kind="q-learning")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for name in _names(tmp_path, 12):
            dialog, said = await _save_as(pilot, name)
            assert app.screen is dialog, name  # stays open to fix it
            assert "control character" in said or "NUL character" in said, (name, said)
            await pilot.press("escape")
            await pilot.pause()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("dots", [".", "..", "./", "../"])
async def test_dots_in_the_save_name_mean_a_folder(dots: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    saves = tmp_path / "saves"
    monkeypatch.setenv("RLTUI_SAVES", str(saves))
    app = RLTuiApp(Session(catalog.resolve("FrozenLake-v1"), seed=0), agent_kind="q-learning")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _save_as(pilot, f"{saves}/{dots}")
        said = await _wait_for_note(pilot, "Saved to")
    folder = saves if dots.startswith("./") or dots == "." else tmp_path
    written = Path(said.removeprefix("Saved to ").rstrip("."))
    assert written.parent.resolve() == folder.resolve() and written.name.startswith("FrozenLake-v1-q-learning")


async def test_a_full_disk_is_one_notification_and_the_old_save_stays(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saves = tmp_path / "saves"
    monkeypatch.setenv("RLTUI_SAVES", str(saves))
    app = RLTuiApp(Session(catalog.resolve("FrozenLake-v1"), seed=0), agent_kind="q-learning")

    def full(*_: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _save_as(pilot, None)
        first = Path((await _wait_for_note(pilot, "Saved to")).removeprefix("Saved to ").rstrip("."))
        old = first.read_bytes()
        monkeypatch.setattr(os, "fsync", full)
        await _save_as(pilot, str(first))  # over the save: enter overwrites it
        said = await _wait_for_note(pilot, "Cannot write")
        assert said == f"Cannot write {first}: No space left on device."
        for key in ("right", "down", "ctrl+e"):  # an episode, too
            await pilot.press(key)
            await settle(pilot)
        said = await _wait_for_note(pilot, "No space left on device")
        assert said.startswith(f"Cannot write {saves / 'episodes'}/") and "\n" not in said, said
        monkeypatch.undo()
        assert type(app.screen).__name__ == "PlayScreen"
    assert first.read_bytes() == old
    assert sorted(p.name for p in saves.iterdir()) == [first.name]  # no temporary file, no episodes/


async def test_a_map_that_cannot_be_written_is_one_notification_and_no_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RLTUI_SAVES", str(tmp_path / "saves"))
    app = RLTuiApp(Session(catalog.resolve("map:MazeGrid"), seed=0))

    def read_only(*_: Any) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("E")
        await pilot.pause()
        monkeypatch.setattr(os, "fsync", read_only)
        await pilot.press("ctrl+s")
        said = await _wait_for_note(pilot, "Not saved")
        assert said.endswith("cannot be written (Read-only file system).") and "\n" not in said
        assert type(app.screen).__name__ == "MapEditorScreen"
    assert not (tmp_path / "saves").exists()


async def test_a_tensorboard_log_that_fills_the_disk_is_said_once_and_play_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("tensorboard")
    from rltui.formats import tensorboard

    monkeypatch.setattr(tensorboard, "LOG_EVERY", 50)
    real_write, writes = os.write, [0]

    def filling(fd: int, data: Any) -> int:
        if os.path.basename(os.readlink(f"/proc/self/fd/{fd}")).startswith("events.out.tfevents"):
            writes[0] += 1
            if writes[0] > 3:
                raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /proc/self/fd to tell the event file's writes")
    monkeypatch.setattr(os, "write", filling)
    app = RLTuiApp(
        Session(catalog.resolve("FrozenLake-v1"), seed=0), agent_kind="q-learning", tensorboard=str(tmp_path)
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f")  # full speed: rows come fast
        said = await _wait_for_note(pilot, "stopped at its last whole row")
        await pilot.press("f")
        await settle(pilot)
        steps = app.screen.playalong.agent.steps
        assert "No space left on device" in said and steps > 200
        assert sum("TensorBoard log" in n and "stopped" in n for n in _notes(app)) == 1


KNOB_TEXTS = ["", "-", "nan", "inf", "-inf", "1e400", "9" * 400, "-1", "\u0663", "\u0661.\u0665", "x" * 10_000]
KNOB_TEXTS += ["\x1b[2J", "a\nb", "0x10", "1_000", "1e-400", "0", "1", "100", "1e308", "½", "０.５", "🙂", " 0.5 "]


@pytest.mark.parametrize(("env_id", "kind"), [("map:MazeGrid", "q-learning"), ("CartPole-v1", "dqn")])
async def test_every_knob_takes_a_value_or_says_why_in_one_short_line(env_id: str, kind: str) -> None:
    """Each field of the knobs dialog (the agent's, real time's pace, a map's world) given
    generated texts: applied, or refused under the fields in one line a person can read."""
    rng = random.Random(SEED)
    app = RLTuiApp(Session(catalog.resolve(env_id), seed=0), agent_kind=kind)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        refused = 0
        for round_ in range(12):
            await pilot.press("K")
            await pilot.pause()
            dialog = app.screen
            assert type(dialog).__name__ == "KnobsDialog", _notes(app)
            fields = list(dialog.query(Input))
            for field in rng.sample(fields, rng.randint(1, len(fields))):
                field.value = rng.choice(KNOB_TEXTS)
            fields[0].focus()
            await pilot.press("enter")
            await pilot.pause()
            if dialog.is_attached and app.screen is dialog:
                said = str(dialog.query_one("#knobs-error").render())
                assert said and len(said) <= 200 and said.isprintable(), (round_, said)
                refused += 1
                await pilot.press("escape")
                await pilot.pause()
            await settle(pilot)
            assert type(app.screen).__name__ == "PlayScreen"
        assert refused >= 3
