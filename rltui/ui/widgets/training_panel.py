"""The Training panel: who drives, how learning goes, and a plot of returns."""

from __future__ import annotations

import math
import time

from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.containers import Horizontal
from textual.widgets import Static
from textual_plotext import PlotextPlot

from agents.registry import BY_NAME
from rltui.envs.session import HUMAN
from rltui.live.snapshot import Snapshot
from rltui.ui.format import rows, sig
from rltui.ui.render.palette import ACCENT, GOOD, INFO
from rltui.ui.render.returns_plot import ReturnsPlotData, plot_data
from rltui.ui.render.ticks import nice_ticks
from rltui.ui.widgets.panel import SnapshotPanel

PLOT_INTERVAL = 0.5
FULL_SPEED_PLOT_INTERVAL = 3.0
"""Plotext takes tens of milliseconds a plot: at full speed that time is the agent's."""


def controller_badge(snap: Snapshot) -> Text:
    """HUMAN, AGENT learning or AGENT greedy, as the panel and the status line show it."""
    badge = Text()
    if snap.status.controller == HUMAN:
        badge.append(" HUMAN ", style=f"bold black on {INFO}")
    elif snap.status.learning:
        badge.append(" AGENT learning ", style=f"bold black on {ACCENT}")
    else:
        badge.append(" AGENT greedy ", style=f"bold black on {GOOD}")
    return badge


class ReturnsPlot(PlotextPlot):
    """Episode returns, their moving average and the greedy-evaluation returns, with axes."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple[int, ...] | None = None
        self._drawn_at = 0.0
        self._snap: Snapshot | None = None
        self.legend = Text()
        """What each mark means: a line of its own above the plot (one inside would cover data)."""

    def on_resize(self) -> None:
        # The ticks are spaced for the plot's size: draw the last snapshot again, now.
        if self._snap is not None:
            self._shown = None
            self._drawn_at = 0.0
            self.show(self._snap)

    def show(self, snap: Snapshot) -> None:
        self._snap = snap
        training = snap.training
        key = (training.returns[-1][0] if training.returns else -1, len(training.evals), len(training.knob_marks))
        now = time.perf_counter()
        interval = FULL_SPEED_PLOT_INTERVAL if snap.status.full_speed and not snap.status.paused else PLOT_INTERVAL
        if key == self._shown or now - self._drawn_at < interval:
            return
        self._shown, self._drawn_at = key, now
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title("")
        plt.xlabel("episode")
        plt.ylabel("return")
        # A point (or a bar) per real episode, the moving average as the line: see plot_data.
        data = plot_data(snap.training.returns, snap.training.evals, columns=max(1, self.size.width - 8))
        self.legend = _legend(data, snap.training.solved_at)
        xs, ys = data.returns
        if xs:
            if data.bars:
                plt.bar(list(xs), list(ys), width=0.5, color="gray")
            else:
                plt.scatter(list(xs), list(ys), marker="dot", color="gray")
        if data.average[0]:
            plt.plot(list(data.average[0]), list(data.average[1]), marker="braille", color="orange")
        values = data.values
        if snap.training.solved_at is not None and data.episodes is not None:
            # The env's solved mark, so greedy evaluations can be seen to cross it.
            first, last = data.episodes
            values.append(snap.training.solved_at)
            plt.plot([first, max(last, first + 1)], [snap.training.solved_at] * 2, marker="braille", color="red")
        if data.evals[0]:
            plt.scatter(list(data.evals[0]), list(data.evals[1]), marker="◆", color="green")
        if data.episodes is not None:
            # A person turned the agent's knobs: a line at that episode, so the curve after it
            # can be read as what the knob did.
            first, last = data.episodes
            for episode, _ in snap.training.knob_marks:
                if first <= episode <= last + 1:
                    plt.vline(episode, "cyan")
        finite = [v for v in values if math.isfinite(v)]
        if finite:
            lo, hi, ticks, labels = nice_ticks(min(finite), max(finite), most=max(2, self.size.height // 3))
            plt.ylim(lo, hi)
            plt.yticks(ticks, labels)
        if data.episodes is not None:
            # Episodes are whole numbers: ticks on round ones, within the episodes shown.
            first, last = data.episodes
            if data.bars:  # a bar is as wide as half an episode: room on either side for it
                plt.xlim(first - 0.5, max(last, first + 1) + 0.5)
            _, _, ticks, labels = nice_ticks(first, max(last, first + 1), most=max(3, self.size.width // 9))
            shown = [(t, lab) for t, lab in zip(ticks, labels) if first <= t <= last and t == int(t)]
            if shown:
                plt.xticks([t for t, _ in shown], [lab for _, lab in shown])
        self.refresh()

    def render(self) -> RenderResult:
        """The legend's line, then the plot in the rows left (as PlotextPlot draws it)."""
        width, height = self.size
        if not self.legend or height < 4:
            return super().render()
        self._plot.plotsize(width, height - 1)
        self._plot._set_size(width, height - 1)  # PlotextPlot's belt and braces, kept
        self._plot.theme(self._get_plotext_theme_name(self.app.theme))
        legend = self.legend.copy()
        legend.truncate(width, overflow="ellipsis")
        return Text.assemble(legend, "\n", Text.from_ansi(self._plot.build()))


