"""How ``rltui compare`` runs its (kind, seed) runs: one after another in this process,
``--jobs`` worker processes at a time (each ``compare ... --worker-run KIND:SEED``, speaking a
JSON line per evaluation), or as Ray tasks; each run's progress goes into the
:class:`rltui.training.compare_live.Arena` and its result to ``say`` (which keeps the store)."""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any


def worker_argv(args: argparse.Namespace, kind: str, seed: int, save: Path | None) -> list[str]:
    argv = ["compare", args.env, "--agents", args.agents, "--seeds", str(args.seeds), "--worker-run", f"{kind}:{seed}"]
    if args.steps is not None:
        argv += ["--steps", str(args.steps)]
    for text in args.settings or []:
        argv += ["--set", text]
    if save is not None:
        argv += ["--worker-save", str(save)]
    return argv


def worker(args: argparse.Namespace, plan: Any) -> int:
    """One run in this process (``--jobs``' processes, Ray's tasks): a JSON line per evaluation,
    then one with the result."""
    from rltui.training.compare import result_json, run_one, watch_parent

    kind, _, seed = args.worker_run.rpartition(":")
    stop = threading.Event()
    watch_parent(stop)

    def line(obj: dict[str, Any]) -> None:
        print(json.dumps(obj), flush=True)

    try:
        result = run_one(
            plan,
            kind,
            int(seed),
            stop,
            on_eval=lambda s, m: line({"eval": [s, m]}),
            on_steps=lambda s: line({"steps": s}),
            save_to=args.worker_save,
        )
    except KeyboardInterrupt:
        result = None
    line({"result": None if result is None else result_json(result)})
    return 0


def follow(lines: Any, kind: str, seed: int, arena: Any) -> Any:
    """Read a worker's lines into the arena; the result it ended with (None: none)."""
    from rltui.training.compare import result_from_json

    result = None
    for text in lines:
        try:
            obj = json.loads(text)
        except ValueError:
            continue
        if "eval" in obj:
            arena.evaluated(kind, seed, int(obj["eval"][0]), float(obj["eval"][1]))
        elif "steps" in obj:
            arena.stepped(kind, seed, int(obj["steps"]))
        elif obj.get("result") is not None:
            result = result_from_json(obj["result"])
    return result


def run_here(plan: Any, todo: list[tuple[str, int]], arena: Any, say: Any, agents_dir: Path) -> None:
    from rltui.training.compare import run_one

    for kind, seed in todo:
        if arena.stop.is_set():
            return
        arena.started(kind, seed)
        agents_dir.mkdir(parents=True, exist_ok=True)

        def evaluated(step: int, mean: float, k: str = kind, d: int = seed) -> None:
            arena.evaluated(k, d, step, mean)

        def stepped(step: int, k: str = kind, d: int = seed) -> None:
            arena.stepped(k, d, step)

        result = run_one(
            plan,
            kind,
            seed,
            arena.stop,
            on_eval=evaluated,
            on_steps=stepped,
            save_to=str(agents_dir / f"{kind}-seed{seed}"),
        )
        arena.ended(kind, seed, result)
        say(kind, seed, result)


def run_processes(
    args: argparse.Namespace, plan: Any, todo: list[tuple[str, int]], arena: Any, say: Any, agents_dir: Path
) -> None:
    """``--jobs`` worker processes at a time, each one run (``compare ... --worker-run``)."""
    import signal

    agents_dir.mkdir(parents=True, exist_ok=True)
    queue = list(todo)
    lock = threading.Lock()
    procs: list[subprocess.Popen[str]] = []

    def lane() -> None:
        while not arena.stop.is_set():
            with lock:
                if not queue:
                    return
                kind, seed = queue.pop(0)
            arena.started(kind, seed)
            argv = worker_argv(args, kind, seed, agents_dir / f"{kind}-seed{seed}")
            proc = subprocess.Popen(
                [sys.executable, "-m", "rltui", *argv], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
            )
            with lock:
                procs.append(proc)
            assert proc.stdout is not None
            result = follow(proc.stdout, kind, seed, arena)
            proc.wait()
            arena.ended(kind, seed, result)
            with lock:
                say(kind, seed, result)

    lanes = [threading.Thread(target=lane, daemon=True) for _ in range(args.jobs)]
    for t in lanes:
        t.start()
    try:
        for t in lanes:
            while t.is_alive():
                t.join(0.5)
    except KeyboardInterrupt:
        arena.stop.set()
    if arena.stop.is_set():
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for t in lanes:
            t.join()


def run_ray(
    ray: Any, task: Any, args: argparse.Namespace, plan: Any, todo: list[tuple[str, int]], arena: Any, say: Any
) -> None:
    """Every run as a Ray task (Ray runs as many at once as it has CPUs); the results come
    back here, which keeps the store (a cluster's machines need not reach it)."""
    remote = ray.remote(num_cpus=1)(task)
    refs = {}
    for kind, seed in todo:
        refs[remote.remote(worker_argv(args, kind, seed, None))] = (kind, seed)
        arena.started(kind, seed)
    waiting = list(refs)
    try:
        while waiting and not arena.stop.is_set():
            ready, waiting = ray.wait(waiting, num_returns=1, timeout=0.5)
            for ref in ready:
                kind, seed = refs[ref]
                try:
                    _, out = ray.get(ref)
                except Exception:  # a task that failed or was cancelled
                    out = ""
                result = follow(out.splitlines(), kind, seed, arena)
                arena.ended(kind, seed, result)
                say(kind, seed, result)
    finally:
        for ref in waiting:
            with contextlib.suppress(Exception):
                ray.cancel(ref)
