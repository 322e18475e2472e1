"""Between the UI and the play-along owner: calls in, typed messages out.

The UI never changes the owner's state itself: it queues a call (a bound method of the
owner and its arguments) in the :class:`Inbox`, and the owner thread makes it. So a request
is a method that exists, or an AttributeError where it is sent, never an unknown string.
The owner answers with :class:`Notice` and :class:`SnapshotReady` messages through one
callable that never waits (the UI posts them to itself).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rltui.live.snapshot import Snapshot

Call = tuple[Callable[..., Any], tuple[Any, ...]]


class Inbox:
    """Calls for the owner thread, counted so that a test (or a benchmark) can tell when every
    call sent has been made and its result published."""

    def __init__(self) -> None:
        self._calls: queue.SimpleQueue[Call] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self.sent = 0
        """Calls queued (by the UI thread, and by the thread that makes an agent)."""
        self.handled = 0
        """Calls made and published (counted in the owner thread)."""
        self.arrived = threading.Event()
        """Set on every call queued: a greedy evaluation in progress gives way to it."""

    def put(self, fn: Callable[..., Any], *args: Any) -> None:
        """Queue ``fn(*args)`` for the owner thread; returns at once."""
        with self._lock:
            self.sent += 1
        self._calls.put((fn, args))
        self.arrived.set()

    def get(self, timeout: float) -> Call | None:
        """The next call, waiting up to ``timeout`` seconds (0: not at all)."""
        try:
            return self._calls.get(timeout=timeout) if timeout > 0 else self._calls.get_nowait()
        except queue.Empty:
            return None

    def empty(self) -> bool:
        return self._calls.empty()

    def drop_all(self) -> None:
        """Count every call sent as handled (a fault drops whatever was in flight)."""
        self.handled = self.sent


@dataclass(frozen=True)
class Notice:
    """Something to tell the person once."""

    severity: str
    """``information``, ``warning`` or ``error``."""
    text: str


@dataclass(frozen=True)
class SnapshotReady:
    """A new snapshot; a newer one makes it worthless (the UI may drop it unseen)."""

    snapshot: Snapshot


OwnerMessage = Notice | SnapshotReady
Deliver = Callable[[OwnerMessage], None]
