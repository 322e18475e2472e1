"""Play along: one owner steps the environment; a person and an agent share it.

:class:`PlayAlong` runs in one background thread (``run(stop)``). Every step,
whoever takes it, happens there, through :meth:`Session.step`. The UI sends
commands (a person's action, tab, pause, speed ...) with :meth:`PlayAlong.send`
and reads the latest :class:`Snapshot`, published at most ~30 times a second.
Nothing here knows about Textual: the UI passes a plain callable that is told,
without waiting, that a new snapshot is ready.
"""

from __future__ import annotations

import math
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from agents.registry import OFF_POLICY
from rltui.core.handoff import AgentHandOff, _Command, agent_gamma
from rltui.core.rate import RateMeter
from rltui.core.returns import discounted_so_far
from rltui.core.session import AGENT, HUMAN, Session
from rltui.core.snapshot import Snapshot, StepRecord
from rltui.core.timeline import EPISODE_RECORD_LIMIT, Timeline, TimelineEntry

__all__ = ["EPISODE_RECORD_LIMIT", "HISTORY", "SPEEDS", "PlayAlong", "Snapshot", "_Command", "agent_gamma"]

SPEEDS = (1, 2, 4, 8, 16, 32, 64, 128)
"""Agent steps per second at the slow settings; full speed is separate."""
DEFAULT_SPEED = 2  # index: 4 steps/s, slow enough to follow
PUBLISH_INTERVAL = 1 / 30
FULL_SPEED_PUBLISH_INTERVAL = 1 / 2
"""At full speed the UI shares the interpreter with training: fewer frames, more steps. Every
panel redraws from each frame, so they always agree; thousands of steps a second are a blur
at any frame rate."""
VALUES_INTERVAL = 0.25
HISTORY = 500
"""Episodes the plot shows: their returns, and the greedy evaluations made among them."""
EVAL_EVERY_EPISODES = 20
EVAL_EPISODES = 10
"""Greedy episodes per in-app evaluation (deterministic grid worlds: every start instead),
seeded as ``rltui eval`` seeds its first ones, so the two figures are comparable."""
EVAL_SHARE = 0.1
"""At most this share of the owner's time goes to greedy evaluations: a slow one waits longer."""



@dataclass
class PlayAlongStats:
    loss: float | None = None
    td_target: float | None = None
    td_error: float | None = None
    meter: RateMeter = field(default_factory=RateMeter)


