"""What rltui knows about one environment: :class:`EnvEntry`."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

GRID = "grid"
CARDS = "cards"
PIXELS = "pixels"
ANSI = "ansi"

GROUPS = ("Grid worlds", "Grid maps", "MiniGrid", "Classic control", "MuJoCo", "Atari", "Cards", "Custom", "Other")

STATE, VIEW = "state", "view"
"""The two observations of an env that shows kinds different ones (MiniGrid): a compact state
for tables, the env's own view for networks (see ``catalog.observation_for``)."""

MAP_PREFIX = "map:"
"""Ids of grid worlds built from a map file: ``map:BridgeGrid``, ``map:path/to/file.txt``."""

LONGEST_EPISODE = 10_000
"""Steps after which an env without a time limit of its own truncates an episode."""

DEFAULT_BUDGET = 100_000
"""Training steps for an env with no tuned budget for the agent's family."""


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


def keys(*pairs: tuple[str, int]) -> tuple[ActionKeys, ...]:
    """``keys(("left,a", 0), ("right,d", 1))``: the key map of an entry."""
    return tuple(ActionKeys(k, action) for k, action in pairs)


@dataclass(frozen=True)
class EnvEntry:
    """One environment as rltui plays it: everything env-specific is reachable from here."""

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
    solved_at: float | None = None
    """The greedy mean return that counts as solving the env (``train`` stops there)."""
    min_eval_episodes: int = 0
    """Every greedy evaluation runs at least this many episodes: where one episode's return
    is mostly luck (a hand of Blackjack is ±1), a hundred cannot tell a good policy from a
    poor one."""
    tuned: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Per agent family (``agents.registry.KindSpec.family``): typed settings that solve this
    env. ``--set`` overrides any of them."""
    budgets: Mapping[str, int] = field(default_factory=dict)
    """Per agent family: the training steps ``train`` runs when no ``--steps`` is given."""
    scene: Callable[..., Any] | None = None
    """``scene(env, done)``: the grid or cards scene drawn from the env's state (None: the env's
    own frames)."""
    value_cells: Callable[[Any], Any] | None = None
    """``value_cells(env)``: the state id each grid cell shows in the value map (-1: none)."""
    value_grid: Callable[[Any], Any] | None = None
    """``value_grid(env)``: for a continuous observation, the observations a value map samples
    (an :class:`rltui.envs.valuemap.ObservationGrid`)."""
    step_note: Callable[[Any, Any, int, Any], str | None] | None = None
    """``step_note(env, obs, action, next_obs)``: a word on how a step went (the lake's slides)."""
    make_kwargs: dict[str, Any] = field(default_factory=dict)
    value_obs: Callable[[Any], Any] | None = None
    """For a grid world whose agents see something other than a state id (MiniGrid): each
    cell's observation with the agent standing there (None where it cannot), for the value map."""
    gym_id: str | None = None
    """The Gymnasium id to make, when it is not :attr:`id` (a map: ``map:NAME`` is made as
    rltui's GridMap env with the map in :attr:`make_kwargs`)."""
    """Extra keyword arguments for ``gymnasium.make``."""
    requires: str | None = None
    """Python module the env needs beyond rltui's own dependencies (e.g. ``Box2D``)."""
    extra: str | None = None
    """rltui's optional extra that installs :attr:`requires` (``box2d``): see :attr:`install_hint`."""
    action_vectors: tuple[tuple[float, ...], ...] | None = None
    """For an env with continuous (Box) actions: the vector each named action stands for, so
    keys (and, with :attr:`named_for_agents`, discrete agent kinds) can take them by index."""
    action_dims: tuple[str, ...] = ()
    """For continuous actions: a short name per action dimension (the panel's rows)."""
    realtime: bool = False
    """A person drives it in real time by default: the env steps at its own frame rate and a
    held key pushes (see :mod:`rltui.live.realtime`); otherwise turn by turn."""
    fps: float | None = None
    """Real time's pace when a person set one (``play --fps``), instead of the env's own."""
    rest_action: int | tuple[int, ...] = 0
    """The named action sent in real time when no key is held (no torque, engines off), or
    several sent in turn for an env that has no "do nothing" (CartPole: left, right)."""
    named_for_agents: bool = False
    """Value-based kinds may play this continuous env through its named actions (Pendulum-v1's
    five torques); otherwise only continuous kinds can."""

    @property
    def rest_actions(self) -> tuple[int, ...]:
        """:attr:`rest_action` as a tuple: the actions real time sends in turn while no key is held."""
        rest = self.rest_action
        return (rest,) if isinstance(rest, int) else tuple(rest)

    @property
    def rest_description(self) -> str:
        """What real time sends while no key is held, in words."""
        names = [self.action_names[a] for a in self.rest_actions]
        return names[0] if len(names) == 1 else " and ".join(names) + " in turn"

    @property
    def n_actions(self) -> int:
        """Named actions: the keys' choices (a discrete env's every action)."""
        return len(self.action_names)

    @property
    def continuous(self) -> bool:
        """The env's own actions are continuous vectors."""
        return self.action_vectors is not None

    @property
    def install_hint(self) -> str | None:
        """The command that installs what this env needs (:attr:`extra`), or None."""
        if self.extra is None:
            return None
        from rltui.extras import install_hint

        return install_hint(self.extra)

    @property
    def available(self) -> bool:
        """Whether everything this env needs is installed."""
        return self.requires is None or importlib.util.find_spec(self.requires) is not None

    def key_map(self) -> dict[str, int]:
        """Textual key name -> action."""
        return {k: ak.action for ak in self.keys for k in ak.key_list}

    def defaults_for(self, kind: str) -> dict[str, Any]:
        """The settings tuned for ``kind`` on this env (empty: the kind's own)."""
        from agents.registry import spec

        return dict(self.tuned.get(spec(kind).family, {}))

    def budget_for(self, kind: str) -> int:
        """Training steps for ``kind`` when none are asked for (0 for a kind that computes
        instead of learning)."""
        from agents.registry import spec

        kind_spec = spec(kind)
        return self.budgets.get(kind_spec.family, DEFAULT_BUDGET if kind_spec.learns else 0)

    def is_solved(self, mean_return: float) -> bool:
        """Whether a greedy mean return solves this env (False where no mark is set)."""
        return self.solved_at is not None and mean_return >= self.solved_at
