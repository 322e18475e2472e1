"""``rltui explain EPISODE --load SAVE --step N``: the panel's explanation, headless."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agents.persistence import save_agent
from rltui.cli import main
from rltui.envs import catalog
from rltui.envs.session import Session
from rltui.formats import episodes
from rltui.training.agent_factory import make_agent_for

TAXI = catalog.resolve("Taxi-v4")


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, list]:
    agent = make_agent_for(TAXI, "q-learning", seed=0)
    agent.table[0] = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    save = save_agent(agent, tmp_path / "taxi.safetensors", TAXI.id)
    session = Session(TAXI, seed=3)
    for action in (0, 1, 2, 3, 0, 0):
        session.step(action)
    path = episodes.save(episodes.record_of(session.episode, TAXI.id), tmp_path)
    return path, Path(save), list(session.episode.rewards)


def test_explain_prints_the_update_and_leaves_the_save_as_it_was(files, capsys) -> None:
    episode, save, rewards = files
    before = save.read_bytes()
    assert main(["explain", str(episode), "--load", str(save), "--step", "3"]) == 0
    out = capsys.readouterr().out
    assert "Q-learning: the update of Q(s, a)" in out and "step 3 of 6" in out
    assert save.read_bytes() == before
    assert main(["explain", str(episode), "--load", str(save), "--step", "3", "--json"]) == 0
    data = json.loads(capsys.readouterr().out.splitlines()[-1])
    terms = {t["symbol"]: t["value"] for t in data["terms"]}
    result = {t["symbol"]: t["value"] for t in data["result"]}
    assert terms["r"] == rewards[2]
    assert result["r + γ·X"] == pytest.approx(terms["r"] + terms["γ"] * terms["max_a' Q(s',a')"])
    assert result["Q(s,a) new"] == pytest.approx(terms["Q(s,a)"] + terms["α"] * result["δ"])


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--step", "0"], "--step must be from 1 to 6"),
        (["--step", "7"], "--step must be from 1 to 6"),
        (["--step", "1", "--width", "5"], "--width must be at least 20"),
    ],
)
def test_explain_refuses_a_bad_step_in_one_sentence(files, capsys, args: list[str], said: str) -> None:
    episode, save, _ = files
    assert main(["explain", str(episode), "--load", str(save), *args]) == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err and err.count("\n") == 1


def test_explain_refuses_a_missing_or_foreign_file(files, tmp_path: Path, capsys) -> None:
    episode, save, _ = files
    assert main(["explain", str(tmp_path / "nope.jsonl"), "--load", str(save), "--step", "1"]) == 2
    assert "Traceback" not in capsys.readouterr().err
    other = make_agent_for(catalog.resolve("FrozenLake-v1"), "q-learning", seed=0)
    foreign = save_agent(other, tmp_path / "frozen.safetensors", "FrozenLake-v1")
    assert main(["explain", str(episode), "--load", str(foreign), "--step", "1"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip()
