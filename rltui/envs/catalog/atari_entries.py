"""Atari's catalog entries (Farama's ``ale-py``; its ROMs ship with it)."""

from __future__ import annotations

from typing import Any, cast

from rltui.envs.catalog.entry import PIXELS, EnvEntry, keys

GROUP = "Atari"
REQUIRES = "ale_py"
EXTRA = "atari"
"""rltui's optional extra that installs the package."""
# Fire is z: space, f and tab are rltui's own (pause, full speed, hand-off); 0 is no-op.
_KEYS = {
    "NOOP": "0",
    "FIRE": "z",
    "UP": "up,w",
    "DOWN": "down,s",
    "RIGHT": "right,d",
    "LEFT": "left,a",
    "RIGHTFIRE": "c",
    "LEFTFIRE": "x",
}
_NAMES = {
    "NOOP": "No-op",
    "FIRE": "Fire",
    "UP": "Up",
    "DOWN": "Down",
    "RIGHT": "Right",
    "LEFT": "Left",
    "RIGHTFIRE": "Right+fire",
    "LEFTFIRE": "Left+fire",
}


DQN = {
    # The Nature DQN's network and reward clipping; rl-baselines3-zoo's Atari settings (Adam at
    # 1e-4, a batch of 32 every 4th step, a 100k replay, the target copied every 1,000 steps,
    # ε to 0.01), with ε's decay and the warm-up shortened from its 1M and 100k steps to
    # 250k and 20k, so a person watching sees the agent act on its own sooner.
    "hidden": (512,),
    "clip_reward": True,
    "learning_rate": 1e-4,
    "buffer_size": 100_000,
    "batch_size": 32,
    "learning_starts": 20_000,
    "train_freq": 4,
    "target_update_interval": 1_000,
    "epsilon_end": 0.01,
    "epsilon_decay_steps": 250_000,
    "max_grad_norm": 10.0,
}


def entry(
    env_id: str,
    meanings: tuple[str, ...],
    description: str,
    key_of: dict[str, str] | None = None,
    names: dict[str, str] | None = None,
) -> EnvEntry:
    key_of = {**_KEYS, **(key_of or {})}
    names = {**_NAMES, **(names or {})}
    return EnvEntry(
        id=env_id,
        group=GROUP,
        description=description,
        action_names=tuple(names[m] for m in meanings),
        keys=keys(*((key_of[m], i) for i, m in enumerate(meanings) if key_of[m])),  # 18 actions: one has none
        render=PIXELS,
        gamma=0.99,
        requires=REQUIRES,
        extra=EXTRA,
        realtime=True,
        rest_action=0,
        # The agent's frames are grey (rltui.envs.atari); the screen a person sees is rendered
        # in colour either way.
        make_kwargs={"obs_type": "grayscale"},
        tuned={"dqn": DQN},
        budgets={"dqn": 10_000_000},
    )


ENTRIES: tuple[EnvEntry, ...] = (
    # Pong's RIGHT moves the paddle up and LEFT down: the keys follow the screen.
    entry(
        "ALE/Pong-v5",
        ("NOOP", "FIRE", "RIGHT", "LEFT", "RIGHTFIRE", "LEFTFIRE"),
        "Pong: return the ball past the computer's paddle; first to 21.",
        key_of={"RIGHT": "up,w", "LEFT": "down,s", "RIGHTFIRE": "e", "LEFTFIRE": "x"},
        names={"RIGHT": "Paddle up", "LEFT": "Paddle down", "RIGHTFIRE": "Up+fire", "LEFTFIRE": "Down+fire"},
    ),
    entry(
        "ALE/Breakout-v5",
        ("NOOP", "FIRE", "RIGHT", "LEFT"),
        "Breakout: fire to serve, keep the ball in play, break the bricks.",
    ),
    entry(
        "ALE/SpaceInvaders-v5",
        ("NOOP", "FIRE", "RIGHT", "LEFT", "RIGHTFIRE", "LEFTFIRE"),
        "Space Invaders: shoot the invaders before they land.",
    ),
    entry("ALE/Freeway-v5", ("NOOP", "UP", "DOWN"), "Freeway: walk the chicken across ten lanes of traffic."),
)


_WORDS = ("NOOP", "FIRE", "UP", "DOWN", "LEFT", "RIGHT")
_DIGIT_KEYS = "123456789"


def _spoken(meaning: str) -> str:
    """ALE's ``UPRIGHTFIRE`` as ``Up+right+fire``."""
    words, rest = [], meaning
    while rest:
        word = next((w for w in _WORDS if rest.startswith(w)), None)
        if word is None:
            return meaning.capitalize()
        words.append(word.lower())
        rest = rest[len(word) :]
    return "+".join(words).capitalize()


def generic(env_id: str) -> EnvEntry:
    """Any other ALE game: its actions named from ALE's meanings, the usual keys for the usual
    moves and number keys for the rest (diagonals, moves with fire), in real time, and the
    Nature DQN's settings."""
    import gymnasium as gym

    env = gym.make(env_id)
    try:
        meanings = tuple(cast(Any, env.unwrapped).get_action_meanings())  # ALE's, untyped
    finally:
        env.close()
    key_of: dict[str, str] = {}
    names: dict[str, str] = {}
    digits = iter(_DIGIT_KEYS)
    for meaning in meanings:
        names[meaning] = _NAMES.get(meaning) or _spoken(meaning)
        if meaning not in _KEYS:
            key_of[meaning] = next(digits, "")
    return entry(env_id, meanings, f"An Atari game ({len(meanings)} actions), from ale-py.", key_of=key_of, names=names)
