"""The other processes of a sweep: ``tune --jobs`` starts them as processes, ``tune --ray`` as Ray
tasks; each runs its share of the trials on the one study (``tune ... --worker I``)."""

from __future__ import annotations

import argparse
import os
import sys
import threading
from typing import Any

from rltui.commands.common import UsageError


def _worker_file(save_to: Any, i: int) -> Any:
    return save_to.with_name(f".{save_to.stem}.job{i}{save_to.suffix}")


def start_ray(address: str) -> Any:
    """Ray, connected to the cluster at ``address`` or started here (``""``).

    Raises:
        UsageError: Ray is not installed, or the cluster cannot be reached (one sentence).
    """
    from rltui.extras import missing

    try:
        import ray
    except ImportError:
        raise UsageError(missing("rltui tune --ray", "ray")) from None
    _reachable(address)
    quiet = os.open(os.devnull, os.O_WRONLY)
    stderr = os.dup(2)
    os.dup2(quiet, 2)  # Ray's C++ core logs each failed attempt to connect to fd 2; one sentence is ours
    try:
        ray.init(
            address=address or None,
            include_dashboard=False,
            log_to_driver=False,
            ignore_reinit_error=True,
            configure_logging=False,
        )
    except Exception as exc:  # Ray's own connection errors: said in one sentence
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:160]
        where = f"at {address[:80]}" if address else "on this machine"
        raise UsageError(f"Ray {where} cannot be used: {first}") from None
    finally:
        os.dup2(stderr, 2)
        os.close(stderr)
        os.close(quiet)
    return ray


def _reachable(address: str, seconds: float = 5.0) -> None:
    """Refuse, in one sentence and within seconds, a ``host:port`` nothing answers on (Ray
    itself retries for minutes before it gives up)."""
    import socket

    text = address.removeprefix("ray://")
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        return  # "auto", or a form Ray resolves itself
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=seconds).close()
    except OSError as exc:
        raise UsageError(f"Ray at {address[:80]} cannot be reached: {exc.strerror or exc}.") from None


class _RayTask:
    """A Ray task that answers as a worker process does (``poll``, ``communicate``, ``returncode``)."""

    def __init__(self, ray: Any, ref: Any, save_file: Any) -> None:
        self.ray, self.ref, self.save_file = ray, ref, save_file
        self.returncode: int | None = None
        self._out = ""

    def poll(self) -> int | None:
        if self.returncode is None and self.ray.wait([self.ref], timeout=0)[0]:
            self.communicate()
        return self.returncode

    def communicate(self) -> tuple[str, None]:
        if self.returncode is None:
            try:
                self.returncode, self._out = self.ray.get(self.ref)
            except Exception:  # a task that failed or was cancelled
                self.returncode = 1
        return self._out, None

    def send_signal(self, _signal: int) -> None:
        self.ray.cancel(self.ref)


def start_workers(
    args: argparse.Namespace,
    url: str,
    name: str,
    budget: int,
    shares: list[int],
    save_to: Any,
    ray: Any = None,
    task: Any = None,
) -> list[Any]:
    """The other ``--jobs`` processes (or Ray tasks): each runs its share of the trials on the
    same study (its sampler seeded apart) and prints one JSON line when done. A process stops
    when this one goes. With ``ray``, ``task`` (``argv -> (exit code, what it printed)``, the
    tune command's :func:`~rltui.commands.tune.run_share`) runs each share as a Ray task."""
    import subprocess

    remote = ray.remote(num_cpus=1)(task) if ray is not None else None
    workers: list[Any] = []
    for i, share in enumerate(shares[1:], start=1):
        if not share:
            continue
        argv = [
            "tune",
            args.env,
            "--agent",
            args.agent,
            "--trials",
            str(share),
            "--budget",
            str(budget),
            "--storage",
            url,
            "--study",
            name,
            "--seed",
            str(args.seed),
            "--worker",
            str(i),
            "--json",
        ]
        for text in args.space or []:
            argv += ["--space", text]
        save_file = None if save_to is None else _worker_file(save_to, i)
        if save_file is not None:
            argv += ["--save-best", str(save_file)]
        if remote is not None:
            workers.append(_RayTask(ray, remote.remote(argv), save_file))
            continue
        worker = subprocess.Popen(
            [sys.executable, "-m", "rltui", *argv], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        worker.save_file = save_file  # type: ignore[attr-defined]
        workers.append(worker)
    return workers


def gather(workers: list[Any], save_to: Any, saved: list[float]) -> tuple[list[float], int]:
    """Wait for the other processes; move the best agent any of them saved to ``save_to`` when
    it beats this process's (``saved``), and remove their files. (The value moved, if any; how
    many processes failed.)"""
    import json

    best = saved[-1] if saved else None
    moved: list[float] = []
    failed = 0
    for worker in workers:
        out, _ = worker.communicate()
        failed += worker.returncode not in (0, -2)  # -2: interrupted with the rest (ctrl+c)
        lines = (out or "").strip().splitlines()
        try:
            value = json.loads(lines[-1]).get("saved_value") if lines else None
        except ValueError:
            value = None
        path = worker.save_file
        if path is None or not path.exists():
            continue
        if value is not None and (best is None or value > best):
            path.replace(save_to)  # one rename: the file at save_to is always whole
            best = value
            moved = [value]
        else:
            path.unlink()
    return moved, failed


def work(study: Any, run: Any, trials: int, stop: threading.Event, saved: list[float]) -> int:
    """One of ``--jobs``' other processes: its trials, then one JSON line (what it saved). It
    stops after the running trial when the process that started it is gone (killed)."""
    import json
    import os

    parent = os.getppid()

    def watch() -> None:
        while not stop.wait(1.0):
            if os.getppid() != parent:
                stop.set()

    threading.Thread(target=watch, daemon=True).start()
    try:
        study.optimize(
            run, n_trials=trials, gc_after_trial=False, callbacks=[lambda study, trial: stop.is_set() and study.stop()]
        )
    except KeyboardInterrupt:
        stop.set()
    print(json.dumps({"saved_value": saved[-1] if saved else None}), flush=True)
    return 0
