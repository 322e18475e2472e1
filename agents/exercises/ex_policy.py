"""Exercises of policy gradients: GAE, REINFORCE's loss, PPO's surrogate (see :mod:`agents.exercises.catalog`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from agents.exercises.base import DRAWN, Case, Exercise, register

# --- policy gradients -------------------------------------------------------------------------


def gae_reference(rewards: Any, values: Any, next_values: Any, ends: Any, gamma: float, lam: float) -> np.ndarray:
    """REINFORCE's and PPO's :func:`agents.policy.gae` (its advantages)."""
    from agents.policy import gae

    return gae(
        np.asarray(rewards, dtype=np.float64),
        np.asarray(values, dtype=np.float64),
        np.asarray(next_values, dtype=np.float64),
        np.asarray(ends, dtype=bool),
        gamma,
        lam,
    )[0]


def _gae_cases(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    a = np.asarray

    def case(name: str, r: Any, v: Any, nv: Any, e: Any, g: float, lam: float) -> Case:
        return Case(
            name,
            {
                "rewards": a(r, dtype=np.float64),
                "values": a(v, dtype=np.float64),
                "next_values": a(nv, dtype=np.float64),
                "ends": a(e, dtype=bool),
                "gamma": g,
                "lam": lam,
            },
        )

    out = [
        case("a rollout within one episode", [1.0, 0.0, 2.0], [0.5, 1.0, 1.5], [1.0, 1.5, 0.8], [0, 0, 0], 0.99, 0.95),
        case(
            "an episode that terminates (V(s') = 0)",
            [1.0, 0.0, 2.0],
            [0.5, 1.0, 1.5],
            [1.0, 1.5, 0.0],
            [0, 0, 1],
            0.99,
            0.95,
        ),
        case(
            "a time-limit cut: V(s') kept, no advantage flows back across it",
            [1.0, 1.0, 1.0],
            [2.0, 2.0, 2.0],
            [2.0, 2.0, 2.0],
            [0, 1, 0],
            0.9,
            0.95,
        ),
        case(
            "two episodes in one rollout",
            [1.0, 2.0, -1.0, 0.5],
            [0.0, 1.0, 0.5, 0.2],
            [1.0, 0.0, 0.2, 0.4],
            [0, 1, 0, 0],
            0.99,
            0.9,
        ),
        case("λ = 0: the TD error alone", [1.0, 0.0, 2.0], [0.5, 1.0, 1.5], [1.0, 1.5, 0.8], [0, 0, 0], 0.9, 0.0),
        case("λ = 1: reward-to-go minus V", [1.0, 0.0, 2.0], [0.5, 1.0, 1.5], [1.0, 1.5, 0.0], [0, 0, 1], 0.9, 1.0),
        case("γ = 0", [1.0, 2.0], [0.5, 0.5], [3.0, 3.0], [0, 0], 0.0, 0.95),
        case("a single step", [1.0], [0.5], [0.0], [1], 0.99, 0.95),
        case("an empty rollout", [], [], [], [], 0.99, 0.95),
    ]
    for i in range(DRAWN):
        n = int(rng.integers(2, 9))
        ends = rng.random(n) < 0.25
        nv = rng.normal(0, 1, n).round(2) * (rng.random(n) < 0.8)
        out.append(
            case(
                f"drawn {i + 1}",
                rng.normal(0, 1, n).round(2),
                rng.normal(0, 1, n).round(2),
                nv,
                ends,
                round(float(rng.uniform(0.8, 1.0)), 2),
                round(float(rng.uniform(0.0, 1.0)), 2),
            )
        )
    return out


register(
    Exercise(
        name="gae",
        summary="Generalised advantage estimation: Â_t = Σ_l (γλ)^l δ_{t+l}, δ_t = r_t + γ V(s_{t+1}) − V(s_t)",
        params=("rewards", "values", "next_values", "ends", "gamma", "lam"),
        doc="""Generalised advantage estimates of a rollout (Schulman et al. 2016).

    δ_t = r_t + γ V(s_{t+1}) − V(s_t)
    Â_t = δ_t + γλ Â_{t+1}     (Â_{t+1} counts only where step t is no end of a segment)

    Args:
        rewards: r_t, a numpy array of T floats (T may be 0).
        values: V(s_t), T floats.
        next_values: V(s_{t+1}), T floats; already 0 where s_{t+1} is terminal (a time-limit
            cut keeps V(s_{t+1}): the state still has value).
        ends: T bools, True where an episode ended after step t (terminated or truncated):
            no advantage flows back across it.
        gamma: the discount γ.
        lam: λ (0: the TD error alone; 1: reward-to-go minus V).

    Returns:
        Â_0 … Â_{T-1}, a numpy array of T floats.""",
        reference=gae_reference,
        cases=_gae_cases,
        returns="array",
        imports=("numpy as np",),
    )
)


def reinforce_loss_reference(log_probs: Any, returns: Any) -> float:
    """REINFORCE's policy loss as its update writes it, −mean(log π · G) (no entropy term;
    checked against ``agents/reinforce.py``'s expression in the tests)."""
    return float(-np.mean(np.asarray(log_probs, dtype=np.float64) * np.asarray(returns, dtype=np.float64)))


