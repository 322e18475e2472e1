"""Play along: one owner steps the environment; a person and an agent share it.

:class:`PlayAlong` runs in one background thread (``run(stop)``). Every step,
whoever takes it, happens there, through :meth:`Session.step`. The UI asks for
things with methods that queue calls (:mod:`rltui.live.controls`) and hears back
through typed messages (:mod:`rltui.live.inbox`): the latest :class:`Snapshot`,
published at most ~30 times a second, and notices. Nothing here knows about
Textual: the UI passes a plain callable that is handed each message without
waiting. The timeline, an agent's arrival and publishing are parts of their own.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agents.registry import OFF_POLICY
from agents.beliefs import beliefs_of, is_continuous
from agents.protocols import Planner, PolicyAgent
from rltui.live.controls import SPEEDS, Controls
from rltui.live.handoff import AgentHandOff, agent_gamma
from rltui.live.inbox import Deliver, Inbox, Notice, SnapshotReady
from rltui.live.publishing import FULL_SPEED_PUBLISH_INTERVAL, Publisher
from rltui.live.rate import RateMeter
from rltui.live.realtime import CATCH_UP, HOLD, KeyHold, frame_rate
from rltui.envs.session import AGENT, HUMAN, Session
from rltui.live.snapshot import ReturnsRow, Snapshot
from rltui.live.timeline import EPISODE_RECORD_LIMIT, Timeline, TimelineEntry

__all__ = ["EPISODE_RECORD_LIMIT", "FULL_SPEED_PUBLISH_INTERVAL", "HISTORY", "SPEEDS", "Notice", "PlayAlong",
           "Snapshot", "SnapshotReady", "agent_gamma"]

DEFAULT_SPEED = 2  # index: 4 steps/s, slow enough to follow
HISTORY = 500
"""Episodes the plot shows: their returns, and the greedy evaluations made among them."""
EVAL_EVERY_EPISODES = 20
EVAL_EPISODES = 10
"""Greedy episodes per in-app evaluation (deterministic grid worlds: every start instead),
seeded as ``rltui eval`` seeds its first ones, so the two figures are comparable."""
LEARN_BACKLOG = 2_000
"""A person's real-time moves kept waiting for learning at most (about a minute at 30 steps/s);
past it the oldest is dropped unlearned (and the status line says how many were)."""
EVAL_SHARE = 0.1
"""At most this share of the owner's time goes to greedy evaluations: a slow one waits longer."""



@dataclass
class PlayAlongStats:
    loss: float | None = None
    td_target: float | None = None
    td_error: float | None = None
    meter: RateMeter = field(default_factory=RateMeter)


