"""What the UI can ask of the play-along owner.

Each public method is called from the UI thread: it queues its private twin in the owner's
:class:`rltui.live.inbox.Inbox` and returns at once; the twin runs in the owner thread, where
every change of state happens. Part of :class:`rltui.live.playalong.PlayAlong`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rltui.envs.session import AGENT, HUMAN

SPEEDS = (1, 2, 4, 8, 16, 32, 64, 128)
"""Agent steps per second at the slow settings; full speed is separate."""


class Controls:
    """Requests (UI thread) and their handling (owner thread)."""

    # --- the UI side: queue, return at once ----------------------------------------------------

    def act(self, action: int) -> None:
        """A person's action: it takes the wheel back from the agent."""
        self.inbox.put(self._act, int(action))

    def toggle_control(self) -> None:
        """Tab: hand control to the agent (made first if there is none yet), or take it back."""
        self.inbox.put(self._toggle_control)

    def pause(self) -> None:
        self.inbox.put(self._pause)

    def step_once(self) -> None:
        """One agent step, then pause."""
        self.inbox.put(self._step_once)

    def faster(self) -> None:
        self.inbox.put(self._faster)

    def slower(self) -> None:
        self.inbox.put(self._slower)

    def toggle_full_speed(self) -> None:
        """f: the agent runs flat out; pressed again while it does, back to the slow speed."""
        self.inbox.put(self._toggle_full_speed)

    def toggle_learning(self) -> None:
        self.inbox.put(self._toggle_learning)

    def toggle_realtime(self) -> None:
        """Real time (the env keeps moving while a person drives) or turn by turn."""
        self.inbox.put(self._toggle_realtime)

    def toggle_learn_from_human(self) -> None:
        self.inbox.put(self._toggle_learn_from_human)

    def new_episode(self) -> None:
        self.inbox.put(self._new_episode)

    def scrub(self, where: Any) -> None:
        """Move the timeline view: a step delta, ``"home"`` or ``"end"``."""
        self.inbox.put(self._scrub, where)

    def show_values(self, on: bool) -> None:
        """The value map is on screen (computed only then)."""
        self.inbox.put(self._show_values, bool(on))

    def retune(self, changes: dict[str, str]) -> None:
        """Turn the agent's knobs (see :mod:`rltui.live.knobs`): from its next step on."""
        self.inbox.put(self._retune, dict(changes))

    def set_pace(self, fps: float) -> None:
        """Real time's pace in steps per second (checked: :func:`rltui.live.knobs.check_pace`)."""
        self.inbox.put(self._set_pace, float(fps))

    def set_agent(self, agent: Any) -> None:
        self.inbox.put(self._attach, agent)

    def ensure_agent(self) -> None:
        """Start making the default agent now, without handing it control."""
        self.inbox.put(self._request_agent, None)

    def call(self, fn: Callable[[Any], None]) -> None:
        """Run ``fn(owner)`` in the owner thread (saving, for one)."""
        self.inbox.put(fn, self)

    # --- the owner thread ------------------------------------------------------------------------

    def _act(self, action: int) -> None:
        if self.controller == AGENT and self.session.episode.done and self.view is None:
            self._new_episode()  # the agent's episode just ended: the person starts the next
        self.controller = HUMAN  # a person's key takes the wheel back
        self._wishes.clear()  # ... and cancels what tab or f asked of an agent still loading
        if self.realtime:
            self._press(action)
        else:
            self._human_step(action)

    def _toggle_realtime(self) -> None:
        self.realtime = not self.realtime
        self.clock_running = False
        self.hold.release()
        mode = (f"real time: the env moves at {self.fps:g} steps/s and your keys push while held"
                if self.realtime else "turn by turn: the env waits for each key")
        self.say("information", f"Now {mode}.")

    def _toggle_control(self) -> None:
        self.clock_running = False  # whoever drives next, the person's clock stops
        self.hold.release()
        if self.controller == AGENT:
            self.controller = HUMAN
        elif self._request_agent("control"):
            self.controller = AGENT
            self.paused = False
            self.stopped_reason = None

    def _pause(self) -> None:
        if self._request_agent(None):
            self.paused = not self.paused

    def _step_once(self) -> None:
        if self._request_agent("step"):
            self.controller = AGENT
            self.paused = True
            self._agent_step()

    def _faster(self) -> None:
        if self._pacing():
            self._pace(faster=True)
            return
        self.speed = len(SPEEDS) - 1 if self.full_speed else min(self.speed + 1, len(SPEEDS) - 1)
        self.full_speed = False

    def _slower(self) -> None:
        if self._pacing():
            self._pace(faster=False)
            return
        # From full speed, one step down is the fastest counted speed, not the last one used.
        self.speed = len(SPEEDS) - 1 if self.full_speed else max(self.speed - 1, 0)
        self.full_speed = False

    def _pacing(self) -> bool:
        """``+`` and ``-`` set real time's pace while a person drives (the agent's speed else)."""
        return self.realtime and self.controller == HUMAN

    def _pace(self, faster: bool) -> None:
        from rltui.live.realtime import next_pace

        pace = next_pace(self.fps, faster)
        if pace == self.fps:
            self.say("information", f"Real time is at its {'fastest' if faster else 'slowest'} "
                     f"pace, {pace:g} steps/s.")
            return
        self._set_pace(pace)

    def _set_pace(self, pace: float) -> None:
        if pace == self.fps:
            return
        self.fps = pace
        self._frame_times = None  # the kept rate is counted afresh at the new pace
        self.say("information", f"Real time at {pace:g} steps/s (+/- change it; a key's push "
                 "lasts the same time at any pace).")

    def _toggle_full_speed(self) -> None:
        agent_running = self.controller == AGENT and not self.paused
        if agent_running and self.full_speed:
            self.full_speed = False
        elif self._request_agent("full_speed"):
            self.full_speed = True
            self.controller = AGENT
            self.paused = False

    def _show_values(self, on: bool) -> None:
        self.values_wanted = on
        self._values = None  # shown again: drawn afresh, not as it was when hidden
        self._values_due = 0.0

    def _retune(self, changes: dict[str, str]) -> None:
        from agents.base import SettingError
        from rltui.live.handoff import agent_gamma
        from rltui.live.knobs import retune

        if self.agent is None:
            self.say("information", "There is no agent to tune: press tab to bring one in.")
            return
        try:
            said = retune(self.agent, changes)
        except SettingError as exc:
            self.say("error", str(exc))
            return
        if not said:
            return
        gamma = agent_gamma(self.agent)
        if gamma is not None and gamma != self.session.gamma:
            self.session.set_gamma(gamma)  # one γ: the returns panel discounts with the agent's
        text = ", ".join(said)
        step = self.session.episode.steps
        self._knob_marks.append((self._episodes_shown(), text))
        if self._timeline and len(self._timeline) == step + 1:
            self._timeline[-1].knob = text
        self.say("information", f"{text}: from the agent's next step (step {step} of this episode).")

    def _toggle_learning(self) -> None:
        self.learning = not self.learning

    def _toggle_learn_from_human(self) -> None:
        from agents.protocols import PolicyAgent
        from agents.registry import BY_NAME, OFF_POLICY, kinds_for

        spec = BY_NAME.get(self.agent.kind) if self.agent is not None else None
        if spec is not None and not spec.off_policy:
            cut = (": your moves end its rollout where you take over, bootstrapped from V(s)"
                   if isinstance(self.agent, PolicyAgent) else "")
            # The registry's off-policy kinds, those that play this env (all of them if none do).
            learners = [k for k in kinds_for(self.session.env) if k in OFF_POLICY]
            lead = f"Of the kinds that play {self.session.entry.id}, " if learners else ""
            learners = learners or [k for k in BY_NAME if k in OFF_POLICY]
            them = " and ".join([", ".join(learners[:-1]), learners[-1]] if len(learners) > 1 else learners)
            self.say("information", f"{spec.name} learns only from its own moves (on-policy), never "
                     f"from yours{cut}. {lead}{them} learn{'s' if len(learners) == 1 else ''} from yours.")
            return
        self.learn_from_human = not self.learn_from_human
