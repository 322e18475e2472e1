"""The Rich progress bar and tables of the headless commands."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rltui.core.training import Progress as TrainProgress

console = Console(stderr=False)


def _fmt(x: float | None, spec: str = ".2f") -> str:
    return "—" if x is None else format(x, spec)


class TrainingDisplay:
    """A progress bar with return, epsilon and steps/s, fed by the trainer's callbacks."""

    def __init__(self, env_id: str, kind: str, steps: int | None, episodes: int | None) -> None:
        self.by_episodes = steps is None and episodes is not None
        total = episodes if self.by_episodes else steps
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed:>8.0f}/{task.total:.0f} " + ("episodes" if self.by_episodes else "steps")),
            TextColumn("return [bold]{task.fields[ret]}[/]"),
            TextColumn("eval {task.fields[eval]}"),
            TextColumn("ε {task.fields[eps]}"),
            TextColumn("{task.fields[sps]} steps/s"),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        )
        self.task = self.progress.add_task(f"{kind} on {env_id}", total=total,
                                           ret="—", eval="—", eps="—", sps="—")

    def start(self) -> None:
        self.progress.start()

    def stop(self) -> None:
        self.progress.stop()

    def update(self, p: TrainProgress) -> None:
        self.progress.update(
            self.task,
            completed=p.episodes if self.by_episodes else p.steps,
            ret=_fmt(p.mean_return),
            eval=_fmt(p.eval_return),
            eps=_fmt(p.epsilon, ".3f"),
            sps=_fmt(p.steps_per_second, ",.0f"),
        )


def print_summary(title: str, summary: dict[str, Any], agent: Any | None = None) -> None:
    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column(style="dim")
    table.add_column(style="bold")
    for key, value in summary.items():
        if value is None:
            continue
        if isinstance(value, float):
            value = f"{value:,.4g}" if abs(value) < 1e5 else f"{value:,.0f}"
        table.add_row(key.replace("_", " "), str(value))
    if agent is not None:
        table.add_row("epsilon now", f"{agent.epsilon:.3f}")
    console.print(table)
