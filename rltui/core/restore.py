"""Saving and restoring an environment's exact state, for scrubbing and branching.

Toy-text envs are their discrete state ``s``; classic-control envs their
physics ``state`` array (plus CartPole's termination counter and Pendulum's
last torque). The time limit's step count comes along. Anything else cannot be
restored: :func:`capture` returns None and the timeline stays view-only.
"""

from __future__ import annotations

import copy
from typing import Any

from gymnasium.wrappers import TimeLimit

_EXTRAS = ("steps_beyond_terminated", "last_u", "lastaction")


def _copy(value: Any) -> Any:
    """Numbers and None as they are; arrays and tuples copied (this runs on every step)."""
    if value is None or isinstance(value, (int, float)):
        return value
    return copy.deepcopy(value)


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
    else:
        u.state = _copy(saved["state"])
    for name in _EXTRAS:
        if name in saved:
            setattr(u, name, _copy(saved[name]))
    limit = _time_limit(env)
    if limit is not None and "elapsed" in saved:
        limit._elapsed_steps = saved["elapsed"]
