"""Explain a step: the learning update an agent made from one transition, written as the
literature writes it, with every symbol replaced by its value.

An :class:`Explanation` is plain data (the play screen's ``X`` panel draws it, ``rltui
explain`` prints it or writes it as JSON). :func:`explain` makes one from

- the agent (read, never changed: explaining a step leaves every array as it was),
- the step's :class:`~agents.base.Transition`,
- ``recorded``: what the agent's ``observe`` returned when it learned from the step (its TD
  target and error, the step size it took …; empty when it did not learn from it), and
- ``after``: the episode's transitions from the step on, the step itself first, as far as
  they are known (a policy agent's advantage sums the TD errors of the steps to come).

A kind explains itself with a method ``explain(step, recorded, after)`` that returns an
Explanation; the built-in kinds are explained here, by their family.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from agents.base import Transition
from agents.explanation import MAX_AFTER, After, Explanation, Segment, Term, as_text, eq, layout, number

__all__ = ["MAX_AFTER", "After", "Explanation", "Segment", "Term", "as_text", "eq", "explain", "layout", "number"]


def explain(agent: Any, step: Transition, recorded: Mapping[str, Any] | None, after: After = ()) -> Explanation | None:
    """The update ``agent`` made (or, for a planner, makes) from ``step``; None for a kind
    that has no update to show."""
    own = getattr(type(agent), "explain", None)
    if callable(own):
        return own(agent, step, recorded or {}, after)
    explainer = _BY_FAMILY.get(_family(agent))
    explanation = None if explainer is None else explainer(agent, step, recorded or {}, after)
    if explanation is not None and recorded and "exercise_learner" in recorded:
        explanation = _with_exercise(agent, explanation, recorded)
    return explanation


def _with_exercise(agent: Any, explanation: Explanation, recorded: Mapping[str, Any]) -> Explanation:
    """The learner's value beside the reference's (``--exercise``: agents/exercises/live.py),
    and the first step where they differed."""
    from dataclasses import replace

    swap = getattr(agent, "exercise", None)
    name = swap.exercise.name if swap is not None else "exercise"
    file = swap.learner.path.name if swap is not None else "your file"
    mine, reference = float(recorded["exercise_learner"]), float(recorded["exercise_reference"])
    same = abs(mine - reference) <= 1e-6 * max(1.0, abs(reference))
    verdict = "they agree" if same else f"they DIFFER by {number(mine - reference)}, and the agent learns from yours"
    notes = [f"Your {name} ({file}) gave {number(mine)}; the reference gives {number(reference)}: {verdict}."]
    first = recorded.get("exercise_first_differs")
    if first is not None:
        notes.append(
            f"Your {name} first differed from the reference at training step {int(first)} (the agent's steps so far)."
        )
    terms = (
        Term(f"{name} (yours)", f"from {file}", mine),
        Term(f"{name} (reference)", "what rltui computes", reference),
    )
    return replace(explanation, result=explanation.result + terms, notes=explanation.notes + tuple(notes))


def _family(agent: Any) -> str:
    from agents.registry import BY_NAME

    spec = BY_NAME.get(getattr(agent, "kind", ""))
    return "" if spec is None else spec.family


# --- tabular: Q-learning, SARSA, Expected SARSA -------------------------------------------


_BOOTSTRAP = {
    "q-learning": ("max_a' Q(s',a')", "the best value at s' (off-policy: the greedy action)"),
    "sarsa": ("Q(s',a')", "the value of the action a' the agent takes next at s'"),
    "expected-sarsa": ("Σ π(a'|s') Q(s',a')", "the value at s' averaged over its ε-greedy policy"),
}


def _tabular(agent: Any, step: Transition, recorded: Mapping[str, Any], after: After) -> Explanation:
    name = {"q-learning": "Q-learning", "sarsa": "SARSA", "expected-sarsa": "Expected SARSA"}[agent.kind]
    symbol, meaning = _BOOTSTRAP[agent.kind]
    gamma = float(agent.config.gamma)
    equation = f"Q(s,a) ← Q(s,a) + α [r + γ·{symbol} − Q(s,a)]"
    if "td_target" not in recorded:
        return Explanation(
            f"{name}: no update at this step",
            equation,
            "—",
            (),
            (),
            ("The agent did not learn from this step (learning was off, or the step was replayed).",),
        )
    alpha = float(recorded.get("alpha", agent.config.alpha))
    target, error = float(recorded["td_target"]), float(recorded["td_error"])
    before = target - error
    r = float(step.reward)
    x = 0.0 if step.terminated or gamma == 0 else (target - r) / gamma
    new = before + alpha * error
    notes: list[str] = []
    if step.terminated:
        notes.append("s' is terminal: nothing lies beyond it, so the bootstrap term is 0.")
    elif step.truncated:
        notes.append("The episode was cut by its time limit, not ended: s' still has a value (bootstrapped).")
    if "next_action" in recorded:
        notes.append(f"a' = {recorded['next_action']}: the action SARSA chose at s' (and takes next).")
    if "epsilon" in recorded:
        notes.append(f"π is ε-greedy with ε = {number(recorded['epsilon'])}.")
    tiles = getattr(agent.indexer, "tilings", None)
    if tiles:
        active = agent.indexer(step.obs)
        share = alpha / tiles
        notes.append(
            f"Tile coding: Q(s,a) is the sum of {tiles} weights, one per tiling (tiles {', '.join(map(str, active))});"
            f" each moves by α/{tiles} · δ = {number(share * error)}."
        )
    filled = f"Q(s,a) ← {eq(before)} + {eq(alpha)} × [{eq(r)} + {eq(gamma)} × {eq(x)} − {eq(before)}] = {number(new)}"
    return Explanation(
        f"{name}: the update of Q(s, a) at this step",
        equation,
        filled,
        (
            Term("Q(s,a)", "the old value of the action taken", before),
            Term("α", "the learning rate", alpha),
            Term("r", "the reward", r),
            Term("γ", "the discount factor", gamma),
            Term(symbol, meaning, x),
        ),
        (
            Term("r + γ·X", "the TD target", target),
            Term("δ", "the TD error: target − old value", error),
            Term("Q(s,a) new", "old value + α·δ", new),
        ),
        tuple(notes),
    )


# --- planners: value and policy iteration ---------------------------------------------------


def _planner(agent: Any, step: Transition, recorded: Mapping[str, Any], after: After) -> Explanation | None:
    model = agent.model
    if model is None:
        return None
    state = int(step.next_obs if step.next_obs is not None else step.obs)
    gamma = float(agent.config.gamma)
    values, _ = agent.value_table()
    terms: list[Term] = []
    result: list[Term] = []
    lines: list[str] = []
    best = None
    for a in range(model.n_actions):
        outcomes = model.outcomes(state, a)
        parts = []
        total = 0.0
        for p, s2, r, done in outcomes:
            v2 = 0.0 if done else float(values[s2])
            total += p * (r + gamma * v2)
            parts.append(f"{number(p)}·[{eq(r)} + {number(gamma)}·{eq(v2)}]")
        lines.append(f"a={a}: " + " + ".join(parts) + f" = {number(total)}")
        result.append(Term(f"Q(s,{a})", "Σ_s' P(s'|s,a)[r + γ V(s')]", total))
        best = total if best is None else max(best, total)
    terms.append(Term("s", "the state shown", state))
    terms.append(Term("γ", "the discount factor", gamma))
    result.append(Term("V(s)", "max_a Q(s,a)", best))
    return Explanation(
        "Bellman backup of the state shown",
        "Q(s,a) = Σ_s' P(s'|s,a) [r + γ V(s')],   V(s) = max_a Q(s,a)",
        "\n".join(lines),
        tuple(terms),
        tuple(result),
        ("P(s'|s,a) and r are the env's own model; V is the planner's current table.",),
    )


def _networks(name: str) -> Callable[[Any, Transition, Mapping[str, Any], After], Explanation | None]:
    """A network kind's explainer, from :mod:`agents.explain_networks` (loaded when asked)."""

    def explainer(agent: Any, step: Transition, recorded: Mapping[str, Any], after: After) -> Explanation | None:
        from agents import explain_networks

        return getattr(explain_networks, name)(agent, step, recorded, after)

    return explainer


_BY_FAMILY: dict[str, Callable[[Any, Transition, Mapping[str, Any], After], Explanation | None]] = {
    "tabular": _tabular,
    "value-iteration": _planner,
    "dqn": _networks("dqn"),
    "reinforce": _networks("policy"),
    "ppo": _networks("policy"),
    "sac": _networks("sac"),
}
