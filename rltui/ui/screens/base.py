"""What every rltui screen shares: the too-small guard."""

from __future__ import annotations

from textual import events
from textual.screen import Screen

from rltui.ui.widgets.too_small import TooSmall, is_too_small


class GuardedScreen(Screen):
    """A screen that swaps its layout for a clear message when the terminal is too small.

    Subclasses yield a :class:`TooSmall` in ``compose``.
    """

    def on_resize(self, event: events.Resize) -> None:
        self.check_size(event.size.width, event.size.height)

    def on_screen_resume(self) -> None:
        self.check_size(self.app.size.width, self.app.size.height)

    def check_size(self, width: int, height: int) -> None:
        small = is_too_small(width, height)
        self.set_class(small, "-too-small")
        if small:
            self.query_one(TooSmall).show_for(width, height)
