"""``rltui exercise`` as a learner uses it: list, --new, check; every mistake one sentence."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from agents.exercises import all_exercises
from rltui.cli import main

SIGNATURE = "def dqn_target(rewards, terminated, gamma, q_next):\n"
GOOD = SIGNATURE + "    return rewards + gamma * (1.0 - terminated) * q_next.max(axis=1)\n"
NO_MASK = "def dqn_target(rewards, terminated, gamma, q_next):\n    return rewards + gamma * q_next.max(axis=1)\n"


def test_the_list_names_every_exercise_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["exercise"]) == 0
    lines = capsys.readouterr().out.splitlines()
    for exercise in all_exercises():
        assert any(line.startswith(exercise.name + " ") and exercise.summary in line for line in lines)


def test_new_writes_a_template_and_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mine.py"
    assert main(["exercise", "dqn_target", "--new", str(path)]) == 0
    text = path.read_text()
    assert "def dqn_target(rewards, terminated, gamma, q_next):" in text and "raise NotImplementedError" in text
    path.write_text("# mine\n")
    assert main(["exercise", "dqn_target", "--new", str(path)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert path.read_text() == "# mine\n"


def test_an_unwritten_template_fails_with_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mine.py"
    main(["exercise", "gae", "--new", str(path)])
    capsys.readouterr()
    assert main(["exercise", "gae", str(path)]) == 1
    err = capsys.readouterr().err.strip()
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if "NotImplementedError(" in t)
    assert (
        err == f"rltui: {path}:{line}: not written yet (it raises NotImplementedError) in case 1 "
        "(a rollout within one episode)."
    )


def test_a_right_answer_exits_0_and_a_wrong_one_names_each_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good, bad = tmp_path / "good.py", tmp_path / "bad.py"
    good.write_text(GOOD)
    bad.write_text(NO_MASK)
    assert main(["exercise", "dqn_target", str(good)]) == 0
    assert "agree" in capsys.readouterr().out
    assert main(["exercise", "dqn_target", str(bad)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(
        "Case 2 (a batch with terminal steps) differs: rewards=[1, 0, -1, 2], terminated=[1, 0, 1, 0]"
    )
    assert "expected [1, 1.98, -1, 0.02], got [3.97, 1.98, -0.505, 0.02]." in out[0]
    assert out[-1].endswith("cases differ from the reference.")


@pytest.mark.parametrize(
    ("text", "code", "says"),
    [
        (None, 2, "there is no such file"),
        ("x = 1\n", 2, "defines no function dqn_target()"),
        ("def dqn_target(:\n", 1, "mine.py:1: a syntax error"),
        ("import nothing_here_at_all\n", 1, "mine.py:1: ModuleNotFoundError"),
        (
            "def dqn_target(rewards, terminated, gamma, q_next):\n    return q_next\n",
            1,
            "not a numpy array of shape (4,)",
        ),
        ("def dqn_target(rewards, terminated, gamma, q_next):\n    return rewards * float('nan')\n", 1, "NaN"),
        ("def dqn_target(rewards, terminated, gamma, q_next):\n    while True:\n        pass\n", 1, "over 1 s"),
    ],
)
def test_every_mistake_is_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str | None, code: int, says: str
) -> None:
    path = tmp_path / "mine.py"
    if text is not None:
        path.write_text(text)
    assert main(["exercise", "dqn_target", str(path)]) == code
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and says in err and "Traceback" not in err
    # A call that ran past its time is ended, not left holding the interpreter lock.
    assert not [t for t in threading.enumerate() if t.name == "exercise" and t.is_alive()]


def test_usage_mistakes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["exercise", "no_such"]) == 2
    assert "There is no exercise 'no_such'" in capsys.readouterr().err
    assert main(["exercise", "gae", str(tmp_path / "a.py"), "--new", str(tmp_path / "b.py")]) == 2
    assert "not both" in capsys.readouterr().err


def test_as_a_learner_runs_it(tmp_path: Path) -> None:
    path = tmp_path / "mine.py"
    path.write_text("def td_update(q_sa, target, alpha):\n    return q_sa + alpha * (q_sa - target)\n")
    done = subprocess.run(
        [sys.executable, "-m", "rltui", "exercise", "td_update", str(path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert done.stdout.startswith("Case 1 (a step toward a higher target) differs: q_sa=1, target=3, alpha=0.1:")
    assert done.stderr == ""


Q_RIGHT = (
    "def q_learning_target(r, q_next, gamma, terminated, truncated):\n"
    "    return r + (0.0 if terminated else gamma * max(q_next))\n"
)


def test_train_with_an_exercise_marks_the_save(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from agents.persistence import read_metadata

    monkeypatch.setenv("RLTUI_SAVES", str(tmp_path / "saves"))
    path = tmp_path / "mine.py"
    path.write_text(Q_RIGHT)
    spec = f"q_learning_target={path}"
    args = ["train", "FrozenLakeNotSlippery-v1", "--agent", "q-learning", "--steps", "300", "--quiet", "--json"]
    assert main([*args, "--exercise", spec]) == 0
    captured = capsys.readouterr()
    assert "yours: q_learning_target (mine.py)" in captured.err
    summary = json.loads(captured.out.strip().splitlines()[-1])
    assert summary["exercise"]["calls"] == 300 and summary["exercise"]["failed"] is None
    assert read_metadata(summary["save"])["exercise"]["file"] == str(path)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["train", "FrozenLake-v1", "--agent", "dqn", "--exercise", "q_learning_target=X"], "does not run live"),
        (["train", "FrozenLake-v1", "--agent", "q-learning", "--exercise", "q_learning_target"], "NAME=FILE"),
        (["play", "FrozenLake-v1", "--exercise", "q_learning_target=X"], "--exercise needs an agent"),
        (
            ["play", "FrozenLake-v1", "--agent", "q-learning", "--exercise", "q_learning_target=X"],
            "X: there is no such",
        ),
    ],
)
def test_a_live_exercise_that_cannot_run_is_one_sentence_before_anything_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, args: list[str], says: str
) -> None:
    monkeypatch.setenv("RLTUI_SAVES", str(tmp_path / "saves"))
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1
