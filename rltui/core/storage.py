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
    """rltui's folder in the platform's per-user data location."""
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / "rltui"


def saves_dir() -> Path:
    """Where new saves go: ``$RLTUI_SAVES``, else ``saves/`` in the per-user data folder."""
    override = os.environ.get(SAVES_DIR_ENV)
    return Path(override).expanduser() if override else user_data_dir() / "saves"


def episodes_dir() -> Path:
    """Where ctrl+e saves episodes: ``episodes/`` in the saves folder."""
    return saves_dir() / "episodes"


def agent_dirs() -> list[Path]:
    """The folders listed for saved agents: the user's, then the shipped ones."""
    dirs = [saves_dir()]
    if SHIPPED_DIR.is_dir() and SHIPPED_DIR.resolve() != dirs[0].resolve():
        dirs.append(SHIPPED_DIR)
    return dirs


def id_stem(env_id: str) -> str:
    """An env id as a file name's part: ``map:BridgeGrid`` -> ``map-BridgeGrid`` (ids may hold
    ``:`` and ``/``, which a file name must not)."""
    return "".join("-" if ch in ':/\\' else ch for ch in env_id).strip("-.") or "env"


def fresh_save_path(env_id: str, kind: str, directory: Path | None = None) -> Path:
    """``DIR/ENV-KIND.safetensors``, numbered (``-2``, ``-3`` ...) so that it neither
    overwrites an existing save nor takes the name of one listed beside it (the shipped
    ``CartPole-v1-dqn.safetensors``): every listed save keeps a name of its own."""
    from agents.persistence import SUFFIX

    folder = directory or saves_dir()
    stem = f"{id_stem(env_id)}-{kind}"
    taken = [folder, *agent_dirs()]
    name, n = f"{stem}{SUFFIX}", 2
    while any((d / name).exists() for d in taken):
        name, n = f"{stem}-{n}{SUFFIX}", n + 1
    return folder / name


def save_target(path: str, env_id: str, kind: str) -> Path:
    """Where a save asked for as ``path`` goes, checked before any training is spent on it.

    A directory (existing, or written with a trailing slash) means "in there, with the
    suggested name"; a name without a suffix gets ``.safetensors``.

    Raises:
        SaveError: the place cannot hold a save, in one sentence.
    """
    from agents.persistence import SUFFIX, SaveError

    text = path.strip()
    if not text:
        raise SaveError("Give a file name to save to.")
    target = Path(text).expanduser()
    if target.is_dir() or text.endswith(("/", os.sep)):
        return fresh_save_path(env_id, kind, target)
    if not target.suffix:
        target = target.with_suffix(SUFFIX)
    if target.exists() and not target.is_file():
        raise SaveError(f"{target} exists and is not a file: choose another name.")
    parent = target.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise SaveError(f"Cannot save to {target}: {parent} is not a folder.")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise SaveError(f"Cannot save to {target}: {parent} is not writable.")
    return target


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
            if folder.resolve() == directory.resolve():
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
