"""The play screen: the environment on the left, panels on the right."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, Static

from rltui.core.session import HUMAN, Session, Transition
from rltui.ui.format import num
from rltui.ui.screens.base import GuardedScreen
from rltui.ui.widgets.env_view import EnvView
from rltui.ui.widgets.returns_panel import ReturnsPanel
from rltui.ui.widgets.too_small import TooSmall


class PlayScreen(GuardedScreen):
    """Play one environment by keyboard."""

    BINDINGS = [
        Binding("r", "reset", "New episode", id="reset"),
        Binding("escape", "back", "Environments", id="back"),
        Binding("question_mark", "help", "Help", key_display="?", id="help"),
        Binding("q", "app.quit", "Quit", id="quit"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.sub_title = session.entry.id
        # The env's action keys come first in the footer: they are what a newcomer needs.
        action_bindings: list[Binding] = []
        for ak in session.entry.keys:
            first, *aliases = ak.key_list
            name = session.entry.action_names[ak.action]
            action = f"act({ak.action})"
            action_bindings.append(Binding(first, action, name, key_display=ak.label))
            action_bindings.extend(Binding(k, action, name, show=False) for k in aliases)
        existing = [b for bs in self._bindings.key_to_bindings.values() for b in bs]
        self._bindings = BindingsMap([*action_bindings, *existing])

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            with Vertical(id="stage"):
                yield EnvView(id="env-view")
                yield Static(id="status")
            with Vertical(id="side"):
                yield ReturnsPanel(id="returns-panel")
        yield TooSmall()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#stage").border_title = self.session.entry.id
        self.redraw()

    # --- actions -----------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "act":
            return None if self.session.episode.done else True
        return True

    def action_act(self, action: int) -> None:
        if self.session.episode.done:
            return
        transition = self.session.step(action, actor=HUMAN)
        self.redraw(transition)
        if transition.done:
            self.refresh_bindings()

    def action_reset(self) -> None:
        self.session.reset()
        self.redraw()
        self.refresh_bindings()

    def action_back(self) -> None:
        from rltui.ui.screens.launcher import LauncherScreen

        if isinstance(self.app.screen_stack[-2], LauncherScreen):
            self.app.pop_screen()
        else:  # opened straight from `rltui play ENV`
            self.app.switch_screen(LauncherScreen())

    def action_help(self) -> None:
        from rltui.ui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self.session.entry))

    def on_unmount(self) -> None:
        self.session.close()

    # --- drawing -------------------------------------------------------------

    def redraw(self, transition: Transition | None = None) -> None:
        self.query_one(EnvView).show(self.session.scene())
        self.query_one(ReturnsPanel).update_from(self.session)
        self.query_one("#status", Static).update(self._status(transition), layout=False)

    def _status(self, transition: Transition | None) -> Text:
        entry, episode = self.session.entry, self.session.episode
        if transition is None:
            return Text.assemble(("New episode. ", "bold"), "Keys: ", self._keys_hint())
        text = Text.assemble(
            ("Last: ", "dim"), (entry.action_names[transition.action], "bold"),
            ("  reward ", "dim"), (num(transition.reward), "bold"),
        )
        if episode.done:
            how = "terminated" if episode.terminated else "time limit reached"
            text.append(f"   Episode over ({how}): press r for a new one.", style="bold #f9c623")
        return text

    def _keys_hint(self) -> str:
        entry = self.session.entry
        return "  ".join(f"{ak.label} {entry.action_names[ak.action]}" for ak in entry.keys)
