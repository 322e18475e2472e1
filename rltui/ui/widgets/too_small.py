"""What a screen shows instead of a broken layout when the terminal is too small."""

from __future__ import annotations

from textual.widgets import Static

MIN_WIDTH = 72
MIN_HEIGHT = 20


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
