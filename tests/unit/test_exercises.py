"""Exercises: each reference passes its own checker and is the agent's own (or agrees with
it), and deliberately wrong versions are caught with a sentence naming the failing case."""

from __future__ import annotations

import inspect
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from agents.base import Transition
from agents.exercises import Case, all_exercises, get
from agents.exercises.check import CodeProblem, Learner, check, template
from agents.tabular import TabularAgent, TabularConfig

HERE = Path(__file__)


def _learner(fn: Callable[..., Any]) -> Learner:
    return Learner(fn, HERE)


@pytest.mark.parametrize("name", [e.name for e in all_exercises()])
def test_every_reference_passes_its_own_checker(name: str) -> None:
    exercise = get(name)
    report = check(exercise, Learner(exercise.reference, Path(inspect.getsourcefile(exercise.reference) or HERE)))
    assert report.differing == []
    assert report.cases >= 4


def test_cases_are_seeded_and_the_same_for_a_seed() -> None:
    for exercise in all_exercises():
        first, again = exercise.cases(3), exercise.cases(3)
        assert [c.name for c in first] == [c.name for c in again]
        assert repr([c.args for c in first]) == repr([c.args for c in again])


# --- the references are the agents' own ---------------------------------------------------------


def _one_state_agent(kind: str, q: list[float], epsilon: float = 0.1, gamma: float = 0.9) -> TabularAgent:
    space = {"type": "Discrete", "n": 2}
    config = TabularConfig(alpha=1.0, gamma=gamma, epsilon_start=epsilon, epsilon_end=epsilon)
    agent = TabularAgent(kind, space, len(q), config, seed=0)
    agent.table[1] = list(q)
    return agent


@pytest.mark.parametrize(
    ("kind", "name"), [("q-learning", "q_learning_target"), ("expected-sarsa", "expected_sarsa_target")]
)
def test_the_tabular_agents_learn_toward_the_exercise_reference(kind: str, name: str) -> None:
    exercise = get(name)
    for case in exercise.cases(0):
        a = case.args
        agent = _one_state_agent(kind, a["q_next"], a.get("epsilon", 0.1), a["gamma"])
        said = agent.observe(Transition(0, 0, a["r"], 1, a["terminated"], a["truncated"]))
        assert said["td_target"] == pytest.approx(exercise.reference(**a)), case.name


def test_sarsa_learns_toward_the_exercise_reference_for_the_action_it_chose() -> None:
    exercise = get("sarsa_target")
    for case in exercise.cases(0):
        a = case.args
        agent = _one_state_agent("sarsa", a["q_next"], 0.5, a["gamma"])
        said = agent.observe(Transition(0, 0, a["r"], 1, a["terminated"], a["truncated"]))
        chose = int(said.get("next_action", 0))
        assert said["td_target"] == pytest.approx(exercise.reference(**{**a, "a_next": chose})), case.name


def test_td_update_is_the_tabular_agents_step() -> None:
    for case in get("td_update").cases(0):
        a = case.args
        agent = TabularAgent("q-learning", {"type": "Discrete", "n": 1}, 1, TabularConfig(alpha=a["alpha"]))
        agent.table[0][0] = a["q_sa"]
        agent._learn(0, 0, a["target"] - a["q_sa"])
        assert agent.table[0][0] == pytest.approx(get("td_update").reference(**a))


def test_returns_agree_with_rltui_returns_and_gae() -> None:
    from agents.policy import gae
    from rltui.returns import returns_to_go

    for case in get("reward_to_go").cases(0):
        r, g = case.args["rewards"], case.args["gamma"]
        ours = get("reward_to_go").reference(r, g)
        assert np.allclose(ours, returns_to_go(list(r), g))
        n = len(r)
        ends = np.zeros(n, dtype=bool)
        ends[-1:] = True
        assert np.allclose(ours, gae(r, np.zeros(n), np.zeros(n), ends, g, 1.0)[0])
        assert get("discounted_return").reference(list(r), g) == pytest.approx(ours[0] if n else 0.0)


def test_dqn_losses_are_torchs() -> None:
    import torch

    from agents.dqn import _LOSSES

    for case in get("dqn_loss").cases(0):
        a = case.args
        torch_loss = _LOSSES[a["kind"]](torch.as_tensor(a["q"]), torch.as_tensor(a["y"]))
        assert get("dqn_loss").reference(**a) == pytest.approx(float(torch_loss)), case.name


def test_the_ppo_surrogate_is_the_agents() -> None:
    import torch

    from agents.ppo import clipped_surrogate

    for case in get("ppo_clipped_surrogate").cases(0):
        a = case.args
        theirs = clipped_surrogate(torch.as_tensor(a["ratio"]), torch.as_tensor(a["advantages"]), a["clip"])
        assert np.allclose(get("ppo_clipped_surrogate").reference(**a), theirs.numpy())


