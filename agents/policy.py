"""What REINFORCE and PPO share: an actor-critic pair of networks, its rollout, GAE.

A policy agent acts by sampling from π(·|s) (greedy: the likeliest action), keeps the
steps of its own rollout, and learns from them in batches: per finished episode or
episodes (REINFORCE), per ``n_steps`` (PPO). It learns only from its own actions, so a
person's steps never enter a rollout: when a person takes over, :meth:`ActorCritic.cut`
ends the rollout's current segment there, bootstrapped from V(s) as a time limit is.

The policy's output goes through a *head*: :class:`CategoricalHead` turns logits into
π(·|s) over discrete actions, :class:`GaussianHead` means into a normal density over
continuous ones (with a learned standard deviation per action dimension). The rest of the
agent never asks which.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from agents import nets
from agents.base import Transition
from agents.optim import Adam
from agents.torch_setup import configure_torch, require_device

configure_torch()  # one intra-op thread: see agents/torch_setup.py for why

MAX_ROLLOUT = 1_000_000
"""Steps one rollout may hold before an update (REINFORCE waits for whole episodes)."""


LOG_2PI = float(np.log(2 * np.pi))


class CategoricalHead:
    """π(·|s) over ``n`` discrete actions, from ``n`` logits."""

    continuous = False

    def __init__(self, n: int) -> None:
        self.n = n
        self.out_features = n

    @staticmethod
    def parameters() -> list[torch.Tensor]:
        """Parameters of the head's own (besides the policy network's)."""
        return []

    @staticmethod
    def action_of(action: Any) -> int:
        """An action as the rollout keeps it."""
        return int(action)

    @staticmethod
    def action_tensor(actions: list[Any], device: torch.device) -> torch.Tensor:
        return torch.as_tensor(actions, dtype=torch.int64, device=device)

    @staticmethod
    def probabilities(out: np.ndarray) -> np.ndarray:
        """π(·|s) (float64) from logits: one observation's, or a batch's row by row."""
        z = np.asarray(out, dtype=np.float64)
        z = np.exp(z - z.max(axis=-1, keepdims=True))
        return z / z.sum(axis=-1, keepdims=True)

    def sample(self, out: np.ndarray, rng: np.random.Generator) -> int:
        return int(self.sample_rows(np.asarray(out)[None], rng)[0])

    def sample_rows(self, out: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One sampled action per row of a batch's logits."""
        cumulative = self.probabilities(out).cumsum(axis=1)
        draws = rng.random(len(cumulative))[:, None] * cumulative[:, -1:]
        return np.minimum((cumulative <= draws).sum(axis=1), self.n - 1)

    @staticmethod
    def mode(out: np.ndarray) -> int:
        return int(np.argmax(out))

    @staticmethod
    def log_prob(out: np.ndarray, action: int) -> float:
        z = np.asarray(out, dtype=np.float64)
        m = z.max()
        return float(z[action] - m - np.log(np.exp(z - m).sum()))

    @staticmethod
    def log_prob_entropy(out: torch.Tensor, actions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """log π(a|s) of a batch's actions, and each row's entropy."""
        logp_all = torch.log_softmax(out, dim=1)
        entropy = -(logp_all.exp() * logp_all).sum(dim=1)
        return logp_all.gather(1, actions.unsqueeze(1)).squeeze(1), entropy


class GaussianHead:
    """π(·|s) = N(μ(s), σ²) per action dimension: the network gives μ, σ = exp(log σ) is a
    learned parameter per dimension, the same in every state (as PPO usually has it).

    The env clips a sample to its bounds (``NamedActions`` does, or the env itself); the
    rollout keeps the sample as drawn and its log-probability is the Gaussian's, so the
    clipping never biases the gradient (the correction Stable-Baselines3's PPO makes too).
    The greedy action is μ (clipped by the env in turn).
    """

    continuous = True

    def __init__(self, action: dict[str, Any], log_std_init: float = 0.0) -> None:
        self.low = np.asarray(action["low"], dtype=np.float64)
        self.high = np.asarray(action["high"], dtype=np.float64)
        self.dim = self.out_features = len(self.low)
        self.log_std = torch.nn.Parameter(torch.full((self.dim,), float(log_std_init)))

    def parameters(self) -> list[torch.Tensor]:
        return [self.log_std]

    def std(self) -> np.ndarray:
        return np.exp(self.log_std.detach().cpu().numpy().astype(np.float64))

    @staticmethod
    def action_of(action: Any) -> np.ndarray:
        return np.asarray(action, dtype=np.float32).reshape(-1)

    @staticmethod
    def action_tensor(actions: list[Any], device: torch.device) -> torch.Tensor:
        return torch.from_numpy(np.stack(actions).astype(np.float32)).to(device)

    def density(self, out: np.ndarray, points: np.ndarray) -> np.ndarray:
        """π(a|s) of one action dimension's ``points`` (the first dimension's, others marginalised)."""
        mean, std = float(out[0]), float(self.std()[0])
        z = (np.asarray(points, dtype=np.float64) - mean) / std
        return np.exp(-0.5 * z * z) / (std * np.sqrt(2 * np.pi))

    def sample(self, out: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        return self.sample_rows(np.asarray(out)[None], rng)[0]

    def sample_rows(self, out: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One sampled action vector per row of a batch's means."""
        out = np.asarray(out, dtype=np.float64)
        return (out + self.std() * rng.standard_normal(out.shape)).astype(np.float32)

    @staticmethod
    def mode(out: np.ndarray) -> np.ndarray:
        return np.asarray(out, dtype=np.float32).copy()

    def log_prob(self, out: np.ndarray, action: Any) -> float:
        log_std = self.log_std.detach().cpu().numpy().astype(np.float64)
        z = (np.asarray(action, dtype=np.float64).reshape(-1) - np.asarray(out, dtype=np.float64)) / np.exp(log_std)
        return float(np.sum(-0.5 * z * z - log_std - 0.5 * LOG_2PI))

    def log_prob_entropy(self, out: torch.Tensor, actions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """log π(a|s) of a batch's action vectors, and each row's entropy."""
        log_std = self.log_std
        z = (actions - out) * torch.exp(-log_std)
        log_probs = (-0.5 * z * z - log_std - 0.5 * LOG_2PI).sum(dim=1)
        entropy = (0.5 + 0.5 * LOG_2PI + log_std).sum().expand(out.shape[0])
        return log_probs, entropy


def make_head(n_actions: int, action: dict[str, Any] | None) -> CategoricalHead | GaussianHead:
    """The head for an action space: continuous (``action``, a Box) or ``n_actions`` discrete."""
    return GaussianHead(action) if action is not None else CategoricalHead(n_actions)


def gae(rewards: np.ndarray, values: np.ndarray, next_values: np.ndarray, ends: np.ndarray,
        gamma: float, lam: float) -> tuple[np.ndarray, np.ndarray]:
    """Generalised advantage estimates and the returns they imply (Schulman et al. 2016).

    Args:
        rewards: r_t.
        values: V(s_t) when the step was taken.
        next_values: V(s_{t+1}), 0 where the episode truly ended (a time limit, a hand-off or
            the end of the rollout keeps V(s_{t+1}): the state still has value).
        ends: where a segment ends (terminated, truncated, cut): no advantage flows back
            across it.
        lam: λ; 1 gives the reward-to-go minus the baseline (REINFORCE's), 0 the TD error.

    Returns:
        (advantages, returns), returns = advantages + values.
    """
    n = len(rewards)
    advantages = np.zeros(n, dtype=np.float64)
    running = 0.0
    for t in range(n - 1, -1, -1):
        delta = rewards[t] + gamma * next_values[t] - values[t]
        running = delta + (0.0 if ends[t] else gamma * lam * running)
        advantages[t] = running
    return advantages, advantages + values


class Rollout:
    """The steps since the last update, as growing lists (a rollout is short)."""

    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.obs: list[np.ndarray] = []
        self.actions: list[Any] = []
        """Indices, or continuous action vectors as sampled."""
        self.rewards: list[float] = []
        self.log_probs: list[float] = []
        self.values: list[float] = []
        self.next_values: list[float] = []
        self.ends: list[bool] = []

    def __len__(self) -> int:
        return len(self.actions)

    def add(self, x: np.ndarray, action: Any, reward: float, log_prob: float, value: float,
            next_value: float, end: bool) -> None:
        self.obs.append(x)
        self.actions.append(action)
        self.rewards.append(reward)
        self.log_probs.append(log_prob)
        self.values.append(value)
        self.next_values.append(next_value)
        self.ends.append(end)

    def advantages(self, gamma: float, lam: float) -> tuple[np.ndarray, np.ndarray]:
        return gae(np.asarray(self.rewards), np.asarray(self.values), np.asarray(self.next_values),
                   np.asarray(self.ends), gamma, lam)


class ActorCritic(nets.NetworkAgent):
    """A policy network, a value network, acting in numpy and a rollout of its own steps.

    Subclasses set ``kind`` and write :meth:`ready` and :meth:`update`; the config needs
    ``hidden``, ``activation``, ``gamma`` and ``device``.
    """

    kind = "policy"
    learns_from_others = False
    """On-policy: a person's or a demonstration's steps cannot be learned from."""

    def __init__(self, observation: dict[str, Any], n_actions: int, config: Any, seed: int | None,
                 action: dict[str, Any] | None = None) -> None:
        self.config = c = config
        require_device(c.device)
        self.device = torch.device(c.device)
        self.observation = observation
        self.n_actions = n_actions
        self.action = action
        """The continuous action space (a Box description), or None for discrete actions."""
        self.head = make_head(n_actions, action)
        self.continuous = self.head.continuous
        self._features = nets.Features(observation)
        self.obs_dim = self._features.dim
        nets.check_size((self.obs_dim, *c.hidden, self.head.out_features))
        if seed is not None:
            torch.manual_seed(seed)
        self.policy_net = nets.mlp((self.obs_dim, *c.hidden, self.head.out_features), c.activation)
        self.value_net = nets.mlp((self.obs_dim, *c.hidden, 1), c.activation)
        nets.orthogonal_init(self.policy_net, hidden_gain=2 ** 0.5, last_gain=0.01)
        nets.orthogonal_init(self.value_net, hidden_gain=2 ** 0.5, last_gain=1.0)
        self.policy_net.to(self.device)
        self.value_net.to(self.device)
        for p in self.head.parameters():
            p.data = p.data.to(self.device)
        self._policy_params = list(self.policy_net.parameters()) + self.head.parameters()
        self._value_params = list(self.value_net.parameters())
        self._layers: tuple[nets.Layers, nets.Layers] | None = None
        self.rng = np.random.default_rng(seed)
        self.rollout = Rollout()
        self.steps = 0
        self.episodes = 0
        self.updates = 0
        self.last_metrics: dict[str, float] = {}
        """What the latest update measured (losses, entropy, KL …), for the Training panel."""
        self.last_advantage: float | None = None
        """The advantage estimate of the latest step learned from (after an update)."""
        self._seen: tuple[Any, np.ndarray, np.ndarray, float] | None = None

    # --- acting --------------------------------------------------------------------

    @property
    def epsilon(self) -> None:
        """A policy agent explores by sampling π, not by ε."""
        return None

    def _evaluate(self, obs: Any) -> tuple[np.ndarray, np.ndarray, float]:
        """(features, policy output, V(s)) of one observation, remembered by identity: acting
        on s, then learning from s, and later from s as the next step's start, compute it once."""
        seen = self._seen
        if seen is not None and seen[0] is obs:
            return seen[1], seen[2], seen[3]
        x = self._features(obs)
        outs, values = self._forward(x[None])
        out, value = outs[0], float(values[0])
        self._seen = (obs, x, out, value)
        return x, out, value

    def _forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(policy outputs, V) for a batch of feature rows: numpy on the CPU, torch elsewhere."""
        layers = self._numpy_layers()
        if layers is not None:
            return (nets.numpy_forward(layers[0], x, self.config.activation),
                    nets.numpy_forward(layers[1], x, self.config.activation)[:, 0])
        with torch.no_grad():
            t = torch.from_numpy(x).to(self.device)
            return self.policy_net(t).cpu().numpy(), self.value_net(t)[:, 0].cpu().numpy()

    def _numpy_layers(self) -> tuple[nets.Layers, nets.Layers] | None:
        if self._layers is None:
            policy, value = nets.numpy_layers(self.policy_net), nets.numpy_layers(self.value_net)
            self._layers = None if policy is None or value is None else (policy, value)
        return self._layers

    def policy(self, obs: Any) -> tuple[np.ndarray, float]:
        """(π(·|s) as float64, V(s)): what the Policy panel shows (discrete actions)."""
        _, out, value = self._evaluate(obs)
        return self.head.probabilities(out), value

    def action_beliefs(self, obs: Any, points: np.ndarray | None = None) -> dict[str, Any]:
        """For continuous actions: the policy's mean and standard deviation per dimension, V(s),
        and with ``points`` (values of the first dimension) the density π(a|s) there."""
        _, out, value = self._evaluate(obs)
        head = self.head
        assert isinstance(head, GaussianHead)
        beliefs: dict[str, Any] = {"mean": np.asarray(out, dtype=np.float64).copy(), "std": head.std(),
                                   "value": value}
        if points is not None:
            beliefs["curve"] = head.density(out, points)
        return beliefs

    def act_greedy_batch(self, observations: list[Any]) -> list[Any]:
        """The greedy action for each of several observations, with one pass of the policy."""
        x = np.stack([self._features(o) for o in observations])
        layers = self._numpy_layers()
        if layers is not None:
            out = nets.numpy_forward(layers[0], x, self.config.activation)
        else:
            with torch.no_grad():
                out = self.policy_net(torch.from_numpy(x).to(self.device)).cpu().numpy()
        return [self.head.mode(row) for row in out]

    def act(self, obs: Any, explore: bool) -> Any:
        if explore:
            _, out, _ = self._evaluate(obs)
            return self.head.sample(out, self.rng)
        seen = self._seen
        if seen is not None and seen[0] is obs:
            return self.head.mode(seen[2])
        # Greedy (evaluations, most of the steps of a solved env's training run): the policy
        # alone, without the value network or the cache.
        layers = self._numpy_layers()
        if layers is None:
            return self.head.mode(self._evaluate(obs)[1])
        return self.head.mode(nets.numpy_forward(layers[0], self._features(obs), self.config.activation))

    # --- learning ------------------------------------------------------------------

    def observe(self, step: Transition) -> dict[str, float]:
        """Keep one of the agent's own steps; learn when the rollout is complete."""
        x, out, value = self._evaluate(step.obs)
        action = self.head.action_of(step.action)
        log_prob = self.head.log_prob(out, action)
        next_value = 0.0 if step.terminated else self._evaluate(step.next_obs)[2]
        self.rollout.add(x, action, float(step.reward), log_prob, value, next_value,
                         bool(step.terminated or step.truncated))
        self.steps += 1
        if step.terminated or step.truncated:
            self.episodes += 1
        if self.ready() or len(self.rollout) >= MAX_ROLLOUT:
            metrics = self.update()
            self.rollout.clear()
            self._seen = None  # the weights changed
            self.updates += 1
            self.last_metrics = metrics
            return metrics
        return {}

    def cut(self) -> None:
        """End the rollout's current segment here (a person took over): the last step
        bootstraps from V(s'), as a time limit does, and the next one starts afresh."""
        if len(self.rollout):
            self.rollout.ends[-1] = True

    def ready(self) -> bool:
        raise NotImplementedError

    def update(self) -> dict[str, float]:
        raise NotImplementedError

    def phase(self) -> str:
        """Where the agent is in its cycle, for the Policy panel."""
        raise NotImplementedError

    def _batch(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        r = self.rollout
        obs = torch.from_numpy(np.stack(r.obs)).to(self.device)
        actions = self.head.action_tensor(r.actions, self.device)
        old_log_probs = torch.as_tensor(r.log_probs, dtype=torch.float32, device=self.device)
        return obs, actions, old_log_probs

    def _policy_out(self, obs: torch.Tensor) -> torch.Tensor:
        return nets.forward(self._policy_params, obs, self.config.activation)

    def _value_out(self, obs: torch.Tensor) -> torch.Tensor:
        return nets.forward(self._value_params, obs, self.config.activation).squeeze(1)

    # --- settings and persistence ----------------------------------------------------

    def reconfigure(self, config: Any) -> None:
        """Go on with new settings (on resume): the networks keep their weights.

        Raises:
            ValueError: a change of ``hidden`` or ``activation`` (the weights are theirs), or
                a device this machine does not have.
        """
        old = self.config
        for key in ("hidden", "activation"):
            if getattr(config, key) != getattr(old, key):
                raise ValueError(f"'{key}' cannot change once trained: the networks' weights are made for it.")
        require_device(config.device)
        self.config = config
        if config.device != old.device:
            self.device = torch.device(config.device)
            self.policy_net.to(self.device)
            self.value_net.to(self.device)
            for p in self.head.parameters():
                p.data = p.data.to(self.device)
            for optimizer in self._optimizers().values():
                optimizer.to(self.device)
            self._layers = None
            self._seen = None
        self.rollout.clear()

    def _optimizers(self) -> dict[str, Adam]:
        raise NotImplementedError

    def arrays(self) -> dict[str, np.ndarray]:
        out = {**nets.module_arrays("policy", self.policy_net), **nets.module_arrays("value", self.value_net)}
        if isinstance(self.head, GaussianHead):
            out["policy.log_std"] = self.head.log_std.detach().cpu().numpy().copy()
        for prefix, optimizer in self._optimizers().items():
            out.update(optimizer.arrays(prefix))
        return out

    def load_arrays(self, arrays: dict[str, np.ndarray], counters: dict[str, Any]) -> None:
        """Restore the networks, the optimizers' state and the counters, every array checked
        first. The rollout in progress is not saved: training resumes with a fresh one.

        Raises:
            ValueError: a missing, misshapen, damaged or foreign array, in a few words.
        """
        known = ("policy.", "value.", *(prefix + "." for prefix in self._optimizers()))
        foreign = sorted(k for k in arrays if not k.startswith(known))
        if foreign:
            raise ValueError(f"{foreign[0]} is not part of a {self.kind} agent")
        nets.load_module(arrays, "policy", self.policy_net)
        nets.load_module(arrays, "value", self.value_net)
        if isinstance(self.head, GaussianHead):
            log_std = nets.checked(arrays, "policy.log_std", (self.head.dim,))
            self.head.log_std.data.copy_(torch.from_numpy(log_std))
        elif "policy.log_std" in arrays:
            raise ValueError("policy.log_std belongs to a policy over continuous actions, not discrete ones")
        for prefix, optimizer in self._optimizers().items():
            nets.load_optimizer(optimizer, arrays, prefix)
        self._set_counters(counters)
        self.rollout.clear()
        self._seen = None


def explained_variance(predicted: np.ndarray, target: np.ndarray) -> float:
    """1 − Var(target − predicted) / Var(target): 1 is a perfect value function, 0 no better
    than a constant (as Spinning Up and SB3 log it)."""
    var = float(np.var(target))
    return float("nan") if var == 0 else 1.0 - float(np.var(target - predicted)) / var
