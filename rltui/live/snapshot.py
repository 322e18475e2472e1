"""What the play-along owner publishes: one frozen snapshot of everything the panels show,
in a frozen group per panel or concern.

The built-in groups are the fields of :class:`Snapshot`. A new panel's group is one frozen
dataclass with a ``fill(parts)`` classmethod, registered with :func:`snapshot_group`: the
publisher fills it with every snapshot a panel that names it is shown, and the panel reads it
as ``snap.group(name)``; nothing else is touched (see :mod:`rltui.ui.widgets.panel`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Protocol, TypeVar

import numpy as np

from agents.beliefs import ActionBeliefs
from rltui.envs.session import Transition


@dataclass(frozen=True)
class ReturnsRow:
    """One row of the G_t table of the finished episode."""

    t: int
    actor: str
    action: Any
    """An action's index, or a continuous action's vector."""
    reward: float
    value: float | None
    """V(s_t) as the agent saw it before the move: max_a Q(s_t, a), or a policy agent's
    critic (its baseline, so G_t − V(s_t) is the advantage it used)."""


@dataclass(frozen=True)
class Status:
    """Who drives and how: the status line, the Training panel's rows, the footer."""

    controller: str
    learning: bool
    paused: bool
    full_speed: bool
    speed: int
    """Agent steps per second at the slow setting."""
    has_agent: bool
    agent_kind: str | None
    loading: bool
    """An agent is being made (torch can take seconds to load); tab and f wait for it."""
    learn_from_human: bool = True
    unsaved_steps: int = 0
    """Steps the agent has learned from since it was made, loaded or last saved."""
    exercise: str | None = None
    """The learner's function in use (``--exercise``), as the Training panel says it."""


@dataclass(frozen=True)
class StepView:
    """The step shown and its episode so far: the env's picture, the last move, the rewards."""

    scene: Any
    last: Transition | None
    last_outcome: str | None
    """What became of the last move when it was not what the action aims at (the ice: "slid
    right"), else None."""
    steps: int
    """Steps of the episode up to the step shown."""
    return_: float
    discounted: float
    rewards_tail: tuple[float, ...]
    done: bool
    gamma: float


@dataclass(frozen=True)
class BeliefsView:
    """What the agent believes of the state shown (the Q-values panel)."""

    q_values: np.ndarray | None = None
    """Q(s_t, ·) for the current state."""
    greedy: int | None = None
    """The action the agent would take without exploring (the likeliest, for a policy)."""
    td_target: float | None = None
    td_error: float | None = None
    actions: ActionBeliefs | None = None
    """For a continuous-action agent: its policy's mean and spread, and its curve."""
    state_value: float | None = None
    """V(s) of the state shown, as the agent sees it."""
    action_vectors: tuple[tuple[float, ...], ...] | None = None
    """A continuous env's named actions (a person's keys), to show a named action as a vector."""


@dataclass(frozen=True)
class TrainingView:
    """The agent's counters and the plot's series (the Training panel)."""

    episodes: int
    """Episodes the agent has finished, counting those before it was loaded (without an
    agent: this session's)."""
    total_steps: int
    """Steps, counted the same way."""
    steps_per_second: float
    epsilon: float | None
    loss: float | None
    returns: tuple[tuple[int, float], ...]
    """(episode number, return) of the last :data:`HISTORY` episodes."""
    evals: tuple[tuple[int, float], ...]
    """(episode number, greedy evaluation mean), within the same episodes."""
    knob_marks: tuple[tuple[int, str], ...] = ()
    """(episode, what changed) for each turn of the agent's knobs, for the Training plot."""
    solved_at: float | None = None
    """The env's solved mark (the Training plot draws it)."""
    metrics: tuple[tuple[str, float], ...] = ()
    """A policy agent's latest update, as Spinning Up logs it (losses, entropy, KL …); SAC's
    (both Q losses, the policy loss, α, entropy)."""


@dataclass(frozen=True)
class TimelineView:
    """Where the step shown stands in the episode kept (the panel's "step i/n")."""

    shown: int = 0
    recorded: int = 0
    viewing: bool = False
    """An earlier step is shown; acting from it branches."""
    knob_here: str | None = None
    """Looking back: the knobs a person turned at the step shown."""


