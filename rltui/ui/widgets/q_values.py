"""The agent's panel: a bar per named action for the current state. Q(s, ·) for a value
agent; π(·|s), V(s) and the last advantage for a policy agent (the Policy panel). For
continuous actions: one dimension as a curve over its range (π's density for PPO, Q(s, a) for
SAC) with the mean ★ and the action taken ▲ marked; several as mean ± std bars."""

from __future__ import annotations

from typing import Any

import numpy as np
from rich.text import Text
from textual.widgets import Static

from agents.beliefs import ActionBeliefs
from rltui.live.snapshot import Snapshot
from rltui.ui.format import num, sig
from rltui.ui.render import palette
from rltui.ui.widgets.panel import SnapshotPanel

BAR = "█"
GREEDY = palette.ACCENT
TAKEN = palette.INFO
LEVELS = " ▁▂▃▄▅▆▇█"
CURVE_ROWS = 4
"""Rows of a one-dimensional action's curve (eighth blocks: 32 levels)."""


def panel_height(entry: Any) -> int:
    """Rows the agent's panel needs for ``entry``'s actions (borders included)."""
    if not entry.continuous:
        return entry.n_actions + 3
    dims = len(entry.action_vectors[0])
    return CURVE_ROWS + 6 if dims == 1 else dims + 4