def test_the_reinforce_loss_is_the_agents_expression() -> None:
    import torch

    source = inspect.getsource(__import__("agents.reinforce", fromlist=["x"]))
    assert "policy_loss = -(log_probs * adv).mean()" in source  # the expression the reference mirrors
    for case in get("reinforce_loss").cases(0):
        lp, adv = torch.as_tensor(case.args["log_probs"]), torch.as_tensor(case.args["returns"])
        assert get("reinforce_loss").reference(**case.args) == pytest.approx(float(-(lp * adv).mean()))


def test_the_bellman_backup_is_value_iterations_on_frozenlake() -> None:
    gym = pytest.importorskip("gymnasium")
    from agents.value_iteration import Model

    env = gym.make("FrozenLake-v1")
    P = env.unwrapped.P
    v = np.random.default_rng(0).normal(size=len(P))
    whole = Model(P).backup(v, 0.95)
    for s in (0, 5, 14):
        assert np.allclose(get("bellman_backup").reference(P[s], v, 0.95), whole[s])
        by_hand = [sum(p * (r + 0.95 * (0.0 if d else v[s2])) for p, s2, r, d in P[s][a]) for a in P[s]]
        assert np.allclose(whole[s], by_hand)


def test_the_tabular_agents_exploration_passes_the_epsilon_greedy_judge() -> None:
    exercise = get("epsilon_greedy")

    def agents_choice(q: list[float], epsilon: float, rng: np.random.Generator) -> int:
        agent = _one_state_agent("q-learning", q, epsilon)
        agent.rng = random.Random(int(rng.integers(2**31)))
        return agent._explore(1)

    assert exercise.judge is not None
    for case in exercise.cases(0):
        assert exercise.judge(agents_choice, case) is None, case.name


# --- wrong versions are caught, naming the case ------------------------------------------------


