"""PortalRescue-v0: rltui's own grid world, the "videogame" example of the RL talk."""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import Env, spaces
from gymnasium.envs.toy_text.utils import categorical_sample

UP = 0
DOWN = 1
RIGHT = 2
LEFT = 3
PICKUP = 4
PORTAL = 5

ACTION_NAMES = ("Up", "Down", "Right", "Left", "Pickup", "Portal")

#: ``#`` wall, ``F`` a place the friend may wait, ``S`` the signal, ``.`` floor.
MAP = (
    "F..#..F",
    "...#...",
    ".......",
    ".##..#.",
    "F..S..F",
)

STEP_REWARD = -1.0
ILLEGAL_REWARD = -10.0
WIN_REWARD = 20.0

_MOVES = {UP: (-1, 0), DOWN: (1, 0), RIGHT: (0, 1), LEFT: (0, -1)}


class PortalRescueEnv(Env):
    """Rescue a friend and fire the portal gun at the signal to escape.

    ## Description
    A walled grid. The agent starts at a random free cell; its friend waits at
    one of the four ``F`` cells. The agent walks to the friend, picks them up,
    walks to the signal ``S`` and fires the portal gun.

    ## Action space
    ``Discrete(6)``: 0 up, 1 down, 2 right, 3 left, 4 pickup, 5 fire the portal gun.

    ## Observation space
    ``Discrete(rows * cols * 5)``: ``encode(row, col, friend)`` where ``friend``
    is the index of the ``F`` cell the friend waits at (0-3) or 4 once aboard.
    Cells that are walls encode unreachable states, as Taxi's do.

    ## Rewards
    -1 per step; picking up where the friend is not (or when they are already
    aboard) -10; firing the portal with the friend aboard at the signal +20;
    firing it anywhere else -10.

    ## Episode end
    Terminates when the portal gun fires (a win or a loss). Registered with a
    200-step time limit.

    ## Model
    ``P[s][a]`` is a list of ``(probability, next_state, reward, terminated)``
    like Gymnasium's toy-text environments; every transition is deterministic.
    """

    metadata = {"render_modes": ["ansi"], "render_fps": 4}

    def __init__(self, render_mode: str | None = None) -> None:
        self.desc = np.asarray([list(row) for row in MAP], dtype="<U1")
        self.rows, self.cols = self.desc.shape
        self.friend_locs = [(r, c) for r in range(self.rows) for c in range(self.cols) if self.desc[r, c] == "F"]
        signal = np.argwhere(self.desc == "S")[0]
        self.signal = (int(signal[0]), int(signal[1]))
        self.aboard = len(self.friend_locs)
        n_states = self.rows * self.cols * (len(self.friend_locs) + 1)

        self.observation_space = spaces.Discrete(n_states)
        self.action_space = spaces.Discrete(len(ACTION_NAMES))
        self.render_mode = render_mode

        self.initial_state_distrib = np.zeros(n_states)
        self.P: dict[int, dict[int, list[tuple[float, int, float, bool]]]] = {}
        for row in range(self.rows):
            for col in range(self.cols):
                for friend in range(len(self.friend_locs) + 1):
                    s = self.encode(row, col, friend)
                    self.P[s] = {a: [self._transition(row, col, friend, a)] for a in range(6)}
                    if self.is_free(row, col) and friend != self.aboard:
                        self.initial_state_distrib[s] += 1.0
        self.initial_state_distrib /= self.initial_state_distrib.sum()
        self.s = 0
        self.lastaction: int | None = None

    def is_free(self, row: int, col: int) -> bool:
        """Whether (row, col) is inside the grid and not a wall."""
        return 0 <= row < self.rows and 0 <= col < self.cols and self.desc[row, col] != "#"

    def encode(self, row: int, col: int, friend: int) -> int:
        """Pack (row, col, friend) into one state index."""
        return (row * self.cols + col) * (len(self.friend_locs) + 1) + friend

    def decode(self, s: int) -> tuple[int, int, int]:
        """Unpack a state index into (row, col, friend)."""
        cell, friend = divmod(int(s), len(self.friend_locs) + 1)
        row, col = divmod(cell, self.cols)
        return row, col, friend

    def _transition(self, row: int, col: int, friend: int, a: int) -> tuple[float, int, float, bool]:
        reward, terminated = STEP_REWARD, False
        if a in _MOVES:
            dr, dc = _MOVES[a]
            if self.is_free(row + dr, col + dc):
                row, col = row + dr, col + dc
        elif a == PICKUP:
            if friend != self.aboard and self.friend_locs[friend] == (row, col):
                friend = self.aboard
            else:
                reward = ILLEGAL_REWARD
        elif a == PORTAL:
            terminated = True
            won = friend == self.aboard and (row, col) == self.signal
            reward = WIN_REWARD if won else ILLEGAL_REWARD
        return 1.0, self.encode(row, col, friend), reward, terminated

    def step(self, a: int) -> tuple[int, float, bool, bool, dict[str, Any]]:
        transitions = self.P[self.s][int(a)]
        i = categorical_sample([t[0] for t in transitions], self.np_random)
        p, s, r, terminated = transitions[i]
        self.s = s
        self.lastaction = int(a)
        return int(s), r, terminated, False, {"prob": p}

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[int, dict[str, Any]]:
        super().reset(seed=seed)
        self.s = int(categorical_sample(self.initial_state_distrib, self.np_random))
        self.lastaction = None
        return self.s, {"prob": 1.0}

    def render(self) -> str | None:
        if self.render_mode != "ansi":
            return None
        row, col, friend = self.decode(self.s)
        lines = []
        for r in range(self.rows):
            cells = []
            for c in range(self.cols):
                ch = self.desc[r, c]
                if ch == "F":
                    ch = "F" if friend != self.aboard and self.friend_locs[friend] == (r, c) else "."
                if (r, c) == (row, col):
                    ch = "@" if friend == self.aboard else "a"
                cells.append(ch)
            lines.append("#" + "".join(cells) + "#")
        border = "#" * (self.cols + 2)
        text = "\n".join([border, *lines, border]) + "\n"
        if self.lastaction is not None:
            text += f"  ({ACTION_NAMES[self.lastaction]})\n"
        return text
