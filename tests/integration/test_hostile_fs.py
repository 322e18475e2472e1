"""A hostile file system for every writer (issue 28's last part): a disk that fills, a folder
or file system that turns read-only, a user who may not write there. Each ends in one sentence
and exit 2 (or, for TensorBoard, one warning while training goes on), never a traceback, and
leaves nothing half made: an existing save being overwritten stays byte for byte, no temporary
file, empty folder, half-made study or namespace is left behind.

The failures are generated from one seed (which writer, which error, at which call, how many
new folders deep); the non-root cases run in a forked child that drops to ``nobody`` (skipped
unless the tests run as root: a normal user is already non-root, and the cases above cover
their errors); the real full disk is a 256 KB tmpfs (skipped where it cannot be mounted).
"""

from __future__ import annotations

import errno
import hashlib
import os
import random
import shutil
import sqlite3
import struct
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from rltui.cli import main
from rltui.envs import catalog
from rltui.envs.session import Session
from rltui.formats import episodes

SEED = 28
ERRORS = {
    errno.ENOSPC: "No space left on device",
    errno.EROFS: "Read-only file system",
    errno.EACCES: "Permission denied",
    errno.EDQUOT: "Disk quota exceeded",
}


def _tree(root: Path) -> dict[str, str]:
    """Every file (its hash) and folder under ``root``."""
    out = {}
    for folder, dirs, files in os.walk(root):
        for d in dirs:
            out[os.path.join(folder, d) + "/"] = "folder"
        for f in files:
            out[os.path.join(folder, f)] = hashlib.sha256(Path(folder, f).read_bytes()).hexdigest()
    return out


