"""The launcher: every environment, grouped, with what it is and its keys."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from rltui.envs import catalog
from rltui.envs.catalog import CatalogError, EnvEntry
from rltui.ui.render.palette import ACCENT, LABEL, NEEDS
from rltui.ui.screens.base import GuardedScreen
from rltui.ui.widgets.too_small import TooSmall

ID_WIDTH = 26


class EnvList(OptionList):
    """The environment list; its enter key is named in the footer."""

    BINDINGS = [Binding("enter", "select", "Play", id="play")]


class LauncherScreen(GuardedScreen):
    """Pick an environment to play."""

    _opening = False

    BINDINGS = [
        Binding("question_mark", "help", "Help", key_display="?", id="help"),
        Binding("q", "app.quit", "Quit", id="quit"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="body"):
            yield Static(self._title(), id="launcher-title")
            yield EnvList(*self._options(), id="env-list")
            yield Static(id="env-detail")
        yield TooSmall()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#env-list").border_title = "Environments"
        self.query_one("#env-detail").border_title = "Keys"

    @staticmethod
    def _title() -> Text:
        return Text.assemble(
            ("rltui", f"bold {ACCENT}"),
            "  reinforcement learning you can see. Pick an environment and press enter.",
        )

    def _options(self) -> list[Option | None]:
        options: list[Option | None] = []
        groups = list(catalog.catalog_by_group())
        self._entries = {entry.id: entry for _, entries in groups for entry in entries}
        width = max(ID_WIDTH, *(len(entry_id) + 2 for entry_id in self._entries))
        for group, entries in groups:
            if options:
                options.append(None)
            options.append(Option(Text(group.upper(), style=f"bold {LABEL}"), disabled=True))
            for entry in entries:
                prompt = Text.assemble((entry.id.ljust(width), "bold"), entry.description)
                if not entry.available:
                    prompt.append(f"  (needs {entry.requires})", style=f"italic {NEEDS}")
                options.append(Option(prompt, id=entry.id, disabled=not entry.available))
        return options

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        entry = self._entries.get(event.option_id or "")
        if entry is not None:
            self.query_one("#env-detail", Static).update(_keys_text(entry))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        entry = self._entries.get(event.option_id or "")
        if entry is not None and self.app.screen is self and not self._opening:
            self._opening = True  # a second enter before the dialog shows must not open another
            self.open(entry)

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        self._opening = False
        known = set(self._entries)
        options = self._options()
        if set(self._entries) != known:  # a map saved in the editor meanwhile: list it
            envs = self.query_one(EnvList)
            highlighted = envs.highlighted
            envs.clear_options()
            envs.add_options(options)
            envs.highlighted = highlighted

    def open(self, entry: EnvEntry) -> None:
        """Ask who plays along, then open the play screen."""
        from agents.registry import DESCRIPTIONS
        from rltui.training.agent_factory import kinds_for_entry
        from rltui.ui.screens.dialogs import AgentDialog

        try:
            env = catalog.make_env(catalog.resolve(entry.id), render=False)
        except CatalogError as exc:
            self._opening = False
            self.notify(str(exc), title="Cannot open", severity="error")
            return
        kinds = kinds_for_entry(entry, env)
        env.close()
        note = None
        networks = [k for k in kinds if catalog.observation_for(k) == catalog.VIEW]
        if entry.group == "MiniGrid" and networks:  # two observations of one world: who sees which
            note = (
                "Tables see a compact state (cell, heading, load, the door); networks "
                f"({', '.join(networks)}) see the agent's 7x7 partial view."
            )
        self.app.push_screen(AgentDialog(entry.id, kinds, DESCRIPTIONS, note), lambda choice: self._play(entry, choice))

    def _play(self, entry: EnvEntry, choice: str | None) -> None:
        if choice is not None:
            self.app.open_play(entry, choice)  # type: ignore[attr-defined]  (the app navigates)

    def action_help(self) -> None:
        from rltui.ui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())


def _keys_text(entry: EnvEntry) -> Text:
    text = Text()
    for i, ak in enumerate(entry.keys):
        if i:
            text.append("   ")
        text.append(ak.label, style=f"bold {ACCENT}")
        text.append(f" {entry.action_names[ak.action]}")
    text.append(f"    γ = {entry.gamma:g}", style="dim")
    return text
