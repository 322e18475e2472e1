"""The timeline of the episode being played: every step kept, shown again, branched from,
and episodes saved to or replayed from disk.

:class:`Timeline` is a part of :class:`rltui.live.playalong.PlayAlong`: it holds the steps
kept, the step shown and the G_t table of the episode that ended; it runs in the owner thread,
on the context's session and agent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agents.beliefs import Beliefs
from rltui.envs.catalog import LONGEST_EPISODE, PIXELS, observation_now
from rltui.envs.restore import capture, restore
from rltui.envs.session import Transition
from rltui.live.context import Context
from rltui.live.snapshot import ReturnsRow

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
    update: Mapping[str, Any] | None = None
    """What the agent's ``observe`` said of its update from the step that led here (the
    numbers ``X`` explains: a tabular agent's α and TD figures, DQN's Q(s,a), a*, Q'(s',a*) …)."""


class Timeline:
    """Keeping, showing and branching the steps of the current episode (owner thread only)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.entries: list[TimelineEntry] = []
        """Entry i: the env as it was after step i of this episode (0: after the reset)."""
        self.view: int | None = None
        """The step shown, or None for the live end."""
        self.replaying = False
        """A recorded episode is being played in: not training."""
        self.finished: tuple[tuple[ReturnsRow, ...], tuple[float, ...]] | None = None
        """The G_t table of the episode that ended last: its rows and G_t for each."""
        self.finished_episode: Any = None
        """The Episode the G_t table was made from (what ctrl+e saves once a new one is empty)."""
        self.episode_saved: tuple[EpisodeRecord, Path] | None = None
        """The episode last saved (ctrl+e) and its file: saving it again, unchanged, says where."""

    # --- episodes on disk ------------------------------------------------------------------

    def replay(self, record: EpisodeRecord, step: Callable[[Any, str], None]) -> None:
        """Play a recorded episode into the timeline with ``step(action, actor)`` (a step that
        does not learn), then show its first step.

        The replayed steps are not training: they leave the episode and step counters as they
        were (the G_t table does show the replayed episode).
        """
        session = self.ctx.session
        counts = session.episodes_finished, session.total_steps
        session.reset(seed=record.seed)
        self.start()
        self.replaying = True
        try:
            for action, actor in zip(record.actions, record.actors):
                step(action, actor)
        finally:
            self.replaying = False
            session.episodes_finished, session.total_steps = counts
        self.view = 0 if record.steps else None

    def save_episode(self, directory: Path) -> tuple[Path, EpisodeRecord]:
        """Write the current episode (or, before the next one has a step, the one that just
        ended) to a new JSON Lines file in ``directory``; returns its path. Owner thread only.

        Raises:
            EpisodeAlreadySaved: this very episode, unchanged, is already in a file there.
            EpisodeFileError: nothing to save, or the file cannot be written.
        """
        from rltui.formats import episodes

        session, agent = self.ctx.session, self.ctx.agent
        episode = session.episode
        if episode.steps == 0 and self.finished_episode is not None:
            episode = self.finished_episode
        record = episodes.record_of(episode, session.entry.id, agent.kind if agent is not None else None)
        saved = self.episode_saved
        if saved is not None and saved[0] == record and saved[1].parent == directory and saved[1].is_file():
            raise episodes.EpisodeAlreadySaved(saved[1])
        path = episodes.save(record, directory)
        self.episode_saved = (record, path)
        return path, record

    # --- the steps kept -------------------------------------------------------------------

    def start(self) -> None:
        """A new episode: nothing kept but its first state, shown live."""
        self.entries = []
        self.view = None
        self.keep()

    def keep(self) -> None:
        """Remember the env as it is now, as the timeline's next entry (bounded)."""
        if len(self.entries) > EPISODE_RECORD_LIMIT:
            return
        session = self.ctx.session
        state = capture(session.env)
        scene = None
        if state is None and session.entry.render != PIXELS:
            scene = session.scene()
        self.entries.append(TimelineEntry(state, session.obs, scene=scene))

    def live(self) -> TimelineEntry | None:
        """The entry of the step the env is at now (None once the timeline is full)."""
        if self.entries and len(self.entries) == self.ctx.session.episode.steps + 1:
            return self.entries[-1]
        return None

    def set_td(
        self,
        episode: Any,
        index: int,
        td: tuple[float | None, float | None],
        update: Mapping[str, Any] | None = None,
    ) -> None:
        """The TD target and error of the step that led to entry ``index`` of ``episode``, and
        what the agent said of that update (nothing if that episode is no longer the one kept)."""
        if episode is self.ctx.session.episode and index < len(self.entries):
            entry = self.entries[index]
            entry.td = td
            entry.update = update

    def finish(self, episode: Any) -> None:
        """The episode ended: its G_t table, from its bookkeeping and the beliefs kept."""
        kept = min(episode.steps, len(self.entries))
        seen = [entry.beliefs for entry in self.entries[:kept]]
        records = tuple(
            ReturnsRow(
                t,
                episode.actors[t],
                episode.actions[t],
                episode.rewards[t],
                None if (beliefs := seen[t]) is None else beliefs.value,
            )
            for t in range(kept)
        )
        self.finished = (records, tuple(episode.returns_to_go()[:kept]))
        self.finished_episode = episode

    def reobserve(self) -> None:
        """The env now shows agents another observation (:meth:`Session.observe_as`): each
        kept step's is made again, as the env was then."""
        env = self.ctx.session.env
        now = capture(env)
        try:
            for entry in self.entries:
                if entry.state is not None:
                    restore(env, entry.state)
                    entry.obs = observation_now(env)
        finally:
            restore(env, now)

    def branch(self) -> None:
        """Acting at an earlier step: put the env back there and drop the later steps."""
        i = self.view
        self.view = None
        if i is None or i >= len(self.entries) - 1:
            return
        session = self.ctx.session
        entry = self.entries[i]
        if entry.state is None:
            self.ctx.say(
                "warning",
                f"{session.entry.id} cannot be put back to an earlier step; play goes on from the latest one.",
            )
            return
        restore(session.env, entry.state)
        session.obs = entry.obs
        session.episode.truncate(i)
        session.last = None
        del self.entries[i + 1 :]

    def scrub(self, where: Any) -> None:
        """Move the view: a step delta, ``"home"`` or ``"end"``."""
        n = len(self.entries) - 1
        current = n if self.view is None else self.view
        if where == "home":
            target = 0
        elif where == "end":
            target = n
        else:
            target = min(max(current + int(where), 0), n)
        self.view = None if target == n else target

    def transition_to(self, i: int) -> Transition | None:
        """The step that led to timeline entry ``i``, as it was (None for the first entry)."""
        if i == 0:
            return None
        episode, t = self.ctx.session.episode, i - 1
        return Transition(
            self.entries[t].obs,
            episode.actions[t],
            episode.rewards[t],
            self.entries[i].obs,
            False,
            False,
            t,
            episode.actors[t],
        )

    def scene_at(self, entry: TimelineEntry) -> Any:
        """The scene as it was at a past step: put the env back there, draw, put it back."""
        session = self.ctx.session
        if entry.state is None:
            return entry.scene if entry.scene is not None else session.scene()
        env = session.env
        now = capture(env)
        restore(env, entry.state)
        try:
            return session.scene()
        finally:
            restore(env, now)
