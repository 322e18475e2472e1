"""What the comparison's watch screen shows, as plain data (:mod:`rltui.training.compare`): each
run's row and each kind's band, kept up to date as runs report."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from rltui.training.compare import Plan, RunResult
from rltui.training.compare_stats import interval, mean_of

# ---- live view --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunRow:
    kind: str
    seed: int
    state: str
    """``waiting``, ``running``, ``done`` (kept in the store) or ``stopped``."""
    steps: int
    budget: int
    last_eval: float | None
    solved_step: int | None
    agent_file: str | None


@dataclass(frozen=True)
class Band:
    """One kind's learning curve: the mean greedy return of its runs at each evaluation, with
    a 95% bootstrap band (a run that ended keeps its last evaluation from there on)."""

    kind: str
    steps: tuple[int, ...]
    mean: tuple[float, ...]
    low: tuple[float, ...]
    high: tuple[float, ...]


@dataclass(frozen=True)
class ArenaSnapshot:
    rows: tuple[RunRow, ...]
    bands: tuple[Band, ...]
    done: int
    running: int


class Arena:
    """A comparison as it runs: every run's state and curve, written by whoever runs them
    (threads here, or the lines a worker process prints) and read by the watch screen."""

    def __init__(self, plan: Plan, finished: list[RunResult]) -> None:
        self.plan = plan
        self.stop = threading.Event()
        self.finished = threading.Event()
        self._lock = threading.Lock()
        self._rows: dict[tuple[str, int], dict[str, Any]] = {}
        for kind, seed in plan.runs():
            self._rows[(kind, seed)] = {"state": "waiting", "steps": 0, "curve": [], "result": None}
        for r in finished:
            if (r.kind, r.seed) in self._rows:
                self._rows[(r.kind, r.seed)].update(state="done", steps=r.steps, curve=list(r.curve), result=r)

    def started(self, kind: str, seed: int) -> None:
        with self._lock:
            self._rows[(kind, seed)].update(state="running", steps=0, curve=[])

    def stepped(self, kind: str, seed: int, steps: int) -> None:
        with self._lock:
            self._rows[(kind, seed)]["steps"] = steps

    def evaluated(self, kind: str, seed: int, step: int, mean: float) -> None:
        with self._lock:
            row = self._rows[(kind, seed)]
            row["curve"].append((step, mean))
            row["steps"] = max(row["steps"], step)

    def ended(self, kind: str, seed: int, result: RunResult | None) -> None:
        with self._lock:
            row = self._rows[(kind, seed)]
            if result is None:
                row["state"] = "stopped" if self.stop.is_set() else "failed"
            else:
                row.update(state="done", steps=result.steps, curve=list(result.curve), result=result)

    def snapshot(self, resamples: int = 200) -> ArenaSnapshot:
        with self._lock:
            rows = []
            curves: dict[str, list[list[tuple[int, float]]]] = {k: [] for k in self.plan.kinds}
            for (kind, seed), row in self._rows.items():
                result = row["result"]
                curve = row["curve"]
                rows.append(
                    RunRow(
                        kind,
                        seed,
                        row["state"],
                        int(row["steps"]),
                        self.plan.budgets[kind],
                        (result.final if result is not None else curve[-1][1] if curve else None),
                        None if result is None else result.solved_step,
                        None if result is None else result.agent_file,
                    )
                )
                if curve or result is not None:
                    curves[kind].append(list(curve) + ([(result.steps, result.final)] if result is not None else []))
        bands = tuple(b for k in self.plan.kinds if (b := self._band(k, curves[k], resamples)) is not None)
        done = sum(r.state == "done" for r in rows)
        return ArenaSnapshot(tuple(rows), bands, done, sum(r.state == "running" for r in rows))

    def _band(self, kind: str, curves: list[list[tuple[int, float]]], resamples: int) -> Band | None:
        if not curves:
            return None
        every = self.plan.eval_every
        filled = []
        for curve in curves:  # each evaluation at its place on the one schedule (the last one wins)
            at = {max(1, math.ceil(step / every)): value for step, value in curve}
            filled.append(at)
        width = max(max(at) for at in filled)
        grid = [every * (i + 1) for i in range(width)]
        values = np.array([_carried(at, width) for at in filled], dtype=float)
        mean = values.mean(axis=0)
        low, high = mean.copy(), mean.copy()
        if len(curves) >= 2:
            for i in range(width):
                ci = interval((values[:, i],), mean_of, i, resamples)
                if ci is not None:
                    low[i], high[i] = ci
        return Band(kind, tuple(grid), tuple(map(float, mean)), tuple(map(float, low)), tuple(map(float, high)))


def _carried(at: dict[int, float], width: int) -> list[float]:
    """Values at places 1..width: each place's own, else the one before it (a run that ended
    keeps its last figure), else the first one it has."""
    first = at[min(at)]
    out, last = [], first
    for i in range(1, width + 1):
        last = at.get(i, last)
        out.append(last)
    return out
