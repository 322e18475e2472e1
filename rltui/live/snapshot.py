"""What the play-along owner publishes: one frozen snapshot of everything the panels show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
class Snapshot:
    """Everything the panels show, copied, at one moment."""

    seq: int
    scene: Any
    controller: str
    learning: bool
    paused: bool
    full_speed: bool
    speed: int
    has_agent: bool
    agent_kind: str | None
    loading: bool
    """An agent is being made (torch can take seconds to load); tab and f wait for it."""
    q_values: np.ndarray | None
    """Q(s_t, ·) for the current state."""
    greedy: int | None
    """The action the agent would take without exploring (the likeliest, for a policy)."""
    last: Transition | None
    last_outcome: str | None
    """What became of the last move when it was not what the action aims at (the ice: "slid
    right"), else None."""
    td_target: float | None
    td_error: float | None
    episode_steps: int
    episode_return: float
    discounted: float
    rewards_tail: tuple[float, ...]
    episode_done: bool
    gamma: float
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
    finished: tuple[tuple[ReturnsRow, ...], tuple[float, ...]] | None
    """The last finished episode: its steps and G_t for each."""
    values: Any = None
    """V(s) and greedy actions for the value map, or None."""
    learn_from_human: bool = True
    timeline: tuple[int, int] = (0, 0)
    """(step shown, steps recorded) of the current episode: the panel's "step i/n"."""
    viewing: bool = False
    """An earlier step is shown; acting from it branches."""
    finished_row: int | None = None
    """The G_t table's row for the step shown, when that table is this episode's."""
    unsaved_steps: int = 0
    """Steps the agent has learned from since it was made, loaded or last saved."""
    solved_at: float | None = None
    """The env's solved mark (the Training plot draws it)."""
    policy: PolicyView | None = None
    """For a policy agent (REINFORCE, PPO): what the Policy panel shows."""
    metrics: tuple[tuple[str, float], ...] = ()
    """A policy agent's latest update, as Spinning Up logs it (losses, entropy, KL …); SAC's
    (both Q losses, the policy loss, α, entropy)."""
    actions: ActionBeliefs | None = None
    """For a continuous-action agent: its policy's mean and spread, and its curve."""
    state_value: float | None = None
    """V(s) of the state shown, as the agent sees it."""
    realtime: bool = False
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
    knob_marks: tuple[tuple[int, str], ...] = ()
    """(episode, what changed) for each turn of the agent's knobs, for the Training plot."""
    knob_here: str | None = None
    """Looking back: the knobs a person turned at the step shown."""
    planning: str | None = None
    """For a planner (value or policy iteration): where its sweeps stand."""
    fps: float = 0.0
    """The env's own frames per second: real time's pace."""
    action_vectors: tuple[tuple[float, ...], ...] | None = None
    """A continuous env's named actions (a person's keys), to show a named action as a vector."""


@dataclass(frozen=True)
class PolicyView:
    """π(·|s), V(s) and where the agent stands in its update cycle."""

    pi: np.ndarray | None
    """π(·|s) over discrete actions (None: continuous ones, see :attr:`Snapshot.actions`)."""
    value: float
    advantage: float | None
    """The latest advantage estimate the agent computed (at its last update)."""
    phase: str
    """``collecting 37/256`` or ``collecting episode 1/2``."""
    updates: int
