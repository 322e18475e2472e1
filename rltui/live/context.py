"""What the parts of the play-along owner share: the session, the agent now attached, who
drives and how (:class:`Mode`), the inbox of calls and the way to tell the person.

Each part of :class:`rltui.live.playalong.PlayAlong` (the timeline, the clock, the hand-off,
the learner, progress, the publisher, the commands) keeps its own state and is given this
context, and the other parts it works with, when it is made; it reads no part's state but
its own and this.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from rltui.envs.session import HUMAN, Session
from rltui.live.inbox import Deliver, Inbox, Notice

SPEEDS = (1, 2, 4, 8, 16, 32, 64, 128)
"""Agent steps per second at the slow settings; full speed is separate."""
DEFAULT_SPEED = 2  # index: 4 steps/s, slow enough to follow


@dataclass
class Mode:
    """Who drives and how (owner thread): changed by the calls the UI sends."""

    controller: str = HUMAN
    learning: bool = True
    learn_from_human: bool = True
    paused: bool = False
    full_speed: bool = False
    speed: int = DEFAULT_SPEED
    """An index into :data:`SPEEDS`."""
    stopped_reason: str | None = None
    """Why training stopped (a fault), until the agent is handed control again."""


@dataclass
class Context:
    """The session, the agent attached (None: a person plays alone), the mode, the inbox."""

    session: Session
    inbox: Inbox = field(default_factory=Inbox)
    deliver: Deliver | None = None
    """Handed each message, from the owner thread (it must not wait)."""
    mode: Mode = field(default_factory=Mode)
    agent: Any = None
    stop: threading.Event = field(default_factory=threading.Event)
    """Set when the owner is to stop (a long evaluation gives way to it)."""

    def say(self, severity: str, text: str) -> None:
        """Tell the person once (``information``, ``warning`` or ``error``)."""
        if self.deliver is not None:
            self.deliver(Notice(severity, text))
