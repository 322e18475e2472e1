"""The "Rewards and returns" panel: what the episode has earned and what it was worth."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from rltui.envs.session import HUMAN
from rltui.live.snapshot import Snapshot
from rltui.ui.format import action_label, num, plural, rows
from rltui.ui.render.palette import LABEL
from rltui.ui.widgets.panel import SnapshotPanel

LAST_REWARDS_WIDTH = 24
COLUMNS = ("t", "who", "action", "r_t", "G_t", "V(s_t)")
SHRINK = ("action", "who")
"""Columns cut (with …, never below their header) when the table is too narrow, in this order:
the numbers and every header always show in full."""


def fit_columns(labels: tuple[str, ...], rows: list[tuple[str, ...]], room: int) -> list[int]:
    """Each column's width for ``rows`` under ``labels`` in ``room`` characters, a space between
    columns: as wide as its widest cell, the :data:`SHRINK` columns narrowed (down to their
    header) while the table would not fit."""
    widths = [max([len(label), *(len(row[i]) for row in rows)]) for i, label in enumerate(labels)]
    over = sum(widths) + len(widths) - 1 - room
    for name in SHRINK:
        if over <= 0:
            break
        i = labels.index(name)
        cut = min(over, widths[i] - len(name))
        widths[i] -= cut
        over -= cut
    return widths


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


class ReturnsPanel(SnapshotPanel, Vertical):
    """Step t, last rewards, return and discounted return of the current episode; the last
    finished episode's G_t per step beside the agent's prediction V(s_t)."""

    GROUPS = ("step", "timeline", "table", "status")

    def __init__(self, action_names: tuple[str, ...], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.action_names = action_names
        self._finished: object = None
        self._waiting = False
        self._row: int | None = None
        self._cells: list[tuple[str, ...]] = []
        """The G_t table's rows as text, kept to lay the table out again when its width changes."""

    def compose(self) -> ComposeResult:
        yield Static(id="returns-summary")
        yield Static(id="returns-caption")
        # No padding in the cells: fit_columns puts one space between columns, so the table fits
        # the side panel (a column pushed out of sight would take its header with it).
        table: DataTable[str] = DataTable(id="returns-table", cursor_type="none", zebra_stripes=True, cell_padding=0)
        table.can_focus = False  # the play keys (arrows) must reach the screen, not the table
        # Set up here, not in on_mount: a screen left at once (esc held down) can be unmounting
        # its children by the time on_mount runs.
        table.add_columns(*COLUMNS)
        table.display = False
        yield table

    def on_mount(self) -> None:
        self.border_title = "Rewards and returns"

    def on_resize(self) -> None:
        if self._cells:  # the columns were fitted to the old width
            self._fill_table()
            self._highlight(self._row)

    def show(self, snap: Snapshot) -> None:
        """Redraw from a snapshot."""
        summary = rows(
            [
                ("step", f"{snap.timeline.shown}/{snap.timeline.recorded}"),
                ("last rewards", _last_rewards(snap.step.rewards_tail)),
                ("return", Text(num(snap.step.return_), style="bold")),
                ("discounted", Text(num(snap.step.discounted), style="bold")),
                ("γ", _gamma(snap)),
            ],
            label_width=15,
        )
        # Fixed height (see app.tcss): no relayout on every step.
        self.query_one("#returns-summary", Static).update(summary, layout=False)
        # At full speed episodes fly by and the table would cost the agent more than it shows:
        # it catches up as soon as the agent slows down, pauses or hands back control.
        fast = snap.status.full_speed and not snap.status.paused and snap.status.controller != HUMAN
        if snap.table.finished is not self._finished and not fast:
            self._finished = snap.table.finished
            self._show_finished(snap)
            self._row = None
        if snap.table.row != self._row:
            self._highlight(snap.table.row)
        elif fast and snap.table.finished is not None and not self._waiting:
            self._waiting = True
            self.query_one("#returns-caption", Static).update(
                Text(
                    "At full speed this table waits until the agent slows, pauses or hands back.",
                    style=f"italic {LABEL}",
                ),
                layout=False,
            )

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
        self._cells = []
        if snap.table.finished is None:
            caption.update("", layout=False)
            table.display = False
            return
        records, returns = snap.table.finished
        caption.update(
            Text.assemble(
                ("Last episode", "bold"), f" ({plural(len(records), 'step')}): ", "G_t = r_t + γ G_(t+1) beside V(s_t)"
            ),
            layout=False,
        )
        self._cells = [
            (
                str(record.t),
                record.actor,
                action_label(record.action, self.action_names),
                num(record.reward, 2),
                num(g, 2),
                "—" if record.value is None else num(record.value, 2),
            )
            for record, g in zip(records, returns)
        ]
        self._fill_table()
        table.display = True

    def _fill_table(self) -> None:
        """The table's columns fitted to its width, then its rows."""
        table = self.query_one("#returns-table", DataTable)
        # The panel's width less its border and padding, and the table's scroll bar.
        room = self.content_size.width - table.styles.scrollbar_size_vertical
        widths = (
            fit_columns(COLUMNS, self._cells, room)
            if room > 0
            else [max([len(c), *(len(row[i]) for row in self._cells)]) for i, c in enumerate(COLUMNS)]
        )
        gap = 2 if room <= 0 or sum(widths) + 2 * (len(widths) - 1) <= room else 1  # roomier when it fits
        table.clear(columns=True)
        last = len(COLUMNS) - 1
        for i, (label, width) in enumerate(zip(COLUMNS, widths)):
            table.add_column(label, width=width + (0 if i == last else gap))
        table.add_rows([tuple(_cut(cell, width) for cell, width in zip(row, widths)) for row in self._cells])


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
    text = Text(num(snap.step.gamma, 4))
    if snap.status.has_agent:
        text.append("  the agent's", style="dim")
    return text
