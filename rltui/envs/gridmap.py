"""Grid worlds built from a map: CS188's gridworld layouts, and the ones a person draws.

A map is a small text file::

    # BridgeGrid (Berkeley CS188): a narrow bridge over a chasm, between two exits
    slip = 0.2
    living_reward = 0
    gamma = 0.9
    max_steps = 100

    #     -100  -100  -100  -100  -100  #
    1     S     .     .     .     .     10
    #     -100  -100  -100  -100  -100  #

Settings are ``key = value`` lines; the grid is rows of cells separated by spaces:

* ``.`` floor; ``#`` wall; ``S`` the start (exactly one);
* a number: an exit: stepping onto it ends the episode with that reward (CS188's exits);
* ``H`` a hole: the episode ends there with nothing (FrozenLake's holes);
* ``C`` cliff: −100 and back to the start, the episode goes on (CliffWalking's cliff).

Every other move earns ``living_reward``. With probability ``slip`` a move goes to one of the
two sides instead, half each (CS188's noise; FrozenLake's slippery ice is 2/3). A move into
a wall or off the grid stays put. Actions: Up, Right, Down, Left.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from gymnasium import Env, spaces
from gymnasium.envs.toy_text.utils import categorical_sample

from rltui.fileio import UnreadableFile, read_limited, write_atomic

UP, RIGHT, DOWN, LEFT = 0, 1, 2, 3
ACTION_NAMES = ("Up", "Right", "Down", "Left")
_MOVES = {UP: (-1, 0), RIGHT: (0, 1), DOWN: (1, 0), LEFT: (0, -1)}
_MOVE_NAMES = {UP: "up", RIGHT: "right", DOWN: "down", LEFT: "left"}
_SIDES = {UP: (LEFT, RIGHT), DOWN: (LEFT, RIGHT), LEFT: (UP, DOWN), RIGHT: (UP, DOWN)}

FLOOR, WALL, START, HOLE, CLIFF = ".", "#", "S", "H", "C"
CLIFF_REWARD = -100.0
MAX_SIDE = 40
"""Rows and columns a map may have at most (it has to fit a terminal)."""
SETTINGS = {
    "slip": ("chance a move goes sideways", 0.0, 1.0),
    "living_reward": ("reward of every other move", -1000.0, 1000.0),
    "gamma": ("the agents' discount", 0.0, 1.0),
    "max_steps": ("steps before a cut", 1, 10_000),
}
MAP_SUFFIX = ".txt"
MAX_MAP_BYTES = 100_000
"""A map file's size at most: far more than a grid of :data:`MAX_SIDE` rows and columns needs."""


class MapError(ValueError):
    """A map that cannot be used; the message is one sentence."""


@dataclass(frozen=True)
class GridMap:
    """A grid world: its cells (tokens as in the file) and its settings."""

    cells: tuple[tuple[str, ...], ...]
    slip: float = 0.0
    living_reward: float = 0.0
    gamma: float = 0.9
    max_steps: int = 100
    name: str = "map"
    description: str = ""
    """The file's first comment line."""

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.cells), len(self.cells[0])

    @property
    def start(self) -> tuple[int, int]:
        for r, row in enumerate(self.cells):
            for c, token in enumerate(row):
                if token == START:
                    return r, c
        raise MapError("the map has no start")

    def exit_reward(self, r: int, c: int) -> float | None:
        """The reward of the exit at (r, c), or None if it is not one."""
        token = self.cells[r][c]
        try:
            return float(token)
        except ValueError:
            return None

    def with_cell(self, r: int, c: int, token: str) -> GridMap:
        """A copy with cell (r, c) set to ``token`` (a new start moves the old one's place to floor)."""
        rows = [list(row) for row in self.cells]
        if token == START:
            rows = [[FLOOR if t == START else t for t in row] for row in rows]
        rows[r][c] = token
        return replace(self, cells=tuple(tuple(row) for row in rows))

    def to_text(self) -> str:
        """The map as its file holds it (:func:`parse` reads it back to an equal map)."""
        about = self.description or self.name
        if all(_is_cell(t) for t in f"# {about}".split()):
            about = f"map: {about}"  # or it would read back as a row of the grid
        lines = [f"# {about}"]
        lines += [f"{key} = {_number(getattr(self, key))}" for key in SETTINGS]
        lines += ["", *self.grid_lines()]
        return "\n".join(lines) + "\n"

    def grid_lines(self) -> list[str]:
        """The grid as the file writes it: a row per line, the cells in aligned columns."""
        width = max(len(t) for row in self.cells for t in row) + 2
        return ["".join(t.ljust(width) for t in row).rstrip() for row in self.cells]


