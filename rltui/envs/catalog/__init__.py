"""The environment catalog: what rltui knows about each environment it plays.

Every catalog entry names its actions, the keys that take them, how it is
drawn and its default discount. Any other registered Gymnasium id with a
discrete action space still plays through :func:`resolve`, with number keys.
"""

from __future__ import annotations

import difflib
import importlib.util
import os
from collections.abc import Iterator
from typing import Any, cast

# pygame (behind the classic-control frames) must not open a window or talk
# to the terminal; these must be set before it is first imported.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
# SDL otherwise takes SIGINT and SIGTERM for itself (as a quit event no one reads), and
# `kill` would no longer stop rltui.
os.environ.setdefault("SDL_NO_SIGNAL_HANDLERS", "1")

from rltui.envs.catalog.atari_entries import ENTRIES as _ATARI
from rltui.envs.catalog.entries import CATALOG as _OWN
from rltui.envs.catalog.entry import (
    ANSI,
    CARDS,
    GRID,
    GROUPS,
    LONGEST_EPISODE,
    MAP_PREFIX,
    PIXELS,
    STATE,
    VIEW,
    ActionKeys,
    CatalogError,
    EnvEntry,
)
from rltui.envs.catalog.minigrid_entries import ENTRIES as _MINIGRID
from rltui.envs.catalog.mujoco_entries import ENTRIES as _MUJOCO

__all__ = [
    "ANSI",
    "CARDS",
    "CATALOG",
    "GRID",
    "GROUPS",
    "LONGEST_EPISODE",
    "MAP_PREFIX",
    "PIXELS",
    "ActionKeys",
    "CatalogError",
    "EnvEntry",
    "catalog_by_group",
    "get",
    "make_env",
    "observation_for",
    "observe_as",
    "observes_for",
    "resolve",
    "suggest",
]

CATALOG = (*_OWN, *_MUJOCO, *_MINIGRID, *_ATARI)
_BY_ID = {entry.id: entry for entry in CATALOG}
_DIGITS = "1234567890"


def catalog_by_group() -> Iterator[tuple[str, list[EnvEntry]]]:
    """The catalog in launcher order: (group, entries) for each non-empty group."""
    from rltui.envs.catalog.maps import map_entries

    maps = map_entries()
    for group in GROUPS:
        entries = [e for e in (*CATALOG, *maps) if e.group == group]
        if entries:
            yield group, entries


def get(env_id: str) -> EnvEntry | None:
    """The catalog entry for ``env_id``, or None."""
    return _BY_ID.get(env_id)


def suggest(env_id: str, limit: int = 3) -> list[str]:
    """Known ids close to ``env_id``: another version of the same env first, then look-alikes."""
    import gymnasium as gym

    _register_own_envs()
    known = list(_BY_ID) + [k for k in gym.registry if k not in _BY_ID]
    lowered = {k.lower(): k for k in known}
    wanted = env_id.lower()
    if wanted in lowered:
        return [lowered[wanted]]
    base = wanted.rsplit("-v", 1)[0]
    same_base = [k for k in known if k.lower().rsplit("-v", 1)[0] == base]
    if same_base:
        return same_base[:limit]
    close = difflib.get_close_matches(wanted, list(lowered), n=limit, cutoff=0.75)
    return [lowered[c] for c in close]


def resolve(env_id: str) -> EnvEntry:
    """The entry to play ``env_id`` with: the catalog's, or a generic one.

    Raises:
        CatalogError: unknown id, missing dependency or a non-discrete action space,
            with one sentence that says what to do.
    """
    entry = _BY_ID.get(env_id)
    if entry is None and env_id.startswith(MAP_PREFIX):
        from rltui.envs.catalog.maps import map_entry

        return map_entry(env_id[len(MAP_PREFIX) :])
    if entry is None and env_id.startswith("MiniGrid-"):
        from rltui.envs.catalog import minigrid_entries

        return _package_entry(env_id, "minigrid", "minigrid", minigrid_entries)
    if entry is None and env_id.startswith("ALE/"):
        from rltui.envs.catalog import atari_entries

        return _package_entry(env_id, "ale_py", "ale-py", atari_entries)
    if entry is not None:
        if not entry.available:
            raise CatalogError(f"{env_id} needs {entry.requires}, which is not installed: {entry.install_hint}")
        return entry
    return _generic_entry(env_id)


