"""The "Rewards and returns" panel: what the episode has earned and is worth."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from rltui.core.session import Session
from rltui.ui.format import num

LAST_REWARDS_WIDTH = 24


class ReturnsPanel(Vertical):
    """Step t, last rewards, return and discounted return; G_t per step once the episode ends."""

    def compose(self) -> ComposeResult:
        yield Static(id="returns-summary")
        yield Static(id="returns-caption")
        table: DataTable[str] = DataTable(id="returns-table", cursor_type="none", zebra_stripes=True)
        table.can_focus = False  # the play keys (arrows) must reach the screen, not the table
        yield table

    def on_mount(self) -> None:
        self.border_title = "Rewards and returns"
        table = self.query_one("#returns-table", DataTable)
        table.add_columns("t", "who", "action", "r_t", "G_t")
        table.display = False

    def update_from(self, session: Session) -> None:
        """Redraw from the session's current episode."""
        episode = session.episode
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True, min_width=13)
        grid.add_column(no_wrap=True, overflow="ellipsis")
        grid.add_row("step t", str(episode.steps))
        grid.add_row("last rewards", _last_rewards(episode.rewards))
        grid.add_row("return", Text(num(episode.return_), style="bold"))
        grid.add_row("discounted", Text(num(episode.discounted), style="bold"))
        grid.add_row("γ", num(session.gamma))
        grid.add_row("episodes done", str(session.episodes_finished))
        # Fixed height (see app.tcss): no relayout on every step.
        self.query_one("#returns-summary", Static).update(grid, layout=False)

        caption = self.query_one("#returns-caption", Static)
        table = self.query_one("#returns-table", DataTable)
        if episode.done:
            how = "terminated" if episode.terminated else "cut off by the time limit"
            caption.update(
                Text.assemble(("Episode over", "bold"), f" ({how}). ",
                              "G_t = r_t + γ G_(t+1):")
            )
            table.clear()
            names = session.entry.action_names
            for t, (g, r) in enumerate(zip(episode.returns_to_go(), episode.rewards)):
                table.add_row(str(t), episode.actors[t], names[episode.actions[t]], num(r), num(g))
            table.display = True
        else:
            caption.update("")
            if table.display:
                table.clear()
                table.display = False


def _last_rewards(rewards: list[float]) -> str:
    """The most recent rewards, newest last, as many as fit the panel."""
    shown: list[str] = []
    width = 0
    for r in reversed(rewards[-LAST_REWARDS_WIDTH:]):
        text = num(r, decimals=2)
        if width + len(text) + 1 > LAST_REWARDS_WIDTH:
            break
        shown.append(text)
        width += len(text) + 1
    return " ".join(reversed(shown)) if shown else "—"
