"""``rltui bench playalong``: what the play screen costs a training agent, and how fast keys land.

* ``headless_sps``: the play-along owner loop at full speed with no UI.
* ``ui_sps``: the same agent, env and seed with the play screen attached
  (Pilot-driven: tab, then f).
* ``ratio``: ui_sps / headless_sps.
* ``ui_thread_cpu_share``: CPU time of the UI thread per wall second while the agent
  runs flat out: what the screen takes from training, less noisy than the ratio.
* ``key_latency_*_ms``: from an action key event, sent while the agent trains
  at full speed, to the play screen's widgets showing the person in control
  (the snapshot with their move applied).
* ``realtime_fps``: CartPole driven in real time through the play screen, keys sent as a
  held key repeats (30 a second, switching side every 0.3 s), a new episode whenever the
  pole falls: env steps per second of running clock, against its own 50.
* ``timeline_bytes_per_step``: memory one step of an episode costs the timeline;
  ``timeline_mb_at_cap`` is that times the 10,000 steps an episode keeps at most.
"""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from typing import Any

from textual import events

from rltui.bench.common import machine, percentile
from rltui.live.playalong import EPISODE_RECORD_LIMIT

WARM_UP = 1.0
"""Seconds before counting starts in both modes: start-up (torch's first update, the app's
first frames) is not what is compared."""


def _fresh(env_id: str, kind: str, seed: int) -> tuple[Any, Any]:
    from rltui.envs import catalog
    from rltui.envs.session import Session
    from rltui.training.agent_factory import make_agent_for

    entry = catalog.resolve(env_id)
    session = Session(entry, seed=seed, kind=kind)
    agent = make_agent_for(entry, kind, seed=seed)
    return session, agent


def headless_rate(env_id: str, kind: str, seconds: float, seed: int = 0) -> float:
    from rltui.envs.session import AGENT
    from rltui.envs.valuemap import value_map_for
    from rltui.live.playalong import PlayAlong

    session, agent = _fresh(env_id, kind, seed)
    owner = PlayAlong(session, agent, value_states=value_map_for(session.entry, session.env))
    owner.controller, owner.full_speed = AGENT, True
    stop = threading.Event()
    thread = threading.Thread(target=owner.run, args=(stop,))
    thread.start()
    time.sleep(WARM_UP)
    start, first = time.perf_counter(), session.total_steps
    time.sleep(seconds)
    steps, elapsed = session.total_steps - first, time.perf_counter() - start
    stop.set()
    thread.join()
    session.close()
    return steps / elapsed


def timeline_bytes_per_step(env_id: str, kind: str, steps: int = 150, seed: int = 0) -> float:
    """Memory one step of an episode costs the timeline (and the episode's bookkeeping)."""
    import tracemalloc

    from rltui.envs.session import AGENT
    from rltui.live.playalong import PlayAlong

    session, agent = _fresh(env_id, kind, seed)
    owner = PlayAlong(session, agent)
    owner.controller, owner.learning = AGENT, False
    for _ in range(50):  # caches and first allocations out of the way
        owner.stepper.agent()
    owner.stepper.new_episode()
    tracemalloc.start()
    try:
        before, taken = tracemalloc.get_traced_memory()[0], 0
        while taken < steps and not session.episode.done:
            owner.stepper.agent()
            taken += 1
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
        session.close()
    return grown / taken


async def _ui(
    env_id: str, kind: str, seconds: float, presses: int, seed: int = 0, ui_share: list[float] | None = None
) -> tuple[float, list[float]]:
    ui_share = ui_share if ui_share is not None else []
    from rltui.envs.session import HUMAN
    from rltui.ui.app import RLTuiApp

    session, agent = _fresh(env_id, kind, seed)
    app = RLTuiApp(session, agent)
    latencies: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        await pilot.press("tab", "f")
        await asyncio.sleep(WARM_UP)
        start, first, cpu = time.perf_counter(), session.total_steps, time.thread_time()
        await asyncio.sleep(seconds)
        steps, elapsed = session.total_steps - first, time.perf_counter() - start
        ui_share.append((time.thread_time() - cpu) / elapsed)
        key = screen.session.entry.keys[0].key_list[0]
        for _ in range(presses):
            seq = screen.applied_seq
            t0 = time.perf_counter()
            # As the terminal driver does: a key event, not Pilot's press (which also waits for idle).
            app.post_message(events.Key(key, None))
            while not (screen.applied_seq > seq and screen.snap.status.controller == HUMAN):
                await asyncio.sleep(0.0005)
            latencies.append((time.perf_counter() - t0) * 1000)
            app.post_message(events.Key("f", "f"))  # back to full speed before the next press
            await asyncio.sleep(0.1)
    return steps / elapsed, latencies


