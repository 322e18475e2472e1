"""The command line as a person uses it: JSON outputs, saves, and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rltui.cli import main


def _json_last_line(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture(autouse=True)
def saves_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RLTUI_SAVES", str(tmp_path / "saves"))
    return tmp_path / "saves"


def test_train_eval_and_saves_round_trip(capsys: pytest.CaptureFixture[str], saves_in_tmp: Path) -> None:
    assert main(["train", "FrozenLakeNotSlippery-v1", "--agent", "q-learning", "--json"]) == 0
    trained = _json_last_line(capsys.readouterr().out)
    assert set(trained) == {
        "env",
        "agent",
        "steps",
        "episodes",
        "seconds",
        "eval_return_mean",
        "eval_return_std",
        "solved",
        "best_step",
        "save",
    }
    assert trained["solved"] is True and trained["eval_return_mean"] == 1.0
    assert trained["steps"] < 10_000  # no budget given: stops once solved, inside the default
    save = Path(trained["save"])
    assert save.parent == saves_in_tmp and save.name == "FrozenLakeNotSlippery-v1-q-learning.safetensors"

    assert main(["eval", str(save), "--json"]) == 0
    evaluated = _json_last_line(capsys.readouterr().out)
    assert evaluated == {
        "env": "FrozenLakeNotSlippery-v1",
        "agent": "q-learning",
        "episodes": 1,
        "return_mean": 1.0,
        "return_std": 0.0,
    }

    # A second run never overwrites the first save.
    assert main(["train", "FrozenLakeNotSlippery-v1", "--agent", "q-learning", "--steps", "10", "--json"]) == 0
    second = Path(_json_last_line(capsys.readouterr().out)["save"])
    assert second.name == "FrozenLakeNotSlippery-v1-q-learning-2.safetensors"

    assert main(["saves", "--json"]) == 0
    listed = _json_last_line(capsys.readouterr().out)["saves"]
    mine = [row for row in listed if Path(row["file"]).parent == saves_in_tmp]
    assert [row["steps"] for row in mine] == [trained["steps"], 10]
    assert mine[0]["env"] == "FrozenLakeNotSlippery-v1" and mine[0]["eval_return"] == 1.0
    # The user's saves come first, then the ones rltui ships (the repository's saves/).
    from rltui.paths import SHIPPED_DIR

    shipped = [row for row in listed if Path(row["file"]).parent == SHIPPED_DIR]
    assert listed[:2] == mine and {r["env"] for r in shipped} >= {"Taxi-v4", "CartPole-v1"}


def test_train_resumes_from_a_save(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    first = tmp_path / "taxi.safetensors"
    assert main(["train", "Taxi-v4", "--agent", "q-learning", "--steps", "3000", "--save", str(first), "--json"]) == 0
    capsys.readouterr()
    assert main(["train", "Taxi-v4", "--load", str(first), "--steps", "2000", "--save", str(first), "--json"]) == 0
    capsys.readouterr()
    from agents.persistence import read_metadata

    assert read_metadata(first)["counters"]["steps"] == 5000


def test_train_without_json_shows_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "CliffWalking-v1", "--agent", "q-learning", "--steps", "2000", "--no-save"]) == 0
    out = capsys.readouterr().out
    assert "Training finished" in out and "eval return mean" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["train", "Taxi-v4", "--agent", "a2c"],
            "choose from: q-learning, sarsa, expected-sarsa, value-iteration, policy-iteration, dqn, reinforce, ppo",
        ),
        (["train", "Taxi-v4"], "--agent is required"),
        (["train", "Taxi-v4", "--agent", "q-learning", "--set", "alhpa=0.5"], "valid keys: alpha"),
        (["train", "Taxi-v4", "--agent", "q-learning", "--set", "alpha=fast"], "needs a number"),
        (["train", "Taxi-v4", "--agent", "q-learning", "--set", "alpha=-3"], "above 0 and at most 1"),
        (["train", "Taxi-v4", "--agent", "q-learning", "--set", "gamma=5"], "from 0 to 1"),
        (["train", "Taxi-v4", "--agent", "sarsa", "--set", "epsilon_start=2"], "from 0 to 1"),
        (["train", "CartPole-v1", "--agent", "dqn", "--set", "hidden=0"], "from 1 to 4,096"),
        (["train", "CartPole-v1", "--agent", "dqn", "--set", "hidden=100000,100000"], "from 1 to 4,096"),
        (
            ["train", "CartPole-v1", "--agent", "dqn", "--set", "batch_size=512", "--set", "buffer_size=100"],
            "cannot exceed 'buffer_size'",
        ),
        (["train", "CartPole-v1", "--agent", "dqn", "--set", "train_freq=0"], "from 1 to"),
        (["train", "CartPole-v1", "--agent", "dqn", "--set", "epsilon_decay_steps=1e400"], "whole number"),
        (["train", "Taxi-v4", "--agent", "value-iteration", "--set", "max_sweeps=0"], "from 1 to"),
        (["train", "CartPole-v1", "--agent", "q-learning", "--set", "bins=1000"], "too big"),
        (["train", "CartPole-v1", "--agent", "dqn", "--device", "gpu"], "cpu or cuda"),
        (["train", "Taxi-v4", "--agent", "q-learning", "--device", "cuda"], "agents only: q-learning runs on the CPU"),
        (["train", "Taxi-v4", "--agent", "q-learning", "--set", "alpha"], "key=value"),
        (["train", "CartPole-v1", "--agent", "value-iteration"], "transition model P"),
        (["train", "Taxi-v3", "--agent", "q-learning"], "Did you mean Taxi-v4"),
        (["train", "Taxi-v4", "--agent", "q-learning", "--steps", "-5"], "zero or more"),
        (["eval", "no/such/file.safetensors"], "No such file"),
        (["play", "Taxi-v4", "--agent", "a2c"], "choose from: q-learning"),
        (["play", "Taxi-v4", "--set", "alpha=1"], "--set needs --agent"),
        (["play", "--real-time"], "need an environment"),
        (["train", "CartPole-v1", "--agent", "dqn", "--envs", "0"], "--envs must be from 1 to 256"),
        (
            ["train", "Taxi-v4", "--agent", "q-learning", "--envs", "4"],
            "--envs applies to dqn, ppo and trpo agents only",
        ),
        (["play", "--map", "NoSuchMap"], "There is no map named 'NoSuchMap'"),
        (["play", "Taxi-v4", "--load", "no/such/file.safetensors"], "No such file"),
        (["play", "--agent", "dqn"], "need an environment"),
        (["play", "Taxi-v4", "--load", "saves/CartPole-v1-dqn.safetensors"], "not Taxi-v4"),
        (["train", "CartPole-v1", "--agent", "dqn", "--device", "cuda", "--steps", "1"], "CUDA"),
    ],
)
def test_bad_input_exits_2_with_one_line(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    import torch

    if "cuda" in argv and torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_load_for_another_env_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "lake.safetensors"
    main(["train", "FrozenLakeNotSlippery-v1", "--agent", "q-learning", "--steps", "10", "--save", str(path), "--json"])
    capsys.readouterr()
    assert main(["train", "Taxi-v4", "--load", str(path)]) == 2
    assert "not Taxi-v4" in capsys.readouterr().err


def test_a_real_process_prints_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "agent.safetensors"
    bad.write_bytes(b"\x80\x04garbage")
    out = subprocess.run([sys.executable, "-m", "rltui", "eval", str(bad)], capture_output=True, text=True)
    assert out.returncode == 2
    assert "pickle" in out.stderr and "Traceback" not in out.stderr


def test_saves_lists_broken_files_without_failing(capsys: pytest.CaptureFixture[str], saves_in_tmp: Path) -> None:
    saves_in_tmp.mkdir(parents=True)
    (saves_in_tmp / "broken.safetensors").write_bytes(b"xx")
    assert main(["saves", "--json"]) == 0
    rows = _json_last_line(capsys.readouterr().out)["saves"]
    assert rows[0]["file"].endswith("broken.safetensors") and "truncated" in rows[0]["error"]


def test_bench_solve_runs_every_learning_kind_of_an_env(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["bench", "solve", "--env", "FrozenLakeNotSlippery-v1", "--agent", "q-learning", "--seeds", "2", "--json"])
        == 0
    )
    out = _json_last_line(capsys.readouterr().out)
    (row,) = out["rows"]
    assert (row["env"], row["agent"], row["seeds"]) == ("FrozenLakeNotSlippery-v1", "q-learning", 2)
    assert row["solved_seeds"] == 2 and row["greedy"] == [1.0, 1.0]
    assert all(r["steps"] <= r["budget"] for r in out["runs"])
    from rltui.bench.solve import pairs

    assert [k for _, k in pairs("Taxi-v4")] == [
        "q-learning",
        "sarsa",
        "expected-sarsa",
        "dqn",
        "reinforce",
        "ppo",
        "trpo",
    ]


@pytest.mark.parametrize("argv", [["saves", "--json"], ["saves"], ["envs"]])
def test_output_into_a_closed_pipe_ends_quietly(argv: list[str]) -> None:
    """`rltui saves --json | head -c 600`: the reader goes before the output is written. The
    pipe's read end is closed before the command starts, so every write meets the closed pipe."""
    import os

    read, write = os.pipe()
    os.close(read)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "rltui", *argv], stdout=write, stderr=subprocess.PIPE, text=True, timeout=120
        )
    finally:
        os.close(write)
    assert done.stderr == "" and done.returncode == 1, (done.returncode, done.stderr[-400:])
