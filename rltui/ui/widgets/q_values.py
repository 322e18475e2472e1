"""The agent's panel: a bar per named action for the current state. Q(s, ·) for a value
agent; π(·|s), V(s) and the last advantage for a policy agent (the Policy panel)."""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.widgets import Static

from rltui.core.snapshot import Snapshot
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
        if snap.policy is not None:
            self.border_title = "Policy π(a|s)"
            self.border_subtitle = f"{snap.policy.phase} · {snap.policy.updates:,} updates"
        else:
            self.border_title = "Q-values"
            self.border_subtitle = _scale(snap.q_values)

    def render_snapshot(self, snap: Snapshot) -> Text:
        if snap.policy is not None:
            return self._render_policy(snap)
        if snap.q_values is None:
            return Text.assemble(("No agent yet.\n", "bold"),
                                 "Press tab and one takes over from here,\n"
                                 "or open one with ctrl+o.", style="#c8d0da")
        q = np.asarray(snap.q_values, dtype=np.float64)
        name_w = max(len(n) for n in self.action_names)
        bar_w = max(4, self.content_size.width - name_w - 14) if self.content_size.width else 16
        # Bars span the spread of the values: Q-values that differ by 0.1 at -59 differ on
        # screen too. The scale is printed under the bars, so the spread is not mistaken for size.
        finite = q[np.isfinite(q)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
        span = hi - lo
        taken = snap.last.action if snap.last is not None else None
        out = Text(no_wrap=True, overflow="ellipsis")
        for a, name in enumerate(self.action_names):
            value = float(q[a])
            if not np.isfinite(value):
                fill = 0  # nan or inf: no bar, the number says it
            elif span == 0:
                fill = bar_w
            else:
                fill = 1 + round((value - lo) / span * (bar_w - 1))
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


    def _render_policy(self, snap: Snapshot) -> Text:
        """π(·|s) as bars of their probability; ★ the likeliest, ▶ the one just taken."""
        view = snap.policy
        assert view is not None
        name_w = max(len(n) for n in self.action_names)
        bar_w = max(4, self.content_size.width - name_w - 14) if self.content_size.width else 16
        taken = snap.last.action if snap.last is not None else None
        out = Text(no_wrap=True, overflow="ellipsis")
        for a, name in enumerate(self.action_names):
            p = float(view.pi[a])
            fill = round(p * bar_w) if np.isfinite(p) else 0
            mark = "★" if a == snap.greedy else "▶" if a == taken else " "
            out.append(f"{mark} ", style=GREEDY if mark == "★" else TAKEN)
            out.append(name.ljust(name_w) + " ", style="bold" if a == snap.greedy else "")
            out.append(BAR * fill, style=GREEDY if a == snap.greedy else "#6f8aa6")
            out.append(" " * (bar_w - fill) + f" {p:>7.1%}")
            if a == taken and mark == "★":
                out.append(" ▶", style=TAKEN)
            out.append("\n")
        out.append("V(s) ", style="dim")
        out.append(num(view.value, 3), style="bold")
        out.append("   last advantage ", style="dim")
        out.append("—" if view.advantage is None else num(view.advantage, 3), style="bold")
        return out


def _scale(q: np.ndarray | None) -> str:
    """What the bars span, for the panel's lower border."""
    if q is None:
        return ""
    finite = np.asarray(q, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    if finite.size < 2 or finite.min() == finite.max():
        return ""
    return f"bars {num(float(finite.min()), 2)} … {num(float(finite.max()), 2)}"
