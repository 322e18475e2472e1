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
from dataclasses import dataclass, field
from typing import Any

# pygame (behind the classic-control frames) must not open a window or talk
# to the terminal; these must be set before it is first imported.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
# SDL otherwise takes SIGINT and SIGTERM for itself (as a quit event no one reads), and
# `kill` would no longer stop rltui.
os.environ.setdefault("SDL_NO_SIGNAL_HANDLERS", "1")

GRID = "grid"
CARDS = "cards"
PIXELS = "pixels"
ANSI = "ansi"

GROUPS = ("Grid worlds", "Classic control", "Cards", "Custom", "Other")


LONGEST_EPISODE = 10_000
"""Steps after which an env without a time limit of its own truncates an episode."""


class CatalogError(Exception):
    """An environment id that cannot be played; the message is one sentence for the user."""


@dataclass(frozen=True)
class ActionKeys:
    """The keys (Textual key names, comma-separated) that take one action."""

    keys: str
    action: int

    @property
    def key_list(self) -> list[str]:
        return [k.strip() for k in self.keys.split(",") if k.strip()]

    @property
    def label(self) -> str:
        """How the footer and help show the keys: ``↑/w``."""
        return "/".join(_KEY_LABELS.get(k, k) for k in self.key_list)


_KEY_LABELS = {"up": "↑", "down": "↓", "left": "←", "right": "→"}


@dataclass(frozen=True)
class EnvEntry:
    """One environment as rltui plays it."""

    id: str
    """The Gymnasium id passed to ``gymnasium.make``."""
    group: str
    """Launcher group: one of :data:`GROUPS`."""
    description: str
    """One line for the launcher and ``rltui envs``."""
    action_names: tuple[str, ...]
    """A name per discrete action, in action order."""
    keys: tuple[ActionKeys, ...]
    """Which keys take which action; covers every action."""
    render: str
    """``grid``, ``cards``, ``pixels`` or ``ansi``."""
    gamma: float = 0.99
    """The env's discount: every agent made for it gets this γ (unless a setting overrides
    it), and the returns panel uses it. The one place γ is chosen for an env."""
    make_kwargs: dict[str, Any] = field(default_factory=dict)
    """Extra keyword arguments for ``gymnasium.make``."""
    requires: str | None = None
    """Python module the env needs beyond rltui's own dependencies (e.g. ``Box2D``)."""
    install_hint: str | None = None
    """What to install when :attr:`requires` is missing."""
    continuous_torques: tuple[float, ...] | None = None
    """For a Box action space: the values each discrete action maps to."""

    @property
    def n_actions(self) -> int:
        return len(self.action_names)

    @property
    def available(self) -> bool:
        """Whether everything this env needs is installed."""
        return self.requires is None or importlib.util.find_spec(self.requires) is not None

    def key_map(self) -> dict[str, int]:
        """Textual key name -> action."""
        return {k: ak.action for ak in self.keys for k in ak.key_list}


def _k(*pairs: tuple[str, int]) -> tuple[ActionKeys, ...]:
    return tuple(ActionKeys(keys, action) for keys, action in pairs)


_FROZEN_KEYS = _k(("left,a", 0), ("down,s", 1), ("right,d", 2), ("up,w", 3))
_FROZEN_NAMES = ("Left", "Down", "Right", "Up")
_PENDULUM_TORQUES = (-2.0, -1.0, 0.0, 1.0, 2.0)

