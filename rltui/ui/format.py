"""Numbers as the panels show them."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from rich.text import Text


def num(x: float, decimals: int = 3) -> str:
    """``-2`` for whole numbers, ``-1.99`` otherwise (trailing zeros trimmed)."""
    if not math.isfinite(x):
        return str(x)  # nan, inf: a diverging loss must show, not crash the panel
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x)}"
    text = f"{x:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def plural(n: int, noun: str) -> str:
    """``1 step``, ``2 steps``, ``1,000 steps``."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def sig(x: float | None, digits: int = 3) -> str:
    """A number with ``digits`` significant digits: a loss of 3.2e-05 is not 0."""
    if x is None:
        return "—"
    if not math.isfinite(x):
        return str(x)
    if x == 0:
        return "0"
    if 1e-3 <= abs(x) < 1e5:
        return f"{x:.{digits}g}"
    return f"{x:.{max(0, digits - 1)}e}"


def rows(pairs: list[tuple[str, object]], label_width: int) -> Text:
    """Label/value lines as one Text: far cheaper to render every frame than a rich Table."""
    out = Text(no_wrap=True, overflow="ellipsis")
    for i, (label, value) in enumerate(pairs):
        if i:
            out.append("\n")
        out.append(label.ljust(label_width), style="dim")
        if isinstance(value, Text):
            out.append_text(value)
        else:
            out.append(str(value))
    return out


def action_label(action: Any, names: tuple[str, ...]) -> str:
    """How a step's action reads: its name, or a continuous action's values (``+0.53`` or
    ``+1.00 -0.25``)."""
    if isinstance(action, (int, np.integer)):
        return names[int(action)]
    return " ".join(f"{float(v):+.2f}" for v in np.asarray(action).reshape(-1))


def field_text(value: Any) -> str:
    """A setting's value as an input field shows it (and as ``--set`` takes it back)."""
    return f"{value:.6g}" if isinstance(value, float) else str(value)
