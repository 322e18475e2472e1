"""The explain view's group of the snapshot (``X`` in the play screen): the update the agent
made at the step shown, as :mod:`agents.explain` writes it.

It is filled only while the panel is open (the owner fills only the groups a panel shown
reads), and remembers the last one it made: the same step, the same agent state, the same
explanation, without computing it again at every snapshot.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

from agents.base import Transition
from agents.explain import MAX_AFTER, Explanation, explain
from agents.protocols import Planner
from rltui.live.snapshot import Parts, snapshot_group

GROUP = "explain"


@dataclass(frozen=True)
class ExplainView:
    """What the explain panel draws."""

    step: int
    """The step shown (0: the episode's first state)."""
    explanation: Explanation | None
    reason: str | None = None
    """Why there is nothing to explain, in one sentence."""
    looking_back: bool = False

    @classmethod
    def fill(cls, parts: Parts) -> ExplainView:
        cache = _CACHES.get(parts)
        if cache is None:
            cache = _CACHES[parts] = _Cache()
        return cache.get(parts)


class _Cache:
    def __init__(self) -> None:
        self.key: tuple[Any, ...] | None = None
        self.view: ExplainView | None = None

    def get(self, parts: Parts) -> ExplainView:
        agent, timeline, session = parts.ctx.agent, parts.timeline, parts.ctx.session
        entries = timeline.entries
        shown = timeline.view if timeline.view is not None else len(entries) - 1
        # The same step of the same episode, and an agent that has not learned since: the same
        # explanation (a planner's sweeps and a network's updates are in its counters).
        counters = None if agent is None else tuple(agent.counters().items())
        key = (id(agent), id(session.episode), shown, len(entries), counters)
        if key != self.key or self.view is None:
            self.key, self.view = key, _view(agent, timeline, session, shown)
        return self.view


_CACHES: weakref.WeakKeyDictionary[Any, _Cache] = weakref.WeakKeyDictionary()
"""One per play-along owner (its publisher)."""


def _view(agent: Any, timeline: Any, session: Any, shown: int) -> ExplainView:
    looking_back = timeline.view is not None
    if agent is None:
        return ExplainView(shown, None, "No agent: press tab to hand the env to one, then X explains its updates.")
    if shown < 0 or not timeline.entries:
        return ExplainView(0, None, "Nothing played yet.")
    step = _transition(timeline, session, shown)
    if step is None:
        if isinstance(agent, Planner):
            obs = timeline.entries[shown].obs
            step = Transition(obs, 0, 0.0, obs, False, False)
        else:
            return ExplainView(shown, None, "The episode's first state: no step has led here yet.", looking_back)
    after = [step]
    for i in range(shown + 1, min(len(timeline.entries), shown + 1 + MAX_AFTER)):
        later = _transition(timeline, session, i)
        if later is None:
            break
        after.append(later)
    try:
        explanation = explain(agent, step, timeline.entries[shown].update, after)
    except Exception as exc:  # noqa: BLE001 - a kind's explainer must never stop the owner
        return ExplainView(shown, None, f"This step cannot be explained: {exc}", looking_back)
    if explanation is None:
        return ExplainView(shown, None, f"The {agent.kind} agent has no update to explain.", looking_back)
    return ExplainView(shown, explanation, None, looking_back)


def _transition(timeline: Any, session: Any, i: int) -> Transition | None:
    """The step that led to entry ``i``, with how the episode stood after it (its end, the
    time limit's cut) when it is the last step played."""
    step = timeline.transition_to(i)
    if step is None:
        return None
    last = session.last
    if i == session.episode.steps and last is not None and last.t == step.t:
        return last
    return step


__all__ = ["GROUP", "ExplainView", "snapshot_group"]

snapshot_group(GROUP)(ExplainView)