class PlayAlong(Timeline, AgentHandOff):
    """The owner of one session and (optionally) one agent.

    Args:
        session: the env and its episode.
        agent: an agent of the :class:`agents.base.Agent` protocol, or None (a person plays alone).
        make_agent: builds an agent on first ``tab`` when none was given (None: tab says so).
        on_publish: called (from the training thread, without waiting) when a new snapshot is ready.
        value_states: for grid worlds, a function giving the state id of each cell for the value map.
        replay: a recorded episode (already checked with :func:`rltui.core.episodes.check`) to
            open in the timeline at its first step; the agent does not learn from it.
    """

    def __init__(
        self,
        session: Session,
        agent: Any = None,
        make_agent: Callable[[], Any] | None = None,
        on_publish: Callable[[], None] | None = None,
        value_states: Callable[[Any], Any] | None = None,
        replay: Any = None,
    ) -> None:
        self.session = session
        self.agent = agent
        self.make_agent = make_agent
        self.on_publish = on_publish
        self.value_states = value_states
        self.controller = HUMAN
        self.learning = True
        self.learn_from_human = True
        self.paused = False
        self.full_speed = False
        self.speed = DEFAULT_SPEED
        self.commands: queue.SimpleQueue[_Command] = queue.SimpleQueue()
        self._sent_lock = threading.Lock()
        self.notices: deque[tuple[str, str]] = deque(maxlen=32)
        """(severity, message) for the UI to show once; severity is information/warning/error."""
        self.latest: Snapshot | None = None
        self.sent = 0
        """Commands sent (by the UI thread, and by the thread that makes an agent)."""
        self.handled = 0
        """Commands handled and published (counted in the owner thread)."""
        self.running = False
        self.stopped_reason: str | None = None
        self._seq = 0
        self._stats = PlayAlongStats()
        self._returns: deque[tuple[int, float]] = deque(maxlen=HISTORY)
        self._evals: deque[tuple[int, float]] = deque(maxlen=HISTORY)
        self._values_at = 0.0
        self._values: Any = None
        self._published_at = 0.0
        self._timeline: list[TimelineEntry] = []
        """Entry i: the env as it was after step i of this episode (0: after the reset)."""
        self.view: int | None = None
        """The timeline step shown, or None for the live end."""
        self._finished: tuple[tuple[StepRecord, ...], tuple[float, ...]] | None = None
        self._finished_episode: Any = None
        self._replaying = False
        """The Episode the G_t table was made from (what ctrl+e saves once a new one is empty)."""
        self._next_step = 0.0
        self._stop = threading.Event()
        self._command_waiting = threading.Event()
        self._step_note = session.entry.step_note
        self.loading = False
        """A thread is making the agent (see :meth:`_request_agent`)."""
        self._wishes: set[str] = set()
        """What to do once the agent being made arrives: ``control``, ``full_speed``, ``step``."""
        self._episode_base = self._step_base = self._saved_steps = 0
        self._eval_due = 0.0
        self.agent = None
        if agent is not None:
            self._attach(agent, announce=False)
        self._start_timeline()
        if replay is not None:
            self._replay(replay)
        self.publish(force=True)

    # --- the UI side ---------------------------------------------------------------

    def send(self, name: str, arg: Any = None) -> None:
        """Queue a command for the training thread; returns at once."""
        with self._sent_lock:
            self.sent += 1
        self.commands.put(_Command(name, arg))
        self._command_waiting.set()  # a greedy evaluation in progress gives way to it

    @property
    def settled(self) -> bool:
        """Every command sent so far has been handled and its result published, and no agent
        is being made."""
        return self.handled >= self.sent and not self.loading

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
                    self.handled = self.sent  # whatever was in flight is dropped with the fault
        finally:
            self.running = False

    def _tick(self) -> None:
        driving = self.controller == AGENT and self.agent is not None and not self.paused
        if driving and self.full_speed:
            handled = self._drain()
            if self.controller == AGENT and not self.paused and self.full_speed:
                self._agent_step()
            self.publish(force=handled > 0)  # a command's effect is shown at once
            self.handled += handled
            return
        timeout = max(0.0, self._next_step - time.perf_counter()) if driving else 0.1
        try:
            command = self.commands.get(timeout=timeout) if timeout > 0 else None
        except queue.Empty:
            command = None
        if command is not None:
            self._handle(command)
            handled = 1 + self._drain()
            self.publish(force=True)
            self.handled += handled
        elif driving:
            self._agent_step()
            self._next_step = time.perf_counter() + 1.0 / SPEEDS[self.speed]
            self.publish(force=True)
        elif self.latest is not None and self.latest.steps_per_second > 0:
            self.publish(force=True)  # the rate falls to 0 once nothing steps: show it

    def _fault(self, exc: Exception) -> None:
        self.controller = HUMAN
        self.paused = True
        self.full_speed = False
        detail = str(exc).splitlines()[0] if str(exc) else ""
        reason = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
        self.stopped_reason = reason
        self.notices.append(("error", f"Training stopped: {reason}"))
        self.view = None  # back to the live step, which is always drawable
        try:
            self.publish(force=True)
        except Exception:  # nothing new can be drawn; the UI still hears of the notice
            if self.on_publish is not None:
                self.on_publish()

    def _drain(self) -> int:
        """Handle every queued command; how many there were."""
        handled = 0
        while True:
            try:
                command = self.commands.get_nowait()
            except queue.Empty:
                return handled
            self._handle(command)
            handled += 1

    def _handle(self, command: _Command) -> None:
        name, arg = command.name, command.arg
        if name == "act":
            if self.controller == AGENT and self.session.episode.done and self.view is None:
                self._new_episode()  # the agent's episode just ended: the person starts the next
            self.controller = HUMAN  # a person's key takes the wheel back
            self._wishes.clear()  # ... and cancels what tab or f asked of an agent still loading
            self._human_step(int(arg))
        elif name == "toggle_control":
            if self.controller == AGENT:
                self.controller = HUMAN
            elif self._request_agent("control"):
                self.controller = AGENT
                self.paused = False
                self.stopped_reason = None
        elif name == "pause":
            if self._request_agent(None):
                self.paused = not self.paused
        elif name == "step_once":
            if self._request_agent("step"):
                self.controller = AGENT
                self.paused = True
                self._agent_step()
        elif name == "faster":
            self.speed = len(SPEEDS) - 1 if self.full_speed else min(self.speed + 1, len(SPEEDS) - 1)
            self.full_speed = False
        elif name == "slower":
            # From full speed, one step down is the fastest counted speed, not the last one used.
            self.speed = len(SPEEDS) - 1 if self.full_speed else max(self.speed - 1, 0)
            self.full_speed = False
        elif name == "full_speed":
            # f always lets the agent run flat out; pressed again while it does, back to slow.
            agent_running = self.controller == AGENT and not self.paused
            if agent_running and self.full_speed:
                self.full_speed = False
            elif self._request_agent("full_speed"):
                self.full_speed = True
                self.controller = AGENT
                self.paused = False
        elif name == "toggle_learning":
            self.learning = not self.learning
        elif name == "toggle_learn_from_human":
            self.learn_from_human = not self.learn_from_human
        elif name == "reset":
            self._new_episode()
        elif name == "set_agent":
            self._attach(arg)
        elif name == "agent_ready":
            self._agent_arrived(arg)
        elif name == "agent_failed":
            self.loading = False
            self._wishes.clear()
            self.notices.append(("error", f"The agent could not be made: {arg}"))
        elif name == "scrub":
            self._scrub(arg)
        elif name == "ensure_agent":
            self._request_agent(None)
        elif name == "call":
            arg(self)  # run a function in the owner thread (saving, tests)

    # --- stepping -------------------------------------------------------------------------

    def _human_step(self, action: int) -> None:
        if self.view is not None:
            self._branch()  # may fail (Blackjack cannot be put back): then the live step goes on
        if self.session.episode.done:
            self.notices.append(("information", "The episode is over: press r for a new one."))
            return
        learn = self.learning and self.learn_from_human and self.agent is not None and (
            self.agent.kind in OFF_POLICY)
        self._step(action, HUMAN, learn)

    def _new_episode(self) -> None:
        self.session.reset()
        self._start_timeline()

    def _agent_step(self) -> None:
        if self.view is not None:
            self._branch()  # first: the action is chosen for the state it is taken in
        if self.session.episode.done:
            self._new_episode()
        action = self.agent.act(self.session.obs, self.learning)
        self._step(action, AGENT, self.learning)

    def _step(self, action: int, actor: str, learn: bool) -> None:
        if self.view is not None:
            self._branch()
        q_before = self.agent.q_values(self.session.obs) if self.agent is not None else None
        if self._timeline and len(self._timeline) == self.session.episode.steps + 1:
            self._timeline[-1].q = q_before
        transition = self.session.step(action, actor=actor)
        self._keep_step()
        stats = self._stats
        stats.meter.record(time.perf_counter(), self.session.total_steps)
        if learn:
            metrics = self.agent.observe(transition)
            stats.td_target = metrics.get("td_target")
            stats.td_error = metrics.get("td_error")
            if len(self._timeline) == self.session.episode.steps + 1:
                self._timeline[-1].td = (stats.td_target, stats.td_error)
            loss = metrics.get("loss")
            if loss is not None:
                stats.loss = loss
                if not math.isfinite(loss):
                    self.paused = True
                    self.learning = False
                    self.notices.append(("error", f"The loss became {loss}: training is paused "
                                         "and learning is off. Lower the learning rate and reload."))
        elif self.agent is not None and actor == AGENT:
            stats.td_target = stats.td_error = None
        if transition.done:
            self._episode_finished()

    def _episode_finished(self) -> None:
        episode = self.session.episode
        if not self._replaying:
            self._returns.append((self._episodes_shown(), episode.return_))
        # The table is derived from the episode's bookkeeping and the timeline's Q-values.
        kept = min(episode.steps, len(self._timeline))
        records = tuple(
            StepRecord(t, episode.actors[t], episode.actions[t], episode.rewards[t],
                       None if self._timeline[t].q is None else float(np.max(self._timeline[t].q)))
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
                spent = time.perf_counter() - now
                self._eval_due = time.perf_counter() + spent * (1 - EVAL_SHARE) / EVAL_SHARE

    def _evaluate(self) -> float | None:
        """The greedy mean ``rltui eval`` would report, on its first seeds; None when quitting or a
        person's key cut it short (a key is answered at once, not after a few hundred episodes)."""
        from rltui.core.training import AnyOf, evaluate

        self._command_waiting.clear()
        if not self.commands.empty():
            return None
        stop = AnyOf(self._stop, self._command_waiting)
        returns = evaluate(self.agent, self.session.entry, EVAL_EPISODES, stop=stop)
        return float(np.mean(returns)) if returns and not stop.is_set() else None

    def _episodes_shown(self) -> int:
        return self.session.episodes_finished + (self._episode_base if self.agent is not None else 0)

    # --- publishing --------------------------------------------------------------------------

    def publish(self, force: bool = False) -> None:
        """Copy what the panels need into :attr:`latest`; at most ~30 times a second unless forced."""
        now = time.perf_counter()
        interval = FULL_SPEED_PUBLISH_INTERVAL if self.full_speed else PUBLISH_INTERVAL
        if not force and now - self._published_at < interval:
            return
        self._published_at = now
        self._seq += 1
        session, agent, stats = self.session, self.agent, self._stats
        episode = session.episode
        n = len(self._timeline) - 1
        view = self.view
        td_target, td_error = stats.td_target, stats.td_error
        finished_row = None
        if view is None:
            scene, obs, rewards, last = session.scene(), session.obs, episode.rewards, session.last
            q = agent.q_values(obs) if agent is not None else None
            discounted, done = episode.discounted, episode.done
        else:
            entry = self._timeline[view]
            scene, obs, rewards = self._scene_at(entry), entry.obs, episode.rewards[:view]
            last = self._transition_to(view)
            td_target, td_error = entry.td
            q = entry.q if entry.q is not None else (agent.q_values(obs) if agent is not None else None)
            discounted, done = discounted_so_far(rewards, session.gamma), False
            if episode.done and self._finished_episode is episode and view < episode.steps:
                finished_row = view
        if self.value_states is not None and agent is not None and (
                force or now - self._values_at >= VALUES_INTERVAL):
            self._values_at = now
            self._values = self.value_states(agent)
        outcome = None
        if last is not None and self._step_note is not None:
            outcome = self._step_note(session.env, last.obs, last.action, last.next_obs)
        self.latest = Snapshot(
            seq=self._seq,
            scene=scene,
            controller=self.controller,
            learning=self.learning,
            paused=self.paused,
            full_speed=self.full_speed,
            speed=SPEEDS[self.speed],
            has_agent=agent is not None,
            agent_kind=getattr(agent, "kind", None),
            loading=self.loading,
            q_values=q,
            greedy=int(np.argmax(q)) if q is not None else None,
            last=last,
            last_outcome=outcome,
            td_target=td_target,
            td_error=td_error,
            episode_steps=len(rewards),
            episode_return=float(sum(rewards)),
            discounted=discounted,
            rewards_tail=tuple(rewards[-24:]),
            episode_done=done,
            gamma=session.gamma,
            episodes=self._episodes_shown(),
            total_steps=session.total_steps + (self._step_base if agent is not None else 0),
            steps_per_second=0.0 if self.paused and self.controller == AGENT else stats.meter.rate(now),
            epsilon=float(agent.epsilon) if agent is not None and self.learning else None,
            loss=stats.loss,
            returns=tuple(self._returns),
            # One window for every series: evaluations older than the oldest return kept are
            # not drawn, or they would squeeze the returns into the plot's last columns.
            evals=tuple(e for e in self._evals if self._returns and e[0] >= self._returns[0][0]),
            finished=self._finished,
            values=self._values,
            learn_from_human=self.learn_from_human,
            timeline=(len(rewards), n),
            viewing=view is not None,
            finished_row=finished_row,
            unsaved_steps=agent.steps - self._saved_steps if agent is not None and getattr(
                agent, "learns", True) else 0,
        )
        if self.on_publish is not None:
            self.on_publish()
