"""What the play-along owner tells the UI: a :class:`Snapshot` of everything the panels draw,
at most ~30 times a second.

:class:`Publisher` is a part of :class:`rltui.live.playalong.PlayAlong`: it reads the other
parts it is given and fills each built-in group of the snapshot in one function of its own; a
new panel's group fills itself (:func:`rltui.live.snapshot.snapshot_group`).
:class:`ValueMap` holds the value map and its pacing."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

from agents.beliefs import Beliefs, beliefs_of
from agents.protocols import Planner, PolicyAgent
from rltui.envs.session import AGENT
from rltui.live.clock import Clock
from rltui.live.context import SPEEDS, Context
from rltui.live.inbox import SnapshotReady
from rltui.live.learning import Learner
from rltui.live.progress import Progress
from rltui.live.snapshot import (
    GROUPS,
    BeliefsView,
    PolicyView,
    RealTimeView,
    Snapshot,
    Status,
    StepView,
    TableView,
    TimelineView,
    TrainingView,
)
from rltui.live.timeline import Timeline
from rltui.returns import discounted_so_far

PUBLISH_INTERVAL = 1 / 30
FULL_SPEED_PUBLISH_INTERVAL = 1 / 2
"""At full speed the UI shares the interpreter with training: fewer frames, more steps. Every
panel redraws from each frame, so they always agree; thousands of steps a second are a blur
at any frame rate."""
VALUES_INTERVAL = 0.25
VALUES_SHARE = 0.1
"""At most this share of the owner's time goes to the value map (MountainCar's samples 648
observations; a grid world's table costs next to nothing and follows every step)."""


class ValueMap:
    """The value map: computed only while the UI shows it, and at most a share of the time."""

    def __init__(self, states: Callable[[Any], Any] | None) -> None:
        self.states = states
        """For the envs that have one: the map of an agent's values (None: no value map)."""
        self.wanted = False
        """The UI shows the value map: only then is it computed."""
        self.values: Any = None
        self.at = self.due = 0.0

    def show(self, on: bool) -> None:
        self.wanted = on
        self.forget()
        self.due = 0.0

    def forget(self) -> None:
        """Drawn afresh next time (shown again, or another agent's)."""
        self.values = None

    def update(self, agent: Any, now: float, force: bool) -> Any:
        if (
            self.states is not None
            and agent is not None
            and self.wanted
            and (now >= self.due and (force or now - self.at >= VALUES_INTERVAL))
        ):
            self.values = self.states(agent)
            spent = time.perf_counter() - now
            self.at = now
            self.due = now + spent * (1 - VALUES_SHARE) / VALUES_SHARE
        return self.values


