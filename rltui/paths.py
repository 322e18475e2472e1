"""Paths a person gives rltui (options, environment variables, map ids inside files), resolved
and checked one way, before any work is done and before anything is created.

Every check here only looks: nothing is made, opened for writing or changed. What is refused
is refused in one sentence (:class:`PathError`): a ``~user`` with no home folder, a name longer
than a file system takes, bytes that are not text in the file system's encoding, a file, FIFO
or device where a folder must be, a path under ``/proc`` or ``/sys``, a symbolic link loop or
a link to nothing, a folder that cannot be written, a control character in the name of a
file or folder to be made.

rltui's own folders live here too: where saves, episodes and shipped agents are kept
(``$RLTUI_SAVES``, the per-user data folder, the repository's ``saves/``), and how an env id
becomes part of a file name.

A leaf: it imports nothing of rltui's.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import unicodedata
from pathlib import Path

MAX_NAME = 255
"""Bytes in one name of a path (NAME_MAX of Linux and macOS file systems)."""
MAX_PATH = 4095
"""Bytes in a whole path (PATH_MAX, 4096, less the terminating NUL)."""
WRITE_ROOM = len("." + "." + "abcdefgh" + ".tmp")
"""Bytes a file's name needs beyond its own: rltui writes a file the user keeps through a
temporary one beside it, ``.NAME.XXXXXXXX.tmp`` (:func:`rltui.fileio.write_atomic`)."""
SYSTEM_ROOTS = ("/proc", "/sys")
"""The kernel's views of itself: files there are not files, and nothing of rltui's is kept there."""


class PathError(ValueError):
    """A path that cannot serve as what it was given for; the message is one sentence."""


def shown(path: str | os.PathLike[str], limit: int = 80) -> str:
    """``path`` as a message shows it, on one line: bytes that are not text as ``\\xff``, control
    characters escaped, cut to ``limit`` characters."""
    text = os.fspath(path)
    encoding = sys.getfilesystemencoding()
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        text = text.encode(encoding, "surrogateescape").decode(encoding, "backslashreplace")
    except UnicodeError:
        text = ascii(text)[1:-1]
    text = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)  # one line, always
    return text if len(text) <= limit else text[: limit - 1] + "…"


def user_path(text: str | os.PathLike[str], what: str) -> Path:
    """``text`` with ``~`` expanded, checked as a name (the file system is not asked).

    Args:
        text: the path as given.
        what: where it was given, for the message: ``--save``, ``$RLTUI_SAVES``, ``map``.

    Raises:
        PathError: empty, a NUL character, ``~user`` with no home folder, not text in the file
            system's encoding, a name over :data:`MAX_NAME` or a path over :data:`MAX_PATH` bytes.
    """
    raw = os.fspath(text)
    if not raw.strip():
        raise PathError(f"{what} is empty: give it a path.")
    if "\0" in raw:
        raise PathError(f"{what} {shown(raw)} cannot be used: it holds a NUL character.")
    encoding = sys.getfilesystemencoding()
    try:
        raw.encode(encoding)
    except UnicodeError:
        raise PathError(
            f"{what} {shown(raw)} cannot be used: it holds bytes that are not {encoding} "
            "text, which rltui can neither write in its files nor show."
        ) from None
    try:
        path = Path(raw).expanduser()
    except RuntimeError:  # Python's "Could not determine home directory."
        user = raw[1:].split("/", 1)[0].split(os.sep, 1)[0]
        home = (
            f"there is no user {shown(user, 40)}, so ~{shown(user, 40)} is no folder"
            if user
            else "~ stands for the home folder, and there is none (HOME is not set)"
        )
        raise PathError(f"{what} {shown(raw)} cannot be used: {home}.") from None
    full = os.fsencode(_absolute(path))
    longest = max(len(part) for part in full.split(b"/"))
    if longest > MAX_NAME:
        raise PathError(
            f"{what} {shown(raw)} cannot be used: a name in it is {longest} bytes long, "
            f"and a file system takes at most {MAX_NAME}."
        )
    if len(full) > MAX_PATH:
        raise PathError(
            f"{what} {shown(raw)} cannot be used: it is {len(full)} bytes long, "
            f"and a file system takes at most {MAX_PATH}."
        )
    confined(path, what)
    return path


def folder_to_write(text: str | os.PathLike[str], what: str) -> Path:
    """``text`` as a folder that exists, or can be made, and can be written in: checked, not made.

    Raises:
        PathError: as :func:`user_path`, or a file, FIFO or device where a folder must be, a
            place under ``/proc`` or ``/sys``, a symbolic link loop or a link to nothing, no
            permission.
    """
    path = user_path(text, what)
    confined(path, what, write=True)
    _check_folder(path, os.fspath(text), what)
    return path


def file_to_write(text: str | os.PathLike[str], what: str) -> Path:
    """``text`` as a file to write: its folder as :func:`folder_to_write` checks it, and the
    file itself, if it exists, an ordinary file.

    Raises:
        PathError: as :func:`folder_to_write`, or the file is a folder, FIFO, device or link loop.
    """
    path = user_path(text, what)
    raw = os.fspath(text)
    control = _control_in(path.name)
    if control is not None:
        raise _refused(what, raw, f"its name holds a control character ({control}), which no file of rltui's may have")
    name = len(os.fsencode(path.name))
    if name > MAX_NAME - WRITE_ROOM:
        raise _refused(
            what,
            raw,
            f"its name is {name} bytes long, and a file rltui writes may have "
            f"at most {MAX_NAME - WRITE_ROOM} (it is written through a temporary name "
            f"{WRITE_ROOM} bytes longer)",
        )
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise _refused(what, raw, f"{shown(path)} is a symbolic link to nothing") from None
    except NotADirectoryError:
        pass  # a file where a folder is: said by the folder's check
    except OSError as exc:
        raise _refused(what, raw, _problem(path, exc)) from None
    else:
        if not stat.S_ISREG(info.st_mode):
            raise _refused(what, raw, f"{shown(path)} is {_kind(info.st_mode)}, not a file")
    confined(path, what, write=True)
    _check_folder(path.parent, raw, what)
    return path


def _check_folder(path: Path, raw: str, what: str) -> None:
    """The folder ``path`` exists or can be made, and can be written in (see :func:`folder_to_write`)."""
    absolute = Path(_absolute(path))
    existing, missing = absolute, 0
    while True:
        try:
            info = os.stat(existing)
            break
        except FileNotFoundError:
            if os.path.islink(existing):
                raise _refused(what, raw, f"{shown(existing)} is a symbolic link to nothing") from None
        except NotADirectoryError:
            pass  # a file, FIFO or device above: found on the way up
        except OSError as exc:
            raise _refused(what, raw, _problem(existing, exc)) from None
        if existing.parent == existing:
            raise _refused(what, raw, "none of the folders it is in exists")
        existing, missing = existing.parent, missing + 1
    if not stat.S_ISDIR(info.st_mode):
        raise _refused(what, raw, f"{shown(existing)} is {_kind(info.st_mode)}, not a folder")
    for part in absolute.parts[len(absolute.parts) - missing :] if missing else ():  # the folders to be made
        control = _control_in(part)
        if control is not None:
            reason = f"a folder's name in it holds a control character ({control}), which no folder of rltui's may have"
            raise _refused(what, raw, reason)
    real = Path(os.path.realpath(existing)).joinpath(*absolute.parts[len(absolute.parts) - missing :])
    for place in (Path(os.path.normpath(absolute)), real):
        for root in SYSTEM_ROOTS:
            if place == Path(root) or Path(root) in place.parents:
                raise _refused(what, raw, f"it is in {root}, the kernel's view of itself, where no files are kept")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise _refused(what, raw, f"{shown(existing)} cannot be written (permission denied or a read-only file system)")


def _control_in(name: str) -> str | None:
    """The first control character in ``name`` (a tab, a newline, an escape …), as ``\\x07``
    shows it; None if there is none. Such a name is a trap: listings, messages and shells
    print it as something else, or act on it."""
    for ch in name:
        if unicodedata.category(ch) == "Cc":
            return ascii(ch)[1:-1]
    return None


def _absolute(path: Path) -> str:
    """``path`` from the root, as the system will walk it: ``..`` is not folded away (in
    ``afile/../x`` the system meets ``afile``, a file, where ``os.path.abspath`` sees none)."""
    text = os.fspath(path)
    return text if os.path.isabs(text) else os.path.join(os.getcwd(), text)


def _refused(what: str, raw: str, reason: str) -> PathError:
    return PathError(f"{what} {shown(raw)} cannot be used: {reason}.")


def _problem(path: Path, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return f"{shown(_loop_in(path))} goes round a loop of symbolic links"
    if isinstance(exc, PermissionError):
        return f"{shown(path)} cannot be reached (permission denied)"
    return f"{shown(path)} cannot be looked at ({exc.strerror or exc})"


def _loop_in(path: Path) -> Path:
    """The shortest part of ``path`` that still goes round a symbolic link loop: the link to name."""
    for part in reversed(path.parents):
        try:
            os.stat(part)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return part
    return path


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISREG(mode):
        return "a file"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not an ordinary file"


# --- rltui's own folders and file names -----------------------------------------

SAVES_DIR_ENV = "RLTUI_SAVES"
SHIPPED_DIR = Path(__file__).resolve().parents[1] / "saves"
"""The agents (and episodes) that come with rltui: the repository's ``saves/``."""


