"""Hostile files and keys: every bad input is one sentence (exit 2) or a notice, never a
traceback, a hang or a crash of the app."""

from __future__ import annotations

import asyncio
import json
import os
import random
import struct
from pathlib import Path

import numpy as np
import pytest
from textual import events

from agents.persistence import SaveError, load_agent, read_metadata, save_agent
from rltui.cli import main
from rltui.envs import catalog
from rltui.envs.session import Session
from rltui.formats import episodes
from rltui.live.playalong import Notice, PlayAlong
from rltui.training.agent_factory import make_agent_for
from rltui.ui.app import RLTuiApp


def _rewrite_meta(src: Path, dst: Path, change) -> Path:
    """A copy of save ``src`` whose rltui metadata went through ``change(meta)``."""
    data = src.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    meta = json.loads(header["__metadata__"]["rltui"])
    change(meta)
    header["__metadata__"]["rltui"] = json.dumps(meta)
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    dst.write_bytes(struct.pack("<Q", len(raw)) + raw + data[8 + n :])
    return dst


@pytest.fixture(scope="module")
def tabular_save(tmp_path_factory: pytest.TempPathFactory) -> Path:
    entry = catalog.resolve("CartPole-v1")
    agent = make_agent_for(entry, "q-learning", seed=0)
    return save_agent(agent, tmp_path_factory.mktemp("saves") / "cart.safetensors", entry.id)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda m: m.update(counters=5), "counters are not an object"),
        (lambda m: m.update(counters="x"), "counters are not an object"),
        (lambda m: m["counters"].update(steps=-1), "counter 'steps'"),
        (lambda m: m["counters"].update(steps=2**70), "counter 'steps'"),
        (lambda m: m.update(env_id=7), "env id"),
        (lambda m: m.update(n_actions=1e400), "n_actions"),
        (lambda m: m.update(kind=3), "agent kind"),
        (lambda m: m["config"].update(bins=1_000_000), "bins"),
        (lambda m: m["config"].update(alpha="fast"), "alpha"),
        (lambda m: m["config"].update(gamma=2.0), "gamma"),
        (
            lambda m: m.update(observation_space={"type": "Box", "shape": [10**6], "low": [], "high": []}),
            "observation space",
        ),
    ],
)
def test_a_damaged_save_is_one_sentence(
    tabular_save: Path, tmp_path: Path, change, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _rewrite_meta(tabular_save, tmp_path / "bad.safetensors", change)
    assert main(["eval", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert says in err and len(err.splitlines()) == 1


def test_a_dqn_save_with_a_misshapen_adam_moment_is_refused(tmp_path: Path) -> None:
    from safetensors.numpy import load_file, save_file

    entry = catalog.resolve("CartPole-v1")
    agent = make_agent_for(entry, "dqn", {"learning_starts": "64"}, seed=0)
    env = catalog.make_env(entry, render=False)
    obs, _ = env.reset(seed=0)
    from agents.base import Transition

    for _ in range(200):  # a few updates, so Adam has state
        nxt, r, term, trunc, _ = env.step(0)
        agent.observe(Transition(obs, 0, r, nxt, term, trunc))
        obs = env.reset()[0] if term or trunc else nxt
    path = save_agent(agent, tmp_path / "dqn.safetensors", entry.id)
    arrays = load_file(str(path))
    arrays["optimizer.0.exp_avg"] = arrays["optimizer.0.exp_avg"][:10]  # shorter than its weights
    data = path.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    meta = json.loads(data[8 : 8 + n])["__metadata__"]
    save_file(arrays, str(tmp_path / "bad.safetensors"), metadata=meta)
    with pytest.raises(SaveError, match="optimizer.0.exp_avg has shape"):
        load_agent(tmp_path / "bad.safetensors")


def test_a_nan_q_table_is_refused(tabular_save: Path, tmp_path: Path) -> None:
    from safetensors.numpy import load_file, save_file

    arrays = load_file(str(tabular_save))
    arrays["q_table"][3, 1] = np.nan
    data = tabular_save.read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    save_file(arrays, str(tmp_path / "nan.safetensors"), metadata=json.loads(data[8 : 8 + n])["__metadata__"])
    with pytest.raises(SaveError, match="not finite"):
        load_agent(tmp_path / "nan.safetensors")


def test_only_regular_files_are_read(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.safetensors"
    os.mkfifo(fifo)
    with pytest.raises(SaveError, match="not a regular file"):
        read_metadata(fifo)  # would block for ever if opened
    zero = tmp_path / "zero.jsonl"
    zero.symlink_to("/dev/zero")
    with pytest.raises(episodes.EpisodeFileError, match="not a regular file"):
        episodes.read(zero)


@pytest.mark.parametrize(
    ("header", "says"),
    [
        ("[" * 100_000 + "]" * 100_000, "not an rltui episode file"),
        (
            '{"rltui": "episode", "format": 1, "env": "Taxi-v4", "seed": ' + "9" * 5000 + ', "steps": 0}',
            "not an rltui episode file",
        ),
        ('{"rltui": "episode", "format": 1, "env": "Taxi-v4", "seed": -3, "steps": 0}', "seed"),
        (
            '{"rltui": "episode", "format": 1, "env": "' + "x" * 10_000 + '", "seed": 1, "steps": 0}',
            "not an rltui episode file",
        ),
    ],
)
def test_a_hostile_episode_header_is_one_sentence(tmp_path: Path, header: str, says: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(header + "\n")
    with pytest.raises(episodes.EpisodeFileError) as caught:
        episodes.read(path)
    assert says in str(caught.value) and len(str(caught.value)) < 400


def test_an_episode_relabelled_to_another_env_is_refused_by_how_it_ends(tmp_path: Path) -> None:
    """A CliffWalking episode that ended at the goal, relabelled Taxi-v4, may match rewards
    for a while; the way the episode ends must match too."""
    session = Session(catalog.resolve("Taxi-v4"), seed=5, render=False)
    session.step(1)
    record = episodes.record_of(session.episode, "Taxi-v4")
    record = record.__class__(**{**record.__dict__, "terminated": True})  # the file claims an end
    path = episodes.save(record, tmp_path)
    with pytest.raises(episodes.EpisodeFileError, match="where the file says it ended"):
        episodes.check(episodes.read(path), catalog.resolve("Taxi-v4"))


def test_blackjack_look_back_then_move_branches_as_a_fresh_deal_would() -> None:
    """A move made while looking back at a finished hand plays from that step (the hands and
    the deck's generator are put back), as a fresh env from the same seed would."""
    heard: list = []
    owner = PlayAlong(Session(catalog.resolve("Blackjack-v1"), seed=0, render=False), deliver=heard.append)
    owner.commands.act(0)  # stick: the hand is over
    owner.commands.scrub(-1)
    owner.commands.act(1)  # hit, from the first step
    said = [m.text for m in heard if isinstance(m, Notice) and m.severity != "information"]
    assert said == [] and owner.session.episode.actions == [1]
    fresh = catalog.make_env(catalog.resolve("Blackjack-v1"), render=False)
    fresh.reset(seed=0)
    assert owner.session.obs == fresh.step(1)[0]
    owner.commands.act(1)  # and the deck goes on as the fresh one's does
    assert owner.session.obs == fresh.step(1)[0]


@pytest.mark.parametrize(
    "argv",
    [
        ["bench", "playalong", "--env", "NoSuch-v0"],
        ["bench", "dqn", "--seeds", "0"],
        ["bench", "solve", "--env", "NoSuch-v0"],
        ["bench", "solve", "--agent", "ppo-ish"],
        ["bench", "playalong", "--env", "ALE/Pong-v5", "--agent", "q-learning"],
        ["bench", "solve", "--env", "Taxi-v4", "--agent", "sac"],
        ["play", "Taxi-v4", "--seed", "-1"],
        ["play", "Taxi-v4", "--seed", "1234567890123456789012"],
    ],
)
def test_bad_bench_and_seed_arguments_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_bench_playalong_on_a_pixel_env_takes_the_kind_that_plays_it() -> None:
    """No --agent on a pixel env: the kind tab would bring (DQN), not q-learning's traceback."""
    import argparse

    from rltui.bench import check_options

    args = argparse.Namespace(which="playalong", env="ALE/Pong-v5", agent=None, seeds=None, seconds=1.0, busy=0)
    check_options(args)
    assert args.agent == "dqn"
    args = argparse.Namespace(which="playalong", env="Taxi-v4", agent=None, seeds=None, seconds=1.0, busy=0)
    check_options(args)
    assert args.agent == "q-learning"


def test_saves_lists_a_bad_file_as_one_row_and_goes_on(
    tmp_path: Path, tabular_save: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RLTUI_SAVES", str(tmp_path))
    _rewrite_meta(tabular_save, tmp_path / "a-bad.safetensors", lambda m: m.update(kind=3))
    (tmp_path / "b-good.safetensors").write_bytes(tabular_save.read_bytes())
    (tmp_path / ".b-good.safetensors.x1y2.tmp").write_bytes(b"half a save")  # a killed write
    assert main(["saves", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["saves"]
    mine = [r for r in rows if Path(r["file"]).parent == tmp_path]
    assert len(mine) == 2 and "error" in mine[0] and mine[1]["env"] == "CartPole-v1"
    # The next save to that place clears the leftover temporary file.
    save_agent(load_agent(tmp_path / "b-good.safetensors")[0], tmp_path / "b-good.safetensors", "CartPole-v1")
    assert not list(tmp_path.glob(".*.tmp"))


KEYS = [
    "escape",
    "enter",
    "up",
    "down",
    "enter",
    "escape",
    "tab",
    "left",
    "right",
    "n",
    "v",
    "left_square_bracket",
    "question_mark",
]


@pytest.mark.parametrize("seed", range(6))
async def test_keys_faster_than_screens_change_never_crash_the_app(seed: int) -> None:
    """Key repeat and paste deliver keys a few milliseconds apart: screens are pushed and
    popped while others are still arriving."""
    rng = random.Random(seed)
    app = RLTuiApp()
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(120):
            app.post_message(events.Key(rng.choice(KEYS), None))
            await asyncio.sleep(rng.choice([0, 0.002, 0.004, 0.008]))
        await pilot.pause()
        assert app.screen_stack  # still a screen to show
    assert app._exception is None
