"""Screenshots of the real app for the docs, taken headless under Textual's Pilot.

The docs build (docs/hooks.py) runs :func:`shoot` every time, so a picture in the docs is
always the current code's screen; a page that shows a picture this script no longer makes
fails the strict build. ``python docs/screenshots.py DIR`` writes them to DIR;
``python docs/screenshots.py --readme`` rewrites the README's one picture
(docs/readme/play-taxi.svg, kept in the repository so GitHub shows it).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SIZE = (130, 42)
README_SHOT = ROOT / "docs" / "readme" / "play-taxi.svg"
TAXI = ROOT / "saves" / "Taxi-v4-q-learning.safetensors"
LAKE = ROOT / "saves" / "FrozenLake8x8-v1-q-learning.safetensors"


def _app(env_id: str, seed: int = 0, load: Path | None = None, kind: str | None = None) -> Any:
    from rltui.envs import catalog
    from rltui.envs.session import Session
    from rltui.training.agent_factory import load_agent_for
    from rltui.ui.app import RLTuiApp

    entry = catalog.resolve(env_id)
    agent = load_agent_for(str(load), entry)[0] if load is not None else None
    session = Session(entry, seed=seed, kind=getattr(agent, "kind", None) or kind)
    return RLTuiApp(session, agent=agent, agent_kind=kind)


def _helpers() -> Any:
    """tests/helpers.py, the tests' own way of driving the app a key at a time (loaded from its
    file: ``tests`` is no package a docs build can import by name)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("rltui_docs_helpers", ROOT / "tests" / "helpers.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def _settle(pilot: Any) -> None:
    await _helpers().settle(pilot, timeout=30)


async def _press(pilot: Any, *keys: str) -> None:
    for key in keys:
        await _helpers().press(pilot, key)


async def _wait(pilot: Any, *needles: str) -> None:
    await _helpers().wait_for_text(pilot, *needles, timeout=30)


async def launcher(pilot: Any) -> None:
    await _wait(pilot, "Environments")
    await pilot.press("down", "down")
    await pilot.pause()


async def taxi_three_steps(pilot: Any) -> None:
    """The README's picture: the shipped Taxi agent takes three steps, one `n` each."""
    await _settle(pilot)
    await _press(pilot, "n", "n", "n")


async def taxi_episode(pilot: Any) -> None:
    """A whole greedy episode, so the G_t vs V(s_t) table fills, with some training behind it."""
    await _settle(pilot)
    await _press(pilot, "t", "f")
    await asyncio.sleep(1.5)
    await _press(pilot, "space", "r")
    for _ in range(30):
        await _press(pilot, "n")
        if pilot.app.screen.session.episode.done:
            break


async def value_map(pilot: Any) -> None:
    await _settle(pilot)
    await _press(pilot, "n", "n", "v")


async def policy_agent(pilot: Any) -> None:
    await _wait(pilot, "Policy")
    await _press(pilot, "ctrl+t", "tab", "f")
    await asyncio.sleep(2.0)
    await _press(pilot, "space", "n", "n")


async def help_screen(pilot: Any) -> None:
    await _settle(pilot)
    await pilot.press("question_mark")
    await _wait(pilot, "Everywhere")


SHOTS: dict[str, tuple[Callable[[], Any], Callable[[Any], Awaitable[None]]]] = {
    "launcher.svg": (lambda: _app_launcher(), launcher),
    "play-taxi.svg": (lambda: _app("Taxi-v4", seed=3, load=TAXI), taxi_three_steps),
    "taxi-episode.svg": (lambda: _app("Taxi-v4", seed=3, load=TAXI), taxi_episode),
    "value-map.svg": (lambda: _app("FrozenLake8x8-v1", seed=0, load=LAKE), value_map),
    "policy-cartpole.svg": (lambda: _app("CartPole-v1", seed=0, kind="ppo"), policy_agent),
    "help.svg": (lambda: _app("Taxi-v4", seed=0), help_screen),
}
"""Each picture the docs show: how the app is opened, and what is pressed before the shot."""


def _app_launcher() -> Any:
    from rltui.ui.app import RLTuiApp

    return RLTuiApp()


async def _one(name: str, out: Path) -> Path:
    make, drive = SHOTS[name]
    app = make()
    async with app.run_test(size=SIZE) as pilot:
        await drive(pilot)
        await pilot.pause()
        path = app.save_screenshot(filename=name, path=str(out))
    return Path(path)


def shoot(out: Path, names: list[str] | None = None) -> list[Path]:
    """Take the screenshots (all of :data:`SHOTS`, or ``names``) into ``out``.

    Your own saves folder is left out of the pictures: the app runs with an empty one.
    """
    out.mkdir(parents=True, exist_ok=True)
    old = os.environ.get("RLTUI_SAVES")
    with tempfile.TemporaryDirectory() as saves:
        os.environ["RLTUI_SAVES"] = saves
        try:
            return [asyncio.run(_one(name, out)) for name in (names or list(SHOTS))]
        finally:
            if old is None:
                os.environ.pop("RLTUI_SAVES", None)
            else:
                os.environ["RLTUI_SAVES"] = old


if __name__ == "__main__":
    if sys.argv[1:] == ["--readme"]:
        made = shoot(README_SHOT.parent, [README_SHOT.name])
    elif len(sys.argv) == 2:
        made = shoot(Path(sys.argv[1]))
    else:
        sys.exit("usage: python docs/screenshots.py DIR | --readme")
    for p in made:
        print(p)
