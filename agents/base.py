"""What every agent is: one small protocol, and the attributes every kind's class has."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from types import MappingProxyType
from typing import Any, NamedTuple, Protocol, runtime_checkable

import numpy as np

from agents.files import short


class Transition(NamedTuple):
    """One step: (s_t, a_t, r_t, s_{t+1}) and how the episode stood after it.

    The one per-step type: the session records a person's steps and an agent's in it, agents
    learn from it, episode files replay into it.
    """

    obs: Any
    action: Any
    """A discrete action's index (int), or a continuous action's vector (float array)."""
    reward: float
    next_obs: Any
    terminated: bool
    """The MDP ended (goal, hole, crash): no value beyond this step."""
    truncated: bool
    """A time limit cut the episode: the next state still has value."""
    t: int = 0
    """The step's index in its episode."""
    actor: str = "agent"
    """Who chose the action: ``human`` or ``agent``."""
    info: dict[str, Any] | None = None
    """The env's info dict for the step."""

    @property
    def done(self) -> bool:
        return self.terminated or self.truncated


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

    def observe(self, step: Transition) -> dict[str, float]:
        """Learn from one transition; returns metrics such as ``td_error`` and ``loss``."""
        ...

    @property
    def epsilon(self) -> float:
        """The exploration rate the next exploring ``act`` uses."""
        ...

    def config_dict(self) -> dict[str, Any]:
        """Hyperparameters, for saves."""
        ...


class AgentBase:
    """What every kind's agent class has, with the defaults most kinds share. Each kind's class
    derives from it (network kinds through :class:`agents.network.NetworkAgent`), so rltui asks
    these as plain attributes; what only some kinds can do is asked with the protocols in
    :mod:`agents.protocols`."""

    kind: str
    """The kind's name, as its :class:`agents.registry.KindSpec` names it."""
    config: Any
    """Its settings (a dataclass; every kind's has ``gamma``)."""
    n_actions: int
    """Discrete actions (0 for a continuous-action agent)."""
    observation: dict[str, Any]
    """The observation space it was made for (:func:`describe_space`)."""
    steps: int
    """Transitions learned from."""
    episodes: int
    """Episodes finished while learning."""
    learns: bool = True
    """Learns from steps (a planner computes its values from the model instead: nothing to
    train, save or turn)."""
    continuous: bool = False
    """Chooses continuous action vectors (:attr:`action` is their space)."""
    action: dict[str, Any] | None = None
    """The continuous action space (a Box, as :func:`describe_space` gives it), else None."""
    last_metrics: Mapping[str, float] = MappingProxyType({})
    """What its latest update measured (losses, entropy …), by name: the Training panel and
    the TensorBoard logs show them (the kind's spec names which)."""


class SettingError(ValueError):
    """A bad ``--set key=value``; the message is one sentence naming the valid keys."""


def apply_settings(config: Any, settings: dict[str, str]) -> Any:
    """A copy of dataclass ``config`` with ``key=value`` strings parsed into its field types,
    checked against the config's :class:`Limit` s.

    Raises:
        SettingError: unknown key, a value of the wrong type or out of range.
    """
    import dataclasses

    by_name = {f.name: f for f in fields(config)}
    changes: dict[str, Any] = {}
    renamed: dict[str, str] = getattr(config, "RENAMED", {})
    for key, raw in settings.items():
        if key not in by_name and key in renamed:
            raise SettingError(
                f"The setting '{key}' of {kind_label(config)} is now called '{renamed[key]}'; use {renamed[key]}={raw}."
            )
        if key not in by_name:
            raise SettingError(
                f"Unknown setting '{key}' for {kind_label(config)}; valid keys: " + ", ".join(sorted(by_name)) + "."
            )
        current = getattr(config, key)
        changes[key] = _parse(key, raw, current)
    new = dataclasses.replace(config, **changes)
    check_config(new)
    return new


def kind_label(config: Any) -> str:
    """How messages name a config: ``the dqn agent``."""
    kinds = getattr(config, "KINDS", None)
    return f"the {' / '.join(kinds)} agent" if kinds else type(config).__name__


