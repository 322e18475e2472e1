"""The rltui Textual app: opens the launcher, or straight into a play screen."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.binding import Binding

from rltui.core.session import Session
from rltui.ui.screens.launcher import LauncherScreen
from rltui.ui.screens.play import PlayScreen


class RLTuiApp(App[None]):
    """Reinforcement learning you can see."""

    CSS_PATH = "app.tcss"
    TITLE = "rltui"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+c", "quit", "Quit", show=False, priority=True)]

    def __init__(self, session: Session | None = None, agent: Any = None,
                 agent_kind: str | None = None, settings: dict[str, str] | None = None,
                 replay: Any = None) -> None:
        """Args:
            session: open straight into playing this; None opens the launcher.
            agent: a loaded agent to play along.
            agent_kind: a fresh agent of this kind to play along.
            settings: its hyperparameters (``key=value``).
            replay: a checked recorded episode to open in the timeline (with ``session``).
        """
        super().__init__()
        self._first = (session, agent, agent_kind, settings, replay)

    def on_mount(self) -> None:
        session, agent, agent_kind, settings, replay = self._first
        if session is not None:
            self.push_screen(PlayScreen(session, agent, agent_kind, settings, replay))
        else:
            self.push_screen(LauncherScreen())
