"""The rltui Textual app: opens the launcher, or straight into a play screen, and owns the
navigation between them (the screens never import each other)."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.binding import Binding

from rltui.envs import catalog
from rltui.envs.catalog import CatalogError, EnvEntry
from rltui.envs.session import Session
from rltui.ui.screens.launcher import LauncherScreen
from rltui.ui.screens.play import PlayScreen
from rltui.ui.terminal import discard_typed_ahead


class RLTuiApp(App[None]):
    """Reinforcement learning you can see."""

    CSS_PATH = "app.tcss"
    TITLE = "rltui"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+c", "quit", "Quit", show=False, priority=True)]

    def __init__(
        self,
        session: Session | None = None,
        agent: Any = None,
        agent_kind: str | None = None,
        settings: dict[str, str] | None = None,
        replay: Any = None,
        tensorboard: str | None = None,
        sweep: Any = None,
        compare: Any = None,
    ) -> None:
        """Args:
        session: open straight into playing this; None opens the launcher.
        agent: a loaded agent to play along.
        agent_kind: a fresh agent of this kind to play along.
        settings: its hyperparameters (``key=value``).
        replay: a checked recorded episode to open in the timeline (with ``session``).
        tensorboard: a folder for each agent's TensorBoard run (every play screen).
        sweep: open on a running sweep (``rltui tune --watch``: a ``SweepView``).
        compare: open on a running comparison (``rltui compare --watch``: an ``Arena``).
        """
        super().__init__()
        self.tensorboard = tensorboard
        self._first = (session, agent, agent_kind, settings, replay)
        self._sweep = sweep
        self._compare = compare

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """Run the app in this terminal. Keys typed ahead while it started (torch takes seconds
        to import) are dropped, and so is anything typed and left unread when it quits: neither
        a blind press nor a key pressed as it closed reaches the app or the shell after it."""
        discard_typed_ahead()
        try:
            return super().run(*args, **kwargs)
        finally:
            discard_typed_ahead()

    def on_mount(self) -> None:
        session, agent, agent_kind, settings, replay = self._first
        if self._compare is not None:
            from rltui.ui.screens.compare import CompareScreen

            self.push_screen(CompareScreen(self._compare))
        elif self._sweep is not None:
            from rltui.ui.screens.sweep import SweepScreen

            self.push_screen(SweepScreen(self._sweep))
        elif session is not None:
            self.push_screen(PlayScreen(session, agent, agent_kind, settings, replay))
        else:
            self.push_screen(LauncherScreen())

    def open_play(self, entry: EnvEntry, choice: str) -> None:
        """The launcher's choice: play ``entry`` with a fresh agent (``kind:NAME``), a saved one
        (``file:PATH``, loaded without blocking the screen) or alone (anything else)."""
        kind = choice.removeprefix("kind:") if choice.startswith("kind:") else None
        try:
            session = Session(catalog.resolve(entry.id), kind=kind)
        except CatalogError as exc:
            self.notify(str(exc), title="Cannot open", severity="error")
            return
        if kind is not None:
            self.push_screen(PlayScreen(session, agent_kind=kind))
            return
        screen = PlayScreen(session)
        self.push_screen(screen)
        if choice.startswith("file:"):
            screen.load_in_background(choice.removeprefix("file:"))

    def play_map(self, name: str) -> None:
        """From a play screen, just saved from the map editor: play the map ``name`` in its place."""
        from rltui.envs.catalog import MAP_PREFIX

        try:
            session = Session(catalog.resolve(MAP_PREFIX + name))
        except CatalogError as exc:
            self.notify(str(exc), title="Cannot open", severity="error")
            return
        self.switch_screen(PlayScreen(session))

    def back_to_launcher(self) -> None:
        """From a play screen to the list of envs (made now if play was opened directly), or
        back to the sweep it was opened from."""
        from rltui.ui.screens.compare import CompareScreen
        from rltui.ui.screens.sweep import SweepScreen

        if len(self.screen_stack) >= 2 and isinstance(
            self.screen_stack[-2], (LauncherScreen, SweepScreen, CompareScreen)
        ):
            self.pop_screen()
        else:  # opened straight from `rltui play ENV`
            self.switch_screen(LauncherScreen())
