"""Atari's catalog entries (Farama's ``ale-py``; its ROMs ship with it)."""

from __future__ import annotations

from rltui.core.catalog.entry import PIXELS, EnvEntry, keys

GROUP = "Atari"
REQUIRES = "ale_py"
HINT = "pip install 'rltui[atari]'"
# Fire is z: space, f and tab are rltui's own (pause, full speed, hand-off); 0 is no-op.
_KEYS = {"NOOP": "0", "FIRE": "z", "UP": "up,w", "DOWN": "down,s", "RIGHT": "right,d", "LEFT": "left,a",
         "RIGHTFIRE": "c", "LEFTFIRE": "x"}
_NAMES = {"NOOP": "No-op", "FIRE": "Fire", "UP": "Up", "DOWN": "Down", "RIGHT": "Right", "LEFT": "Left",
          "RIGHTFIRE": "Right+fire", "LEFTFIRE": "Left+fire"}


def entry(env_id: str, meanings: tuple[str, ...], description: str,
          key_of: dict[str, str] | None = None, names: dict[str, str] | None = None) -> EnvEntry:
    key_of = {**_KEYS, **(key_of or {})}
    names = {**_NAMES, **(names or {})}
    return EnvEntry(
        id=env_id,
        group=GROUP,
        description=description,
        action_names=tuple(names[m] for m in meanings),
        keys=keys(*((key_of[m], i) for i, m in enumerate(meanings))),
        render=PIXELS,
        gamma=0.99,
        budgets={},
        requires=REQUIRES,
        install_hint=HINT,
        realtime=True,
        rest_action=0,
        agents=False,
    )


ENTRIES: tuple[EnvEntry, ...] = (
    # Pong's RIGHT moves the paddle up and LEFT down: the keys follow the screen.
    entry("ALE/Pong-v5", ("NOOP", "FIRE", "RIGHT", "LEFT", "RIGHTFIRE", "LEFTFIRE"),
          "Pong: return the ball past the computer's paddle; first to 21.",
          key_of={"RIGHT": "up,w", "LEFT": "down,s", "RIGHTFIRE": "e", "LEFTFIRE": "x"},
          names={"RIGHT": "Paddle up", "LEFT": "Paddle down", "RIGHTFIRE": "Up+fire", "LEFTFIRE": "Down+fire"}),
    entry("ALE/Breakout-v5", ("NOOP", "FIRE", "RIGHT", "LEFT"),
          "Breakout: fire to serve, keep the ball in play, break the bricks."),
    entry("ALE/SpaceInvaders-v5", ("NOOP", "FIRE", "RIGHT", "LEFT", "RIGHTFIRE", "LEFTFIRE"),
          "Space Invaders: shoot the invaders before they land."),
    entry("ALE/Freeway-v5", ("NOOP", "UP", "DOWN"),
          "Freeway: walk the chicken across ten lanes of traffic."),
)
