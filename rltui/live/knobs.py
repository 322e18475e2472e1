"""Live knobs: the settings a person may change while the agent runs, and the change itself.

A knob is one of the agent's settings (its config field) or ``epsilon``, a shortcut that holds
ε at a value from now on (the schedule's start and end both set to it). A change is checked as
``--set`` is (type and range), applied with the agent's ``reconfigure`` (so a DQN's optimiser
takes a new learning rate at once), and takes effect at the agent's next step.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from agents.base import SettingError, apply_settings

EPSILON = "epsilon"


@dataclass(frozen=True)
class Knob:
    """One setting a person can turn while the agent runs."""

    key: str
    """The config field (or :data:`EPSILON`)."""
    label: str
    """Short, for the dialog and the plot's marks."""
    meaning: str
    """One line on what turning it does."""


KNOBS: tuple[Knob, ...] = (
    Knob("alpha", "α", "step size: how far each TD error moves Q(s,a)"),
    Knob(EPSILON, "ε", "exploration from now on, held there (sets the schedule's start and end)"),
    Knob("epsilon_end", "ε end", "where the schedule ends"),
    Knob("epsilon_decay_steps", "ε decay steps", "steps of the agent's life over which ε falls to its end"),
    Knob("gamma", "γ", "discount: the agent's targets and the returns panel, together"),
    Knob("learning_rate", "learning rate", "the optimiser's step size"),
    Knob("entropy_coef", "entropy coef", "the entropy bonus: how much the policy is pushed to explore"),
)
PACE = Knob("pace", "pace", "real time's steps per second (+ and - step it too)")
"""Not the agent's: the env's clock in real time, there with or without an agent."""
WORLD_KNOBS: tuple[Knob, ...] = (
    Knob("slip", "slip", "the world's: chance a move slides to a side instead (CS188's noise), next episode on"),
    Knob("living_reward", "living reward", "the world's: reward of every other move, next episode on"),
)
"""Not the agent's: a grid map's settings (:mod:`rltui.envs.gridmap`), changed at the next
episode (:mod:`rltui.live.world`); the agent keeps its values."""
BY_KEY = {knob.key: knob for knob in (*KNOBS, PACE, *WORLD_KNOBS)}
WORLD_KEYS = frozenset(knob.key for knob in WORLD_KNOBS)


def world_knobs_for(grid_map: Any) -> list[tuple[Knob, Any]]:
    """The world's knobs with their values now: a grid map's slip and living reward; none for
    an env not drawn from a map (None)."""
    if grid_map is None:
        return []
    return [(knob, getattr(grid_map, knob.key)) for knob in WORLD_KNOBS]


def check_world(changes: dict[str, str]) -> dict[str, float]:
    """The world knobs' texts (key -> text) as numbers, checked as a map file's settings are.

    Raises:
        SettingError: not a world knob, not a number, not finite or out of range (one sentence).
    """
    from rltui.envs.gridmap import MapError, setting_value

    out = {}
    for key, raw in changes.items():
        if key not in WORLD_KEYS:
            raise SettingError(f"'{key}' is not a setting of the world.")
        try:
            out[key] = float(setting_value(key, raw))
        except MapError as exc:
            raise SettingError(f"{str(exc).replace(key, BY_KEY[key].label, 1).rstrip('.')}.") from None
    return out


def knobs_for(agent: Any) -> list[tuple[Knob, Any]]:
    """The knobs ``agent`` has, each with its value now (ε: the current ε, not the schedule's);
    none for no agent or one that learns nothing."""
    if agent is None or not agent.learns:
        return []
    config = agent.config
    names = {f.name for f in dataclasses.fields(config)} - _not_knobs(agent.kind)
    out = []
    for knob in KNOBS:
        if knob.key == EPSILON:
            if {"epsilon_start", "epsilon_end"} <= names:
                out.append((knob, float(agent.epsilon)))
        elif knob.key in names:
            out.append((knob, getattr(config, knob.key)))
    return out


def _not_knobs(kind: str) -> frozenset[str]:
    """The kind's settings named as a knob is that mean something else (its spec says which)."""
    from agents.registry import BY_NAME

    found = BY_NAME.get(kind)
    return found.not_knobs if found is not None else frozenset()


def check(agent: Any, changes: dict[str, str]) -> Any:
    """The agent's config with ``changes`` (knob key -> text) made, without touching the agent
    (a dialog checks with this before it closes).

    Raises:
        SettingError: a value of the wrong type or out of range, or not a knob of this agent
            (one sentence).
    """
    have = {knob.key for knob, _ in knobs_for(agent)}
    for key in changes:
        if key not in have:
            raise SettingError(f"'{key}' is not a knob of the {agent.kind if agent is not None else ''} agent.")
    for key, raw in changes.items():
        if not raw.strip():
            raise SettingError(f"{BY_KEY[key].label} needs a value.")
    settings: dict[str, str] = {}
    if EPSILON in changes:  # first: a schedule's end given beside it wins
        settings["epsilon_start"] = settings["epsilon_end"] = changes[EPSILON].strip()
    settings.update({key: raw.strip() for key, raw in changes.items() if key != EPSILON})
    try:
        return apply_settings(agent.config, settings)
    except SettingError as exc:  # in the knob's words: ε, not the schedule's fields
        raise SettingError(str(exc).replace("'epsilon_start'", "ε")) from None


def check_pace(text: str) -> float:
    """The pace field's text as steps per second, checked as ``play --fps`` is.

    Raises:
        SettingError: not a number, or outside the paces a person may set (one sentence).
    """
    from rltui.live.realtime import MAX_FPS, MIN_FPS, check_fps

    try:
        fps = float(text.strip())
    except ValueError:
        from agents.files import short

        raise SettingError(f"pace must be a number of steps per second, not '{short(text.strip())}'.") from None
    try:
        return check_fps(fps)
    except ValueError:  # the same range, said in the field's words
        raise SettingError(f"pace must be from {MIN_FPS:g} to {MAX_FPS:g} steps per second, not {fps:g}.") from None


def retune(agent: Any, changes: dict[str, str]) -> list[str]:
    """Apply ``changes`` (knob key -> text) to ``agent``; returns what changed, in words
    (``ε 0.23 → 0``), empty when nothing did.

    Raises:
        SettingError: as :func:`check`, or a change the agent refuses; the agent is left as it was.
    """
    have = {knob.key: value for knob, value in knobs_for(agent)}
    new = check(agent, changes)
    said = []
    for key in changes:
        after = float(new.epsilon_start) if key == EPSILON else getattr(new, key)
        if after != have[key]:
            said.append(f"{BY_KEY[key].label} {_show(have[key])} → {_show(after)}")
    if not said:
        return []
    try:
        agent.reconfigure(new)
    except ValueError as exc:
        raise SettingError(str(exc)) from None
    return said


def _show(x: Any) -> str:
    return f"{x:,}" if isinstance(x, int) else f"{x:.4g}" if isinstance(x, float) else str(x)
