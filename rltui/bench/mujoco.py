"""``rltui bench mujoco``: MuJoCo's bodies drawn, by rltui's numpy painter and by MuJoCo's own
OpenGL renderer, and what the play screen shows of them in real time.

For each env (Walker2d-v5 and Humanoid-v5 unless ``--env`` names one):

* ``painter_ms_*``: one 240x160 frame by :mod:`rltui.envs.bodies` (what the app draws).
* ``mujoco_ms_*``: one 240x160 frame by MuJoCo's renderer (``render_mode="rgb_array"``) through
  ``MUJOCO_GL`` (``egl`` unless set; without a GPU, Mesa's software rasterizer); or the sentence
  saying why it could not be made (``mujoco_error``).
* ``app_fps``: frames the play screen drew per second while a person drives the body in real
  time (keys sent as a held key repeats, a new episode whenever it falls), and
  ``app_steps_per_s`` against the env's own ``target_fps``.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from typing import Any

from rltui.bench.common import machine, percentile

SIZE = (240, 160)
REPEAT = 1 / 30


def _frames_ms(env: Any, steps: int, seed: int = 0) -> list[float]:
    """Milliseconds per ``env.render()``, a random step between frames."""
    env.reset(seed=seed)
    env.action_space.seed(seed)
    env.render()  # a renderer's context and caches out of the way
    times = []
    for _ in range(steps):
        _, _, terminated, truncated, _ = env.step(env.action_space.sample())
        if terminated or truncated:
            env.reset()
        start = time.perf_counter()
        env.render()
        times.append((time.perf_counter() - start) * 1000)
    env.close()
    return times


def painter_ms(env_id: str, steps: int = 200) -> list[float]:
    import gymnasium as gym

    from rltui.envs import catalog
    from rltui.envs.bodies import BodyFrames, Camera, quiet_warnings
    from rltui.envs.catalog.mujoco_setup import CAMERAS

    catalog.resolve(env_id)
    quiet_warnings()
    return _frames_ms(BodyFrames(gym.make(env_id), Camera(**CAMERAS[env_id]), *SIZE), steps)


def mujoco_ms(env_id: str, steps: int = 50) -> list[float] | str:
    """MuJoCo's own frames, or why it could not draw one (a sentence)."""
    import gymnasium as gym

    from rltui.envs.bodies import quiet_warnings

    os.environ.setdefault("MUJOCO_GL", "egl")
    quiet_warnings()
    try:
        env = gym.make(env_id, render_mode="rgb_array", width=SIZE[0], height=SIZE[1])
        return _frames_ms(env, steps)
    except Exception as exc:  # a missing GL library fails in its own way on each platform
        text = str(exc).strip().splitlines()
        return (
            f"MuJoCo's renderer (MUJOCO_GL={os.environ['MUJOCO_GL']}) failed: {text[0] if text else type(exc).__name__}"
        )


async def app_fps(env_id: str, seconds: float, seed: int = 0) -> tuple[float, float, float]:
    """Drive ``env_id`` in real time through the play screen: (frames drawn per second, steps
    per second of running clock, the env's own fps)."""
    from textual import events

    from rltui.envs import catalog
    from rltui.envs.session import Session
    from rltui.ui.app import RLTuiApp
    from rltui.ui.widgets.env_view import EnvView

    entry = catalog.resolve(env_id)
    session = Session(entry, seed=seed)
    app = RLTuiApp(session)
    steps = 0
    clock = 0.0
    async with app.run_test(size=(166, 44)) as pilot:
        owner = app.screen.playalong
        view = app.screen.query_one(EnvView)
        if not owner.realtime:
            await pilot.press("ctrl+t")
        keys = [ak.key_list[0] for ak in entry.keys]
        await asyncio.sleep(0.5)
        start, drawn = time.perf_counter(), view.frames_drawn
        while time.perf_counter() - start < seconds:
            if session.episode.done:
                first, latest, frames = owner.clock.frame_times or (0.0, 0.0, 0)
                steps, clock = steps + frames - 1, clock + latest - first
                await pilot.press("r")
                while session.episode.done:
                    await asyncio.sleep(REPEAT)
            key = keys[int((time.perf_counter() - start) / 0.3) % len(keys)]
            app.post_message(events.Key(key, None))
            await asyncio.sleep(REPEAT)
        elapsed = time.perf_counter() - start
        fps = (view.frames_drawn - drawn) / elapsed
        first, latest, frames = owner.clock.frame_times or (0.0, 0.0, 0)
        steps, clock = steps + frames - 1, clock + latest - first
    return fps, (steps / clock if clock else 0.0), owner.fps


def bench_mujoco(seconds: float = 5.0, env: str | None = None, verbose: bool = True, **_: Any) -> dict[str, Any]:
    result: dict[str, Any] = {"bench": "mujoco", "frame": list(SIZE)}
    for env_id in [env] if env else ["Walker2d-v5", "Humanoid-v5"]:
        figures: dict[str, Any] = {}
        ours = painter_ms(env_id)
        figures["painter_ms_median"] = round(statistics.median(ours), 2)
        figures["painter_ms_p95"] = round(percentile(ours, 95), 2)
        theirs = mujoco_ms(env_id)
        if isinstance(theirs, str):
            figures["mujoco_error"] = theirs
        else:
            figures["mujoco_ms_median"] = round(statistics.median(theirs), 2)
            figures["mujoco_ms_p95"] = round(percentile(theirs, 95), 2)
            figures["mujoco_gl"] = os.environ.get("MUJOCO_GL")
        fps, sps, target = asyncio.run(app_fps(env_id, seconds))
        figures.update(app_fps=round(fps, 1), app_steps_per_s=round(sps, 1), target_fps=target)
        result[env_id] = figures
        if verbose:
            print(env_id, figures, flush=True)
    return {**result, **machine()}
