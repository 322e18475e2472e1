"""What the UI can ask of the play-along owner.

:class:`Controls` is the facade the UI calls (the owner, :class:`rltui.live.playalong.PlayAlong`,
is one): each method is called from the UI thread, queues its twin of :class:`Commands` in the
:class:`rltui.live.inbox.Inbox` and returns at once; the twin runs in the owner thread, where
every change of state happens, on the parts it is given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rltui.envs.session import AGENT, HUMAN
from rltui.live.clock import Clock
from rltui.live.context import SPEEDS, Context
from rltui.live.handoff import HandOff
from rltui.live.inbox import Inbox
from rltui.live.progress import Progress
from rltui.live.publishing import ValueMap
from rltui.live.timeline import Timeline

__all__ = ["SPEEDS", "Commands", "Controls", "Steps"]


class Controls:
    """Requests (UI thread): each queues its twin in ``commands`` and returns at once."""

    def __init__(self, inbox: Inbox, commands: Commands) -> None:
        self.inbox = inbox
        self.commands = commands

    # --- the UI side: queue, return at once ----------------------------------------------------

    def act(self, action: int) -> None:
        """A person's action: it takes the wheel back from the agent."""
        self.inbox.put(self.commands.act, int(action))

    def toggle_control(self) -> None:
        """Tab: hand control to the agent (made first if there is none yet), or take it back."""
        self.inbox.put(self.commands.toggle_control)

    def pause(self) -> None:
        self.inbox.put(self.commands.pause)

    def step_once(self) -> None:
        """One agent step, then pause."""
        self.inbox.put(self.commands.step_once)

    def faster(self) -> None:
        self.inbox.put(self.commands.faster)

    def slower(self) -> None:
        self.inbox.put(self.commands.slower)

    def toggle_full_speed(self) -> None:
        """f: the agent runs flat out; pressed again while it does, back to the slow speed."""
        self.inbox.put(self.commands.toggle_full_speed)

    def toggle_learning(self) -> None:
        self.inbox.put(self.commands.toggle_learning)

    def toggle_realtime(self) -> None:
        """Real time (the env keeps moving while a person drives) or turn by turn."""
        self.inbox.put(self.commands.toggle_realtime)

    def toggle_learn_from_human(self) -> None:
        self.inbox.put(self.commands.toggle_learn_from_human)

    def new_episode(self) -> None:
        self.inbox.put(self.commands.new_episode)

    def scrub(self, where: Any) -> None:
        """Move the timeline view: a step delta, ``"home"`` or ``"end"``."""
        self.inbox.put(self.commands.scrub, where)

    def show_values(self, on: bool) -> None:
        """The value map is on screen (computed only then)."""
        self.inbox.put(self.commands.show_values, bool(on))

    def retune(self, changes: dict[str, str]) -> None:
        """Turn the agent's knobs (see :mod:`rltui.live.knobs`): from its next step on."""
        self.inbox.put(self.commands.retune, dict(changes))

    def set_pace(self, fps: float) -> None:
        """Real time's pace in steps per second (checked: :func:`rltui.live.knobs.check_pace`)."""
        self.inbox.put(self.commands.set_pace, float(fps))

    def set_agent(self, agent: Any) -> None:
        self.inbox.put(self.commands.set_agent, agent)

    def ensure_agent(self) -> None:
        """Start making the default agent now, without handing it control."""
        self.inbox.put(self.commands.ensure_agent)

    def call(self, fn: Callable[[Any], None]) -> None:
        """Run ``fn(owner)`` in the owner thread (saving, for one): ``self`` is the owner."""
        self.inbox.put(fn, self)


@dataclass(frozen=True)
class Steps:
    """What the owner itself does, that a command may ask for (owner thread)."""

    human: Callable[[int], None]
    """A person's step, turn by turn."""
    agent: Callable[[], None]
    """One agent step."""
    new_episode: Callable[[], None]
    attach: Callable[[Any], None]
    """Play along with this agent from now on."""


