"""The Q-values panel: a bar per named action for the current state."""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.widgets import Static

from rltui.core.playalong import Snapshot
from rltui.ui.format import num

BAR = "█"
GREEDY = "#f9c623"
TAKEN = "#4fc3f7"


class QValuesPanel(Static):
    """Q(s, ·) as bars; ★ marks the greedy action, ▶ the one just taken; the last TD target and error."""

    def __init__(self, action_names: tuple[str, ...], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.action_names = action_names

    def on_mount(self) -> None:
        self.border_title = "Q-values"

    def show(self, snap: Snapshot) -> None:
        self.update(self.render_snapshot(snap), layout=False)

    def render_snapshot(self, snap: Snapshot) -> Text:
        if snap.q_values is None:
            return Text.assemble(("No agent yet.\n", "bold"),
                                 "Press tab and one takes over from here,\n"
                                 "or open one with ctrl+o.", style="#c8d0da")
        q = snap.q_values
        name_w = max(len(n) for n in self.action_names)
        bar_w = max(4, self.content_size.width - name_w - 14) if self.content_size.width else 16
        # Bars measure from zero (or from the lowest value when some are negative), so two
        # nearly equal Q-values look nearly equal.
        lo, hi = min(float(np.min(q)), 0.0), max(float(np.max(q)), 0.0)
        span = hi - lo
        taken = snap.last.action if snap.last is not None else None
        out = Text(no_wrap=True, overflow="ellipsis")
        for a, name in enumerate(self.action_names):
            value = float(q[a])
            fill = bar_w if span == 0 else max(1, round((value - lo) / span * bar_w))
            mark = "★" if a == snap.greedy else "▶" if a == taken else " "
            style = GREEDY if a == snap.greedy else "#6f8aa6"
            out.append(f"{mark} ", style=GREEDY if mark == "★" else TAKEN)
            out.append(name.ljust(name_w) + " ", style="bold" if a == snap.greedy else "")
            out.append(BAR * fill, style=style)
            out.append(" " * (bar_w - fill) + f" {num(value, 2):>7}")
            if a == taken and mark == "★":
                out.append(" ▶", style=TAKEN)
            out.append("\n")
        target = "—" if snap.td_target is None else num(snap.td_target, 3)
        error = "—" if snap.td_error is None else num(snap.td_error, 3)
        out.append("TD target ", style="dim")
        out.append(target, style="bold")
        out.append("   TD error ", style="dim")
        out.append(error, style="bold")
        return out