class QValuesPanel(SnapshotPanel, Static):
    """Q(s, ·) as bars; ★ marks the greedy action, ▶ the one just taken; the last TD target and error."""

    GROUPS = ("beliefs", "policy", "step", "training")

    def __init__(
        self, action_names: tuple[str, ...], *, id: str | None = None, action_dims: tuple[str, ...] = ()
    ) -> None:
        super().__init__(id=id)
        self.action_names = action_names
        self.action_dims = action_dims
        self._snap: Snapshot | None = None

    def on_mount(self) -> None:
        self.border_title = "Q-values"

    def on_resize(self) -> None:
        # The bars are as wide as the panel: draw the last snapshot again at the new width.
        if self._snap is not None:
            self.show(self._snap)

    def show(self, snap: Snapshot) -> None:
        self._snap = snap
        self.update(self.render_snapshot(snap), layout=False)
        if snap.beliefs.actions is not None:
            policy = snap.policy
            curve = snap.beliefs.actions.curve_label
            self.border_title = "Policy π(a|s)" if curve.startswith("π") else "Q(s,a) and policy"
            ent_coef = dict(snap.training.metrics).get("ent_coef")
            done = (
                f"{policy.phase} · {policy.updates:,} updates"
                if policy is not None
                else ("" if ent_coef is None else f"ent coef {sig(ent_coef)}")
            )
            self.border_subtitle = done
        elif snap.policy is not None:
            self.border_title = "Policy π(a|s)"
            self.border_subtitle = f"{snap.policy.phase} · {snap.policy.updates:,} updates"
        else:
            self.border_title = "Q-values"
            self.border_subtitle = _scale(snap.beliefs.q_values)

    def render_snapshot(self, snap: Snapshot) -> Text:
        if snap.beliefs.actions is not None:
            return self._render_actions(snap)
        if snap.policy is not None:
            return self._render_policy(snap)
        if snap.beliefs.q_values is None:
            return Text.assemble(
                ("No agent yet.\n", "bold"),
                "Press tab and one takes over from here,\nor open one with ctrl+o.",
                style=palette.TEXT,
            )
        q = np.asarray(snap.beliefs.q_values, dtype=np.float64)
        name_w = max(len(n) for n in self.action_names)
        bar_w = max(4, self.content_size.width - name_w - 15) if self.content_size.width else 16
        # Bars span the spread of the values: Q-values that differ by 0.1 at -59 differ on
        # screen too. The scale is printed under the bars, so the spread is not mistaken for size.
        finite = q[np.isfinite(q)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
        span = hi - lo
        taken = snap.step.last.action if snap.step.last is not None else None
        out = Text(no_wrap=True, overflow="ellipsis")
        for a, name in enumerate(self.action_names):
            value = float(q[a])
            if not np.isfinite(value):
                fill = 0  # nan or inf: no bar, the number says it
            elif span == 0:
                fill = bar_w
            else:
                fill = 1 + round((value - lo) / span * (bar_w - 1))
            style = GREEDY if a == snap.beliefs.greedy else palette.BAR
            _marks(out, a == snap.beliefs.greedy, a == taken)
            out.append(name.ljust(name_w) + " ", style="bold" if a == snap.beliefs.greedy else "")
            out.append(BAR * fill, style=style)
            out.append(" " * (bar_w - fill) + f" {num(value, 2):>7}")
            out.append("\n")
        target = "—" if snap.beliefs.td_target is None else num(snap.beliefs.td_target, 3)
        error = "—" if snap.beliefs.td_error is None else num(snap.beliefs.td_error, 3)
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
        bar_w = max(4, self.content_size.width - name_w - 15) if self.content_size.width else 16
        taken = snap.step.last.action if snap.step.last is not None else None
        out = Text(no_wrap=True, overflow="ellipsis")
        for a, name in enumerate(self.action_names):
            p = float(view.pi[a])
            fill = round(p * bar_w) if np.isfinite(p) else 0
            _marks(out, a == snap.beliefs.greedy, a == taken)
            out.append(name.ljust(name_w) + " ", style="bold" if a == snap.beliefs.greedy else "")
            out.append(BAR * fill, style=GREEDY if a == snap.beliefs.greedy else palette.BAR)
            out.append(" " * (bar_w - fill) + f" {p:>7.1%}")
            out.append("\n")
        out.append("V(s) ", style="dim")
        out.append(num(view.value, 3), style="bold")
        out.append("   last advantage ", style="dim")
        out.append("—" if view.advantage is None else num(view.advantage, 3), style="bold")
        return out

    def _render_actions(self, snap: Snapshot) -> Text:
        """A continuous action: the curve (one dimension) or mean ± std bars (several)."""
        seen = snap.beliefs.actions
        assert seen is not None
        width = self.content_size.width or 40
        taken = _taken_vector(snap)
        out = Text(no_wrap=True, overflow="ellipsis")
        if seen.curve is not None and seen.points is not None:
            _curve(out, seen, taken, width)
        else:
            _bars(out, seen, taken, width, self.action_dims)
        out.append("V(s) ", style="dim")
        out.append("—" if snap.beliefs.state_value is None else num(snap.beliefs.state_value, 3), style="bold")
        if snap.policy is not None:
            out.append("   last advantage ", style="dim")
            out.append("—" if snap.policy.advantage is None else num(snap.policy.advantage, 3), style="bold")
        return out


def _marks(out: Text, greedy: bool, taken: bool) -> None:
    """A row's marks, each in a column of its own: ★ (greedy) then ▶ (just taken), so a row
    with both lines up with the rest."""
    out.append("★" if greedy else " ", style=GREEDY)
    out.append("▶" if taken else " ", style=TAKEN)
    out.append(" ")


def _taken_vector(snap: Snapshot) -> np.ndarray | None:
    """The action just taken as a vector (a person's key: its named action's vector)."""
    if snap.step.last is None:
        return None
    action = snap.step.last.action
    if isinstance(action, (int, np.integer)):
        if snap.beliefs.action_vectors is None:
            return None
        return np.asarray(snap.beliefs.action_vectors[int(action)], dtype=np.float64)
    seen = snap.beliefs.actions
    return np.clip(np.asarray(action, dtype=np.float64).reshape(-1), seen.low, seen.high)


def _column(value: float, low: float, high: float, width: int) -> int:
    return int(np.clip(round((value - low) / (high - low) * (width - 1)), 0, width - 1))


def _curve(out: Text, seen: ActionBeliefs, taken: np.ndarray | None, width: int) -> None:
    """The curve over the action range in eighth blocks, ★ under the mean, ▲ under the action
    taken, the range's ends and the mean ± std below."""
    low, high = float(seen.low[0]), float(seen.high[0])
    xs = np.linspace(low, high, width)
    ys = np.interp(xs, seen.points, seen.curve)
    finite = np.isfinite(ys)
    lo = 0.0 if seen.curve_label.startswith("π") else (float(ys[finite].min()) if finite.any() else 0.0)
    hi = float(ys[finite].max()) if finite.any() else 1.0
    span = hi - lo if hi > lo else 1.0
    levels = np.where(finite, np.round((ys - lo) / span * (CURVE_ROWS * 8 - 1)) + 1, 0).astype(int)
    mean_col = _column(float(seen.mean[0]), low, high, width)
    spread = max(1, round(float(seen.std[0]) / (high - low) * (width - 1)))
    for row in range(CURVE_ROWS):
        floor = (CURVE_ROWS - 1 - row) * 8
        for col in range(width):
            cell = int(np.clip(levels[col] - floor, 0, 8))
            near = abs(col - mean_col) <= spread
            out.append(LEVELS[cell], style=GREEDY if near else palette.BAR)
        out.append("\n")
    marks = [" "] * width
    taken_col = None if taken is None else _column(float(taken[0]), low, high, width)
    if taken_col is not None:
        marks[taken_col] = "▲"
    marks[mean_col] = "★"
    for mark in marks:
        out.append(mark, style=GREEDY if mark == "★" else TAKEN if mark == "▲" else "")
    out.append("\n")
    left, right = num(low, 2), num(high, 2)
    scale = (
        f"{seen.curve_label} {sig(lo)} … {sig(hi)}"
        if not seen.curve_label.startswith("π")
        else f"{seen.curve_label} peak {sig(hi)}"
    )
    gap = width - len(left) - len(right)
    if gap >= len(scale) + 2:
        pad = gap - len(scale)
        out.append(left + " " * (pad // 2) + scale + " " * (pad - pad // 2) + right + "\n", style="dim")
    else:
        out.append(left + " " * max(1, gap) + right + "\n", style="dim")
    out.append("★ ", style=GREEDY)
    out.append(f"mean {float(seen.mean[0]):+.2f} ± {float(seen.std[0]):.2f}", style="bold")
    if taken is not None:
        out.append("   ▲ ", style=TAKEN)
        out.append(f"taken {float(taken[0]):+.2f}")
    out.append("\n")


def _bars(out: Text, seen: ActionBeliefs, taken: np.ndarray | None, width: int, dims: tuple[str, ...]) -> None:
    """A row per action dimension: its range, the policy's mean ± std shaded, ★ at the mean,
    ▲ at the action taken."""
    names = [dims[i] if i < len(dims) else f"dim {i}" for i in range(len(seen.mean))]
    name_w = max(len(n) for n in names)
    bar_w = max(8, width - name_w - 16)
    for i, name in enumerate(names):
        low, high = float(seen.low[i]), float(seen.high[i])
        mean, std = float(seen.mean[i]), float(seen.std[i])
        cells = ["─"] * bar_w
        for col in range(_column(mean - std, low, high, bar_w), _column(mean + std, low, high, bar_w) + 1):
            cells[col] = "░"
        if taken is not None:
            cells[_column(float(taken[i]), low, high, bar_w)] = "▲"
        cells[_column(mean, low, high, bar_w)] = "★"
        out.append(name.ljust(name_w) + " ")
        for cell in cells:
            out.append(cell, style=GREEDY if cell in "★░" else TAKEN if cell == "▲" else "dim")
        out.append(f" {mean:+.2f}±{std:.2f}\n")


def _scale(q: np.ndarray | None) -> str:
    """What the bars span, for the panel's lower border."""
    if q is None:
        return ""
    finite = np.asarray(q, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    if finite.size < 2 or finite.min() == finite.max():
        return ""
    return f"bars {num(float(finite.min()), 2)} … {num(float(finite.max()), 2)}"
