"""The map editor: draw a grid world in the terminal, save it, play it.

Opened with ``E`` from the play screen of a map, FrozenLake or CliffWalking. The map is
drawn as the play screen draws it, with a cursor; keys place cells, the fields on the right
set the map's settings. ``p`` saves the map to ``saves/maps/NAME.txt`` and plays it (``tab``
there hands it to an agent); ``ctrl+s`` only saves.

Opened with ``P`` (paint) from the play screen of a map, the editor is *live*: it paints the
world the agent is learning in (cells, slip, living reward; not its size, since the agent
holds a row per state), and ``p`` hands the map back to change the world at the next episode.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.segment import Segment
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap
from textual.containers import Horizontal, Vertical
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Footer, Input, Label, Static

from rltui.envs.gridmap import FLOOR, MAX_SIDE, SETTINGS, GridMap, MapError, parse
from rltui.envs.scenes import scene_of_map
from rltui.ui.format import field_text
from rltui.ui.render.grid import render_grid
from rltui.ui.render.palette import BAD_SOFT, GOOD, TEXT
from rltui.ui.screens.base import GuardedScreen
from rltui.ui.widgets.too_small import TooSmall

NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


class MapCanvas(Widget, can_focus=True):
    """The map being edited, with a cursor that the arrow keys move."""

    DEFAULT_CSS = "MapCanvas { width: 1fr; height: 1fr; }"

    BINDINGS = [
        Binding("up", "move(-1, 0)", "Move", show=False),
        Binding("down", "move(1, 0)", "Move", show=False),
        Binding("left", "move(0, -1)", "Move", show=False),
        Binding("right", "move(0, 1)", "Move", show=False),
        Binding("full_stop,space", "place('.')", "Floor", key_display="."),
        Binding("number_sign,w", "place('#')", "Wall", key_display="#/w"),
        Binding("s", "place('S')", "Start"),
        Binding("g", "exit", "Exit"),
        Binding("h", "place('H')", "Hole"),
        Binding("c", "place('C')", "Cliff"),
        Binding("right_square_bracket", "resize(0, 1)", "Cols +/-", key_display="] ["),
        Binding("left_square_bracket", "resize(0, -1)", "Cols", show=False),
        Binding("right_curly_bracket", "resize(1, 0)", "Rows +/-", key_display="} {"),
        Binding("left_curly_bracket", "resize(-1, 0)", "Rows", show=False),
    ]

    def __init__(self, grid_map: GridMap, fixed_size: bool = False) -> None:
        super().__init__()
        self.map = grid_map
        self.fixed_size = fixed_size
        """Live: the size stays (the agent holds a row per state)."""
        self.cursor = (0, 0)
        self._drawn: tuple[Any, list[list[Segment]]] | None = None

    def render_line(self, y: int) -> Strip:
        width, height = self.content_size
        key = (self.map, self.cursor, width, height)
        if self._drawn is None or self._drawn[0] != key:  # drawn once per change, not per line
            self._drawn = (key, render_grid(scene_of_map(self.map, self.cursor, avatar="cursor"), width, height))
        lines = self._drawn[1]
        top = max(0, (height - len(lines)) // 2)
        i = y - top
        if not 0 <= i < len(lines):
            return Strip.blank(width)
        line = lines[i]
        length = Segment.get_line_length(line)
        left = max(0, (width - length) // 2)
        return Strip([Segment(" " * left), *line], left + length).crop(0, width)

    def action_move(self, dr: int, dc: int) -> None:
        rows, cols = self.map.shape
        r, c = self.cursor
        self.cursor = (min(max(r + dr, 0), rows - 1), min(max(c + dc, 0), cols - 1))
        self.refresh()

    def action_place(self, token: str) -> None:
        self.screen.change(self.map.with_cell(*self.cursor, token))  # type: ignore[attr-defined]

    def action_exit(self) -> None:
        self.screen.place_exit()  # type: ignore[attr-defined]

    def action_resize(self, d_rows: int, d_cols: int) -> None:
        rows, cols = self.map.shape
        if self.fixed_size:
            self.notify(
                f"The agent holds a row per state of this {rows}x{cols} world, so painting it live keeps "
                "its size (E edits a copy of any size).",
                severity="warning",
            )
            return
        new_rows, new_cols = rows + d_rows, cols + d_cols
        if not (1 <= new_rows <= MAX_SIDE and 1 <= new_cols <= MAX_SIDE) or new_rows * new_cols < 2:
            self.notify(f"A map has 1 to {MAX_SIDE} rows and columns (and two cells at least).")
            return
        cells = [list(row[:new_cols]) + [FLOOR] * (new_cols - cols) for row in self.map.cells[:new_rows]]
        cells += [[FLOOR] * new_cols for _ in range(new_rows - rows)]
        self.cursor = (min(self.cursor[0], new_rows - 1), min(self.cursor[1], new_cols - 1))
        self.screen.change(replace(self.map, cells=tuple(tuple(row) for row in cells)))  # type: ignore[attr-defined]


class MapEditorScreen(GuardedScreen):
    """Edit a map; ``p`` saves and plays it, ``ctrl+s`` saves, ``esc`` leaves."""

    BINDINGS = [
        Binding("p", "play", "Save & play", priority=False),
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "leave", "Leave"),
        Binding("question_mark", "help", "Help", key_display="?"),
    ]

    LIVE_SETTINGS = ("slip", "living_reward")
    """The settings painting live changes (γ is the agent's, the time limit the env's)."""

    def __init__(self, grid_map: GridMap, name: str, own_file: Path | None, live: bool = False) -> None:
        """Args:
        grid_map: the map to start from.
        name: the name it saves under (``saves/maps/NAME.txt``).
        own_file: the person's file this map came from (saving over it is saving the
            edits); None for a map that is not yet theirs.
        live: paint the world an agent is learning in: ``p`` hands back the map (of the same
            size) to play from the next episode, instead of saving it.
        """
        super().__init__()
        self.map = grid_map
        self.map_name = name
        self.own_file = own_file
        self.live = live
        self.saved_text: str | None = grid_map.to_text() if own_file is not None or live else None
        if live:  # p applies instead of saving; nothing is saved (the screen's tab keys stay)
            kept = [b for bs in self._bindings.key_to_bindings.values() for b in bs if b.action not in ("play", "save")]
            self._bindings = BindingsMap([Binding("p", "play", "Apply (next episode)"), *kept])

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            with Vertical(id="editor-stage"):
                yield MapCanvas(self.map, fixed_size=self.live)
                yield Static(id="editor-status")
            with Vertical(id="editor-side"):
                shown = not self.live  # painting live: no name, no γ or time limit
                yield Label("name (saves/maps/NAME.txt)").set_styles(display="block" if shown else "none")
                yield Input(self.map_name, id="map-name", classes="knob").set_styles(
                    display="block" if shown else "none"
                )
                for key, (meaning, _, _) in SETTINGS.items():
                    display = "block" if shown or key in self.LIVE_SETTINGS else "none"
                    yield Label(f"{key}: {meaning}").set_styles(display=display)
                    yield Input(field_text(getattr(self.map, key)), id=f"map-{key}", classes="knob").set_styles(
                        display=display
                    )
                yield Label("exit reward (g places an exit worth it)")
                yield Input("1", id="map-exit", classes="knob")
                yield Static(_LIVE_HELP if self.live else _HELP, id="editor-help")
        yield TooSmall()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#editor-stage").border_title = (
            f"Painting the live world: {self.map_name} (from the next episode)"
            if self.live
            else f"Map editor: {self.map_name}"
        )
        self.query_one("#editor-side").border_title = "Settings"
        self.query_one(MapCanvas).focus()
        self._status()

    # --- editing ------------------------------------------------------------------------------

    def change(self, grid_map: GridMap) -> None:
        canvas = self.query_one(MapCanvas)
        self.map = canvas.map = grid_map
        canvas.refresh()
        self._status()

    def place_exit(self) -> None:
        text = self.query_one("#map-exit", Input).value.strip()
        try:
            reward = float(text)
            if not -1e6 <= reward <= 1e6:
                raise ValueError
        except ValueError:
            self.notify(f"An exit's reward is a number from -1000000 to 1000000, not '{text[:20]}'.", severity="error")
            return
        token = f"{reward:g}"
        self.change(self.map.with_cell(*self.query_one(MapCanvas).cursor, token))

    def _status(self) -> None:
        r, c = self.query_one(MapCanvas).cursor
        rows, cols = self.map.shape
        problem = None
        try:
            self._checked()
        except MapError as exc:
            problem = str(exc)
        text = Text(f"{rows}x{cols}, cursor at row {r}, column {c}.  ", style=TEXT)
        if problem:
            text.append(f"Not playable yet: {problem}.", style=f"bold {BAD_SOFT}")
        elif self.live:
            text.append("Playable: p changes the world at the next episode; the agent keeps its values.", style=GOOD)
        else:
            text.append("Playable: p saves and plays it.", style=GOOD)
        self.query_one("#editor-status", Static).update(text)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "map-exit":
            self._status()

    def _checked(self) -> GridMap:
        """The map with the fields' settings, read back as its file would be.

        Raises:
            MapError: a malformed setting or map, in one sentence.
        """
        settings = [f"{key} = {self.query_one(f'#map-{key}', Input).value.strip()}" for key in SETTINGS]
        return replace(
            parse("\n".join([*settings, "", *self.map.grid_lines()]), name=self._typed_name()),
            description=self.map.description,
        )

    def _typed_name(self) -> str:
        name = self.query_one("#map-name", Input).value.strip()
        if not name or not set(name) <= NAME_CHARS or len(name) > 60:
            raise MapError("a map's name is 1 to 60 letters, digits, - or _")
        return name

    # --- saving and playing ---------------------------------------------------------------------

    def _save(self) -> Path | None:
        """Write the map to saves/maps/NAME.txt; None (said) when it cannot be."""
        from rltui.envs.catalog.maps import maps_dir
        from rltui.envs.gridmap import MAP_SUFFIX, write

        try:
            checked = self._checked()
        except MapError as exc:
            self.notify(f"Not saved: {exc}.", severity="error")
            return None
        target = maps_dir() / f"{checked.name}{MAP_SUFFIX}"
        if target.exists() and (self.own_file is None or target.resolve() != self.own_file.resolve()):
            self.notify(
                f"Not saved: a map named {checked.name} is already saved ({target}); give this one another name.",
                severity="error",
            )
            return None
        try:
            write(checked, target)
        except OSError as exc:
            self.notify(f"Not saved: {target} cannot be written ({exc.strerror or exc}).", severity="error")
            return None
        self.own_file = target
        self.saved_text = self.map.to_text()
        self.query_one("#editor-stage").border_title = f"Map editor: {checked.name}"
        self.notify(f"Saved {target}: rltui play --map {checked.name} opens it.")
        return target

    def action_save(self) -> None:
        self._save()

    def action_play(self) -> None:
        if self.live:
            try:
                checked = self._checked()
            except MapError as exc:
                self.notify(f"Not changed: {exc}.", severity="error")
                return
            self.dismiss(checked)
            return
        target = self._save()
        if target is not None:
            self.dismiss(target.stem)

    def action_leave(self) -> None:
        if self.saved_text != self.map.to_text() and not getattr(self, "_warned", False):
            self._warned = True
            self.notify(
                "The painting is not applied: p applies it at the next episode, esc again leaves."
                if self.live
                else "The map has changes that are not saved: ctrl+s saves, esc again leaves.",
                severity="warning",
            )
            return
        self.dismiss(None)

    def action_help(self) -> None:
        self.notify(_LIVE_HELP if self.live else _HELP, timeout=12)


_HELP = (
    "arrows move · . floor · # or w wall · s start · g exit (its reward above) · h hole · "
    "c cliff (-100, back to S) · ] [ columns · } { rows · tab to the fields and back · "
    "p save & play · ctrl+s save · esc leave"
)
_LIVE_HELP = (
    "arrows move · . floor · # or w wall · s start · g exit (its reward above) · h hole · "
    "c cliff · tab to the fields and back · p applies it at the next episode (the agent keeps "
    "its values) · esc leave"
)
