"""Files the user keeps, written whole or not at all, and files read whole within a bound.

A leaf (it imports nothing of rltui or agents): agent saves (:mod:`agents.persistence`),
episodes, maps and GIFs are all written by :func:`write_atomic`, with an ordinary file's mode;
episode files and maps are read by :func:`read_limited`, which opens only a regular file of
bounded size.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def write_atomic(target: Path, data: bytes | Callable[[BinaryIO], None]) -> None:
    """Write ``data`` to ``target`` through a temporary file beside it, fsynced, then renamed;
    the one way rltui writes a file the user keeps (agent saves, episodes, maps, GIFs).

    ``data`` is the bytes, or a function that writes them to the open binary file (Pillow's
    ``save``). The file gets an ordinary file's mode: the one it replaces, else ``0o666`` less
    the umask (``mkstemp`` makes 0600). A crash, a full disk or a writer that raises leaves
    the old file (or none), never half of the new one, and no folder it made for the file.

    Raises:
        OSError: the directory cannot be made or the file cannot be written (and whatever a
            writer function raises).
    """
    made = _missing_folders(target.parent)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(target)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except BaseException:
        _remove_folders(made)
        raise
    try:
        with os.fdopen(fd, "wb") as fh:
            if callable(data):
                data(fh)
            else:
                fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _file_mode(target))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        _remove_folders(made)
        raise


def _missing_folders(folder: Path) -> list[Path]:
    """The folders of ``folder``'s path that do not exist yet, outermost first."""
    missing: list[Path] = []
    while not folder.exists() and not folder.is_symlink() and folder.parent != folder:
        missing.insert(0, folder)
        folder = folder.parent
    return missing


def _remove_folders(made: list[Path]) -> None:
    """Remove the folders a failed write made (innermost first), if they are still empty."""
    for folder in reversed(made):
        try:
            folder.rmdir()
        except OSError:
            return  # not empty (another writer's) or already gone


def remove_leftovers(target: Path) -> None:
    """Delete temporary files an interrupted write to ``target`` left beside it (a ``kill -9``
    between writing and renaming): they are never saves, and would pile up."""
    for leftover in target.parent.glob(f".{target.name}.*.tmp"):
        try:
            leftover.unlink()
        except OSError:
            pass  # another process's write in progress, or not ours to remove


def _file_mode(target: Path) -> int:
    if target.exists():
        return target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def read_problem(path: Path, exc: OSError, what: str) -> str:
    """One sentence for why ``path`` could not be read; ``what`` is e.g. "a save file"."""
    if isinstance(exc, FileNotFoundError):
        return f"No such file: {path}."
    if isinstance(exc, IsADirectoryError):
        return f"{path} is a directory, not {what}."
    if isinstance(exc, PermissionError):
        return f"{path} cannot be read (permission denied)."
    return f"{path} cannot be read: {exc.strerror or exc}."


class UnreadableFile(Exception):
    """A file that must not be read (not a regular file, too big); one sentence."""


def read_limited(path: Path, limit: int, what: str) -> bytes:
    """The bytes of ``path``, which must be a regular file of at most ``limit`` bytes.

    A FIFO would block the reader forever and ``/dev/zero`` never ends: only regular files
    are opened, and the size is checked before anything is read.

    Raises:
        OSError: missing, a directory, no permission (see :func:`read_problem`).
        UnreadableFile: not a regular file, or larger than ``limit``.
    """
    info = os.stat(path)  # follows links: a link to a device is a device
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(21, "Is a directory", str(path))
    if not stat.S_ISREG(info.st_mode):
        raise UnreadableFile(f"{path} is not a regular file, so it cannot be {what}.")
    size, most = _sizes(info.st_size, limit)
    if info.st_size > limit:
        raise UnreadableFile(f"{path} is {size}, more than {what} can be ({most} at most).")
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise UnreadableFile(f"{path} grew past {most} while it was read.")
    return data


def _sizes(size: int, limit: int) -> tuple[str, str]:
    """A file's size and the limit, for a message: in MB for a limit of 1 MB or more (an
    episode file's), in KB below (a map's)."""
    if limit >= 2**20:
        return f"{size / 2**20:,.1f} MB", f"{limit / 2**20:,.0f} MB"
    return f"{size / 1024:,.0f} KB", f"{limit / 1024:,.0f} KB"
