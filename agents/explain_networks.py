"""Explain a step of a network kind (:mod:`agents.explain` for what an explanation is):
DQN's TD target and loss, a policy gradient's advantage, SAC's soft target."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from agents.base import Transition
from agents.explanation import MAX_AFTER, After, Explanation, Term, eq, number

# --- DQN ------------------------------------------------------------------------------------


def dqn(agent: Any, step: Transition, recorded: Mapping[str, Any], after: After) -> Explanation:
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
        f"y = {eq(r)} + {number(gamma)} × (1 − {int(done)}) × {eq(q_next)} = {number(y)};   "
        f"Q(s,a) = {eq(q_sa)};   loss = {number(loss)}",
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


def policy(agent: Any, step: Transition, recorded: Mapping[str, Any], after: After) -> Explanation:
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
        f"δ = {eq(r)} + {number(gamma)} × {eq(v_next)} − {eq(value)} = {number(delta)};   A = {number(advantage)}",
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


def sac(agent: Any, step: Transition, recorded: Mapping[str, Any], after: After) -> Explanation:
    numbers = _soft_numbers(agent, step)
    gamma = float(agent.config.gamma)
    done = int(bool(step.terminated))
    r = float(step.reward)
    y = r + gamma * (1 - done) * (numbers["min_q_next"] - numbers["ent_coef"] * numbers["log_pi_next"])
    return Explanation(
        "SAC: the soft target of this transition",
        "y = r + γ (1 − d) (min_i Q'_i(s',a') − α log π(a'|s')),  a' ~ π(·|s');  "
        "actor: min α log π(ã|s) − min_i Q_i(s,ã)",
        f"y = {eq(r)} + {number(gamma)} × (1 − {done}) × ({eq(numbers['min_q_next'])} − "
        f"{number(numbers['ent_coef'])} × {eq(numbers['log_pi_next'])}) = {number(y)}",
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
