"""Saving and restoring an environment's exact state, for scrubbing and branching.

Toy-text envs are their discrete state ``s``; classic-control envs their
physics ``state`` array (plus CartPole's termination counter and Pendulum's
last torque); Blackjack its two hands. The time limit's step count comes along, and so does the random
generator of a toy-text env whose moves are random (the slippery lake): a
branch then draws what a fresh run from the same seed would, so the episode
replays from its seed and actions alone. An Atari game is the emulator's
cloned state with the agent's stacked frames; MiniGrid its grid, agent and
generator; a MuJoCo body (Walker2d, Humanoid ...) the simulator's integration state. Anything
else cannot be
restored: :func:`capture` returns None and the timeline stays view-only.
"""

from __future__ import annotations

import copy
import weakref
from typing import Any

from rltui.envs import adapters


def _copy(value: Any) -> Any:
    """Numbers and None as they are; arrays and tuples copied (this runs on every step)."""
    if value is None or isinstance(value, (int, float)):
        return value
    return copy.deepcopy(value)


def capture(env: Any) -> dict[str, Any] | None:
    """The state needed to put ``env`` back exactly as it is now, or None if it cannot be."""
    from rltui.envs import atari, minigrid

    ale = getattr(env.unwrapped, "ale", None)
    if ale is not None and hasattr(ale, "cloneState"):
        # The emulator's whole state, its random generator included (sticky actions draw from it).
        core: dict[str, Any] = {"ale": ale.cloneState(include_rng=True)}
        frames = atari.frames_of(env)
        if frames is not None:  # the agent's stacked frames, so a branch sees what it would have
            core["frames"] = frames.latest  # the observation itself, never written to: no copy
    elif minigrid.is_minigrid(env):
        core = {"minigrid": minigrid.capture(env)}
    elif adapters.is_mujoco(env):
        core = {"mujoco": adapters.mujoco_state(env)}  # a fresh array each time
    elif adapters.model(env) is not None and hasattr(env.unwrapped, "s"):
        core = {"s": adapters.toy_state(env)}
        if _stochastic(env):
            core["rng"] = env.unwrapped.np_random.bit_generator.state  # a fresh dict of ints each time
    elif (physics := adapters.physics_state(env)) is not None:
        core = {"state": _copy(physics)}
    elif adapters.is_blackjack(env):
        # The two hands and the deck's generator: a branch deals what a fresh run would.
        core = {"hands": adapters.blackjack_hands(env), "rng": env.unwrapped.np_random.bit_generator.state}
    else:
        return None
    core.update({name: _copy(value) for name, value in adapters.extras(env).items()})
    limit = adapters.time_limit(env)
    if limit is not None:
        core["elapsed"] = adapters.elapsed_steps(limit)
    return core


def restore(env: Any, saved: dict[str, Any] | None) -> None:
    """Put ``env`` back into a state :func:`capture` returned (None, from an env that cannot be
    captured: nothing to put back)."""
    if saved is None:
        return
    if "ale" in saved:
        env.unwrapped.ale.restoreState(saved["ale"])
        if "frames" in saved:
            from rltui.envs import atari

            frames = atari.frames_of(env)
            if frames is not None:
                frames.stack[:] = saved["frames"]
                frames.latest = saved["frames"]
    elif "minigrid" in saved:
        from rltui.envs import atari, minigrid

        minigrid.restore(env, saved["minigrid"])
    elif "mujoco" in saved:
        adapters.set_mujoco_state(env, saved["mujoco"])
    elif "s" in saved:
        adapters.set_toy_state(env, saved["s"])
        if "rng" in saved:
            env.unwrapped.np_random.bit_generator.state = saved["rng"]
    elif "hands" in saved:
        adapters.set_blackjack_hands(env, saved["hands"])
        env.unwrapped.np_random.bit_generator.state = saved["rng"]
    else:
        adapters.set_physics_state(env, _copy(saved["state"]))
    adapters.set_extras(env, {k: _copy(v) for k, v in saved.items() if k in adapters.EXTRAS})
    limit = adapters.time_limit(env)
    if limit is not None and "elapsed" in saved:
        adapters.set_elapsed_steps(limit, saved["elapsed"])


_STOCHASTIC: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


def _stochastic(env: Any) -> bool:
    """:func:`adapters.stochastic`, remembered per env (this runs on every step)."""
    u = env.unwrapped
    known = _STOCHASTIC.get(u)
    if known is None:
        known = _STOCHASTIC[u] = adapters.stochastic(env)
    return known