def _register_own_envs() -> None:
    import rltui.envs.own  # noqa: F401  (registers PortalRescue-v0 on import)

    if importlib.util.find_spec("minigrid") is not None:
        import minigrid  # noqa: F401  (registers the MiniGrid-* ids)
    if importlib.util.find_spec("ale_py") is not None:
        import ale_py
        import gymnasium as gym

        gym.register_envs(ale_py)  # the ALE/* ids
        # The emulator announces itself on fd 1 when a game is first made, past Python's
        # stdout: into `--json` output, or over the app's screen. Errors still show.
        ale_py.ALEInterface.setLoggerMode(ale_py.LoggerMode.Error)


def _registered(env_id: str) -> None:
    """Refuse, in one sentence with the close ids, an id Gymnasium does not know."""
    import gymnasium as gym

    _register_own_envs()
    if env_id not in gym.registry:
        close = suggest(env_id)
        hint = f" Did you mean {' or '.join(close)}?" if close else " See `rltui envs`."
        raise CatalogError(f"Unknown environment '{_short(env_id)}'.{hint}")


def _package_entry(env_id: str, module: str, package: str, entries: Any) -> EnvEntry:
    """An id of a package's family outside the curated set (``MiniGrid-*``, ``ALE/*``): the
    entry its module's ``generic`` makes, once the package is there and knows the id."""
    if importlib.util.find_spec(module) is None:
        from rltui.extras import install_hint

        raise CatalogError(f"{env_id} needs {package}, which is not installed: {install_hint(entries.EXTRA)}")
    _registered(env_id)
    try:
        return entries.generic(env_id)
    except Exception as exc:  # any env's constructor can fail in its own way
        raise CatalogError(f"{env_id} cannot be made here: {_one_line(exc)}") from None


def _generic_entry(env_id: str) -> EnvEntry:
    import gymnasium as gym

    _registered(env_id)
    try:
        env = gym.make(env_id)
    except Exception as exc:  # any env's constructor can fail in its own way
        raise CatalogError(f"{env_id} cannot be made here: {_one_line(exc)}") from None
    try:
        space = env.action_space
        modes = env.metadata.get("render_modes", [])
        vectors = _box_actions(env_id, space) if isinstance(space, gym.spaces.Box) else None
        if vectors is None and not isinstance(space, gym.spaces.Discrete):
            raise CatalogError(
                f"{env_id} has a {type(space).__name__} action space; rltui plays discrete "
                "actions and bounded one-dimensional Box actions."
            )
    finally:
        env.close()
    render = ANSI if "ansi" in modes else PIXELS if "rgb_array" in modes else ANSI
    if vectors is not None:
        names = ("Rest", *(f"{name} {i}" for i in range(len(vectors[0])) for name in ("Low", "High")))
        description = f"Registered Gymnasium environment ({len(vectors[0])} continuous actions)."
    else:
        names = tuple(f"Action {i}" for i in range(int(cast(Any, space).n)))  # Discrete here
        description = f"Registered Gymnasium environment ({len(names)} actions, number keys)."
    keys = tuple(ActionKeys(_DIGITS[i], i) for i in range(min(len(names), len(_DIGITS))))
    return EnvEntry(
        id=env_id,
        group="Other",
        description=description,
        action_names=names,
        keys=keys,
        render=render,
        action_vectors=vectors,
    )


