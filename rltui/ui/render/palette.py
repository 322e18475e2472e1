"""Colours for the kinds of cell a grid scene has."""

from __future__ import annotations

from rich.style import Style

# The named colours of every panel and screen (app.tcss holds the same ones as variables:
# $accent-soft is ACCENT). Nothing outside this module and app.tcss spells a colour.
ACCENT = "#f9c623"
"""What needs attention now: the greedy action, learning, a pause, keys in help."""
INFO = "#4fc3f7"
"""The person (HUMAN), the action taken, a running sweep's name."""
GOOD = "#9ccc65"
"""Done, greedy, playable, a complete trial."""
BAD = "#ef5350"
"""A failed trial."""
BAD_SOFT = "#ef8a80"
"""What is not right yet (the editor's "not playable")."""
TEXT = "#c8d0da"
"""Plain sentences of help and status."""
LABEL = "#8fa3b8"
"""Group headings and field labels."""
MUTED = "#8a94a6"
"""What is finished and no longer matters (a pruned trial)."""
BAR = "#6f8aa6"
"""Bars and marks of actions that are not the greedy one."""
NEEDS = "#c07070"
"""An env whose package is missing."""
CARD = "#f4f1e8"
CARD_BACK = "#3a5f9c"

CELL_STYLES: dict[str, Style] = {
    "floor": Style(color="#d0d0d0", bgcolor="#262b33"),
    "stand": Style(color="#d0d0d0", bgcolor="#262b33", bold=True),
    "wall": Style(color="#c9a26b", bgcolor="#262b33", bold=True),
    "wall_cell": Style(bgcolor="#6b5a45"),
    "ice": Style(color="#0b2534", bgcolor="#9ccbe3"),
    "start": Style(color="#0b2534", bgcolor="#7fa7bd", bold=True),
    "hole": Style(color="#9ccbe3", bgcolor="#0d1b4a", bold=True),
    "goal": Style(color="#fff6c2", bgcolor="#2e7d32", bold=True),
    "cliff": Style(bgcolor="#8e1b1b"),
    "exit_bad": Style(color="white", bgcolor="#8e1b1b", bold=True),
    "passenger": Style(color="white", bgcolor="#1565c0", bold=True),
    "destination": Style(color="white", bgcolor="#8e24aa", bold=True),
    "friend": Style(color="white", bgcolor="#1565c0", bold=True),
    "spot": Style(color="#6f7a88", bgcolor="#262b33"),
    "signal": Style(color="white", bgcolor="#8e24aa", bold=True),
    "agent": Style(color="black", bgcolor=ACCENT, bold=True),
    "agent_loaded": Style(color="black", bgcolor="#4caf50", bold=True),
    "cursor": Style(color="black", bgcolor="#e040fb", bold=True),
}
BORDER = Style(color="#5c6773")
CAPTION = Style(color=TEXT, italic=True)
FALLBACK = Style()


MINIGRID_RGB = {
    "red": "#e53935",
    "green": "#43a047",
    "blue": "#1e88e5",
    "purple": "#8e24aa",
    "yellow": "#fdd835",
    "grey": "#9e9e9e",
}
for _direction in ("east", "south", "west", "north"):
    CELL_STYLES[f"agent_{_direction}"] = CELL_STYLES["agent"]


def cell_style(kind: str) -> Style:
    style = CELL_STYLES.get(kind)
    if style is None and kind.startswith("mg:"):
        style = CELL_STYLES[kind] = _minigrid_style(kind)
    return style or FALLBACK


def _minigrid_style(kind: str) -> Style:
    """``mg:THING:COLOUR[:dim]``: a MiniGrid object in its colour (a door as a block of it, lava
    red on dark red); ``:dim`` for a cell outside the agent's view."""
    _, thing, colour, *dim = kind.split(":")
    rgb = MINIGRID_RGB.get(colour, "#9e9e9e")
    floor = "#1a1e25" if dim else "#262b33"
    if thing == "door":
        style = Style(color="black", bgcolor=rgb, bold=True)
    elif thing == "lava":
        style = Style(color="#ffb74d", bgcolor="#bf360c", bold=True)
    elif thing == "floor":
        style = Style(bgcolor=floor)
    else:
        style = Style(color=rgb, bgcolor=floor, bold=True)
    return style + Style(dim=True) if dim and thing != "floor" else style
