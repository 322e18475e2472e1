"""Twin Delayed DDPG (Fujimoto et al. 2018) for continuous actions, in PyTorch.

DDPG (:mod:`agents.ddpg`) with the paper's three changes, as Spinning Up, CleanRL and
Stable-Baselines3 write them (in the actions' [-1, 1] units):

1. clipped double-Q learning: twin critics, and the target takes the smaller,
   y = r + γ(1 − terminated) min(Q_1'(s', ã), Q_2'(s', ã)); both critics regress to y;
2. target policy smoothing: ã = clip(μ'(s') + clip(ε, −c, c), −1, 1), ε ~ N(0, σ̃²)
   (σ̃ ``target_policy_noise`` 0.2, c ``target_noise_clip`` 0.5);
3. delayed policy updates: the actor (on −Q_1(s, μ(s))) and the targets' blend every
   ``policy_delay`` (2) critic updates.

Exploration by Gaussian noise on μ(s) (``action_noise`` 0.1), and ``learning_starts`` steps of
uniform random actions first. Off-policy: it learns from a person's moves too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import torch

from agents import nets
from agents.base import Limit
from agents.ddpg import DDPGAgent, DDPGConfig

KIND = "td3"


@dataclass(frozen=True)
class TD3Config(DDPGConfig):
    """Hyperparameters of TD3 (Stable-Baselines3's defaults, with Gaussian action noise of 0.1,
    a smaller buffer and CleanRL's 256x256 networks)."""

    policy_delay: int = 2
    """Critic updates per actor update (and per blend of the targets)."""
    target_policy_noise: float = 0.2
    """σ̃ of the noise on the target's action (target policy smoothing), in [-1, 1] units."""
    target_noise_clip: float = 0.5
    """The target's noise is clipped to ± this."""

    KINDS: ClassVar[tuple[str, ...]] = (KIND,)
    LIMITS: ClassVar[dict[str, Limit]] = {
        **DDPGConfig.LIMITS,
        "policy_delay": Limit(1, 1_000),
        "target_policy_noise": Limit(0.0, 10.0),
        "target_noise_clip": Limit(0.0, 10.0),
    }


class TD3Agent(DDPGAgent):
    """TD3; see the module docstring (and :class:`agents.ddpg.DDPGAgent` for the rest)."""

    kind = KIND
    n_critics = 2
    config: TD3Config

    @classmethod
    def default_config(cls) -> TD3Config:
        return TD3Config()

    def policy_delay(self) -> int:
        return self.config.policy_delay

    def target_action(self, next_obs: torch.Tensor) -> torch.Tensor:
        """ã = clip(μ'(s') + clip(ε, −c, c), −1, 1), ε ~ N(0, σ̃²): target policy smoothing."""
        c = self.config
        mu = nets.forward(self._actor_target_params, next_obs).tanh()
        noise = (torch.randn_like(mu) * c.target_policy_noise).clamp(-c.target_noise_clip, c.target_noise_clip)
        return (mu + noise).clamp(-1.0, 1.0)


CONFIG = TD3Config
build, restore = nets.registry_hooks(TD3Agent)