SANDBOX_ENV = "RLTUI_SANDBOX"
"""Set (to ``1``) by ``rltui serve`` in each visitor's app: every path a person gives must lie
in the visitor's own folder (``$RLTUI_SAVES``), or, to read, among rltui's shipped files."""
BUNDLED_MAPS = Path(__file__).resolve().parent / "envs" / "maps"


def sandboxed() -> bool:
    """Whether this process serves one visitor of a shared server (``$RLTUI_SANDBOX``)."""
    return os.environ.get(SANDBOX_ENV, "") not in ("", "0")


def confined(path: str | os.PathLike[str], what: str, write: bool = False) -> None:
    """Under the sandbox (:func:`sandboxed`), refuse ``path`` unless it leads, once ``..`` and
    every symbolic link are followed, into the visitor's folder (``$RLTUI_SAVES``) or, when
    only read (``write`` false), into the shipped saves or maps; off the sandbox, nothing.

    Raises:
        PathError: the path leads elsewhere, in one sentence.
    """
    if not sandboxed():
        return
    home = os.environ.get(SAVES_DIR_ENV)
    real = os.path.realpath(os.path.expanduser(os.fspath(path)))
    roots = [os.path.realpath(home)] if home else []
    if not write:
        roots += [os.path.realpath(SHIPPED_DIR), os.path.realpath(BUNDLED_MAPS)]
    if any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in roots):
        return
    where = "your own folder" if write else "your own folder or rltui's shipped files"
    raise PathError(
        f"{what} {shown(path)} cannot be used: on this shared server only {where} can be "
        f"{'written' if write else 'read'}, and this path leads elsewhere."
    )


def user_data_dir() -> Path:
    """rltui's folder in the platform's per-user data location.

    Raises:
        PathError: no home folder, or ``$XDG_DATA_HOME`` / ``$LOCALAPPDATA`` is no usable path.
    """
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
    override = os.environ.get(SAVES_DIR_ENV)
    return user_path(override, f"${SAVES_DIR_ENV}") if override else user_data_dir() / "saves"


def check_saves_dir() -> Path:
    """The saves folder, checked before any work that will write in it: ``$RLTUI_SAVES`` must
    be a folder that exists or can be made and can be written (see
    :func:`rltui.paths.folder_to_write`); the default one only needs a home folder (it
    is made when something is first saved).

    Raises:
        PathError: in one sentence.
    """
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
    stem = "".join("-" if ch in ":/\\" else ch for ch in env_id).strip("-.") or "env"
    while len(stem.encode("utf-8", "surrogateescape")) > MAX_STEM:
        stem = stem[1:]
    return stem.lstrip("-.") or "env"
