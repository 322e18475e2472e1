"""Exercises of DQN: the targets and the loss (see :mod:`agents.exercises.catalog`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from agents.exercises.base import DRAWN, Case, Exercise, register

# --- DQN --------------------------------------------------------------------------------------


def dqn_target_reference(rewards: Any, terminated: Any, gamma: float, q_next: Any) -> Any:
    """DQN's :func:`agents.dqn.target_of` without Double DQN."""
    from agents.dqn import target_of

    return target_of(rewards, terminated, gamma, q_next)


def double_dqn_target_reference(rewards: Any, terminated: Any, gamma: float, q_next: Any, q_next_online: Any) -> Any:
    """DQN's :func:`agents.dqn.target_of` with Double DQN."""
    from agents.dqn import target_of

    return target_of(rewards, terminated, gamma, q_next, q_next_online)


def _batch_cases(double: bool) -> Callable[[int], list[Case]]:
    def cases(seed: int) -> list[Case]:
        rng = np.random.default_rng(seed)
        a = np.asarray
        q_next = a([[1.0, 3.0], [2.0, -1.0], [0.5, 0.5], [-2.0, -4.0]])
        online = a([[4.0, 1.0], [0.0, 2.0], [0.5, 0.5], [-3.0, 1.0]])
        fixed = [
            ("a batch within episodes", a([1.0, 0.0, -1.0, 2.0]), a([0.0, 0.0, 0.0, 0.0]), 0.99, q_next, online),
            ("a batch with terminal steps", a([1.0, 0.0, -1.0, 2.0]), a([1.0, 0.0, 1.0, 0.0]), 0.99, q_next, online),
            ("every step terminal", a([1.0, 2.0, 3.0, 4.0]), a([1.0, 1.0, 1.0, 1.0]), 0.9, q_next, online),
            ("γ = 0: the rewards alone", a([1.0, 2.0, 3.0, 4.0]), a([0.0, 1.0, 0.0, 0.0]), 0.0, q_next, online),
            (
                "ties in argmax (the first is taken)",
                a([0.0, 0.0]),
                a([0.0, 0.0]),
                0.5,
                a([[2.0, 2.0], [1.0, 3.0]]),
                a([[1.0, 1.0], [5.0, 5.0]]),
            ),
            ("a batch of one", a([1.5]), a([0.0]), 0.9, a([[0.2, -0.4, 0.9]]), a([[1.0, 0.0, -1.0]])),
        ]
        out = []
        for name, r, term, g, qn, on in fixed:
            out.append((name, r, term, g, qn, on))
        for i in range(DRAWN):
            b, n = int(rng.integers(2, 9)), int(rng.integers(2, 5))
            out.append(
                (
                    f"drawn {i + 1}",
                    rng.normal(0, 1, b).round(2),
                    (rng.random(b) < 0.3).astype(np.float64),
                    round(float(rng.uniform(0.8, 1.0)), 2),
                    rng.normal(0, 2, (b, n)).round(2),
                    rng.normal(0, 2, (b, n)).round(2),
                )
            )
        made = []
        for name, r, term, g, qn, on in out:
            args = {"rewards": r, "terminated": term, "gamma": g, "q_next": qn}
            if double:
                args["q_next_online"] = on
            made.append(Case(name, args))
        return made

    return cases


_BATCH_ARGS = """
        rewards: r, a numpy array of B floats.
        terminated: 1.0 where s' is terminal, else 0.0 (B floats). A time-limit cut is stored
            as 0.0: it is no end of the MDP, so its s' keeps its value and y bootstraps.
        gamma: the discount γ.
        q_next: Q'(s', ·) of the target network, a (B, n_actions) numpy array."""

register(
    Exercise(
        name="dqn_target",
        summary="DQN's target y = r + γ (1 − terminated) max_a' Q'(s', a') for a batch",
        params=("rewards", "terminated", "gamma", "q_next"),
        doc=f"""DQN's regression target for a batch of transitions.

    y = r + γ (1 − terminated) max_a' Q'(s', a')

    Args:{_BATCH_ARGS}

    Returns:
        y, a numpy array of B floats.""",
        reference=dqn_target_reference,
        cases=_batch_cases(double=False),
        returns="array",
        agents=("dqn",),
        imports=("numpy as np",),
    )
)

register(
    Exercise(
        name="double_dqn_target",
        summary="Double DQN's target: the online network picks a*, the target network values it",
        params=("rewards", "terminated", "gamma", "q_next", "q_next_online"),
        doc=f"""Double DQN's regression target for a batch of transitions.

    a* = argmax_a Q(s', a)                (the online network chooses)
    y  = r + γ (1 − terminated) Q'(s', a*)  (the target network values)

    Args:{_BATCH_ARGS}
        q_next_online: Q(s', ·) of the online network, a (B, n_actions) numpy array (ties in
            argmax: the first, as numpy's argmax takes).

    Returns:
        y, a numpy array of B floats.""",
        reference=double_dqn_target_reference,
        cases=_batch_cases(double=True),
        returns="array",
        agents=("dqn",),
        imports=("numpy as np",),
    )
)


def dqn_loss_reference(q: Any, y: Any, kind: str) -> float:
    """DQN's losses as torch's ``mse_loss`` and ``smooth_l1_loss`` (β = 1) compute them (the
    agent's ``_LOSSES``, checked in the tests)."""
    d = np.asarray(q, dtype=np.float64) - np.asarray(y, dtype=np.float64)
    if kind == "mse":
        return float(np.mean(d**2))
    return float(np.mean(np.where(np.abs(d) < 1.0, 0.5 * d**2, np.abs(d) - 0.5)))


def _loss_cases(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    a = np.asarray
    fixed = [
        ("MSE, small errors", a([1.0, 2.0, 0.5]), a([1.5, 1.0, 0.5]), "mse"),
        ("Huber, small errors (|δ| < 1: ½δ²)", a([1.0, 2.0, 0.5]), a([1.5, 1.4, 0.5]), "huber"),
        ("Huber, large errors (|δ| ≥ 1: |δ| − ½)", a([0.0, 5.0]), a([3.0, -1.0]), "huber"),
        ("MSE, q above y", a([4.0, 3.0]), a([1.0, 0.0]), "mse"),
        ("no error", a([1.0, -1.0]), a([1.0, -1.0]), "huber"),
        ("a batch of one", a([2.0]), a([-0.5]), "mse"),
    ]
    out = [Case(n, {"q": q, "y": y, "kind": k}) for n, q, y, k in fixed]
    for i in range(DRAWN):
        b = int(rng.integers(2, 9))
        out.append(
            Case(
                f"drawn {i + 1}",
                {"q": rng.normal(0, 2, b).round(2), "y": rng.normal(0, 2, b).round(2), "kind": ("mse", "huber")[i % 2]},
            )
        )
    return out


register(
    Exercise(
        name="dqn_loss",
        summary="DQN's loss between Q(s, a) and y: MSE or Huber, averaged over the batch",
        params=("q", "y", "kind"),
        doc="""The loss DQN minimises between its estimates and the targets, averaged over a batch.

    δ = Q(s, a) − y
    MSE:   L = mean(δ²)
    Huber: L = mean(½ δ²  where |δ| < 1,  |δ| − ½  elsewhere)

    Args:
        q: Q(s, a) of the batch's actions, a numpy array of B floats.
        y: the targets, a numpy array of B floats.
        kind: "mse" or "huber".

    Returns:
        L, a float.""",
        reference=dqn_loss_reference,
        cases=_loss_cases,
        imports=("numpy as np",),
    )
)
