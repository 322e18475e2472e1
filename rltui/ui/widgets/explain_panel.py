"""The explain panel (``X``): the update the agent made at the step shown, the equation as the
literature writes it, the same with its numbers, and what it made.

It takes the Returns panel's place in the side column while it is open; the owner fills its
group (:mod:`rltui.live.explaining`) only then.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

from agents.explain import Explanation, layout
from rltui.live.explaining import GROUP, ExplainView
from rltui.live.snapshot import Snapshot
from rltui.ui.render.palette import ACCENT, INFO, LABEL, MUTED, TEXT
from rltui.ui.widgets.panel import SnapshotPanel


class ExplainPanel(SnapshotPanel, Static):
    """Every learning update, with its numbers, at any step of the timeline."""

    GROUPS = (GROUP,)
    AREA = "side"
    DEFAULT_CSS = "ExplainPanel { height: 1fr; display: none; overflow-y: auto; }"

    def __init__(self) -> None:
        super().__init__(id="explain-panel")
        self.border_title = "Explain this step (X)"
        self._shown: ExplainView | None = None

    @classmethod
    def for_env(cls, entry: Any) -> ExplainPanel:
        return cls()

    def show(self, snap: Snapshot) -> None:
        view = snap.group(GROUP)
        if view is None or view is self._shown or not self.display:
            return
        self._shown = view
        where = "looking back" if view.looking_back else "live"
        self.border_title = f"Explain step {view.step} ({where}) · X closes"
        self.update(render(view, max(20, self.content_size.width or 44)))

    def on_resize(self) -> None:
        if self._shown is not None:
            self.update(render(self._shown, max(20, self.content_size.width)))


def render(view: ExplainView, width: int) -> Text:
    """The panel's text, ``width`` columns wide."""
    if view.explanation is None:
        return Text(view.reason or "Nothing to explain.", style=MUTED)
    return render_explanation(view.explanation, width)


STYLES = {
    "title": f"bold {ACCENT}",
    "equation": INFO,
    "filled": TEXT,
    "heading": LABEL,
    "symbol": LABEL,
    "value": TEXT,
    "result": f"bold {TEXT}",
    "meaning": MUTED,
    "note": MUTED,
}
"""Each role of an explanation's layout (:func:`agents.explain.layout`) in the palette's colours."""


def render_explanation(ex: Explanation, width: int) -> Text:
    text = Text()
    for segment, role in layout(ex, width):
        text.append(segment, style=STYLES[role])
    return text