LEGEND_STYLES = {"gray": "color(8)", "orange": "color(3)", "green": "color(2)", "red": "color(1)"}
"""Plotext's colours by the names the plot uses, as the 256-colour indices it writes."""


def _legend(data: ReturnsPlotData, solved_at: float | None) -> Text:
    """The plot's legend: an entry per series drawn, each mark in its series' colour."""
    entries: list[tuple[str, str, str]] = []
    if data.episodes is not None:
        entries.append(("█" if data.bars else "•", "gray", "return"))
    if data.average[0]:
        entries.append(("━", "orange", f"mean of {data.window}"))
    if data.evals[0]:
        entries.append(("◆", "green", "greedy eval"))
    if solved_at is not None and data.episodes is not None:
        entries.append(("━", "red", f"solved {solved_at:g}"))
    legend = Text(" " * 5, no_wrap=True)  # past the y axis's labels, over the plot's frame
    for i, (mark, colour, label) in enumerate(entries):
        legend.append(("   " if i else "") + mark, style=LEGEND_STYLES[colour])
        legend.append(" " + label, style="dim")
    return legend if entries else Text()


class TrainingPanel(SnapshotPanel, Horizontal):
    """Stats on the left, the returns plot on the right."""

    GROUPS = ("status", "training", "policy", "planning")

    def compose(self) -> ComposeResult:
        yield Static(id="training-stats")
        yield ReturnsPlot(id="training-plot")

    def on_mount(self) -> None:
        self.border_title = "Training"

    def show(self, snap: Snapshot) -> None:
        speed = "full" if snap.status.full_speed else f"{snap.status.speed}/s"
        driving = snap.status.controller != HUMAN
        if snap.status.loading:
            rate = "loading…"
        elif driving and snap.status.paused:
            rate = "paused"
        else:
            rate = f"{snap.training.steps_per_second:,.0f}"
        stats = rows(
            [
                ("control", controller_badge(snap)),
                ("agent", "loading…" if snap.status.loading else snap.status.agent_kind or "none"),
                ("episodes", f"{snap.training.episodes:,}"),
                ("steps", f"{snap.training.total_steps:,}"),
                ("steps/s", rate),
                *(
                    _metric_rows(snap)
                    if _panel_metrics(snap)
                    else _policy_rows(snap)
                    if snap.policy is not None
                    else _planner_rows(snap)
                    if snap.planning is not None
                    else [
                        ("epsilon", "—" if snap.training.epsilon is None else f"{snap.training.epsilon:.3f}"),
                        ("loss", sig(snap.training.loss)),
                    ]
                ),
                ("speed", speed + ("  paused" if snap.status.paused else "")),
                *([("exercise", snap.status.exercise)] if snap.status.exercise else []),
            ],
            label_width=9,
        )
        self.query_one("#training-stats", Static).update(stats, layout=False)
        self.query_one(ReturnsPlot).show(snap)


def _planner_rows(snap: Snapshot) -> list[tuple[str, str]]:
    """Where a planner's sweeps stand: how many, the latest Bellman residual (the largest change
    of a value in that sweep) and, for policy iteration, which policy it evaluates."""
    m = dict(snap.training.metrics)
    sweeps = m.get("sweeps")
    rows = [
        ("sweeps", "0" if sweeps is None else f"{sweeps:,.0f}"),
        ("residual", sig(m.get("residual"))),
        ("planning", snap.planning or "—"),
    ]
    if "policy" in m:
        rows.insert(1, ("policy", f"π{m['policy']:,.0f}"))
    return rows


def _panel_metrics(snap: Snapshot) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """The rows of metrics the agent's kind shows here (its spec's; SAC: its entropy
    coefficient, both critics' losses, the policy's loss and its entropy)."""
    found = BY_NAME.get(snap.status.agent_kind or "")
    return found.panel_metrics if found is not None else ()


def _metric_rows(snap: Snapshot) -> list[tuple[str, str]]:
    """The kind's rows of its latest update's metrics, those of one row side by side."""
    m = dict(snap.training.metrics)
    return [(label, " | ".join(sig(m.get(name)) for name in names)) for label, names in _panel_metrics(snap)]


def _policy_rows(snap: Snapshot) -> list[tuple[str, str]]:
    """What Spinning Up logs for a policy-gradient update: the losses of π and V, the policy's
    entropy, the approximate KL to the rollout's policy and (PPO) the clipped fraction."""
    m = dict(snap.training.metrics)
    clip = m.get("clip_fraction")
    return [
        ("π loss", sig(m.get("policy_loss"))),
        ("V loss", sig(m.get("value_loss"))),
        ("entropy", sig(m.get("entropy"))),
        ("KL|clip", f"{sig(m.get('approx_kl'))} | {'—' if clip is None else f'{clip:.2f}'}"),
    ]
