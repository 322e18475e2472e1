"""Small modal dialogs: save an agent, load an agent or an episode, pick an agent."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option


class SaveDialog(ModalScreen[str | None]):
    """Ask where to save; the suggested name never overwrites an existing save. A folder
    means "in there, with the suggested name"; a place that cannot hold a save is said
    under the field, and the dialog stays open to fix it."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, suggested: str, env_id: str, kind: str) -> None:
        super().__init__()
        self.suggested = suggested
        self.env_id = env_id
        self.kind = kind

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="save-dialog"):
            yield Label("Save the agent to (a file, or a folder to save in):")
            yield Input(self.suggested, id="save-path")
            yield Label("", id="save-error", classes="dialog-error")
            yield Label("enter saves · esc cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#save-dialog").border_title = "Save agent"

    def on_input_submitted(self, event: Input.Submitted) -> None:
        from agents.persistence import SaveError
        from rltui.core.storage import save_target

        try:
            target = save_target(event.value, self.env_id, self.kind)
        except SaveError as exc:
            self.query_one("#save-error", Label).update(str(exc))
            return
        self.dismiss(str(target))

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class Loaded:
    """What the load dialog hands back: a checked agent or episode, and where it came from."""

    path: str
    agent: Any = None
    record: Any = None


class LoadDialog(ModalScreen[Loaded | None]):
    """Pick a saved agent or a saved episode for this environment, or type a path. The file
    is read and checked before the dialog closes; a bad one is explained under the field and
    the dialog stays open."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, env_id: str, entry: Any = None) -> None:
        super().__init__()
        self.env_id = env_id
        self.entry = entry

    def compose(self) -> ComposeResult:
        from rltui.core.storage import list_episodes, list_saves

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
                yield Label(f"No saved agents or episodes for {self.env_id} yet.")
            yield Label("or a file:")
            yield Input(placeholder="path/to/agent.safetensors or episode.jsonl", id="load-path")
            yield Label("", id="load-error", classes="dialog-error")
            yield Label("enter loads · esc cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#load-dialog").border_title = "Load an agent or an episode"

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_id:
            self._check(event.option_id)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self._check(event.value.strip())

    def _check(self, path: str) -> None:
        self.query_one("#load-error", Label).update(f"Reading {Path(path).name}…")
        self.run_worker(lambda: self._read(path), thread=True, exclusive=True, group="load")

    def _read(self, path: str) -> None:
        """Off the UI thread: loading can import torch, and a file can be large."""
        from agents.persistence import SaveError, load_agent
        from rltui.core import episodes

        try:
            if path.endswith(episodes.SUFFIX):
                record = episodes.read(path)
                if self.entry is not None:
                    episodes.check(record, self.entry)
                loaded = Loaded(path, record=record)
            else:
                loaded = Loaded(path, agent=load_agent(path, expect_env=self.env_id)[0])
        except (SaveError, episodes.EpisodeFileError) as exc:
            self.app.call_from_thread(self._refused, str(exc))
            return
        self.app.call_from_thread(self.dismiss, loaded)

    def _refused(self, reason: str) -> None:
        self.query_one("#load-error", Label).update(reason)

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
        from rltui.core.storage import list_saves

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


class LeaveDialog(ModalScreen[str | None]):
    """Ask before throwing away training that is not saved: "leave", "save", or None to stay."""

    BINDINGS = [
        Binding("y,q,ctrl+c", "leave", "Leave without saving"),
        Binding("ctrl+s,s", "save", "Save first"),
        Binding("escape,n", "stay", "Stay"),
    ]

    def __init__(self, message: str, leave_key: str) -> None:
        super().__init__()
        self.message = message
        self.leave_key = leave_key

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="leave-dialog"):
            yield Label(self.message)
            yield Label(f"{self.leave_key} leaves without saving · ctrl+s saves first · esc stays",
                        classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#leave-dialog").border_title = "Unsaved training"

    def action_leave(self) -> None:
        self.dismiss("leave")

    def action_save(self) -> None:
        self.dismiss("save")

    def action_stay(self) -> None:
        self.dismiss(None)
