"""The environment, drawn to fit whatever space the widget has."""

from __future__ import annotations

from typing import Any

from rich.align import Align
from rich.console import RenderableType
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget

from rltui.core.scenes import CardsScene, GridScene, PixelFrame, TextFrame
from rltui.ui.render.cards import render_cards
from rltui.ui.render.grid import render_grid
from rltui.ui.render.halfblock import frame_to_strips


class EnvView(Widget):
    """Shows one scene; the lines are built once per scene and size, then served."""

    DEFAULT_CSS = """
    EnvView { width: 1fr; height: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._scene: Any = None
        self._strips: list[Strip] | None = None
        self.frames_drawn = 0

    def show(self, scene: Any) -> None:
        """Draw ``scene`` (a GridScene, CardsScene, PixelFrame or TextFrame) next refresh."""
        self._scene = scene
        self._strips = None
        self.refresh()

    def on_resize(self) -> None:
        self._strips = None

    def _build(self) -> list[Strip]:
        width, height = self.content_size
        scene = self._scene
        if scene is None or width < 1 or height < 1:
            return []
        if isinstance(scene, PixelFrame):
            strips = frame_to_strips(scene.pixels, width, height)
            return [strip.apply_style(self.rich_style) for strip in strips]
        renderable: RenderableType
        if isinstance(scene, GridScene):
            renderable = render_grid(scene, width, height)
        elif isinstance(scene, CardsScene):
            renderable = render_cards(scene)
        elif isinstance(scene, TextFrame) and scene.text:
            renderable = Text.from_ansi(scene.text, no_wrap=True)
        else:
            renderable = Text("This environment draws nothing.", style="italic")
        options = self.app.console.options.update_dimensions(width, height)
        lines = self.app.console.render_lines(
            Align(renderable, "center", vertical="middle", height=height), options, pad=True
        )
        # Padding and blank lines carry no colour of their own: give them the widget's.
        return [Strip(line, width).apply_style(self.rich_style) for line in lines]

    def render_line(self, y: int) -> Strip:
        if self._strips is None:
            self._strips = self._build()
            self.frames_drawn += 1
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(self.content_size.width)
