"""Agent save files: where a save asked for goes, and the listings of saves and episodes.

A person's own saves go to a per-user data folder (``$RLTUI_SAVES`` overrides it; see
:func:`rltui.paths.saves_dir`), not into whatever directory rltui was started from: inside a
git checkout they would otherwise show up in ``git status``. The agents that ship with
rltui stay in the repository's ``saves/``. Listings show both, the user's first.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rltui.paths import SHIPPED_DIR, agent_dirs, id_stem, saves_dir


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
    from rltui.paths import PathError, file_to_write

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
    checked as :mod:`rltui.paths` checks every path a person gives, before anything is
    made; ``what`` names it in the message (``--save``, ``--save-best``).

    Raises:
        SaveError: the place cannot hold a save, in one sentence.
    """
    from agents.persistence import SUFFIX, SaveError
    from rltui.paths import PathError, file_to_write, folder_to_write, user_path

    text = path.strip()
    if not text:
        raise SaveError(f"{what} is empty: give a file name to save to.")
    try:
        target = user_path(text, what)
        last = text.replace(os.sep, "/").rstrip("/").rsplit("/", 1)[-1]
        if target.is_dir() or text.endswith(("/", os.sep)) or last in (".", ".."):  # . and .. name folders
            return folder_to_write(target, what), True
        if not target.suffix:
            target = target.with_suffix(SUFFIX)
        return file_to_write(target, what), False
    except PathError as exc:
        raise SaveError(str(exc)) from None


# --- listings ----------------------------------------------------------------------


def _listing(
    directories: list[Path],
    suffix: str,
    read: Callable[[Path], Any],
    error: type[Exception],
    describe: Callable[[Any], dict[str, Any]],
) -> list[dict[str, Any]]:
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
    from rltui.formats.episodes import SUFFIX, EpisodeFileError, EpisodeRecord, read

    def describe(record: EpisodeRecord) -> dict[str, Any]:
        return {
            "env": record.env,
            "steps": record.steps,
            "return": record.return_,
            "played_by": "+".join(sorted(set(record.actors))) or "nobody",
            "ended": "terminated" if record.terminated else "truncated" if record.truncated else "no",
        }

    return _listing([d / "episodes" for d in agent_dirs()], SUFFIX, read, EpisodeFileError, describe)
