"""Real time with a learning agent: a person's frame comes first, learning takes the time left.

The owner's real-time tick is driven by hand here (no thread, no clock waits): what is
checked is the order of work, which a slow update must never change.
"""

from __future__ import annotations

import time

import pytest

from rltui.envs import catalog
from rltui.envs.session import Session
from rltui.live.playalong import PlayAlong
from rltui.training.agent_factory import make_agent_for

PENDULUM = catalog.resolve("Pendulum-v1")


def _owner(kind: str = "sac") -> tuple[PlayAlong, list[int]]:
    session = Session(PENDULUM, seed=0, render=False, kind=kind)
    agent = make_agent_for(PENDULUM, kind, {"hidden": "8"}, seed=0)
    learned: list[int] = []
    observe = agent.observe

    def counting(step):  # what the agent learned from, in order (its torque, as a vector)
        learned.append(round(float(step.action[0])))
        return observe(step)

    agent.observe = counting
    return PlayAlong(session, agent, realtime=True), learned


def test_a_key_is_taken_before_a_late_frame() -> None:
    owner, _ = _owner()
    owner.commands.act(4)  # Torque +2 starts the clock
    owner._clocked_tick()  # the first frame
    owner.hold.release()
    owner.clock.next_frame = time.perf_counter() - 0.05  # the next frame is late ...
    owner.act(0)  # ... and a key waits in the queue
    owner._clocked_tick()
    assert owner.session.episode.actions == [4, 0]  # the late frame took the waiting key
    assert owner.inbox.empty() and owner.settled


def test_learning_waits_for_the_time_the_clock_leaves() -> None:
    owner, learned = _owner()
    owner.learner.cost = 10.0  # an update far longer than a frame: it never fits between them
    owner.commands.act(4)
    for _ in range(3):
        owner.clock.next_frame = time.perf_counter()  # each frame due now
        owner._clocked_tick()
    assert owner.session.episode.actions == [4, 4, 4]
    assert learned == [] and owner.learning_behind == 3  # no frame waited for an update
    assert owner.latest is not None and owner.latest.realtime.learning_behind == 3  # and the screen says so
    owner.commands.toggle_realtime()  # the clock stops: the agent catches up, in the order played
    while owner.learning_behind:
        owner._tick()
    assert learned == [2, 2, 2] and owner.agent.steps == 3


def test_an_update_that_fits_is_made_between_frames() -> None:
    owner, learned = _owner()
    owner.commands.act(4)
    owner.clock.next_frame = time.perf_counter()
    owner._clocked_tick()  # frame 1; its move waits
    assert learned == [] and owner.learning_behind == 1
    owner.clock.next_frame = time.perf_counter() + 60.0  # a whole minute to the next frame
    owner._clocked_tick()
    assert learned == [2] and owner.learning_behind == 0


@pytest.mark.parametrize("kind", ["q-learning", "dqn"])
def test_turn_by_turn_still_learns_at_once(kind: str) -> None:
    entry = catalog.resolve("CartPole-v1")
    session = Session(entry, seed=0, render=False, kind=kind)
    agent = make_agent_for(entry, kind, {"hidden": "8"} if kind == "dqn" else {}, seed=0)
    owner = PlayAlong(session, agent, realtime=False)
    owner.commands.act(1)
    assert agent.steps == 1 and owner.learning_behind == 0


def test_plus_and_minus_set_real_times_pace_while_a_person_drives() -> None:
    entry = catalog.resolve("CartPole-v1")
    owner = PlayAlong(Session(entry, seed=0, render=False), realtime=True)
    assert owner.fps == 50
    owner.commands.slower()
    owner.commands.slower()
    assert owner.fps == 30  # 50 -> 40 -> 30
    owner.commands.faster()
    assert owner.fps == 40
    for _ in range(20):
        owner.commands.slower()
    assert owner.fps == 2  # the slowest pace, said once reached


def test_play_fps_sets_the_pace_and_refuses_nonsense(tmp_path) -> None:
    import subprocess
    import sys
    from dataclasses import replace

    owner = PlayAlong(Session(replace(catalog.resolve("CartPole-v1"), fps=10.0), seed=0, render=False), realtime=True)
    assert owner.fps == 10
    for bad, says in (("0", "between 1 and 240"), ("nan", "between 1 and 240"), ("1e9", "between 1 and 240")):
        done = subprocess.run(
            [sys.executable, "-m", "rltui", "play", "CartPole-v1", "--fps", bad],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2 and says in done.stderr and "Traceback" not in done.stderr
    done = subprocess.run(
        [sys.executable, "-m", "rltui", "play", "CartPole-v1", "--fps", "10", "--turn-by-turn"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "does not go with --turn-by-turn" in done.stderr


def test_f_is_named_and_works_as_the_toggle_it_is() -> None:
    from rltui.ui.screens.play import PlayScreen

    (full,) = [b for b in PlayScreen.BINDINGS if getattr(b, "id", None) == "full"]
    assert "on/off" in full.description
    entry = catalog.resolve("Taxi-v4")
    owner = PlayAlong(Session(entry, seed=0, render=False), make_agent_for(entry, "q-learning", seed=0))
    speed = owner.speed
    owner.commands.toggle_full_speed()
    assert owner.full_speed
    owner.commands.toggle_full_speed()
    assert not owner.full_speed and owner.speed == speed  # off again, at the counted speed


def test_a_slip_on_a_slippery_map_says_where_it_went() -> None:
    entry = catalog.resolve("map:BridgeGrid")
    assert entry.step_note is not None
    env = catalog.make_env(entry, render=False)
    env.reset(seed=0)
    u = env.unwrapped
    said = set()
    for s, moves in u.P.items():
        for a, outcomes in moves.items():
            for _, s2, _, _ in outcomes:
                said.add(entry.step_note(env, s, a, s2))
    assert None in said and {"slipped up", "slipped down"} <= said  # BridgeGrid's moves are right/left
    env.close()


@pytest.mark.parametrize(
    ("press", "says", "controller", "paused"),
    [
        ("toggle_control", "is here and in control: tab takes control back.", "agent", False),
        ("toggle_full_speed", "is here and at full speed: tab takes control back.", "agent", False),
        ("step_once", "is here and took one step: n steps it again", "agent", True),
        (None, "is here: tab hands it control", "human", False),
    ],
)
def test_an_agent_that_arrives_says_what_the_key_pressed_while_it_loaded_did(
    press: str | None, says: str, controller: str, paused: bool
) -> None:
    """A key pressed while an agent loads takes effect when it arrives: the notice says what
    happened, not what a key would do."""
    entry = catalog.resolve("Taxi-v4")
    session = Session(entry, seed=0, render=False, kind="q-learning")
    notices: list[str] = []
    owner = PlayAlong(
        session,
        None,
        make_agent=lambda: make_agent_for(entry, "q-learning", {}, seed=0),
        deliver=lambda message: notices.append(getattr(message, "text", "")),
    )
    if press is None:
        owner.ensure_agent()
    else:
        getattr(owner.commands, press)()
    while owner.agent is None:  # the agent is made in a thread of its own, then handed over
        call = owner.inbox.get(timeout=10.0)
        assert call is not None, "the agent never arrived"
        fn, args = call
        fn(*args)
    arrived = [text for text in notices if text.startswith("A fresh")]
    assert len(arrived) == 1 and says in arrived[0], notices
    assert owner.controller == controller and owner.paused == paused
    assert session.episode.steps == (1 if press == "step_once" else 0)
