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

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from agents.base import Transition

After = Sequence[Transition]
"""The episode's transitions from the step explained on (the step itself first)."""
MAX_AFTER = 256
"""Steps after the explained one its advantage sums at most ((γλ)^256 is below 1e-5 at
γλ = 0.95)."""


@dataclass(frozen=True)
class Term:
    """One symbol of an update, what it means and its value."""

    symbol: str
    meaning: str
    value: float | int | str | None

    def shown(self) -> str:
        return number(self.value)


@dataclass(frozen=True)
class Explanation:
    """One update, as the literature writes it and with its numbers."""

    title: str
    """What is explained: ``Q-learning: the update of Q(s, a) at this step``."""
    equation: str
    """The update in symbols."""
    filled: str
    """The same with every symbol replaced by its value."""
    terms: tuple[Term, ...]
    """The symbols' values, in the order the equation reads them."""
    result: tuple[Term, ...]
    """What the update made: the new value, the error, the loss."""
    notes: tuple[str, ...] = ()
    """What to know to read it (the target network's turn, a pending rollout …)."""
    batch: tuple[Term, ...] = field(default=())
    """For a network agent: its last gradient step on a batch (mean target, loss, ∇ norm)."""

    def as_dict(self) -> dict[str, Any]:
        """For ``rltui explain --json``: plain JSON types only."""
        return asdict(self)


Segment = tuple[str, str]
"""A piece of a laid-out explanation: (text, role); roles: title, equation, filled, heading,
symbol, value, result, meaning, note."""


def layout(ex: Explanation, width: int) -> list[Segment]:
    """An explanation laid out in ``width`` columns, as segments to print in order (the panel
    styles each by its role; ``rltui explain`` prints them plain): the equations wrap, each
    term is one line, what it means cut to fit."""
    out: list[Segment] = [
        (ex.title + "\n", "title"),
        (ex.equation + "\n", "equation"),
        (ex.filled + "\n\n", "filled"),
    ]
    out += _term_lines(ex.terms, width, "value")
    if ex.result:
        out.append(("\n", "meaning"))
        out += _term_lines(ex.result, width, "result")
    if ex.batch:
        out.append(("\nThe last gradient step, on a batch\n", "heading"))
        out += _term_lines(ex.batch, width, "value")
    out += [("\n· " + note, "note") for note in ex.notes]
    return out


def _term_lines(terms: tuple[Term, ...], width: int, role: str) -> list[Segment]:
    symbol_width = max((len(t.symbol) for t in terms), default=0)
    value_width = max((len(t.shown()) for t in terms), default=0)
    room = width - symbol_width - value_width - 3
    out: list[Segment] = []
    for term in terms:
        meaning = term.meaning if len(term.meaning) <= room else term.meaning[: max(0, room - 1)] + "…"
        out += [
            (f"{term.symbol:<{symbol_width}} ", "symbol"),
            (f"{term.shown():>{value_width}}", role),
            (f"  {meaning}\n" if room > 4 else "\n", "meaning"),
        ]
    return out


def as_text(ex: Explanation, width: int = 100) -> str:
    """An explanation as plain text (``rltui explain``)."""
    return "".join(text for text, _ in layout(ex, width)).rstrip() + "\n"


def number(value: Any) -> str:
    """A value as an explanation shows it: integers whole, reals to four decimals (enough for
    the arithmetic to be redone by hand), non-finite ones by name."""
    if value is None:
        return "—"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        v = float(value)
        if not math.isfinite(v):
            return str(v)
        if v != 0 and (abs(v) >= 1e6 or abs(v) < 1e-4):
            return f"{v:.4e}"
        return f"{v:.4f}".rstrip("0").rstrip(".") if "." in f"{v:.4f}" else f"{v:.4f}"
    return str(value)


def _n(value: Any) -> str:
    """A value inside an equation: negative ones in parentheses."""
    shown = number(value)
    return f"({shown})" if shown.startswith("-") else shown