REPEAT = 1 / 30
"""Seconds between a held key's repeats in a common terminal."""


async def _realtime(env_id: str, seconds: float, seed: int = 0) -> tuple[float, float, int]:
    """Drive ``env_id`` in real time for ``seconds``: (steps per second of running clock, the
    env's fps, episodes)."""
    from rltui.envs import catalog
    from rltui.envs.session import Session
    from rltui.ui.app import RLTuiApp

    entry = catalog.resolve(env_id)
    session = Session(entry, seed=seed)
    app = RLTuiApp(session)
    steps = 0
    clock = 0.0
    episodes = 0
    async with app.run_test(size=(120, 40)) as pilot:
        owner = app.screen.playalong
        if not owner.realtime:
            await pilot.press("ctrl+t")
        keys = [ak.key_list[0] for ak in entry.keys]
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            if session.episode.done:
                first, latest, frames = owner.clock.frame_times or (0.0, 0.0, 0)
                steps, clock, episodes = steps + frames - 1, clock + latest - first, episodes + 1
                await pilot.press("r")
                while session.episode.done:
                    await asyncio.sleep(REPEAT)
            side = keys[int((time.perf_counter() - start) / 0.3) % len(keys)]
            app.post_message(events.Key(side, None))
            await asyncio.sleep(REPEAT)
    return (steps / clock if clock else 0.0), owner.fps, episodes


def bench_playalong(
    seconds: float = 5.0,
    env: str = "Taxi-v4",
    kind: str = "q-learning",
    rounds: int = 5,
    verbose: bool = True,
    **_: Any,
) -> dict[str, Any]:
    """Headless and UI runs interleaved, ``rounds`` of each: this machine's speed drifts by
    a quarter between identical runs, so medians of alternating runs are compared."""
    headless: list[float] = []
    ui: list[float] = []
    latencies: list[float] = []
    shares: list[float] = []
    for r in range(rounds):
        headless.append(headless_rate(env, kind, seconds))
        rate, lat = asyncio.run(_ui(env, kind, seconds, presses=20, ui_share=shares))
        ui.append(rate)
        latencies += lat
        if verbose:
            print(
                f"round {r + 1}: headless {headless[-1]:,.0f} steps/s, with the play screen "
                f"{ui[-1]:,.0f} steps/s, key p95 {percentile(lat, 95):.1f} ms",
                flush=True,
            )
    kept, fps, episodes = asyncio.run(_realtime("CartPole-v1", seconds * 2))
    if verbose:
        print(
            f"real time: CartPole kept {kept:.2f} of its {fps:g} steps/s over {episodes} episodes ({kept / fps:.1%})",
            flush=True,
        )
    per_step = timeline_bytes_per_step(env, kind)
    if verbose:
        print(
            f"timeline: {per_step:,.0f} bytes per step, {per_step * EPISODE_RECORD_LIMIT / 1e6:.1f} MB "
            f"at the {EPISODE_RECORD_LIMIT:,}-step cap",
            flush=True,
        )
    h, u = statistics.median(headless), statistics.median(ui)
    pair_ratios = [b / a for a, b in zip(headless, ui)]
    return {
        "bench": "playalong",
        "env": env,
        "agent": kind,
        "seconds": seconds,
        "rounds": rounds,
        "headless_sps": round(h),
        "ui_sps": round(u),
        "ratio": round(u / h, 3),
        "ratio_of_pairs_median": round(statistics.median(pair_ratios), 3),
        "headless_runs": [round(x) for x in headless],
        "ui_runs": [round(x) for x in ui],
        "ui_thread_cpu_share": round(statistics.median(shares), 3),
        "key_latency_p50_ms": round(statistics.median(latencies), 1),
        "key_latency_p95_ms": round(percentile(latencies, 95), 1),
        "key_presses": len(latencies),
        "realtime_env": "CartPole-v1",
        "realtime_fps": round(kept, 2),
        "realtime_target_fps": fps,
        "realtime_episodes": episodes,
        "timeline_bytes_per_step": round(per_step),
        "timeline_mb_at_cap": round(per_step * EPISODE_RECORD_LIMIT / 1e6, 1),
        **machine(),
    }
