"""Every file rltui writes (agent saves, episodes, maps, GIFs) goes through one atomic write
(rltui.fileio's): an ordinary file's mode (0o666 less the umask, not mkstemp's 0600), and whole
or not at all; the files it reads back whole (episodes, maps) are read within a bound."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from rltui.envs import catalog
from rltui.envs.session import Session
from rltui.formats import episodes


def _record() -> episodes.EpisodeRecord:
    entry = catalog.resolve("Taxi-v4")
    session = Session(entry, seed=1, render=False)
    for a in (0, 1, 2, 3):
        session.step(a, actor="human")
    return episodes.record_of(session.episode, entry.id)


def _agent_save(folder: Path) -> Path:
    from agents.persistence import save_agent
    from rltui.training.agent_factory import make_agent_for

    agent = make_agent_for(catalog.resolve("Taxi-v4"), "q-learning", seed=0)
    return save_agent(agent, folder / "agent.safetensors", "Taxi-v4")


def _episode(folder: Path) -> Path:
    return episodes.save(_record(), folder)


def _map(folder: Path) -> Path:
    from rltui.envs import gridmap

    return gridmap.write(gridmap.read(gridmap.BUNDLED / "BridgeGrid.txt"), folder / "bridge.txt")


def _gif(folder: Path) -> Path:
    pytest.importorskip("PIL")
    from rltui.formats.gif import episode_frames, write_gif

    return write_gif(episode_frames(_record(), catalog.resolve("Taxi-v4")), folder / "taxi.gif", 4)


WRITERS: dict[str, Callable[[Path], Path]] = {"agent save": _agent_save, "episode": _episode, "map": _map, "gif": _gif}


@pytest.fixture
def umask() -> Iterator[Callable[[int], None]]:
    before = os.umask(0o022)
    os.umask(before)
    yield os.umask
    os.umask(before)


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077])
@pytest.mark.parametrize("what", list(WRITERS))
def test_each_writer_makes_a_file_with_the_umasks_mode(what: str, mask: int, umask, tmp_path: Path) -> None:
    umask(mask)
    path = WRITERS[what](tmp_path / "out")
    assert path.is_file() and path.stat().st_size > 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask, oct(path.stat().st_mode)
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


@pytest.mark.parametrize("what", list(WRITERS))
def test_a_failed_write_leaves_no_partial_file(what: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A disk that fills as the file is made whole: neither the file nor its temporary file stays."""
    import errno

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    folder = tmp_path / "out"
    folder.mkdir()
    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(Exception, match="No space left on device"):
        WRITERS[what](folder)
    assert list(folder.iterdir()) == []


def test_a_writer_function_that_raises_leaves_the_old_file(tmp_path: Path) -> None:
    from rltui.fileio import write_atomic

    target = tmp_path / "kept.bin"
    write_atomic(target, b"old")

    def half(fh) -> None:
        fh.write(b"half of the ne")
        raise ValueError("the encoder gave up")

    with pytest.raises(ValueError):
        write_atomic(target, half)
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["kept.bin"]


def test_a_map_that_is_not_a_regular_file_or_too_big_is_one_sentence(tmp_path: Path) -> None:
    """Read within a bound, as an episode file is: a FIFO is refused before it is opened (it would
    block the reader for ever), a file past the limit before it is read."""
    from rltui.envs import gridmap

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(gridmap.MapError, match="is not a regular file, so it cannot be a map$"):
        gridmap.read(fifo)
    big = tmp_path / "big.txt"
    big.write_text("." * (gridmap.MAX_MAP_BYTES + 1))
    with pytest.raises(gridmap.MapError, match=r"is 98 KB, more than a map can be \(98 KB at most\)$"):
        gridmap.read(big)
