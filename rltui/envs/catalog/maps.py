"""Catalog entries for grid worlds built from map files (see :mod:`rltui.envs.gridmap`).

A map is named ``map:NAME`` (found in the saves folder's ``maps/``, then among the maps
rltui ships: CS188's BridgeGrid, DiscountGrid and MazeGrid) or ``map:PATH`` (any file).
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from rltui.envs import scenes, valuemap
from rltui.envs.catalog.entry import GRID, MAP_PREFIX, CatalogError, EnvEntry, keys
from rltui.envs.gridmap import (
    ACTION_NAMES,
    BUNDLED,
    MAP_SUFFIX,
    GridMap,
    MapError,
    read,
)

GROUP = "Grid maps"
MAX_MAP_ID = 200
"""Characters in a map's id (``map:`` and its path): what saves and episode files hold."""


def maps_dir() -> Path:
    """Where a person's maps are saved: ``maps/`` in the saves folder."""
    from rltui.paths import saves_dir

    return saves_dir() / "maps"


def find_map(spec: str) -> tuple[str, Path]:
    """(the map's id, its file) for a name or a path.

    A map id names a path a person gave (``--map``, an env id inside a save or an episode
    file): it is checked as every such path is (:func:`rltui.paths.user_path`) before
    the file system is asked about it.

    Raises:
        CatalogError: no such map, or a path that cannot be one, in one sentence.
    """
    from rltui.paths import PathError, shown, user_path

    try:
        return _find_map(spec, user_path(spec, "The map"))
    except PathError as exc:  # the map's path, or $RLTUI_SAVES (where a person's maps are)
        raise CatalogError(str(exc)) from None
    except OSError as exc:
        raise CatalogError(f"The map {shown(spec)} cannot be looked at: {exc.strerror or exc}.") from None


def _find_map(spec: str, path: Path) -> tuple[str, Path]:
    from rltui.paths import shown

    if path.suffix == MAP_SUFFIX or "/" in spec or path.is_file():
        if not path.is_file():
            raise CatalogError(f"There is no map file {shown(spec)}.")
        for folder in (maps_dir(), BUNDLED):  # a named map's file keeps its short id
            if os.path.dirname(os.path.realpath(path)) == os.path.realpath(folder):
                return MAP_PREFIX + path.stem, path
        env_id = MAP_PREFIX + str(path)
        if len(env_id) > MAX_MAP_ID:  # saves and episodes would name an env they then refuse
            raise CatalogError(
                f"The map {shown(spec)} has a path of {len(env_id) - len(MAP_PREFIX)} "
                f"characters, and saves and episodes record at most {MAX_MAP_ID}: "
                "move it, or save it among your maps."
            )
        return env_id, path
    for folder in (maps_dir(), BUNDLED):
        candidate = folder / f"{spec}{MAP_SUFFIX}"
        if candidate.is_file():
            return MAP_PREFIX + spec, candidate
    known = ", ".join(sorted(known_maps()))
    raise CatalogError(f"There is no map named '{shown(spec, 40)}'; the maps are {known} (or give a file).")


def known_maps() -> dict[str, Path]:
    """Map name -> file: the shipped maps, then a person's (theirs win on a clash)."""
    found: dict[str, Path] = {}
    for folder in (BUNDLED, maps_dir()):
        if folder.is_dir():
            for path in sorted(folder.glob(f"*{MAP_SUFFIX}")):
                found[path.stem] = path
    return found


def map_entry(spec: str) -> EnvEntry:
    """The catalog entry of the map ``spec`` names.

    Raises:
        CatalogError: no such map, or a malformed one (one sentence).
    """
    env_id, path = find_map(spec)
    try:
        grid_map = read(path)
    except MapError as exc:
        raise CatalogError(str(exc)) from None
    return entry_for(grid_map, env_id)


