"""The "Rewards and returns" panel: what the episode has earned and what it was worth."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from rltui.core.session import HUMAN
from rltui.core.snapshot import Snapshot
from rltui.ui.format import action_label, num, plural, rows

LAST_REWARDS_WIDTH = 24


class ReturnsPanel(Vertical):
    """Step t, last rewards, return and discounted return of the current episode; the last
    finished episode's G_t per step beside the agent's prediction V(s_t)."""

    def __init__(self, action_names: tuple[str, ...], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.action_names = action_names
        self._finished: object = None
        self._waiting = False
        self._row: int | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="returns-summary")
        yield Static(id="returns-caption")
        table: DataTable[str] = DataTable(id="returns-table", cursor_type="none", zebra_stripes=True)
        table.can_focus = False  # the play keys (arrows) must reach the screen, not the table
        # Set up here, not in on_mount: a screen left at once (esc held down) can be unmounting
        # its children by the time on_mount runs.
        table.add_columns("t", "who", "action", "r_t", "G_t", "V(s_t)")
        table.display = False
        yield table

    def on_mount(self) -> None:
        self.border_title = "Rewards and returns"

    def show(self, snap: Snapshot) -> None:
        """Redraw from a snapshot."""
        summary = rows([
            ("step", "{}/{}".format(*snap.timeline)),
            ("last rewards", _last_rewards(snap.rewards_tail)),
            ("return", Text(num(snap.episode_return), style="bold")),
            ("discounted", Text(num(snap.discounted), style="bold")),
            ("γ", _gamma(snap)),
        ], label_width=15)
        # Fixed height (see app.tcss): no relayout on every step.
        self.query_one("#returns-summary", Static).update(summary, layout=False)
        # At full speed episodes fly by and the table would cost the agent more than it shows:
        # it catches up as soon as the agent slows down, pauses or hands back control.
        fast = snap.full_speed and not snap.paused and snap.controller != HUMAN
        if snap.finished is not self._finished and not fast:
            self._finished = snap.finished
            self._show_finished(snap)
            self._row = None
        if snap.finished_row != self._row:
            self._highlight(snap.finished_row)
        elif fast and snap.finished is not None and not self._waiting:
            self._waiting = True
            self.query_one("#returns-caption", Static).update(Text(
                "At full speed this table waits until the agent slows, pauses or hands back.",
                style="italic #8fa3b8"), layout=False)

    def _highlight(self, row: int | None) -> None:
        """Mark the G_t row of the step being looked back at (none at the live step)."""
        self._row = row
        table = self.query_one("#returns-table", DataTable)
        if row is None or row >= table.row_count:
            table.cursor_type = "none"
            return
        table.cursor_type = "row"
        table.move_cursor(row=row, scroll=True)

    def _show_finished(self, snap: Snapshot) -> None:
        caption = self.query_one("#returns-caption", Static)
        table = self.query_one("#returns-table", DataTable)
        table.clear()
        self._waiting = False
        if snap.finished is None:
            caption.update("", layout=False)
            table.display = False
            return
        records, returns = snap.finished
        caption.update(Text.assemble(("Last episode", "bold"), f" ({plural(len(records), 'step')}): ",
                                     "G_t = r_t + γ G_(t+1) beside V(s_t)"), layout=False)
        for record, g in zip(records, returns):
            value = "—" if record.value is None else num(record.value, 2)
            table.add_row(str(record.t), record.actor, action_label(record.action, self.action_names),
                          num(record.reward, 2), num(g, 2), value)
        table.display = True


def _last_rewards(rewards: tuple[float, ...]) -> str:
    """The most recent rewards, newest last, as many as fit the panel."""
    shown: list[str] = []
    width = 0
    for r in reversed(rewards):
        text = num(r, decimals=2)
        if width + len(text) + 1 > LAST_REWARDS_WIDTH:
            break
        shown.append(text)
        width += len(text) + 1
    return " ".join(reversed(shown)) if shown else "—"


def _gamma(snap: Snapshot) -> Text:
    """γ, and whose it is when an agent brought its own."""
    text = Text(num(snap.gamma, 4))
    if snap.has_agent:
        text.append("  the agent's", style="dim")
    return text