def explain(agent: Any, step: Transition, recorded: Mapping[str, Any] | None, after: After = ()) -> Explanation | None:
    """The update ``agent`` made (or, for a planner, makes) from ``step``; None for a kind
    that has no update to show."""
    own = getattr(type(agent), "explain", None)
    if callable(own):
        return own(agent, step, recorded or {}, after)
    explainer = _BY_FAMILY.get(_family(agent))
    return None if explainer is None else explainer(agent, step, recorded or {}, after)


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
    filled = f"Q(s,a) ← {_n(before)} + {_n(alpha)} × [{_n(r)} + {_n(gamma)} × {_n(x)} − {_n(before)}] = {number(new)}"
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
            parts.append(f"{number(p)}·[{_n(r)} + {number(gamma)}·{_n(v2)}]")
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


# --- DQN ------------------------------------------------------------------------------------


def _dqn(agent: Any, step: Transition, recorded: Mapping[str, Any], after: After) -> Explanation:
    c = agent.config
    numbers = agent.td_numbers(step) if "q_sa" not in recorded else recorded
    q_sa, y = float(numbers["q_sa"]), float(numbers["td_target"])
    r = float(numbers.get("reward", step.reward))
    gamma = float(c.gamma)
    a_star, q_next = int(numbers["a_star"]), float(numbers["q_target_next"])
    done = bool(step.terminated)
    symbol = "Q_target(s', argmax_a' Q(s',a'))" if c.double_dqn else "max_a' Q_target(s',a')"
    equation = f"y = r + γ (1 − d) {symbol};   loss = Huber(Q(s,a) − y)"
    error = y - q_sa
    if c.loss == "huber":  # smooth L1 with δ = 1, as torch's smooth_l1_loss
        loss_name, loss = "Huber", 0.5 * error * error if abs(error) <= 1.0 else abs(error) - 0.5
    else:
        loss_name, loss = "squared error", error * error
        equation = equation.replace("Huber", "MSE")
    notes = []
    if done:
        notes.append("d = 1: s' is terminal, so y is the reward alone.")
    elif step.truncated:
        notes.append("d = 0: the time limit cut the episode; s' still has a value, so y bootstraps from it.")
    if c.double_dqn:
        notes.append(f"Double DQN: the online network chooses a* = {a_star}, the target network values it.")
    if c.clip_reward:
        notes.append("Rewards are clipped to their sign (clip_reward).")
    if "q_sa" not in recorded:
        notes.append("Computed with the networks as they are now (the step was not recorded as it was learned).")
    notes.append("The gradient step itself is on a batch drawn from the replay buffer, not on this transition alone.")
    batch = tuple(
        Term(label, meaning, float(recorded[key]))
        for key, label, meaning in (
            ("batch_target", "mean y", "the batch's mean target"),
            ("loss", "loss", f"the batch's mean {loss_name}"),
            ("grad_norm", "‖∇‖", "the gradient's norm before clipping"),
        )
        if key in recorded
    )
    return Explanation(
        "DQN: the TD target and loss of this transition",
        equation,
        f"y = {_n(r)} + {number(gamma)} × (1 − {int(done)}) × {_n(q_next)} = {number(y)};   "
        f"Q(s,a) = {_n(q_sa)};   loss = {number(loss)}",
        (
            Term("Q(s,a)", "the online network's value of the action taken", q_sa),
            Term("r", "the reward" + (" (clipped)" if c.clip_reward else ""), r),
            Term("γ", "the discount factor", gamma),
            Term("d", "s' is terminal", int(done)),
            Term("a*", "argmax_a' Q(s',a'), online net" if c.double_dqn else "argmax_a' Q_target(s',a')", a_star),
            Term("Q_target(s',a*)", "the target network's value there", q_next),
        ),
        (
            Term("y", "the TD target", y),
            Term("δ", "y − Q(s,a)", error),
            Term("loss", f"{loss_name} of δ", loss),
        ),
        tuple(notes),
        batch,
    )


# --- policy gradients: REINFORCE, PPO -------------------------------------------------------


