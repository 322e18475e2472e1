"""The comparison screen (``rltui compare --watch``): every run as a row, each kind's learning
curve as its runs' mean with a 95% bootstrap band, the solved mark, a run's agent one key away."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual_plotext import PlotextPlot

from rltui.training.compare_live import Arena, ArenaSnapshot
from rltui.ui.format import sig
from rltui.ui.render.palette import ACCENT, BAD, GOOD, INFO, MUTED

REFRESH_SECONDS = 1.0
_STATE_STYLE = {"running": f"bold {ACCENT}", "done": GOOD, "waiting": MUTED, "stopped": MUTED, "failed": BAD}
_CURVE_COLOURS = ("orange", "cyan", "green", "magenta", "yellow", "blue")
"""plotext's own colour names, one per kind, in --agents' order."""


class CompareScreen(Screen):
    """The runs in a table, the kinds' curves over steps."""

    BINDINGS = [
        Binding("o", "open_run", "Play the run's agent"),
        Binding("q", "quit_compare", "Quit (stops the runs, prints the summary)"),
    ]

    def __init__(self, arena: Arena) -> None:
        super().__init__()
        self.arena = arena
        self.latest: ArenaSnapshot | None = None
        self._shown: tuple[ArenaSnapshot, bool] | None = None

    def compose(self) -> ComposeResult:
        plan = self.arena.plan
        budgets = sorted(set(plan.budgets.values()))
        budget = f"{budgets[0]:,}" if len(budgets) == 1 else "/".join(f"{b:,}" for b in budgets)
        yield Static(
            Text.assemble(
                (" Compare ", f"bold black on {INFO}"),
                f"  {plan.env_id} · {', '.join(plan.kinds)} · {plan.seeds} seeds · {budget} steps a run · "
                f"a greedy evaluation every {plan.eval_every:,} steps",
            ),
            id="compare-title",
        )
        table: DataTable = DataTable(id="compare-runs", cursor_type="row", zebra_stripes=True)
        table.add_columns("kind", "seed", "state", "steps", "last evaluation", "solved at")
        yield table
        yield PlotextPlot(id="compare-curve")
        yield Static(id="compare-status")
        yield Footer()

    def on_mount(self) -> None:
        self.set_interval(REFRESH_SECONDS, self.read_arena)
        self.read_arena()

    @work(thread=True, exclusive=True)
    def read_arena(self) -> None:
        """The snapshot (its bands are bootstrapped) off the UI thread."""
        snapshot = self.arena.snapshot()
        self.app.call_from_thread(self.show, snapshot)

    def show(self, snap: ArenaSnapshot) -> None:
        done = self.arena.finished.is_set()
        if (snap, done) == self._shown:
            return
        self._shown = (snap, done)
        self.latest = snap
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        for row in snap.rows:
            last = "" if row.last_eval is None else sig(row.last_eval, 4)
            table.add_row(
                row.kind,
                str(row.seed),
                Text(row.state, style=_STATE_STYLE.get(row.state, "")),
                f"{row.steps:,} / {row.budget:,}",
                last,
                "" if row.solved_step is None else f"{row.solved_step:,}",
                key=f"{row.kind}:{row.seed}",
            )
        if 0 <= cursor < len(snap.rows):
            table.move_cursor(row=cursor)
        self._plot(snap)
        total = len(snap.rows)
        status = Text.assemble(
            (" DONE " if done else " RUNNING ", f"bold black on {GOOD}" if done else f"bold black on {ACCENT}"),
            f"  {snap.done} of {total} runs done · {snap.running} running   o plays the selected run's agent",
        )
        self.query_one("#compare-status", Static).update(status)

    def _plot(self, snap: ArenaSnapshot) -> None:
        plot = self.query_one(PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        plt.xlabel("step")
        plt.ylabel("greedy mean")
        kinds = self.arena.plan.kinds
        if snap.bands:
            plt.title(
                "each kind: the mean of its runs' greedy evaluations, thin: its 95% bootstrap band"
                + (", upright: its published budget" if self.budget_marks() else "")
            )
        else:
            plt.title("the curves appear with the first evaluations")
        for band in snap.bands:
            colour = _CURVE_COLOURS[kinds.index(band.kind) % len(_CURVE_COLOURS)]
            x = list(band.steps)
            plt.plot(x, list(band.mean), marker="hd", color=colour, label=band.kind)
            if band.low != band.high:
                plt.plot(x, list(band.low), marker="braille", color=colour)
                plt.plot(x, list(band.high), marker="braille", color=colour)
        if self.arena.plan.solved_at is not None and snap.bands:
            plt.hline(self.arena.plan.solved_at, "red")
        if snap.bands:
            top = max([max(b.high) for b in snap.bands] + [self.arena.plan.solved_at or float("-inf")])
            for kind, step in self.budget_marks():
                colour = _CURVE_COLOURS[kinds.index(kind) % len(_CURVE_COLOURS)]
                plt.vline(step, colour)
                plt.text(f"{kind} budget", x=step, y=top, color=colour, alignment="right")
        plot.refresh()

    def budget_marks(self) -> list[tuple[str, int]]:
        """(kind, step) for each kind whose published budget (the catalog's, after
        rl-baselines3-zoo) falls within the runs' steps: a marker on the curves."""
        plan = self.arena.plan
        last = max(plan.budgets.values())
        return [(k, plan.marks[k]) for k in plan.kinds if k in plan.marks and plan.marks[k] <= last]

    def action_open_run(self) -> None:
        snap = self.latest
        table = self.query_one(DataTable)
        if snap is None or not 0 <= table.cursor_row < len(snap.rows):
            return
        row = snap.rows[table.cursor_row]
        if row.agent_file is None:
            self.notify(f"{row.kind} seed {row.seed} has no saved agent yet (it is saved when the run ends).")
            return
        from rltui.envs import catalog

        self.app.open_play(catalog.resolve(self.arena.plan.env_id), f"file:{row.agent_file}")  # type: ignore[attr-defined]

    def action_quit_compare(self) -> None:
        self.arena.stop.set()
        self.app.exit()
