"""What an environment looks like right now, as plain data the UI draws.

A grid world becomes a :class:`GridScene` (cells with a glyph and a kind; the
UI maps kinds to colours), Blackjack a :class:`CardsScene`. Pixel envs hand
over their ``rgb_array`` frame and others their ``ansi`` text unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rltui.envs import adapters

CURSOR_GLYPH = "◌"
"""The map editor's cursor on a cell that shows nothing (floor): a mark no cell uses."""
NO_VALUE_KINDS = frozenset({"hole", "goal", "cliff", "wall_cell", "exit_bad"})


@dataclass(frozen=True, slots=True)
class Cell:
    glyph: str
    """One character drawn in the middle of the cell (space for none)."""
    kind: str
    """What the cell is: floor, wall, ice, hole, goal, start, cliff, signal, spot ..."""

    @property
    def has_value(self) -> bool:
        """Whether the agent acts from this cell, so the value map has a V(s) and an action
        for it; a hole, the goal or the cliff ends or undoes a move, and is drawn as itself."""
        return self.kind not in NO_VALUE_KINDS


@dataclass(frozen=True)
class GridScene:
    """A grid world at one moment."""

    cells: tuple[tuple[Cell, ...], ...]
    agent: tuple[int, int]
    avatar: str = "agent"
    """``agent`` or ``agent_loaded`` (carrying the passenger / friend)."""
    east_walls: frozenset[tuple[int, int]] = frozenset()
    """Cells with a wall on their east side (Taxi's fences)."""
    caption: str = ""
    legend: tuple[tuple[str, str, str], ...] = ()
    """(glyph, kind, meaning) for the key under the grid."""

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.cells), len(self.cells[0])


@dataclass(frozen=True)
class CardsScene:
    """A Blackjack hand at one moment."""

    player: tuple[int, ...]
    dealer: tuple[int, ...]
    reveal_dealer: bool
    player_sum: int
    dealer_showing: int
    usable_ace: bool
    dealer_sum: int | None = None
    outcome: str = ""


def card_sum(cards: tuple[int, ...] | list[int]) -> int:
    """Blackjack hand value, counting one ace as 11 when that does not bust."""
    total = sum(cards)
    return total + 10 if 1 in cards and total + 10 <= 21 else total


# --- grid worlds -----------------------------------------------------------

_TAXI_LETTERS = "RGYB"


def taxi_scene(env: Any, done: bool = False) -> GridScene:
    row, col, passenger, destination = adapters.taxi_decode(env, adapters.toy_state(env))
    size = adapters.TAXI_SIZE
    stands = adapters.taxi_stands(env)
    grid = [[Cell(" ", "floor") for _ in range(size)] for _ in range(size)]
    for i, (r, c) in enumerate(stands):
        grid[r][c] = Cell(_TAXI_LETTERS[i], "stand")
    dr, dc = stands[destination]
    grid[dr][dc] = Cell(_TAXI_LETTERS[destination], "destination")
    if passenger < 4:
        pr, pc = stands[passenger]
        grid[pr][pc] = Cell(_TAXI_LETTERS[passenger], "passenger")
    walls = adapters.taxi_east_walls(env)
    goal = _TAXI_LETTERS[destination]
    if passenger == destination:  # dropped off where they wanted to go: the episode is over
        caption = f"Passenger delivered to {goal}."
        grid[dr][dc] = Cell(goal, "passenger")
    elif passenger == 4:
        caption = f"Passenger in the taxi; destination {goal}."
    else:
        caption = f"Passenger waiting at {_TAXI_LETTERS[passenger]}; destination {goal}."
    legend: tuple[tuple[str, str, str], ...] = (("▣", "agent", "taxi"),)
    if passenger < 4 and passenger != destination:
        legend += ((_TAXI_LETTERS[passenger], "passenger", "passenger"),)
    legend += ((goal, "passenger" if passenger == destination else "destination", "destination"), ("┃", "wall", "wall"))
    return GridScene(
        cells=_freeze(grid),
        agent=(row, col),
        avatar="agent_loaded" if passenger == 4 else "agent",
        east_walls=walls,
        caption=caption,
        legend=legend,
    )


