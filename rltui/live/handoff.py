"""How an agent joins the play-along owner: made in a thread of its own (torch takes seconds
to load), then attached with its counters and its own discount.

:class:`HandOff` is a part of :class:`rltui.live.playalong.PlayAlong`: it holds what makes an
agent, whether one is being made (and the thread making it) and what was asked of it meanwhile;
the owner attaches what arrives (:func:`welcome` says what a new agent brings).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from rltui.envs.session import AGENT
from rltui.live.context import Context


class HandOff:
    """Bringing an agent in: on request, without making the person wait.

    Args:
        ctx: the owner's context.
        make_agent: builds an agent on first request (None: there is none to make).
        attach: the owner attaches an agent that arrives (owner thread).
        step: one agent step (for an ``n`` pressed while the agent loaded).
    """

    def __init__(
        self,
        ctx: Context,
        make_agent: Callable[[], Any] | None,
        attach: Callable[[Any], None],
        step: Callable[[], None],
    ) -> None:
        self.ctx = ctx
        self.make_agent = make_agent
        self.attach = attach
        self.step = step
        self.loading = False
        """A thread is making the agent (see :meth:`request`)."""
        self.wishes: set[str] = set()
        """What to do once the agent being made arrives: ``control``, ``full_speed``, ``step``."""
        self.thread: threading.Thread | None = None

    def request(self, wish: str | None) -> bool:
        """Whether an agent is here now. If not, start making one (once: repeated tabs while
        it loads change nothing) and remember ``wish`` for when it arrives."""
        if self.ctx.agent is not None:
            return True
        if self.make_agent is None:
            self.ctx.say("warning", "No agent here: open one with --agent or ctrl+o.")
            return False
        if wish is not None:
            self.wishes.add(wish)
        if not self.loading:
            self.loading = True
            # Made in a thread of its own: importing torch takes seconds, and the person's keys
            # (and the screen) must not wait for it.
            self.thread = threading.Thread(target=self._make_agent, name="rltui-make-agent", daemon=True)
            self.thread.start()
        return False

    def _make_agent(self) -> None:
        """The agent-making thread: hands the result to the owner thread as a call."""
        try:
            agent = self.make_agent()  # type: ignore[misc]
        except Exception as exc:  # shown as a notice: the person keeps playing
            self.ctx.inbox.put(self._agent_failed, str(exc).splitlines()[0] if str(exc) else repr(exc))
        else:
            self.ctx.inbox.put(self._agent_arrived, agent)

    def _agent_failed(self, reason: str) -> None:
        self.loading = False
        self.wishes.clear()
        self.ctx.say("error", f"The agent could not be made: {reason}")

    def _agent_arrived(self, agent: Any) -> None:
        self.loading = False
        self.attach(agent)
        wishes, self.wishes = self.wishes, set()
        mode, say = self.ctx.mode, self.ctx.say
        # The notice says what has happened (the key the person pressed while it loaded has
        # already taken effect), not what a key would do.
        if wishes & {"control", "full_speed"}:
            mode.controller = AGENT
            mode.paused = False
            mode.stopped_reason = None
            mode.full_speed = mode.full_speed or "full_speed" in wishes
            speed = "at full speed" if mode.full_speed else "in control"
            say("information", f"A fresh {agent.kind} agent is here and {speed}: tab takes control back.")
        elif "step" in wishes:
            mode.controller = AGENT
            mode.paused = True
            self.step()
            say(
                "information",
                f"A fresh {agent.kind} agent is here and took one step: n steps it again, tab hands it control.",
            )
        else:
            say(
                "information", f"A fresh {agent.kind} agent is here: tab hands it control, f lets it run at full speed."
            )


def welcome(ctx: Context, agent: Any, announce: bool) -> None:
    """A new agent is attached: it plays greedily if it has learned already (t trains it on),
    and the returns panel discounts with its own γ, so G_t and V(s_t) agree."""
    session = ctx.session
    # An agent that has learned already (a save) comes to be watched: it plays its greedy
    # policy, as `rltui eval` scores it, until t turns training back on. Mid-schedule, a
    # solved save's ε can still be high (training stops once a greedy evaluation solves the
    # env), and ε-greedy play would show the schedule, not what it learned.
    trained = agent.learns and agent.steps > 0
    ctx.mode.learning = not trained
    if trained:
        epsilon = agent.epsilon
        then = f" (from ε {epsilon:.3g})" if isinstance(epsilon, float) else ""
        ctx.say(
            "information",
            f"The {agent.kind} agent has learned for {agent.steps:,} steps: "
            f"it plays its greedy policy, and t goes on training it{then}.",
        )
    gamma = agent_gamma(agent)
    if gamma is not None and gamma != session.gamma:
        before = session.gamma
        session.set_gamma(gamma)
        if announce or gamma != session.entry.gamma:
            ctx.say(
                "information",
                f"γ is now {gamma:g}, the agent's discount (it was {before:g}): returns are discounted with it.",
            )


def track_td(agent: Any) -> None:
    from agents.protocols import TracksTD

    if isinstance(agent, TracksTD):
        agent.track_td = True


def agent_gamma(agent: Any) -> float | None:
    """The discount an agent's targets use, or None if it has none."""
    gamma = agent.config.gamma
    return float(gamma) if isinstance(gamma, (int, float)) else None
