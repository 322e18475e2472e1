"""``rltui bench``: the project's own benchmarks. Each prints its figures.

Run from the repo: ``rltui bench render`` (add ``--json`` for one JSON line).
"""

from __future__ import annotations

import asyncio
import json
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np


def _machine() -> dict[str, Any]:
    import os

    return {"python": platform.python_version(), "cpus": os.cpu_count(), "machine": platform.machine()}


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def bench_render(seconds: float = 3.0) -> dict[str, Any]:
    """CartPole frames into half blocks, alone and inside the running app.

    * ``halfblock_ms_*``: one ``rgb_array`` frame into a 120x40-cell widget's lines.
    * ``env_render_ms_median``: CartPole's own ``render()`` (pygame), for scale.
    * ``app_fps``: frames the play screen actually drew per second while a
      timer asked for 60 random CartPole steps a second (the app's own
      compositor, layout and panels included).
    """
    from rltui.core import catalog
    from rltui.core.session import Session
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
        "halfblock_ms_p95": round(_percentile(convert, 95), 3),
        "env_render_ms_median": round(statistics.median(render), 3),
        "app_fps": round(fps, 1),
        "app_frames_drawn": drawn,
        **_machine(),
    }


async def _app_fps(seconds: float) -> tuple[float, int]:
    from rltui.core import catalog
    from rltui.core.session import Session
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


BENCHES: dict[str, Callable[..., dict[str, Any]]] = {"render": bench_render}


def run_bench(which: str, as_json: bool = False, seconds: float = 3.0) -> int:
    result = BENCHES[which](seconds=seconds)
    if as_json:
        print(json.dumps(result))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"rltui bench {which}", title_justify="left")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in result.items():
        if key != "bench":
            table.add_row(key, str(value))
    Console().print(table)
    return 0
