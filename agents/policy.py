"""What REINFORCE, PPO and TRPO share: an actor-critic pair of networks learning from its rollout
(:mod:`agents.rollout`: the steps kept, GAE over them).

A policy agent acts by sampling from π(·|s) (greedy: the likeliest action), keeps the
steps of its own rollout, and learns from them in batches: per finished episode or
episodes (REINFORCE), per ``n_steps`` (PPO). It learns only from its own actions, so a
person's steps never enter a rollout: when a person takes over, :meth:`ActorCritic.cut`
ends the rollout's current segment there, bootstrapped from V(s) as a time limit is.

The policy's output goes through a *head* (:mod:`agents.heads`): categorical over discrete
actions, Gaussian over continuous ones. The rest of the agent never asks which.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from agents import nets
from agents.base import Transition
from agents.heads import GaussianHead, make_head
from agents.network import NetworkAgent
from agents.rollout import MAX_ROLLOUT, Rollout, Stream
from agents.rollout import gae as gae  # where the exercises and the tests have found it
from agents.torch_setup import configure_torch, require_device

configure_torch()  # one intra-op thread: see agents/torch_setup.py for why


class ActorCritic(NetworkAgent):
    """A policy network, a value network, acting in numpy and a rollout of its own steps.

    Subclasses set ``kind`` and write :meth:`ready` and :meth:`update`; the config needs
    ``hidden``, ``activation``, ``gamma`` and ``device``.
    """

    kind = "policy"
    learns_from_others = False
    """On-policy: a person's or a demonstration's steps cannot be learned from."""
    fixed = ("hidden", "activation")

    def __init__(
        self,
        observation: dict[str, Any],
        n_actions: int,
        config: Any,
        seed: int | None,
        action: dict[str, Any] | None = None,
    ) -> None:
        self.config = c = config
        require_device(c.device)
        self.device = torch.device(c.device)
        self.observation = observation
        self.n_actions = n_actions
        self.action = action
        """The continuous action space (a Box description), or None for discrete actions."""
        self.head: Any = make_head(n_actions, action)  # categorical or Gaussian, asked alike
        self.continuous = self.head.continuous
        self._features = nets.Features(observation)
        self.obs_dim = self._features.dim
        nets.check_size((self.obs_dim, *c.hidden, self.head.out_features))
        if seed is not None:
            torch.manual_seed(seed)
        self.policy_net = nets.mlp((self.obs_dim, *c.hidden, self.head.out_features), c.activation)
        self.value_net = nets.mlp((self.obs_dim, *c.hidden, 1), c.activation)
        nets.orthogonal_init(self.policy_net, hidden_gain=2**0.5, last_gain=0.01)
        nets.orthogonal_init(self.value_net, hidden_gain=2**0.5, last_gain=1.0)
        self.policy_net.to(self.device)
        self.value_net.to(self.device)
        for p in self.head.parameters():
            p.data = p.data.to(self.device)
        self._policy_params: list[torch.Tensor] = list(self.policy_net.parameters()) + self.head.parameters()
        self._value_params: list[torch.Tensor] = list(self.value_net.parameters())
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
            return (
                nets.numpy_forward(layers[0], x, self.config.activation),
                nets.numpy_forward(layers[1], x, self.config.activation)[:, 0],
            )
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
        beliefs: dict[str, Any] = {"mean": np.asarray(out, dtype=np.float64).copy(), "std": head.std(), "value": value}
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
        self.rollout.add(
            x, action, float(step.reward), log_prob, value, next_value, bool(step.terminated or step.truncated)
        )
        self.steps += 1
        if step.terminated or step.truncated:
            self.episodes += 1
        if self.ready() or len(self.rollout) >= MAX_ROLLOUT:
            metrics = self.update()
            self.rollout.clear()
            self._seen = None  # the weights changed
            self.updates += 1
            self.last_metrics = metrics
            return {**metrics, "log_prob": log_prob}
        return {"log_prob": log_prob}  # π_old(a|s): what the explain view's ratio divides by

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

    def networks(self) -> dict[str, torch.nn.Module]:
        return {"policy": self.policy_net, "value": self.value_net}

    def tensors(self) -> dict[str, torch.Tensor]:
        """A Gaussian policy's log σ (learned beside the network: σ does not depend on s)."""
        return {"policy.log_std": self.head.log_std} if isinstance(self.head, GaussianHead) else {}

    def _drop_caches(self) -> None:
        self._layers = None
        self._seen = None

    def _reconfigured(self, old: Any) -> None:
        self.rollout.clear()

    def load_arrays(self, arrays: dict[str, np.ndarray], counters: dict[str, Any]) -> None:
        """Restore as :meth:`NetworkAgent.load_arrays` does; the rollout in progress is not
        saved: training resumes with a fresh one."""
        if not isinstance(self.head, GaussianHead) and "policy.log_std" in arrays:
            raise ValueError("policy.log_std belongs to a policy over continuous actions, not discrete ones")
        super().load_arrays(arrays, counters)
        self.rollout.clear()


