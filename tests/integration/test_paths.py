"""Paths a person gives (options, environment variables, map ids inside saves and episode
files) are checked one way (rltui/paths.py), before any work and before anything is made:
a hostile path is one sentence and exit 2, never a traceback, and leaves nothing behind."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from agents.persistence import save_agent
from rltui.cli import main
from rltui.envs import catalog
from rltui.envs.session import Session
from rltui.formats import episodes
from rltui.paths import PathError, file_to_write, folder_to_write, user_path
from rltui.training.agent_factory import make_agent_for

NO_USER = "~nosuchuser-rltui/x"


def _hostile(tmp_path: Path) -> dict[str, str]:
    """Every kind of hostile path, built in ``tmp_path``: name -> path."""
    (tmp_path / "afile").write_text("a file, not a folder")
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    return {
        "file": str(tmp_path / "afile" / "x"),
        "fifo": str(tmp_path / "fifo" / "x"),
        "loop": str(tmp_path / "loop1" / "x"),
        "long": str(tmp_path / ("a" * 300)),
        "nouser": NO_USER,
        "bytes": str(tmp_path / ("tb" + os.fsdecode(b"\xff"))),
        "devnull": "/dev/null/x",
        "proc": "/proc/tb",
    }


KINDS = ["file", "fifo", "loop", "long", "nouser", "bytes", "devnull", "proc"]


def _episode(tmp_path: Path, env_id: str = "CliffWalking-v1", name: str = "ep") -> str:
    session = Session(catalog.resolve("CliffWalking-v1"), seed=3, render=False)
    for action in (0, 1):
        session.step(action)
    folder = tmp_path / "fixtures" / name
    folder.mkdir(parents=True)
    saved = episodes.save(episodes.record_of(session.episode, env_id), folder)
    return str(saved.rename(folder / "episode.jsonl"))  # its name made of the env id, whatever that is


def _map_save(tmp_path: Path, path: str) -> str:
    entry = catalog.resolve("map:BridgeGrid")
    target = tmp_path / "fixtures" / "map-save.safetensors"
    target.parent.mkdir(parents=True, exist_ok=True)
    return str(save_agent(make_agent_for(entry, "q-learning", seed=0), target, "map:" + path))


TRAIN = ["train", "CliffWalking-v1", "--agent", "q-learning", "--steps", "10", "--quiet"]
Option = Callable[[Path, str], tuple[list[str], dict[str, str]]]
OPTIONS: dict[str, Option] = {
    "train --tensorboard": lambda t, p: ([*TRAIN, "--no-save", "--tensorboard", p], {}),
    "train --save": lambda t, p: ([*TRAIN, "--save", p], {}),
    "train $RLTUI_SAVES": lambda t, p: (TRAIN, {"RLTUI_SAVES": p}),
    "tune --save-best": lambda t, p: (
        ["tune", "CliffWalking-v1", "--agent", "q-learning", "--trials", "1", "--budget", "100", "--save-best", p],
        {},
    ),
    "tune $RLTUI_SAVES": lambda t, p: (
        ["tune", "CliffWalking-v1", "--agent", "q-learning", "--trials", "1", "--budget", "100"],
        {"RLTUI_SAVES": p},
    ),
    "play --tensorboard": lambda t, p: (["play", "CliffWalking-v1", "--tensorboard", p], {}),
    "play $RLTUI_TENSORBOARD": lambda t, p: (["play", "CliffWalking-v1"], {"RLTUI_TENSORBOARD": p}),
    "play $RLTUI_SAVES": lambda t, p: (["play", "CliffWalking-v1"], {"RLTUI_SAVES": p}),
    "play --map": lambda t, p: (["play", "--map", p], {}),
    "episodes export --dir": lambda t, p: (
        ["episodes", "export", _episode(t), "--minari", "rltui/t-v0", "--dir", p],
        {},
    ),
    "episodes gif --out": lambda t, p: (["episodes", "gif", _episode(t), "--out", p + ".gif"], {}),
    "map id in a save": lambda t, p: (["eval", _map_save(t, p)], {}),
    "map id in an episode": lambda t, p: (["play", "--replay", _episode(t, "map:" + p)], {}),
}


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.fixture
def no_app(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app never opens: a path that passed its check fails the test instead of hanging it."""
    from rltui.ui.app import RLTuiApp

    def refuse(self: object, *args: object, **kwargs: object) -> None:
        raise AssertionError("the app opened: the path was not refused")

    monkeypatch.setattr(RLTuiApp, "run", refuse)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("option", list(OPTIONS))
