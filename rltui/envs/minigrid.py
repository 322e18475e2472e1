"""MiniGrid (Farama's ``minigrid`` package) in rltui: its scene, what agents see, and
putting an env back for the timeline.

An agent sees one of two observations of the same world (:class:`MiniGridObservation`):

- ``state`` (tabular kinds, and a person's session until a network agent comes in): a
  compact symbolic state, a tuple of small whole numbers: the agent's column, row and
  direction, what it carries, and of the first door, key and goal what can change: the
  door's state, and the cells of those that move between layouts (found by looking at a
  few). The layout's random parts (DoorKey's wall and door, FourRooms' goal) are in it, so
  a tabular agent never confuses two layouts, and nothing constant makes its table bigger.
- ``view`` (network kinds): MiniGrid's own observation, the agent's partial view (the 7x7
  cells ahead of it, each an object, a colour and a state, as MiniGrid encodes them)
  flattened, then its direction. It is what a network learns from in MiniGrid's papers, and
  it does not give away where the agent stands.
"""

from __future__ import annotations

import copy
from typing import Any

import gymnasium as gym
import numpy as np

from rltui.envs.catalog.entry import STATE, VIEW
from rltui.envs.scenes import Cell, GridScene

OBJECTS = ("key", "ball", "box")
CARRIED = 1 + len(OBJECTS)
"""Nothing, a key, a ball or a box."""
DOOR_STATES = 3
"""Open, closed, locked."""
ARROWS = ("east", "south", "west", "north")
"""MiniGrid's directions 0-3, as the avatars that draw them."""
GLYPHS = {"key": "k", "ball": "o", "box": "□", "goal": "★", "lava": "≈"}
PROBES = 16
"""Layouts looked at (seeds 0-15) to learn which parts of a world vary."""


def is_minigrid(env: Any) -> bool:
    u = env.unwrapped
    return hasattr(u, "grid") and hasattr(u, "agent_dir") and hasattr(u, "agent_pos")


_FIRSTS = ("door", "key", "goal")


def _firsts(u: Any) -> dict[str, tuple[tuple[int, int], Any]]:
    """kind -> (cell, object) of the first door, key and goal inside the walls, in one pass
    over the grid (this runs on every step)."""
    found: dict[str, tuple[tuple[int, int], Any]] = {}
    for y in range(1, u.height - 1):
        for x in range(1, u.width - 1):
            obj = u.grid.get(x, y)
            if obj is not None and obj.type in _FIRSTS and obj.type not in found:
                found[obj.type] = ((x, y), obj)
    return found


def _inside(u: Any, cell: tuple[int, int] | None) -> int:
    """A cell inside the outer wall as 0 .. (w-2)(h-2)-1; nowhere (carried, gone) as the next."""
    if cell is None:
        return (u.width - 2) * (u.height - 2)
    return (cell[1] - 1) * (u.width - 2) + (cell[0] - 1)


def features_of(u: Any) -> tuple[str, ...]:
    """Which parts the state holds, beyond the agent's cell, direction and what it carries:
    the first door's state (if the world has a door) and cell (if it moves between layouts),
    the first key's cell and the goal's cell (if they move)."""
    probe = copy.deepcopy(u)
    seen: dict[str, set[Any]] = {kind: set() for kind in _FIRSTS}
    for seed in range(PROBES):
        probe.reset(seed=seed)
        firsts = _firsts(probe)
        for kind in seen:
            seen[kind].add(firsts.get(kind, (None, None))[0])
    out = []
    if seen["door"] != {None}:
        out.append("door_state")
        if len(seen["door"]) > 1:
            out.append("door_at")
    for kind in ("key", "goal"):
        if len(seen[kind]) > 1:
            out.append(f"{kind}_at")
    return tuple(out)


def symbolic(u: Any, features: tuple[str, ...]) -> tuple[int, ...]:
    """The state agents see (see the module's note): the agent's cell inside the walls, its
    direction, what it carries, then ``features``."""
    carried = 0 if u.carrying is None or u.carrying.type not in OBJECTS else 1 + OBJECTS.index(u.carrying.type)
    x, y = (int(v) for v in u.agent_pos)
    state = [x - 1, y - 1, int(u.agent_dir), carried]
    firsts = _firsts(u) if features else {}
    door_cell, door = firsts.get("door", (None, None))
    for feature in features:
        if feature == "door_state":
            state.append(0 if door is None or door.is_open else 2 if door.is_locked else 1)
        elif feature == "door_at":
            state.append(_inside(u, door_cell))
        else:
            state.append(_inside(u, firsts.get(feature.removesuffix("_at"), (None, None))[0]))
    return tuple(state)


def symbolic_space(u: Any, features: tuple[str, ...]) -> gym.spaces.Tuple:
    cells = (u.width - 2) * (u.height - 2) + 1
    sizes = [u.width - 2, u.height - 2, 4, CARRIED] + [DOOR_STATES if f == "door_state" else cells for f in features]
    return gym.spaces.Tuple(tuple(gym.spaces.Discrete(n) for n in sizes))


VIEWS = (STATE, VIEW)


def view_space(u: Any) -> gym.spaces.Box:
    """The flattened partial view: per cell (row by row) its object, colour and state, then
    the agent's direction, each bounded by how many values MiniGrid gives it."""
    from minigrid.core.constants import COLOR_TO_IDX, OBJECT_TO_IDX, STATE_TO_IDX

    cells = u.agent_view_size * u.agent_view_size
    high = np.array(
        [len(OBJECT_TO_IDX) - 1, len(COLOR_TO_IDX) - 1, len(STATE_TO_IDX) - 1] * cells + [3], dtype=np.uint8
    )
    return gym.spaces.Box(np.zeros_like(high), high, dtype=np.uint8)


