"""Small modal dialogs: save an agent, load an agent or an episode, pick an agent."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option


class SaveDialog(ModalScreen[str | None]):
    """Ask where to save; the suggested name never overwrites an existing save."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, suggested: str) -> None:
        super().__init__()
        self.suggested = suggested

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="save-dialog"):
            yield Label("Save the agent to:")
            yield Input(self.suggested, id="save-path")
            yield Label("enter saves · esc cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#save-dialog").border_title = "Save agent"

    def on_input_submitted(self, event: Input.Submitted) -> None:
        path = event.value.strip()
        if not path:
            self.notify("Type a file name first.", severity="warning")
            return
        self.dismiss(path)

    def action_cancel(self) -> None:
        self.dismiss(None)


class LoadDialog(ModalScreen[str | None]):
    """Pick a saved agent or a saved episode for this environment, or type a path."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, env_id: str) -> None:
        super().__init__()
        self.env_id = env_id

    def compose(self) -> ComposeResult:
        from rltui.commands.saves import list_episodes, list_saves

        rows = [r for r in list_saves() if r.get("env") == self.env_id]
        options: list[Option | None] = [
            Option(f"{r['agent']:<16} {r['steps']:>10,} steps   {Path(r['file']).name}", id=r["file"])
            for r in rows
        ]
        recorded = [r for r in list_episodes() if r.get("env") == self.env_id]
        if recorded:
            if options:
                options.append(None)
            options += [Option(f"{'episode':<16} {r['steps']:>10,} steps   {Path(r['file']).name}",
                               id=r["file"]) for r in recorded]
        with Vertical(classes="dialog", id="load-dialog"):
            if options:
                yield Label(f"Saved agents and episodes for {self.env_id}:")
                yield OptionList(*options, id="load-list")
            else:
                yield Label(f"No saved agents or episodes for {self.env_id} in saves/ yet.")
            yield Label("or a file:")
            yield Input(placeholder="path/to/agent.safetensors or episode.jsonl", id="load-path")
            yield Label("enter loads · esc cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#load-dialog").border_title = "Load an agent or an episode"

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_id)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class AgentDialog(ModalScreen[str | None]):
    """Who plays along: nobody, a fresh agent of some kind, or a saved one."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, env_id: str, kinds: list[str], descriptions: dict[str, str]) -> None:
        super().__init__()
        self.env_id = env_id
        self.kinds = kinds
        self.descriptions = descriptions

    def compose(self) -> ComposeResult:
        from rltui.commands.saves import list_saves

        options: list[Option | None] = [Option("Just me: play by keyboard (tab still brings in an agent)",
                                               id="none")]
        options += [Option(self.descriptions.get(k, k), id=f"kind:{k}") for k in self.kinds]
        saved = [r for r in list_saves() if r.get("env") == self.env_id]
        if saved:
            options.append(None)
            options += [Option(f"Saved: {r['agent']}, {r['steps']:,} steps ({r['file']})",
                               id=f"file:{r['file']}") for r in saved]
        with Vertical(classes="dialog", id="agent-dialog"):
            yield Label(f"Who plays {self.env_id} with you?")
            yield OptionList(*options, id="agent-list")
            yield Label("enter picks · esc goes back", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#agent-dialog").border_title = "Agent"

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option_id)

    def action_cancel(self) -> None:
        self.dismiss(None)
