"""Small modal dialogs: save an agent, load an agent or an episode, pick an agent."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option


class Listed(Message):
    """A worker has read the saves a dialog lists (posted, never awaited: a worker that waited
    for the UI while the app waits for the worker to quit would hang both)."""

    def __init__(self, options: list[Option | None]) -> None:
        super().__init__()
        self.options = options


class Checked(Message):
    """A worker has read (or refused) the file the load dialog was given."""

    def __init__(self, loaded: Any = None, reason: str | None = None) -> None:
        super().__init__()
        self.loaded = loaded
        self.reason = reason


class Dialog(ModalScreen[Any]):
    """A modal dialog that closes once: a second enter or esc that arrives before the first
    has taken it off the screen (key repeat, a paste) does nothing."""

    _finished = False

    def finish(self, result: Any = None) -> None:
        if self._finished or not self.is_attached or self.app.screen is not self:
            return
        self._finished = True
        self.dismiss(result)


class SaveDialog(Dialog):
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

    def on_input_changed(self, event: Input.Changed) -> None:
        """A name typed over an existing save says so before enter overwrites it."""
        from agents.persistence import SaveError
        from rltui.formats.saves import save_target

        note = ""
        try:
            target = save_target(event.value, self.env_id, self.kind)
        except SaveError:
            pass  # said on enter
        else:
            if target.is_file():
                note = f"{target.name} exists there: enter overwrites it."
        self.query_one("#save-error", Label).update(note)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        from agents.persistence import SaveError
        from rltui.formats.saves import save_target

        try:
            target = save_target(event.value, self.env_id, self.kind)
        except SaveError as exc:
            self.query_one("#save-error", Label).update(str(exc))
            return
        self.finish(str(target))

    def action_cancel(self) -> None:
        self.finish(None)


@dataclass(frozen=True)
class Loaded:
    """What the load dialog hands back: a checked agent or episode, and where it came from."""

    path: str
    agent: Any = None
    record: Any = None


class LoadDialog(Dialog):
    """Pick a saved agent or a saved episode for this environment, or type a path. The file
    is read and checked before the dialog closes; a bad one is explained under the field and
    the dialog stays open."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, env_id: str, entry: Any = None) -> None:
        super().__init__()
        self.env_id = env_id
        self.entry = entry

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="load-dialog"):
            yield Label(f"Saved agents and episodes for {self.env_id}: reading…", id="load-title")
            yield OptionList(id="load-list")
            yield Label("or a file:")
            yield Input(placeholder="path/to/agent.safetensors or episode.jsonl", id="load-path")
            yield Label("", id="load-error", classes="dialog-error")
            yield Label("enter loads · esc cancels", classes="dialog-hint")

    def _list(self) -> None:
        """Off the UI thread: reading every save's header can be slow (a network folder)."""
        from rltui.formats.saves import list_episodes, list_saves, listed_name, origin

        def prompt(what: str, row: dict[str, Any], name: str) -> str:
            # Yours and the shipped one may share a name: each says whose it is.
            return f"{what:<16} {_count(row['steps']):>10} steps   {name}  ({origin(row['file'])})"

        options: list[Option | None] = [
            Option(prompt(r["agent"], r, listed_name(r)), id=r["file"])
            for r in list_saves()
            if r.get("env") == self.env_id
        ]
        recorded = [r for r in list_episodes() if r.get("env") == self.env_id]
        if recorded:
            if options:
                options.append(None)
            options += [Option(prompt("episode", r, Path(r["file"]).name), id=r["file"]) for r in recorded]
        self.post_message(Listed(options))

    def on_listed(self, message: Listed) -> None:
        options = message.options
        listing = self.query_one("#load-list", OptionList)
        title = self.query_one("#load-title", Label)
        if options:
            title.update(f"Saved agents and episodes for {self.env_id}:")
            listing.add_options(options)
            listing.highlighted = 0
        else:
            title.update(f"No saved agents or episodes for {self.env_id} yet.")
            listing.display = False
            self.query_one("#load-path", Input).focus()

    def on_mount(self) -> None:
        self.query_one("#load-dialog").border_title = "Load an agent or an episode"
        self.run_worker(self._list, thread=True, group="list", exit_on_error=False)

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
        from agents.persistence import SaveError
        from rltui.formats import episodes
        from rltui.training.agent_factory import load_agent_for

        try:
            if path.endswith(episodes.SUFFIX):
                record = episodes.read(path)
                if self.entry is not None:
                    episodes.check(record, self.entry)
                loaded = Loaded(path, record=record)
            else:
                loaded = Loaded(path, agent=load_agent_for(path, self.entry, env_id=self.env_id)[0])
        except (SaveError, episodes.EpisodeFileError) as exc:
            self.post_message(Checked(reason=str(exc)))
            return
        self.post_message(Checked(loaded))

    def on_checked(self, message: Checked) -> None:
        if message.reason is not None:
            self.query_one("#load-error", Label).update(message.reason)
        else:
            self.finish(message.loaded)

    def action_cancel(self) -> None:
        self.finish(None)


