"""Exercises of tabular methods: the TD targets, the update, returns, ε-greedy (see :mod:`agents.exercises.catalog`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

from agents.exercises.base import DRAWN, Case, Exercise, register, show
from agents.exercises.base import row as _row
from agents.tabular import expected_sarsa_target, q_learning_target, sarsa_target

# --- tabular --------------------------------------------------------------------------------


def _target_cases(extra: Callable[[np.random.Generator, list[float]], dict[str, Any]]) -> Callable[[int], list[Case]]:
    def cases(seed: int) -> list[Case]:
        rng = np.random.default_rng(seed)
        fixed = [
            ("a step within the episode", 1.0, [0.5, 2.0, -1.0], 0.9, False, False),
            ("a terminal step: no value beyond s'", 1.0, [0.5, 2.0, -1.0], 0.9, True, False),
            ("a time-limit cut (truncated, not terminal): it still bootstraps", -1.0, [3.0, 1.0], 0.99, False, True),
            ("γ = 0: the reward alone", 2.5, [4.0, -4.0], 0.0, False, False),
            ("ties in argmax", 0.0, [1.5, 1.5, -2.0], 0.5, False, False),
            ("negative values only", -1.0, [-3.0, -0.5, -7.0], 0.9, False, False),
        ]
        out = []
        for name, r, q, gamma, term, trunc in fixed:
            out.append(
                Case(
                    name, {"r": r, "q_next": q, **extra(rng, q), "gamma": gamma, "terminated": term, "truncated": trunc}
                )
            )
        for i in range(DRAWN):
            q = _row(rng, int(rng.integers(2, 6)))
            term = bool(rng.random() < 0.3)
            out.append(
                Case(
                    f"drawn {i + 1}",
                    {
                        "r": round(float(rng.normal()), 2),
                        "q_next": q,
                        **extra(rng, q),
                        "gamma": round(float(rng.uniform(0.5, 1.0)), 2),
                        "terminated": term,
                        "truncated": not term and bool(rng.random() < 0.3),
                    },
                )
            )
        return out

    return cases


register(
    Exercise(
        name="q_learning_target",
        summary="Q-learning's TD target: y = r + γ max_a' Q(s', a'), with the done mask",
        params=("r", "q_next", "gamma", "terminated", "truncated"),
        doc="""Q-learning's TD target for one step (s, a, r, s').

    y = r + γ max_a' Q(s', a')      and y = r when s' is terminal.

    Args:
        r: the reward r (a float).
        q_next: Q(s', ·), one float per action (a list).
        gamma: the discount γ.
        terminated: s' is terminal (the MDP ended: no value beyond it).
        truncated: the episode was cut by a time limit (no end of the MDP: s' still has value).

    Returns:
        y, a float.""",
        reference=q_learning_target,
        cases=_target_cases(lambda rng, q: {}),
        agents=("q-learning",),
    )
)

register(
    Exercise(
        name="sarsa_target",
        summary="SARSA's TD target: y = r + γ Q(s', a'), a' the action chosen in s'",
        params=("r", "q_next", "a_next", "gamma", "terminated", "truncated"),
        doc="""SARSA's TD target for one step (s, a, r, s', a').

    y = r + γ Q(s', a')      and y = r when s' is terminal.

    Args:
        r: the reward r (a float).
        q_next: Q(s', ·), one float per action (a list).
        a_next: a', the action the policy chose in s' (an int; meaningless when terminated).
        gamma: the discount γ.
        terminated: s' is terminal (the MDP ended: no value beyond it).
        truncated: the episode was cut by a time limit (no end of the MDP: s' still has value).

    Returns:
        y, a float.""",
        reference=sarsa_target,
        cases=_target_cases(lambda rng, q: {"a_next": int(rng.integers(len(q)))}),
        agents=("sarsa",),
    )
)

register(
    Exercise(
        name="expected_sarsa_target",
        summary="Expected SARSA's TD target: y = r + γ Σ_a' π(a'|s') Q(s', a') under ε-greedy π",
        params=("r", "q_next", "epsilon", "gamma", "terminated", "truncated"),
        doc="""Expected SARSA's TD target for one step (s, a, r, s'), π ε-greedy on Q.

    y = r + γ Σ_a' π(a'|s') Q(s', a')
      = r + γ [(1 − ε) max_a' Q(s', a') + ε · mean_a' Q(s', a')]
    and y = r when s' is terminal.

    Args:
        r: the reward r (a float).
        q_next: Q(s', ·), one float per action (a list).
        epsilon: ε, the chance of a uniformly random action.
        gamma: the discount γ.
        terminated: s' is terminal (the MDP ended: no value beyond it).
        truncated: the episode was cut by a time limit (no end of the MDP: s' still has value).

    Returns:
        y, a float.""",
        reference=expected_sarsa_target,
        cases=_target_cases(lambda rng, q: {"epsilon": [0.1, 0.0, 1.0, 0.5][int(rng.integers(4))]}),
        agents=("expected-sarsa",),
    )
)


def td_update_reference(q_sa: float, target: float, alpha: float) -> float:
    """Q(s,a) + α (y − Q(s,a)): the tabular agents' update (``TabularAgent._learn``)."""
    return q_sa + alpha * (target - q_sa)


def _td_update_cases(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    out = [
        Case("a step toward a higher target", {"q_sa": 1.0, "target": 3.0, "alpha": 0.1}),
        Case("a step toward a lower target", {"q_sa": 2.0, "target": -1.0, "alpha": 0.5}),
        Case("α = 1: Q becomes the target", {"q_sa": 0.7, "target": -2.0, "alpha": 1.0}),
        Case("the target equals Q: no change", {"q_sa": 1.25, "target": 1.25, "alpha": 0.3}),
    ]
    for i in range(DRAWN):
        out.append(
            Case(
                f"drawn {i + 1}",
                {
                    "q_sa": round(float(rng.normal(0, 3)), 2),
                    "target": round(float(rng.normal(0, 3)), 2),
                    "alpha": round(float(rng.uniform(0.01, 1.0)), 2),
                },
            )
        )
    return out


register(
    Exercise(
        name="td_update",
        summary="The tabular update: Q(s,a) ← Q(s,a) + α (y − Q(s,a))",
        params=("q_sa", "target", "alpha"),
        doc="""The TD update of one Q-value.

    Q(s,a) ← Q(s,a) + α (y − Q(s,a))

    Args:
        q_sa: Q(s,a) before the update (a float).
        target: the TD target y (a float).
        alpha: the learning rate α.

    Returns:
        Q(s,a) after the update, a float.""",
        reference=td_update_reference,
        cases=_td_update_cases,
    )
)


def discounted_return_reference(rewards: list[float], gamma: float) -> float:
    """G_0 = Σ_k γ^k r_k (``rltui.returns.returns_to_go(...)[0]``, checked in the tests)."""
    g = 0.0
    for r in reversed(rewards):
        g = r + gamma * g
    return g


def _episodes(rng: np.random.Generator) -> list[tuple[str, list[float], float]]:
    fixed = [
        ("an episode of three steps", [1.0, 0.0, 2.0], 0.9),
        ("an empty episode", [], 0.9),
        ("a single step", [5.0], 0.5),
        ("γ = 0: the first reward alone", [1.0, 2.0, 3.0], 0.0),
        ("γ = 1: the plain sum", [1.0, -2.0, 4.0], 1.0),
        ("a reward only at the end (FrozenLake)", [0.0, 0.0, 0.0, 1.0], 0.95),
    ]
    drawn = [
        (
            f"drawn {i + 1}",
            [round(float(v), 2) for v in rng.normal(0, 1, int(rng.integers(2, 8)))],
            round(float(rng.uniform(0.5, 1.0)), 2),
        )
        for i in range(DRAWN)
    ]
    return fixed + drawn


register(
    Exercise(
        name="discounted_return",
        summary="The discounted return of an episode: G_0 = Σ_k γ^k r_k",
        params=("rewards", "gamma"),
        doc="""The discounted return of an episode from its first step.

    G_0 = r_0 + γ r_1 + γ² r_2 + … = Σ_k γ^k r_k

    Args:
        rewards: r_0 … r_{T-1}, a list of floats (it may be empty).
        gamma: the discount γ.

    Returns:
        G_0, a float (0 for an empty episode).""",
        reference=discounted_return_reference,
        cases=lambda seed: [Case(n, {"rewards": r, "gamma": g}) for n, r, g in _episodes(np.random.default_rng(seed))],
    )
)


def reward_to_go_reference(rewards: Any, gamma: float) -> np.ndarray:
    """G_t for every t, backwards: G_t = r_t + γ G_{t+1} (``rltui.returns.returns_to_go``, and
    ``agents.policy.gae`` with V = 0 and λ = 1, checked in the tests)."""
    rewards = np.asarray(rewards, dtype=np.float64)
    out = np.zeros(len(rewards), dtype=np.float64)
    g = 0.0
    for t in range(len(rewards) - 1, -1, -1):
        g = rewards[t] + gamma * g
        out[t] = g
    return out


register(
    Exercise(
        name="reward_to_go",
        summary="Reward-to-go: G_t = Σ_{k≥t} γ^(k−t) r_k for every step t",
        params=("rewards", "gamma"),
        doc="""The reward-to-go of every step of a finished episode (REINFORCE's weights).

    G_t = r_t + γ r_{t+1} + γ² r_{t+2} + … = r_t + γ G_{t+1},   G_T = 0

    Args:
        rewards: r_0 … r_{T-1}, a numpy array of floats (it may be empty).
        gamma: the discount γ.

    Returns:
        G_0 … G_{T-1}, a numpy array of T floats.""",
        reference=reward_to_go_reference,
        cases=lambda seed: [
            Case(n, {"rewards": np.asarray(r, dtype=np.float64), "gamma": g})
            for n, r, g in _episodes(np.random.default_rng(seed))
        ],
        returns="array",
        imports=("numpy as np",),
    )
)


def epsilon_greedy_reference(q: list[float], epsilon: float, rng: np.random.Generator) -> int:
    """The tabular agents' choice (``TabularAgent._explore``, checked by the same judge in the
    tests): a uniform action with chance ε, else a greedy one, ties broken at random."""
    if rng.random() < epsilon:
        return int(rng.integers(len(q)))
    best = max(q)
    ties = [a for a, v in enumerate(q) if v == best]
    return int(ties[int(rng.integers(len(ties)))])


DRAWS = 4000
TOLERANCE = 0.04
"""How far a share of DRAWS choices may stray from π(a|s) (over five standard deviations)."""


def epsilon_greedy_judge(fn: Callable[..., Any], case: Case) -> tuple[str, str] | None:
    q, eps = case.args["q"], case.args["epsilon"]
    rng = np.random.default_rng(case.args["seed"])
    n = len(q)
    best = max(q)
    ties = [a for a, v in enumerate(q) if v == best]
    want = [eps / n + ((1.0 - eps) / len(ties) if a in ties else 0.0) for a in range(n)]
    counts: Counter[int] = Counter()
    for _ in range(DRAWS):
        a = fn(list(q), eps, rng)
        if isinstance(a, bool) or not isinstance(a, int | np.integer) or not 0 <= int(a) < n:
            return f"an action from 0 to {n - 1}", show(a)
        counts[int(a)] += 1
    share = [counts[a] / DRAWS for a in range(n)]
    if any(abs(s - w) > TOLERANCE for s, w in zip(share, want)):
        return (
            "π(a|s) = " + show([round(w, 3) for w in want]),
            f"shares {show([round(s, 3) for s in share])} over {DRAWS} draws",
        )
    return None


def _eg_cases(seed: int) -> list[Case]:
    rng = np.random.default_rng(seed)
    fixed = [
        ("ε = 0: always greedy", [0.1, 0.9, 0.3], 0.0),
        ("ε = 1: uniform", [0.1, 0.9, 0.3], 1.0),
        ("ε = 0.2", [1.0, -1.0, 0.0, 2.0], 0.2),
        ("ties in argmax: broken at random", [2.0, 0.0, 2.0], 0.0),
        ("ties in argmax with ε = 0.3", [1.0, 1.0, 1.0, -5.0], 0.3),
        ("negative values only", [-3.0, -0.5, -7.0], 0.1),
    ]
    out = [Case(n, {"q": q, "epsilon": e, "seed": int(rng.integers(2**31))}) for n, q, e in fixed]
    for i in range(2):
        out.append(
            Case(
                f"drawn {i + 1}",
                {
                    "q": _row(rng, int(rng.integers(2, 6))),
                    "epsilon": round(float(rng.uniform(0, 1)), 2),
                    "seed": int(rng.integers(2**31)),
                },
            )
        )
    return out


register(
    Exercise(
        name="epsilon_greedy",
        summary="ε-greedy choice: a random action with chance ε, else argmax_a Q(s, a) (ties at random)",
        params=("q", "epsilon", "rng"),
        doc="""Choose an action ε-greedily from Q(s, ·).

    π(a|s) = ε / n + (1 − ε) / |A*|  for a in A* = argmax_a Q(s, a)
    π(a|s) = ε / n                    otherwise

    (break ties in argmax at random: an untried state would otherwise always take action 0.)

    Args:
        q: Q(s, ·), one float per action (a list of n floats).
        epsilon: ε, the chance of a uniformly random action.
        rng: a numpy random Generator (rng.random(), rng.integers(n), rng.choice(...)); use it
            for every random draw, so that a case can be repeated.

    Returns:
        a, an int from 0 to n − 1.""",
        reference=epsilon_greedy_reference,
        cases=_eg_cases,
        returns="action",
        judge=epsilon_greedy_judge,
    )
)
