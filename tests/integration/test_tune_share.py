"""A Ray task runs a share of ``tune``'s trials by calling the tune command itself, as the
command line would (no detour through the CLI module, which imports every command)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("optuna")

from rltui.commands.tune import run_share  # noqa: E402


def test_a_share_runs_the_tune_command_and_returns_what_it_printed(tmp_path: Path) -> None:
    code, out = run_share(
        [
            "tune",
            "CliffWalking-v1",
            "--agent",
            "q-learning",
            "--budget",
            "3000",
            "--trials",
            "1",
            "--storage",
            f"sqlite:///{tmp_path / 'study.db'}",
            "--json",
        ]
    )
    assert code == 0
    result = next(json.loads(line) for line in out.splitlines() if line.startswith("{"))
    assert result["trials_finished"] == 1 and result["env"] == "CliffWalking-v1"


def test_a_share_given_a_bad_input_exits_2_and_prints_no_result(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_share(["tune", "CliffWalking-v1", "--agent", "q-learning", "--budget", "10"])
    assert (code, out) == (2, "")
    assert "--budget must be 100 steps or more" in capsys.readouterr().err
