"""Saving and restoring an environment's exact state, for scrubbing and branching.

Toy-text envs are their discrete state ``s``; classic-control envs their
physics ``state`` array (plus CartPole's termination counter and Pendulum's
last torque). The time limit's step count comes along, and so does the random
generator of a toy-text env whose moves are random (the slippery lake): a
branch then draws what a fresh run from the same seed would, so the episode
replays from its seed and actions alone. Anything else cannot be
restored: :func:`capture` returns None and the timeline stays view-only.
"""

from __future__ import annotations

import copy
import weakref
from typing import Any

from gymnasium.wrappers import TimeLimit

_EXTRAS = ("steps_beyond_terminated", "last_u", "lastaction")


def _copy(value: Any) -> Any:
    """Numbers and None as they are; arrays and tuples copied (this runs on every step)."""
    if value is None or isinstance(value, (int, float)):
        return value
    return copy.deepcopy(value)


_STOCHASTIC: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


def _stochastic(u: Any) -> bool:
    """Whether a toy-text env's moves are random (any action with more than one outcome)."""
    known = _STOCHASTIC.get(u)
    if known is None:
        known = any(len(outcomes) > 1 for actions in u.P.values() for outcomes in actions.values())
        _STOCHASTIC[u] = known
    return known


def _time_limit(env: Any) -> TimeLimit | None:
    while env is not None:
        if isinstance(env, TimeLimit):
            return env
        env = getattr(env, "env", None)
    return None


def capture(env: Any) -> dict[str, Any] | None:
    """The state needed to put ``env`` back exactly as it is now, or None if it cannot be."""
    u = env.unwrapped
    if hasattr(u, "P") and hasattr(u, "s"):
        core: dict[str, Any] = {"s": int(u.s)}
        if _stochastic(u):
            core["rng"] = u.np_random.bit_generator.state  # a fresh dict of ints each time
    elif getattr(u, "state", None) is not None and type(u).__module__.startswith(
            "gymnasium.envs.classic_control"):
        core = {"state": _copy(u.state)}
    else:
        return None
    for name in _EXTRAS:
        if hasattr(u, name):
            core[name] = _copy(getattr(u, name))
    limit = _time_limit(env)
    if limit is not None:
        core["elapsed"] = limit._elapsed_steps
    return core


def restore(env: Any, saved: dict[str, Any]) -> None:
    """Put ``env`` back into a state :func:`capture` returned."""
    u = env.unwrapped
    if "s" in saved:
        u.s = saved["s"]
        if "rng" in saved:
            u.np_random.bit_generator.state = saved["rng"]
    else:
        u.state = _copy(saved["state"])
    for name in _EXTRAS:
        if name in saved:
            setattr(u, name, _copy(saved[name]))
    limit = _time_limit(env)
    if limit is not None and "elapsed" in saved:
        limit._elapsed_steps = saved["elapsed"]
