"""``kill`` and Ctrl+C reach a running app in a real terminal (a pseudo-terminal here): it
closes the way q does, restoring the terminal, instead of ignoring the signal or dying in the
app's screen mode."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pty = pytest.importorskip("pty")
ENTER_SCREEN, LEAVE_SCREEN = b"\x1b[?1049h", b"\x1b[?1049l"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_closes_the_app_and_restores_the_terminal(signum: int, tmp_path: Path) -> None:
    import fcntl
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = dict(os.environ, TERM="xterm-256color", RLTUI_SAVES=str(tmp_path))
    child = subprocess.Popen(
        [sys.executable, "-m", "rltui", "play", "CartPole-v1"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    screen = bytearray()

    def drain() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            screen.extend(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while b"CartPole" not in screen and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)  # polling for the first drawn frame, not standing in for it
        assert ENTER_SCREEN in screen and b"CartPole" in screen, bytes(screen[-400:])
        child.send_signal(signum)
        code = child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        reader.join(timeout=5)
        os.close(master)
    assert code == 128 + signum
    assert LEAVE_SCREEN in screen[screen.index(ENTER_SCREEN) :]
    assert b"Traceback" not in screen
