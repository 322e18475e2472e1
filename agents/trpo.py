"""Trust Region Policy Optimization (Schulman et al. 2015), as Spinning Up and sb3-contrib write it.

Every ``n_steps`` of its own steps (per env with ``n_envs``) the agent computes GAE(λ)
advantages A_t (normalised over the rollout) and takes one policy step on the trust-region
problem

    maximise  L(θ) = mean_t [ π_θ(a_t|s_t) / π_old(a_t|s_t) · A_t ]
    subject to  KL̄(θ) = mean_t KL(π_old(·|s_t) ‖ π_θ(·|s_t)) ≤ δ   (δ = ``target_kl``)

by the natural gradient: with g = ∇L and F the Fisher matrix (the Hessian of KL̄ at θ_old),
conjugate gradient solves (F + ``cg_damping`` I) x = g from Fisher-vector products alone
(``cg_max_steps`` of them), the full step is β x with β = √(2δ / xᵀFx) (the step whose
quadratic KL is δ), and a backtracking line search shrinks it by
``line_search_shrinking_factor`` until the exact KL̄ is below δ *and* L improved (at most
``line_search_max_iter`` tries; none accepted: θ stays). Then the value network, its own
Adam, fits the returns for ``n_critic_updates`` epochs of shuffled ``batch_size`` minibatches.

On-policy: it learns only from its own steps (a person's are not in its rollout).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import torch

from agents import nets
from agents.base import PROBABILITY, Limit
from agents.heads import GaussianHead
from agents.optim import Adam
from agents.policy import NStepActorCritic
from agents.rollout import explained_variance, rollout_problems

KIND = "trpo"


@dataclass(frozen=True)
class TRPOConfig:
    """Hyperparameters of TRPO (sb3-contrib's names). The defaults solve CartPole-v1 within 100k steps."""

    learning_rate: float = 1e-3
    """Adam step size of the value network (the policy steps by the natural gradient)."""
    gamma: float = 0.99
    """Discount factor."""
    gae_lambda: float = 0.98
    """λ of GAE."""
    n_steps: int = 1024
    """Steps collected per update (per env when ``n_envs`` is above 1)."""
    n_envs: int = 1
    """Envs ``train`` collects from side by side (Gymnasium's sync vector env), acting on all
    of them with one forward pass. The app plays one env whatever this says."""
    batch_size: int = 128
    """Steps per minibatch of the value network's fit."""
    n_critic_updates: int = 20
    """Epochs of the value network's fit per update."""
    target_kl: float = 0.01
    """δ: the most mean KL from the rollout's policy a step may take."""
    cg_max_steps: int = 15
    """Conjugate-gradient iterations (Fisher-vector products) per update."""
    cg_damping: float = 0.1
    """Added to the Fisher matrix's diagonal, so conjugate gradient solves a well-posed system."""
    line_search_shrinking_factor: float = 0.8
    """Each backtracking try scales the step by this."""
    line_search_max_iter: int = 10
    """Backtracking tries before the update keeps the old policy."""
    normalize_advantage: bool = True
    """Scale the rollout's advantages to mean 0, std 1."""
    hidden: tuple[int, ...] = (64, 64)
    """Hidden layer sizes of both networks."""
    activation: str = "tanh"
    """``tanh`` or ``relu`` between layers."""
    device: str = "cpu"
    """``cpu`` or ``cuda``."""

    KINDS: ClassVar[tuple[str, ...]] = (KIND,)
    LIMITS: ClassVar[dict[str, Limit]] = {
        "learning_rate": Limit(0.0, 1.0, low_open=True),
        "gamma": PROBABILITY,
        "gae_lambda": PROBABILITY,
        "n_steps": Limit(2, 1_000_000),
        "n_envs": Limit(1, 256),
        "batch_size": Limit(1, 1_000_000),
        "n_critic_updates": Limit(0, 1_000),
        "target_kl": Limit(0.0, 10.0, low_open=True),
        "cg_max_steps": Limit(1, 1_000),
        "cg_damping": Limit(0.0, 1e3),
        "line_search_shrinking_factor": Limit(0.0, 1.0, low_open=True),
        "line_search_max_iter": Limit(1, 1_000),
        "hidden": Limit(1, 4_096, length=(1, 8)),
        "activation": Limit(choices=("tanh", "relu")),
    }

    def problems(self) -> list[str]:
        return rollout_problems(self)


class TRPOAgent(NStepActorCritic):
    """TRPO: a natural-gradient step inside a KL trust region; see the module docstring."""

    kind = KIND

    def __init__(
        self,
        observation: dict[str, Any],
        n_actions: int,
        config: TRPOConfig | None = None,
        seed: int | None = None,
        action: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(observation, n_actions, config or TRPOConfig(), seed, action)
        self.value_optimizer = Adam(self._value_params, lr=self.config.learning_rate)
        self._shuffle = torch.Generator().manual_seed(int(self.rng.integers(2**62)))

    def optimizers(self) -> dict[str, Adam]:
        return {"value_optimizer": self.value_optimizer}

    def learning_rates(self, config: TRPOConfig) -> dict[str, float]:
        return {"value_optimizer": config.learning_rate}

    def update(self, precomputed: tuple[np.ndarray, np.ndarray] | None = None) -> dict[str, float]:
        c = self.config
        advantages, returns = precomputed or self.rollout.advantages(c.gamma, c.gae_lambda)
        self.last_advantage = float(advantages[-1])
        obs, actions, _ = self._batch()
        adv = torch.as_tensor(advantages, dtype=torch.float32, device=self.device)
        if c.normalize_advantage and len(adv) > 1:
            adv = (adv - adv.mean()) / (adv.std() + 1e-8)
        out = {**self._policy_step(obs, actions, adv), **self._fit_value(obs, returns)}
        out["explained_variance"] = explained_variance(np.asarray(self.rollout.values), returns)
        out["learning_rate"] = self.value_optimizer.lr
        if isinstance(self.head, GaussianHead):
            out["std"] = float(self.head.std().mean())
        return out

    def _policy_step(self, obs: torch.Tensor, actions: torch.Tensor, adv: torch.Tensor) -> dict[str, float]:
        """One natural-gradient step on the surrogate L, backtracked into the trust region."""
        c = self.config
        params = self._policy_params
        head = self.head
        with torch.no_grad():  # π_old, held apart from the weights the line search moves
            old_out = self._policy_out(obs)
            old = tuple(t.clone() for t in head.distribution(old_out))
            old_log_probs, _ = head.log_prob_entropy(old_out, actions)

        def surrogate_and_kl() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
            """L(θ) = mean(ρ A), KL̄(θ) and the mean entropy, at the policy's current weights."""
            policy_out = self._policy_out(obs)
            log_probs, entropy = head.log_prob_entropy(policy_out, actions)
            ratio = torch.exp(log_probs - old_log_probs)
            return (ratio * adv).mean(), head.kl(old, head.distribution(policy_out)).mean(), entropy.mean()

        surrogate, kl, entropy = surrogate_and_kl()
        g = _flat(torch.autograd.grad(surrogate, params, retain_graph=True))
        grad_kl = _flat(torch.autograd.grad(kl, params, create_graph=True))

        def fisher_product(v: torch.Tensor) -> torch.Tensor:
            """(F + damping I) v, with F v = ∇_θ (∇_θ KL̄ · v) at θ_old (Pearlmutter's trick)."""
            fv = _flat(torch.autograd.grad(grad_kl @ v, params, retain_graph=True))
            return fv + c.cg_damping * v

        direction = conjugate_gradient(fisher_product, g, c.cg_max_steps)  # x ≈ F⁻¹ g
        quadratic = float(direction @ fisher_product(direction))  # xᵀ F x
        theta_old = _flat(params).detach().clone()
        accepted, new_surrogate, new_kl, tries = False, float(surrogate.detach()), 0.0, 0
        if quadratic > 0 and math.isfinite(quadratic):
            full_step = math.sqrt(2 * c.target_kl / quadratic) * direction
            with torch.no_grad():
                for i in range(c.line_search_max_iter):
                    tries = i + 1
                    _assign(params, theta_old + c.line_search_shrinking_factor**i * full_step)
                    tried, tried_kl, _ = surrogate_and_kl()
                    if float(tried_kl) < c.target_kl and float(tried) > new_surrogate:
                        accepted, new_surrogate, new_kl = True, float(tried), float(tried_kl)
                        break
                if not accepted:
                    _assign(params, theta_old)
        return {
            "policy_objective": new_surrogate,
            "kl_divergence_loss": new_kl,
            "is_line_search_success": float(accepted),
            "line_search_steps": float(tries),
            "entropy": float(entropy.detach()),
        }

    def _fit_value(self, obs: torch.Tensor, returns: np.ndarray) -> dict[str, float]:
        """``n_critic_updates`` epochs of shuffled minibatches of (V(s) − G)², its own Adam."""
        c = self.config
        target = torch.as_tensor(returns, dtype=torch.float32, device=self.device)
        n = len(target)
        size = min(c.batch_size, n)
        losses: list[torch.Tensor] = []
        for _ in range(c.n_critic_updates):
            order = torch.randperm(n, generator=self._shuffle).to(self.device)
            for start in range(0, n, size):  # the last, shorter minibatch too, as SB3's buffer has it
                idx = order[start : start + size]
                value_loss = (self._value_out(obs[idx]) - target[idx]).pow(2).mean()
                grads = torch.autograd.grad(value_loss, self._value_params)
                self.value_optimizer.step(grads)
                losses.append(value_loss.detach())
        return {"value_loss": float(torch.stack(losses).mean())} if losses else {}


def conjugate_gradient(
    product: Callable[[torch.Tensor], torch.Tensor], b: torch.Tensor, max_steps: int, tolerance: float = 1e-10
) -> torch.Tensor:
    """x ≈ A⁻¹ b for a symmetric positive-definite A known only by ``product(v) = A v``
    (Hestenes & Stiefel 1952; Spinning Up's and sb3-contrib's loop), from x = 0, stopping
    after ``max_steps`` products or once the squared residual is below ``tolerance``."""
    x = torch.zeros_like(b)
    r = b.clone()  # the residual b − A x
    p = r.clone()  # the search direction, A-conjugate to the earlier ones
    rr = r @ r
    for _ in range(max_steps):
        if float(rr) < tolerance:
            break
        ap = product(p)
        alpha = rr / (p @ ap)
        x += alpha * p
        r -= alpha * ap
        rr_new = r @ r
        p = r + (rr_new / rr) * p
        rr = rr_new
    return x


def _flat(tensors: Sequence[torch.Tensor]) -> torch.Tensor:
    return torch.cat([t.reshape(-1) for t in tensors])


def _assign(params: Sequence[torch.Tensor], flat: torch.Tensor) -> None:
    """Write a flat vector into the parameters in place (the numpy views acting runs on see it)."""
    with torch.no_grad():
        start = 0
        for p in params:
            p.copy_(flat[start : start + p.numel()].view_as(p))
            start += p.numel()


CONFIG = TRPOConfig
build, restore = nets.registry_hooks(TRPOAgent)
