"""Minari: saved episodes exported as a dataset, read back with minari.load_dataset, and learned from."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rltui.cli import main
from rltui.envs import catalog
from rltui.envs.session import Session
from rltui.formats import episodes

minari = pytest.importorskip("minari")
pytest.importorskip("h5py")


def _episode(env_id: str, policy, folder: Path, seed: int, steps: int, actor: str = "human") -> Path:
    entry = catalog.resolve(env_id)
    session = Session(entry, seed=seed, render=False)
    for t in range(steps):
        if session.episode.done:
            break
        session.step(policy(session.obs, t), actor=actor if t % 3 else "agent")
    return episodes.save(episodes.record_of(session.episode, entry.id), folder)


@pytest.fixture
def datasets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "minari"
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(root))
    return root


@pytest.mark.parametrize(
    ("env_id", "policy"),
    [
        ("Taxi-v4", lambda obs, t: t % 6),
        ("CartPole-v1", lambda obs, t: 1 if obs[2] + 0.5 * obs[3] > 0 else 0),
    ],
)
def test_exported_episodes_read_back_step_for_step(env_id: str, policy, tmp_path: Path, datasets: Path) -> None:
    files = [_episode(env_id, policy, tmp_path, seed, 60) for seed in (1, 2)]
    records = [episodes.read(f) for f in files]
    dataset_id = f"rltui/{env_id.lower().split('-')[0]}-test-v0"
    assert main(["episodes", "export", *map(str, files), "--minari", dataset_id]) == 0
    dataset = minari.load_dataset(dataset_id)
    assert dataset.total_episodes == 2 and dataset.spec.env_spec.id == env_id
    meta = dataset.storage.metadata
    from rltui import __version__

    assert f"rltui {__version__}" in set(meta["author"]) and "human" in meta["algorithm_name"]
    assert f"played in rltui {__version__}" in meta["description"]
    for record, episode in zip(records, dataset.iterate_episodes()):
        assert list(episode.rewards) == list(record.rewards)
        assert list(episode.actions) == list(record.actions)
        assert [a.decode() for a in episode.infos["actor"]] == list(record.actors)
        assert bool(episode.terminations[-1]) == record.terminated
        assert bool(episode.truncations[-1]) == (not record.terminated)  # ended or cut short: one of the two
        # The observations are the env's own, from the record's seed.
        first, _ = catalog.make_env(catalog.resolve(env_id), render=False).reset(seed=record.seed)
        assert np.array_equal(episode.observations[0], first)
        assert len(episode.observations) == record.steps + 1


def test_an_episode_saved_midway_ends_truncated_as_minaris_collector_marks_it(tmp_path: Path, datasets: Path) -> None:
    """Minari's DataCollector marks an episode that stopped before the env ended it truncated on its
    last step (``DataCollector._flush_to_storage``: not terminated, so truncated; its collector needs
    jax, which the minari extra does not bring); an export of an episode saved mid-way does the same."""
    file = _episode("Taxi-v4", lambda obs, t: t % 4, tmp_path, 3, 12)
    record = episodes.read(file)
    assert record.steps == 12 and not record.terminated and not record.truncated  # saved mid-way
    assert main(["episodes", "export", str(file), "--minari", "rltui/midway-v0"]) == 0
    (episode,) = minari.load_dataset("rltui/midway-v0").iterate_episodes()
    assert not episode.terminations.any()
    assert list(episode.truncations) == [False] * 11 + [True]
    from rltui.formats.minari_read import dataset_transitions

    (steps,) = dataset_transitions("rltui/midway-v0", catalog.resolve("Taxi-v4"))
    assert steps[-1].truncated and not steps[-1].terminated


def test_bad_exports_say_one_sentence_and_never_clobber(
    tmp_path: Path, datasets: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    taxi = _episode("Taxi-v4", lambda o, t: t % 6, tmp_path, 1, 10)
    pole = _episode("CartPole-v1", lambda o, t: t % 2, tmp_path, 1, 10)
    assert main(["episodes", "export", str(taxi), "--minari", "rltui/taxi-v0"]) == 0
    written = sorted(p.stat().st_mtime_ns for p in (datasets / "rltui" / "taxi-v0").rglob("*") if p.is_file())
    capsys.readouterr()
    cases = [
        ([str(taxi), "--minari", "rltui/taxi-v0"], "exists already"),
        ([str(taxi), str(pole), "--minari", "rltui/mixed-v0"], "come from 2 environments"),
        ([str(taxi), "--minari", "no spaces allowed"], "is not a Minari dataset id"),
        ([str(tmp_path / "missing.jsonl"), "--minari", "rltui/x-v0"], "No such file"),
    ]
    for argv, said in cases:
        assert main(["episodes", "export", *argv]) == 2
        err = capsys.readouterr().err
        assert said in err and len(err.strip().splitlines()) == 1
    assert (
        sorted(p.stat().st_mtime_ns for p in (datasets / "rltui" / "taxi-v0").rglob("*") if p.is_file()) == written
    )  # the existing dataset untouched
    assert not (datasets / "rltui" / "mixed-v0").exists()


def test_train_learns_from_a_minari_dataset(tmp_path: Path, datasets: Path, capsys: pytest.CaptureFixture[str]) -> None:
    taxi = _episode("Taxi-v4", lambda o, t: t % 6, tmp_path, 1, 30)
    assert main(["episodes", "export", str(taxi), "--minari", "rltui/demo-v0"]) == 0
    capsys.readouterr()
    assert (
        main(
            [
                "train",
                "Taxi-v4",
                "--agent",
                "q-learning",
                "--steps",
                "10",
                "--demos",
                "minari:rltui/demo-v0",
                "--no-save",
            ]
        )
        == 0
    )
    assert "Learned from 1 demonstration episode: 30 steps." in capsys.readouterr().out
    for argv, said in (
        (["CartPole-v1", "--agent", "dqn"], "was recorded in Taxi-v4, not CartPole-v1"),
        (
            ["Taxi-v4", "--agent", "q-learning", "--demos", "minari:rltui/none-v0"],
            "There is no local Minari dataset rltui/none-v0",
        ),
    ):
        if "--demos" not in argv:
            argv = [*argv, "--demos", "minari:rltui/demo-v0"]
        assert main(["train", *argv, "--steps", "10", "--no-save"]) == 2
        assert said in capsys.readouterr().err


def test_a_tuple_observation_is_stored_part_by_part_and_learned_from(
    tmp_path: Path, datasets: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hand = _episode("Blackjack-v1", lambda o, t: 1 if t == 0 else 0, tmp_path, 4, 5)
    record = episodes.read(hand)
    assert main(["episodes", "export", str(hand), "--minari", "rltui/cards-v0"]) == 0
    episode = next(iter(minari.load_dataset("rltui/cards-v0").iterate_episodes()))
    first, _ = catalog.make_env(catalog.resolve("Blackjack-v1"), render=False).reset(seed=record.seed)
    assert tuple(int(part[0]) for part in episode.observations) == tuple(int(x) for x in first)
    assert list(episode.rewards) == list(record.rewards)
    capsys.readouterr()
    assert (
        main(
            [
                "train",
                "Blackjack-v1",
                "--agent",
                "q-learning",
                "--steps",
                "10",
                "--no-save",
                "--demos",
                "minari:rltui/cards-v0",
            ]
        )
        == 0
    )
    assert f"Learned from 1 demonstration episode: {record.steps} steps." in capsys.readouterr().out


def test_an_export_that_fails_midway_leaves_nothing_behind(
    tmp_path: Path, datasets: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from minari.storage import get_dataset_path

    def half_written(dataset_id: str, **_: object) -> None:
        folder = Path(get_dataset_path(dataset_id))
        (folder / "data").mkdir(parents=True)
        (folder / "data" / "main_data.hdf5").write_bytes(b"half")
        raise ValueError("disk full")

    monkeypatch.setattr(minari, "create_dataset_from_buffers", half_written)
    taxi = _episode("Taxi-v4", lambda o, t: t % 6, tmp_path, 1, 5)
    assert main(["episodes", "export", str(taxi), "--minari", "rltui/broken-v0"]) == 2
    assert "Minari could not write rltui/broken-v0: disk full" in capsys.readouterr().err
    assert not (datasets / "rltui" / "broken-v0").exists()


def test_a_minigrid_dataset_teaches_tables_and_is_refused_to_a_network_kind(
    tmp_path: Path, datasets: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("minigrid")
    walk = _episode("MiniGrid-Empty-5x5-v0", lambda o, t: 2 if t % 4 else 1, tmp_path, 0, 12)
    assert main(["episodes", "export", str(walk), "--minari", "rltui/room-v0"]) == 0
    capsys.readouterr()
    ok = ["train", "MiniGrid-Empty-5x5-v0", "--steps", "10", "--no-save"]
    assert main([*ok, "--agent", "q-learning", "--demos", "minari:rltui/room-v0"]) == 0
    assert main([*ok, "--agent", "dqn", "--demos", "minari:rltui/room-v0"]) == 2
    err = capsys.readouterr().err
    assert "a dqn agent learns from its partial view: learn from the episode files instead" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    # The episode file itself is replayed as the DQN sees the world, and learned from.
    assert main([*ok, "--agent", "dqn", "--demos", str(walk)]) == 0
    assert "Learned from 1 demonstration episode: 12 steps." in capsys.readouterr().out