def _box_actions(env_id: str, space: Any) -> tuple[tuple[float, ...], ...]:
    """Named actions for a registered Box-action env: rest (the middle of every range), then
    each dimension at its low and its high bound with the others at rest."""
    import numpy as np

    low = np.asarray(space.low, dtype=np.float64).reshape(-1)
    high = np.asarray(space.high, dtype=np.float64).reshape(-1)
    if len(space.shape) != 1 or not (np.isfinite(low).all() and np.isfinite(high).all()):
        raise CatalogError(
            f"{env_id}'s actions are not a bounded vector; rltui plays only those continuous action spaces."
        )
    rest = (low + high) / 2
    out = [tuple(rest)]
    for i in range(len(rest)):
        for bound in (low[i], high[i]):
            vector = rest.copy()
            vector[i] = bound
            out.append(tuple(vector))
    return tuple(tuple(float(v) for v in vector) for vector in out)


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def make_env(entry: EnvEntry, render: bool = True, kind: str | None = None) -> Any:
    """Make the Gymnasium env for ``entry``.

    Args:
        entry: the catalog entry.
        render: whether to ask for the render mode the entry draws from
            (``ansi`` / ``rgb_array``); grid and card scenes read the env's state.
        kind: the agent kind that will see its observations, where that matters (see
            :func:`observation_for`); None: a person's, as a tabular kind sees them.

    Raises:
        CatalogError: the env cannot be made here.
    """
    import gymnasium as gym

    _register_own_envs()
    kwargs = dict(entry.make_kwargs)
    bodies = entry.group == "MuJoCo"  # drawn by rltui's numpy painter: MuJoCo makes no GL context
    if render and entry.render == PIXELS and not bodies:
        kwargs["render_mode"] = "rgb_array"
    elif render and entry.render == ANSI:
        kwargs["render_mode"] = "ansi"
    try:
        if bodies:
            from rltui.envs.bodies import quiet_warnings

            quiet_warnings()
        env = gym.make(entry.gym_id or entry.id, **kwargs)
    except Exception as exc:
        if bodies:
            from rltui.envs.catalog.mujoco_setup import make_problem

            raise CatalogError(make_problem(entry.id, exc)) from None
        raise CatalogError(f"{entry.id} cannot be made here: {_one_line(exc)}") from None
    if env.spec is not None and env.spec.max_episode_steps is None:
        # An env with no time limit of its own gets one, so no episode (and no record of it)
        # grows without bound when an agent never reaches an end.
        env = gym.wrappers.TimeLimit(env, LONGEST_EPISODE)
    from rltui.envs.atari import AtariFrames, is_atari

    if is_atari(env):
        env = AtariFrames(env)
    if bodies and render:
        from rltui.envs.bodies import BodyFrames, Camera
        from rltui.envs.catalog.mujoco_setup import CAMERAS

        env = BodyFrames(env, Camera(**CAMERAS.get(entry.id, CAMERAS["Walker2d-v5"])))
    if entry.group == "MiniGrid":
        from rltui.envs.minigrid import MiniGridObservation

        env = MiniGridObservation(env, observation_for(kind))
    if entry.action_vectors is not None:
        from rltui.envs.wrappers import NamedActions

        env = NamedActions(env, entry.action_vectors, for_agents=entry.named_for_agents)
    return env


def observation_for(kind: str | None) -> str:
    """Which observation an agent of ``kind`` sees of an env that offers two (MiniGrid, see
    :mod:`rltui.envs.minigrid`): ``view`` (the env's own) for a kind that learns with a
    network, ``state`` (compact, a table's index) for the others and for no agent."""
    if kind is None:
        return STATE
    from agents.registry import spec

    return VIEW if spec(kind).uses_torch else STATE


def observe_as(env: Any, kind: str | None) -> tuple[bool, Any]:
    """Make ``env`` (from :func:`make_env`) show an agent of ``kind`` what that kind sees, in
    place: whether that changed anything (the observation space and what steps return), and
    if so the observation of the env as it is now."""
    if observes_for(env, kind):
        return False, None
    _observation_wrapper(env).use(observation_for(kind))
    return True, observation_now(env)


def observes_for(env: Any, kind: str | None) -> bool:
    """Whether ``env`` (from :func:`make_env`) shows an agent of ``kind`` what that kind sees."""
    wrapper = _observation_wrapper(env)
    return wrapper is None or wrapper.view == observation_for(kind)


def observation_now(env: Any) -> Any:
    """What an agent sees of ``env`` as it is now (after the timeline puts it back), for an
    env that shows kinds different observations; None for any other."""
    wrapper = _observation_wrapper(env)
    return None if wrapper is None else wrapper.observation(None)


def _observation_wrapper(env: Any) -> Any:
    from rltui.envs.minigrid import MiniGridObservation

    while env is not None and not isinstance(env, MiniGridObservation):
        env = getattr(env, "env", None)
    return env
