"""A value map over a continuous observation (MountainCar's position × velocity): V as the
colour of each cell, the greedy action as its glyph, the env's state marked."""

from __future__ import annotations

import numpy as np
from rich.segment import Segment
from rich.style import Style

from rltui.envs.valuemap import ValueMap
from rltui.ui.render import palette
from rltui.ui.render.grid import value_style

HERE = "●"
LABEL = Style(color=palette.LABEL)


def field_glyphs(action_names: tuple[str, ...]) -> tuple[str, ...]:
    """← and → for pushes that say which way, · for the rest (coasting)."""
    out = []
    for name in action_names:
        lower = name.lower()
        out.append("←" if "left" in lower else "→" if "right" in lower else "·")
    return tuple(out)


def _tick(value: float) -> str:
    return f"{value:+.2f}" if abs(value) < 1 else f"{value:+.1f}"


def render_field(field: ValueMap, width: int, height: int, action_names: tuple[str, ...]) -> list[list[Segment]]:
    """Lines of segments that fit ``width`` x ``height`` (rows beyond the height are dropped
    evenly, so the whole range stays in view)."""
    axes = field.axes
    assert axes is not None
    glyphs = field_glyphs(action_names)
    rows, cols = field.values.shape
    label_w = max(len(_tick(axes.y_range[0])), len(_tick(axes.y_range[1]))) + 1
    cell_w = max(1, min(3, (width - label_w) // cols))
    shown = (
        list(range(rows)) if height - 3 >= rows else [round(i) for i in np.linspace(0, rows - 1, max(1, height - 3))]
    )
    finite = field.values[np.isfinite(field.values)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
    title = f"V(s): {axes.x_label} → across, {axes.y_label} ↑ up; {lo:.3g} (red) to {hi:.3g} (green)"
    lines: list[list[Segment]] = [[Segment(title[:width], LABEL)]]
    for n, r in enumerate(shown):
        label = _tick(axes.y_range[1]) if n == 0 else _tick(axes.y_range[0]) if n == len(shown) - 1 else ""
        line = [Segment(label.rjust(label_w - 1) + " ", LABEL)]
        for c in range(cols):
            value = field.values[r, c]
            here = axes.here is not None and axes.here == (r, c)
            greedy = int(field.greedy[r, c])
            glyph = HERE if here else glyphs[greedy] if 0 <= greedy < len(glyphs) else " "
            style = value_style(float(value), lo, hi) if np.isfinite(value) else Style()
            line.append(Segment(glyph.center(cell_w), style))
        lines.append(line)
    left, right = _tick(axes.x_range[0]), _tick(axes.x_range[1])
    span = cols * cell_w
    middle = axes.x_label.center(max(0, span - len(left) - len(right)))
    lines.append([Segment(" " * label_w + (left + middle + right)[:span], LABEL)])
    lines.append([Segment(f"{HERE} the car now · arrows: the greedy push"[:width], LABEL)])
    return lines[:height]
