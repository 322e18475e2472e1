"""What every agent is: one small protocol, no inheritance chain."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, NamedTuple, Protocol, runtime_checkable

import numpy as np


class Step(NamedTuple):
    """(s, a, r, s') and how the episode stood after it.

    ``rltui.core.session.Transition`` has the same fields, so agents learn from
    a person's steps and their own alike.
    """

    obs: Any
    action: int
    reward: float
    next_obs: Any
    terminated: bool
    truncated: bool


class StepLike(Protocol):
    obs: Any
    action: int
    reward: float
    next_obs: Any
    terminated: bool
    truncated: bool


@runtime_checkable
class Agent(Protocol):
    """The protocol the trainer, the CLI and the app drive."""

    kind: str
    n_actions: int
    steps: int
    """Transitions learned from."""
    episodes: int
    """Episodes finished while learning."""

    def act(self, obs: Any, explore: bool) -> int:
        """The action for ``obs``: epsilon-greedy when ``explore``, greedy otherwise."""
        ...

    def q_values(self, obs: Any) -> np.ndarray:
        """Q(s, ·) as a float array of length ``n_actions`` (a copy)."""
        ...

    def observe(self, step: StepLike) -> dict[str, float]:
        """Learn from one transition; returns metrics such as ``td_error`` and ``loss``."""
        ...

    @property
    def epsilon(self) -> float:
        """The exploration rate the next exploring ``act`` uses."""
        ...

    def config_dict(self) -> dict[str, Any]:
        """Hyperparameters, for saves."""
        ...


class SettingError(ValueError):
    """A bad ``--set key=value``; the message is one sentence naming the valid keys."""


def apply_settings(config: Any, settings: dict[str, str]) -> Any:
    """A copy of dataclass ``config`` with ``key=value`` strings parsed into its field types.

    Raises:
        SettingError: unknown key or a value of the wrong type.
    """
    import dataclasses

    by_name = {f.name: f for f in fields(config)}
    changes: dict[str, Any] = {}
    for key, raw in settings.items():
        if key not in by_name:
            raise SettingError(
                f"Unknown setting '{key}' for {type(config).__name__}; valid keys: "
                + ", ".join(sorted(by_name))
                + "."
            )
        current = getattr(config, key)
        changes[key] = _parse(key, raw, current)
    return dataclasses.replace(config, **changes)


def _parse(key: str, raw: str, current: Any) -> Any:
    try:
        if isinstance(current, bool):
            lowered = raw.strip().lower()
            if lowered not in ("true", "false", "1", "0", "yes", "no", "on", "off"):
                raise ValueError
            return lowered in ("true", "1", "yes", "on")
        if isinstance(current, int):
            value = float(raw)
            if value != int(value):
                raise ValueError
            return int(value)
        if isinstance(current, float):
            value = float(raw)
            if not np.isfinite(value):
                raise ValueError
            return value
        if isinstance(current, tuple):
            cast = type(current[0]) if current else float
            return tuple(cast(v) for v in raw.split(","))
        return type(current)(raw) if current is not None else raw
    except (ValueError, TypeError, IndexError):
        if isinstance(current, tuple):
            example = ",".join(str(v) for v in current) or "1.0,2.0"
            raise SettingError(f"Setting '{key}' needs comma-separated numbers like {example}, "
                               f"not '{raw}'.") from None
        kind = type(current).__name__
        raise SettingError(f"Setting '{key}' needs a {kind} value, not '{raw}'.") from None


@dataclass(frozen=True)
class SpaceInfo:
    """What an agent needs to know about an env's spaces, JSON-friendly for saves."""

    observation: dict[str, Any]
    n_actions: int

    @classmethod
    def from_env(cls, env: Any) -> SpaceInfo:
        return cls(observation=describe_space(env.observation_space), n_actions=int(env.action_space.n))


def describe_space(space: Any) -> dict[str, Any]:
    """A gymnasium space as plain JSON data (Discrete, Tuple of Discrete, Box)."""
    name = type(space).__name__
    if name == "Discrete":
        return {"type": "Discrete", "n": int(space.n)}
    if name == "Tuple":
        return {"type": "Tuple", "spaces": [describe_space(s) for s in space.spaces]}
    if name == "Box":
        return {
            "type": "Box",
            "shape": list(space.shape),
            "low": [float(x) for x in np.asarray(space.low).ravel()],
            "high": [float(x) for x in np.asarray(space.high).ravel()],
        }
    raise ValueError(f"rltui agents do not handle {name} observation spaces.")
