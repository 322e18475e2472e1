"""Deep Deterministic Policy Gradient (Lillicrap et al. 2016) for continuous actions, in PyTorch.

As Spinning Up, CleanRL and Stable-Baselines3 write it, in the actions' [-1, 1] units:

- a deterministic actor μ(s) = tanh(f(s)), scaled to the env's bounds, and a critic Q(s, a),
  each with a target copy blended toward it with τ after every update (Polyak averaging);
- the critic's target y = r + γ(1 − terminated) Q'(s', μ'(s')): a time limit is not an end, so
  a truncated step still bootstraps; the critic minimises (Q(s, a) − y)²;
- the actor ascends Q(s, μ(s)): it minimises −Q(s, μ(s));
- exploration by noise on μ(s): Gaussian N(0, σ²) by default (Spinning Up's choice), or
  Ornstein-Uhlenbeck noise (the paper's, ``noise=ou``), clipped to the bounds;
- a replay buffer, and ``learning_starts`` steps of uniform random actions first.

TD3 (:mod:`agents.td3`) is this agent with three changes: twin critics, noise on the target's
action, and a delayed actor. Off-policy: it learns from a person's moves too (their named
action's vector). Acting runs in numpy on views of the weights; the update calls the layers as
functions and takes gradients with ``autograd.grad`` (see :mod:`agents.nets`).
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
from agents.offpolicy import ContinuousReplayAgent
from agents.optim import Adam
from agents.torch_setup import configure_torch, require_device

configure_torch()  # one intra-op thread: see agents/torch_setup.py for why

KIND = "ddpg"
NOISES = ("normal", "ou")


@dataclass(frozen=True)
class DDPGConfig:
    """Hyperparameters of DDPG (Stable-Baselines3's defaults, with Gaussian action noise of 0.1,
    a smaller buffer and CleanRL's 256x256 networks)."""

    learning_rate: float = 1e-3
    """Adam step size of the actor and the critics."""
    gamma: float = 0.99
    """Discount factor."""
    tau: float = 0.005
    """Target networks move this share toward theirs after every actor update."""
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
    noise: str = "normal"
    """Exploration noise on μ(s): ``normal`` (Gaussian, independent per step) or ``ou``
    (Ornstein-Uhlenbeck, correlated in time; reset at each episode's start)."""
    action_noise: float = 0.1
    """The exploration noise's σ, in the actions' [-1, 1] units (0: none)."""
    ou_theta: float = 0.15
    """How fast OU noise returns to 0 (per unit of time; a step is ``ou_dt``)."""
    ou_dt: float = 1e-2
    """The OU process's time step (Stable-Baselines3's)."""
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
        "noise": Limit(choices=NOISES),
        "action_noise": Limit(0.0, 10.0),
        "ou_theta": Limit(0.0, 100.0),
        "ou_dt": Limit(0.0, 1.0, low_open=True),
        "hidden": Limit(1, 4_096, length=(1, 8)),
    }

    def problems(self) -> list[str]:
        """Settings that must agree with each other (and a device this machine has)."""
        return nets.replay_problems(self)


