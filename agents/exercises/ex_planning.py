"""Exercises of planning: a Bellman backup from the model (see :mod:`agents.exercises.catalog`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from agents.exercises.base import DRAWN, Case, Exercise, register

# --- value iteration --------------------------------------------------------------------------


def bellman_backup_reference(P_s: dict[int, list[tuple[float, int, float, bool]]], V: Any, gamma: float) -> np.ndarray:
    """Value iteration's :meth:`agents.value_iteration.Model.backup`, for one state."""
    from agents.value_iteration import Model

    return Model({0: P_s}).backup(np.asarray(V, dtype=np.float64), gamma)[0]


def _backup_cases(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    V = np.asarray([0.0, 1.0, 2.0, 5.0])
    fixed = [
        ("deterministic moves", {0: [(1.0, 1, 0.0, False)], 1: [(1.0, 2, -1.0, False)]}, V, 0.9),
        (
            "slippery moves (three outcomes each)",
            {
                0: [(1 / 3, 0, 0.0, False), (1 / 3, 1, 0.0, False), (1 / 3, 2, 0.0, False)],
                1: [(1 / 3, 1, 0.0, False), (1 / 3, 2, 0.0, False), (1 / 3, 3, 1.0, True)],
            },
            V,
            0.99,
        ),
        (
            "a move into a terminal state: V(s') does not count",
            {0: [(1.0, 3, 1.0, True)], 1: [(1.0, 2, 0.0, False)]},
            V,
            0.9,
        ),
        (
            "γ = 0: the expected reward alone",
            {0: [(0.5, 1, 1.0, False), (0.5, 2, 3.0, False)], 1: [(1.0, 3, -1.0, False)]},
            V,
            0.0,
        ),
        (
            "a self-loop",
            {0: [(1.0, 0, -1.0, False)], 1: [(0.8, 0, 0.0, False), (0.2, 3, 10.0, True)]},
            np.asarray([4.0, 1.0, 2.0, 5.0]),
            0.95,
        ),
    ]
    out = [Case(n, {"P_s": p, "V": v, "gamma": g}) for n, p, v, g in fixed]
    for i in range(DRAWN):
        n_states, n_actions = 5, int(rng.integers(2, 5))
        p_s = {}
        for a in range(n_actions):
            k = int(rng.integers(1, 4))
            probs = rng.dirichlet(np.ones(k))
            p_s[a] = [
                (float(p), int(rng.integers(n_states)), round(float(rng.normal()), 2), bool(rng.random() < 0.2))
                for p in probs
            ]
        out.append(
            Case(
                f"drawn {i + 1}",
                {"P_s": p_s, "V": rng.normal(0, 2, n_states).round(2), "gamma": round(float(rng.uniform(0.8, 1.0)), 2)},
            )
        )
    return out


register(
    Exercise(
        name="bellman_backup",
        summary="One Bellman backup of a state: Q(s, a) = Σ_{s'} P(s'|s,a) [r + γ V(s')]",
        params=("P_s", "V", "gamma"),
        doc="""One Bellman backup of a state s from the env's model (value iteration's step).

    Q(s, a) = Σ_{(p, s', r, done) in P[s][a]} p · (r + γ V(s'))     with V(s') = 0 where done

    Args:
        P_s: P[s] as gymnasium's toy-text envs give it: a dict from each action a to a list
            of outcomes (probability p, next state s', reward r, terminated done).
        V: V(·), a numpy array with a value for every state.
        gamma: the discount γ.

    Returns:
        Q(s, ·), a numpy array of one float per action (V(s) = its max).""",
        reference=bellman_backup_reference,
        cases=_backup_cases,
        returns="array",
        imports=("numpy as np",),
    )
)