_LAKE_KINDS = {"S": ("S", "start"), "F": (" ", "ice"), "H": ("○", "hole"), "G": ("★", "goal")}


def frozen_lake_scene(env: Any, done: bool = False) -> GridScene:
    rows = adapters.lake_rows(env)
    grid = [[Cell(*_LAKE_KINDS[ch]) for ch in row] for row in rows]
    row, col = divmod(adapters.toy_state(env), len(rows[0]))
    return GridScene(
        cells=_freeze(grid),
        agent=(row, col),
        caption="Slippery: a move may slide sideways." if adapters.stochastic(env) else "",
        legend=(("☺", "agent", "you"), ("○", "hole", "hole"), ("★", "goal", "goal")),
    )


_LAKE_MOVES = {0: (0, -1), 1: (1, 0), 2: (0, 1), 3: (-1, 0)}  # Left, Down, Right, Up
_LAKE_NAMES = {(0, -1): "left", (1, 0): "down", (0, 1): "right", (-1, 0): "up"}


def lake_slide(env: Any, obs: int, action: int, next_obs: int) -> str | None:
    """Where the ice took you when it was not where you aimed: ``"slid right"``, ``"stayed
    put"``; None when the move went as aimed (a wall included)."""
    rows = adapters.lake_rows(env)
    ncol, nrow = len(rows[0]), len(rows)
    (r, c), (r2, c2) = divmod(int(obs), ncol), divmod(int(next_obs), ncol)
    dr, dc = _LAKE_MOVES[int(action)]
    aimed = (min(max(r + dr, 0), nrow - 1), min(max(c + dc, 0), ncol - 1))
    if (r2, c2) == aimed:
        return None
    if (r2, c2) == (r, c):
        return "stayed put on the ice"
    return f"slid {_LAKE_NAMES[(r2 - r, c2 - c)]} on the ice"


def map_slip(env: Any, obs: int, action: int, next_obs: int) -> str | None:
    """Where a map's slippery move went when it was not where you aimed (``"slipped up"``)."""
    return env.unwrapped.slip_of(obs, action, next_obs)


def cliff_scene(env: Any, done: bool = False) -> GridScene:
    cliff = adapters.cliff_mask(env)
    rows, cols = cliff.shape
    grid = [[Cell(" ", "cliff" if cliff[r, c] else "floor") for c in range(cols)] for r in range(rows)]
    grid[rows - 1][0] = Cell("S", "start")
    grid[rows - 1][cols - 1] = Cell("★", "goal")
    row, col = divmod(adapters.toy_state(env), cols)
    return GridScene(
        cells=_freeze(grid),
        agent=(row, col),
        legend=(("☺", "agent", "you"), (" ", "cliff", "cliff (-100)"), ("★", "goal", "goal")),
    )


def portal_rescue_scene(env: Any, done: bool = False) -> GridScene:
    u = env.unwrapped  # rltui's own env: its attributes are ours to read
    row, col, friend = u.decode(u.s)
    grid = []
    for r in range(u.rows):
        line = []
        for c in range(u.cols):
            ch = str(u.desc[r, c])
            if ch == "#":
                line.append(Cell(" ", "wall_cell"))
            elif ch == "S":
                line.append(Cell("◎", "signal"))
            elif ch == "F" and friend != u.aboard and u.friend_locs[friend] == (r, c):
                line.append(Cell("☻", "friend"))
            elif ch == "F":
                line.append(Cell("·", "spot"))
            else:
                line.append(Cell(" ", "floor"))
        grid.append(line)
    aboard = friend == u.aboard
    return GridScene(
        cells=_freeze(grid),
        agent=(row, col),
        avatar="agent_loaded" if aboard else "agent",
        caption="Friend aboard: fire the portal at the signal!" if aboard else "Find your friend.",
        legend=(
            ("☺", "agent", "you"),
            ("☻", "friend", "friend"),
            ("·", "spot", "where a friend may be"),
            ("◎", "signal", "signal"),
            (" ", "wall_cell", "wall"),
        ),
    )


