"""Real time: a person drives an env that keeps moving, as Gymnasium's ``play`` does.

A terminal reports key presses, never releases: holding a key sends the press again and
again (after a first delay of a quarter to half a second, then some 30 times a second). So
a key's action lasts :data:`HOLD` seconds from its latest press: held, the repeats keep
extending it; let go, it ends that long after the last repeat and the env's rest action
(no torque, engines off) is sent instead. The env steps at its own frame rate
(``metadata["render_fps"]``) whether or not a key is down.
"""

from __future__ import annotations

HOLD = 0.5
"""Seconds a key's action lasts after its latest press: longer than the delay before a held
key starts repeating (0.25-0.5 s in common terminals), so holding a key is one unbroken push."""
CATCH_UP = 0.1
"""Seconds a frame may run late and still be made up for by the next ones coming sooner."""
DEFAULT_FPS = 30.0
"""Frames per second of an env that does not say."""
MIN_FPS, MAX_FPS = 1.0, 240.0
"""The paces a person may set (``play --fps``, ``+``/``-`` while driving in real time)."""
PACES = (2.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 40.0, 50.0, 60.0)
"""The steps ``+`` and ``-`` take through real time's pace, in frames per second."""


def next_pace(fps: float, faster: bool) -> float:
    """The pace one ``+`` (``faster``) or ``-`` away from ``fps``: the next of :data:`PACES`
    (an env's own pace between two of them steps to its neighbour)."""
    if faster:
        return next((p for p in PACES if p > fps + 1e-9), max(fps, PACES[-1]))
    return next((p for p in reversed(PACES) if p < fps - 1e-9), min(fps, PACES[0]))


def check_fps(fps: float) -> float:
    """``fps`` if it is a pace a person may set, else ValueError (one sentence)."""
    if not (MIN_FPS <= fps <= MAX_FPS):  # NaN fails both
        raise ValueError(f"--fps must be between {MIN_FPS:g} and {MAX_FPS:g} frames per second (got {fps:g}).")
    return float(fps)


class KeyHold:
    """Which action a person's keys mean at each moment.

    Args:
        rest: the action sent when no key is held, or several taken in turn, frame by frame
            (CartPole has no "no push": left and right in turn push it nowhere on average).
        hold: seconds an action lasts after its latest press.
    """

    def __init__(self, rest: int | tuple[int, ...], hold: float = HOLD) -> None:
        self.rest = (rest,) if isinstance(rest, int) else tuple(rest)
        if not self.rest:
            raise ValueError("a rest needs at least one action")
        self.hold = hold
        self._action = self.rest[0]
        self._until = float("-inf")
        self._rested = 0

    def press(self, action: int, now: float) -> None:
        """A key press (or a terminal's repeat of a held key) at time ``now``."""
        self._action = action
        self._until = now + self.hold

    def release(self) -> None:
        """Forget the held key at once (a new episode, a pause)."""
        self._until = float("-inf")

    def action(self, now: float) -> int:
        """The action for a frame at time ``now``: the latest key's while it lasts, else the
        rest action (the next of them in turn)."""
        if now < self._until:
            return self._action
        action = self.rest[self._rested % len(self.rest)]
        self._rested += 1
        return action


def frame_rate(env: object, pace: float | None = None) -> float:
    """``pace`` when a person set one, else the env's frames per second (its ``render_fps``),
    or :data:`DEFAULT_FPS`."""
    if pace is not None:
        return float(pace)
    metadata = getattr(env, "metadata", None) or {}
    fps = metadata.get("render_fps")
    return float(fps) if isinstance(fps, (int, float)) and fps > 0 else DEFAULT_FPS