CATALOG: tuple[EnvEntry, ...] = (
    EnvEntry(
        id="Taxi-v4",
        group="Grid worlds",
        description="Drive the taxi to the passenger, pick up, drop off at the destination.",
        action_names=("South", "North", "East", "West", "Pickup", "Dropoff"),
        # `d` is Dropoff here, so East is the arrow key alone.
        keys=_k(("down,s", 0), ("up,w", 1), ("right", 2), ("left,a", 3), ("p", 4), ("d", 5)),
        render=GRID,
        gamma=0.99,
    ),
    EnvEntry(
        id="FrozenLake-v1",
        group="Grid worlds",
        description="Cross a slippery 4x4 lake to the goal without falling into a hole.",
        action_names=_FROZEN_NAMES,
        keys=_FROZEN_KEYS,
        render=GRID,
        gamma=0.999,
    ),
    EnvEntry(
        id="FrozenLakeNotSlippery-v1",
        group="Grid worlds",
        description="The 4x4 lake with sure footing: every move goes where it is aimed.",
        action_names=_FROZEN_NAMES,
        keys=_FROZEN_KEYS,
        render=GRID,
        gamma=0.95,
    ),
    EnvEntry(
        id="FrozenLake8x8-v1",
        group="Grid worlds",
        description="The slippery 8x8 lake: a long, uncertain walk to the goal.",
        action_names=_FROZEN_NAMES,
        keys=_FROZEN_KEYS,
        render=GRID,
        gamma=0.999,
    ),
    EnvEntry(
        id="CliffWalking-v1",
        group="Grid worlds",
        description="Walk along the cliff edge to the goal; a fall costs -100 (capped at 200 steps).",
        action_names=("Up", "Right", "Down", "Left"),
        keys=_k(("up,w", 0), ("right,d", 1), ("down,s", 2), ("left,a", 3)),
        render=GRID,
        gamma=0.99,
        # CliffWalking has no time limit of its own; a wandering agent needs one.
        make_kwargs={"max_episode_steps": 200},
    ),
    EnvEntry(
        id="CartPole-v1",
        group="Classic control",
        description="Push the cart left or right to keep the pole upright.",
        action_names=("Push left", "Push right"),
        keys=_k(("left,a", 0), ("right,d", 1)),
        render=PIXELS,
        gamma=0.99,
    ),
    EnvEntry(
        id="MountainCar-v0",
        group="Classic control",
        description="Rock the underpowered car back and forth to reach the flag.",
        action_names=("Accelerate left", "Coast", "Accelerate right"),
        keys=_k(("left,a", 0), ("down,s", 1), ("right,d", 2)),
        render=PIXELS,
        gamma=0.99,
    ),
    EnvEntry(
        id="Acrobot-v1",
        group="Classic control",
        description="Swing the two-link arm until its tip rises above the line.",
        action_names=("Torque -1", "No torque", "Torque +1"),
        keys=_k(("left,a", 0), ("down,s", 1), ("right,d", 2)),
        render=PIXELS,
        gamma=0.99,
    ),
    EnvEntry(
        id="Pendulum-v1",
        group="Classic control",
        description="Swing the pendulum up and hold it there (torque in five steps).",
        action_names=("Torque -2", "Torque -1", "No torque", "Torque +1", "Torque +2"),
        keys=_k(("left,a", 0), ("z", 1), ("down,s", 2), ("x", 3), ("right,d", 4)),
        render=PIXELS,
        gamma=0.98,
        continuous_torques=_PENDULUM_TORQUES,
    ),
    EnvEntry(
        id="LunarLander-v3",
        group="Classic control",
        description="Fire the engines to land softly between the flags.",
        action_names=("Do nothing", "Fire left engine", "Fire main engine", "Fire right engine"),
        keys=_k(("down,s", 0), ("left,a", 1), ("up,w", 2), ("right,d", 3)),
        render=PIXELS,
        gamma=0.99,
        requires="Box2D",
        install_hint="pip install 'gymnasium[box2d]'",
    ),
    EnvEntry(
        id="Blackjack-v1",
        group="Cards",
        description="Hit or stick: beat the dealer without going over 21.",
        action_names=("Stick", "Hit"),
        keys=_k(("s,down", 0), ("h,up", 1)),
        render=CARDS,
        gamma=1.0,
    ),
    EnvEntry(
        id="PortalRescue-v0",
        group="Custom",
        description="Pick up your friend, then fire the portal gun at the signal to escape.",
        action_names=("Up", "Down", "Right", "Left", "Pickup", "Portal"),
        keys=_k(("up,w", 0), ("down,s", 1), ("right,d", 2), ("left,a", 3), ("p", 4), ("g", 5)),
        render=GRID,
        gamma=0.99,
    ),
)

_BY_ID = {entry.id: entry for entry in CATALOG}
_DIGITS = "1234567890"


def catalog_by_group() -> Iterator[tuple[str, list[EnvEntry]]]:
    """The catalog in launcher order: (group, entries) for each non-empty group."""
    for group in GROUPS:
        entries = [e for e in CATALOG if e.group == group]
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
    if entry is not None:
        if not entry.available:
            raise CatalogError(
                f"{env_id} needs {entry.requires}, which is not installed: {entry.install_hint}"
            )
        return entry
    return _generic_entry(env_id)


def _register_own_envs() -> None:
    import rltui.envs  # noqa: F401  (registers PortalRescue-v0 on import)


def _generic_entry(env_id: str) -> EnvEntry:
    import gymnasium as gym

    _register_own_envs()
    if env_id not in gym.registry:
        close = suggest(env_id)
        hint = f" Did you mean {' or '.join(close)}?" if close else " See `rltui envs`."
        raise CatalogError(f"Unknown environment '{_short(env_id)}'.{hint}")
    try:
        env = gym.make(env_id)
    except Exception as exc:  # any env's constructor can fail in its own way
        raise CatalogError(f"{env_id} cannot be made here: {_one_line(exc)}") from None
    try:
        space = env.action_space
        if not isinstance(space, gym.spaces.Discrete):
            raise CatalogError(
                f"{env_id} has a {type(space).__name__} action space; rltui plays only "
                "discrete actions (Pendulum-v1 is in the catalog with discretised torque)."
            )
        n = int(space.n)
        modes = env.metadata.get("render_modes", [])
    finally:
        env.close()
    render = ANSI if "ansi" in modes else PIXELS if "rgb_array" in modes else ANSI
    names = tuple(f"Action {i}" for i in range(n))
    keys = tuple(ActionKeys(_DIGITS[i], i) for i in range(min(n, len(_DIGITS))))
    return EnvEntry(
        id=env_id,
        group="Other",
        description=f"Registered Gymnasium environment ({n} actions, number keys).",
        action_names=names,
        keys=keys,
        render=render,
    )


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def make_env(entry: EnvEntry, render: bool = True) -> Any:
    """Make the Gymnasium env for ``entry``.

    Args:
        entry: the catalog entry.
        render: whether to ask for the render mode the entry draws from
            (``ansi`` / ``rgb_array``); grid and card scenes read the env's state.

    Raises:
        CatalogError: the env cannot be made here.
    """
    import gymnasium as gym

    _register_own_envs()
    kwargs = dict(entry.make_kwargs)
    if render and entry.render == PIXELS:
        kwargs["render_mode"] = "rgb_array"
    elif render and entry.render == ANSI:
        kwargs["render_mode"] = "ansi"
    try:
        env = gym.make(entry.id, **kwargs)
    except Exception as exc:
        raise CatalogError(f"{entry.id} cannot be made here: {_one_line(exc)}") from None
    if env.spec is not None and env.spec.max_episode_steps is None:
        # An env with no time limit of its own gets one, so no episode (and no record of it)
        # grows without bound when an agent never reaches an end.
        env = gym.wrappers.TimeLimit(env, LONGEST_EPISODE)
    if entry.continuous_torques is not None:
        from rltui.core.wrappers import DiscreteTorque

        env = DiscreteTorque(env, entry.continuous_torques)
    return env
