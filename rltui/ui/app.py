"""The rltui Textual app: opens the launcher, or straight into a play screen."""

from __future__ import annotations

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

    def __init__(self, session: Session | None = None) -> None:
        super().__init__()
        self._first_session = session

    def on_mount(self) -> None:
        if self._first_session is not None:
            self.push_screen(PlayScreen(self._first_session))
        else:
            self.push_screen(LauncherScreen())
