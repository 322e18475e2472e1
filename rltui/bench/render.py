"""``rltui bench render``: CartPole frames into half blocks, alone and in the app."""

from __future__ import annotations

import asyncio
import statistics
import time
from typing import Any

import numpy as np

from rltui.bench.common import machine, percentile


def bench_render(seconds: float = 3.0, **_: Any) -> dict[str, Any]:
    """CartPole frames into half blocks, alone and inside the running app.

    * ``halfblock_ms_*``: one ``rgb_array`` frame into a 120x40-cell widget's lines.
    * ``env_render_ms_median``: CartPole's own ``render()`` (pygame), for scale.
    * ``app_fps``: frames the play screen actually drew per second while a
      timer asked for 60 random CartPole steps a second (the app's own
      compositor, layout and panels included).
    """
    from rltui.envs import catalog
    from rltui.envs.session import Session
    from rltui.ui.render.halfblock import frame_to_strips

    session = Session(catalog.resolve("CartPole-v1"), seed=0)
    rng = np.random.default_rng(0)
    frames = []
    for _ in range(50):
        if session.episode.done:
            session.reset()
        session.step(int(rng.integers(2)))
        frames.append(session.scene().pixels)
    frame_to_strips(frames[0], 120, 40)  # warm the style cache like a running app would
    convert = []
    for i in range(300):
        start = time.perf_counter()
        frame_to_strips(frames[i % len(frames)], 120, 40)
        convert.append((time.perf_counter() - start) * 1000)
    render = []
    for _ in range(100):
        start = time.perf_counter()
        session.env.render()
        render.append((time.perf_counter() - start) * 1000)
    session.close()
    fps, drawn = asyncio.run(_app_fps(seconds))
    return {
        "bench": "render",
        "widget_cells": [120, 40],
        "halfblock_ms_median": round(statistics.median(convert), 3),
        "halfblock_ms_p95": round(percentile(convert, 95), 3),
        "env_render_ms_median": round(statistics.median(render), 3),
        "app_fps": round(fps, 1),
        "app_frames_drawn": drawn,
        **machine(),
    }


async def _app_fps(seconds: float) -> tuple[float, int]:
    from rltui.envs import catalog
    from rltui.envs.session import Session
    from rltui.ui.app import RLTuiApp
    from rltui.ui.widgets.env_view import EnvView

    session = Session(catalog.resolve("CartPole-v1"), seed=0)
    app = RLTuiApp(session)
    rng = np.random.default_rng(1)
    async with app.run_test(size=(166, 44)) as pilot:
        screen = app.screen
        view = screen.query_one(EnvView)
        await pilot.pause()

        def tick() -> None:
            if session.episode.done:
                screen.action_reset()
            else:
                screen.action_act(int(rng.integers(2)))

        # Ask for 60 steps/s: the figure is what the app manages to draw.
        start_frames, start = view.frames_drawn, time.perf_counter()
        timer = screen.set_interval(1 / 60, tick)
        await asyncio.sleep(seconds)
        timer.stop()
        elapsed = time.perf_counter() - start
        drawn = view.frames_drawn - start_frames
    return drawn / elapsed, drawn