class DDPGAgent(ContinuousReplayAgent):
    """DDPG; see the module docstring. :mod:`agents.td3` changes :attr:`n_critics`,
    :meth:`policy_delay` and :meth:`target_action`.

    Args:
        observation: the observation space, as :func:`agents.base.describe_space` gives it.
        n_actions: 0 (its actions are continuous).
        config: hyperparameters.
        seed: seeds the networks' initialisation, exploration and replay sampling.
        action: the action space, a Box as :func:`agents.base.describe_space` gives it.
    """

    kind = KIND
    n_critics: ClassVar[int] = 1
    """Q-networks learned side by side (the target takes their minimum)."""
    config: DDPGConfig

    def __init__(
        self,
        observation: dict[str, Any],
        n_actions: int = 0,
        config: DDPGConfig | None = None,
        seed: int | None = None,
        action: dict[str, Any] | None = None,
    ) -> None:
        self.config = c = config or self.default_config()
        require_device(c.device)
        self.device = torch.device(c.device)
        self._box(observation, action, self.kind.upper())
        nets.check_size((self.obs_dim + self.dim, *c.hidden, 1))
        if seed is not None:
            torch.manual_seed(seed)
        q_sizes = (self.obs_dim + self.dim, *c.hidden, 1)
        self.actor = nets.mlp((self.obs_dim, *c.hidden, self.dim)).to(self.device)
        self.actor_target = nets.mlp((self.obs_dim, *c.hidden, self.dim)).to(self.device)
        self.actor_target.load_state_dict(self.actor.state_dict())
        self.critics = [nets.mlp(q_sizes).to(self.device) for _ in range(self.n_critics)]
        self.critic_targets = [nets.mlp(q_sizes).to(self.device) for _ in range(self.n_critics)]
        for q, q_target in zip(self.critics, self.critic_targets):
            q_target.load_state_dict(q.state_dict())
        self._actor_params: list[torch.Tensor] = list(self.actor.parameters())
        self._actor_target_params: list[torch.Tensor] = list(self.actor_target.parameters())
        self._critic_params = [list(q.parameters()) for q in self.critics]
        self._critic_target_params = [list(q.parameters()) for q in self.critic_targets]
        self._q_params: list[torch.Tensor] = [p for params in self._critic_params for p in params]
        self._sources = self._actor_params + self._q_params
        self._targets = self._actor_target_params + [p for params in self._critic_target_params for p in params]
        self.actor_optimizer = Adam(self._actor_params, lr=c.learning_rate)
        self.critic_optimizer = Adam(self._q_params, lr=c.learning_rate)
        self._replay(seed)
        self._ou = np.zeros(self.dim)
        self._actor_loss = math.nan
        """The latest actor loss (TD3's actor learns every ``policy_delay`` updates)."""

    @classmethod
    def default_config(cls) -> DDPGConfig:
        return DDPGConfig()

    # --- acting ------------------------------------------------------------------------

    @property
    def epsilon(self) -> None:
        """DDPG explores by noise on its action (``action_noise``), not by ε."""
        return None

    def _numpy(self) -> dict[str, nets.Layers] | None:
        if self._layers is None:
            named = {"actor": self.actor, **{f"q{i + 1}": q for i, q in enumerate(self.critics)}}
            layers = {name: nets.numpy_layers(net) for name, net in named.items()}
            self._layers = None if any(v is None for v in layers.values()) else cast(dict[str, nets.Layers], layers)
        return self._layers

    def _mu(self, x: np.ndarray) -> np.ndarray:
        """μ(s) in [-1, 1] units for feature rows ``x``."""
        layers = self._numpy()
        if layers is not None:
            out = nets.numpy_forward(layers["actor"], x)
        else:
            with torch.no_grad():
                out = self.actor(torch.from_numpy(x).to(self.device)).cpu().numpy()
        return np.tanh(out.astype(np.float64))

    def _noise(self) -> np.ndarray:
        """One draw of the exploration noise (unit scale)."""
        c = self.config
        if c.noise == "ou":  # x ← x + θ(0 − x)dt + σ√dt N(0, 1), as Stable-Baselines3's
            self._ou = self._ou - c.ou_theta * self._ou * c.ou_dt
            self._ou += c.action_noise * math.sqrt(c.ou_dt) * self.rng.standard_normal(self.dim)
            return self._ou
        return c.action_noise * self.rng.standard_normal(self.dim)

    def _episode_ended(self) -> None:
        self._ou = np.zeros(self.dim)

    def act_greedy_batch(self, observations: list[Any]) -> list[np.ndarray]:
        """The greedy action μ(s) for each of several observations, with one pass of the actor."""
        return list(self._to_env(self._mu(np.stack([self._features(o) for o in observations]))))

    def act(self, obs: Any, explore: bool) -> np.ndarray:
        warmup = self._warmup(explore)
        if warmup is not None:
            return self._to_env(warmup)
        mu = self._mu(self._features(obs))
        if not explore or not self.config.action_noise:
            return self._to_env(mu)
        return self._to_env(np.clip(mu + self._noise(), -1.0, 1.0))

    def _q_min(self, x: np.ndarray, unit_actions: np.ndarray) -> np.ndarray:
        """min_i Q_i(s, a) per row (Q itself with one critic)."""
        inputs = np.concatenate([x, unit_actions], axis=1).astype(np.float32)
        layers = self._numpy()
        if layers is not None:
            qs = [nets.numpy_forward(layers[f"q{i + 1}"], inputs)[:, 0] for i in range(self.n_critics)]
        else:
            with torch.no_grad():
                t = torch.from_numpy(inputs).to(self.device)
                qs = [q(t)[:, 0].cpu().numpy() for q in self.critics]
        return np.min(np.stack(qs), axis=0).astype(np.float64)

    def q_curve(self, obs: Any, points: np.ndarray) -> np.ndarray:
        """min_i Q_i(s, a) at ``points`` of the first action dimension (env units), the other
        dimensions at μ(s)'s values."""
        x = self._features(obs)
        actions = np.tile(self._mu(x), (len(points), 1))
        actions[:, 0] = np.clip((np.asarray(points, dtype=np.float64) - self._center[0]) / self._half[0], -1, 1)
        return self._q_min(np.tile(x, (len(points), 1)), actions.astype(np.float32))

    def action_beliefs(self, obs: Any, points: np.ndarray | None = None) -> dict[str, Any]:
        """μ(s) per action dimension in env units, the exploration noise's σ there as the spread,
        V(s) as Q(s, μ(s)), and with ``points`` (values of the first dimension) the curve Q(s, a)."""
        x = self._features(obs)
        mu = self._mu(x)
        beliefs: dict[str, Any] = {
            "mean": self._center + self._half * mu,
            "std": self._half * self.config.action_noise,
            "value": float(self._q_min(x[None], mu[None].astype(np.float32))[0]),
        }
        if points is not None:
            beliefs["curve"] = self.q_curve(obs, points)
        return beliefs

    # --- learning -------------------------------------------------------------------

    def policy_delay(self) -> int:
        """Critic updates per actor update (and per blend of the targets)."""
        return 1

    def target_action(self, next_obs: torch.Tensor) -> torch.Tensor:
        """The action the target evaluates at s': μ'(s')."""
        return nets.forward(self._actor_target_params, next_obs).tanh()

    def target(self, rewards: torch.Tensor, next_obs: torch.Tensor, terminated: torch.Tensor) -> torch.Tensor:
        """The critics' target y = r + γ(1 − terminated) min_i Q_i'(s', a'), a' = :meth:`target_action`."""
        with torch.no_grad():
            inputs = torch.cat((next_obs, self.target_action(next_obs)), dim=1)
            q_next = nets.forward(self._critic_target_params[0], inputs)
            for params in self._critic_target_params[1:]:
                q_next = torch.min(q_next, nets.forward(params, inputs))
            return rewards + self.config.gamma * (1.0 - terminated) * q_next.squeeze(1)

    def update(self) -> dict[str, float]:
        """One gradient step of the critics on a replay batch; every :meth:`policy_delay`-th,
        one of the actor on −Q_1(s, μ(s)) and the targets' blend (Stable-Baselines3's order)."""
        c = self.config
        batch = self.buffer.sample(c.batch_size, self.device)
        obs = batch.observations
        y = self.target(batch.rewards, batch.next_observations, batch.terminated)
        inputs = torch.cat((obs, batch.actions), dim=1)
        q_losses = [nn.functional.mse_loss(nets.forward(p, inputs).squeeze(1), y) for p in self._critic_params]
        critic_loss = torch.stack(q_losses).sum()
        grads = torch.autograd.grad(critic_loss, self._q_params)
        self.critic_optimizer.step(grads)
        self.updates += 1
        if self.updates % self.policy_delay() == 0:
            mu = nets.forward(self._actor_params, obs).tanh()
            actor_loss = -nets.forward(self._critic_params[0], torch.cat((obs, mu), dim=1)).mean()
            grads = torch.autograd.grad(actor_loss, self._actor_params)
            self.actor_optimizer.step(grads)
            with torch.no_grad():
                torch._foreach_lerp_(self._targets, self._sources, c.tau)
            self._actor_loss = float(actor_loss.detach())
        stats = torch.stack((*q_losses, critic_loss)).detach().tolist()  # one copy out, not one per value
        out = {f"q{i + 1}_loss": value for i, value in enumerate(stats[:-1])}
        out["critic_loss"] = stats[-1]  # SB3's: Σ MSE of the critics
        if not math.isnan(self._actor_loss):  # none before the actor's first step
            out["actor_loss"] = self._actor_loss
        return out

    # --- persistence --------------------------------------------------------------------

    def networks(self) -> dict[str, nn.Module]:
        out: dict[str, nn.Module] = {"actor": self.actor, "actor_target": self.actor_target}
        for i, (q, q_target) in enumerate(zip(self.critics, self.critic_targets)):
            out[f"q{i + 1}"], out[f"q{i + 1}_target"] = q, q_target
        return out

    def optimizers(self) -> dict[str, Adam]:
        return {"actor_optimizer": self.actor_optimizer, "critic_optimizer": self.critic_optimizer}


CONFIG = DDPGConfig
build, restore = nets.registry_hooks(DDPGAgent)