def _number(x: float | int) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def parse(text: str, name: str = "map") -> GridMap:
    """The map a file's text describes.

    Raises:
        MapError: anything malformed, as one sentence naming the line.
    """
    settings: dict[str, Any] = {}
    rows: list[tuple[str, ...]] = []
    description = ""
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#") and not all(_is_cell(t) for t in line.split()):
            # A comment (a row of cells that starts with a wall is not one); the first says
            # what the map is.
            if not description and not rows:
                description = line[1:].strip()
            continue
        if "=" in line:
            key, _, value = (part.strip() for part in line.partition("="))
            if rows:
                raise MapError(f"line {n}: settings go before the grid")
            try:
                settings[key] = setting_value(key, value)
            except MapError as exc:
                raise MapError(f"line {n}: {exc}") from None
            continue
        tokens = tuple(line.split())
        for token in tokens:
            if not _is_cell(token):
                raise MapError(f"line {n}: '{token[:20]}' is not a cell; use . # S H C or a number (an exit's reward)")
        if rows and len(tokens) != len(rows[0]):
            raise MapError(f"line {n}: this row has {len(tokens)} cells, the first has {len(rows[0])}")
        rows.append(tokens)
    if not rows:
        raise MapError("the map has no grid")
    if len(rows) > MAX_SIDE or len(rows[0]) > MAX_SIDE:
        raise MapError(f"the map is {len(rows)}x{len(rows[0])}; at most {MAX_SIDE}x{MAX_SIDE} fits a terminal")
    starts = sum(t == START for row in rows for t in row)
    if starts != 1:
        raise MapError(f"the map needs exactly one start S, not {starts}")
    if not any(_is_reward(t) or t == HOLE for row in rows for t in row):
        raise MapError("the map has no exit (a number) or hole, so no episode could end")
    return GridMap(cells=tuple(rows), name=name, description=description, **settings)


def setting_value(key: str, value: str) -> float | int:
    """A setting's value from its text, checked as a map file's line is.

    Raises:
        MapError: not a setting, not a number, not finite or out of its range (one sentence).
    """
    if key not in SETTINGS:
        raise MapError(f"unknown setting '{key[:30]}'; the settings are " + ", ".join(SETTINGS) + ".")
    _, low, high = SETTINGS[key]
    value = value.strip()
    try:
        number = int(value) if isinstance(low, int) else float(value)
    except ValueError:
        raise MapError(f"{key} needs a {'whole ' if isinstance(low, int) else ''}number, not '{value[:20]}'") from None
    if isinstance(number, float) and not math.isfinite(number):
        raise MapError(f"{key} must be a finite number, not {value[:20]}")
    if not low <= number <= high:
        raise MapError(f"{key} must be from {low} to {high}, not {value[:20]}")
    return number


def parse_settings(pairs: list[str]) -> dict[str, float | int]:
    """``KEY=VALUE`` texts (``--set-map slip=0.2 living_reward=-0.04``) as map settings.

    Raises:
        MapError: a text without ``=``, a setting given twice, or a bad key or value (one
            sentence, without a full stop: the caller ends it).
    """
    out: dict[str, float | int] = {}
    for pair in pairs:
        key, eq, value = (part.strip() for part in pair.partition("="))
        if not eq or not key:
            raise MapError(f"a map setting is KEY=VALUE (slip=0.2), not '{pair[:30]}'")
        if key in out:
            raise MapError(f"{key[:30]} is set twice")
        out[key] = setting_value(key, value)
    return out


def _is_cell(token: str) -> bool:
    return token in (FLOOR, WALL, START, HOLE, CLIFF) or _is_reward(token)


def _is_reward(token: str) -> bool:
    try:
        return math.isfinite(float(token)) and abs(float(token)) <= 1e6
    except ValueError:
        return False


def read(path: str | Path) -> GridMap:
    """The map in file ``path``.

    Raises:
        MapError: the file cannot be read or is malformed (one sentence naming the file).
    """
    p = Path(path)
    try:
        text = read_limited(p, MAX_MAP_BYTES, "a map").decode("utf-8")
    except UnreadableFile as exc:  # too big, or not a regular file (a FIFO would block for ever)
        raise MapError(str(exc).rstrip(".")) from None
    except UnicodeDecodeError:
        raise MapError(f"{p} is not a text file, so not a map") from None
    except OSError as exc:
        raise MapError(f"{p} cannot be read: {exc.strerror or exc}") from None
    try:
        return parse(text, name=p.stem)
    except MapError as exc:
        raise MapError(f"{p}: {exc}") from None


def write(grid_map: GridMap, path: str | Path) -> Path:
    """Save ``grid_map`` to ``path`` whole or not at all (:func:`rltui.fileio.write_atomic`)."""
    p = Path(path)
    write_atomic(p, grid_map.to_text().encode("utf-8"))
    return p


BUNDLED = Path(__file__).parent / "maps"
"""CS188's classic layouts, shipped with rltui."""


