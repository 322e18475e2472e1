"""Every read or write of a third-party env's internals, in one place.

Gymnasium's public API (reset, step, spaces, render) says nothing about where
the taxi is or which cells are cliff; rltui draws scenes, value maps and the
timeline from the envs' own attributes. Each function here touches one such
attribute, and ``tests/test_adapters.py`` checks every one against the installed
Gymnasium, so an upgrade that renames or reshapes one fails there, loudly, and
not as a blank panel. rltui's own envs (``rltui/envs``) are read directly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

# --- toy text (Taxi, FrozenLake, CliffWalking): a discrete state and a model P --------


def toy_state(env: Any) -> int:
    """The current state id ``s``."""
    return int(env.unwrapped.s)


def set_toy_state(env: Any, s: int) -> None:
    env.unwrapped.s = s


def model(env: Any) -> dict[int, dict[int, list[tuple[float, int, float, bool]]]] | None:
    """The transition table ``P[s][a] = [(prob, next_s, reward, terminated), ...]``, or None."""
    P = getattr(env.unwrapped, "P", None)
    return P if isinstance(P, dict) else None


def start_distribution(env: Any) -> np.ndarray | None:
    """P(s_0 = s) per state, or None when the env has no such table."""
    isd = getattr(env.unwrapped, "initial_state_distrib", None)
    return None if isd is None else np.asarray(isd, dtype=np.float64)


def stochastic(env: Any) -> bool:
    """Whether any action of a toy-text env has more than one outcome (the slippery lake)."""
    P = model(env)
    return P is not None and any(len(o) > 1 for actions in P.values() for o in actions.values())


# --- Taxi ------------------------------------------------------------------------------

TAXI_SIZE = 5


def taxi_decode(env: Any, s: int) -> tuple[int, int, int, int]:
    """(taxi row, taxi column, passenger location 0-4 (4: aboard), destination 0-3)."""
    row, col, passenger, destination = env.unwrapped.decode(s)
    return int(row), int(col), int(passenger), int(destination)


def taxi_encode(env: Any, row: int, col: int, passenger: int, destination: int) -> int:
    return int(env.unwrapped.encode(row, col, passenger, destination))


def taxi_stands(env: Any) -> list[tuple[int, int]]:
    """The four stands R, G, Y, B as (row, column)."""
    return [(int(r), int(c)) for r, c in env.unwrapped.locs]


def taxi_east_walls(env: Any) -> frozenset[tuple[int, int]]:
    """Cells with a wall on their east side, read from the map's ``|`` characters."""
    desc = env.unwrapped.desc
    return frozenset((r, c) for r in range(TAXI_SIZE) for c in range(TAXI_SIZE - 1) if desc[r + 1, 2 * c + 2] == b"|")


# --- FrozenLake --------------------------------------------------------------------------


def lake_rows(env: Any) -> list[str]:
    """The lake's map, one string per row of S/F/H/G."""
    return ["".join(ch.decode() for ch in row) for row in env.unwrapped.desc]


# --- CliffWalking --------------------------------------------------------------------------


def cliff_mask(env: Any) -> np.ndarray:
    """(rows, cols) bools: True on the cliff."""
    return np.asarray(env.unwrapped._cliff, dtype=bool)


# --- Blackjack -------------------------------------------------------------------------------