class Commands:
    """The UI's requests, made in the owner thread on the parts they concern."""

    def __init__(
        self,
        ctx: Context,
        clock: Clock,
        timeline: Timeline,
        handoff: HandOff,
        progress: Progress,
        values: ValueMap,
        steps: Steps,
    ) -> None:
        self.ctx, self.clock, self.timeline, self.handoff = ctx, clock, timeline, handoff
        self.progress, self.values, self.steps = progress, values, steps

    def act(self, action: int) -> None:
        mode, timeline = self.ctx.mode, self.timeline
        if mode.controller == AGENT and self.ctx.session.episode.done and timeline.view is None:
            self.steps.new_episode()  # the agent's episode just ended: the person starts the next
        mode.controller = HUMAN  # a person's key takes the wheel back
        self.handoff.wishes.clear()  # ... and cancels what tab or f asked of an agent still loading
        if self.clock.realtime:
            self.clock.press(action, looking_back=timeline.view is not None)
        else:
            self.steps.human(action)

    def toggle_realtime(self) -> None:
        self.clock.toggle()

    def toggle_control(self) -> None:
        mode = self.ctx.mode
        self.clock.stop()  # whoever drives next, the person's clock stops
        if mode.controller == AGENT:
            mode.controller = HUMAN
        elif self.handoff.request("control"):
            mode.controller = AGENT
            mode.paused = False
            mode.stopped_reason = None

    def pause(self) -> None:
        if self.handoff.request(None):
            self.ctx.mode.paused = not self.ctx.mode.paused

    def step_once(self) -> None:
        if self.handoff.request("step"):
            self.ctx.mode.controller = AGENT
            self.ctx.mode.paused = True
            self.steps.agent()

    def faster(self) -> None:
        if self._pacing():
            self.clock.step_pace(faster=True)
            return
        mode = self.ctx.mode
        mode.speed = len(SPEEDS) - 1 if mode.full_speed else min(mode.speed + 1, len(SPEEDS) - 1)
        mode.full_speed = False

    def slower(self) -> None:
        if self._pacing():
            self.clock.step_pace(faster=False)
            return
        mode = self.ctx.mode
        # From full speed, one step down is the fastest counted speed, not the last one used.
        mode.speed = len(SPEEDS) - 1 if mode.full_speed else max(mode.speed - 1, 0)
        mode.full_speed = False

    def _pacing(self) -> bool:
        """``+`` and ``-`` set real time's pace while a person drives (the agent's speed else)."""
        return self.clock.realtime and self.ctx.mode.controller == HUMAN

    def set_pace(self, pace: float) -> None:
        self.clock.set_pace(pace)

    def toggle_full_speed(self) -> None:
        mode = self.ctx.mode
        agent_running = mode.controller == AGENT and not mode.paused
        if agent_running and mode.full_speed:
            mode.full_speed = False
        elif self.handoff.request("full_speed"):
            mode.full_speed = True
            mode.controller = AGENT
            mode.paused = False

    def show_values(self, on: bool) -> None:
        self.values.show(on)  # shown again: drawn afresh, not as it was when hidden

    def new_episode(self) -> None:
        self.steps.new_episode()

    def scrub(self, where: Any) -> None:
        self.timeline.scrub(where)
        if self.timeline.view is not None:
            self.clock.running = False  # real time stops while a person looks back
            if self.ctx.agent is not None:
                self.ctx.mode.paused = True  # the agent waits while a person looks back

    def set_agent(self, agent: Any) -> None:
        self.steps.attach(agent)

    def ensure_agent(self) -> None:
        self.handoff.request(None)

    def retune(self, changes: dict[str, str]) -> None:
        from agents.base import SettingError
        from rltui.live.handoff import agent_gamma
        from rltui.live.knobs import retune

        ctx = self.ctx
        if ctx.agent is None:
            ctx.say("information", "There is no agent to tune: press tab to bring one in.")
            return
        try:
            said = retune(ctx.agent, changes)
        except SettingError as exc:
            ctx.say("error", str(exc))
            return
        if not said:
            return
        gamma = agent_gamma(ctx.agent)
        if gamma is not None and gamma != ctx.session.gamma:
            ctx.session.set_gamma(gamma)  # one γ: the returns panel discounts with the agent's
        text = ", ".join(said)
        step = ctx.session.episode.steps
        self.progress.knob_turned(text)
        live = self.timeline.live()
        if live is not None:
            live.knob = text
        ctx.say("information", f"{text}: from the agent's next step (step {step} of this episode).")

    def toggle_learning(self) -> None:
        self.ctx.mode.learning = not self.ctx.mode.learning

    def toggle_learn_from_human(self) -> None:
        from agents.protocols import PolicyAgent
        from agents.registry import BY_NAME, OFF_POLICY, kinds_for

        ctx, agent = self.ctx, self.ctx.agent
        spec = BY_NAME.get(agent.kind) if agent is not None else None
        if spec is not None and not spec.off_policy:
            cut = (
                ": your moves end its rollout where you take over, bootstrapped from V(s)"
                if isinstance(agent, PolicyAgent)
                else ""
            )
            # The registry's off-policy kinds, those that play this env (all of them if none do).
            learners = [k for k in kinds_for(ctx.session.env) if k in OFF_POLICY]
            lead = f"Of the kinds that play {ctx.session.entry.id}, " if learners else ""
            learners = learners or [k for k in BY_NAME if k in OFF_POLICY]
            them = " and ".join([", ".join(learners[:-1]), learners[-1]] if len(learners) > 1 else learners)
            ctx.say(
                "information",
                f"{spec.name} learns only from its own moves (on-policy), never "
                f"from yours{cut}. {lead}{them} learn{'s' if len(learners) == 1 else ''} from yours.",
            )
            return
        ctx.mode.learn_from_human = not ctx.mode.learn_from_human