def _reinforce_cases(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    a = np.asarray
    fixed = [
        ("positive returns", a([-0.1, -1.2, -0.7]), a([3.0, 2.0, 1.0])),
        ("negative returns", a([-0.5, -0.3]), a([-2.0, -1.0])),
        ("a single step", a([-0.2]), a([1.0])),
        ("returns of zero: no gradient, no loss", a([-1.0, -2.0]), a([0.0, 0.0])),
    ]
    out = [Case(n, {"log_probs": lp, "returns": g}) for n, lp, g in fixed]
    for i in range(DRAWN):
        b = int(rng.integers(2, 9))
        out.append(
            Case(
                f"drawn {i + 1}",
                {"log_probs": -rng.exponential(1.0, b).round(2), "returns": rng.normal(0, 2, b).round(2)},
            )
        )
    return out


register(
    Exercise(
        name="reinforce_loss",
        summary="REINFORCE's loss: L = −mean_t log π(a_t|s_t) G_t",
        params=("log_probs", "returns"),
        doc="""REINFORCE's policy loss (its gradient is minus the policy gradient estimate).

    L = − (1/T) Σ_t log π(a_t|s_t) · G_t

    Args:
        log_probs: log π(a_t|s_t), a numpy array of T floats.
        returns: G_t (or an advantage), a numpy array of T floats.

    Returns:
        L, a float.""",
        reference=reinforce_loss_reference,
        cases=_reinforce_cases,
        imports=("numpy as np",),
    )
)


def ppo_clipped_surrogate_reference(ratio: Any, advantages: Any, clip: float) -> np.ndarray:
    """PPO's :func:`agents.ppo.clipped_surrogate`, on numpy arrays (checked against it in the tests)."""
    ratio = np.asarray(ratio, dtype=np.float64)
    adv = np.asarray(advantages, dtype=np.float64)
    return np.minimum(ratio * adv, np.clip(ratio, 1.0 - clip, 1.0 + clip) * adv)


def _ppo_cases(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    a = np.asarray
    fixed = [
        ("ratios inside the clip range", a([0.9, 1.0, 1.1]), a([1.0, -2.0, 0.5]), 0.2),
        ("A > 0 and ρ above 1 + ε: clipped", a([1.5, 2.0]), a([1.0, 3.0]), 0.2),
        ("A > 0 and ρ below 1 − ε: not clipped (min keeps ρA)", a([0.5, 0.1]), a([1.0, 2.0]), 0.2),
        ("A < 0 and ρ below 1 − ε: clipped", a([0.5, 0.1]), a([-1.0, -2.0]), 0.2),
        ("A < 0 and ρ above 1 + ε: not clipped (min keeps ρA)", a([1.5, 3.0]), a([-1.0, -0.5]), 0.2),
        ("ε = 0: the ratio pinned at 1 where it would help", a([0.8, 1.2]), a([1.0, 1.0]), 0.0),
    ]
    out = [Case(n, {"ratio": r, "advantages": adv, "clip": c}) for n, r, adv, c in fixed]
    for i in range(DRAWN):
        b = int(rng.integers(2, 9))
        out.append(
            Case(
                f"drawn {i + 1}",
                {
                    "ratio": rng.uniform(0.3, 2.0, b).round(2),
                    "advantages": rng.normal(0, 2, b).round(2),
                    "clip": round(float(rng.uniform(0.1, 0.3)), 2),
                },
            )
        )
    return out


register(
    Exercise(
        name="ppo_clipped_surrogate",
        summary="PPO's clipped surrogate: min(ρ A, clip(ρ, 1 − ε, 1 + ε) A) per sample",
        params=("ratio", "advantages", "clip"),
        doc="""PPO's clipped surrogate objective, per sample (the loss is minus its mean).

    L^CLIP_t = min(ρ_t Â_t, clip(ρ_t, 1 − ε, 1 + ε) Â_t),   ρ_t = π(a_t|s_t) / π_old(a_t|s_t)

    Args:
        ratio: ρ_t, a numpy array of B floats.
        advantages: Â_t, a numpy array of B floats.
        clip: ε.

    Returns:
        L^CLIP_t, a numpy array of B floats.""",
        reference=ppo_clipped_surrogate_reference,
        cases=_ppo_cases,
        returns="array",
        imports=("numpy as np",),
    )
)