def _freeze(grid: list[list[Cell]]) -> tuple[tuple[Cell, ...], ...]:
    return tuple(tuple(row) for row in grid)


# --- cards -------------------------------------------------------------------


def blackjack_scene(env: Any, done: bool = False) -> CardsScene:
    player, dealer = adapters.blackjack_hands(env)
    usable = 1 in player and sum(player) + 10 <= 21
    outcome = ""
    if done:
        ps, ds = card_sum(player), card_sum(dealer)
        if ps > 21:
            outcome = "Bust: you lose."
        elif ds > 21 or ps > ds:
            outcome = "You win."
        elif ps == ds:
            outcome = "Push: a draw."
        else:
            outcome = "Dealer wins."
    return CardsScene(
        player=player,
        dealer=dealer,
        reveal_dealer=done,
        player_sum=card_sum(player),
        dealer_showing=dealer[0],
        usable_ace=usable,
        dealer_sum=card_sum(dealer) if done else None,
        outcome=outcome,
    )


@dataclass
class PixelFrame:
    """An ``rgb_array`` frame, (height, width, 3) uint8."""

    pixels: np.ndarray = field(repr=False)


@dataclass
class TextFrame:
    """An env's own ``ansi`` rendering."""

    text: str


def grid_map_scene(env: Any, done: bool = False) -> GridScene:
    """A grid world from a map, the agent where it stands."""
    u = env.unwrapped
    return scene_of_map(u.map, divmod(int(u.s), u.ncol))


def scene_of_map(m: Any, at: tuple[int, int], avatar: str = "agent") -> GridScene:
    """A map (:class:`rltui.envs.gridmap.GridMap`) as a scene: walls, the start, exits with
    their rewards (good ones green, bad ones red), holes and the cliff; ``avatar`` at ``at``
    (the agent, or the map editor's cursor)."""
    from rltui.envs.gridmap import CLIFF, HOLE, START, WALL

    exits = [m.exit_reward(r, c) for r in range(len(m.cells)) for c in range(len(m.cells[0]))]
    best = max((x for x in exits if x is not None), default=0.0)
    grid = []
    for r, row in enumerate(m.cells):
        cells = []
        for c, token in enumerate(row):
            reward = m.exit_reward(r, c)
            if reward is not None:
                good = reward > 0 or reward == best  # (CliffWalking's only exit is worth -1)
                cells.append(Cell(f"{reward:+g}", "goal" if good else "exit_bad"))
            else:
                cells.append(
                    {
                        WALL: Cell(" ", "wall_cell"),
                        START: Cell("S", "start"),
                        HOLE: Cell("○", "hole"),
                        CLIFF: Cell(" ", "cliff"),
                    }.get(token, Cell(" ", "floor"))
                )
        grid.append(cells)
    # One entry for the exits, good (green) and bad (red) alike: the reward is written in each.
    bad = any(x is not None and x <= 0 and x != best for x in exits)
    you = (CURSOR_GLYPH, "cursor", "cursor") if avatar == "cursor" else ("☺", "agent", "you")
    legend = [you, ("±" if bad else "+", "goal", "exit: its reward, the end")]
    tokens = {t for row in m.cells for t in row}
    if HOLE in tokens:
        legend.append(("○", "hole", "hole"))
    if CLIFF in tokens:
        legend.append((" ", "cliff", "cliff (-100, back to S)"))
    return GridScene(
        cells=_freeze(grid),
        agent=at,
        avatar=avatar,
        caption=f"slip {m.slip:g} · living reward {m.living_reward:g} · γ {m.gamma:g}",
        legend=tuple(legend),
    )
