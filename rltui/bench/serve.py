"""``rltui bench serve``: N visitors at once on ``rltui serve --token``, each a websocket client
speaking textual-serve's protocol (what its page's JavaScript sends: ``["stdin", keys]``,
``["resize", ...]``; the screen comes back as binary frames of terminal output).

For each N in ``visitors`` (default 1, 2, 4, 8): a fresh server (its own process), N visitors
that sign in with the token, open the websocket at once and wait for the first screen (the
launcher drawn: at least 4 KB of output), then each presses down and up alternately for
``seconds``; a key's latency is from sending it to the first frame of output after it.
Memory per visitor is the resident memory of the visitors' app processes (their /proc status,
proportional set size where the kernel gives it), over N.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rltui.bench.common import machine, percentile

FIRST_SCREEN_BYTES = 4096
KEYS = ("\x1b[B", "\x1b[A")  # down, up: the launcher's highlight moves, a redraw
P95_GOAL_MS = 200.0


def bench_serve(seconds: float = 5.0, visitors: str | None = None, verbose: bool = True, **_: Any) -> dict[str, Any]:
    counts = [int(n) for n in (visitors or "1,2,4,8").split(",")]
    rows = []
    for n in counts:
        row = asyncio.run(_round(n, seconds))
        rows.append(row)
        if verbose:
            print(
                f"{n} visitors: first screen median {row['first_screen_s_median']:.2f} s "
                f"(max {row['first_screen_s_max']:.2f}), key p50 {row['key_ms_p50']:.0f} ms "
                f"p95 {row['key_ms_p95']:.0f} ms, {row['rss_mb_per_visitor']:.0f} MB a visitor",
                flush=True,
            )
    held = [r["visitors"] for r in rows if r["key_ms_p95"] <= P95_GOAL_MS and r["failed"] == 0]
    return {
        "bench": "serve",
        "machine": machine(),
        "seconds": seconds,
        "rows": rows,
        "largest_n_with_p95_at_most_200ms": max(held) if held else 0,
    }


def _start_server(root: Path) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "rltui", "serve", "--token", "--port", str(_free_port()), "--root", str(root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=env,
    )
    assert server.stdout is not None
    found = None
    for _ in range(5):  # a note or two may come first
        line = server.stdout.readline()
        found = re.search(r"(http://\S+\?token=\S+)", line)
        if found or not line:
            break
    if not found:
        server.kill()
        raise RuntimeError(f"rltui serve did not start: {line!r}")
    return server, found.group(1)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _round(n: int, seconds: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as root:
        server, url = _start_server(Path(root))
        try:
            await _wait_up(url)
            peak = [0.0]

            async def watch() -> None:
                while True:
                    peak[0] = max(peak[0], _visitors_memory_mb(server.pid))
                    await asyncio.sleep(0.5)

            watcher = asyncio.create_task(watch())
            results = await asyncio.gather(*(_visitor(url, seconds) for _ in range(n)), return_exceptions=True)
            watcher.cancel()
            ok = [r for r in results if isinstance(r, dict)]
            rss = peak[0]
        finally:
            server.terminate()
            server.wait(timeout=30)
    firsts = [r["first_screen_s"] for r in ok]
    keys = [k for r in ok for k in r["key_ms"]]
    return {
        "visitors": n,
        "failed": n - len(ok),
        "first_screen_s_median": percentile(firsts, 50) if firsts else float("nan"),
        "first_screen_s_max": max(firsts) if firsts else float("nan"),
        "key_ms_p50": percentile(keys, 50) if keys else float("nan"),
        "key_ms_p95": percentile(keys, 95) if keys else float("nan"),
        "keys": len(keys),
        "rss_mb_per_visitor": rss / max(1, n),
    }


async def _wait_up(url: str) -> None:
    import aiohttp

    deadline = time.monotonic() + 30
    while True:
        try:
            async with aiohttp.ClientSession() as http, http.get(url) as r:
                if r.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("rltui serve did not answer in 30 s")
        await asyncio.sleep(0.1)


async def _visitor(url: str, seconds: float) -> dict[str, Any]:
    import aiohttp

    base = url.split("?")[0].rstrip("/")
    token = url.split("token=")[1]
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        start = time.monotonic()
        async with http.get(url) as r:
            await r.read()
        async with http.ws_connect(f"{base}/ws?token={token}&width=120&height=36") as ws:
            await ws.send_json(["resize", {"width": 120, "height": 36}])
            received = 0
            while received < FIRST_SCREEN_BYTES:
                message = await asyncio.wait_for(ws.receive(), 120)
                if message.type != aiohttp.WSMsgType.BINARY:
                    raise RuntimeError(f"the app ended before its first screen ({message.type})")
                received += len(message.data)
            first = time.monotonic() - start
            await _quiet(ws, 0.5)
            latencies = []
            end = time.monotonic() + seconds
            i = 0
            while time.monotonic() < end:
                sent = time.monotonic()
                await ws.send_json(["stdin", KEYS[i % 2]])
                i += 1
                message = await asyncio.wait_for(ws.receive(), 30)
                if message.type == aiohttp.WSMsgType.BINARY:
                    latencies.append((time.monotonic() - sent) * 1000)
                await _quiet(ws, 0.25)  # the rest of the redraw, and a person's pause
    return {"first_screen_s": first, "key_ms": latencies}


async def _quiet(ws: Any, pause: float) -> None:
    """Read whatever comes for ``pause`` seconds."""
    end = time.monotonic() + pause
    while (left := end - time.monotonic()) > 0:
        try:
            await asyncio.wait_for(ws.receive(), left)
        except TimeoutError:
            return


def _visitors_memory_mb(server_pid: int) -> float:
    """The resident memory (Pss where the kernel gives it) of the server's child processes."""
    total = 0.0
    for pid in _descendants(server_pid):
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
            key = "Pss:"
        except OSError:
            try:
                text = Path(f"/proc/{pid}/status").read_text()
                key = "VmRSS:"
            except OSError:
                continue
        for line in text.splitlines():
            if line.startswith(key):
                total += int(line.split()[1]) / 1024
                break
    return total


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{parent}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                children = Path(f"/proc/{parent}/task/{task}/children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                found.append(child)
                todo.append(child)
    return found
