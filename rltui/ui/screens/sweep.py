"""The sweep screen (``rltui tune --watch``): a study's trials as they run, the best trial's
learning curve, and its agent one key away in the play screen."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual_plotext import PlotextPlot

from rltui.training.sweep_view import SweepSnapshot, SweepView
from rltui.ui.format import sig
from rltui.ui.render.palette import ACCENT, BAD, GOOD, INFO, MUTED

REFRESH_SECONDS = 1.0
_STATE_STYLE = {"running": f"bold {ACCENT}", "complete": GOOD, "pruned": MUTED, "fail": BAD}


def _settings(settings: dict[str, str]) -> str:
    out = []
    for key, value in settings.items():
        try:
            number = float(value)
            text = value if number.is_integer() and "." not in value else sig(number, 3)
        except ValueError:
            text = value
        out.append(f"{key}={text}")
    return " ".join(out)


class SweepScreen(Screen):
    """Trials in a table (newest first), the best one's greedy evaluations over its steps."""

    BINDINGS = [
        Binding("o", "open_best", "Play the best agent"),
        Binding("q", "quit_sweep", "Quit (stops the sweep)"),
    ]

    def __init__(self, view: SweepView) -> None:
        super().__init__()
        self.view = view
        self.latest: SweepSnapshot | None = None
        self._shown: tuple[SweepSnapshot, bool] | None = None

    def compose(self) -> ComposeResult:
        v = self.view
        yield Static(
            Text.assemble(
                (f" Sweep {v.name} ", f"bold black on {INFO}"),
                f"  {v.entry.id} · {v.kind} · {v.budget:,} steps a trial · {v.trials} trials this run",
            ),
            id="sweep-title",
        )
        table: DataTable = DataTable(id="sweep-trials", cursor_type="row", zebra_stripes=True)
        table.add_columns("trial", "state", "result", "latest eval", "settings")
        yield table
        yield PlotextPlot(id="sweep-curve")
        yield Static(id="sweep-status")
        yield Footer()

    def on_mount(self) -> None:
        self.set_interval(REFRESH_SECONDS, self.read_study)
        self.read_study()

    @work(thread=True, exclusive=True)
    def read_study(self) -> None:
        """Read the study off the UI thread (its storage is a database) and show it."""
        snapshot = self.view.snapshot()
        self.app.call_from_thread(self.show, snapshot)

    def show(self, snap: SweepSnapshot) -> None:
        done = self.view.finished.is_set()
        if (snap, done) == self._shown:
            return  # nothing new in the study: the table and plot stay as drawn
        self._shown = (snap, done)
        self.latest = snap
        table = self.query_one(DataTable)
        table.clear()
        for row in sorted(snap.rows, key=lambda r: r.number, reverse=True):
            result = "" if row.value is None or row.state != "complete" else sig(row.value, 4)
            latest = "" if row.last_step is None else f"{sig(row.last_eval, 4)} at {row.last_step:,}"
            mark = "★ " if row.number == snap.best_number else ""
            table.add_row(
                f"{mark}{row.number}",
                Text(row.state, style=_STATE_STYLE.get(row.state, "")),
                result,
                latest,
                _settings(row.settings),
                key=str(row.number),
            )
        self._plot(snap)
        best = "none yet" if snap.best_value is None else f"{sig(snap.best_value, 4)} (trial {snap.best_number})"
        status = Text.assemble(
            (" DONE " if done else " RUNNING ", f"bold black on {GOOD}" if done else f"bold black on {ACCENT}"),
            f"  {snap.finished} finished · {snap.pruned} pruned · {snap.running} running · best {best}",
        )
        if snap.best_agent is not None:
            status.append("   o plays the best agent")
        self.query_one("#sweep-status", Static).update(status)

    def _plot(self, snap: SweepSnapshot) -> None:
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.xlabel("step")
        plt.ylabel("greedy mean")
        if snap.best_curve:
            x = [s for s, _ in snap.best_curve]
            y = [m for _, m in snap.best_curve]
            plt.title(f"best trial {snap.best_number}: greedy evaluations")
            plt.plot(x, y, marker="braille", color="orange")
            plt.scatter(x, y, marker="dot", color="orange")
        else:
            plt.title("the best trial's curve appears when a trial finishes")
        if self.view.entry.solved_at is not None and snap.best_curve:
            plt.hline(self.view.entry.solved_at, "red")
        plot.refresh()

    def action_open_best(self) -> None:
        snap = self.latest
        if snap is None or snap.best_agent is None:
            self.notify("No finished trial has a saved agent yet.", title="Nothing to play")
            return
        self.app.open_play(self.view.entry, f"file:{snap.best_agent}")

    def action_quit_sweep(self) -> None:
        self.view.stop.set()
        self.app.exit()
