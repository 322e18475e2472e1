"""Proximal Policy Optimization (Schulman et al. 2017), clipped surrogate, in PyTorch.

Every ``n_steps`` of its own steps the agent computes GAE(λ) advantages, then runs
``n_epochs`` passes of shuffled minibatches over the rollout: the clipped surrogate
``-min(ρA, clip(ρ, 1-ε, 1+ε)A)`` with advantages normalised per minibatch, a value loss
(optionally clipped around the rollout's values), an entropy bonus, one gradient clip and
one Adam step over both networks. An epoch stops the update early once the approximate KL
to the rollout's policy passes 1.5 × ``target_kl``. With ``anneal_steps`` (``train`` sets
it to the step budget) the learning rate falls linearly to 0 over them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import torch

from agents import nets
from agents.base import PROBABILITY, STEPS, Limit
from agents.nets import clip_grad_norm
from agents.optim import Adam
from agents.policy import NStepActorCritic
from agents.rollout import explained_variance, rollout_problems

KIND = "ppo"


@dataclass(frozen=True)
class PPOConfig:
    """Hyperparameters of PPO. The defaults solve CartPole-v1 within 100k steps."""

    learning_rate: float = 1e-3
    """Adam step size (of both networks)."""
    gamma: float = 0.99
    """Discount factor."""
    gae_lambda: float = 0.95
    """λ of GAE."""
    n_steps: int = 256
    """Steps collected per update (per env when ``n_envs`` is above 1)."""
    n_envs: int = 1
    """Envs ``train`` collects from side by side (Gymnasium's sync vector env), acting on all
    of them with one forward pass. The app plays one env whatever this says."""
    n_epochs: int = 10
    """Passes over the rollout per update."""
    batch_size: int = 64
    """Steps per minibatch."""
    clip_range: float = 0.2
    """ε of the clipped surrogate."""
    clip_range_vf: float = 0.0
    """Clip the value function's change around the rollout's values (0: no clipping)."""
    entropy_coef: float = 0.0
    """Weight of the entropy bonus."""
    value_coef: float = 0.5
    """Weight of the value loss."""
    max_grad_norm: float = 0.5
    """Clip the gradient's global norm to this (0: no clipping)."""
    target_kl: float = 0.0
    """Stop an update's epochs once the approximate KL passes 1.5 × this (0: never)."""
    anneal_steps: int = 0
    """The step at which the learning rate has fallen linearly to 0. 0: ``train`` anneals
    over its step budget (from where a resumed agent stands); the app keeps it constant."""
    normalize_advantage: bool = True
    """Scale each minibatch's advantages to mean 0, std 1."""
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
        "n_steps": Limit(1, 1_000_000),
        "n_envs": Limit(1, 256),
        "n_epochs": Limit(1, 1_000),
        "batch_size": Limit(1, 1_000_000),
        "clip_range": Limit(0.0, 10.0, low_open=True),
        "clip_range_vf": Limit(0.0, 1e9),
        "entropy_coef": Limit(0.0, 1.0),
        "value_coef": Limit(0.0, 1e3),
        "max_grad_norm": Limit(0.0, 1e9),
        "target_kl": Limit(0.0, 10.0),
        "anneal_steps": STEPS,
        "hidden": Limit(1, 4_096, length=(1, 8)),
        "activation": Limit(choices=("tanh", "relu")),
    }

    def problems(self) -> list[str]:
        return rollout_problems(self)