class Publisher:
    """Snapshots, from the owner thread, without waiting for the UI."""

    def __init__(
        self,
        ctx: Context,
        timeline: Timeline,
        learner: Learner,
        progress: Progress,
        clock: Clock,
        values: ValueMap,
        loading: Callable[[], bool],
    ) -> None:
        self.ctx, self.timeline, self.learner, self.progress, self.clock = ctx, timeline, learner, progress, clock
        self.values = values
        self.loading = loading
        """Whether an agent is being made (the hand-off knows)."""
        self.wanted: frozenset[str] | None = None
        """The registered groups the panels shown read (None: every registered group); set by
        the UI before the owner thread starts."""
        self.latest: Snapshot | None = None
        self.seq = 0
        self.published_at = 0.0

    def publish(self, force: bool = False) -> None:
        """Copy what the panels need into :attr:`latest`; at most ~30 times a second unless forced."""
        ctx = self.ctx
        now = time.perf_counter()
        interval = FULL_SPEED_PUBLISH_INTERVAL if ctx.mode.full_speed else PUBLISH_INTERVAL
        if not force and now - self.published_at < interval:
            return
        self.published_at = now
        self.seq += 1
        agent = ctx.agent
        step, beliefs, td = self._step()
        self.latest = Snapshot(
            seq=self.seq,
            status=self._status(),
            step=step,
            beliefs=_beliefs(beliefs, td, ctx.session.entry.action_vectors),
            training=self._training(now),
            timeline=self._timeline(step.steps),
            table=self._table(),
            realtime=self._realtime(),
            policy=_policy_view(agent, beliefs),
            planning=agent.plan_status() if isinstance(agent, Planner) else None,
            values=self.values.update(agent, now, force),
            groups=self._groups(),
        )
        if ctx.deliver is not None:
            ctx.deliver(SnapshotReady(self.latest))

    def _groups(self) -> MappingProxyType[str, Any]:
        """The registered groups a panel shown reads, each filled by its own ``fill``."""
        wanted = self.wanted
        return MappingProxyType({name: fill(self) for name, fill in GROUPS.items() if wanted is None or name in wanted})

    def _status(self) -> Status:
        mode, agent = self.ctx.mode, self.ctx.agent
        return Status(
            controller=mode.controller,
            learning=mode.learning,
            paused=mode.paused,
            full_speed=mode.full_speed,
            speed=SPEEDS[mode.speed],
            has_agent=agent is not None,
            agent_kind=agent.kind if agent is not None else None,
            loading=self.loading(),
            learn_from_human=mode.learn_from_human,
            unsaved_steps=self.progress.unsaved_steps(),
            exercise=_exercise_note(agent),
        )

    def _step(self) -> tuple[StepView, Beliefs | None, tuple[float | None, float | None]]:
        """The step shown (the live one, or one looked back at), the agent's beliefs there and
        the TD figures of the step that led there."""
        session, agent, stats = self.ctx.session, self.ctx.agent, self.learner.stats
        episode, view = session.episode, self.timeline.view
        if view is None:
            scene, obs, rewards, last = session.scene(), session.obs, episode.rewards, session.last
            beliefs = beliefs_of(agent, obs)
            discounted, done = episode.discounted, episode.done
            td = (stats.td_target, stats.td_error)
        else:
            entry = self.timeline.entries[view]
            scene, obs, rewards = self.timeline.scene_at(entry), entry.obs, episode.rewards[:view]
            last = self.timeline.transition_to(view)
            td = entry.td
            beliefs = entry.beliefs if entry.beliefs is not None else beliefs_of(agent, obs)
            discounted, done = discounted_so_far(rewards, session.gamma), False
        outcome = None
        note = session.entry.step_note
        if last is not None and note is not None:
            outcome = note(session.env, last.obs, last.action, last.next_obs)
        step = StepView(
            scene=scene,
            last=last,
            last_outcome=outcome,
            steps=len(rewards),
            return_=float(sum(rewards)),
            discounted=discounted,
            rewards_tail=tuple(rewards[-24:]),
            done=done,
            gamma=session.gamma,
        )
        return step, beliefs, td

    def _training(self, now: float) -> TrainingView:
        ctx, progress, stats = self.ctx, self.progress, self.learner.stats
        agent, mode = ctx.agent, ctx.mode
        return TrainingView(
            episodes=progress.episodes_shown(),
            total_steps=progress.steps_shown(),
            steps_per_second=0.0 if mode.paused and mode.controller == AGENT else stats.meter.rate(now),
            epsilon=(
                float(agent.epsilon) if agent is not None and mode.learning and agent.epsilon is not None else None
            ),
            loss=stats.loss,
            returns=tuple(progress.returns),
            evals=progress.plotted_evals(),
            knob_marks=tuple(progress.knob_marks),
            solved_at=ctx.session.entry.solved_at,
            metrics=tuple(agent.last_metrics.items()) if agent is not None else (),
        )

    def _timeline(self, shown: int) -> TimelineView:
        view, entries = self.timeline.view, self.timeline.entries
        return TimelineView(
            shown=shown,
            recorded=len(entries) - 1,
            viewing=view is not None,
            knob_here=entries[view].knob if view is not None else None,
        )

    def _table(self) -> TableView:
        timeline, episode = self.timeline, self.ctx.session.episode
        view, row = timeline.view, None
        if view is not None and episode.done and timeline.finished_episode is episode and view < episode.steps:
            row = view
        return TableView(finished=timeline.finished, row=row)

    def _realtime(self) -> RealTimeView:
        clock, learner = self.clock, self.learner
        return RealTimeView(
            on=clock.realtime,
            clock_running=clock.running,
            frame_rate=clock.kept_fps,
            learning_behind=learner.behind,
            unlearned=learner.unlearned,
            fps=clock.fps,
        )


def _beliefs(
    beliefs: Beliefs | None, td: tuple[float | None, float | None], action_vectors: tuple[tuple[float, ...], ...] | None
) -> BeliefsView:
    if beliefs is None:
        return BeliefsView(td_target=td[0], td_error=td[1], action_vectors=action_vectors)
    return BeliefsView(
        q_values=beliefs.q,
        greedy=beliefs.greedy,
        td_target=td[0],
        td_error=td[1],
        actions=beliefs.actions,
        state_value=beliefs.value,
        action_vectors=action_vectors,
    )


def _policy_view(agent: Any, beliefs: Beliefs | None) -> PolicyView | None:
    if beliefs is None or not isinstance(agent, PolicyAgent):
        return None
    return PolicyView(
        pi=beliefs.pi,
        value=float(beliefs.value or 0.0),
        advantage=agent.last_advantage,
        phase=agent.phase(),
        updates=agent.updates,
    )


def _exercise_note(agent: Any) -> str | None:
    """What the Training panel says of a learner's function in the agent (``--exercise``)."""
    if agent is None:
        return None
    from agents.exercises.live import exercise_of

    swap = exercise_of(agent)
    return None if swap is None else swap.note()