def entry_for(grid_map: GridMap, env_id: str) -> EnvEntry:
    """A catalog entry that plays ``grid_map`` under ``env_id``."""
    rows, cols = grid_map.shape
    steps = max(20_000, 2_000 * rows * cols)
    return EnvEntry(
        id=env_id,
        group=GROUP,
        description=grid_map.description or f"A {rows}x{cols} grid world drawn as a map.",
        action_names=ACTION_NAMES,
        keys=keys(("up,w", 0), ("right,d", 1), ("down,s", 2), ("left,a", 3)),
        render=GRID,
        gamma=grid_map.gamma,
        tuned={"tabular": {"alpha": 0.5 if grid_map.slip == 0 else 0.1, "epsilon_decay_steps": steps // 2}},
        budgets={"tabular": steps},
        scene=scenes.grid_map_scene,
        value_cells=valuemap.grid_map_cells,
        step_note=scenes.map_slip if grid_map.slip > 0 else None,
        make_kwargs={"grid_map": grid_map, "max_episode_steps": grid_map.max_steps},
        gym_id="rltui/GridMap-v0",
    )


def with_map(entry: EnvEntry, grid_map: GridMap) -> EnvEntry:
    """``entry`` (a map's) playing ``grid_map`` instead, under the same id: the world changed
    while the agent learns, or ``--set-map``. What it is made with, its discount, time limit and
    step note follow the map; the rest (keys, pace, tuned settings) stays."""
    return replace(
        entry,
        gamma=grid_map.gamma,
        step_note=scenes.map_slip if grid_map.slip > 0 else None,
        make_kwargs={**entry.make_kwargs, "grid_map": grid_map, "max_episode_steps": grid_map.max_steps},
    )


def map_entries() -> list[EnvEntry]:
    """Every known map's entry, for the launcher (a malformed file of a person's is left out)."""
    out = []
    for name in known_maps():
        try:
            out.append(map_entry(name))
        except CatalogError:
            continue
    return out


def map_of(entry: EnvEntry, env: Any) -> GridMap | None:
    """The map of the grid world ``env`` plays, to edit: a map's own, or FrozenLake's and
    CliffWalking's drawn as maps (their goal an exit, the lake's slippery ice a slip of 2/3);
    None for worlds a map cannot say (Taxi's passenger, PortalRescue's portal)."""
    from rltui.envs import adapters
    from rltui.envs.gridmap import CLIFF, FLOOR, HOLE, START

    u = env.unwrapped
    name = entry.id.removeprefix(MAP_PREFIX).rsplit("/", 1)[-1].removesuffix(".txt").split("-v")[0]
    limit = adapters.time_limit(env)
    max_steps = int(getattr(limit, "_max_episode_steps", 0) or 100) if limit is not None else 100
    if isinstance(getattr(u, "map", None), GridMap):
        return u.map
    if hasattr(u, "desc") and entry.value_cells is valuemap.lake_cells:
        tokens = {"S": START, "F": FLOOR, "H": HOLE, "G": "1"}
        cells = tuple(tuple(tokens[ch] for ch in row) for row in adapters.lake_rows(env))
        slippery = any(len(outcomes) > 1 for actions in u.P.values() for outcomes in actions.values())
        return GridMap(
            cells,
            slip=2 / 3 if slippery else 0.0,
            living_reward=0.0,
            gamma=entry.gamma,
            max_steps=min(max_steps, 10_000),
            name=name,
            description=f"{entry.id} as a map: reach the +1 without falling into a hole",
        )
    if entry.value_cells is valuemap.cliff_cells:
        cliff = adapters.cliff_mask(env)
        rows, cols = cliff.shape
        grid = [[CLIFF if cliff[r, c] else FLOOR for c in range(cols)] for r in range(rows)]
        grid[rows - 1][0], grid[rows - 1][cols - 1] = START, "-1"
        return GridMap(
            tuple(tuple(row) for row in grid),
            slip=0.0,
            living_reward=-1.0,
            gamma=entry.gamma,
            max_steps=min(max_steps, 10_000),
            name=name,
            description=f"{entry.id} as a map: every step -1, the cliff -100 and back to the start",
        )
    return None


def editable(entry: EnvEntry, env: Any) -> tuple[GridMap, str, Path | None] | str:
    """What the map editor opens for ``entry``: (the map, the name it saves under, the person's
    file it came from or None); or why there is none, in one sentence."""
    grid_map = map_of(entry, env)
    if grid_map is None:
        return (
            f"{entry.id} is not drawn from a map, so there is none to edit: maps are the "
            "Grid maps in the launcher, FrozenLake and CliffWalking."
        )
    own = maps_dir() / f"{grid_map.name}{MAP_SUFFIX}"
    if entry.id == MAP_PREFIX + grid_map.name and own.is_file():
        return grid_map, grid_map.name, own  # the person's map: saving keeps the edits
    name = grid_map.name
    for n in range(2, 1000):  # a name of its own: nothing saved is overwritten or shadowed
        if not any((folder / f"{name}{MAP_SUFFIX}").exists() for folder in (maps_dir(), BUNDLED)):
            break
        name = f"{grid_map.name}-{n}"
    return replace(grid_map, name=name, description=f"{name}: edited from {entry.id}"), name, None
