"""Where agents and episodes are kept, and the listings of them.

A person's own saves go to a per-user data folder (``$RLTUI_SAVES`` overrides
it), not into whatever directory rltui was started from: inside a git checkout
they would otherwise show up in ``git status``. The agents that ship with rltui
stay in the repository's ``saves/``. Listings show both, the user's first.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

SAVES_DIR_ENV = "RLTUI_SAVES"
SHIPPED_DIR = Path(__file__).resolve().parents[2] / "saves"
"""The agents (and episodes) that come with rltui: the repository's ``saves/``."""


def user_data_dir() -> Path:
    """rltui's folder in the platform's per-user data location.

    Raises:
        PathError: no home folder, or ``$XDG_DATA_HOME`` / ``$LOCALAPPDATA`` is no usable path.
    """
    from rltui.core.paths import PathError, user_path

    variable = "LOCALAPPDATA" if sys.platform == "win32" else "XDG_DATA_HOME"
    given = os.environ.get(variable) if sys.platform != "darwin" else None
    if given:
        return user_path(given, f"${variable}") / "rltui"
    try:
        home = Path.home()
    except RuntimeError:
        raise PathError(f"There is no home folder to keep saves in: set ${SAVES_DIR_ENV} to a folder.") from None
    if sys.platform == "win32":
        base = home / "AppData" / "Local"
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = home / ".local" / "share"
    return user_path(base, "the per-user data folder") / "rltui"


def saves_dir() -> Path:
    """Where new saves go: ``$RLTUI_SAVES``, else ``saves/`` in the per-user data folder.

    Raises:
        PathError: ``$RLTUI_SAVES`` is no usable path (``~nosuchuser``, a name too long, bytes
            that are not text), in one sentence; :func:`check_saves_dir` checks the folder too.
    """
    from rltui.core.paths import user_path

    override = os.environ.get(SAVES_DIR_ENV)
    return user_path(override, f"${SAVES_DIR_ENV}") if override else user_data_dir() / "saves"


def check_saves_dir() -> Path:
    """The saves folder, checked before any work that will write in it: ``$RLTUI_SAVES`` must
    be a folder that exists or can be made and can be written (see
    :func:`rltui.core.paths.folder_to_write`); the default one only needs a home folder (it
    is made when something is first saved).

    Raises:
        PathError: in one sentence.
    """
    from rltui.core.paths import folder_to_write

    override = os.environ.get(SAVES_DIR_ENV)
    return folder_to_write(override, f"${SAVES_DIR_ENV}") if override else saves_dir()


def episodes_dir() -> Path:
    """Where ctrl+e saves episodes: ``episodes/`` in the saves folder."""
    return saves_dir() / "episodes"


def agent_dirs() -> list[Path]:
    """The folders listed for saved agents: the user's, then the shipped ones."""
    dirs = [saves_dir()]
    if SHIPPED_DIR.is_dir() and os.path.realpath(SHIPPED_DIR) != os.path.realpath(dirs[0]):  # never raises on a loop
        dirs.append(SHIPPED_DIR)
    return dirs


MAX_STEM = 120
"""Bytes of an env id in a file name: what is added to it (kind, seed, date, number, suffix)
and the 255 bytes a name may have leave room for this much."""


def id_stem(env_id: str) -> str:
    """An env id as a file name's part: ``map:BridgeGrid`` -> ``map-BridgeGrid`` (ids may hold
    ``:`` and ``/``, which a file name must not). An id too long for a name (a map's whole
    path, ``map:/a/long/way/to/BridgeGrid.txt``) keeps its end, which names the map, in at
    most :data:`MAX_STEM` bytes."""
    stem = "".join("-" if ch in ':/\\' else ch for ch in env_id).strip("-.") or "env"
    while len(stem.encode("utf-8", "surrogateescape")) > MAX_STEM:
        stem = stem[1:]
    return stem.lstrip("-.") or "env"


def fresh_save_path(env_id: str, kind: str, directory: Path | None = None) -> Path:
    """``DIR/ENV-KIND.safetensors``, numbered (``-2``, ``-3`` ...) so that it neither
    overwrites an existing save nor takes the name of one listed beside it (the shipped
    ``CartPole-v1-dqn.safetensors``): every listed save keeps a name of its own."""
    from agents.files import unused_path
    from agents.persistence import SUFFIX

    return unused_path(directory or saves_dir(), f"{id_stem(env_id)}-{kind}", SUFFIX, tuple(agent_dirs()))


