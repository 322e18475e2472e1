"""Stepping: every step of the env, whoever takes it, and what follows from it.

:class:`Stepper` is a part of :class:`rltui.live.playalong.PlayAlong` (owner thread). A person's
key (:meth:`human`), the agent's move (:meth:`agent`) and a real-time frame (:meth:`frame`) all
end in :meth:`step`: the timeline branches first when the person was looking back, the step is
taken through :meth:`rltui.envs.session.Session.step`, kept on the timeline, and learned from
now or (a person's real-time moves) when the clock leaves time for it. The owner wires the
parts and runs the thread; this module takes the steps.
"""

from __future__ import annotations

import time

import numpy as np

from agents.beliefs import beliefs_of, is_continuous
from agents.protocols import Planner, PolicyAgent
from agents.registry import OFF_POLICY
from rltui.envs.session import AGENT, HUMAN, Session
from rltui.live.clock import OVER, Clock
from rltui.live.context import Context
from rltui.live.learning import Learner
from rltui.live.progress import Progress
from rltui.live.timeline import Timeline
from rltui.live.world import World


class Stepper:
    """Takes each step of ``session`` for a person or the agent in ``ctx`` (owner thread)."""

    def __init__(
        self,
        ctx: Context,
        session: Session,
        timeline: Timeline,
        clock: Clock,
        learner: Learner,
        progress: Progress,
        world: World,
    ) -> None:
        self.ctx, self.session, self.timeline, self.clock = ctx, session, timeline, clock
        self.learner, self.progress, self.world = learner, progress, world

    def human(self, action: int) -> None:
        """A person's move; the agent learns from it when it can (off-policy kinds)."""
        if self.timeline.view is not None:
            self.timeline.branch()  # may fail (a Box2D env cannot be put back): then the live step goes on
        if self.session.episode.done:
            self.ctx.say("information", OVER)
            return
        agent, mode = self.ctx.agent, self.ctx.mode
        learn = mode.learning and mode.learn_from_human and agent is not None and (agent.kind in OFF_POLICY)
        self.step(action, HUMAN, learn)

    def new_episode(self) -> None:
        changed = self.world.begin_episode()  # a world changed while it learns: from this episode
        self.session.reset()
        self.clock.stop()
        self.timeline.start()
        if changed is not None:
            self.world.mark(changed)

    def frame(self) -> None:
        """One real-time frame: the held key's action, or the rest action once it is let go."""
        self.human(self.clock.frame())
        if self.session.episode.done or self.timeline.view is not None:
            self.clock.running = False  # the clock stops with the episode (or when looking back)

    def agent(self) -> None:
        """The agent's move (a new episode first when the last one ended)."""
        agent = self.ctx.agent
        if self.timeline.view is not None:
            self.timeline.branch()  # first: the action is chosen for the state it is taken in
        if isinstance(agent, Planner) and agent.planning:
            # A planner watched sweep by sweep: this step is one sweep of its model, and the
            # env waits until the values have converged.
            agent.sweep()
            self.learner.stats.meter.record(time.perf_counter(), self.session.total_steps)
            return
        if self.session.episode.done:
            self.new_episode()
        learning = self.ctx.mode.learning
        action = agent.act(self.session.obs, learning)
        self.step(action, AGENT, learning)

    def step(self, action: int, actor: str, learn: bool) -> None:
        session, timeline, learner, agent = self.session, self.timeline, self.learner, self.ctx.agent
        if timeline.view is not None:
            timeline.branch()
        live = timeline.live()
        if live is not None:
            live.beliefs = beliefs_of(agent, session.obs)
        if actor == HUMAN and isinstance(agent, PolicyAgent):
            agent.cut()  # an on-policy rollout never mixes in a person's moves
        transition = session.step(action, actor=actor)
        if learn and is_continuous(agent) and not isinstance(transition.action, np.ndarray):
            # A person's key is a named action: a continuous agent learns from its vector.
            transition = transition._replace(action=session.action_vector(transition.action))
        timeline.keep()
        stats = learner.stats
        stats.meter.record(time.perf_counter(), session.total_steps)
        if learn and actor == HUMAN and self.clock.running and not timeline.replaying:
            learner.defer(session.episode, session.episode.steps, transition)
        elif learn:
            learner.learn(transition, session.episode, session.episode.steps)
        elif agent is not None and actor == AGENT:
            stats.td_target = stats.td_error = None
        if transition.done:
            timeline.finish(session.episode)
            if not timeline.replaying:
                self.progress.episode_finished(session.episode)
