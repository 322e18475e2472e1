"""How an agent joins the play-along owner: made in a thread of its own (torch takes seconds
to load), then attached with its counters and its own discount.

:class:`AgentHandOff` is part of :class:`rltui.live.playalong.PlayAlong` (owner thread).
"""

from __future__ import annotations

import threading
from typing import Any

from rltui.envs.session import AGENT


class AgentHandOff:
    """Bringing an agent in: on request, without making the person wait."""

    def _request_agent(self, wish: str | None) -> bool:
        """Whether an agent is here now. If not, start making one (once: repeated tabs while
        it loads change nothing) and remember ``wish`` for when it arrives."""
        if self.agent is not None:
            return True
        if self.make_agent is None:
            self.say("warning", "No agent here: open one with --agent or ctrl+o.")
            return False
        if wish is not None:
            self._wishes.add(wish)
        if not self.loading:
            self.loading = True
            # Made in a thread of its own: importing torch takes seconds, and the person's keys
            # (and the screen) must not wait for it.
            threading.Thread(target=self._make_agent, name="rltui-make-agent", daemon=True).start()
        return False

    def _make_agent(self) -> None:
        """The agent-making thread: hands the result to the owner thread as a call."""
        try:
            agent = self.make_agent()  # type: ignore[misc]
        except Exception as exc:  # shown as a notice: the person keeps playing
            self.inbox.put(self._agent_failed, str(exc).splitlines()[0] if str(exc) else repr(exc))
        else:
            self.inbox.put(self._agent_arrived, agent)

    def _agent_failed(self, reason: str) -> None:
        self.loading = False
        self._wishes.clear()
        self.say("error", f"The agent could not be made: {reason}")

    def _agent_arrived(self, agent: Any) -> None:
        self.loading = False
        self._attach(agent, announce=False)
        wishes, self._wishes = self._wishes, set()
        # The notice says what has happened (the key the person pressed while it loaded has
        # already taken effect), not what a key would do.
        if wishes & {"control", "full_speed"}:
            self.controller = AGENT
            self.paused = False
            self.stopped_reason = None
            self.full_speed = self.full_speed or "full_speed" in wishes
            speed = "at full speed" if self.full_speed else "in control"
            self.say("information", f"A fresh {agent.kind} agent is here and {speed}: "
                      "tab takes control back.")
        elif "step" in wishes:
            self.controller = AGENT
            self.paused = True
            self._agent_step()
            self.say("information", f"A fresh {agent.kind} agent is here and took one step: "
                      "n steps it again, tab hands it control.")
        else:
            self.say("information", f"A fresh {agent.kind} agent is here: "
                      "tab hands it control, f lets it run at full speed.")

    def _attach(self, agent: Any, announce: bool = True) -> None:
        """Play along with ``agent`` from now on: its counters go on from where they stood, and
        the returns panel discounts with the agent's own γ, so G_t and V(s_t) agree."""
        session = self.session
        self.agent = agent
        self._to_learn.clear()  # moves made for another agent (in its own action form)
        if session.observe_as(agent.kind):
            self._reobserve()  # a network agent sees MiniGrid's partial view, a table its state
        self._track_td()
        self._saved_steps = agent.steps
        self._episode_base = agent.episodes - session.episodes_finished
        self._step_base = agent.steps - session.total_steps
        self._returns.clear()
        self._evals.clear()
        self._knob_marks.clear()
        # An agent that has learned already (a save) comes to be watched: it plays its greedy
        # policy, as `rltui eval` scores it, until t turns training back on. Mid-schedule, a
        # solved save's ε can still be high (training stops once a greedy evaluation solves the
        # env), and ε-greedy play would show the schedule, not what it learned.
        trained = agent.learns and agent.steps > 0
        self.learning = not trained
        self._open_log(agent)
        self._values = None
        self._finished = None  # its V(s_t) column was another agent's
        if trained:
            epsilon = agent.epsilon
            then = f" (from ε {epsilon:.3g})" if isinstance(epsilon, float) else ""
            self.say("information", f"The {agent.kind} agent has learned for {agent.steps:,} steps: "
                      f"it plays its greedy policy, and t goes on training it{then}.")
        gamma = agent_gamma(agent)
        if gamma is not None and gamma != session.gamma:
            before = session.gamma
            session.set_gamma(gamma)
            if announce or gamma != session.entry.gamma:
                self.say("information", f"γ is now {gamma:g}, the agent's discount "
                          f"(it was {before:g}): returns are discounted with it.")

    def _open_log(self, agent: Any) -> None:
        """A TensorBoard run of its own for each agent that comes in (when asked for)."""
        if self._log is not None:
            self._log.close()
            self._log = None
        if self.tensorboard is None or not agent.learns:
            return
        from rltui.formats.tensorboard import RunLog, TensorBoardError

        try:
            self._log = RunLog(self.tensorboard, self.session.entry.id, agent.kind, self.session.seed,
                               agent=agent)
        except TensorBoardError as exc:
            self.say("error", f"No TensorBoard logs: {exc}")
            return
        self.say("information", f"TensorBoard logs go to {self._log.dir}.")

    def mark_saved(self) -> None:
        """The agent as it is now is on disk (owner thread)."""
        if self.agent is not None:
            self._saved_steps = self.agent.steps

    def _track_td(self) -> None:
        from agents.protocols import TracksTD

        if isinstance(self.agent, TracksTD):
            self.agent.track_td = True


def agent_gamma(agent: Any) -> float | None:
    """The discount an agent's targets use, or None if it has none."""
    gamma = agent.config.gamma
    return float(gamma) if isinstance(gamma, (int, float)) else None