def test_every_path_option_refuses_every_hostile_path_in_one_sentence(
    option: str,
    kind: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    no_app: None,
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)  # a relative path taken as it stands lands here, and is seen
    monkeypatch.setenv("RLTUI_SAVES", str(tmp_path / "saves"))
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "minari"))
    monkeypatch.delenv("RLTUI_TENSORBOARD", raising=False)
    path = _hostile(tmp_path)[kind]
    argv, env = OPTIONS[option](tmp_path, path)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    before = _tree(tmp_path)
    capsys.readouterr()
    code = main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert len(err.splitlines()) == 1 and err.startswith("rltui: ") and "Traceback" not in err, err
    assert _tree(tmp_path) == before  # nothing made: no folder, no save, no log, no dataset


@pytest.mark.parametrize("kind", KINDS)
def test_the_module_refuses_every_hostile_folder_before_making_anything(kind: str, tmp_path: Path) -> None:
    path = _hostile(tmp_path)[kind]
    before = _tree(tmp_path)
    for check in (folder_to_write, file_to_write):
        with pytest.raises(PathError) as caught:
            check(path, "--x")
        message = str(caught.value)
        assert message.startswith("--x ") and message.endswith(".") and "\n" not in message
        message.encode("utf-8")  # printable as it stands: the undecodable bytes are shown escaped
    assert _tree(tmp_path) == before


