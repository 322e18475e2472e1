"""How the attached agent learns while it is played along with.

:class:`Learner` is a part of :class:`rltui.live.playalong.PlayAlong`: it holds the latest
loss and TD figures, the step rate, and a person's real-time moves waiting to be learned
from (an update waits for the time the env's clock leaves between frames).
:class:`TensorBoardRuns` holds the TensorBoard run of the agent attached, when one is asked for.
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from rltui.live.context import Context
from rltui.live.rate import RateMeter
from rltui.live.timeline import Timeline

LEARN_BACKLOG = 2_000
"""A person's real-time moves kept waiting for learning at most (about a minute at 30 steps/s);
past it the oldest is dropped unlearned (and the status line says how many were)."""


@dataclass
class Stats:
    """The latest update's figures, and the rate of steps."""

    loss: float | None = None
    td_target: float | None = None
    td_error: float | None = None
    meter: RateMeter = field(default_factory=RateMeter)


class TensorBoardRuns:
    """A TensorBoard run of its own for each agent that comes in (when a folder is given)."""

    def __init__(self, ctx: Context, folder: Any = None) -> None:
        self.ctx = ctx
        self.folder = folder
        """Where the runs go (see :mod:`rltui.formats.tensorboard`); None writes none."""
        self.run: Any = None
        """The run of the agent now attached (owner thread)."""

    def open(self, agent: Any) -> None:
        self.close()
        if self.folder is None or not agent.learns:
            return
        from rltui.formats.tensorboard import RunLog, TensorBoardError

        session = self.ctx.session
        try:
            self.run = RunLog(
                self.folder,
                session.entry.id,
                agent.kind,
                session.seed,
                agent=agent,
                warn=lambda problem: self.ctx.say("warning", problem),
            )
        except TensorBoardError as exc:
            self.ctx.say("error", f"No TensorBoard logs: {exc}")
            return
        self.ctx.say("information", f"TensorBoard logs go to {self.run.dir}.")

    def close(self) -> None:
        if self.run is not None:
            self.run.close()
            self.run = None


class Learner:
    """The agent's updates, at once or (a person's real-time moves) when time allows."""

    def __init__(self, ctx: Context, timeline: Timeline, runs: TensorBoardRuns) -> None:
        self.ctx = ctx
        self.timeline = timeline
        self.runs = runs
        self.stats = Stats()
        self.backlog: deque[tuple[Any, int, Any]] = deque()
        """A person's real-time moves not yet learned from: (episode, timeline step, transition)."""
        self.cost = 0.0
        """Seconds one of the agent's updates takes (a running estimate, slow side)."""
        self.unlearned = 0
        """Real-time moves dropped unlearned because learning fell too far behind."""

    @property
    def behind(self) -> int:
        """A person's real-time moves the agent has yet to learn from."""
        return len(self.backlog)

    def defer(self, episode: Any, index: int, transition: Any) -> None:
        """Real time: the frame comes first; the update waits for time the clock leaves."""
        self.backlog.append((episode, index, transition))
        if len(self.backlog) > LEARN_BACKLOG:
            self.backlog.popleft()
            self.unlearned += 1

    def fits(self, seconds: float) -> bool:
        """A move waits, and an update is likely to take less than ``seconds``."""
        return bool(self.backlog) and seconds > self.cost

    def learn(self, transition: Any, episode: Any, index: int) -> None:
        """The agent learns from one step of ``episode`` (``index``: its place on the timeline)."""
        ctx, stats, run = self.ctx, self.stats, self.runs.run
        agent = ctx.agent
        started = time.perf_counter()
        metrics = agent.observe(transition)
        spent = time.perf_counter() - started
        # A running estimate that leans to the slow side: an update is begun only when it fits.
        self.cost = max(spent, 0.9 * self.cost + 0.1 * spent)
        stats.td_target = metrics.get("td_target")
        stats.td_error = metrics.get("td_error")
        if run is not None:
            run.td(stats.td_error)
            run.maybe_row(agent, metrics.get("loss", stats.loss))
        self.timeline.set_td(episode, index, (stats.td_target, stats.td_error), metrics)
        loss = metrics.get("loss")
        if loss is not None:
            stats.loss = loss
            if not math.isfinite(loss):
                ctx.mode.paused = True
                ctx.mode.learning = False
                self.backlog.clear()
                ctx.say(
                    "error",
                    f"The loss became {loss}: training is paused and learning "
                    "is off. Lower the learning rate and reload.",
                )

    def learn_next(self) -> None:
        """Learn from the oldest of a person's real-time moves still waiting."""
        episode, index, transition = self.backlog.popleft()
        if self.ctx.agent is None or not self.ctx.mode.learning:
            self.backlog.clear()
            return
        self.learn(transition, episode, index)
