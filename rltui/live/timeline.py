"""The timeline of the episode being played: every step kept, shown again, branched from,
and episodes saved to or replayed from disk.

:class:`Timeline` is part of :class:`rltui.live.playalong.PlayAlong`: it runs in the owner
thread, on the owner's session and agent; it is kept apart because it is a job of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agents.beliefs import Beliefs
from rltui.envs.catalog import LONGEST_EPISODE, PIXELS, observation_now
from rltui.envs.restore import capture, restore
from rltui.envs.session import HUMAN, Transition

if TYPE_CHECKING:
    from rltui.formats.episodes import EpisodeRecord

EPISODE_RECORD_LIMIT = LONGEST_EPISODE
"""Steps of one episode the timeline keeps (for scrubbing, branching and the G_t table);
every env is made with a time limit no longer than this."""


@dataclass
class TimelineEntry:
    """What it takes to show (and branch from) one step of the episode."""

    state: Any
    """From :func:`rltui.envs.restore.capture`; None when the env cannot be restored."""
    obs: Any
    beliefs: Beliefs | None = None
    """Q(s, ·), or π(·|s) and V(s), as the agent saw this state before acting from it."""
    td: tuple[float | None, float | None] = (None, None)
    """TD target and error of the step that led here, when the agent learned from it."""
    scene: Any = None
    """Kept only for envs that cannot be restored and draw small scenes (cards, text)."""
    knob: str | None = None
    """A person turned the agent's knobs at this step (``ε 0.23 → 0``): from here on."""


class Timeline:
    """Keeping, showing and branching the steps of the current episode (owner thread only)."""

    _episode_saved: tuple[EpisodeRecord, Path] | None = None
    """The episode last saved (ctrl+e) and its file: saving it again, unchanged, says where."""

    # --- episodes on disk ------------------------------------------------------------------

    def open_replay(self, record: EpisodeRecord) -> None:
        """Replace the current episode with a recorded one (checked already). Owner thread only."""
        self.controller = HUMAN
        self._replay(record)

    def _replay(self, record: EpisodeRecord) -> None:
        """Play a recorded episode into the timeline, then show its first step.

        The replayed steps are not training: they leave the counters, the rate and the
        returns plot as they were (the G_t table does show the replayed episode).
        """
        session = self.session
        counts = session.episodes_finished, session.total_steps
        session.reset(seed=record.seed)
        self._start_timeline()
        self._replaying = True
        try:
            for action, actor in zip(record.actions, record.actors):
                self._step(action, actor, learn=False)
        finally:
            self._replaying = False
            session.episodes_finished, session.total_steps = counts
            self._stats.meter.clear()
        self.view = 0 if record.steps else None
        self.paused = self.agent is not None  # an agent brought along waits until asked

    def save_episode(self, directory: Path) -> tuple[Path, EpisodeRecord]:
        """Write the current episode (or, before the next one has a step, the one that just
        ended) to a new JSON Lines file in ``directory``; returns its path. Owner thread only.

        Raises:
            EpisodeAlreadySaved: this very episode, unchanged, is already in a file there.
            EpisodeFileError: nothing to save, or the file cannot be written.
        """
        from rltui.formats import episodes

        episode = self.session.episode
        if episode.steps == 0 and self._finished_episode is not None:
            episode = self._finished_episode
        record = episodes.record_of(episode, self.session.entry.id, self.agent.kind if self.agent is not None else None)
        saved = self._episode_saved
        if saved is not None and saved[0] == record and saved[1].parent == directory and saved[1].is_file():
            raise episodes.EpisodeAlreadySaved(saved[1])
        path = episodes.save(record, directory)
        self._episode_saved = (record, path)
        return path, record

    # --- the steps kept -------------------------------------------------------------------

    def _start_timeline(self) -> None:
        self._timeline = []
        self.view = None
        self._keep_step()

    def _keep_step(self) -> None:
        """Remember the env as it is now, as the timeline's next entry (bounded)."""
        if len(self._timeline) > EPISODE_RECORD_LIMIT:
            return
        state = capture(self.session.env)
        scene = None
        if state is None and self.session.entry.render != PIXELS:
            scene = self.session.scene()
        self._timeline.append(TimelineEntry(state, self.session.obs, scene=scene))

    def _reobserve(self) -> None:
        """The env now shows agents another observation (:meth:`Session.observe_as`): each
        kept step's is made again, as the env was then."""
        env = self.session.env
        now = capture(env)
        try:
            for entry in self._timeline:
                if entry.state is not None:
                    restore(env, entry.state)
                    entry.obs = observation_now(env)
        finally:
            restore(env, now)

    def _branch(self) -> None:
        """Acting at an earlier step: put the env back there and drop the later steps."""
        i = self.view
        self.view = None
        if i is None or i >= len(self._timeline) - 1:
            return
        entry = self._timeline[i]
        if entry.state is None:
            self.say("warning", f"{self.session.entry.id} cannot be put back to an "
                      "earlier step; play goes on from the latest one.")
            return
        restore(self.session.env, entry.state)
        session = self.session
        session.obs = entry.obs
        session.episode.truncate(i)
        session.last = None
        del self._timeline[i + 1:]

    def _scrub(self, where: Any) -> None:
        n = len(self._timeline) - 1
        current = n if self.view is None else self.view
        if where == "home":
            target = 0
        elif where == "end":
            target = n
        else:
            target = min(max(current + int(where), 0), n)
        self.view = None if target == n else target
        if self.view is not None:
            self.clock_running = False  # real time stops while a person looks back
            if self.agent is not None:
                self.paused = True  # the agent waits while a person looks back

    def _transition_to(self, i: int) -> Transition | None:
        """The step that led to timeline entry ``i``, as it was (None for the first entry)."""
        if i == 0:
            return None
        episode, t = self.session.episode, i - 1
        return Transition(self._timeline[t].obs, episode.actions[t], episode.rewards[t],
                          self._timeline[i].obs, False, False, t, episode.actors[t])

    def _scene_at(self, entry: TimelineEntry) -> Any:
        """The scene as it was at a past step: put the env back there, draw, put it back."""
        if entry.state is None:
            return entry.scene if entry.scene is not None else self.session.scene()
        env = self.session.env
        now = capture(env)
        restore(env, entry.state)
        try:
            return self.session.scene()
        finally:
            restore(env, now)
