"""Agent kinds by name: making a fresh agent with the right defaults and settings."""

from __future__ import annotations

import dataclasses
from typing import Any

from agents.base import SettingError, SpaceInfo, apply_settings
from agents.defaults import defaults_for
from agents.tabular import TABULAR_KINDS, TabularAgent, TabularConfig
from agents.value_iteration import (
    VALUE_ITERATION,
    ValueIterationAgent,
    ValueIterationConfig,
)

DQN = "dqn"
KINDS: tuple[str, ...] = (*TABULAR_KINDS, VALUE_ITERATION, DQN)
OFF_POLICY = frozenset({"q-learning", "expected-sarsa", DQN})
"""Kinds that learn from anyone's moves: a person's, a demonstration's, their own."""

DESCRIPTIONS = {
    "q-learning": "Q-learning: off-policy TD control, target r + γ max Q(s',·)",
    "sarsa": "SARSA: on-policy TD control, target r + γ Q(s',a')",
    "expected-sarsa": "Expected SARSA: target r + γ E_π[Q(s',·)]",
    "value-iteration": "Value iteration: Q* from the env's model P (no learning needed)",
    "dqn": "DQN: a neural Q-network with replay and a target network",
}


class AgentError(Exception):
    """A request for an agent that cannot be made; the message is one sentence."""


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise AgentError(f"Unknown agent kind '{kind}'; choose from: {', '.join(KINDS)}.")
    return kind


def default_config(kind: str) -> Any:
    """The config dataclass of ``kind`` with its own defaults (imports torch only for dqn)."""
    check_kind(kind)
    if kind == DQN:
        from agents.dqn import DQNConfig

        return DQNConfig()
    if kind == VALUE_ITERATION:
        return ValueIterationConfig()
    return TabularConfig()


def build_config(kind: str, env_id: str, gamma: float, settings: dict[str, str] | None = None) -> Any:
    """Config for ``kind`` on ``env_id``: own defaults < env defaults and γ < ``settings``.

    Args:
        gamma: the env's discount (its catalog entry owns it), so the agent's targets and the
            returns shown beside them agree; ``settings`` may still override it.

    Raises:
        AgentError: a bad setting (unknown key, wrong type or out of range).
    """
    config = default_config(kind)
    overrides = defaults_for(env_id, kind)
    overrides["gamma"] = gamma
    config = dataclasses.replace(config, **overrides)
    try:
        return apply_settings(config, settings or {})
    except SettingError as exc:
        raise AgentError(str(exc)) from None


def has_model(env: Any) -> bool:
    """Whether the env exposes a toy-text transition table ``P``."""
    return isinstance(getattr(env.unwrapped, "P", None), dict)


def make_agent(kind: str, env: Any, env_id: str, *, gamma: float,
               settings: dict[str, str] | None = None, seed: int | None = None) -> Any:
    """A fresh agent of ``kind`` for ``env``.

    Args:
        gamma: the env's discount (see :func:`build_config`).

    Raises:
        AgentError: unknown kind, bad settings, or a kind that cannot handle this env.
    """
    config = build_config(kind, env_id, gamma, settings)
    space = SpaceInfo.from_env(env)
    try:
        if kind == VALUE_ITERATION:
            if not has_model(env):
                raise AgentError(
                    f"value-iteration needs the env's transition model P, which {env_id} does not "
                    "expose; Taxi-v4, FrozenLake, CliffWalking-v1 and PortalRescue-v0 do."
                )
            return ValueIterationAgent(env.unwrapped.P, space.n_actions, config)
        if kind == DQN:
            from agents.dqn import DQNAgent

            return DQNAgent(space.observation, space.n_actions, config, seed=seed)
        return TabularAgent(kind, space.observation, space.n_actions, config, seed=seed)
    except ValueError as exc:
        raise AgentError(f"{kind} cannot be made for {env_id}: {exc}") from None


def default_kind(env: Any) -> str:
    """The agent a person gets by pressing tab: Q-learning where a table fits, DQN otherwise."""
    space = SpaceInfo.from_env(env).observation
    return DQN if space["type"] == "Box" else "q-learning"


def kinds_for(env: Any) -> list[str]:
    """The agent kinds that can play ``env``."""
    kinds = [k for k in TABULAR_KINDS]
    if has_model(env):
        kinds.append(VALUE_ITERATION)
    kinds.append(DQN)
    return kinds