def _one_sentence(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err and "Exception" not in err, err
    assert lines[0].startswith("rltui: ") and lines[0].endswith("."), err
    return lines[0]


def _record() -> episodes.EpisodeRecord:
    entry = catalog.resolve("Taxi-v4")
    session = Session(entry, seed=1, render=False)
    for a in (0, 1, 2, 3):
        session.step(a, actor="human")
    return episodes.record_of(session.episode, entry.id)


@pytest.fixture(scope="module")
def episode_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return episodes.save(_record(), tmp_path_factory.mktemp("episode"))


# --- every atomic writer, failing anywhere ----------------------------------------------------


def _agent_save(target: Path) -> None:
    from agents.persistence import save_agent
    from rltui.training.agent_factory import make_agent_for

    save_agent(make_agent_for(catalog.resolve("Taxi-v4"), "q-learning", seed=0), target, "Taxi-v4")


def _episode(target: Path) -> None:
    from rltui.fileio import write_atomic

    write_atomic(target, episodes.to_jsonl(_record()).encode("utf-8"))  # as episodes.save does


def _map(target: Path) -> None:
    from rltui.envs import gridmap

    gridmap.write(gridmap.read(gridmap.BUNDLED / "BridgeGrid.txt"), target)


def _gif(target: Path) -> None:
    pytest.importorskip("PIL")
    from rltui.formats.gif import episode_frames, write_gif

    write_gif(episode_frames(_record(), catalog.resolve("Taxi-v4")), target, 4)


WRITERS: dict[str, tuple[Callable[[Path], None], str]] = {
    "agent save": (_agent_save, "agent.safetensors"),
    "episode": (_episode, "taken.jsonl"),
    "map": (_map, "bridge.txt"),
    "gif": (_gif, "taken.gif"),
}
FAIL_AT = ("mkdir", "mkstemp", "fsync", "chmod", "replace")


def _cases(n: int) -> Iterator[tuple[str, int, str, int, bool]]:
    rng = random.Random(SEED)
    for _ in range(n):
        yield (
            rng.choice(list(WRITERS)),
            rng.choice(list(ERRORS)),
            rng.choice(FAIL_AT),
            rng.randint(0, 2),
            rng.random() < 0.5,
        )


@pytest.mark.parametrize(("writer", "code", "where", "depth", "existing"), list(_cases(40)))
def test_a_write_that_fails_anywhere_leaves_the_old_file_and_nothing_else(
    writer: str, code: int, where: str, depth: int, existing: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write, name = WRITERS[writer]
    folder = tmp_path.joinpath(*[f"new{i}" for i in range(depth)])
    target = folder / name
    if existing:
        write(target)  # a good file first: the one being overwritten
    before = _tree(tmp_path)

    def fail(*_: Any, **__: Any) -> None:
        raise OSError(code, ERRORS[code])

    if where == "mkdir":
        monkeypatch.setattr(Path, "mkdir", fail)
    elif where == "mkstemp":
        monkeypatch.setattr("tempfile.mkstemp", fail)
    else:
        monkeypatch.setattr(os, where, fail)
    with pytest.raises(Exception, match=ERRORS[code]):
        write(target)
    monkeypatch.undo()
    assert _tree(tmp_path) == before  # the old file whole; no temporary file, no new folder


# --- TensorBoard: the log stops whole, training goes on, said once ---------------------------


def _records(path: Path) -> int:
    """How many whole records an event file holds; fails on a cut one."""
    data, at, n = path.read_bytes(), 0, 0
    while at < len(data):
        (length,) = struct.unpack("<Q", data[at : at + 8])
        at += 12 + length + 4
        n += 1
    assert at == len(data), f"{path} ends in half a record"
    return n


@pytest.mark.parametrize("fail_after", random.Random(SEED).sample(range(1, 40), 6))
def test_a_tensorboard_log_that_cannot_be_written_stops_whole_and_training_goes_on(
    fail_after: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("tensorboard")
    from rltui.formats.tensorboard import RunLog
    from rltui.training.agent_factory import make_agent_for
    from rltui.training.loop import train

    entry = catalog.resolve("Taxi-v4")
    agent = make_agent_for(entry, "q-learning", seed=0)
    said: list[str] = []
    log = RunLog(tmp_path, entry.id, "q-learning", 0, every=100, agent=agent, warn=said.append)
    real_write, calls = os.write, [0]

    def filling(fd: int, data: Any) -> int:
        if fd == log._fd:
            calls[0] += 1
            if calls[0] >= fail_after:  # part of a record goes, then the disk is full
                real_write(fd, bytes(data)[:7])
                raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", filling)
    result = train(agent, entry, steps=6_000, seed=0, log=log)
    log.close()
    assert result.steps == 6_000  # training went on to its end
    assert len(said) == (1 if calls[0] >= fail_after else 0), said
    if said:
        assert "No space left on device" in said[0] and log.problem == said[0]
    assert 1 <= _records(log.file) <= fail_after


def test_a_tensorboard_run_that_cannot_start_leaves_no_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("tensorboard")
    from rltui.formats.tensorboard import RunLog, TensorBoardError

    def full(*_: Any) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(TensorBoardError, match="No space left on device"):
        RunLog(tmp_path / "tb" / "runs", "Taxi-v4", "q-learning", 0)
    assert list(tmp_path.iterdir()) == []


def test_train_says_once_that_tensorboard_stopped_and_still_saves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("tensorboard")
    real_write, calls = os.write, [0]

    def filling(fd: int, data: Any) -> int:
        if os.path.basename(os.readlink(f"/proc/self/fd/{fd}")).startswith("events.out.tfevents"):
            calls[0] += 1
            if calls[0] > 2:
                raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /proc/self/fd to tell the event file's writes")
    monkeypatch.setattr(os, "write", filling)
    save = tmp_path / "agent.safetensors"
    argv = ["train", "Taxi-v4", "--agent", "q-learning", "--steps", "8000", "--quiet"]
    code = main([*argv, "--save", str(save), "--tensorboard", str(tmp_path / "tb")])
    err = capsys.readouterr().err
    assert code == 0 and save.is_file()
    assert err.count("rltui: warning: The TensorBoard log") == 1 and len(err.strip().splitlines()) == 1, err


# --- tune: the study's storage and --save-best ------------------------------------------------


def _tune(storage: str, *more: str) -> list[str]:
    return [
        "tune",
        "Taxi-v4",
        "--agent",
        "q-learning",
        "--trials",
        "3",
        "--budget",
        "1000",
        "--storage",
        storage,
        *more,
    ]


def test_a_storage_that_fills_mid_sweep_stops_it_in_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    optuna = pytest.importorskip("optuna")
    from optuna.storages import RDBStorage

    real, calls = RDBStorage._create_new_trial, [0]

    def filling(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == 2:
            try:
                raise sqlite3.OperationalError("database or disk is full")
            except sqlite3.OperationalError as exc:
                raise optuna.exceptions.StorageInternalError("An exception is raised during the commit.") from exc
        return real(self, *args, **kwargs)

    monkeypatch.setattr(RDBStorage, "_create_new_trial", filling)
    code = main(_tune(f"sqlite:///{tmp_path / 's.db'}"))
    err = _one_sentence(capsys.readouterr().err)
    assert code == 2 and "could not be written (database or disk is full)" in err


def test_a_given_storage_needs_no_saves_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("optuna")
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("RLTUI_SAVES", str(blocker / "saves"))  # no folder can be made there
    code = main(_tune(f"sqlite:///{tmp_path / 's.db'}", "--json"))
    assert code == 0, capsys.readouterr().err
    assert (tmp_path / "s.db").is_file() and blocker.read_text() == ""


def test_a_new_storage_that_cannot_be_made_is_not_left_half_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    optuna = pytest.importorskip("optuna")
    real = optuna.storages.RDBStorage

    def half_made(url: str, **kwargs: Any) -> Any:
        db = sqlite3.connect(url[len("sqlite:///") :])
        db.execute("CREATE TABLE studies (study_id INTEGER)")
        db.commit()
        db.close()
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(optuna.storages, "RDBStorage", half_made)
    monkeypatch.setenv("RLTUI_SAVES", str(tmp_path / "saves"))
    for storage in (f"sqlite:///{tmp_path / 'given.db'}", None):
        code = main(
            ["tune", "Taxi-v4", "--agent", "q-learning", "--trials", "1", "--budget", "1000"]
            + (["--storage", storage] if storage else [])
        )
        err = _one_sentence(capsys.readouterr().err)
        assert code == 2 and err.endswith("cannot be opened: database or disk is full."), err
    monkeypatch.setattr(optuna.storages, "RDBStorage", real)
    assert list(tmp_path.iterdir()) == []  # neither file, nor saves/tune/ made for it


def test_a_best_agent_that_cannot_be_saved_is_said_and_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("optuna")
    from agents import persistence

    def full(*_: Any, **__: Any) -> Any:
        raise persistence.SaveError(f"Cannot write {tmp_path / 'best.safetensors'}: No space left on device.")

    monkeypatch.setattr(persistence, "save_agent", full)
    code = main(_tune(f"sqlite:///{tmp_path / 's.db'}", "--save-best", str(tmp_path / "best.safetensors")))
    captured = capsys.readouterr()
    last = captured.err.strip().splitlines()[-1]
    assert code == 2 and "Traceback" not in captured.err
    assert last.startswith("rltui: The best agent of this run") and "No space left on device" in last
    assert "Nothing saved: no trial" not in captured.out


# --- Minari export: a namespace made for a failed export goes too -----------------------------


@pytest.mark.parametrize("namespace_there", [False, True])
def test_a_minari_export_that_fails_leaves_nothing(
    namespace_there: bool,
    episode_file: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("minari")
    from minari.dataset.minari_storage import MinariStorage

    root = tmp_path / "datasets"
    if namespace_there:
        assert main(["episodes", "export", str(episode_file), "--minari", "rltui/first-v0", "--dir", str(root)]) == 0
    before = _tree(tmp_path)

    def full(*_: Any, **__: Any) -> Any:
        raise OSError(errno.ENOSPC, "Unable to synchronously open file (file write failed: time = ...,\n more)")

    monkeypatch.setattr(MinariStorage, "new", full)
    code = main(["episodes", "export", str(episode_file), "--minari", "rltui/t-v0", "--dir", str(root)])
    err = _one_sentence(capsys.readouterr().err)
    assert code == 2 and err == "rltui: Minari could not write rltui/t-v0: No space left on device."
    assert _tree(tmp_path) == before


# --- a user who may not write there ----------------------------------------------------------


def _as_nobody(run: Callable[[], tuple[int, str]]) -> tuple[int, str]:
    """``run`` in a forked child with nobody's uid (the interpreter and the modules it needs
    are already loaded: nobody may not read a root-owned Python); (its exit code, its stderr)."""
    import io
    import json
    import sys

    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop to nobody, run, report, leave without the parent's cleanup
        os.close(reader)
        result = (99, "")
        try:
            os.setgid(65534)
            os.setuid(65534)
            sys.stderr = io.StringIO()
            code, err = run()
            result = (code, err)
        except BaseException as exc:  # reported, so the parent's assertion says what broke
            result = (98, f"{type(exc).__name__}: {exc}")
        finally:
            os.write(writer, json.dumps(result).encode())
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader) as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    code, err = json.loads(data)
    return code, err


def _cli(argv: list[str]) -> Callable[[], tuple[int, str]]:
    def run() -> tuple[int, str]:
        import sys

        code = main(argv)
        return code, sys.stderr.getvalue()  # type: ignore[attr-defined]

    return run


@pytest.fixture
def locked(tmp_path: Path, episode_file: Path) -> Iterator[Path]:
    """A folder nobody may write, holding a save and an episode (and, in a sticky folder
    nobody may write in, a root-owned save to be replaced)."""
    if os.geteuid() != 0 or not hasattr(os, "fork"):
        pytest.skip("drops to nobody from root (a normal user meets the same errors above)")
    os.chmod(tmp_path, 0o755)
    for parent in tmp_path.parents:  # nobody must reach it: pytest's base folder is 0700
        if parent == Path("/tmp") or parent == parent.parent:
            break
        os.chmod(parent, os.stat(parent).st_mode | 0o111)
    folder = tmp_path / "locked"
    folder.mkdir(mode=0o755)
    _agent_save(folder / "agent.safetensors")
    shutil.copy(episode_file, folder / "taken.jsonl")
    sticky = tmp_path / "sticky"
    sticky.mkdir()
    os.chmod(sticky, 0o1777)
    _agent_save(sticky / "agent.safetensors")
    for path in (folder, sticky):
        for child in path.iterdir():
            os.chmod(child, 0o644)
    yield tmp_path


CLI_WRITERS = {
    "train --save over a save": [
        "train",
        "Taxi-v4",
        "--agent",
        "q-learning",
        "--steps",
        "500",
        "--quiet",
        "--save",
        "{L}/agent.safetensors",
    ],
    "train --save in the folder": [
        "train",
        "Taxi-v4",
        "--agent",
        "q-learning",
        "--steps",
        "500",
        "--quiet",
        "--save",
        "{L}/",
    ],
    "train into $RLTUI_SAVES": [
        "train",
        "Taxi-v4",
        "--agent",
        "q-learning",
        "--steps",
        "500",
        "--quiet",
        "--saves-env",
    ],
    "train --tensorboard": [
        "train",
        "Taxi-v4",
        "--agent",
        "q-learning",
        "--steps",
        "500",
        "--no-save",
        "--tensorboard",
        "{L}/tb",
    ],
    "gif --out": ["episodes", "gif", "{L}/taken.jsonl", "--out", "{L}/new.gif"],
    "gif beside": ["episodes", "gif", "{L}/taken.jsonl"],
    "export --dir": ["episodes", "export", "{L}/taken.jsonl", "--minari", "rltui/t-v0", "--dir", "{L}/ds"],
    "tune --storage": [
        "tune",
        "Taxi-v4",
        "--agent",
        "q-learning",
        "--trials",
        "1",
        "--budget",
        "1000",
        "--storage",
        "sqlite:///{L}/s.db",
    ],
    "tune --save-best": [
        "tune",
        "Taxi-v4",
        "--agent",
        "q-learning",
        "--trials",
        "1",
        "--budget",
        "1000",
        "--storage",
        "sqlite:///{T}/s.db",
        "--save-best",
        "{L}/agent.safetensors",
    ],
    "train --save over root's save in a sticky folder": [
        "train",
        "Taxi-v4",
        "--agent",
        "q-learning",
        "--steps",
        "500",
        "--quiet",
        "--save",
        "{S}/agent.safetensors",
    ],
}


@pytest.mark.parametrize("case", list(CLI_WRITERS))
def test_a_user_who_may_not_write_there_is_told_in_one_sentence(
    case: str, locked: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if case.startswith(("tune", "export")):
        pytest.importorskip("optuna" if case.startswith("tune") else "minari")
    if "gif" in case:
        pytest.importorskip("PIL")
    folder, sticky = locked / "locked", locked / "sticky"
    own = locked / "nobodys"
    own.mkdir()
    os.chown(own, 65534, 65534)
    argv = [a.format(L=folder, S=sticky, T=own) for a in CLI_WRITERS[case] if a != "--saves-env"]
    monkeypatch.setenv("RLTUI_SAVES", str(folder / "saves" if "--saves-env" in CLI_WRITERS[case] else own / "saves"))
    monkeypatch.setenv("HOME", str(own))
    assert main(["train", "Taxi-v4", "--agent", "q-learning", "--steps", "500", "--quiet", "--no-save"]) == 0  # warm
    capsys.readouterr()
    before = _tree(folder) | _tree(sticky)
    code, err = _as_nobody(_cli(argv))
    assert code == 2, (code, err)
    line = _one_sentence(err)
    assert "cannot" in line or "Cannot" in line, line
    assert _tree(folder) | _tree(sticky) == before


# --- a real full disk -------------------------------------------------------------------------


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 256 KB tmpfs holding a save, an episode and a study, then filled to its last byte."""
    mount = tmp_path / "full"
    mount.mkdir()
    if (
        os.geteuid() != 0
        or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True
        ).returncode
    ):
        pytest.skip("needs a tmpfs it can mount (root in a container that allows mounts)")
    try:
        _agent_save(mount / "agent.safetensors")
        episodes.save(_record(), mount)
        fd = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT)
        try:
            while os.write(fd, b"\0" * 4096):
                pass
        except OSError:
            pass  # full
        finally:
            os.close(fd)
        yield mount
    finally:
        subprocess.run(["umount", "--lazy", str(mount)], check=False)  # a library may hold a file open yet


def test_every_cli_writer_on_a_full_disk_ends_in_one_sentence(
    full_disk: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    episode = next(full_disk.glob("*.jsonl"))
    train = ["train", "Taxi-v4", "--agent", "q-learning", "--steps", "500", "--quiet"]
    runs = [
        [*train, "--save", str(full_disk / "agent.safetensors")],
        [*train, "--save", str(full_disk / "new" / "deeper" / "agent.safetensors")],
        [*train, "--no-save", "--tensorboard", str(full_disk / "tb")],
        ["episodes", "gif", str(episode), "--out", str(full_disk / "e.gif")],
        ["episodes", "export", str(episode), "--minari", "rltui/t-v0", "--dir", str(full_disk / "ds")],
        _tune(f"sqlite:///{full_disk / 's.db'}"),
    ]
    monkeypatch.setenv("RLTUI_SAVES", str(full_disk / "saves"))
    before = _tree(full_disk)
    for argv in runs:
        code = main(argv)
        line = _one_sentence(capsys.readouterr().err)
        assert code == 2 and ("No space left on device" in line or "disk is full" in line), (argv, line)
        assert _tree(full_disk) == before, argv
