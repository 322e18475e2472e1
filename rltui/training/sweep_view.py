"""A running sweep as the sweep screen (``rltui tune --watch``) shows it: every trial, the
best one's learning curve and agent, read from the study without waiting for it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from rltui.training.tuning import best_trial, optuna_module


@dataclass(frozen=True)
class TrialRow:
    """One trial as the sweep screen lists it."""

    number: int
    state: str
    """``running``, ``complete``, ``pruned`` or ``fail``."""
    value: float | None
    """Its result (the final greedy mean), once complete."""
    last_step: int | None
    """The step of its latest periodic evaluation."""
    last_eval: float | None
    settings: dict[str, str]


@dataclass(frozen=True)
class SweepSnapshot:
    """A study's state for the screen: every trial, the best one's learning curve."""

    rows: tuple[TrialRow, ...]
    finished: int
    pruned: int
    running: int
    best_number: int | None
    best_value: float | None
    best_curve: tuple[tuple[int, float], ...]
    """(step, greedy mean) of the best trial's periodic evaluations."""
    best_agent: str | None
    """The file its agent was saved to (None: not saved, or gone)."""


def sweep_snapshot(study: Any) -> SweepSnapshot:
    """What the sweep screen shows, read from the study's storage (every process's trials)."""
    from pathlib import Path

    optuna = optuna_module()
    states = optuna.trial.TrialState
    names = {
        states.RUNNING: "running",
        states.COMPLETE: "complete",
        states.PRUNED: "pruned",
        states.FAIL: "fail",
        states.WAITING: "waiting",
    }
    rows = []
    trials = study.get_trials(deepcopy=False)
    for t in trials:
        last = max(t.intermediate_values, default=None)
        rows.append(
            TrialRow(
                t.number,
                names.get(t.state, t.state.name.lower()),
                t.value,
                last,
                None if last is None else float(t.intermediate_values[last]),
                dict(t.user_attrs.get("settings", {})),
            )
        )
    best = best_trial(trials)
    count = {name: sum(r.state == name for r in rows) for name in ("complete", "pruned", "running")}
    curve: tuple[tuple[int, float], ...] = ()
    agent = None
    if best is not None:
        curve = tuple((int(k), float(v)) for k, v in sorted(best.intermediate_values.items()))
        path = best.user_attrs.get("agent_file")
        agent = path if isinstance(path, str) and Path(path).is_file() else None
    return SweepSnapshot(
        tuple(rows),
        count["complete"],
        count["pruned"],
        count["running"],
        None if best is None else best.number,
        None if best is None else float(best.value),
        curve,
        agent,
    )


@dataclass
class SweepView:
    """A running sweep, as the app watches it (``rltui tune --watch``): the study to read, what
    it tunes, and the events that say it finished or should stop."""

    study: Any
    entry: Any
    kind: str
    budget: int
    name: str
    trials: int
    """Trials this run set out to add."""
    stop: threading.Event
    finished: threading.Event

    def snapshot(self) -> SweepSnapshot:
        return sweep_snapshot(self.study)
