"""The agent's progress as the Training panel shows it: its episode and step counters (going
on from where a loaded agent's stood), the returns and greedy evaluations the plot draws, and
the turns of its knobs.

:class:`Progress` is a part of :class:`rltui.live.playalong.PlayAlong` (owner thread).
"""

from __future__ import annotations

import time
from collections import deque
from typing import Any

import numpy as np

from rltui.envs.session import AGENT
from rltui.live.context import Context
from rltui.live.learning import TensorBoardRuns

HISTORY = 500
"""Episodes the plot shows: their returns, and the greedy evaluations made among them."""
EVAL_EVERY_EPISODES = 20
EVAL_EPISODES = 10
"""Greedy episodes per in-app evaluation (deterministic grid worlds: every start instead),
seeded as ``rltui eval`` seeds its first ones, so the two figures are comparable."""
EVAL_SHARE = 0.1
"""At most this share of the owner's time goes to greedy evaluations: a slow one waits longer."""


class Progress:
    """Counters, the plot's series and the in-app evaluations (owner thread)."""

    def __init__(self, ctx: Context, runs: TensorBoardRuns) -> None:
        self.ctx = ctx
        self.runs = runs
        self.returns: deque[tuple[int, float]] = deque(maxlen=HISTORY)
        self.evals: deque[tuple[int, float]] = deque(maxlen=HISTORY)
        self.knob_marks: deque[tuple[int, str]] = deque(maxlen=HISTORY)
        """(episode, what changed) for each turn of the agent's knobs (the plot marks them)."""
        self.episode_base = self.step_base = 0
        """The agent's counters when it came, less this session's then."""
        self.saved_steps = 0
        """The agent's steps when it was made, loaded or last saved."""
        self.eval_due = 0.0

    def attach(self, agent: Any) -> None:
        """A new agent: its counters go on from where they stood; the plot starts afresh."""
        session = self.ctx.session
        self.saved_steps = agent.steps
        self.episode_base = agent.episodes - session.episodes_finished
        self.step_base = agent.steps - session.total_steps
        self.returns.clear()
        self.evals.clear()
        self.knob_marks.clear()

    def mark_saved(self) -> None:
        if self.ctx.agent is not None:
            self.saved_steps = self.ctx.agent.steps

    def episodes_shown(self) -> int:
        """Episodes finished, counting the agent's before it was loaded (without one: this
        session's)."""
        return self.ctx.session.episodes_finished + (self.episode_base if self.ctx.agent is not None else 0)

    def steps_shown(self) -> int:
        """Steps, counted the same way."""
        return self.ctx.session.total_steps + (self.step_base if self.ctx.agent is not None else 0)

    def unsaved_steps(self) -> int:
        agent = self.ctx.agent
        return agent.steps - self.saved_steps if agent is not None and agent.learns else 0

    def knob_turned(self, text: str) -> None:
        self.knob_marks.append((self.episodes_shown(), text))

    def episode_finished(self, episode: Any) -> None:
        """An episode (not a replayed one) ended: its return for the plot, and every
        :data:`EVAL_EVERY_EPISODES` while the agent trains, a greedy evaluation."""
        ctx, run = self.ctx, self.runs.run
        agent, mode = ctx.agent, ctx.mode
        self.returns.append((self.episodes_shown(), episode.return_))
        if run is not None and agent is not None and mode.learning:
            run.episode(episode.return_, episode.steps)
        if agent is None or mode.controller != AGENT or not mode.learning:
            return
        now = time.perf_counter()
        if ctx.session.episodes_finished % EVAL_EVERY_EPISODES == 0 and now >= self.eval_due:
            mean = self.evaluate()
            if mean is not None:
                self.evals.append((self.episodes_shown(), mean))
                if self.runs.run is not None:
                    self.runs.run.evaluation(agent, mean)
            spent = time.perf_counter() - now
            self.eval_due = time.perf_counter() + spent * (1 - EVAL_SHARE) / EVAL_SHARE

    def evaluate(self) -> float | None:
        """The greedy mean ``rltui eval`` would report, on its first seeds; None when quitting or a
        person's key cut it short (a key is answered at once, not after a few hundred episodes)."""
        from rltui.training.loop import AnyOf, evaluate

        inbox = self.ctx.inbox
        inbox.arrived.clear()
        if not inbox.empty():
            return None
        stop = AnyOf(self.ctx.stop, inbox.arrived)
        returns = evaluate(self.ctx.agent, self.ctx.session.entry, EVAL_EPISODES, stop=stop)
        return float(np.mean(returns)) if returns and not stop.is_set() else None

    def plotted_evals(self) -> tuple[tuple[int, float], ...]:
        """One window for every series: evaluations older than the oldest return kept are
        not drawn, or they would squeeze the returns into the plot's last columns."""
        return tuple(e for e in self.evals if self.returns and e[0] >= self.returns[0][0])
