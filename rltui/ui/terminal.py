"""The terminal around the app: keys a person types while it starts, or as it quits.

Loading torch takes seconds before the app draws anything. Meanwhile the terminal is in its
line mode and echoes what is typed, so a person's blind key presses show up in the shell's
scrollback after the app closes (and, typed after it closes, go to the shell as a command).
:func:`quiet_typing` turns the echo off from the first moment until the app has gone and
puts the terminal back; :func:`discard_typed_ahead` drops what was typed ahead at the edges of
the app's own run (``tune --watch`` runs the app without :func:`quiet_typing`).

No textual here: this runs before the UI is imported.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any


def _tty_fd(stream: Any) -> int | None:
    try:
        fd = (sys.stdin if stream is None else stream).fileno()
    except (AttributeError, OSError, ValueError):  # no file descriptor (a test's StringIO, closed)
        return None
    return fd if os.isatty(fd) else None


def discard_typed_ahead(stream: Any = None) -> bool:
    """Drop the bytes typed at ``stream``'s terminal (stdin by default) and not read yet.
    Whether there was a terminal to do it on (a pipe, a file or a browser session has none)."""
    fd = _tty_fd(stream)
    if fd is None:
        return False
    try:
        import termios

        termios.tcflush(fd, termios.TCIFLUSH)
    except (ImportError, OSError):  # no termios (Windows)
        return False
    return True


@contextlib.contextmanager
def quiet_typing(stream: Any = None) -> Iterator[None]:
    """While inside: what is typed at the terminal is not echoed (signals such as ctrl+c still
    work). On the way out: what was typed and not read is dropped, and the terminal's settings
    are put back as they were, whatever the app left them as."""
    fd = _tty_fd(stream)
    saved = None
    if fd is not None:
        try:
            import termios

            saved = termios.tcgetattr(fd)
            quiet = termios.tcgetattr(fd)
            quiet[3] &= ~(termios.ECHO | termios.ICANON)  # lflags: no echo, no line editing
            termios.tcsetattr(fd, termios.TCSANOW, quiet)
        except (ImportError, OSError):
            saved = None
    try:
        yield
    finally:
        if saved is not None:
            import termios

            with contextlib.suppress(OSError):
                # Flushed again here: keys pressed after the app's own run ended and before
                # the process exits would otherwise reach the shell.
                termios.tcflush(fd, termios.TCIFLUSH)
                termios.tcsetattr(fd, termios.TCSANOW, saved)
