"""What the play-along owner tells the UI: a :class:`Snapshot` of everything the panels draw,
at most ~30 times a second, and notices. Part of :class:`rltui.live.playalong.PlayAlong`."""

from __future__ import annotations

import time
from typing import Any

from agents.beliefs import Beliefs, beliefs_of
from agents.protocols import Planner, PolicyAgent
from rltui.live.controls import SPEEDS
from rltui.live.inbox import Notice, SnapshotReady
from rltui.returns import discounted_so_far
from rltui.envs.session import AGENT
from rltui.live.snapshot import PolicyView, Snapshot

PUBLISH_INTERVAL = 1 / 30
FULL_SPEED_PUBLISH_INTERVAL = 1 / 2
"""At full speed the UI shares the interpreter with training: fewer frames, more steps. Every
panel redraws from each frame, so they always agree; thousands of steps a second are a blur
at any frame rate."""
VALUES_INTERVAL = 0.25
VALUES_SHARE = 0.1
"""At most this share of the owner's time goes to the value map (MountainCar's samples 648
observations; a grid world's table costs next to nothing and follows every step)."""


class Publisher:
    """Snapshots and notices, from the owner thread, without waiting for the UI."""

    def say(self, severity: str, text: str) -> None:
        """Tell the person once (``information``, ``warning`` or ``error``)."""
        if self.deliver is not None:
            self.deliver(Notice(severity, text))

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
            beliefs = beliefs_of(agent, obs)
            discounted, done = episode.discounted, episode.done
        else:
            entry = self._timeline[view]
            scene, obs, rewards = self._scene_at(entry), entry.obs, episode.rewards[:view]
            last = self._transition_to(view)
            td_target, td_error = entry.td
            beliefs = entry.beliefs if entry.beliefs is not None else beliefs_of(agent, obs)
            discounted, done = discounted_so_far(rewards, session.gamma), False
            if episode.done and self._finished_episode is episode and view < episode.steps:
                finished_row = view
        if self.value_states is not None and agent is not None and self.values_wanted and (
                now >= self._values_due and (force or now - self._values_at >= VALUES_INTERVAL)):
            self._values = self.value_states(agent)
            spent = time.perf_counter() - now
            self._values_at = now
            self._values_due = now + spent * (1 - VALUES_SHARE) / VALUES_SHARE
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
            agent_kind=agent.kind if agent is not None else None,
            loading=self.loading,
            q_values=None if beliefs is None else beliefs.q,
            greedy=None if beliefs is None else beliefs.greedy,
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
            epsilon=(float(agent.epsilon) if agent is not None and self.learning and agent.epsilon is not None
                     else None),
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
            unsaved_steps=agent.steps - self._saved_steps if agent is not None and agent.learns else 0,
            solved_at=session.entry.solved_at,
            policy=_policy_view(agent, beliefs),
            metrics=tuple(agent.last_metrics.items()) if agent is not None else (),
            actions=None if beliefs is None else beliefs.actions,
            state_value=None if beliefs is None else beliefs.value,
            action_vectors=session.entry.action_vectors,
            realtime=self.realtime,
            clock_running=self.clock_running,
            frame_rate=self.kept_fps,
            learning_behind=len(self._to_learn),
            unlearned=self._unlearned,
            knob_marks=tuple(self._knob_marks),
            knob_here=self._timeline[view].knob if view is not None else None,
            planning=agent.plan_status() if isinstance(agent, Planner) else None,
            fps=self.fps,
        )
        if self.deliver is not None:
            self.deliver(SnapshotReady(self.latest))


def _policy_view(agent: Any, beliefs: Beliefs | None) -> PolicyView | None:
    if beliefs is None or not isinstance(agent, PolicyAgent):
        return None
    return PolicyView(pi=beliefs.pi, value=float(beliefs.value or 0.0), advantage=agent.last_advantage,
                      phase=agent.phase(), updates=agent.updates)