def partial_view(u: Any, given: Any = None) -> np.ndarray:
    """The ``view`` observation: from MiniGrid's own observation ``given`` (a step's or a
    reset's), else made from the env as it is now."""
    if not isinstance(given, dict) or "image" not in given:
        given = u.gen_obs()
    return np.append(np.asarray(given["image"], dtype=np.uint8).reshape(-1), np.uint8(given["direction"]))


class MiniGridObservation(gym.ObservationWrapper):
    """MiniGrid's observation (the partial view image, the direction and the mission) as an
    agent sees it: :func:`symbolic` (``state``) or :func:`partial_view` (``view``); see the
    module's note. :meth:`use` changes which, in place (a network agent joining a person's
    session)."""

    _FEATURES: dict[str, tuple[str, ...]] = {}
    """Features per env id, found once (evaluations make a fresh env each time)."""

    def __init__(self, env: gym.Env, view: str = STATE) -> None:
        super().__init__(env)
        if env.spec is None:
            self.features = features_of(env.unwrapped)
        else:
            key = repr(env.spec)
            if key not in self._FEATURES:
                self._FEATURES[key] = features_of(env.unwrapped)
            self.features = self._FEATURES[key]
        self.use(view)

    def use(self, view: str) -> None:
        """See the world as ``view`` (``state`` or ``view``) from now on."""
        if view not in VIEWS:
            raise ValueError(f"a MiniGrid observation is one of {', '.join(VIEWS)}, not {view!r}")
        self.view = view
        u = self.env.unwrapped
        self.observation_space = symbolic_space(u, self.features) if view == STATE else view_space(u)

    def observation(self, observation: Any) -> Any:
        """What the agent sees now (``observation``: MiniGrid's own, None to make it afresh)."""
        u = self.env.unwrapped
        return symbolic(u, self.features) if self.view == STATE else partial_view(u, observation)


def scene(env: Any, done: bool = False) -> GridScene:
    """The grid as cells: walls, doors (open, closed, locked) in their colour, keys, balls,
    boxes, lava, the goal; the agent as an arrow; cells outside its view shaded."""
    u = env.unwrapped
    rows = []
    for y in range(u.height):
        row = []
        for x in range(u.width):
            obj = u.grid.get(x, y)
            seen = bool(u.in_view(x, y))
            shade = "" if seen else ":dim"
            if obj is None:
                row.append(Cell(" ", "floor" if seen else "mg:floor:grey:dim"))
            elif obj.type == "wall":
                row.append(Cell(" ", "wall_cell"))
            elif obj.type == "goal":
                row.append(Cell("★", "goal"))
            elif obj.type == "lava":
                row.append(Cell("≈", "mg:lava:red" + shade))
            elif obj.type == "door":
                glyph = "▣" if obj.is_locked else " " if obj.is_open else "▯"
                row.append(Cell(glyph, f"mg:door{'open' if obj.is_open else ''}:{obj.color}{shade}"))
            else:
                row.append(Cell(GLYPHS.get(obj.type, "?"), f"mg:{obj.type}:{obj.color}{shade}"))
        rows.append(tuple(row))
    x, y = (int(v) for v in u.agent_pos)
    carrying = u.carrying
    caption = u.mission + (f"   (carrying the {carrying.color} {carrying.type})" if carrying is not None else "")
    return GridScene(
        cells=tuple(rows),
        agent=(y, x),
        avatar=f"agent_{ARROWS[int(u.agent_dir)]}",
        caption=caption,
        legend=(
            ("", "agent_east", "you"),
            ("▣", "mg:door:yellow", "locked door"),
            ("k", "mg:key:yellow", "key"),
            ("★", "goal", "goal"),
            (" ", "mg:floor:grey:dim", "out of view"),
        ),
    )


def value_observations(env: Any) -> np.ndarray:
    """For the value map: each free cell's observation with the agent standing there, facing
    as it faces now and carrying what it carries (None where it cannot stand)."""
    u = env.unwrapped
    state = env.get_wrapper_attr("view") == STATE
    base = symbolic(u, env.get_wrapper_attr("features")) if state else None
    out = np.empty((u.height, u.width), dtype=object)
    here = u.agent_pos
    try:
        for y in range(u.height):
            for x in range(u.width):
                obj = u.grid.get(x, y)
                free = (
                    0 < x < u.width - 1
                    and 0 < y < u.height - 1
                    and (obj is None or obj.type in ("goal", "lava") or (obj.type == "door" and obj.is_open))
                )
                if not free:
                    out[y, x] = None
                elif base is not None:  # the symbolic state, moved here
                    out[y, x] = (x - 1, y - 1, *base[2:])
                else:  # what it would see from there
                    u.agent_pos = (x, y)
                    out[y, x] = partial_view(u)
    finally:
        u.agent_pos = here
    return out


# --- the timeline: MiniGrid's state, captured and put back ---------------------------------------


def capture(env: Any) -> dict[str, Any]:
    u = env.unwrapped
    return {
        "grid": copy.deepcopy(u.grid),
        "agent_pos": tuple(int(v) for v in u.agent_pos),
        "agent_dir": int(u.agent_dir),
        "carrying": copy.deepcopy(u.carrying),
        "step_count": int(u.step_count),
        "rng": u.np_random.bit_generator.state,
        "mission": u.mission,
    }


def restore(env: Any, saved: dict[str, Any]) -> None:
    u = env.unwrapped
    u.grid = copy.deepcopy(saved["grid"])
    u.agent_pos = saved["agent_pos"]
    u.agent_dir = saved["agent_dir"]
    u.carrying = copy.deepcopy(saved["carrying"])
    u.step_count = saved["step_count"]
    u.np_random.bit_generator.state = saved["rng"]
    u.mission = saved["mission"]