class PlayAlong(Controls, Timeline, AgentHandOff, Publisher):
    """The owner of one session and (optionally) one agent.

    Args:
        session: the env and its episode.
        agent: an agent of the :class:`agents.base.Agent` protocol, or None (a person plays alone).
        make_agent: builds an agent on first ``tab`` when none was given (None: tab says so).
        deliver: handed each :class:`Notice` and :class:`SnapshotReady` (from the owner thread;
            it must not wait).
        value_states: for grid worlds, a function giving the state id of each cell for the value map.
        replay: a recorded episode (already checked with :func:`rltui.formats.episodes.check`) to
            open in the timeline at its first step; the agent does not learn from it.
        realtime: a person's keys drive the env in real time (the play screen turns it on for
            the envs whose catalog entry asks for it); else each key is one step.
        tensorboard: a folder to write each agent's training scalars to, a run per agent
            (see :mod:`rltui.formats.tensorboard`); None writes none.
    """

    def __init__(
        self,
        session: Session,
        agent: Any = None,
        make_agent: Callable[[], Any] | None = None,
        deliver: Deliver | None = None,
        value_states: Callable[[Any], Any] | None = None,
        replay: Any = None,
        realtime: bool = False,
        tensorboard: Any = None,
    ) -> None:
        self.session = session
        self.tensorboard = tensorboard
        self._log: Any = None
        """The TensorBoard run of the agent now attached (owner thread)."""
        self.agent = agent
        self.make_agent = make_agent
        self.deliver = deliver
        self.value_states = value_states
        self.controller = HUMAN
        self.learning = True
        self.learn_from_human = True
        self.paused = False
        self.full_speed = False
        self.speed = DEFAULT_SPEED
        self.inbox = Inbox()
        self.latest: Snapshot | None = None
        self.running = False
        self.stopped_reason: str | None = None
        self._seq = 0
        self._stats = PlayAlongStats()
        self._returns: deque[tuple[int, float]] = deque(maxlen=HISTORY)
        self._evals: deque[tuple[int, float]] = deque(maxlen=HISTORY)
        self._knob_marks: deque[tuple[int, str]] = deque(maxlen=HISTORY)
        """(episode, what changed) for each turn of the agent's knobs (the plot marks them)."""
        self._values_at = self._values_due = 0.0
        self._values: Any = None
        self.values_wanted = False
        """The UI shows the value map: only then is it computed."""
        self._published_at = 0.0
        self._timeline: list[TimelineEntry] = []
        """Entry i: the env as it was after step i of this episode (0: after the reset)."""
        self.view: int | None = None
        """The timeline step shown, or None for the live end."""
        self._finished: tuple[tuple[ReturnsRow, ...], tuple[float, ...]] | None = None
        self._finished_episode: Any = None
        self._replaying = False
        """The Episode the G_t table was made from (what ctrl+e saves once a new one is empty)."""
        self._next_step = 0.0
        self._stop = threading.Event()
        self._step_note = session.entry.step_note
        self.loading = False
        """A thread is making the agent (see :meth:`_request_agent`)."""
        self._wishes: set[str] = set()
        """What to do once the agent being made arrives: ``control``, ``full_speed``, ``step``."""
        self._episode_base = self._step_base = self._saved_steps = 0
        self._eval_due = 0.0
        entry = session.entry
        self.realtime = realtime
        """A person's keys drive an env that keeps moving (see :mod:`rltui.live.realtime`)."""
        self.hold = KeyHold(entry.rest_actions)
        self.fps = frame_rate(session.env, entry.fps)
        self.clock_running = False
        """Real time is on and a person's key started this episode's clock."""
        self._next_frame = 0.0
        self._over_said = float("-inf")
        self._frame_times: tuple[float, float, int] | None = None
        """(first frame, latest frame, frames) since the clock last started."""
        self._to_learn: deque[tuple[Any, int, Any]] = deque()
        """A person's real-time moves not yet learned from: (episode, timeline step, transition)."""
        self._learn_cost = 0.0
        """Seconds one of the agent's updates takes (a running estimate, slow side)."""
        self._unlearned = 0
        """Real-time moves dropped unlearned because learning fell too far behind."""
        self.agent = None
        if agent is not None:
            self._attach(agent, announce=False)
        self._start_timeline()
        if replay is not None:
            self._replay(replay)
        self.publish(force=True)

    @property
    def settled(self) -> bool:
        """Every call sent so far has been made and its result published, and no agent is
        being made."""
        return self.inbox.handled >= self.inbox.sent and not self.loading

    # --- the training thread ---------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Step, learn and publish until ``stop`` is set.

        Never raises: a fault in the agent or the env stops training (the
        person keeps the controls) and is reported as a notice.
        """
        self.running = True
        self._stop = stop
        try:
            while not stop.is_set():
                try:
                    self._tick()
                except Exception as exc:  # a fault must never kill the thread silently
                    self._fault(exc)
                    self.inbox.drop_all()  # whatever was in flight is dropped with the fault
        finally:
            self.running = False
            if self._log is not None:
                self._log.close()

    def _tick(self) -> None:
        driving = self.controller == AGENT and self.agent is not None and not self.paused
        if driving and self.full_speed:
            handled = self._drain()
            if self._to_learn:
                self._learn_next()  # a person's moves first, in the order they were made
            elif self.controller == AGENT and not self.paused and self.full_speed:
                self._agent_step()
            self.publish(force=handled > 0)  # a call's effect is shown at once
            self.inbox.handled += handled
            return
        clocked = not driving and self.clock_running
        if clocked:
            self._clocked_tick()
            return
        if self._to_learn:  # the clock stopped: learn what real time left unlearned, keys first
            timeout = 0.0
        elif driving:
            timeout = max(0.0, self._next_step - time.perf_counter())
        else:
            timeout = 0.1
        call = self.inbox.get(timeout) if timeout > 0 else self.inbox.get(0)
        if call is not None:
            fn, args = call
            fn(*args)
            handled = 1 + self._drain()
            self.publish(force=True)
            self.inbox.handled += handled
        elif self._to_learn:
            self._learn_next()
            self.publish()
        elif driving:
            self._agent_step()
            self._next_step = time.perf_counter() + 1.0 / SPEEDS[self.speed]
            self.publish(force=True)
        elif self.latest is not None and self.latest.steps_per_second > 0:
            self.publish(force=True)  # the rate falls to 0 once nothing steps: show it

    def _clocked_tick(self) -> None:
        """Real time: a person's keys first, then the frame when it is due, then learning in
        whatever time is left before the next frame (never past it: the env's clock never
        waits for an update)."""
        handled = self._drain()  # keys are taken even when a frame is late
        if handled:
            self.publish(force=True)
            self.inbox.handled += handled
            if not self.clock_running or self.controller == AGENT:
                return
        now = time.perf_counter()
        if now >= self._next_frame:
            self._frame()
            self.publish(force=True)
            return
        left = self._next_frame - now
        if self._to_learn and left > self._learn_cost:
            self._learn_next()
            return
        call = self.inbox.get(left)
        if call is not None:
            fn, args = call
            fn(*args)
            handled = 1 + self._drain()
            self.publish(force=True)
            self.inbox.handled += handled

    def _fault(self, exc: Exception) -> None:
        self.controller = HUMAN
        self.paused = True
        self.full_speed = False
        detail = str(exc).splitlines()[0] if str(exc) else ""
        reason = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
        self.stopped_reason = reason
        self.say("error", f"Training stopped: {reason}")
        self.view = None  # back to the live step, which is always drawable
        try:
            self.publish(force=True)
        except Exception:  # nothing new can be drawn; the UI has heard of the notice
            pass

    def _drain(self) -> int:
        """Make every queued call; how many there were."""
        handled = 0
        while (call := self.inbox.get(0)) is not None:
            fn, args = call
            fn(*args)
            handled += 1
        return handled

    # --- stepping -------------------------------------------------------------------------

    def _human_step(self, action: int) -> None:
        if self.view is not None:
            self._branch()  # may fail (a Box2D env cannot be put back): then the live step goes on
        if self.session.episode.done:
            self.say("information", "The episode is over: press r for a new one.")
            return
        learn = self.learning and self.learn_from_human and self.agent is not None and (
            self.agent.kind in OFF_POLICY)
        self._step(action, HUMAN, learn)

    def _new_episode(self) -> None:
        self.session.reset()
        self.clock_running = False
        self.hold.release()
        self._start_timeline()

    # --- real time (a person drives an env that keeps moving) -------------------------

    @property
    def kept_fps(self) -> float | None:
        """Frames per second the real-time clock has kept since it last started (None before
        its second frame)."""
        if self._frame_times is None:
            return None
        first, latest, frames = self._frame_times
        return (frames - 1) / (latest - first) if frames > 1 and latest > first else None

    def _press(self, action: int) -> None:
        """A person's key in real time: hold its action, and start the clock if it stood."""
        now = time.perf_counter()
        self.hold.press(action, now)
        if not self.clock_running:
            if self.view is None and self.session.episode.done:
                if now - self._over_said > HOLD:  # once, not for every repeat of a held key
                    self.say("information", "The episode is over: press r for a new one.")
                self._over_said = now
                return
            self.clock_running = True
            self._next_frame = now  # the first frame now: a key is answered at once
            self._frame_times = None

    def _frame(self) -> None:
        """One real-time frame: the held key's action, or the rest action once it is let go."""
        now = time.perf_counter()
        # On the env's beat: a frame a little late is followed by one a little early, so the
        # pace holds; one late by more than CATCH_UP lets the beat go (no burst of frames).
        self._next_frame += 1.0 / self.fps
        if now - self._next_frame > CATCH_UP:
            self._next_frame = now
        first, _, frames = self._frame_times or (now, now, 0)
        self._frame_times = (first, now, frames + 1)
        self._human_step(self.hold.action(now))
        if self.session.episode.done or self.view is not None:
            self.clock_running = False  # the clock stops with the episode (or when looking back)

    def _agent_step(self) -> None:
        if self.view is not None:
            self._branch()  # first: the action is chosen for the state it is taken in
        if isinstance(self.agent, Planner) and self.agent.planning:
            # A planner watched sweep by sweep: this step is one sweep of its model, and the
            # env waits until the values have converged.
            self.agent.sweep()
            self._stats.meter.record(time.perf_counter(), self.session.total_steps)
            return
        if self.session.episode.done:
            self._new_episode()
        action = self.agent.act(self.session.obs, self.learning)
        self._step(action, AGENT, self.learning)

    def _step(self, action: int, actor: str, learn: bool) -> None:
        if self.view is not None:
            self._branch()
        if self._timeline and len(self._timeline) == self.session.episode.steps + 1:
            self._timeline[-1].beliefs = beliefs_of(self.agent, self.session.obs)
        if actor == HUMAN and isinstance(self.agent, PolicyAgent):
            self.agent.cut()  # an on-policy rollout never mixes in a person's moves
        transition = self.session.step(action, actor=actor)
        if learn and is_continuous(self.agent) and not isinstance(transition.action, np.ndarray):
            # A person's key is a named action: a continuous agent learns from its vector.
            transition = transition._replace(action=self.session.action_vector(transition.action))
        self._keep_step()
        stats = self._stats
        stats.meter.record(time.perf_counter(), self.session.total_steps)
        if learn and actor == HUMAN and self.clock_running and not self._replaying:
            # Real time: the frame comes first; the update waits for time the clock leaves.
            self._to_learn.append((self.session.episode, self.session.episode.steps, transition))
            if len(self._to_learn) > LEARN_BACKLOG:
                self._to_learn.popleft()
                self._unlearned += 1
        elif learn:
            self._learn(transition, self.session.episode, self.session.episode.steps)
        elif self.agent is not None and actor == AGENT:
            stats.td_target = stats.td_error = None
        if transition.done:
            self._episode_finished()

    def _learn(self, transition: Any, episode: Any, index: int) -> None:
        """The agent learns from one step of ``episode`` (``index``: its place on the timeline)."""
        stats = self._stats
        started = time.perf_counter()
        metrics = self.agent.observe(transition)
        spent = time.perf_counter() - started
        # A running estimate that leans to the slow side: an update is begun only when it fits.
        self._learn_cost = max(spent, 0.9 * self._learn_cost + 0.1 * spent)
        stats.td_target = metrics.get("td_target")
        stats.td_error = metrics.get("td_error")
        if self._log is not None:
            self._log.td(stats.td_error)
            self._log.maybe_row(self.agent, metrics.get("loss", stats.loss))
        if episode is self.session.episode and index < len(self._timeline):
            self._timeline[index].td = (stats.td_target, stats.td_error)
        loss = metrics.get("loss")
        if loss is not None:
            stats.loss = loss
            if not math.isfinite(loss):
                self.paused = True
                self.learning = False
                self._to_learn.clear()
                self.say("error", f"The loss became {loss}: training is paused and learning "
                          "is off. Lower the learning rate and reload.")

    def _learn_next(self) -> None:
        """Learn from the oldest of a person's real-time moves still waiting."""
        episode, index, transition = self._to_learn.popleft()
        if self.agent is None or not self.learning:
            self._to_learn.clear()
            return
        self._learn(transition, episode, index)

    @property
    def learning_behind(self) -> int:
        """A person's real-time moves the agent has yet to learn from."""
        return len(self._to_learn)

    def _episode_finished(self) -> None:
        episode = self.session.episode
        if not self._replaying:
            self._returns.append((self._episodes_shown(), episode.return_))
            if self._log is not None and self.agent is not None and self.learning:
                self._log.episode(episode.return_, episode.steps)
        # The table is derived from the episode's bookkeeping and the timeline's beliefs.
        kept = min(episode.steps, len(self._timeline))
        records = tuple(
            ReturnsRow(t, episode.actors[t], episode.actions[t], episode.rewards[t],
                       None if self._timeline[t].beliefs is None else self._timeline[t].beliefs.value)
            for t in range(kept)
        )
        self._finished = (records, tuple(episode.returns_to_go()[:kept]))
        self._finished_episode = episode
        if self.agent is not None and self.controller == AGENT and self.learning and not self._replaying:
            now = time.perf_counter()
            if self.session.episodes_finished % EVAL_EVERY_EPISODES == 0 and now >= self._eval_due:
                mean = self._evaluate()
                if mean is not None:
                    self._evals.append((self._episodes_shown(), mean))
                    if self._log is not None:
                        self._log.evaluation(self.agent, mean)
                spent = time.perf_counter() - now
                self._eval_due = time.perf_counter() + spent * (1 - EVAL_SHARE) / EVAL_SHARE

    def _evaluate(self) -> float | None:
        """The greedy mean ``rltui eval`` would report, on its first seeds; None when quitting or a
        person's key cut it short (a key is answered at once, not after a few hundred episodes)."""
        from rltui.training.loop import AnyOf, evaluate

        self.inbox.arrived.clear()
        if not self.inbox.empty():
            return None
        stop = AnyOf(self._stop, self.inbox.arrived)
        returns = evaluate(self.agent, self.session.entry, EVAL_EPISODES, stop=stop)
        return float(np.mean(returns)) if returns and not stop.is_set() else None

    def _episodes_shown(self) -> int:
        return self.session.episodes_finished + (self._episode_base if self.agent is not None else 0)
