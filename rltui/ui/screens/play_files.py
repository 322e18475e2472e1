"""The play screen's files: saving and loading the agent, saving the episode, opening a
replay, and the messages that carry the owner's word back to the screen. Part of
:class:`rltui.ui.screens.play.PlayScreen`; the writing itself happens in the owner thread."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.message import Message

from rltui.live.inbox import Notice, OwnerMessage, SnapshotReady
from rltui.live.playalong import PlayAlong
from rltui.ui.format import num


def replay_notice(record: Any) -> str:
    return (
        f"Replaying {record.source}: {record.steps} steps, return {num(record.return_)}. "
        "] steps forward, end jumps to the last step, a move branches from the step shown."
    )


class OwnerSaid(Message):
    """A message from the owner thread: a notice, or a snapshot (which a newer one replaces)."""

    def __init__(self, said: OwnerMessage) -> None:
        super().__init__()
        self.said = said

    def can_replace(self, message: Message) -> bool:
        return (
            isinstance(self.said, SnapshotReady)
            and isinstance(message, OwnerSaid)
            and isinstance(message.said, SnapshotReady)
        )


class AgentSaved(Message):
    """The owner thread has written the agent to disk; ``then`` runs next (quit, go back)."""

    def __init__(self, then: Any) -> None:
        super().__init__()
        self.then = then


class AgentFiles:
    """Ctrl+S, ctrl+E and ctrl+O on the play screen."""

    def action_save(self, then: Any = None) -> None:
        """Ask where to save the agent, then save it in the owner thread; ``then`` runs once it
        is written (the leave dialog's "save first")."""
        from rltui.formats.saves import fresh_save_path
        from rltui.ui.screens.dialogs import SaveDialog

        snap = self.snap
        if snap is None or not snap.status.has_agent:
            self.notify("There is no agent to save yet: press tab to bring one in.", severity="warning")
            return
        kind = snap.status.agent_kind or "agent"
        suggested = fresh_save_path(self.session.entry.id, kind)
        self.app.push_screen(
            SaveDialog(str(suggested), self.session.entry.id, kind), lambda path: self._save_to(path, then)
        )

    def _save_to(self, path: str | None, then: Any = None) -> None:
        if not path:
            return
        env_id = self.session.entry.id

        def save(playalong: PlayAlong) -> None:  # runs in the owner thread
            from agents.persistence import SaveError, save_agent

            try:
                written = save_agent(playalong.agent, Path(path), env_id)
            except SaveError as exc:
                playalong.say("error", str(exc))
            else:
                playalong.mark_saved()
                playalong.say("information", f"Saved to {written}.")
                if then is not None:
                    self.post_message(AgentSaved(then))  # never waits for the UI

        self.playalong.call(save)

    def action_save_episode(self) -> None:
        """Save the episode in the owner thread; said at once, since the owner may be busy
        (learning) for a while before it gets to it, and the UI never waits for it."""
        from rltui.formats.episodes import EpisodeAlreadySaved, EpisodeFileError
        from rltui.paths import episodes_dir

        directory = episodes_dir()

        def save(playalong: PlayAlong) -> None:  # runs in the owner thread
            try:
                path, record = playalong.save_episode(directory)
            except EpisodeAlreadySaved as exc:
                playalong.say("information", str(exc))
            except EpisodeFileError as exc:
                playalong.say("warning", str(exc))
            else:
                playalong.say(
                    "information",
                    f"Saved {record.steps} steps (return "
                    f"{num(record.return_)}) to {path}; rltui play --replay plays it again.",
                )

        self.notify("Saving the episode…", timeout=2)
        self.playalong.call(save)

    def action_load(self) -> None:
        from rltui.ui.screens.dialogs import LoadDialog

        self.app.push_screen(LoadDialog(self.session.entry.id, self.session.entry), self._load_from)

    def _load_from(self, loaded: Any) -> None:
        """The load dialog's choice, already read and checked (None: cancelled)."""
        if loaded is None:
            return
        if loaded.record is not None:
            record = loaded.record
            self.playalong.call(lambda playalong: playalong.open_replay(record))
            self.notify(replay_notice(record), timeout=8)
        else:
            self.playalong.set_agent(loaded.agent)
            self.notify(f"Loaded a {loaded.agent.kind} agent from {loaded.path}.")

    def load_in_background(self, path: str) -> None:
        """Load a saved agent off the UI thread and hand it to the owner thread."""
        self.run_worker(lambda: self._load_worker(path), thread=True, name="load")

    def _load_worker(self, path: str) -> None:
        """Loading can import torch: done off the UI thread, then handed to the owner."""
        from agents.persistence import SaveError
        from rltui.training.agent_factory import load_agent_for

        try:
            agent, _ = load_agent_for(path, self.session.entry)
        except SaveError as exc:
            self.post_message(OwnerSaid(Notice("error", str(exc))))
            return
        self.playalong.set_agent(agent)
        self.playalong.call(lambda playalong: playalong.say("information", f"Loaded a {agent.kind} agent from {path}."))