def test_what_each_refusal_says(tmp_path: Path) -> None:
    paths = _hostile(tmp_path)
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    says = {
        "file": "afile is a file, not a folder",
        "fifo": "fifo is a FIFO, not a folder",
        "loop": "loop1 goes round a loop of symbolic links",
        "long": "a name in it is 300 bytes long, and a file system takes at most 255",
        "nouser": "there is no user nosuchuser-rltui",
        "bytes": "tb\\xff cannot be used: it holds bytes that are not",
        "devnull": "/dev/null is a device, not a folder",
        "proc": "it is in /proc",
    }
    for kind, said in says.items():
        with pytest.raises(PathError, match=None) as caught:
            folder_to_write(paths[kind], "--tensorboard")
        assert said in str(caught.value), (kind, str(caught.value))
    with pytest.raises(PathError, match="is a symbolic link to nothing"):
        folder_to_write(tmp_path / "dangling" / "x", "--x")
    with pytest.raises(PathError, match="bytes long, and a file system takes at most 4095"):
        user_path("/x" * 3000, "--x")
    with pytest.raises(PathError, match="is empty"):
        user_path("  ", "--x")
    with pytest.raises(PathError, match="NUL"):
        user_path("a\0b", "--x")
    with pytest.raises(PathError, match="is a folder, not a file"):
        file_to_write(tmp_path, "--x")
    with pytest.raises(PathError, match="is a FIFO, not a file"):
        file_to_write(tmp_path / "fifo", "--x")
    # what may be made is accepted, and still not made
    assert folder_to_write(tmp_path / "new" / "deeper", "--x") == tmp_path / "new" / "deeper"
    assert file_to_write("~/rltui-never-made/x.gif", "--x") == Path.home() / "rltui-never-made" / "x.gif"
    assert not (tmp_path / "new").exists() and not (Path.home() / "rltui-never-made").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_folder_that_cannot_be_written_is_refused(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        with pytest.raises(PathError, match="cannot be written"):
            folder_to_write(locked / "runs", "--tensorboard")
    finally:
        locked.chmod(0o700)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["play", "CliffWalking-v1", "--agent", ""], "--agent is empty: give it a kind"),
        (["play", "CliffWalking-v1", "--load", " "], "--load is empty"),
        (["play", "--map", ""], "--map is empty"),
        (["play", "CliffWalking-v1", "--tensorboard", ""], "--tensorboard is empty"),
        (
            ["train", "CliffWalking-v1", "--agent", "q-learning", "--tensorboard", "", "--no-save"],
            "--tensorboard is empty",
        ),
        (["train", "CliffWalking-v1", "--agent", "q-learning", "--save", ""], "--save is empty"),
        (["tune", "CliffWalking-v1", "--agent", "q-learning", "--save-best", " "], "--save-best is empty"),
    ],
)
def test_an_empty_path_or_kind_is_one_sentence_not_ignored(
    argv: list[str], says: str, no_app: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert says in err and len(err.splitlines()) == 1, err


def test_a_bad_saves_folder_is_one_sentence_for_the_listing_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RLTUI_SAVES", NO_USER)
    assert main(["saves"]) == 2
    assert "there is no user nosuchuser-rltui" in capsys.readouterr().err


def test_a_saves_folder_that_is_a_symlink_loop_lists_nothing_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    loop = _hostile(tmp_path)["loop"]
    monkeypatch.setenv("RLTUI_SAVES", loop)
    assert main(["saves", "--json"]) == 0


def test_a_long_map_path_as_an_env_id_still_names_files(tmp_path: Path) -> None:
    from rltui.formats.saves import fresh_save_path
    from rltui.paths import MAX_STEM, id_stem

    env_id = "map:/" + "é" * 150 + "/BridgeGrid.txt"  # 170 characters, 320 bytes
    stem = id_stem(env_id)
    assert len(stem.encode()) <= MAX_STEM and stem.endswith("BridgeGrid.txt")
    session = Session(catalog.resolve("CliffWalking-v1"), seed=3, render=False)
    session.step(0)
    saved = episodes.save(episodes.record_of(session.episode, env_id), tmp_path)  # ctrl+e on such a map
    assert saved.is_file() and episodes.read(saved).env == env_id
    assert len(fresh_save_path(env_id, "q-learning", tmp_path).name.encode()) <= 255


def test_a_map_whose_id_saves_and_episodes_could_not_hold_is_refused_before_it_plays(tmp_path: Path) -> None:
    from rltui.envs.catalog.maps import BUNDLED, MAX_MAP_ID

    folder = tmp_path / ("d" * 100) / ("e" * 100)
    folder.mkdir(parents=True)
    grid = BUNDLED / "BridgeGrid.txt"
    (folder / "BridgeGrid.txt").write_text(grid.read_text())
    with pytest.raises(catalog.CatalogError, match=f"at most {MAX_MAP_ID}"):
        catalog.resolve("map:" + str(folder / "BridgeGrid.txt"))


def test_a_file_name_leaves_room_for_its_temporary_name(tmp_path: Path) -> None:
    from rltui.paths import MAX_NAME, WRITE_ROOM

    longest = "g" * (MAX_NAME - WRITE_ROOM - 4) + ".gif"
    assert file_to_write(tmp_path / "new" / longest, "--out").name == longest
    with pytest.raises(PathError, match="temporary name"):
        file_to_write(tmp_path / "new" / ("g" + longest), "--out")
    assert not (tmp_path / "new").exists()


def test_a_folder_whose_files_would_not_fit_is_refused_before_anything_is_made(tmp_path: Path) -> None:
    from agents.persistence import SaveError
    from rltui.formats.saves import save_target
    from rltui.formats.tensorboard import RunLog, TensorBoardError

    deep = tmp_path / "new"
    while len(str(deep)) < 4070 - 251:
        deep /= "d" * 250
    deep /= "e" * (4070 - len(str(deep)) - 1)  # 4070 bytes: itself a path, but no room for a name in it
    assert len(str(deep)) == 4070
    with pytest.raises(SaveError, match="at most 4095"):
        save_target(str(deep) + "/", "CliffWalking-v1", "q-learning")
    with pytest.raises(TensorBoardError, match="at most 4095"):
        RunLog(deep, "CliffWalking-v1", "q-learning", 0)
    assert not (tmp_path / "new").exists()
