"""The play screen: the environment on the left, the agent's beliefs on the right.

All stepping happens in the :class:`PlayAlong` owner thread (a Textual thread
worker); this screen sends it commands and draws the snapshots it publishes.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Footer, Static

from rltui.envs.catalog.entry import PIXELS
from rltui.envs.session import HUMAN, Session
from rltui.envs.valuemap import value_map_for
from rltui.live.inbox import Notice, OwnerMessage, SnapshotReady
from rltui.live.playalong import PlayAlong, Snapshot
from rltui.ui.render.grid import VIEWS, action_glyphs
from rltui.ui.screens.base import GuardedScreen
from rltui.ui.screens.play_files import AgentFiles, AgentSaved, OwnerSaid, replay_notice
from rltui.ui.screens.play_world import WorldKeys
from rltui.ui.widgets.env_view import EnvView
from rltui.ui.widgets.panel import SnapshotPanel, placed_panels
from rltui.ui.widgets.q_values import QValuesPanel, panel_height
from rltui.ui.widgets.returns_panel import ReturnsPanel
from rltui.ui.widgets.status_line import status_line
from rltui.ui.widgets.too_small import TooSmall
from rltui.ui.widgets.training_panel import TrainingPanel

UI_SWITCH_INTERVAL = 0.002
UNSAVED_WORTH_ASKING = 1_000
"""Steps of unsaved learning worth a question before quitting (fewer: just quit)."""
AGENT_ACTIONS = {"pause", "step_once", "faster", "slower", "full_speed", "toggle_learning"}


def _footer_state(snap: Snapshot) -> tuple[object, ...]:
    """What the footer depends on: whether agent keys apply. Nothing that changes often —
    the footer re-creates its keys on every refresh, which would cost key presses their latency."""
    return (snap.status.has_agent, snap.status.loading, snap.realtime.on)


class PlayScreen(AgentFiles, WorldKeys, GuardedScreen):
    """Play an environment, alone or with an agent that learns live."""

    BINDINGS = [
        Binding("tab", "toggle_control", "Agent⇄you", priority=True, id="handoff"),
        Binding("space", "pause", "Pause", id="pause"),
        Binding("n,full_stop", "step_once", "Step", key_display="n", id="step"),
        Binding("plus", "faster", "Speed", key_display="+/-", id="faster"),
        Binding("minus", "slower", "Slower", show=False, id="slower"),
        Binding("f", "full_speed", "Full speed on/off", id="full"),
        Binding("t", "toggle_learning", "Learning", id="learning"),
        Binding("l", "toggle_learn_from_human", "Learn from you", show=False, id="learn-human"),
        Binding("ctrl+t", "toggle_realtime", "Turn by turn", key_display="^t", show=False, id="realtime"),
        Binding("v", "value_map", "Values", id="value-map"),
        Binding("K", "knobs", "Knobs", key_display="K", show=False, id="knobs"),
        Binding("E", "edit_map", "Edit map", key_display="E", show=False, id="edit-map"),
        Binding("P", "paint", "Paint the world", key_display="P", show=False, id="paint"),
        Binding("X", "explain", "Explain", key_display="X", show=False, id="explain"),
        Binding("r", "reset", "Reset", id="reset"),
        Binding("left_square_bracket", "scrub(-1)", "Back/forward", key_display="[ ]", id="back-step"),
        Binding("right_square_bracket", "scrub(1)", "Forward", show=False, id="forward-step"),
        Binding("home", "scrub('home')", "First step", show=False, id="first-step"),
        Binding("end", "scrub('end')", "Latest step", show=False, id="latest-step"),
        # Listed in the help screen; the footer keeps to what a newcomer needs first.
        Binding("ctrl+s", "save", "Save", show=False, id="save"),
        Binding("ctrl+o", "load", "Load", show=False, id="load"),
        Binding("ctrl+e", "save_episode", "Save episode", show=False, id="save-episode"),
        Binding("escape", "back", "Envs", show=False, id="back"),
        Binding("question_mark", "help", "Help", key_display="?", id="help"),
        Binding("q", "quit", "Quit", id="quit"),
        Binding("ctrl+c", "quit('ctrl+c')", "Quit", show=False, priority=True, id="quit-now"),
    ]

    def __init__(
        self,
        session: Session,
        agent: Any = None,
        agent_kind: str | None = None,
        settings: dict[str, str] | None = None,
        replay: Any = None,
    ) -> None:
        """Args:
        session: the env to play.
        agent: an agent to play along (a loaded save), or None.
        agent_kind: make a fresh agent of this kind as the screen opens (in the owner thread).
        settings: ``key=value`` hyperparameters for that fresh agent.
        replay: a checked :class:`~rltui.formats.episodes.EpisodeRecord` to open in the timeline.
        """
        super().__init__()
        self.session = session
        self.agent_kind = agent_kind
        self.settings = settings or {}
        entry = session.entry
        self.value_map_on = False
        self.value_view = 0
        """Which of the grid value map's VIEWS is shown."""
        self._grid_map = entry.value_cells is not None
        self._leaving = False
        self._stop = threading.Event()
        self._newest_seq = 0
        """The newest snapshot the owner has sent (written by the owner thread)."""
        self.snap: Snapshot | None = None
        self.applied_seq = 0
        self._panels: list[SnapshotPanel] | None = None
        """The panels composed, each redrawn from every snapshot (found on the first)."""
        self._glyphs = action_glyphs(entry.action_names)
        self.playalong = PlayAlong(
            session,
            agent=agent,
            make_agent=self._default_agent,
            deliver=self._from_owner,
            value_states=value_map_for(entry, session.env),
            replay=replay,
            realtime=entry.realtime,
        )
        self.replay = replay
        # The env's action keys come first in the footer: they are what a newcomer needs.
        action_bindings: list[Binding] = []
        for ak in entry.keys:
            first, *aliases = ak.key_list
            name = entry.action_names[ak.action]
            action = f"act({ak.action})"
            action_bindings.append(Binding(first, action, name, key_display=ak.label))
            action_bindings.extend(Binding(k, action, name, show=False) for k in aliases)
        existing = [b for bs in self._bindings.key_to_bindings.values() for b in bs]
        self._bindings = BindingsMap([*action_bindings, *existing])

    def compose(self) -> ComposeResult:
        names = self.session.entry.action_names
        with Horizontal(id="body"):
            with Vertical(id="left"):
                with Vertical(id="stage"):
                    yield EnvView(id="env-view", action_names=names)
                    yield Static(id="status")
                yield TrainingPanel(id="training-panel")
                yield from self._placed("left")
            with Vertical(id="side"):
                yield QValuesPanel(names, id="q-panel", action_dims=self.session.entry.action_dims)
                yield ReturnsPanel(names, id="returns-panel")
                yield from self._placed("side")
        yield TooSmall()
        yield Footer(compact=True)

    def _placed(self, area: str) -> Iterator[Widget]:
        """The panels that place themselves in ``area`` (:mod:`rltui.ui.widgets.panel`) and have
        something to show for this env."""
        for cls in placed_panels(area):
            panel = cls.for_env(self.session.entry)
            if panel is not None:
                assert isinstance(panel, Widget), f"{cls.__name__} is a SnapshotPanel but not a widget"
                panel.add_class("placed-panel")
                yield panel

    def on_mount(self) -> None:
        # The training thread is CPU-bound; by default it keeps the interpreter lock for 5 ms
        # before the UI thread gets a turn, and a key press needs several turns to show.
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(UI_SWITCH_INTERVAL)
        self.query_one("#stage").border_title = self.session.entry.id
        self.query_one("#q-panel").styles.height = panel_height(self.session.entry)
        # The owner fills only the registered groups the panels shown read (before its thread
        # starts, set directly; later through its queue).
        self.playalong.publisher.wanted = frozenset(
            name for w in self.query("*") if isinstance(w, SnapshotPanel) and w.display for name in w.GROUPS
        )
        self.apply(self.playalong.latest)
        tensorboard = getattr(self.app, "tensorboard", None)
        if tensorboard is not None:  # `rltui play --tensorboard DIR`: a run per agent
            self.playalong.tensorboard = tensorboard
            if self.playalong.agent is not None:
                self.playalong.call(lambda owner: owner.runs.open(owner.agent))
        self.run_worker(self._own, thread=True, name="playalong", exit_on_error=False)
        if self.agent_kind is not None:
            self.playalong.ensure_agent()
        if self.replay is not None:
            self.notify(replay_notice(self.replay), timeout=8)

    def _own(self) -> None:
        """The owner thread: steps, learns, publishes; closes the env when done."""
        try:
            self.playalong.run(self._stop)
        finally:
            self.session.close()

    def on_unmount(self) -> None:
        self._stop.set()
        sys.setswitchinterval(self._switch_interval)

    # --- snapshots ------------------------------------------------------------------

    def _from_owner(self, said: OwnerMessage) -> None:
        """Called from the owner thread: post a message, never wait for the UI."""
        if isinstance(said, SnapshotReady):
            self._newest_seq = said.snapshot.seq
        self.post_message(OwnerSaid(said))

    def on_owner_said(self, message: OwnerSaid) -> None:
        said = message.said
        if isinstance(said, Notice):
            self.notify(said.text, severity=said.severity)  # type: ignore[arg-type]
        elif said.snapshot.seq >= self._newest_seq and said.snapshot.seq != self.applied_seq:
            self.apply(said.snapshot)  # (an older one, with a newer on its way, is not drawn)

    def on_agent_saved(self, message: AgentSaved) -> None:
        message.then()

    def apply(self, snap: Snapshot | None) -> None:
        if snap is None:
            return
        before = self.snap
        self.snap = snap
        self.applied_seq = snap.seq
        values = snap.values if self.value_map_on else None
        # Every panel shows this one snapshot, so the picture, the status line and the numbers
        # always tell of the same step. (At full speed the owner publishes a few times a second;
        # the G_t table and the plot, which are about whole episodes, pace themselves.)
        self.query_one(EnvView).show(snap.step.scene, values, self._glyphs, VIEWS[self.value_view])
        if self._panels is None:
            self._panels = [w for w in self.query("*") if isinstance(w, SnapshotPanel)]
        for panel in self._panels:
            panel.show(snap)
        self.query_one("#status", Static).update(status_line(snap, self.session.entry.action_names), layout=False)
        # The footer re-composes on refresh_bindings: only when what it shows can change.
        if before is None or _footer_state(before) != _footer_state(snap):
            self._label_mode(snap.realtime.on)
            self.refresh_bindings()

    def _label_mode(self, realtime: bool) -> None:
        """The footer says whether a person drives in real time or turn by turn (for the envs
        that move on their own; a grid world's footer keeps its room)."""
        if self.session.entry.render != PIXELS and not realtime:
            return
        mode = "Real time" if realtime else "Turn by turn"
        for key, bindings in self._bindings.key_to_bindings.items():
            self._bindings.key_to_bindings[key] = [
                replace(b, description=mode, show=True) if b.action == "toggle_realtime" else b for b in bindings
            ]

    # --- actions ---------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        snap = self.snap
        if action == "value_map":
            return self.playalong.value_states is not None
        if action in ("faster", "slower") and snap is not None and snap.realtime.on and snap.status.controller == HUMAN:
            return True  # real time's pace, while a person drives
        if action in AGENT_ACTIONS and (snap is None or not (snap.status.has_agent or snap.status.loading)):
            return False  # tab brings an agent in first (keys pressed while it loads wait for it)
        return True

    def action_act(self, action: int) -> None:
        self.playalong.act(action)

    def action_toggle_control(self) -> None:
        self.playalong.toggle_control()

    def action_pause(self) -> None:
        self.playalong.pause()

    def action_step_once(self) -> None:
        self.playalong.step_once()

    def action_faster(self) -> None:
        self.playalong.faster()

    def action_slower(self) -> None:
        self.playalong.slower()

    def action_full_speed(self) -> None:
        self.playalong.toggle_full_speed()

    def action_toggle_learning(self) -> None:
        self.playalong.toggle_learning()

    def action_toggle_learn_from_human(self) -> None:
        self.playalong.toggle_learn_from_human()
        on = not (self.snap.status.learn_from_human if self.snap else True)
        self.notify("The agent learns from your moves." if on else "The agent ignores your moves.")

    def action_toggle_realtime(self) -> None:
        self.playalong.toggle_realtime()

    def action_scrub(self, where: int | str) -> None:
        self.playalong.scrub(where)

    def action_reset(self) -> None:
        self.playalong.new_episode()

    def action_explain(self) -> None:
        """X: the explain panel in the Returns panel's place, or back."""
        from rltui.ui.widgets.explain_panel import ExplainPanel

        panel = self.query_one(ExplainPanel)
        panel.display = not panel.display
        self.query_one(ReturnsPanel).display = not panel.display
        self.set_class(panel.display, "-explaining")
        self._want_groups()
        if panel.display and self.snap is not None:
            panel.show(self.snap)

    def _want_groups(self) -> None:
        """Tell the owner which registered groups the panels on screen read (it fills only those)."""
        wanted = frozenset(
            name for w in self.query("*") if isinstance(w, SnapshotPanel) and w.display for name in w.GROUPS
        )

        def want(owner: PlayAlong) -> None:
            owner.publisher.wanted = wanted
            owner.publish(force=True)

        self.playalong.call(want)

    def action_value_map(self) -> None:
        """v: the value map on, then (grid worlds) its next view, then off."""
        if self.value_map_on and self._grid_map and self.value_view < len(VIEWS) - 1:
            self.value_view += 1
            self.apply(self.snap)
            return
        self.value_map_on = not self.value_map_on
        self.value_view = 0
        self.playalong.show_values(self.value_map_on)
        if self.value_map_on and self.snap is not None and not self.snap.status.has_agent:
            self.notify("The value map shows an agent's V(s): press tab to bring one in.")
        self.apply(self.snap)

    def action_back(self) -> None:
        self._leave(self._go_back, "y")  # in the dialog esc means "stay", as in every dialog

    def _go_back(self) -> None:
        if not self._leaving:
            self._leaving = True
            self.app.back_to_launcher()  # type: ignore[attr-defined]  (the app navigates)

    def action_quit(self, key: str = "q") -> None:
        self._leave(self.app.exit, key)

    def _leave(self, then: Any, key: str) -> None:
        """Run ``then`` (quit, or back to the list), asking first if that would throw away
        training that is not saved."""
        if self._leaving or self.app.screen is not self:
            return  # a second esc or q before the first has taken effect
        snap = self.snap
        if snap is None or snap.status.unsaved_steps < UNSAVED_WORTH_ASKING:
            then()
            return
        from rltui.ui.screens.dialogs import LeaveDialog

        message = (
            f"The {snap.status.agent_kind} agent has learned from {snap.status.unsaved_steps:,} steps "
            "since it was last saved (or loaded)."
        )

        def answered(choice: str | None) -> None:
            if choice == "leave":
                then()
            elif choice == "save":
                self.action_save(then)

        self.app.push_screen(LeaveDialog(message, key), answered)

    def action_help(self) -> None:
        from rltui.ui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self.session.entry))

    # --- the agent that tab brings in when none was chosen ---------------------------

    def _default_agent(self) -> Any:
        """The chosen kind, else Q-learning for discrete observations and DQN for continuous ones."""
        from agents.registry import default_kind
        from rltui.training.agent_factory import make_agent_for, watched

        kind = self.agent_kind or default_kind(self.session.env)
        # Seeded as `rltui play ENV --agent KIND --seed N` seeds it: with the session's seed.
        return make_agent_for(
            self.session.entry, kind, watched(kind, self.settings), seed=self.session.seed, env=self.session.env
        )