def save_target(path: str, env_id: str, kind: str, what: str = "The save") -> Path:
    """Where a save asked for as ``path`` goes, checked before any training is spent on it.

    A directory (existing, or written with a trailing slash) means "in there, with the
    suggested name"; a name without a suffix gets ``.safetensors``. See :func:`save_place`.

    Raises:
        SaveError: the place cannot hold a save, in one sentence.
    """
    from agents.persistence import SUFFIX, SaveError
    from rltui.core.paths import PathError, file_to_write

    place, in_it = save_place(path, what)
    if not in_it:
        return place
    try:  # the name it will get in there, numbered as far as it may go, fits too
        file_to_write(place / f"{id_stem(env_id)}-{kind}-9999{SUFFIX}", what)
    except PathError as exc:
        raise SaveError(str(exc)) from None
    return fresh_save_path(env_id, kind, place)


def save_place(path: str, what: str = "The save") -> tuple[Path, bool]:
    """``path`` as a place to save an agent: (the file, False) or (the folder to save in, True),
    checked as :mod:`rltui.core.paths` checks every path a person gives, before anything is
    made; ``what`` names it in the message (``--save``, ``--save-best``).

    Raises:
        SaveError: the place cannot hold a save, in one sentence.
    """
    from agents.persistence import SUFFIX, SaveError
    from rltui.core.paths import PathError, file_to_write, folder_to_write, user_path

    text = path.strip()
    if not text:
        raise SaveError(f"{what} is empty: give a file name to save to.")
    try:
        target = user_path(text, what)
        if target.is_dir() or text.endswith(("/", os.sep)):
            return folder_to_write(target, what), True
        if not target.suffix:
            target = target.with_suffix(SUFFIX)
        return file_to_write(target, what), False
    except PathError as exc:
        raise SaveError(str(exc)) from None


# --- listings ----------------------------------------------------------------------


def _listing(directories: list[Path], suffix: str, read: Callable[[Path], Any], error: type[Exception],
             describe: Callable[[Any], dict[str, Any]]) -> list[dict[str, Any]]:
    """A row per ``*suffix`` file in ``directories``: what ``describe`` says of it, or why
    ``read`` could not read it."""
    rows: list[dict[str, Any]] = []
    for directory in directories:
        paths = directory.glob(f"*{suffix}") if directory.is_dir() else []
        for path in sorted(paths, key=lambda p: p.stem):  # NAME before NAME-2
            if path.name.startswith("."):
                continue  # a write in progress (or one a crash left behind), never a save
            try:
                item = read(path)
            except error as exc:
                rows.append({"file": str(path), "error": str(exc)})
            else:
                rows.append({"file": str(path), **describe(item)})
    return rows


def origin(file: str | Path) -> str:
    """Whose a listed file is: ``"yours"`` (in :func:`saves_dir`, or its ``episodes/``),
    ``"shipped"`` (it came with rltui), else its folder."""
    folder = Path(file).parent
    if folder.name == "episodes":
        folder = folder.parent
    for directory, name in ((saves_dir(), "yours"), (SHIPPED_DIR, "shipped")):
        try:
            if os.path.realpath(folder) == os.path.realpath(directory):  # a link loop is no error here
                return name
        except OSError:
            pass
    return str(folder)


def listed_name(row: dict[str, Any]) -> str:
    """A saved agent's name as listings show it: the file's stem, marked when training was
    interrupted (Ctrl+C) before it was saved."""
    return Path(row["file"]).stem + (" (interrupted)" if row.get("interrupted") else "")


def list_saves() -> list[dict[str, Any]]:
    """Every saved agent (the user's, then the shipped ones), with its metadata or why it is
    unreadable."""
    from agents.persistence import SUFFIX, SaveError, read_metadata

    def describe(meta: dict[str, Any]) -> dict[str, Any]:
        return {
            "env": meta["env_id"],
            "agent": meta["kind"],
            "steps": meta["counters"].get("steps"),
            "eval_return": (meta.get("evaluation") or {}).get("return_mean"),
            "date": meta.get("created"),
            "interrupted": bool(meta.get("interrupted", False)),
        }

    return _listing(agent_dirs(), SUFFIX, read_metadata, SaveError, describe)


def list_episodes() -> list[dict[str, Any]]:
    """Every saved episode file, read (not replayed), or why it is unreadable."""
    from rltui.core.episodes import SUFFIX, EpisodeFileError, EpisodeRecord, read

    def describe(record: EpisodeRecord) -> dict[str, Any]:
        return {
            "env": record.env,
            "steps": record.steps,
            "return": record.return_,
            "played_by": "+".join(sorted(set(record.actors))) or "nobody",
            "ended": "terminated" if record.terminated else "truncated" if record.truncated else "no",
        }

    return _listing([d / "episodes" for d in agent_dirs()], SUFFIX, read, EpisodeFileError, describe)