def _policy(agent: Any, step: Transition, recorded: Mapping[str, Any], after: After) -> Explanation:
    c = agent.config
    gamma = float(c.gamma)
    lam = float(getattr(c, "gae_lambda", 1.0))
    head = agent.head

    def forward(obs: Any) -> tuple[np.ndarray, float]:
        outs, values = agent._forward(agent._features(obs)[None])  # no cache, no gradient
        return outs[0], float(values[0])

    out, value = forward(step.obs)
    log_pi_now = float(head.log_prob(out, head.action_of(step.action)))
    v_next = 0.0 if step.terminated else forward(step.next_obs)[1]
    r = float(step.reward)
    delta = r + gamma * v_next - value
    # The advantage: GAE over the steps played after it in this episode, as far as they are
    # known, with the critic as it is now (λ = 1: the return-to-go minus V(s)).
    advantage, discount, known = 0.0, 1.0, 0
    for k, later in enumerate(list(after)[:MAX_AFTER] or [step]):
        v_k = value if k == 0 else forward(later.obs)[1]
        v_k_next = v_next if k == 0 else (0.0 if later.terminated else forward(later.next_obs)[1])
        advantage += discount * (float(later.reward) + gamma * v_k_next - v_k)
        discount *= gamma * lam
        known += 1
        if later.terminated or later.truncated:
            break
    terms = [
        Term("log π(a|s)", "the policy's log-probability of the action taken, now", log_pi_now),
        Term("V(s)", "the critic's value of s", value),
        Term("r", "the reward", r),
        Term("γ", "the discount factor", gamma),
        Term("V(s')", "the critic's value of s' (0 if terminal)", v_next),
        Term("λ", "GAE's λ (1: Monte-Carlo returns)", lam),
    ]
    result = [
        Term("δ", "r + γ V(s') − V(s)", delta),
        Term("A", f"Σ_k (γλ)^k δ_(t+k) over {known} known step(s)", advantage),
    ]
    notes = []
    old = recorded.get("log_prob")
    clip = getattr(c, "clip_range", None)
    if old is not None:
        ratio = math.exp(log_pi_now - float(old))
        result.append(Term("π/π_old", "the policy now against the one that acted", ratio))
        if clip is not None:
            clipped = not (1 - clip <= ratio <= 1 + clip)
            result.append(Term("clipped", f"the ratio outside [1 − ε, 1 + ε], ε = {number(clip)}", clipped))
    equation = (
        "L = min(ρ·A, clip(ρ, 1−ε, 1+ε)·A),  ρ = π(a|s)/π_old(a|s),  A = Σ (γλ)^k δ_(t+k),  δ = r + γV(s') − V(s)"
        if clip is not None
        else "∇J ≈ ∇ log π(a|s) · (G_t − V(s)),  A = G_t − V(s)"
    )
    notes.append(f"Where the agent stands: {agent.phase()}; the update comes when its rollout is complete.")
    if known < 2:
        notes.append("Only this step is known yet: A is its δ until the steps after it are played.")
    metrics = getattr(agent, "last_metrics", {}) or {}
    batch = tuple(
        Term(key, "the last update's", float(metrics[key]))
        for key in ("policy_loss", "value_loss", "entropy", "approx_kl", "clip_fraction")
        if key in metrics
    )
    return Explanation(
        ("PPO" if clip is not None else "REINFORCE") + ": this step's share of the policy gradient",
        equation,
        f"δ = {_n(r)} + {number(gamma)} × {_n(v_next)} − {_n(value)} = {_n(delta)};   A = {_n(advantage)}",
        tuple(terms),
        tuple(result),
        tuple(notes),
        batch,
    )


# --- SAC --------------------------------------------------------------------------------------


SAC_SEED = 0
"""The seed a' is drawn with when a SAC step is explained: its own generator, so explaining
draws nothing from the agent's or torch's random streams."""


