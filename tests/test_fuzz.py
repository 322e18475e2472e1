"""The property every file reader keeps: a mutant loads, or is refused with exit status 2 and
one line; never a traceback, a hang or a blow-up (generator in tests/fuzz.py, seeded)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from rltui.cli import main
from rltui.core import catalog
from rltui.core.agent_factory import make_agent_for
from rltui.core.session import Session
from tests import fuzz

SEED = 20261123
CASE_SECONDS = 10.0
"""A bound far above any honest case (a few milliseconds): only a hang gets near it."""


def _check(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    start = time.perf_counter()
    code = main(argv)
    elapsed = time.perf_counter() - start
    err = capsys.readouterr().err.strip()
    assert code in (0, 2), (argv, code, err)
    if code == 2:
        assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert elapsed < CASE_SECONDS


@pytest.mark.parametrize(("env_id", "kind", "n"), [
    ("CartPole-v1", "q-learning", 150),
    ("Taxi-v4", "value-iteration", 50),
    ("CartPole-v1", "dqn", 100),
])
def test_mutated_saves_load_or_are_refused_in_one_line(env_id: str, kind: str, n: int, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from agents.persistence import read_metadata, save_agent

    entry = catalog.resolve(env_id)
    path = save_agent(make_agent_for(entry, kind, seed=0), tmp_path / "agent.safetensors", env_id)
    data, meta = path.read_bytes(), read_metadata(path)
    mutant = tmp_path / "mutant.safetensors"
    for blob in fuzz.save_mutants(data, meta, n, SEED):
        mutant.write_bytes(blob)
        _check(["eval", str(mutant), "--episodes", "1", "--json"], capsys)
        _check(["saves", "--json"], capsys)


def test_mutated_episodes_replay_or_are_refused_in_one_line(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    from rltui.core import episodes

    session = Session(catalog.resolve("CliffWalking-v1"), seed=3, render=False)
    for action in (0, 1, 1, 2):
        session.step(action)
    good = episodes.save(episodes.record_of(session.episode, "CliffWalking-v1"), tmp_path)
    text = good.read_text()
    mutant = tmp_path / "mutant.jsonl"
    for blob in fuzz.episode_mutants(text, 200, SEED):
        mutant.write_text(blob)
        _check(["train", "CliffWalking-v1", "--agent", "q-learning", "--demos", str(mutant),
                "--steps", "0", "--no-save", "--json", "--quiet"], capsys)