class GridMapEnv(Env):
    """A grid world from a :class:`GridMap` (a toy-text env: a transition table ``P``, the
    state ``s`` = row × columns + column)."""

    metadata = {"render_modes": ["ansi"], "render_fps": 4}

    def __init__(self, grid_map: GridMap, render_mode: str | None = None) -> None:
        self.map = grid_map
        self.render_mode = render_mode
        rows, cols = grid_map.shape
        self.nrow, self.ncol = rows, cols
        n = rows * cols
        self.observation_space = spaces.Discrete(n)
        self.action_space = spaces.Discrete(4)
        start = grid_map.start
        self.start_state = start[0] * cols + start[1]
        self.initial_state_distrib = np.zeros(n)
        self.initial_state_distrib[self.start_state] = 1.0
        self.P = self._model()
        self.s = self.start_state
        self.lastaction: int | None = None

    def remap(self, grid_map: GridMap) -> None:
        """Play ``grid_map`` from the next reset on: its cells, slip and living reward, its
        model ``P`` made again (a planner re-plans from it). The state count stays: an agent's
        arrays hold a row per state.

        Raises:
            MapError: ``grid_map`` is of another size (one sentence).
        """
        if grid_map.shape != self.map.shape:
            (rows, cols), (new_rows, new_cols) = self.map.shape, grid_map.shape
            raise MapError(
                f"this world is {rows}x{cols} and the agent holds a row per state, so a live change "
                f"keeps that size, not {new_rows}x{new_cols}"
            )
        start = grid_map.start  # (checked before anything is changed)
        self.map = grid_map
        self.start_state = start[0] * self.ncol + start[1]
        self.initial_state_distrib = np.zeros(self.nrow * self.ncol)
        self.initial_state_distrib[self.start_state] = 1.0
        self.P = self._model()

    def _landing(self, r: int, c: int, action: int) -> tuple[int, int]:
        dr, dc = _MOVES[action]
        r2, c2 = r + dr, c + dc
        rows, cols = self.map.shape
        if not (0 <= r2 < rows and 0 <= c2 < cols) or self.map.cells[r2][c2] == WALL:
            return r, c
        return r2, c2

    def _model(self) -> dict[int, dict[int, list[tuple[float, int, float, bool]]]]:
        m = self.map
        rows, cols = m.shape
        P: dict[int, dict[int, list[tuple[float, int, float, bool]]]] = {}
        for r in range(rows):
            for c in range(cols):
                s = r * cols + c
                token = m.cells[r][c]
                ends_here = token == HOLE or m.exit_reward(r, c) is not None
                P[s] = {}
                for a in range(4):
                    if token == WALL or ends_here:
                        P[s][a] = [(1.0, s, 0.0, True)]  # never reached, or the episode is over
                        continue
                    outcomes: dict[tuple[int, float, bool], float] = {}
                    choices = [(a, 1.0 - m.slip)] + [(side, m.slip / 2) for side in _SIDES[a]]
                    for move, p in choices:
                        if p <= 0:
                            continue
                        r2, c2 = self._landing(r, c, move)
                        key = self._arrive(r2, c2)
                        outcomes[key] = outcomes.get(key, 0.0) + p
                    P[s][a] = [(p, s2, reward, done) for (s2, reward, done), p in outcomes.items()]
        return P

    def slip_of(self, s: int, action: int, s2: int) -> str | None:
        """Where a move from state ``s`` went when it was not where it was aimed: ``"slipped
        up"``; None when it went as aimed (or no slip could have taken it to ``s2``)."""
        r, c = divmod(int(s), self.ncol)
        if self._arrive(*self._landing(r, c, int(action)))[0] == int(s2):
            return None
        for side in _SIDES[int(action)]:
            if self._arrive(*self._landing(r, c, side))[0] == int(s2):
                return f"slipped {_MOVE_NAMES[side]}"
        return None

    def _arrive(self, r: int, c: int) -> tuple[int, float, bool]:
        """(next state, reward, terminated) of arriving at (r, c)."""
        m = self.map
        token = m.cells[r][c]
        exit_reward = m.exit_reward(r, c)
        if exit_reward is not None:
            return r * self.ncol + c, exit_reward, True
        if token == HOLE:
            return r * self.ncol + c, float(m.living_reward), True
        if token == CLIFF:
            return self.start_state, CLIFF_REWARD, False
        return r * self.ncol + c, float(m.living_reward), False

    def step(self, action: int) -> tuple[int, float, bool, bool, dict[str, Any]]:
        transitions = self.P[self.s][int(action)]
        i = categorical_sample([t[0] for t in transitions], self.np_random)
        p, s, reward, terminated = transitions[i]
        self.s = s
        self.lastaction = int(action)
        return int(s), float(reward), bool(terminated), False, {"prob": p}

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
        super().reset(seed=seed)
        self.s = self.start_state
        self.lastaction = None
        return int(self.s), {"prob": 1.0}

    def render(self) -> str | None:
        if self.render_mode != "ansi":
            return None
        r, c = divmod(self.s, self.ncol)
        rows = [list(row) for row in self.map.cells]
        rows[r][c] = "@"
        return "\n".join(" ".join(t.rjust(4) for t in row) for row in rows) + "\n"
