"""A learner's function inside a live agent (``--exercise``): it is used, checked on every
call, said once when it fails (the reference answers from then on), shown by the explain
view beside the reference's value, and marked in saves."""

from __future__ import annotations

import copy
import threading
from pathlib import Path

import numpy as np
import pytest

from agents.base import Transition
from agents.exercises.live import ExerciseError, Swap, attach
from agents.tabular import TabularAgent, TabularConfig

SIGNATURE = "def q_learning_target(r, q_next, gamma, terminated, truncated):\n"
RIGHT = SIGNATURE + "    return r + (0.0 if terminated else gamma * max(q_next))\n"
NO_MASK = SIGNATURE + "    return r + gamma * max(q_next)\n"


def _agent() -> TabularAgent:
    return TabularAgent("q-learning", {"type": "Discrete", "n": 4}, 2, TabularConfig(alpha=0.5, gamma=0.9), seed=0)


def _steps() -> list[Transition]:
    rng = np.random.default_rng(0)
    out = []
    for _ in range(200):
        s, s2 = int(rng.integers(4)), int(rng.integers(4))
        term = bool(rng.random() < 0.2)
        out.append(Transition(s, int(rng.integers(2)), float(rng.normal()), s2, term, not term and rng.random() < 0.1))
    return out


def _file(tmp_path: Path, text: str, name: str = "mine.py") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_a_right_function_trains_exactly_as_the_reference(tmp_path: Path) -> None:
    mine, theirs = _agent(), _agent()
    attach(mine, f"q_learning_target={_file(tmp_path, RIGHT)}")
    for step in _steps():
        said = mine.observe(step)
        theirs.observe(step)
        assert said["exercise_learner"] == pytest.approx(said["exercise_reference"])
    assert mine.table == theirs.table
    assert isinstance(mine.exercise, Swap) and mine.exercise.differing == 0 and mine.exercise.failure is None


def test_a_wrong_function_is_used_and_the_first_differing_step_is_kept(tmp_path: Path) -> None:
    from agents.explain import explain

    agent = _agent()
    attach(agent, f"q_learning_target={_file(tmp_path, NO_MASK)}")
    agent.table[2] = [5.0, 1.0]  # a terminal state with a value: the missing mask shows
    agent.observe(Transition(0, 0, 1.0, 1, False, False))
    step = Transition(0, 1, 1.0, 2, True, False)
    said = agent.observe(step)
    assert said["td_target"] == pytest.approx(1.0 + 0.9 * 5.0)  # the learner's value is the one used
    assert said["exercise_reference"] == pytest.approx(1.0)
    assert said["exercise_first_differs"] == 2
    explanation = explain(agent, step, said)
    assert explanation is not None
    notes = " ".join(explanation.notes)
    assert "Your q_learning_target (mine.py) gave 5.5; the reference gives 1: they DIFFER" in notes
    assert "first differed from the reference at training step 2" in notes
    assert [t.value for t in explanation.result[-2:]] == [pytest.approx(5.5), pytest.approx(1.0)]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("    if terminated:\n        raise ValueError('oops')\n    return r\n", "mine.py:3: ValueError: oops"),
        ("    return float('nan')\n", "mine.py:1: it returned nan, not a finite number"),
        ("    return [r, r]\n", "mine.py:1: it returned a list of 2, not a float"),
    ],
)
def test_a_failing_function_is_said_once_and_the_reference_takes_over(tmp_path: Path, body: str, says: str) -> None:
    heard: list[str] = []
    agent, reference = _agent(), _agent()
    text = SIGNATURE + body
    swap = attach(agent, f"q_learning_target={_file(tmp_path, text)}", say=heard.append)
    for step in _steps():
        agent.observe(step)
        reference.observe(step)
    assert len(heard) == 1 and heard[0].startswith(str(tmp_path))
    assert says in heard[0] and heard[0].endswith("falls back to the reference and training goes on.")
    assert swap.failure == heard[0]
    assert "failed" in swap.note()
    assert np.isfinite(np.asarray(agent.table)).all()


