"""What an agent sees of an Atari game: the Nature-DQN preprocessing, as a wrapper.

The screen a person plays on is the emulator's own (``env.render()``, in colour); an agent
sees what DQN saw (Mnih et al. 2015): the screen in grey, shrunk to 84x84 by area averaging,
the last four such frames stacked, as bytes. Gymnasium's ``AtariPreprocessing`` does the
same but wants the env made without its frame skip (and OpenCV); rltui keeps the v5 env's
own skip of 4 and sticky actions, which a person plays at, so this wrapper only converts and
stacks. Its stack is part of the env's state: the timeline captures and restores it with the
emulator's (:mod:`rltui.envs.restore`), so a branch sees the frames it would have seen.
"""

from __future__ import annotations

from typing import Any, cast

import gymnasium as gym
import numpy as np

SIZE = 84
STACK = 4
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def is_atari(env: Any) -> bool:
    """Whether ``env`` runs on the Arcade Learning Environment."""
    return getattr(env.unwrapped, "ale", None) is not None


def area_weights(n_in: int, n_out: int) -> np.ndarray:
    """A (n_out, n_in) matrix whose rows average the inputs each output pixel covers
    (weighted by how much of each it covers): area resampling as a matrix product."""
    scale = n_in / n_out
    edges = np.arange(n_in + 1, dtype=np.float64)
    weights = np.zeros((n_out, n_in), dtype=np.float64)
    for i in range(n_out):
        start, end = i * scale, (i + 1) * scale
        weights[i] = np.clip(np.minimum(edges[1:], end) - np.maximum(edges[:-1], start), 0, None)
    return (weights / scale).astype(np.float32)


class AtariFrames(gym.Wrapper):
    """Observations as the last :data:`STACK` screens, grey and 84x84, oldest first.

    At a reset the first screen fills the whole stack (as Gymnasium's frame stacking pads).
    """

    def __init__(self, env: gym.Env, size: int = SIZE, stack: int = STACK) -> None:
        super().__init__(env)
        shape = cast(tuple[int, ...], env.observation_space.shape)  # an RGB screen's (h, w, 3)
        height, width = shape[0], shape[1]
        self._rows = area_weights(height, size)
        self._cols = area_weights(width, size).T.copy()
        self.stack = np.zeros((stack, size, size), dtype=np.uint8)
        self.latest = self.stack.copy()
        """The observation last given out: a copy of the stack nobody writes to, so the timeline's
        state capture keeps it by reference instead of a second copy per step."""
        self.observation_space = gym.spaces.Box(0, 255, (stack, size, size), dtype=np.uint8)

    def frame(self, screen: np.ndarray) -> np.ndarray:
        """One screen (grey, or RGB) as an 84x84 grey frame."""
        grey = screen.astype(np.float32) if screen.ndim == 2 else screen.astype(np.float32) @ _LUMA
        return np.rint(self._rows @ grey @ self._cols).clip(0, 255).astype(np.uint8)

    def reset(self, **kwargs: Any) -> tuple[np.ndarray, dict[str, Any]]:
        screen, info = self.env.reset(**kwargs)
        self.stack[:] = self.frame(screen)
        self.latest = self.stack.copy()
        return self.latest, info

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        screen, reward, terminated, truncated, info = self.env.step(action)
        self.stack[:-1] = self.stack[1:]
        self.stack[-1] = self.frame(screen)
        self.latest = self.stack.copy()
        return self.latest, float(reward), terminated, truncated, info


def frames_of(env: Any) -> AtariFrames | None:
    """The :class:`AtariFrames` wrapper in ``env``'s stack, or None."""
    while env is not None:
        if isinstance(env, AtariFrames):
            return env
        env = getattr(env, "env", None)
    return None
