"""Agent kinds by name: one :class:`KindSpec` per kind, and the one way to make a fresh agent.

A kind's module defines ``CONFIG`` (its config dataclass), ``build(kind, space, env, config,
seed)`` (a fresh agent) and ``restore(kind, meta, arrays, config)`` (a saved one). The spec
says everything else about the kind that the rest of rltui asks: whose tuned defaults apply
(``family``), whether it learns from anyone's moves, whether it needs the env's model, what
``tune`` searches, which settings fix its arrays' shapes, which metrics its panel and logs show.
Adding a kind is one module (its agent class derives from :class:`agents.base.AgentBase`) and
one spec: a line in the built-in specs, or one :func:`register` call. Modules load on first
use, so tabular agents never import torch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from typing import Any, cast

from agents.base import SettingError, SpaceInfo, apply_settings
from agents.kind_spec import KindSpec
from agents.kinds import BUILT_IN

BY_NAME: dict[str, KindSpec] = {spec.name: spec for spec in BUILT_IN}
"""Every kind by name, the built-in ones first, then those :func:`register` added."""
SPECS: tuple[KindSpec, ...] = tuple(BY_NAME.values())
KINDS: tuple[str, ...] = tuple(BY_NAME)
DESCRIPTIONS = {spec.name: spec.description for spec in SPECS}


class AgentError(Exception):
    """A request for an agent that cannot be made; the message is one sentence."""


class KindsWith(AbstractSet[str]):
    """The names of the kinds whose spec has ``flag`` set, as a set that follows the registry
    (a kind registered later is in it)."""

    def __init__(self, flag: str) -> None:
        self.flag = flag

    def __contains__(self, kind: object) -> bool:
        return isinstance(kind, str) and has(kind, self.flag)

    def __iter__(self) -> Iterator[str]:
        return iter([s.name for s in SPECS if getattr(s, self.flag)])

    def __len__(self) -> int:
        return sum(1 for s in SPECS if getattr(s, self.flag))


OFF_POLICY = KindsWith("off_policy")
"""Kinds that learn from anyone's moves: a person's, a demonstration's, their own."""


def register(kind_spec: KindSpec) -> KindSpec:
    """Add a kind: from now on it is made, saved, loaded, trained, tuned and played as every
    built-in kind is (its module defines ``CONFIG``, ``build`` and ``restore``).

    Raises:
        AgentError: a kind of that name exists already.
    """
    global SPECS, KINDS
    if kind_spec.name in BY_NAME:
        raise AgentError(f"An agent kind named '{kind_spec.name}' exists already.")
    BY_NAME[kind_spec.name] = kind_spec
    DESCRIPTIONS[kind_spec.name] = kind_spec.description
    SPECS, KINDS = tuple(BY_NAME.values()), tuple(BY_NAME)
    return kind_spec


def unregister(kind: str) -> None:
    """Take away a kind :func:`register` added (the built-in kinds stay)."""
    global SPECS, KINDS
    if kind in BY_NAME and all(kind != s.name for s in BUILT_IN):
        del BY_NAME[kind], DESCRIPTIONS[kind]
        SPECS, KINDS = tuple(BY_NAME.values()), tuple(BY_NAME)


def has(kind: str | None, flag: str) -> bool:
    """Whether ``kind`` is a known kind whose spec has ``flag`` (a KindSpec field) set; False
    for no agent or an unknown kind."""
    found = BY_NAME.get(kind or "")
    return found is not None and bool(getattr(found, flag))


def spec(kind: str) -> KindSpec:
    """The spec of ``kind``.

    Raises:
        AgentError: no such kind.
    """
    found = BY_NAME.get(kind)
    if found is None:
        raise AgentError(f"Unknown agent kind '{kind}'; choose from: {', '.join(KINDS)}.")
    return found


def check_kind(kind: str) -> str:
    return spec(kind).name


def default_config(kind: str) -> Any:
    """The config dataclass of ``kind`` with its own defaults."""
    return spec(kind).load().CONFIG()


def build_config(
    kind: str, gamma: float, defaults: dict[str, Any] | None = None, settings: dict[str, str] | None = None
) -> Any:
    """Config for ``kind``: its own defaults < the env's tuned ``defaults`` and γ < ``settings``.

    Args:
        gamma: the env's discount (its catalog entry owns it), so the agent's targets and the
            returns shown beside them agree; a kind's tuned ``defaults`` (a short-sighted PPO
            on Pendulum) or ``settings`` may still override it, and the returns panel follows
            the agent's.
        defaults: typed overrides tuned for the env (its catalog entry has them per family).

    Raises:
        AgentError: a bad setting (unknown key, wrong type or out of range).
    """
    config = dataclasses.replace(default_config(kind), **{"gamma": gamma, **(defaults or {})})
    try:
        return apply_settings(config, settings or {})
    except SettingError as exc:
        raise AgentError(str(exc)) from None