def _np(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


WRONG: dict[str, list[tuple[str, Callable[..., Any], str]]] = {
    "q_learning_target": [
        ("ignores terminated", lambda r, q_next, gamma, terminated, truncated: r + gamma * max(q_next), "terminal"),
        (
            "treats truncated as terminal",
            lambda r, q_next, gamma, terminated, truncated: (
                r + gamma * (0.0 if terminated or truncated else max(q_next))
            ),
            "time-limit cut",
        ),
        (
            "min for max",
            lambda r, q_next, gamma, terminated, truncated: r + gamma * (0 if terminated else min(q_next)),
            "",
        ),
        ("forgets γ", lambda r, q_next, gamma, terminated, truncated: r + (0 if terminated else max(q_next)), "γ = 0"),
    ],
    "sarsa_target": [
        (
            "ignores terminated",
            lambda r, q_next, a_next, gamma, terminated, truncated: r + gamma * q_next[a_next],
            "terminal",
        ),
        (
            "uses max (Q-learning)",
            lambda r, q_next, a_next, gamma, terminated, truncated: r + gamma * (0 if terminated else max(q_next)),
            "",
        ),
        (
            "treats truncated as terminal",
            lambda r, q_next, a_next, gamma, terminated, truncated: (
                r + gamma * (0.0 if terminated or truncated else q_next[a_next])
            ),
            "time-limit cut",
        ),
    ],
    "expected_sarsa_target": [
        (
            "ignores terminated",
            lambda r, q_next, epsilon, gamma, terminated, truncated: (
                r + gamma * ((1 - epsilon) * max(q_next) + epsilon * sum(q_next) / len(q_next))
            ),
            "terminal",
        ),
        (
            "the mean alone",
            lambda r, q_next, epsilon, gamma, terminated, truncated: (
                r + gamma * (0 if terminated else sum(q_next) / len(q_next))
            ),
            "",
        ),
        (
            "ε and 1 − ε swapped",
            lambda r, q_next, epsilon, gamma, terminated, truncated: (
                r + gamma * (0 if terminated else epsilon * max(q_next) + (1 - epsilon) * sum(q_next) / len(q_next))
            ),
            "",
        ),
    ],
    "td_update": [
        ("a flipped sign", lambda q_sa, target, alpha: q_sa - alpha * (target - q_sa), "higher target"),
        ("forgets α", lambda q_sa, target, alpha: target, "higher target"),
        ("adds α·target", lambda q_sa, target, alpha: q_sa + alpha * target, "higher target"),
    ],
    "discounted_return": [
        ("no discount", lambda rewards, gamma: float(sum(rewards)), "three steps"),
        ("γ^(k+1)", lambda rewards, gamma: sum(gamma ** (k + 1) * r for k, r in enumerate(rewards)), "single step"),
        (
            "discounted from the end",
            lambda rewards, gamma: sum(gamma**k * r for k, r in enumerate(reversed(rewards))),
            "three steps",
        ),
    ],
    "reward_to_go": [
        (
            "G_t summed forwards",
            lambda rewards, gamma: _np(
                [sum(gamma**k * r for k, r in enumerate(rewards[: t + 1])) for t in range(len(rewards))]
            ),
            "three steps",
        ),
        ("no discount", lambda rewards, gamma: _np(np.cumsum(rewards[::-1])[::-1]), "three steps"),
        (
            "G_0 everywhere",
            lambda rewards, gamma: _np([sum(gamma**k * r for k, r in enumerate(rewards))] * len(rewards)),
            "three steps",
        ),
    ],
    "epsilon_greedy": [
        ("never explores", lambda q, epsilon, rng: int(np.argmax(q)), "ε = 1"),
        (
            "explores with chance 1 − ε",
            lambda q, epsilon, rng: int(rng.integers(len(q))) if rng.random() > epsilon else int(np.argmax(q)),
            "ε = 0",
        ),
        (
            "ties always to the first",
            lambda q, epsilon, rng: int(rng.integers(len(q))) if rng.random() < epsilon else int(np.argmax(q)),
            "ties in argmax",
        ),
        ("an action past the last", lambda q, epsilon, rng: len(q), "ε = 0"),
    ],
    "dqn_target": [
        ("no done mask", lambda rewards, terminated, gamma, q_next: rewards + gamma * q_next.max(1), "terminal"),
        (
            "the mask flipped",
            lambda rewards, terminated, gamma, q_next: rewards + gamma * terminated * q_next.max(1),
            "within episodes",
        ),
        (
            "the mean for the max",
            lambda rewards, terminated, gamma, q_next: rewards + gamma * (1 - terminated) * q_next.mean(1),
            "within episodes",
        ),
    ],
    "double_dqn_target": [
        (
            "the target network chooses (plain DQN)",
            lambda rewards, terminated, gamma, q_next, q_next_online: (
                rewards + gamma * (1 - terminated) * q_next.max(1)
            ),
            "within episodes",
        ),
        (
            "the online network values",
            lambda rewards, terminated, gamma, q_next, q_next_online: (
                rewards + gamma * (1 - terminated) * q_next_online.max(1)
            ),
            "within episodes",
        ),
        (
            "no done mask",
            lambda rewards, terminated, gamma, q_next, q_next_online: (
                rewards + gamma * q_next[np.arange(len(rewards)), q_next_online.argmax(1)]
            ),
            "terminal",
        ),
    ],
    "dqn_loss": [
        (
            "MSE with a flipped sign",
            lambda q, y, kind: (
                -float(np.mean((q - y) ** 2))
                if kind == "mse"
                else float(np.mean(np.where(abs(q - y) < 1, 0.5 * (q - y) ** 2, abs(q - y) - 0.5)))
            ),
            "MSE, small errors",
        ),
        (
            "summed, not averaged",
            lambda q, y, kind: (
                float(np.sum((q - y) ** 2))
                if kind == "mse"
                else float(np.sum(np.where(abs(q - y) < 1, 0.5 * (q - y) ** 2, abs(q - y) - 0.5)))
            ),
            "MSE, small errors",
        ),
        ("Huber as MSE", lambda q, y, kind: float(np.mean((q - y) ** 2)), "Huber, small errors"),
        (
            "Huber without its half",
            lambda q, y, kind: (
                float(np.mean((q - y) ** 2))
                if kind == "mse"
                else float(np.mean(np.where(abs(q - y) < 1, (q - y) ** 2, abs(q - y))))
            ),
            "Huber, small errors",
        ),
    ],
    "gae": [
        (
            "advantages flow across ends",
            lambda rewards, values, next_values, ends, gamma, lam: _gae_wrong(
                rewards, values, next_values, ends, gamma, lam, mask=False
            ),
            "two episodes",
        ),
        (
            "truncated treated as terminal",
            lambda rewards, values, next_values, ends, gamma, lam: _gae_wrong(
                rewards, values, next_values * ~ends, ends, gamma, lam
            ),
            "time-limit cut",
        ),
        (
            "λ forgotten",
            lambda rewards, values, next_values, ends, gamma, lam: _gae_wrong(
                rewards, values, next_values, ends, gamma, 1.0
            ),
            "within one episode",
        ),
        (
            "summed forwards",
            lambda rewards, values, next_values, ends, gamma, lam: _gae_wrong(
                rewards, values, next_values, ends, gamma, lam, forwards=True
            ),
            "within one episode",
        ),
    ],
    "reinforce_loss": [
        ("a flipped sign", lambda log_probs, returns: float(np.mean(log_probs * returns)), "positive returns"),
        ("summed, not averaged", lambda log_probs, returns: float(-np.sum(log_probs * returns)), "positive returns"),
        ("π for log π", lambda log_probs, returns: float(-np.mean(np.exp(log_probs) * returns)), "positive returns"),
    ],
    "ppo_clipped_surrogate": [
        (
            "max for min",
            lambda ratio, advantages, clip: np.maximum(
                ratio * advantages, np.clip(ratio, 1 - clip, 1 + clip) * advantages
            ),
            "not clipped",
        ),
        (
            "the clipped term alone",
            lambda ratio, advantages, clip: np.clip(ratio, 1 - clip, 1 + clip) * advantages,
            "not clipped",
        ),
        ("no clip", lambda ratio, advantages, clip: ratio * advantages, "clipped"),
    ],
    "bellman_backup": [
        (
            "counts V beyond a terminal state",
            lambda P_s, V, gamma: _np([sum(p * (r + gamma * V[s2]) for p, s2, r, d in P_s[a]) for a in P_s]),
            "terminal",
        ),
        (
            "forgets the probabilities",
            lambda P_s, V, gamma: _np([sum(r + gamma * (0 if d else V[s2]) for p, s2, r, d in P_s[a]) for a in P_s]),
            "slippery",
        ),
        (
            "the best outcome, not the expected one",
            lambda P_s, V, gamma: _np([max(r + gamma * (0 if d else V[s2]) for p, s2, r, d in P_s[a]) for a in P_s]),
            "slippery",
        ),
    ],
}


def _gae_wrong(
    rewards: Any,
    values: Any,
    next_values: Any,
    ends: Any,
    gamma: float,
    lam: float,
    mask: bool = True,
    forwards: bool = False,
) -> np.ndarray:
    n = len(rewards)
    out = np.zeros(n)
    running = 0.0
    order = range(n) if forwards else range(n - 1, -1, -1)
    for t in order:
        delta = rewards[t] + gamma * next_values[t] - values[t]
        running = delta + (0.0 if (mask and ends[t]) else gamma * lam * running)
        out[t] = running
    return out


def test_every_exercise_has_three_wrong_versions() -> None:
    assert set(WRONG) == {e.name for e in all_exercises()}
    assert all(len(v) >= 3 for v in WRONG.values())


@pytest.mark.parametrize(
    ("name", "why", "fn", "named"), [(n, w, f, c) for n, versions in WRONG.items() for w, f, c in versions]
)
def test_a_wrong_version_is_caught_naming_the_case(name: str, why: str, fn: Callable[..., Any], named: str) -> None:
    exercise = get(name)
    try:
        report = check(exercise, _learner(fn))
    except CodeProblem as exc:  # a wrong type or an illegal action: one sentence naming the case
        assert "case " in str(exc) and named in str(exc), why
        return
    assert report.differing, f"{why} was not caught"
    assert all(s.startswith("Case ") and " differs: " in s and "expected" in s and "got" in s for s in report.differing)
    assert any(named in s for s in report.differing), (why, report.differing)


# --- what goes wrong in the learner's code: one sentence with the file and line ----------------


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.py"
    path.write_text(text)
    return path


def test_raising_code_is_one_sentence_with_its_line(tmp_path: Path) -> None:
    from agents.exercises.check import load

    path = _write(tmp_path, "def td_update(q_sa, target, alpha):\n    x = 1\n    return x / 0\n")
    with pytest.raises(CodeProblem, match=r"mine\.py:3: ZeroDivisionError.*case 1"):
        check(get("td_update"), load(get("td_update"), path))


def test_nan_and_a_wrong_type_are_caught(tmp_path: Path) -> None:
    from agents.exercises.check import load

    for body, says in (("float('nan')", "not a finite number"), ("'y'", "not a float"), ("[1.0, 2.0]", "not a float")):
        path = _write(tmp_path, f"def td_update(q_sa, target, alpha):\n    return {body}\n")
        with pytest.raises(CodeProblem, match=f"mine\\.py:1: .*{says}"):
            check(get("td_update"), load(get("td_update"), path))


def test_a_template_is_valid_python_that_says_it_is_unwritten(tmp_path: Path) -> None:
    from agents.exercises.check import load

    for exercise in all_exercises():
        path = tmp_path / f"{exercise.name}.py"
        path.write_text(template(exercise))
        learner = load(exercise, path)
        assert list(inspect.signature(learner.fn).parameters) == list(exercise.params)
        with pytest.raises(CodeProblem, match="not written yet"):
            check(exercise, learner)


def test_the_learner_cannot_change_the_cases() -> None:
    exercise = get("dqn_target")

    def spoils(rewards: Any, terminated: Any, gamma: float, q_next: Any) -> Any:
        y = exercise.reference(rewards, terminated, gamma, q_next)
        terminated[:] = 0.0
        return y

    assert check(exercise, _learner(spoils)).differing == []
    assert isinstance(exercise.cases(0)[0], Case)
