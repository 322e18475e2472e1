"""Saved episodes as GIFs: `rltui episodes gif FILE`."""

from __future__ import annotations

from pathlib import Path

import pytest

from rltui.cli import main
from rltui.envs import catalog
from rltui.envs.session import Session
from rltui.formats import episodes

Image = pytest.importorskip("PIL.Image")


def _saved(env_id: str, actions, folder: Path, seed: int = 1) -> Path:
    entry = catalog.resolve(env_id)
    session = Session(entry, seed=seed, render=False)
    for a in actions:
        if session.episode.done:
            break
        session.step(a(session.obs) if callable(a) else a, actor="agent")
    return episodes.save(episodes.record_of(session.episode, entry.id), folder)


def test_a_cartpole_episode_becomes_a_gif_of_every_step(tmp_path: Path, capsys) -> None:
    balance = [lambda o: 1 if o[2] + 0.5 * o[3] > 0 else 0] * 200
    path = _saved("CartPole-v1", balance, tmp_path)
    assert main(["episodes", "gif", str(path)]) == 0
    out = path.with_suffix(".gif")
    assert f"Wrote {out}: 201 frames at 30 fps" in capsys.readouterr().out
    gif = Image.open(out)
    assert gif.n_frames == 201 and gif.size == (600, 400 + 22) and gif.info["loop"] == 0
    assert gif.info["duration"] in (30, 33, 40)  # 1/30 s, in the GIF's hundredths
    # A frame is the env's own picture: the last differs from the first (the cart moved).
    first = gif.convert("RGB").tobytes()
    gif.seek(200)
    assert gif.convert("RGB").tobytes() != first


def test_a_grid_world_episode_is_drawn_from_its_cells(tmp_path: Path) -> None:
    path = _saved("Taxi-v4", [0, 0, 1, 2, 3, 4], tmp_path)
    out = tmp_path / "taxi.gif"
    assert main(["episodes", "gif", str(path), "--out", str(out), "--fps", "2"]) == 0
    gif = Image.open(out)
    assert gif.n_frames == 7 and gif.info["duration"] == 500 and gif.size[1] == 5 * 48 + 22


def test_bad_requests_say_one_sentence_and_write_nothing(tmp_path: Path, capsys) -> None:
    path = _saved("Taxi-v4", [0, 1], tmp_path)
    out = tmp_path / "taken.gif"
    out.write_bytes(b"mine")
    for argv, said in (
        (["--out", str(out)], "exists already"),
        (["--fps", "0"], "--fps must be from 0.1 to 50"),
        (["--out", str(tmp_path / "x.png")], "must name a .gif file"),
    ):
        assert main(["episodes", "gif", str(path), *argv]) == 2
        err = capsys.readouterr().err
        assert said in err and len(err.strip().splitlines()) == 1
    assert out.read_bytes() == b"mine"
    broken = tmp_path / "broken.jsonl"
    broken.write_text("not an episode\n")
    assert main(["episodes", "gif", str(broken)]) == 2
    assert not list(tmp_path.glob("broken*.gif"))


@pytest.mark.parametrize(
    ("env_id", "actions", "fps"),
    [
        ("Taxi-v4", [0, 0, 1, 2, 3, 4], "2"),
        ("Taxi-v4", [0, 1, 2, 3, 0, 1, 2, 3], "6"),  # 1/6 s is no whole number of the GIF's hundredths
        ("CartPole-v1", [0, 1] * 40, None),
    ],
)
def test_the_gif_says_how_long_it_plays_as_its_frames_say(env_id: str, actions, fps, tmp_path: Path, capsys) -> None:
    import re

    path = _saved(env_id, actions, tmp_path)
    out = tmp_path / "plays.gif"
    assert main(["episodes", "gif", str(path), "--out", str(out), *(["--fps", fps] if fps else [])]) == 0
    said = re.search(r"it plays (\d+\.\d) s\.$", capsys.readouterr().out.strip())
    assert said, "the message names how long the GIF plays"
    gif = Image.open(out)
    total = 0
    for i in range(gif.n_frames):  # what a viewer shows: each frame's stored delay
        gif.seek(i)
        total += gif.info["duration"]
    assert said.group(1) == f"{total / 1000:.1f}"
