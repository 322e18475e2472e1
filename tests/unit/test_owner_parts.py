"""Each part of the play-along owner is built and exercised on its own: given a context (and
the parts it works with), never the owner itself."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace
from typing import Any

import pytest

from rltui.envs import catalog
from rltui.envs.session import AGENT, HUMAN, Session
from rltui.live.clock import Clock
from rltui.live.context import SPEEDS, Context
from rltui.live.controls import Commands, Controls, Steps
from rltui.live.handoff import HandOff
from rltui.live.inbox import Notice
from rltui.live.learning import LEARN_BACKLOG, Learner, TensorBoardRuns
from rltui.live.progress import Progress
from rltui.live.publishing import Publisher, ValueMap
from rltui.live.snapshot import Snapshot
from rltui.live.timeline import Timeline

UP, LEFT = 0, 3  # CliffWalking's moves (up from the start: off the cliff)


def _ctx() -> tuple[Context, list[str]]:
    said: list[str] = []
    session = Session(catalog.resolve("CliffWalking-v1"), seed=0, render=False)
    return Context(session, deliver=lambda m: said.append(m.text) if isinstance(m, Notice) else None), said


class _Agent:
    """What the parts ask of an agent, and no more."""

    kind = "q-learning"
    learns = True
    epsilon = 0.5
    last_metrics: dict[str, float] = {}

    def __init__(self, steps: int = 0, episodes: int = 0) -> None:
        self.steps, self.episodes, self.seen = steps, episodes, []

    def observe(self, transition: Any) -> dict[str, float]:
        self.seen.append(transition)
        self.steps += 1
        return {"td_target": 1.5, "td_error": 0.5, "loss": 0.25}


def test_the_timeline_keeps_scrubs_and_branches_on_its_own() -> None:
    ctx, said = _ctx()
    timeline = Timeline(ctx)
    timeline.start()
    for _ in range(3):
        ctx.session.step(UP, actor=HUMAN)
        timeline.keep()
    assert len(timeline.entries) == 4 and timeline.view is None
    timeline.scrub(-2)
    assert timeline.view == 1 and timeline.transition_to(1).action == UP
    timeline.scrub("end")
    assert timeline.view is None
    timeline.scrub("home")
    timeline.branch()  # acting at step 0: the later steps go
    assert timeline.view is None and len(timeline.entries) == 1 and ctx.session.episode.steps == 0
    assert timeline.live() is timeline.entries[0] and not said


def test_the_timeline_makes_the_g_t_table_of_an_episode() -> None:
    ctx, _ = _ctx()
    timeline = Timeline(ctx)
    timeline.start()
    for _ in range(2):
        ctx.session.step(UP, actor=HUMAN)
        timeline.keep()
    timeline.finish(ctx.session.episode)
    rows, returns = timeline.finished
    assert [r.t for r in rows] == [0, 1] and returns == pytest.approx((-1 - ctx.session.gamma, -1.0))
    assert timeline.finished_episode is ctx.session.episode


def test_the_clock_holds_a_key_and_keeps_the_beat_on_its_own() -> None:
    ctx, said = _ctx()
    clock = Clock(ctx, rest=0, fps=10.0, realtime=True)
    clock.press(LEFT, looking_back=False)
    assert clock.running and clock.left(clock.next_frame) == 0
    assert clock.frame() == LEFT  # the held key's action
    assert clock.next_frame > 0 and clock.frame_times[2] == 1
    clock.set_pace(20.0)
    assert clock.fps == 20.0 and clock.frame_times is None and said[-1].startswith("Real time at 20")
    clock.stop()
    assert not clock.running and clock.frame() == 0  # let go: the rest action
    clock.toggle()
    assert not clock.realtime and said[-1].startswith("Now turn by turn")


def test_the_learner_learns_at_once_or_when_time_allows() -> None:
    ctx, said = _ctx()
    ctx.agent = agent = _Agent()
    timeline = Timeline(ctx)
    timeline.start()
    learner = Learner(ctx, timeline, TensorBoardRuns(ctx))
    step = ctx.session.step(UP, actor=HUMAN)
    timeline.keep()
    learner.learn(step, ctx.session.episode, 1)
    assert agent.seen == [step] and learner.stats.loss == 0.25 and timeline.entries[1].td == (1.5, 0.5)
    for _ in range(LEARN_BACKLOG + 2):
        learner.defer(ctx.session.episode, 1, step)
    assert learner.behind == LEARN_BACKLOG and learner.unlearned == 2
    learner.cost = 1.0
    assert not learner.fits(0.5) and learner.fits(2.0)
    learner.learn_next()
    assert len(agent.seen) == 2 and learner.behind == LEARN_BACKLOG - 1 and not said


def test_a_loss_that_is_not_finite_pauses_and_stops_learning() -> None:
    ctx, said = _ctx()
    ctx.agent = SimpleNamespace(observe=lambda t: {"loss": float("nan")})
    learner = Learner(ctx, Timeline(ctx), TensorBoardRuns(ctx))
    learner.learn(None, None, 0)
    assert ctx.mode.paused and not ctx.mode.learning and said[-1].startswith("The loss became nan")


def test_progress_counts_on_from_where_a_loaded_agent_stood() -> None:
    ctx, _ = _ctx()
    progress = Progress(ctx, TensorBoardRuns(ctx))
    ctx.agent = agent = _Agent(steps=1_000, episodes=40)
    progress.attach(agent)
    assert progress.episodes_shown() == 40 and progress.steps_shown() == 1_000
    assert progress.unsaved_steps() == 0
    agent.steps += 7
    assert progress.unsaved_steps() == 7
    progress.mark_saved()
    assert progress.unsaved_steps() == 0
    progress.knob_turned("ε 0.5 → 0")
    ctx.session.episodes_finished += 1
    progress.episode_finished(SimpleNamespace(return_=-13.0, steps=13))  # a person drives: no evaluation
    assert list(progress.returns) == [(41, -13.0)] and list(progress.knob_marks) == [(40, "ε 0.5 → 0")]
    assert progress.plotted_evals() == ()


def test_the_hand_off_makes_an_agent_in_a_thread_and_hands_it_over_as_a_call() -> None:
    ctx, said = _ctx()
    made, attached, stepped = _Agent(), [], []
    handoff = HandOff(ctx, lambda: made, attach=attached.append, step=lambda: stepped.append(1))
    assert not handoff.request("step") and handoff.loading
    assert not handoff.request("step")  # a second request while it loads makes no second agent
    handoff.thread.join(10)
    fn, args = ctx.inbox.get(1.0)
    ctx.agent = made
    fn(*args)
    assert attached == [made] and stepped == [1] and not handoff.loading
    assert ctx.mode.controller == AGENT and ctx.mode.paused and "took one step" in said[-1]
    assert handoff.request(None)  # here now
    nobody = HandOff(ctx := _ctx()[0], None, attach=attached.append, step=lambda: None)
    assert not nobody.request("control") and not nobody.loading


def test_the_publisher_fills_each_group_from_the_parts_it_is_given() -> None:
    ctx, _ = _ctx()
    timeline = Timeline(ctx)
    timeline.start()
    runs = TensorBoardRuns(ctx)
    learner, progress = Learner(ctx, timeline, runs), Progress(ctx, runs)
    clock = Clock(ctx, rest=0, fps=30.0)
    sent: list[Any] = []
    ctx.deliver = sent.append
    publisher = Publisher(ctx, timeline, learner, progress, clock, ValueMap(None), loading=lambda: True)
    ctx.session.step(UP, actor=HUMAN)
    timeline.keep()
    publisher.publish(force=True)
    snap = publisher.latest
    assert isinstance(snap, Snapshot) and sent[-1].snapshot is snap and snap.seq == 1
    assert snap.status.loading and not snap.status.has_agent and snap.status.speed == SPEEDS[ctx.mode.speed]
    assert snap.step.steps == 1 and snap.step.last.action == UP and snap.step.return_ == -1.0
    assert (snap.timeline.shown, snap.timeline.recorded) == (1, 1) and snap.realtime.fps == 30.0
    assert snap.beliefs.q_values is None and snap.training.total_steps == 1
    publisher.publish()  # within the interval: nothing new
    assert publisher.latest is snap
    assert {f.name for f in dataclasses.fields(Snapshot)} >= {
        "status",
        "step",
        "beliefs",
        "training",
        "timeline",
        "table",
        "realtime",
    }


def test_commands_work_on_the_parts_and_controls_only_queue_them() -> None:
    ctx, said = _ctx()
    timeline = Timeline(ctx)
    timeline.start()
    clock = Clock(ctx, rest=0, fps=30.0)
    runs = TensorBoardRuns(ctx)
    steps_taken: list[int] = []
    handoff = HandOff(ctx, None, attach=lambda a: None, step=lambda: None)
    steps = Steps(human=steps_taken.append, agent=lambda: None, new_episode=timeline.start, attach=lambda a: None)
    commands = Commands(ctx, clock, timeline, handoff, Progress(ctx, runs), ValueMap(None), steps)
    commands.act(LEFT)
    assert steps_taken == [LEFT] and ctx.mode.controller == HUMAN
    commands.faster()
    assert SPEEDS[ctx.mode.speed] == 8
    commands.toggle_control()  # no agent, none to make: a person keeps the wheel
    assert ctx.mode.controller == HUMAN and said[-1].startswith("No agent here")
    controls = Controls(ctx.inbox, commands)
    controls.toggle_learning()
    assert ctx.mode.learning  # queued, not made
    fn, args = ctx.inbox.get(0)
    fn(*args)
    assert not ctx.mode.learning
