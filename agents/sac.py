"""Soft Actor-Critic (Haarnoja et al. 2018) for continuous actions, in PyTorch.

Spinning Up's recommended off-policy method, as it and Stable-Baselines3 write it:

- a squashed-Gaussian actor: u ~ N(μ(s), σ(s)²), a = tanh(u), scaled to the env's bounds;
  log π(a|s) = log N(u) − Σ log(1 − tanh(u)²) (in the squashed [-1, 1] units);
- twin Q-networks on (s, a) and their target copies, blended with τ after every step;
  the target r + γ(1 − terminated)(min Q'(s', a') − α log π(a'|s')), a' ~ π(·|s'): a time
  limit is not an end, so a truncated step still bootstraps;
- the actor minimises E[α log π(a|s) − min Q(s, a)];
- the entropy coefficient α (``ent_coef``, Stable-Baselines3's name) tuned automatically
  toward a target entropy of −(action dimensions), or fixed;
- a replay buffer, and ``learning_starts`` steps of uniform random actions first (held for
  ``warmup_repeat`` steps each: a slow push explores a hill where a jitter does not).

Off-policy: it learns from a person's moves too (their named action's vector). Acting runs
in numpy on views of the actor's weights; the update calls the layers as functions and
takes gradients with ``autograd.grad`` (see :mod:`agents.nets`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar, cast

import numpy as np
import torch
from torch import nn

from agents import nets
from agents.base import PROBABILITY, STEPS, Limit
from agents.heads import gaussian_log_prob
from agents.offpolicy import ContinuousReplayAgent
from agents.optim import Adam
from agents.torch_setup import configure_torch, require_device

configure_torch()  # one intra-op thread: see agents/torch_setup.py for why

KIND = "sac"
LOG_STD_MIN, LOG_STD_MAX = -20.0, 2.0
"""The actor's log σ is clamped here (as Spinning Up and Stable-Baselines3 do)."""
_QUANTILES = np.array([-1.863, -1.318, -0.967, -0.674, -0.402, -0.150, 0.150, 0.402, 0.674, 0.967, 1.318, 1.863])
"""Twelve evenly spaced quantiles of N(0, 1): the panel's mean and spread of a squashed action
without drawing random numbers (which would change what the agent does next)."""
RENAMED_ARRAYS = {"log_alpha": "log_ent_coef", "alpha_optimizer.": "ent_coef_optimizer."}
"""Arrays' names (a prefix ends in a dot) in saves from before the entropy coefficient was
named ``ent_coef``."""


@dataclass(frozen=True)
class SACConfig:
    """Hyperparameters of SAC (Stable-Baselines3's defaults, with a smaller buffer)."""

    learning_rate: float = 3e-4
    """Adam step size of the actor, the critics and the entropy coefficient."""
    gamma: float = 0.99
    """Discount factor."""
    tau: float = 0.005
    """Target networks move this share toward the critics after every gradient step."""
    buffer_size: int = 300_000
    """Transitions the replay buffer holds (preallocated)."""
    batch_size: int = 256
    """Transitions per gradient step."""
    learning_starts: int = 100
    """Steps of uniform random actions before the first update."""
    warmup_repeat: int = 1
    """Each warm-up action is held for this many steps."""
    train_freq: int = 1
    """Environment steps between updates."""
    gradient_steps: int = 1
    """Gradient steps per update."""
    ent_coef: float = 0.0
    """A fixed entropy coefficient (temperature) α; 0: tuned automatically toward the target
    entropy (Stable-Baselines3's ``ent_coef``; saves before it was renamed call it ``alpha``)."""
    ent_coef_init: float = 1.0
    """The entropy coefficient at the start when it is tuned."""
    target_entropy_per_dim: float = -1.0
    """The tuned entropy coefficient aims at this entropy per action dimension (−1: −dim, Stable-Baselines3's)."""
    hidden: tuple[int, ...] = (256, 256)
    """Hidden layer sizes of the actor and of each critic."""
    device: str = "cpu"
    """``cpu`` or ``cuda``."""

    KINDS: ClassVar[tuple[str, ...]] = (KIND,)
    LIMITS: ClassVar[dict[str, Limit]] = {
        "learning_rate": Limit(0.0, 1.0, low_open=True),
        "gamma": PROBABILITY,
        "tau": Limit(0.0, 1.0, low_open=True),
        "buffer_size": Limit(1, 10_000_000),
        "batch_size": Limit(1, 65_536),
        "learning_starts": STEPS,
        "warmup_repeat": Limit(1, 10_000),
        "train_freq": Limit(1, 1_000_000),
        "gradient_steps": Limit(1, 1_000),
        "ent_coef": Limit(0.0, 1e3),
        "ent_coef_init": Limit(0.0, 1e3, low_open=True),
        "target_entropy_per_dim": Limit(-100.0, 100.0),
        "hidden": Limit(1, 4_096, length=(1, 8)),
    }
    RENAMED: ClassVar[dict[str, str]] = {"alpha": "ent_coef", "alpha_init": "ent_coef_init"}
    """Settings' names in saves before this one's (a tabular agent's step size is its alpha)."""

    def problems(self) -> list[str]:
        """Settings that must agree with each other (and a device this machine has)."""
        return nets.replay_problems(self)