class AgentDialog(Dialog):
    """Who plays along: nobody, a fresh agent of some kind, or a saved one."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, env_id: str, kinds: list[str], descriptions: dict[str, str], note: str | None = None) -> None:
        super().__init__()
        self.env_id = env_id
        self.kinds = kinds
        self.descriptions = descriptions
        self.note = note
        """A line under the question (what the kinds see of this env, where that differs)."""

    def compose(self) -> ComposeResult:
        options: list[Option | None] = [Option("Just me: play by keyboard (tab still brings in an agent)", id="none")]
        options += [Option(self.descriptions.get(k, k), id=f"kind:{k}") for k in self.kinds]
        with Vertical(classes="dialog", id="agent-dialog"):
            yield Label(f"Who plays {self.env_id} with you?")
            if self.note:
                yield Label(self.note, classes="dialog-hint")
            yield OptionList(*options, id="agent-list")
            yield Label("enter picks · esc goes back", classes="dialog-hint")

    def _list(self) -> None:
        """Off the UI thread: the saved agents for this env, added below the fresh kinds."""
        from rltui.formats.saves import list_saves

        saved = [r for r in list_saves() if r.get("env") == self.env_id]
        options: list[Option | None] = [None] if saved else []
        options += [
            Option(f"Saved: {r['agent']}, {_count(r['steps'])} steps ({r['file']})", id=f"file:{r['file']}")
            for r in saved
        ]
        if options:
            self.post_message(Listed(options))

    def on_listed(self, message: Listed) -> None:
        self.query_one("#agent-list", OptionList).add_options(message.options)

    def on_mount(self) -> None:
        self.query_one("#agent-dialog").border_title = "Agent"
        self.run_worker(self._list, thread=True, group="list", exit_on_error=False)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.finish(event.option_id)

    def action_cancel(self) -> None:
        self.finish(None)


class LeaveDialog(Dialog):
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
            yield Label(
                f"{self.leave_key} leaves without saving · ctrl+s saves first · esc stays", classes="dialog-hint"
            )

    def on_mount(self) -> None:
        self.query_one("#leave-dialog").border_title = "Unsaved training"

    def action_leave(self) -> None:
        self.finish("leave")

    def action_save(self) -> None:
        self.finish("save")

    def action_stay(self) -> None:
        self.finish(None)


def _count(steps: Any) -> str:
    return f"{steps:,}" if isinstance(steps, int) else "?"


class KnobsDialog(Dialog):
    """The agent's knobs (and, in real time, the env's pace; on a grid map, the world's slip and
    living reward), each in a field with its value now: change any, enter applies them all
    (checked first: a bad value is said under the fields and the dialog stays open)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, agent: Any, pace: float | None = None, world: list[tuple[Any, Any]] | None = None) -> None:
        """``world``: the world's knobs with their values (:func:`rltui.live.knobs.world_knobs_for`)."""
        from rltui.live.knobs import PACE, knobs_for
        from rltui.ui.format import field_text

        super().__init__()
        self.agent = agent
        self.world = list(world or [])
        self.knobs = ([(PACE, pace)] if pace is not None else []) + (knobs_for(agent) if agent is not None else [])
        self.shown = {knob.key: field_text(value) for knob, value in [*self.knobs, *self.world]}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="knobs-dialog"):
            agents_own = any(knob.key != "pace" for knob, _ in self.knobs)
            if self.knobs:
                yield Label(
                    f"The {self.agent.kind} agent's settings, from its next step on:"
                    if agents_own
                    else "Real time's pace, from the next frame on:"
                )
            for knob, _ in self.knobs:
                yield Label(f"{knob.label}: {knob.meaning}", classes="knob-label")
                yield Input(self.shown[knob.key], id=f"knob-{knob.key}", classes="knob")
            if self.world:
                yield Label("The world's, from the next episode on (the agent keeps its values):")
            for knob, _ in self.world:
                yield Label(f"{knob.label}: {knob.meaning}", classes="knob-label")
                yield Input(self.shown[knob.key], id=f"knob-{knob.key}", classes="knob")
            yield Label("", id="knobs-error", classes="dialog-error")
            yield Label("tab moves between fields · enter applies · esc cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#knobs-dialog").border_title = "Knobs"
        self.query_one(Input).focus()

    def changes(self) -> dict[str, str]:
        """The fields a person changed: key -> text."""
        out = {}
        for knob, _ in [*self.knobs, *self.world]:
            text = self.query_one(f"#knob-{knob.key}", Input).value.strip()
            if text != self.shown[knob.key]:
                out[knob.key] = text
        return out

    def on_input_submitted(self, event: Input.Submitted) -> None:
        from agents.base import SettingError
        from rltui.live.knobs import PACE, WORLD_KEYS, check, check_pace, check_world

        changes = self.changes()
        agents_own = {key: text for key, text in changes.items() if key != PACE.key and key not in WORLD_KEYS}
        try:
            if PACE.key in changes:
                check_pace(changes[PACE.key])
            check_world({key: text for key, text in changes.items() if key in WORLD_KEYS})
            if agents_own:
                check(self.agent, agents_own)
        except SettingError as exc:
            self.query_one("#knobs-error", Label).update(str(exc))
            return
        self.finish(changes)

    def action_cancel(self) -> None:
        self.finish(None)