class NStepActorCritic(ActorCritic):
    """An actor-critic that learns every ``n_steps`` of its own steps (PPO, TRPO), from one env
    or, in ``train``, from ``n_envs`` side by side (:meth:`act_batch`, :meth:`observe_batch`).

    Subclasses write :meth:`update` (``precomputed``: the advantages and returns of several
    envs' rollouts, each env's GAE computed on its own); the config needs ``n_steps``,
    ``gae_lambda`` and ``n_envs`` besides what :class:`ActorCritic` needs.
    """

    def __init__(
        self,
        observation: dict[str, Any],
        n_actions: int,
        config: Any,
        seed: int | None,
        action: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(observation, n_actions, config, seed, action)
        self._vector: list[Stream] = []
        """Each env's steps when ``train`` collects from several (:meth:`act_batch`)."""
        self._batch_seen: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        """(features, policy outputs, V) of the last batch acted on."""

    def update(self, precomputed: tuple[np.ndarray, np.ndarray] | None = None) -> dict[str, float]:
        raise NotImplementedError

    def ready(self) -> bool:
        return len(self.rollout) >= self.config.n_steps

    def phase(self) -> str:
        return f"collecting {len(self.rollout)}/{self.config.n_steps}"

    # --- several envs side by side (train only) -------------------------------------------

    def act_batch(self, observations: np.ndarray) -> np.ndarray:
        """Sampled actions for one observation per env (``n_envs`` rows), exploring.

        Also completes the envs' previous steps: V(s') of each is this batch's value of the
        same row (with Gymnasium's next-step autoreset, an env that just ended still shows its
        final observation here, and its action is ignored). When every env has ``n_steps``
        steps, the agent learns first, then acts with the new policy.
        """
        x = np.asarray(observations, dtype=np.float32).reshape(len(observations), -1)
        out, values = self._forward(x)
        streams = self._streams(len(x))
        for i, stream in enumerate(streams):
            if stream.pending:
                stream.next_values[-1] = float(values[i])
                stream.pending = False
        if all(len(stream) >= self.config.n_steps for stream in streams):
            self.last_metrics = self._update_streams(streams)
            self.updates += 1
            out, values = self._forward(x)
        self._batch_seen = (x, out, values)
        return self.head.sample_rows(out, self.rng)

    def observe_batch(self, i: int, step: Transition) -> None:
        """Keep env ``i``'s step (its action from the last :meth:`act_batch`)."""
        assert self._batch_seen is not None, "observe_batch follows act_batch"
        x, out, values = self._batch_seen
        stream = self._vector[i]
        action = self.head.action_of(step.action)
        stream.add(
            x[i],
            action,
            float(step.reward),
            self.head.log_prob(out[i], action),
            float(values[i]),
            0.0,
            bool(step.terminated or step.truncated),
        )
        stream.pending = not step.terminated  # V(s') comes with the next batch
        self.steps += 1
        if step.terminated or step.truncated:
            self.episodes += 1

    def _streams(self, n: int) -> list[Stream]:
        if len(self._vector) != n:
            self._vector = [Stream() for _ in range(n)]
        return self._vector

    def _update_streams(self, streams: list[Stream]) -> dict[str, float]:
        """One update on every env's rollout: GAE per env (each stream's last step bootstraps
        from its V(s')), then minibatches over all of them."""
        merged = self.rollout
        merged.clear()
        advantages = []
        for stream in streams:
            advantages.append(stream.advantages(self.config.gamma, self.config.gae_lambda))
            for name in ("obs", "actions", "rewards", "log_probs", "values", "next_values", "ends"):
                getattr(merged, name).extend(getattr(stream, name))
            stream.clear()
        metrics = self.update(
            precomputed=(np.concatenate([a for a, _ in advantages]), np.concatenate([r for _, r in advantages]))
        )
        merged.clear()
        self._seen = None
        return metrics
