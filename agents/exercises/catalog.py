"""The exercises, each with its reference and seeded cases (see :mod:`agents.exercises`).

Cases start with the edge cases the talks warn about (a terminal step, a time-limit cut that
is no end, ties in argmax, γ = 0, a single step, an empty episode), then a few drawn from a
seeded generator.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np

from agents.exercises.base import Case, Exercise, show
from agents.tabular import expected_sarsa_target, q_learning_target, sarsa_target

EXERCISES: dict[str, Exercise] = {}
"""Every exercise by name, in the order ``rltui exercise`` lists them."""


def register(exercise: Exercise) -> Exercise:
    EXERCISES[exercise.name] = exercise
    return exercise


DRAWN = 4
"""Cases drawn at random after the fixed ones."""


def _row(rng: np.random.Generator, n: int) -> list[float]:
    return [round(float(v), 2) for v in rng.normal(0.0, 2.0, n)]


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
