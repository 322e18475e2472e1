"""The environment, drawn to fit whatever space the widget has."""

from __future__ import annotations

from typing import Any

from rich.console import RenderableType
from rich.segment import Segment
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget

from rltui.envs.scenes import CardsScene, GridScene, PixelFrame, TextFrame
from rltui.envs.valuemap import ValueMap
from rltui.ui.render.cards import render_cards
from rltui.ui.render.field import render_field
from rltui.ui.render.grid import render_grid
from rltui.ui.render.halfblock import frame_to_strips


class EnvView(Widget):
    """Shows one scene; the lines are built once per scene and size, then served."""

    DEFAULT_CSS = """
    EnvView { width: 1fr; height: 1fr; }
    """

    def __init__(self, *, id: str | None = None, action_names: tuple[str, ...] = ()) -> None:
        super().__init__(id=id)
        self.action_names = action_names
        self._scene: Any = None
        self._values: ValueMap | None = None
        self._glyphs: tuple[str, ...] = ()
        self._view = "arrows"
        self._strips: list[Strip] | None = None
        self.frames_drawn = 0

    def show(
        self, scene: Any, values: ValueMap | None = None, glyphs: tuple[str, ...] = (), view: str = "arrows"
    ) -> None:
        """Draw ``scene`` (a GridScene, CardsScene, PixelFrame or TextFrame) next refresh;
        a grid scene with ``values`` is drawn as a value map in ``view`` (see ``VIEWS``)."""
        if scene is self._scene and values is self._values and view == self._view:
            return
        self._scene, self._values, self._glyphs, self._view = scene, values, glyphs, view
        self._strips = None
        self.refresh()

    def on_resize(self) -> None:
        # The lines were built for the old size (and may already have been served at the new
        # one, before this event came): build them again and repaint, with no step needed.
        self._strips = None
        self.refresh()

    def _build(self) -> list[Strip]:
        width, height = self.content_size
        scene = self._scene
        if scene is None or width < 1 or height < 1:
            return []
        style = self.rich_style  # computed once: it walks the CSS
        if isinstance(scene, PixelFrame) and self._values is not None and self._values.axes is not None:
            lines = render_field(self._values, width, height, self.action_names)
        elif isinstance(scene, PixelFrame):
            return [strip.apply_style(style) for strip in frame_to_strips(scene.pixels, width, height)]
        elif isinstance(scene, GridScene):
            lines = render_grid(scene, width, height, self._values, self._glyphs, self._view)[:height]
        else:
            renderable: RenderableType
            if isinstance(scene, CardsScene):
                renderable = render_cards(scene)
            elif isinstance(scene, TextFrame) and scene.text:
                renderable = Text.from_ansi(scene.text, no_wrap=True)
            else:
                renderable = Text("This environment draws nothing.", style="italic")
            options = self.app.console.options.update(width=width, height=None, no_wrap=True)
            lines = self.app.console.render_lines(renderable, options, pad=False)[:height]
        # Centre the block by hand: cheaper than rich's Align on every frame.
        content = max((Segment.get_line_length(line) for line in lines), default=0)
        left = max(0, (width - content) // 2)
        pad = [Segment(" " * left)] if left else []
        top = (height - len(lines)) // 2
        blank = Strip.blank(width, style)
        strips = [blank] * top
        for line in lines:
            length = left + Segment.get_line_length(line)
            segments = pad + line
            if length < width:
                segments = segments + [Segment(" " * (width - length))]
                length = width
            strip = Strip(segments, length)
            strips.append((strip.crop(0, width) if length > width else strip).apply_style(style))
        strips += [blank] * (height - len(strips))
        return strips

    def render_line(self, y: int) -> Strip:
        if self._strips is None:
            self._strips = self._build()
            self.frames_drawn += 1
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(self.content_size.width)
