"""Real time's clock: a person drives an env that keeps moving (see :mod:`rltui.live.realtime`).

:class:`Clock` is a part of :class:`rltui.live.playalong.PlayAlong`: it holds whether real
time is on, the key held, the pace and the beat of the frames; the owner makes each frame's
step when :meth:`Clock.due` says so.
"""

from __future__ import annotations

import time

from rltui.live.context import Context
from rltui.live.realtime import CATCH_UP, HOLD, KeyHold, next_pace

OVER = "The episode is over: press r for a new one."


class Clock:
    """Real time's state and beat (owner thread)."""

    def __init__(self, ctx: Context, rest: int | tuple[int, ...], fps: float, realtime: bool = False) -> None:
        self.ctx = ctx
        self.realtime = realtime
        """A person's keys drive an env that keeps moving; else each key is one step."""
        self.hold = KeyHold(rest)
        self.fps = fps
        """Real time's pace, in frames (steps) per second."""
        self.running = False
        """Real time is on and a person's key started this episode's clock."""
        self.next_frame = 0.0
        self.over_said = float("-inf")
        self.frame_times: tuple[float, float, int] | None = None
        """(first frame, latest frame, frames) since the clock last started."""

    @property
    def kept_fps(self) -> float | None:
        """Frames per second the clock has kept since it last started (None before its
        second frame)."""
        if self.frame_times is None:
            return None
        first, latest, frames = self.frame_times
        return (frames - 1) / (latest - first) if frames > 1 and latest > first else None

    def stop(self) -> None:
        """The clock stands and the held key is forgotten (a new episode, a hand-over)."""
        self.running = False
        self.hold.release()

    def toggle(self) -> None:
        """Real time, or turn by turn."""
        self.realtime = not self.realtime
        self.stop()
        mode = (
            f"real time: the env moves at {self.fps:g} steps/s and your keys push while held"
            if self.realtime
            else "turn by turn: the env waits for each key"
        )
        self.ctx.say("information", f"Now {mode}.")

    def press(self, action: int, looking_back: bool) -> None:
        """A person's key: hold its action, and start the clock if it stood (not once the
        episode is over, unless an earlier step is shown: acting there branches)."""
        now = time.perf_counter()
        self.hold.press(action, now)
        if self.running:
            return
        if not looking_back and self.ctx.session.episode.done:
            if now - self.over_said > HOLD:  # once, not for every repeat of a held key
                self.ctx.say("information", OVER)
            self.over_said = now
            return
        self.running = True
        self.next_frame = now  # the first frame now: a key is answered at once
        self.frame_times = None

    def left(self, now: float) -> float:
        """Seconds to the next frame (0 or less: it is due)."""
        return self.next_frame - now

    def frame(self) -> int:
        """A frame is made now: the beat moves on; the action for it (the held key's, or the
        rest action once it is let go)."""
        now = time.perf_counter()
        # On the env's beat: a frame a little late is followed by one a little early, so the
        # pace holds; one late by more than CATCH_UP lets the beat go (no burst of frames).
        self.next_frame += 1.0 / self.fps
        if now - self.next_frame > CATCH_UP:
            self.next_frame = now
        first, _, frames = self.frame_times or (now, now, 0)
        self.frame_times = (first, now, frames + 1)
        return self.hold.action(now)

    def step_pace(self, faster: bool) -> None:
        """``+`` or ``-`` while a person drives: the next pace, or a word at either end."""
        pace = next_pace(self.fps, faster)
        if pace == self.fps:
            self.ctx.say(
                "information", f"Real time is at its {'fastest' if faster else 'slowest'} pace, {pace:g} steps/s."
            )
            return
        self.set_pace(pace)

    def set_pace(self, pace: float) -> None:
        if pace == self.fps:
            return
        self.fps = pace
        self.frame_times = None  # the kept rate is counted afresh at the new pace
        self.ctx.say(
            "information",
            f"Real time at {pace:g} steps/s (+/- change it; a key's push lasts the same time at any pace).",
        )