@dataclass(frozen=True)
class Limit:
    """The values one setting may take: a closed range (or half-open with ``low_open``),
    a set of choices, and for tuples, how many elements."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    """``low`` itself is not allowed (a learning rate of 0 learns nothing)."""
    choices: tuple[str, ...] | None = None
    length: tuple[int, int] | None = None
    """(fewest, most) elements of a tuple setting."""

    def describe(self) -> str:
        if self.choices is not None:
            return "one of " + ", ".join(self.choices)
        if self.low is not None and self.high is not None:
            if self.low_open:
                return f"above {_n(self.low)} and at most {_n(self.high)}"
            return f"from {_n(self.low)} to {_n(self.high)}"
        if self.low is not None:
            return f"above {_n(self.low)}" if self.low_open else f"at least {_n(self.low)}"
        if self.high is not None:
            return f"at most {_n(self.high)}"
        return "a finite number"

    def problem(self, key: str, value: Any) -> str | None:
        """One sentence if ``value`` is outside the limit, else None."""
        if isinstance(value, tuple):
            if self.length is not None and not self.length[0] <= len(value) <= self.length[1]:
                lo, hi = self.length
                return f"Setting '{key}' takes {lo} to {hi} values, not {len(value)}."
            for v in value:
                problem = self.problem(key, v)
                if problem is not None:
                    return problem
            return None
        if self.choices is not None:
            if not isinstance(value, str) or value not in self.choices:
                return f"Setting '{key}' must be {self.describe()}, not '{short(str(value))}'."
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return None  # booleans and free strings: their type was checked when parsed
        # A float is checked by isfinite, an int (of any size: numpy's isfinite refuses one past
        # 2^64) by its magnitude alone.
        if (isinstance(value, float) and not math.isfinite(value)) or abs(value) > INT64_MAX:
            return f"Setting '{key}' must be a finite number below 2^63, not {short(str(value))}."
        too_low = self.low is not None and (value <= self.low if self.low_open else value < self.low)
        too_high = self.high is not None and value > self.high
        if too_low or too_high:
            return f"Setting '{key}' must be {self.describe()}, not {_n(value)}."
        return None


INT64_MAX = 2**63 - 1


def _n(x: float) -> str:
    """1000000 as 1,000,000, 0.5 as 0.5."""
    return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"


PROBABILITY = Limit(0.0, 1.0)
"""Discounts and exploration rates."""
STEPS = Limit(0, 10**12)
"""A count of environment steps."""


def check_config(config: Any) -> None:
    """Every field of ``config`` within its ``LIMITS``, then the config's own ``problems()``
    (settings that must agree with each other).

    Raises:
        SettingError: the first problem, as one sentence naming the valid range.
    """
    limits: dict[str, Limit] = getattr(config, "LIMITS", {})
    for f in fields(config):
        limit = limits.get(f.name)
        if limit is not None:
            problem = limit.problem(f.name, getattr(config, f.name))
            if problem is not None:
                raise SettingError(problem)
    own = getattr(config, "problems", None)
    if own is not None:
        for problem in own():
            raise SettingError(problem)


def _parse(key: str, raw: str, current: Any) -> Any:
    try:
        if isinstance(current, bool):
            lowered = raw.strip().lower()
            if lowered not in ("true", "false", "1", "0", "yes", "no", "on", "off"):
                raise ValueError
            return lowered in ("true", "1", "yes", "on")
        if isinstance(current, int):
            value = float(raw)
            if not np.isfinite(value) or value != int(value):
                raise ValueError
            if abs(value) > INT64_MAX:
                raise SettingError(f"Setting '{key}' must be below 2^63, not {raw}.")
            return int(value)
        if isinstance(current, float):
            value = float(raw)
            if not np.isfinite(value):
                raise ValueError
            return value
        if isinstance(current, tuple):
            cast = type(current[0]) if current else float
            parts = tuple(float(v) for v in raw.split(","))
            if not all(np.isfinite(v) for v in parts) or (cast is int and any(v != int(v) for v in parts)):
                raise ValueError
            if cast is int and any(abs(v) > INT64_MAX for v in parts):
                raise SettingError(f"Setting '{key}' takes whole numbers below 2^63, not {short(raw)}.")
            return tuple(cast(v) for v in parts)
        return type(current)(raw) if current is not None else raw
    except SettingError:
        raise
    except (ValueError, TypeError, IndexError):
        if isinstance(current, tuple):
            example = ",".join(str(v) for v in current) or "1.0,2.0"
            raise SettingError(
                f"Setting '{key}' needs comma-separated numbers like {example}, not '{short(raw)}'."
            ) from None
        kind = {"int": "a whole number", "float": "a number", "bool": "true or false"}.get(
            type(current).__name__, f"a {type(current).__name__}"
        )
        raise SettingError(f"Setting '{key}' needs {kind}, not '{short(raw)}'.") from None


@dataclass(frozen=True)
class SpaceInfo:
    """What an agent needs to know about an env's spaces, JSON-friendly for saves."""

    observation: dict[str, Any]
    n_actions: int
    """Discrete actions (0 when the actions are continuous)."""
    action: dict[str, Any] | None = None
    """A continuous action space (a Box, as :func:`describe_space` gives it), else None."""

    @classmethod
    def from_env(cls, env: Any) -> SpaceInfo:
        space = env.action_space
        observation = describe_space(env.observation_space)
        if type(space).__name__ == "Box":
            return cls(observation=observation, n_actions=0, action=describe_space(space))
        return cls(observation=observation, n_actions=int(space.n))

    @property
    def continuous(self) -> bool:
        return self.action is not None

    @property
    def frames(self) -> bool:
        """The observations are stacked uint8 frames (Atari), which only a convolutional
        network learns from."""
        return is_frames(self.observation)


def is_frames(observation: dict[str, Any]) -> bool:
    """Whether a described observation space is stacked uint8 frames (channels, height, width)."""
    return (
        observation.get("type") == "Box"
        and observation.get("dtype") == "uint8"
        and len(observation.get("shape", ())) == 3
    )


def describe_space(space: Any) -> dict[str, Any]:
    """A gymnasium space as plain JSON data (Discrete, Tuple of Discrete, Box; a Box of uint8
    frames, channels first, is marked ``"dtype": "uint8"`` with one low and one high bound)."""
    name = type(space).__name__
    if name == "Discrete":
        return {"type": "Discrete", "n": int(space.n)}
    if name == "Tuple":
        return {"type": "Tuple", "spaces": [describe_space(s) for s in space.spaces]}
    if name == "Box":
        low, high = np.asarray(space.low).ravel(), np.asarray(space.high).ravel()
        if np.dtype(space.dtype) == np.uint8 and len(space.shape) == 3:
            # Frames (channels, height, width): one bound for every pixel, not 28k of them.
            return {
                "type": "Box",
                "shape": list(space.shape),
                "dtype": "uint8",
                "low": [float(low.min())],
                "high": [float(high.max())],
            }
        return {
            "type": "Box",
            "shape": list(space.shape),
            "low": [float(x) for x in low],
            "high": [float(x) for x in high],
        }
    raise ValueError(f"rltui agents do not handle {name} observation spaces.")