def blackjack_hands(env: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(the player's cards, the dealer's cards), aces as 1."""
    u = env.unwrapped
    return tuple(int(c) for c in u.player), tuple(int(c) for c in u.dealer)


def is_blackjack(env: Any) -> bool:
    """Whether ``env`` is Gymnasium's Blackjack (its state is the two hands and the deck's draws)."""
    return type(env.unwrapped).__name__ == "BlackjackEnv" and hasattr(env.unwrapped, "dealer")


def set_blackjack_hands(env: Any, hands: tuple[tuple[int, ...], tuple[int, ...]]) -> None:
    u = env.unwrapped
    u.player, u.dealer = list(hands[0]), list(hands[1])


# --- classic control: physics state --------------------------------------------------------

EXTRAS = ("steps_beyond_terminated", "last_u", "lastaction")
"""Attributes besides the state that a step reads (CartPole's termination counter, Pendulum's
last torque for its picture, a toy-text env's last action for its own rendering)."""


def physics_state(env: Any) -> Any:
    """A classic-control env's ``state``, or None for any other env."""
    u = env.unwrapped
    if type(u).__module__.startswith("gymnasium.envs.classic_control"):
        return getattr(u, "state", None)
    return None


def set_physics_state(env: Any, state: Any) -> None:
    env.unwrapped.state = state


# --- MuJoCo (Walker2d, Humanoid ...): the model, its data, the simulator's state ---------------


def is_mujoco(env: Any) -> bool:
    """Whether ``env`` is one of Gymnasium's MuJoCo envs."""
    return type(env.unwrapped).__module__.startswith("gymnasium.envs.mujoco")


def mujoco_model_data(env: Any) -> tuple[Any, Any]:
    """A MuJoCo env's ``MjModel`` and ``MjData`` (what its bodies are, where they are now)."""
    u = env.unwrapped
    return u.model, u.data


def mujoco_state(env: Any) -> np.ndarray:
    """Everything the next step of a MuJoCo env depends on, as one float64 array: MuJoCo's
    "integration" state (time, positions, velocities, actuator activations, the solver's warm
    start, controls, applied forces), then the bodies' frame and mass-centre positions
    (``xpos``, ``xipos``) as the last step left them. Gymnasium's envs read those before a step
    to measure progress (Ant's torso, Humanoid's centre of mass), and a step leaves them as its
    last substep began, not where ``qpos`` says: recomputing them would change the next reward."""
    import mujoco

    model, data = mujoco_model_data(env)
    spec = mujoco.mjtState.mjSTATE_INTEGRATION
    state = np.empty(mujoco.mj_stateSize(model, spec), dtype=np.float64)
    mujoco.mj_getState(model, data, state, spec)
    return np.concatenate([state, data.xpos.ravel(), data.xipos.ravel()])


def set_mujoco_state(env: Any, state: np.ndarray) -> None:
    """Put back a :func:`mujoco_state`. Forward dynamics recomputes what else is derived from it
    (the contact forces and the rest), then the integration state goes back once more (forward
    dynamics overwrites the solver's warm start) and so do the positions the last step left."""
    import mujoco

    model, data = mujoco_model_data(env)
    spec = mujoco.mjtState.mjSTATE_INTEGRATION
    size = mujoco.mj_stateSize(model, spec)
    integration, bodies = state[:size], state[size:].reshape(2, model.nbody, 3)
    mujoco.mj_setState(model, data, integration, spec)
    mujoco.mj_forward(model, data)
    mujoco.mj_rnePostConstraint(model, data)
    mujoco.mj_setState(model, data, integration, spec)
    data.xpos[:] = bodies[0]
    data.xipos[:] = bodies[1]


def extras(env: Any) -> dict[str, Any]:
    u = env.unwrapped
    return {name: getattr(u, name) for name in EXTRAS if hasattr(u, name)}


def set_extras(env: Any, values: dict[str, Any]) -> None:
    u = env.unwrapped
    for name, value in values.items():
        if name in EXTRAS:
            setattr(u, name, value)


# --- wrappers ----------------------------------------------------------------------------------


def time_limit(env: Any) -> Any:
    """The TimeLimit wrapper in ``env``'s stack, or None."""
    from gymnasium.wrappers import TimeLimit

    while env is not None:
        if isinstance(env, TimeLimit):
            return env
        env = getattr(env, "env", None)
    return None


def elapsed_steps(limit: Any) -> int:
    return int(limit._elapsed_steps)


def set_elapsed_steps(limit: Any, steps: int) -> None:
    limit._elapsed_steps = steps
