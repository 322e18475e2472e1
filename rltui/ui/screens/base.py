"""What every rltui screen shares: the too-small guard."""

from __future__ import annotations

from textual import events
from textual.screen import Screen

from rltui.ui.widgets.too_small import NARROW, PLOT_WIDTH, SHORT, TooSmall, is_too_small


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
        # Panels give way one by one as the terminal shrinks (see app.tcss).
        self.set_class(width < NARROW, "-narrow")
        self.set_class(height < SHORT, "-short")
        self.set_class(width < PLOT_WIDTH or height < SHORT, "-no-plot")
        if small:
            self.query_one(TooSmall).show_for(width, height)