class PPOAgent(NStepActorCritic):
    """PPO with a clipped surrogate; see the module docstring."""

    kind = KIND

    def __init__(
        self,
        observation: dict[str, Any],
        n_actions: int,
        config: PPOConfig | None = None,
        seed: int | None = None,
        action: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(observation, n_actions, config or PPOConfig(), seed, action)
        self.optimizer = Adam(self._policy_params + self._value_params, lr=self.config.learning_rate)
        self._horizon: tuple[int, int] | None = None
        """(first step, steps) of the budget the learning rate anneals over (:meth:`plan`)."""
        self._shuffle = torch.Generator().manual_seed(int(self.rng.integers(2**62)))

    def optimizers(self) -> dict[str, Adam]:
        return {"optimizer": self.optimizer}

    def learning_rates(self, config: PPOConfig) -> dict[str, float]:
        return {}  # each update sets it, annealed (:attr:`learning_rate`)

    def plan(self, total_steps: int) -> None:
        """Anneal the learning rate over a training budget of ``total_steps`` more steps (from
        where the agent stands: a resumed agent anneals over its new budget), unless the
        ``anneal_steps`` setting chose the horizon."""
        self._horizon = (self.steps, total_steps)

    @property
    def learning_rate(self) -> float:
        c = self.config
        start, span = (0, c.anneal_steps) if c.anneal_steps else (self._horizon or (0, 0))
        if span <= 0:
            return c.learning_rate
        return c.learning_rate * max(0.0, 1.0 - (self.steps - start) / span)

    def update(self, precomputed: tuple[np.ndarray, np.ndarray] | None = None) -> dict[str, float]:
        c = self.config
        advantages, returns = precomputed or self.rollout.advantages(c.gamma, c.gae_lambda)
        self.last_advantage = float(advantages[-1])
        obs, actions, old_log_probs = self._batch()
        adv_all = torch.as_tensor(advantages, dtype=torch.float32, device=self.device)
        ret_all = torch.as_tensor(returns, dtype=torch.float32, device=self.device)
        old_values = torch.as_tensor(self.rollout.values, dtype=torch.float32, device=self.device)
        self.optimizer.lr = max(self.learning_rate, 1e-12)
        params = self._policy_params + self._value_params
        n = len(self.rollout)
        size = min(c.batch_size, n)
        names = ("policy_loss", "value_loss", "entropy", "approx_kl", "clip_fraction")
        rows: list[torch.Tensor] = []  # one stacked row per step, read once at the end
        ratios: list[torch.Tensor] = []  # each step's log ratios, for the KL and clip fraction
        epochs = 0
        stopped = False
        if size == n and c.normalize_advantage and n > 1:  # the whole rollout each epoch: normalise once
            adv_all = (adv_all - adv_all.mean()) / (adv_all.std() + 1e-8)
        for _ in range(c.n_epochs):
            if size == n:
                batches: list[torch.Tensor | None] = [None]  # the whole rollout: order does not matter
            else:
                order = torch.randperm(n, generator=self._shuffle).to(self.device)
                batches = [order[start : start + size] for start in range(0, n - size + 1, size)]
            for idx in batches:

                def take(t: torch.Tensor, idx: torch.Tensor | None = idx) -> torch.Tensor:
                    return t if idx is None else t[idx]

                batch_obs = take(obs)
                log_probs, entropy = self.head.log_prob_entropy(self._policy_out(batch_obs), take(actions))
                log_ratio = log_probs - take(old_log_probs)
                ratio = log_ratio.exp()
                if c.target_kl > 0:
                    with torch.no_grad():
                        approx_kl = ((ratio - 1.0) - log_ratio).mean()
                    if float(approx_kl) > 1.5 * c.target_kl:
                        stopped = True
                        break
                adv = take(adv_all)
                if c.normalize_advantage and 1 < size < n:
                    adv = (adv - adv.mean()) / (adv.std() + 1e-8)
                policy_loss = -clipped_surrogate(ratio, adv, c.clip_range).mean()
                values = self._value_out(batch_obs)
                target = take(ret_all)
                if c.clip_range_vf > 0:
                    old = take(old_values)
                    clipped = old + (values - old).clamp(-c.clip_range_vf, c.clip_range_vf)
                    value_loss = torch.max((values - target).pow(2), (clipped - target).pow(2)).mean()
                else:
                    value_loss = (values - target).pow(2).mean()
                entropy_mean = entropy.mean()
                loss = policy_loss + c.value_coef * value_loss
                if c.entropy_coef:  # at 0 the entropy is only reported: no backward pass through it
                    loss = loss - c.entropy_coef * entropy_mean
                grads = torch.autograd.grad(loss, params)
                clip_grad_norm(grads, c.max_grad_norm)
                self.optimizer.step(grads)
                rows.append(torch.stack((policy_loss, value_loss, entropy_mean)).detach())
                ratios.append(log_ratio.detach())
            if stopped:
                break
            epochs += 1
        out = {}
        if rows:  # every gradient step's statistics at once (its minibatches are all one size)
            log_ratio = torch.cat(ratios)
            ratio = log_ratio.exp()
            kl_clip = torch.stack(
                ((ratio - 1.0 - log_ratio).mean(), ((ratio - 1.0).abs() > c.clip_range).float().mean())
            )
            out = dict(zip(names, torch.cat((torch.stack(rows).mean(dim=0), kl_clip)).tolist()))
            # SB3's names: the loss the gradient followed (its mean over the minibatches), and
            # the entropy term as the loss it is (the negative of the entropy).
            out["total_loss"] = out["policy_loss"] + c.value_coef * out["value_loss"] - c.entropy_coef * out["entropy"]
            out["entropy_loss"] = -out["entropy"]
        out["epochs"] = float(epochs)
        out["clip_range"] = c.clip_range
        out["learning_rate"] = self.optimizer.lr
        out["explained_variance"] = explained_variance(np.asarray(self.rollout.values), returns)
        return out


def clipped_surrogate(ratio: torch.Tensor, advantage: torch.Tensor, clip_range: float) -> torch.Tensor:
    """PPO's objective per sample (to be maximised): min(ρA, clip(ρ, 1-ε, 1+ε)A)."""
    return torch.min(ratio * advantage, ratio.clamp(1.0 - clip_range, 1.0 + clip_range) * advantage)


CONFIG = PPOConfig
build, restore = nets.registry_hooks(PPOAgent)