def _soft_numbers(agent: Any, step: Transition) -> dict[str, Any]:
    """SAC's soft target's parts for one transition, with the networks as they are now."""
    import torch

    from agents import nets
    from agents.sac import LOG_STD_MAX, LOG_STD_MIN, squashed_log_prob

    dim = agent.dim
    device = agent.device
    obs = torch.as_tensor(agent._features(step.obs)[None], device=device)
    next_obs = torch.as_tensor(agent._features(step.next_obs)[None], device=device)
    unit = torch.as_tensor(np.asarray(agent._to_unit(step.action), dtype=np.float32).reshape(1, -1), device=device)
    generator = torch.Generator(device=device).manual_seed(SAC_SEED)

    def sample(x: Any) -> tuple[Any, Any]:
        out = nets.forward(agent._actor_params, x)
        mean, log_std = out[:, :dim], out[:, dim:].clamp(LOG_STD_MIN, LOG_STD_MAX)
        u = mean + log_std.exp() * torch.randn(mean.shape, generator=generator, device=device)
        return torch.tanh(u), squashed_log_prob(u, mean, log_std)

    def critics(params: tuple[Any, Any], x: Any, a: Any) -> tuple[float, float]:
        inputs = torch.cat((x, a), dim=1)
        return float(nets.forward(params[0], inputs)[0, 0]), float(nets.forward(params[1], inputs)[0, 0])

    with torch.no_grad():
        a_next, log_pi_next = sample(next_obs)
        q1_next, q2_next = critics((agent._q1_target_params, agent._q2_target_params), next_obs, a_next)
        q1, q2 = critics((agent._q1_params, agent._q2_params), obs, unit)
        a_pi, log_pi = sample(obs)
        q_pi = min(critics((agent._q1_params, agent._q2_params), obs, a_pi))
    ent_coef = float(agent.ent_coef)
    return {
        "a_next": ", ".join(number(v) for v in np.atleast_1d(agent._to_env(a_next[0].cpu().numpy()))),
        "min_q_next": min(q1_next, q2_next),
        "ent_coef": ent_coef,
        "log_pi_next": float(log_pi_next[0]),
        "q1": q1,
        "q2": q2,
        "actor": ent_coef * float(log_pi[0]) - q_pi,
    }


def _sac(agent: Any, step: Transition, recorded: Mapping[str, Any], after: After) -> Explanation:
    numbers = _soft_numbers(agent, step)
    gamma = float(agent.config.gamma)
    done = int(bool(step.terminated))
    r = float(step.reward)
    y = r + gamma * (1 - done) * (numbers["min_q_next"] - numbers["ent_coef"] * numbers["log_pi_next"])
    return Explanation(
        "SAC: the soft target of this transition",
        "y = r + γ (1 − d) (min_i Q'_i(s',a') − α log π(a'|s')),  a' ~ π(·|s');  "
        "actor: min α log π(ã|s) − min_i Q_i(s,ã)",
        f"y = {_n(r)} + {number(gamma)} × (1 − {done}) × ({_n(numbers['min_q_next'])} − "
        f"{number(numbers['ent_coef'])} × {_n(numbers['log_pi_next'])}) = {number(y)}",
        (
            Term("r", "the reward", r),
            Term("γ", "the discount factor", gamma),
            Term("d", "s' is terminal", done),
            Term("a'", "an action π samples at s'", numbers["a_next"]),
            Term("min Q'(s',a')", "the smaller of the two target critics", numbers["min_q_next"]),
            Term("α", "the entropy coefficient (ent_coef)", numbers["ent_coef"]),
            Term("log π(a'|s')", "its log-probability", numbers["log_pi_next"]),
        ),
        (
            Term("y", "the soft TD target", y),
            Term("Q1(s,a) − y", "the first critic's error", numbers["q1"] - y),
            Term("Q2(s,a) − y", "the second critic's error", numbers["q2"] - y),
            Term("actor", "α log π(ã|s) − min Q(s,ã) at s", numbers["actor"]),
        ),
        (
            "Computed with the networks as they are now, a' drawn with a fixed seed (explaining changes nothing).",
            "The gradient steps themselves are on batches from the replay buffer.",
        ),
    )


_BY_FAMILY: dict[str, Callable[[Any, Transition, Mapping[str, Any], After], Explanation | None]] = {
    "tabular": _tabular,
    "value-iteration": _planner,
    "dqn": _dqn,
    "reinforce": _policy,
    "ppo": _policy,
    "sac": _sac,
}
