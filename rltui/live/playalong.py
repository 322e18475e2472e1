"""Play along: one owner steps the environment; a person and an agent share it.

:class:`PlayAlong` runs in one background thread (``run(stop)``). Every step,
whoever takes it, happens there, through :meth:`Session.step`. The UI asks for
things with methods that queue calls (:class:`rltui.live.controls.Controls`) and hears back
through typed messages (:mod:`rltui.live.inbox`): the latest :class:`Snapshot`,
published at most ~30 times a second, and notices. Nothing here knows about
Textual: the UI passes a plain callable that is handed each message without
waiting.

The owner is made of parts, each holding its own state and given, when made, the shared
:class:`rltui.live.context.Context` and the parts it works with: the :class:`Timeline` (the
steps kept), the :class:`Clock` (real time), the :class:`HandOff` (an agent being made), the
:class:`Learner`, :class:`Progress` (counters, the plot's series, evaluations), the
:class:`Publisher`, the :class:`Stepper` (every step, whoever takes it) and the :class:`Commands`
the UI's calls are made with. The owner wires them and owns the thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from operator import attrgetter
from typing import Any

from agents.exercises.live import hear as hear_exercise
from rltui.envs.session import AGENT, HUMAN, Session
from rltui.live.clock import Clock
from rltui.live.context import SPEEDS, Context
from rltui.live.controls import Commands, Controls, Steps
from rltui.live.handoff import HandOff, agent_gamma, track_td, welcome
from rltui.live.inbox import Deliver, Notice, SnapshotReady
from rltui.live.learning import Learner, TensorBoardRuns
from rltui.live.progress import HISTORY, Progress
from rltui.live.publishing import FULL_SPEED_PUBLISH_INTERVAL, Publisher, ValueMap
from rltui.live.realtime import frame_rate
from rltui.live.snapshot import Snapshot
from rltui.live.stepping import Stepper
from rltui.live.timeline import EPISODE_RECORD_LIMIT, Timeline
from rltui.live.world import World

__all__ = [
    "EPISODE_RECORD_LIMIT",
    "FULL_SPEED_PUBLISH_INTERVAL",
    "HISTORY",
    "SPEEDS",
    "Notice",
    "PlayAlong",
    "Snapshot",
    "SnapshotReady",
    "agent_gamma",
]


class _Kept:
    """An owner attribute that one of its parts keeps (read and written there): the UI's and
    the tests' view of the owner's state, without a second copy of it."""

    def __init__(self, path: str) -> None:
        part, _, self.name = path.rpartition(".")
        self.part = attrgetter(part)
        self.value = attrgetter(path)  # made once: the owner reads these on every tick

    def __get__(self, owner: Any, cls: type | None = None) -> Any:
        return self if owner is None else self.value(owner)

    def __set__(self, owner: Any, value: Any) -> None:
        setattr(self.part(owner), self.name, value)


class PlayAlong(Controls):
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

    agent = _Kept("ctx.agent")
    controller = _Kept("ctx.mode.controller")
    learning = _Kept("ctx.mode.learning")
    learn_from_human = _Kept("ctx.mode.learn_from_human")
    paused = _Kept("ctx.mode.paused")
    full_speed = _Kept("ctx.mode.full_speed")
    speed = _Kept("ctx.mode.speed")
    stopped_reason = _Kept("ctx.mode.stopped_reason")
    realtime = _Kept("clock.realtime")
    fps = _Kept("clock.fps")
    clock_running = _Kept("clock.running")
    hold = _Kept("clock.hold")
    view = _Kept("timeline.view")
    loading = _Kept("handoff.loading")
    make_agent = _Kept("handoff.make_agent")
    tensorboard = _Kept("runs.folder")
    value_states = _Kept("values.states")
    latest = _Kept("publisher.latest")

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
        entry = session.entry
        self.session = session
        self.ctx = ctx = Context(session, deliver=deliver)
        self.running = False
        self._next_step = 0.0
        """When the agent's next step is due at a slow speed (owner thread)."""
        self.timeline = Timeline(ctx)
        self.clock = Clock(ctx, entry.rest_actions, frame_rate(session.env, entry.fps), realtime)
        self.runs = TensorBoardRuns(ctx, tensorboard)
        self.learner = Learner(ctx, self.timeline, self.runs)
        self.progress = Progress(ctx, self.runs)
        self.world = World(ctx, self.timeline, self.progress)
        self.values = ValueMap(value_states)
        self.stepper = stepper = Stepper(
            ctx, session, self.timeline, self.clock, self.learner, self.progress, self.world
        )
        self.handoff = HandOff(ctx, make_agent, attach=lambda a: self._attach(a, announce=False), step=stepper.agent)
        self.publisher = Publisher(
            ctx,
            self.timeline,
            self.learner,
            self.progress,
            self.clock,
            self.values,
            loading=lambda: self.handoff.loading,
        )
        steps = Steps(human=stepper.human, agent=stepper.agent, new_episode=stepper.new_episode, attach=self._attach)
        super().__init__(
            ctx.inbox, Commands(ctx, self.clock, self.timeline, self.handoff, self.progress, self.values, steps)
        )
        if agent is not None:
            self._attach(agent, announce=False)
        self.timeline.start()
        if replay is not None:
            self._replay(replay)
        self.publish(force=True)

    @property
    def settled(self) -> bool:
        """Every call sent so far has been made and its result published, and no agent is
        being made."""
        return self.inbox.handled >= self.inbox.sent and not self.handoff.loading

    @property
    def kept_fps(self) -> float | None:
        """Frames per second the real-time clock has kept since it last started."""
        return self.clock.kept_fps

    @property
    def learning_behind(self) -> int:
        """A person's real-time moves the agent has yet to learn from."""
        return self.learner.behind

    def say(self, severity: str, text: str) -> None:
        """Tell the person once (``information``, ``warning`` or ``error``)."""
        self.ctx.say(severity, text)

    def publish(self, force: bool = False) -> None:
        """A snapshot into :attr:`latest` (and to the UI); at most ~30 times a second unless forced."""
        self.publisher.publish(force)

    def mark_saved(self) -> None:
        """The agent as it is now is on disk (owner thread)."""
        self.progress.mark_saved()

    # --- the world changed while the agent learns (UI thread: queued) ------------------------

    def change_world(self, grid_map: Any) -> None:
        """Play ``grid_map`` (the same size as the map in play) from the next episode on
        (:mod:`rltui.live.world`)."""
        self.inbox.put(self.world.change, grid_map)

    def set_world(self, settings: dict[str, float]) -> None:
        """The world's slip and living reward (checked: :func:`rltui.live.knobs.check_world`)
        from the next episode on."""
        self.inbox.put(self.world.set, dict(settings))

    # --- episodes on disk (owner thread) ---------------------------------------------------

    def open_replay(self, record: Any) -> None:
        """Replace the current episode with a recorded one (checked already). Owner thread only."""
        self.ctx.mode.controller = HUMAN
        self._replay(record)

    def save_episode(self, directory: Any) -> Any:
        """See :meth:`Timeline.save_episode`."""
        return self.timeline.save_episode(directory)

    def _replay(self, record: Any) -> None:
        """The replayed steps are not training: the rate and the returns plot stay as they were."""
        try:
            self.timeline.replay(record, lambda action, actor: self.stepper.step(action, actor, learn=False))
        finally:
            self.learner.stats.meter.clear()
        self.ctx.mode.paused = self.ctx.agent is not None  # an agent brought along waits until asked

    def _attach(self, agent: Any, announce: bool = True) -> None:
        """Play along with ``agent`` from now on: each part takes it up."""
        ctx = self.ctx
        ctx.agent = agent
        self.learner.backlog.clear()  # moves made for another agent (in its own action form)
        if ctx.session.observe_as(agent.kind):
            self.timeline.reobserve()  # a network agent sees MiniGrid's partial view, a table its state
        track_td(agent)
        hear_exercise(agent, ctx.say)  # a learner's function that fails: one notice (agents/exercises/live.py)
        self.progress.attach(agent)
        self.runs.open(agent)
        self.values.forget()
        self.timeline.finished = None  # its V(s_t) column was another agent's
        welcome(ctx, agent, announce)

    # --- the training thread ---------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """Step, learn and publish until ``stop`` is set.

        Never raises: a fault in the agent or the env stops training (the
        person keeps the controls) and is reported as a notice.
        """
        self.running = True
        self.ctx.stop = stop
        try:
            while not stop.is_set():
                try:
                    self._tick()
                except Exception as exc:  # a fault must never kill the thread silently
                    self._fault(exc)
                    self.inbox.drop_all()  # whatever was in flight is dropped with the fault
        finally:
            self.running = False
            self.runs.close()

    def _tick(self) -> None:
        mode, learner = self.ctx.mode, self.learner
        driving = mode.controller == AGENT and self.ctx.agent is not None and not mode.paused
        if driving and mode.full_speed:
            handled = self._drain()
            if learner.backlog:
                learner.learn_next()  # a person's moves first, in the order they were made
            elif mode.controller == AGENT and not mode.paused and mode.full_speed:
                self.stepper.agent()
            self.publish(force=handled > 0)  # a call's effect is shown at once
            self.inbox.handled += handled
            return
        if not driving and self.clock.running:
            self._clocked_tick()
            return
        if learner.backlog:  # the clock stopped: learn what real time left unlearned, keys first
            timeout = 0.0
        elif driving:
            timeout = max(0.0, self._next_step - time.perf_counter())
        else:
            timeout = 0.1
        call = self.inbox.get(timeout) if timeout > 0 else self.inbox.get(0)
        if call is not None:
            self._make(call)
        elif learner.backlog:
            learner.learn_next()
            self.publish()
        elif driving:
            self.stepper.agent()
            self._next_step = time.perf_counter() + 1.0 / SPEEDS[mode.speed]
            self.publish(force=True)
        elif self.latest is not None and self.latest.training.steps_per_second > 0:
            self.publish(force=True)  # the rate falls to 0 once nothing steps: show it

    def _make(self, call: Any) -> None:
        """Make a call, and every call queued behind it; publish their effect."""
        fn, args = call
        fn(*args)
        handled = 1 + self._drain()
        self.publish(force=True)
        self.inbox.handled += handled

    def _clocked_tick(self) -> None:
        """Real time: a person's keys first, then the frame when it is due, then learning in
        whatever time is left before the next frame (never past it: the env's clock never
        waits for an update)."""
        handled = self._drain()  # keys are taken even when a frame is late
        if handled:
            self.publish(force=True)
            self.inbox.handled += handled
            if not self.clock.running or self.ctx.mode.controller == AGENT:
                return
        left = self.clock.left(time.perf_counter())
        if left <= 0:
            self.stepper.frame()
            self.publish(force=True)
            return
        if self.learner.fits(left):
            self.learner.learn_next()
            return
        call = self.inbox.get(left)
        if call is not None:
            self._make(call)

    def _fault(self, exc: Exception) -> None:
        mode = self.ctx.mode
        mode.controller = HUMAN
        mode.paused = True
        mode.full_speed = False
        detail = str(exc).splitlines()[0] if str(exc) else ""
        reason = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
        mode.stopped_reason = reason
        self.say("error", f"Training stopped: {reason}")
        self.timeline.view = None  # back to the live step, which is always drawable
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