def test_a_function_that_does_not_return_in_time_is_left_behind(tmp_path: Path) -> None:
    release = threading.Event()
    heard: list[str] = []
    agent = _agent()
    swap = attach(agent, f"q_learning_target={_file(tmp_path, RIGHT)}", say=heard.append)
    swap.limit = 0.01

    def stuck(*args: object) -> float:
        release.wait()
        return 0.0

    swap.learner = type(swap.learner)(stuck, swap.learner.path)
    try:
        agent.observe(Transition(0, 0, 1.0, 1, False, False))
        agent.observe(Transition(1, 0, 1.0, 2, False, False))  # the reference answers at once
    finally:
        release.set()
    assert len(heard) == 1 and "took over 0.01 s" in heard[0]
    assert agent.steps == 2


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("q_learning_target", "NAME=FILE"),
        ("nope=x.py", "There is no exercise 'nope'"),
        ("dqn_target=x.py", "does not run live in a q-learning agent"),
        ("q_learning_target=missing.py", "there is no such file"),
    ],
)
def test_attach_refuses_in_one_sentence(spec: str, says: str) -> None:
    with pytest.raises(ExerciseError, match=says):
        attach(_agent(), spec)


def test_served_apps_refuse_exercises_unless_allowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RLTUI_EXERCISES", "off")
    with pytest.raises(ExerciseError, match="--allow-exercises"):
        attach(_agent(), f"q_learning_target={_file(tmp_path, RIGHT)}")


def test_a_save_made_with_an_exercise_is_marked_and_a_copy_keeps_it(tmp_path: Path) -> None:
    from agents.persistence import load_agent, read_metadata, save_agent

    agent = _agent()
    attach(agent, f"q_learning_target={_file(tmp_path, NO_MASK)}")
    for step in _steps()[:20]:
        agent.observe(step)
    twin = copy.deepcopy(agent)
    assert isinstance(twin.exercise, Swap) and twin.exercise.calls == agent.exercise.calls
    twin.observe(_steps()[0])
    path = save_agent(agent, tmp_path / "a.safetensors", "FrozenLake-v1")
    meta = read_metadata(path)
    assert meta["exercise"]["name"] == "q_learning_target" and meta["exercise"]["file"].endswith("mine.py")
    loaded, _ = load_agent(path)
    assert loaded.exercise is None  # a loaded agent learns with its own target again
    assert "exercise" not in read_metadata(save_agent(_agent(), tmp_path / "b.safetensors", "FrozenLake-v1"))


GOOD_DQN = (
    "def dqn_target(rewards, terminated, gamma, q_next):\n"
    "    return rewards + gamma * (1.0 - terminated) * q_next.max(axis=1)\n"
)
NO_MASK_DQN = "def dqn_target(rewards, terminated, gamma, q_next):\n    return rewards + gamma * q_next.max(axis=1)\n"


def _dqn() -> object:
    from agents.dqn import DQNAgent
    from agents.dqn_config import DQNConfig

    config = DQNConfig(hidden=(8,), batch_size=8, learning_starts=8, buffer_size=100, double_dqn=False)
    return DQNAgent({"type": "Box", "shape": [2], "low": [-1, -1], "high": [1, 1]}, 2, config, seed=0)


@pytest.mark.parametrize(("text", "differs"), [(GOOD_DQN, False), (NO_MASK_DQN, True)])
def test_dqn_learns_with_the_learners_target(tmp_path: Path, text: str, differs: bool) -> None:
    from agents.dqn import DQNAgent

    agent = _dqn()
    assert isinstance(agent, DQNAgent)
    reference = _dqn()
    assert isinstance(reference, DQNAgent)
    agent.track_td = True
    swap = attach(agent, f"dqn_target={_file(tmp_path, text)}")
    rng = np.random.default_rng(1)
    said: dict[str, float] = {}
    for t in range(40):
        x, x2 = rng.uniform(-1, 1, 2).astype(np.float32), rng.uniform(-1, 1, 2).astype(np.float32)
        step = Transition(x, int(rng.integers(2)), 1.0, x2, t % 5 == 4, False)
        said = agent.observe(step)
        reference.observe(step)
        if step.terminated:
            assert (abs(said["exercise_learner"] - said["exercise_reference"]) > 1e-6) == differs
    assert swap.failure is None and swap.calls > 40
    assert ("exercise_first_differs" in said) == differs  # a right target never differs, not even at step 1
    assert np.isfinite(said["loss"])
    same = all(
        np.array_equal(a.detach().numpy(), b.detach().numpy())  # bit for bit: the agent's float32
        for a, b in zip(agent.q_network.parameters(), reference.q_network.parameters())
    )
    assert same != differs
