"""Files the user keeps: written whole or not at all, never over another, and unreadable
ones explained in a sentence."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` through a temporary file beside it, fsynced, then renamed.

    A crash or a full disk leaves the old file (or none), never half of the new one.

    Raises:
        OSError: the directory cannot be made or the file cannot be written.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _file_mode(target))  # mkstemp makes 0600; a save is an ordinary file
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _file_mode(target: Path) -> int:
    if target.exists():
        return target.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def unused_path(directory: Path, stem: str, suffix: str) -> Path:
    """``DIR/STEM.SUFFIX``, or ``DIR/STEM-2.SUFFIX``, ``-3`` ... : the first that does not exist."""
    path = directory / f"{stem}{suffix}"
    n = 2
    while path.exists():
        path = directory / f"{stem}-{n}{suffix}"
        n += 1
    return path


def read_problem(path: Path, exc: OSError, what: str) -> str:
    """One sentence for why ``path`` could not be read; ``what`` is e.g. "a save file"."""
    if isinstance(exc, FileNotFoundError):
        return f"No such file: {path}."
    if isinstance(exc, IsADirectoryError):
        return f"{path} is a directory, not {what}."
    if isinstance(exc, PermissionError):
        return f"{path} cannot be read (permission denied)."
    return f"{path} cannot be read: {exc.strerror or exc}."
