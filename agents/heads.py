"""Policy heads: what turns a policy network's output into π(·|s).

:class:`CategoricalHead` makes logits a distribution over discrete actions;
:class:`GaussianHead` makes means a normal density over continuous ones, with a learned
standard deviation per action dimension. Both answer the same methods (sample, mode,
log-probability and entropy, the rollout's action type), so :mod:`agents.policy` never
asks which it has.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

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

    @staticmethod
    def distribution(out: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """What fixes π(·|s) for a batch's logits (their log-probabilities), for :meth:`kl`."""
        return (torch.log_softmax(out, dim=1),)

    @staticmethod
    def kl(old: tuple[torch.Tensor, ...], new: tuple[torch.Tensor, ...]) -> torch.Tensor:
        """KL(π_old(·|s) ‖ π_new(·|s)) per row: Σ_a π_old(a|s) (log π_old(a|s) − log π_new(a|s))."""
        (old_logp,), (new_logp,) = old, new
        return (old_logp.exp() * (old_logp - new_logp)).sum(dim=1)


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
        entropy = (0.5 + 0.5 * LOG_2PI + log_std).sum().expand(out.shape[0])
        return gaussian_log_prob(actions, out, log_std), entropy

    def distribution(self, out: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """What fixes π(·|s) for a batch's means: (μ, log σ), for :meth:`kl`."""
        return out, self.log_std.expand_as(out)

    @staticmethod
    def kl(old: tuple[torch.Tensor, ...], new: tuple[torch.Tensor, ...]) -> torch.Tensor:
        """KL(N(μ₀, σ₀²) ‖ N(μ₁, σ₁²)) per row, summed over independent dimensions:
        log σ₁/σ₀ + (σ₀² + (μ₀ − μ₁)²) / 2σ₁² − ½."""
        (mu0, log_std0), (mu1, log_std1) = old, new
        var0, var1 = torch.exp(2 * log_std0), torch.exp(2 * log_std1)
        return (log_std1 - log_std0 + (var0 + (mu0 - mu1).pow(2)) / (2 * var1) - 0.5).sum(dim=-1)


def gaussian_log_prob(x: torch.Tensor, mean: torch.Tensor, log_std: torch.Tensor) -> torch.Tensor:
    """log N(x; mean, exp(log_std)²) summed over the last dimension (independent dimensions)."""
    z = (x - mean) * torch.exp(-log_std)
    return (-0.5 * z * z - log_std - 0.5 * LOG_2PI).sum(dim=-1)


def make_head(n_actions: int, action: dict[str, Any] | None) -> CategoricalHead | GaussianHead:
    """The head for an action space: continuous (``action``, a Box) or ``n_actions`` discrete."""
    return GaussianHead(action) if action is not None else CategoricalHead(n_actions)