def has_model(env: Any) -> bool:
    """Whether the env exposes a toy-text transition table ``P``."""
    return isinstance(getattr(env.unwrapped, "P", None), dict)


def make_agent(
    kind: str,
    env: Any,
    env_id: str,
    *,
    gamma: float,
    defaults: dict[str, Any] | None = None,
    settings: dict[str, str] | None = None,
    seed: int | None = None,
) -> Any:
    """A fresh agent of ``kind`` for ``env`` (see :func:`build_config` for the settings).

    Raises:
        AgentError: unknown kind, bad settings, or a kind that cannot handle this env.
    """
    kind_spec = spec(kind)
    config = build_config(kind, gamma, defaults, settings)
    if kind_spec.needs_model and not has_model(env):
        raise AgentError(
            f"{kind} needs the env's transition model P, which {env_id} does not expose; "
            "Taxi-v4, FrozenLake, CliffWalking-v1 and PortalRescue-v0 do."
        )
    space = agent_space(kind_spec, SpaceInfo.from_env(env), env_id, named_actions(env), has_model(env))
    try:
        return kind_spec.load().build(kind, space, env, config, seed)
    except ValueError as exc:
        raise AgentError(f"{kind} cannot be made for {env_id}: {exc}") from None


def agent_space(
    kind_spec: KindSpec, space: SpaceInfo, env_id: str, named_actions: int = 0, model: bool = False
) -> SpaceInfo:
    """The spaces a ``kind_spec`` agent sees of an env: a continuous kind the real actions, a
    discrete kind the named ones where the env has them for agents (Pendulum's five torques).

    Raises:
        AgentError: the kind cannot choose this env's actions or learn from its observations
            (one sentence naming those that can).
    """
    if space.frames and not kind_spec.frames:
        fit = ", ".join(s.name for s in SPECS if s.frames)
        raise AgentError(f"{kind_spec.name} cannot learn from {env_id}'s frames (pixels); choose from: {fit}.")
    if space.continuous and not kind_spec.continuous:
        if named_actions:
            return SpaceInfo(space.observation, named_actions)
        fit = ", ".join(s.name for s in SPECS if s.continuous)
        raise AgentError(
            f"{kind_spec.name} chooses among discrete actions and {env_id}'s are continuous; choose from: {fit}."
        )
    if not space.continuous and not kind_spec.discrete:
        fit = ", ".join(s.name for s in SPECS if s.discrete and (model or not s.needs_model))
        raise AgentError(f"{kind_spec.name} is for continuous actions and {env_id}'s are discrete; choose from: {fit}.")
    return space


def default_kind(env: Any) -> str:
    """The agent a person gets by pressing tab: Q-learning where a table fits, DQN for other
    discrete actions, SAC for continuous ones."""
    space = SpaceInfo.from_env(env)
    if space.continuous:
        return "sac"
    return "dqn" if space.observation["type"] == "Box" else "q-learning"


def kinds_for(env: Any) -> list[str]:
    """The agent kinds that can play ``env``."""
    model = has_model(env)
    space = SpaceInfo.from_env(env)
    continuous = space.continuous
    named = named_actions(env)
    tables = _table_fits(env)
    return [
        s.name
        for s in SPECS
        if (model or not s.needs_model)
        and (s.frames or not space.frames)
        and (s.continuous if continuous and not named else s.discrete or continuous)
        and (tables or s.family != "tabular")
    ]


def _table_fits(env: Any) -> bool:
    """Whether a tabular agent's table of ``env``'s discrete states fits (a Box observation is
    binned or tile-coded to size: it always does)."""
    import math

    import gymnasium as gym

    from agents.tabular import MAX_TABLE

    space = env.observation_space
    parts = space.spaces if isinstance(space, gym.spaces.Tuple) else (space,)
    if not all(isinstance(p, gym.spaces.Discrete) for p in parts):
        return True
    n_actions = getattr(env.action_space, "n", 1)
    sizes: list[int] = [int(cast(Any, p).n) for p in parts]
    return math.prod(sizes) * int(n_actions) <= MAX_TABLE


def named_actions(env: Any) -> int:
    """For an env with continuous actions: how many named actions (fixed vectors its wrapper
    takes by index, ``agent_actions`` on a wrapper) a discrete kind may choose among; 0 when
    discrete kinds cannot play it."""
    while env is not None:
        n = env.__dict__.get("agent_actions") if hasattr(env, "__dict__") else None
        if n:
            return int(n)
        env = getattr(env, "env", None)
    return 0
