"""Keys typed while the app starts (or left unread as it quits) never reach the shell."""

from __future__ import annotations

import io
import os
import pty
import select
import termios
import tty as ttymode

import pytest

from rltui.ui.terminal import discard_typed_ahead, quiet_typing


def _pending(fd: int) -> bytes:
    ready, _, _ = select.select([fd], [], [], 0)
    return os.read(fd, 1024) if ready else b""


def test_typed_ahead_keys_are_dropped_at_a_terminal() -> None:
    master, slave = pty.openpty()
    try:
        with os.fdopen(os.dup(slave), "rb", buffering=0) as tty:
            ttymode.setraw(slave, termios.TCSANOW)  # as the app's driver leaves it: no line editing
            os.write(master, b"jjjq")  # a person pressing keys while torch loads
            select.select([slave], [], [], 5)  # the bytes have arrived at the terminal
            assert discard_typed_ahead(tty)
            assert _pending(slave) == b""  # nothing left for the shell to read
    finally:
        os.close(master)
        os.close(slave)


def test_a_pipe_is_left_alone() -> None:
    read_end, write_end = os.pipe()
    try:
        os.write(write_end, b"data")
        with os.fdopen(os.dup(read_end), "rb", buffering=0) as pipe:
            assert not discard_typed_ahead(pipe)
        assert os.read(read_end, 4) == b"data"
    finally:
        os.close(read_end)
        os.close(write_end)


def test_no_file_descriptor_is_not_an_error() -> None:
    assert not discard_typed_ahead(io.StringIO())


def test_the_app_discards_before_and_after_it_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    from textual.app import App

    from rltui.ui import app as app_module

    calls: list[str] = []
    monkeypatch.setattr(app_module, "discard_typed_ahead", lambda: calls.append("discard") or True)
    monkeypatch.setattr(App, "run", lambda self, *a, **k: calls.append("run"))
    app_module.RLTuiApp().run()
    assert calls == ["discard", "run", "discard"]


def test_quiet_typing_stops_the_echo_and_puts_the_terminal_back() -> None:
    master, slave = pty.openpty()
    try:
        before = termios.tcgetattr(slave)
        assert before[3] & termios.ECHO  # a fresh terminal echoes what is typed
        with os.fdopen(os.dup(slave), "rb", buffering=0) as tty:
            with quiet_typing(tty):
                assert not termios.tcgetattr(slave)[3] & termios.ECHO
                os.write(master, b"xyzzy")  # typed while torch loads
                select.select([slave], [], [], 5)
                ttymode.setraw(slave, termios.TCSANOW)  # the app's own mode, left behind
            assert termios.tcgetattr(slave) == before  # as it was, whatever the app left
            assert _pending(slave) == b""  # and nothing left for the shell
        assert _pending(master) == b""  # nothing was echoed back to the screen
    finally:
        os.close(master)
        os.close(slave)
