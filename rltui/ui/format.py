"""Numbers as the panels show them."""

from __future__ import annotations


def num(x: float, decimals: int = 3) -> str:
    """``-2`` for whole numbers, ``-1.99`` otherwise (trailing zeros trimmed)."""
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x)}"
    text = f"{x:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
