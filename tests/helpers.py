"""What a person would see: the app's screen as plain text."""

from __future__ import annotations

import io

from rich.console import Console
from textual.app import App


def screen_text(app: App) -> str:
    """The whole screen as text, one line per terminal row."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        record=True,
        color_system=None,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


def panel_value(app: App, label: str) -> str:
    """The value printed after ``label`` in the side panel (first match)."""
    for line in screen_text(app).splitlines():
        side = line.split("││", 1)[-1] if "││" in line else line
        if f" {label} " in f" {side.strip('│ ')} ":
            rest = side.split(label, 1)[1]
            return rest.strip(" │").split()[0]
    raise AssertionError(f"{label!r} is not on the screen")


async def settle(pilot, timeout: float = 10.0) -> None:
    """Wait until the play screen's owner thread has handled every command sent and the
    screen shows a snapshot published after that (at full speed the owner goes on publishing:
    the screen need not catch the newest, only one that shows the commands' effect). Polls a
    condition; fails loudly on timeout."""
    import asyncio
    import time

    screen = pilot.app.screen
    playalong = screen.playalong
    deadline = time.monotonic() + timeout
    target = None
    while True:
        await pilot.pause()
        latest = playalong.latest
        if not playalong.settled:
            target = None  # a command still in flight: its snapshot is yet to come
        elif latest is not None:
            target = latest.seq if target is None else target
            if screen.applied_seq >= target:
                return
        if time.monotonic() > deadline:
            raise AssertionError("the play screen did not settle")
        await asyncio.sleep(0.005)


async def press(pilot, *keys: str) -> None:
    """Press keys one by one, as a person would, each seen through before the next."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def wait_for_text(pilot, *needles: str, timeout: float = 10.0) -> str:
    """The screen's text once every needle shows on it (a new screen lays out on a later frame)."""
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while True:
        await pilot.pause()
        text = screen_text(pilot.app)
        if all(n in text for n in needles):
            return text
        if time.monotonic() > deadline:
            missing = [n for n in needles if n not in text]
            raise AssertionError(f"{missing} never showed on the screen")
        await asyncio.sleep(0.01)
