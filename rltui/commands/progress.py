"""The Rich progress bar and tables of the headless commands."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rltui.training.loop import Progress as TrainProgress

console = Console(stderr=False)


def _fmt(x: float | None, spec: str = ".2f") -> str:
    return "—" if x is None else format(x, spec)


class TrainingDisplay:
    """Progress fed by the trainer's callbacks: a Rich bar on a terminal, a plain line every
    few seconds otherwise (a log file, CI). With ``to_stderr`` (``--json``) it keeps off stdout,
    whose last line is the JSON object."""

    def __init__(
        self, env_id: str, kind: str, steps: int | None, episodes: int | None, to_stderr: bool = False
    ) -> None:
        self.console = Console(stderr=True) if to_stderr else console
        self.by_episodes = steps is None and episodes is not None
        self.total = episodes if self.by_episodes else steps
        self.unit = "episodes" if self.by_episodes else "steps"
        self.title = f"{kind} on {env_id}"
        self.live = self.console.is_terminal
        self._printed_at = 0.0
        width = self.console.width
        columns: list[Any] = []
        if width >= 100:
            columns.append(TextColumn("[bold]{task.description}"))
        # The bar takes what the figures leave, so the line fits the terminal whole.
        columns += [
            BarColumn(bar_width=max(10, min(40, width - (92 if width >= 100 else 72)))),
            TextColumn("{task.completed:>9,.0f}/{task.total:,.0f} " + self.unit),
            TextColumn(
                "return [bold]{task.fields[ret]}[/] eval {task.fields[eval]} ε {task.fields[eps]} {task.fields[sps]}/s"
            ),
            TimeElapsedColumn(),
        ]
        self.progress = Progress(*columns, console=self.console, transient=False)
        self.task = self.progress.add_task(self.title, total=self.total, ret="—", eval="—", eps="—", sps="—")

    def start(self) -> None:
        if self.live:
            self.progress.start()
        else:
            self.console.print(f"Training {self.title}…", highlight=False)

    def stop(self) -> None:
        if self.live:
            self.progress.stop()

    def update(self, p: TrainProgress) -> None:
        done = p.episodes if self.by_episodes else p.steps
        fields = {
            "ret": _fmt(p.mean_return),
            "eval": _fmt(p.eval_return),
            "eps": _fmt(p.epsilon, ".3f"),
            "sps": _fmt(p.steps_per_second, ",.0f"),
        }
        if self.live:
            self.progress.update(self.task, completed=done, **fields)
            return
        now = time.monotonic()
        if now - self._printed_at >= PLAIN_INTERVAL:
            self._printed_at = now
            total = "" if self.total is None else f"/{self.total:,}"
            self.console.print(
                f"{self.title}: {done:,}{total} {self.unit}, return {fields['ret']}, eval {fields['eval']}, "
                f"ε {fields['eps']}, {fields['sps']} steps/s, {p.seconds:.0f} s",
                highlight=False,
            )


PLAIN_INTERVAL = 5.0
"""Seconds between progress lines when there is no terminal to redraw a bar on."""


@contextmanager
def interrupt_stops() -> Iterator[threading.Event]:
    """An event that Ctrl+C sets, so training ends after its current step and what was learned
    can be saved; a second Ctrl+C interrupts at once, as usual."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return

    def first(signum: int, frame: Any) -> None:
        stop.set()
        signal.signal(signal.SIGINT, signal.default_int_handler)

    previous = signal.signal(signal.SIGINT, first)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGINT, previous)


LABELS = {"best_step": "weights kept from step"}
"""Summary keys whose JSON name says less to a person than a phrase does."""


def print_summary(title: str, summary: dict[str, Any], agent: Any | None = None) -> None:
    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column(style="dim")
    table.add_column(style="bold")
    for key, value in summary.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, float):
            value = f"{value:,.4g}" if abs(value) < 1e5 else f"{value:,.0f}"
        elif isinstance(value, int):
            value = f"{value:,}"
        table.add_row(LABELS.get(key, key.replace("_", " ")), str(value))
    if agent is not None and agent.epsilon is not None:
        table.add_row("epsilon now", f"{agent.epsilon:.3f}")
    for key, value in (agent.last_metrics if agent is not None else {}).items():  # its last update's
        table.add_row(key.replace("_", " "), f"{value:,.4g}")
    console.print(table)
