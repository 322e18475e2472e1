"""REINFORCE with reward-to-go and a learned value baseline (Spinning Up's "VPG").

After every ``episodes_per_update`` finished episodes the policy takes one gradient step
on ``-mean(log π(a_t|s_t) · A_t)``, where ``A_t = G_t - V(s_t)`` is the reward-to-go minus
the baseline (``gae_lambda`` below 1 trades variance for bias, as Spinning Up's VPG does
with 0.97), and the value network fits the returns with ``value_iterations`` steps of its
own. A time-limit cut (or a person taking over) bootstraps G from V(s'); a true end does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import torch

from agents import nets
from agents.base import PROBABILITY, Limit
from agents.nets import clip_grad_norm
from agents.optim import Adam
from agents.policy import ActorCritic
from agents.rollout import explained_variance

KIND = "reinforce"


@dataclass(frozen=True)
class ReinforceConfig:
    """Hyperparameters of REINFORCE (VPG). The defaults solve CartPole-v1."""

    policy_lr: float = 3e-3
    """Adam step size of the policy."""
    value_lr: float = 1e-2
    """Adam step size of the value network."""
    gamma: float = 0.99
    """Discount factor."""
    gae_lambda: float = 1.0
    """λ of the advantage estimate: 1 is the reward-to-go minus V(s) (plain REINFORCE with a
    baseline); below 1, GAE."""
    episodes_per_update: int = 2
    """Finished episodes per policy update."""
    min_steps_per_update: int = 64
    """An update also waits for this many steps: where an episode is a step or two (a hand
    of Blackjack), an update per two episodes would be an update per three steps."""
    value_iterations: int = 20
    """Gradient steps of the value network per update (on the whole batch)."""
    normalize_advantage: bool = True
    """Scale the batch's advantages to mean 0, std 1."""
    entropy_coef: float = 0.0
    """Weight of the entropy bonus in the policy loss."""
    max_grad_norm: float = 0.5
    """Clip each network's gradient norm to this (0: no clipping)."""
    hidden: tuple[int, ...] = (64, 64)
    """Hidden layer sizes of both networks."""
    activation: str = "tanh"
    """``tanh`` or ``relu`` between layers."""
    device: str = "cpu"
    """``cpu`` or ``cuda``."""

    KINDS: ClassVar[tuple[str, ...]] = (KIND,)
    LIMITS: ClassVar[dict[str, Limit]] = {
        "policy_lr": Limit(0.0, 1.0, low_open=True),
        "value_lr": Limit(0.0, 1.0, low_open=True),
        "gamma": PROBABILITY,
        "gae_lambda": PROBABILITY,
        "episodes_per_update": Limit(1, 10_000),
        "min_steps_per_update": Limit(1, 1_000_000),
        "value_iterations": Limit(0, 10_000),
        "entropy_coef": Limit(0.0, 1.0),
        "max_grad_norm": Limit(0.0, 1e9),
        "hidden": Limit(1, 4_096, length=(1, 8)),
        "activation": Limit(choices=("tanh", "relu")),
    }

    def problems(self) -> list[str]:
        from agents.torch_setup import device_problem

        problem = device_problem(self.device)
        return [] if problem is None else [problem]


class ReinforceAgent(ActorCritic):
    """REINFORCE with a value baseline; see the module docstring."""

    kind = KIND

    def __init__(
        self,
        observation: dict[str, Any],
        n_actions: int,
        config: ReinforceConfig | None = None,
        seed: int | None = None,
        action: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(observation, n_actions, config or ReinforceConfig(), seed, action)
        self.policy_optimizer = Adam(self._policy_params, lr=self.config.policy_lr)
        self.value_optimizer = Adam(self._value_params, lr=self.config.value_lr)
        self._episodes_in_rollout = 0

    def optimizers(self) -> dict[str, Adam]:
        return {"policy_optimizer": self.policy_optimizer, "value_optimizer": self.value_optimizer}

    def learning_rates(self, config: ReinforceConfig) -> dict[str, float]:
        return {"policy_optimizer": config.policy_lr, "value_optimizer": config.value_lr}

    def _reconfigured(self, old: ReinforceConfig) -> None:
        super()._reconfigured(old)
        self._episodes_in_rollout = 0

    def observe(self, step: Any) -> dict[str, float]:
        if step.terminated or step.truncated:
            self._episodes_in_rollout += 1
        return super().observe(step)

    def ready(self) -> bool:
        c = self.config
        return (
            self._episodes_in_rollout >= c.episodes_per_update
            and len(self.rollout) >= c.min_steps_per_update
            and self.rollout.ends[-1]
        )

    def phase(self) -> str:
        c = self.config
        if self._episodes_in_rollout >= c.episodes_per_update:
            return f"collecting {len(self.rollout)}/{c.min_steps_per_update} steps"
        return f"collecting episode {self._episodes_in_rollout + 1}/{c.episodes_per_update}"

    def update(self) -> dict[str, float]:
        c = self.config
        self._episodes_in_rollout = 0
        advantages, returns = self.rollout.advantages(c.gamma, c.gae_lambda)
        self.last_advantage = float(advantages[-1])
        obs, actions, old_log_probs = self._batch()
        adv = torch.as_tensor(advantages, dtype=torch.float32, device=self.device)
        if c.normalize_advantage and len(adv) > 1:
            adv = (adv - adv.mean()) / (adv.std() + 1e-8)
        out = self._policy_out(obs)
        log_probs, entropy = self.head.log_prob_entropy(out, actions)
        policy_loss = -(log_probs * adv).mean() - c.entropy_coef * entropy.mean()
        grads = torch.autograd.grad(policy_loss, self._policy_params)
        clip_grad_norm(grads, c.max_grad_norm)
        self.policy_optimizer.step(grads)
        target = torch.as_tensor(returns, dtype=torch.float32, device=self.device)
        value_loss = torch.zeros(())
        for _ in range(c.value_iterations):
            value_loss = (self._value_out(obs) - target).pow(2).mean()
            grads = torch.autograd.grad(value_loss, self._value_params)
            clip_grad_norm(grads, c.max_grad_norm)
            self.value_optimizer.step(grads)
        with torch.no_grad():
            new_log_probs, _ = self.head.log_prob_entropy(self._policy_out(obs), actions)
            approx_kl = float((old_log_probs - new_log_probs).mean())
        return {
            "policy_loss": float(policy_loss.detach()),
            "value_loss": float(value_loss.detach()),
            "entropy": float(entropy.mean().detach()),
            "approx_kl": approx_kl,
            "explained_variance": explained_variance(np.asarray(self.rollout.values), returns),
            "batch_steps": float(len(self.rollout)),
        }


CONFIG = ReinforceConfig
build, restore = nets.registry_hooks(ReinforceAgent)