@dataclass(frozen=True)
class TableView:
    """The G_t table of the episode that ended last (the Returns panel)."""

    finished: tuple[tuple[ReturnsRow, ...], tuple[float, ...]] | None = None
    """Its steps and G_t for each; the same object until another episode ends."""
    row: int | None = None
    """The table's row for the step shown, when that table is this episode's."""


@dataclass(frozen=True)
class RealTimeView:
    """Real time: a person drives an env that keeps moving."""

    on: bool = False
    """A person drives in real time (the env keeps moving); else turn by turn."""
    clock_running: bool = False
    """Real time is running (a key started it; the episode's end or looking back stops it)."""
    frame_rate: float | None = None
    """Real-time frames per second kept since the clock last started (None before two)."""
    learning_behind: int = 0
    """A person's real-time moves the agent has yet to learn from (it learns in the time the
    env's clock leaves between frames)."""
    unlearned: int = 0
    """Real-time moves dropped unlearned because learning fell too far behind."""
    fps: float = 0.0
    """The env's own frames per second: real time's pace."""


@dataclass(frozen=True)
class Snapshot:
    """Everything the panels show, copied, at one moment: a group per concern, each filled in
    one place (:mod:`rltui.live.publishing`) and read by the panels that draw it."""

    seq: int
    status: Status
    step: StepView
    beliefs: BeliefsView
    training: TrainingView
    timeline: TimelineView = TimelineView()
    table: TableView = TableView()
    realtime: RealTimeView = RealTimeView()
    policy: PolicyView | None = None
    """For a policy agent (REINFORCE, PPO): what the Policy panel shows."""
    planning: str | None = None
    """For a planner (value or policy iteration): where its sweeps stand."""
    values: Any = None
    """V(s) and greedy actions for the value map, or None."""
    groups: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    """The registered groups (:func:`snapshot_group`) that a panel shown wants, by name."""

    def group(self, name: str) -> Any:
        """A group by name: a built-in one (a field) or a registered one (None: not filled)."""
        if name in BUILT_IN_GROUPS:
            return getattr(self, name)
        return self.groups.get(name)


@dataclass(frozen=True)
class PolicyView:
    """π(·|s), V(s) and where the agent stands in its update cycle."""

    pi: np.ndarray | None
    """π(·|s) over discrete actions (None: continuous ones, see :attr:`BeliefsView.actions`)."""
    value: float
    advantage: float | None
    """The latest advantage estimate the agent computed (at its last update)."""
    phase: str
    """``collecting 37/256`` or ``collecting episode 1/2``."""
    updates: int


BUILT_IN_GROUPS = frozenset(f.name for f in dataclasses.fields(Snapshot)) - {"seq", "groups"}
"""The groups every snapshot has (its fields)."""


class Parts(Protocol):
    """What a group's ``fill`` reads: the play-along owner's parts (in the owner thread;
    never a widget). Typed loosely here, since those parts' modules import this one."""

    ctx: Any
    """:class:`rltui.live.context.Context`: the env's session, the agent, who drives and how."""
    timeline: Any
    """:class:`rltui.live.timeline.Timeline`: the steps kept, the step shown."""
    learner: Any
    """:class:`rltui.live.learning.Learner`: the learning updates' figures."""
    progress: Any
    """:class:`rltui.live.progress.Progress`: counters, the plot's series, evaluations."""
    clock: Any
    """:class:`rltui.live.clock.Clock`: real time."""


G = TypeVar("G", bound=type)
GROUPS: dict[str, Callable[[Parts], Any]] = {}
"""Registered groups: name -> fill."""


def snapshot_group(name: str) -> Callable[[G], G]:
    """Register a class (a frozen dataclass with a ``fill(parts)`` classmethod) as the snapshot
    group ``name``; a panel naming ``name`` in its ``GROUPS`` reads it as ``snap.group(name)``."""
    if name in BUILT_IN_GROUPS:
        raise ValueError(f"{name!r} is a built-in group of the snapshot; choose another name.")

    def register(cls: G) -> G:
        fill = getattr(cls, "fill", None)
        if not callable(fill):
            raise TypeError(f"A snapshot group needs a fill(parts) classmethod; {cls.__name__} has none.")
        GROUPS[name] = fill
        return cls

    return register


def unregister_group(name: str) -> None:
    """Forget a registered group (a plugin unloaded, a test done)."""
    GROUPS.pop(name, None)
