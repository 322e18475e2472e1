"""What a screen shows instead of a broken layout when the terminal is too small."""

from __future__ import annotations

from textual.widgets import Static

MIN_WIDTH = 80
MIN_HEIGHT = 24
"""The classic terminal: every panel is usable there (the plot and the legend give way first)."""
NARROW = 110
"""Below this width the side panels narrow."""
PLOT_WIDTH = 96
SHORT = 30
"""Below this width or height the Training panel keeps its figures and drops the plot,
which would be too small to read."""


class TooSmall(Static):
    """Hidden unless the screen has the ``-too-small`` class."""

    def __init__(self) -> None:
        super().__init__(id="too-small")

    def show_for(self, width: int, height: int) -> None:
        self.update(
            f"Please enlarge the terminal to at least {MIN_WIDTH}x{MIN_HEIGHT}.\n"
            f"It is {width}x{height} now.\n\nq quits."
        )


def is_too_small(width: int, height: int) -> bool:
    return width < MIN_WIDTH or height < MIN_HEIGHT