def squashed_log_prob(u: torch.Tensor, mean: torch.Tensor, log_std: torch.Tensor) -> torch.Tensor:
    """log π(tanh(u)|s) per row: the Gaussian's log-density of ``u`` less the log-Jacobian of
    tanh, Σ log(1 − tanh(u)²) = Σ 2(log 2 − u − softplus(−2u)) (Spinning Up's stable form)."""
    gaussian = gaussian_log_prob(u, mean, log_std)
    jacobian = (2.0 * (math.log(2.0) - u - nn.functional.softplus(-2.0 * u))).sum(dim=-1)
    return gaussian - jacobian


class SACAgent(ContinuousReplayAgent):
    """SAC; see the module docstring.

    Args:
        observation: the observation space, as :func:`agents.base.describe_space` gives it.
        n_actions: 0 (its actions are continuous).
        config: hyperparameters.
        seed: seeds the networks' initialisation, exploration and replay sampling.
        action: the action space, a Box as :func:`agents.base.describe_space` gives it.
    """

    kind = KIND
    renamed_arrays = RENAMED_ARRAYS

    def __init__(
        self,
        observation: dict[str, Any],
        n_actions: int = 0,
        config: SACConfig | None = None,
        seed: int | None = None,
        action: dict[str, Any] | None = None,
    ) -> None:
        self.config = c = config or SACConfig()
        require_device(c.device)
        self.device = torch.device(c.device)
        self._box(observation, action, "SAC")
        nets.check_size((self.obs_dim + self.dim, *c.hidden, 2 * self.dim))
        if seed is not None:
            torch.manual_seed(seed)
        self.actor = nets.mlp((self.obs_dim, *c.hidden, 2 * self.dim)).to(self.device)
        self.q1 = nets.mlp((self.obs_dim + self.dim, *c.hidden, 1)).to(self.device)
        self.q2 = nets.mlp((self.obs_dim + self.dim, *c.hidden, 1)).to(self.device)
        self.q1_target = nets.mlp((self.obs_dim + self.dim, *c.hidden, 1)).to(self.device)
        self.q2_target = nets.mlp((self.obs_dim + self.dim, *c.hidden, 1)).to(self.device)
        self.q1_target.load_state_dict(self.q1.state_dict())
        self.q2_target.load_state_dict(self.q2.state_dict())
        self.log_ent_coef = torch.tensor(
            [math.log(c.ent_coef or c.ent_coef_init)], device=self.device, requires_grad=True
        )
        self._actor_params: list[torch.Tensor] = list(self.actor.parameters())
        self._q1_params: list[torch.Tensor] = list(self.q1.parameters())
        self._q2_params: list[torch.Tensor] = list(self.q2.parameters())
        self._q1_target_params: list[torch.Tensor] = list(self.q1_target.parameters())
        self._q2_target_params: list[torch.Tensor] = list(self.q2_target.parameters())
        self._q_params: list[torch.Tensor] = self._q1_params + self._q2_params
        self._target_params: list[torch.Tensor] = self._q1_target_params + self._q2_target_params
        self.actor_optimizer = Adam(self._actor_params, lr=c.learning_rate)
        self.critic_optimizer = Adam(self._q_params, lr=c.learning_rate)
        self.ent_coef_optimizer = Adam([self.log_ent_coef], lr=c.learning_rate)
        self._replay(seed)
        # last_metrics: what the latest update measured (both Q losses, the policy loss, ent_coef, entropy).

    # --- acting ------------------------------------------------------------------------

    @property
    def epsilon(self) -> None:
        """SAC explores by sampling its policy (and by its entropy bonus), not by ε."""
        return None

    @property
    def ent_coef(self) -> float:
        """The entropy coefficient α now (tuned, or the fixed ``ent_coef``)."""
        return float(self.log_ent_coef.detach().exp()) if not self.config.ent_coef else self.config.ent_coef

    @property
    def target_entropy(self) -> float:
        return self.config.target_entropy_per_dim * self.dim

    def _numpy(self) -> dict[str, nets.Layers] | None:
        if self._layers is None:
            layers = {
                name: nets.numpy_layers(net) for name, net in (("actor", self.actor), ("q1", self.q1), ("q2", self.q2))
            }
            self._layers = None if any(v is None for v in layers.values()) else cast(dict[str, nets.Layers], layers)
        return self._layers

    def _actor_out(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(μ, log σ) of the pre-squash Gaussian for feature rows ``x``."""
        layers = self._numpy()
        if layers is not None:
            out = nets.numpy_forward(layers["actor"], x)
        else:
            with torch.no_grad():
                out = self.actor(torch.from_numpy(x).to(self.device)).cpu().numpy()
        mean, log_std = out[..., : self.dim], out[..., self.dim :]
        return mean.astype(np.float64), np.clip(log_std, LOG_STD_MIN, LOG_STD_MAX).astype(np.float64)

    def act_greedy_batch(self, observations: list[Any]) -> list[np.ndarray]:
        """The greedy action for each of several observations, with one pass of the actor."""
        mean, _ = self._actor_out(np.stack([self._features(o) for o in observations]))
        return list(self._to_env(np.tanh(mean)))

    def act(self, obs: Any, explore: bool) -> np.ndarray:
        warmup = self._warmup(explore)
        if warmup is not None:
            return self._to_env(warmup)
        mean, log_std = self._actor_out(self._features(obs))
        if not explore:
            return self._to_env(np.tanh(mean))
        u = mean + np.exp(log_std) * self.rng.standard_normal(self.dim)
        return self._to_env(np.tanh(u))

    def q_curve(self, obs: Any, points: np.ndarray) -> np.ndarray:
        """min(Q1, Q2)(s, a) at ``points`` of the first action dimension (env units), the other
        dimensions at the greedy action's values."""
        x = self._features(obs)
        mean, _ = self._actor_out(x)
        actions = np.tile(np.tanh(mean), (len(points), 1))
        actions[:, 0] = np.clip((np.asarray(points, dtype=np.float64) - self._center[0]) / self._half[0], -1, 1)
        return self._q_min(np.tile(x, (len(points), 1)), actions.astype(np.float32))

    def _q_min(self, x: np.ndarray, unit_actions: np.ndarray) -> np.ndarray:
        inputs = np.concatenate([x, unit_actions], axis=1).astype(np.float32)
        layers = self._numpy()
        if layers is not None:
            q1 = nets.numpy_forward(layers["q1"], inputs)[:, 0]
            q2 = nets.numpy_forward(layers["q2"], inputs)[:, 0]
        else:
            with torch.no_grad():
                t = torch.from_numpy(inputs).to(self.device)
                q1, q2 = self.q1(t)[:, 0].cpu().numpy(), self.q2(t)[:, 0].cpu().numpy()
        return np.minimum(q1, q2).astype(np.float64)

    def action_beliefs(self, obs: Any, points: np.ndarray | None = None) -> dict[str, Any]:
        """The policy's mean and spread per action dimension in env units (of tanh(u), from
        fixed quantiles of u), V(s) as min Q at the greedy action, and with ``points`` (values
        of the first dimension) the curve min Q(s, a) there."""
        x = self._features(obs)
        mean, log_std = self._actor_out(x)
        draws = np.tanh(mean[None, :] + np.exp(log_std)[None, :] * _QUANTILES[:, None])
        spread = self._half * draws
        greedy = np.tanh(mean)
        beliefs: dict[str, Any] = {
            "mean": self._center + self._half * greedy,
            "std": spread.std(axis=0),
            "value": float(self._q_min(x[None], greedy[None].astype(np.float32))[0]),
        }
        if points is not None:
            beliefs["curve"] = self.q_curve(obs, points)
        return beliefs

    # --- learning -------------------------------------------------------------------

    def _sample(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(a in [-1, 1], log π(a|s)) for a batch, reparameterised (gradients flow to the actor)."""
        out = nets.forward(self._actor_params, obs)
        mean, log_std = out[:, : self.dim], out[:, self.dim :].clamp(LOG_STD_MIN, LOG_STD_MAX)
        u = mean + log_std.exp() * torch.randn_like(mean)
        return torch.tanh(u), squashed_log_prob(u, mean, log_std)

    def target(self, rewards: torch.Tensor, next_obs: torch.Tensor, terminated: torch.Tensor) -> torch.Tensor:
        """The critics' target y = r + γ(1 − terminated)(min Q'(s', a') − α log π(a'|s'))."""
        with torch.no_grad():
            next_actions, next_log_prob = self._sample(next_obs)
            inputs = torch.cat((next_obs, next_actions), dim=1)
            q_next = torch.min(
                nets.forward(self._q1_target_params, inputs), nets.forward(self._q2_target_params, inputs)
            ).squeeze(1)
            soft = q_next - self.ent_coef * next_log_prob
            return rewards + self.config.gamma * (1.0 - terminated) * soft

    def update(self) -> dict[str, float]:
        """One gradient step of the entropy coefficient, the critics and the actor on a replay batch, then the
        targets' blend (Stable-Baselines3's order)."""
        c = self.config
        batch = self.buffer.sample(c.batch_size, self.device)
        obs = batch.observations
        actions_pi, log_pi = self._sample(obs)
        ent_coef_loss = None
        if not c.ent_coef:
            ent_coef_loss = -(self.log_ent_coef * (log_pi.detach() + self.target_entropy)).mean()
            (grad,) = torch.autograd.grad(ent_coef_loss, [self.log_ent_coef])
            self.ent_coef_optimizer.step([grad])
        y = self.target(batch.rewards, batch.next_observations, batch.terminated)
        inputs = torch.cat((obs, batch.actions), dim=1)
        q1 = nets.forward(self._q1_params, inputs).squeeze(1)
        q2 = nets.forward(self._q2_params, inputs).squeeze(1)
        q1_loss = 0.5 * (q1 - y).pow(2).mean()
        q2_loss = 0.5 * (q2 - y).pow(2).mean()
        grads = torch.autograd.grad(q1_loss + q2_loss, self._q_params)
        self.critic_optimizer.step(grads)
        pi_inputs = torch.cat((obs, actions_pi), dim=1)
        q_pi = torch.min(nets.forward(self._q1_params, pi_inputs), nets.forward(self._q2_params, pi_inputs)).squeeze(1)
        policy_loss = (self.ent_coef * log_pi - q_pi).mean()
        grads = torch.autograd.grad(policy_loss, self._actor_params)
        self.actor_optimizer.step(grads)
        with torch.no_grad():
            torch._foreach_lerp_(self._target_params, self._q_params, c.tau)
        self.updates += 1
        stats = torch.stack(
            (q1_loss.detach(), q2_loss.detach(), policy_loss.detach(), -log_pi.detach().mean())
        ).tolist()
        out = dict(zip(("q1_loss", "q2_loss", "policy_loss", "entropy"), stats))
        out["critic_loss"] = out["q1_loss"] + out["q2_loss"]  # SB3's ½ Σ MSE of both critics
        out["ent_coef"] = self.ent_coef
        if ent_coef_loss is not None:
            out["ent_coef_loss"] = float(ent_coef_loss.detach())
        return out

    # --- settings and persistence ------------------------------------------------------

    def networks(self) -> dict[str, nn.Module]:
        return {
            "actor": self.actor,
            "q1": self.q1,
            "q2": self.q2,
            "q1_target": self.q1_target,
            "q2_target": self.q2_target,
        }

    def tensors(self) -> dict[str, torch.Tensor]:
        return {"log_ent_coef": self.log_ent_coef}

    def optimizers(self) -> dict[str, Adam]:
        return {
            "actor_optimizer": self.actor_optimizer,
            "critic_optimizer": self.critic_optimizer,
            "ent_coef_optimizer": self.ent_coef_optimizer,
        }


CONFIG = SACConfig
build, restore = nets.registry_hooks(SACAgent)
