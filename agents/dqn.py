"""Deep Q-Network (Mnih et al. 2015) with Double-DQN targets, in PyTorch.

Split into small verbs: :meth:`DQNAgent.act`, :meth:`DQNAgent.observe`,
:meth:`DQNAgent.update` and :meth:`DQNAgent.sync_target`.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import torch
from torch import nn

from agents import nets
from agents.base import Transition
from agents.dqn_config import DQN_KIND, DQNConfig
from agents.network import NetworkAgent
from agents.optim import Adam
from agents.replay import FrameReplay, ReplayBuffer
from agents.schedules import linear_schedule, off_policy_updates
from agents.torch_setup import configure_torch, require_device

configure_torch()  # one intra-op thread: see agents/torch_setup.py for why


class QNetwork(nn.Module):
    """An MLP from observation to one Q-value per action."""

    def __init__(self, obs_dim: int, n_actions: int, hidden: tuple[int, ...]) -> None:
        super().__init__()
        self.net = nets.mlp((obs_dim, *hidden, n_actions))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


_LOSSES = {"huber": nn.functional.smooth_l1_loss, "mse": nn.functional.mse_loss}
MAX_BUFFER_BYTES = 2 * 1024**3
MAX_FRAME_BUFFER_BYTES = 8 * 1024**3
"""Frames may take more: the Nature DQN's million transitions of 84x84 frames are 6.6 GB."""


def target_of(rewards: Any, terminated: Any, gamma: float, target_next: Any, online_next: Any = None) -> Any:
    """DQN's target r + γ(1 − terminated) Q'(s', a*), a* = argmax_a Q(s', a) (Double DQN, given
    the Q-network's ``online_next``) or argmax_a Q'(s', a): rows of torch tensors (an update's
    batch) or numpy arrays (one step's TD, as the app shows it) alike."""
    best = (target_next if online_next is None else online_next).argmax(1)
    chosen: Any
    if isinstance(target_next, torch.Tensor):
        chosen = target_next.gather(1, best.unsqueeze(1)).squeeze(1)
    else:
        chosen = np.take_along_axis(target_next, best[:, None], axis=1)[:, 0]
    return rewards + gamma * (1.0 - terminated) * chosen


def _check_size(features: nets.Features, n_actions: int, c: DQNConfig) -> None:
    """Refuse, in one sentence, a network or buffer that would not fit in memory."""
    if features.frames:
        weights = nets.NatureCNN.parameters_for(features.shape, n_actions, c.hidden)
        if weights > nets.MAX_PARAMETERS:
            raise ValueError(
                f"a network of {weights:,} weights is too big (at most "
                f"{nets.MAX_PARAMETERS:,}): use smaller hidden layers."
            )
        buffer_bytes, most = c.buffer_size * FrameReplay.bytes_per_slot(features.shape), MAX_FRAME_BUFFER_BYTES
    else:
        nets.check_size((features.dim, *c.hidden, n_actions))
        buffer_bytes, most = c.buffer_size * (2 * features.dim * 4 + 16), MAX_BUFFER_BYTES
    if buffer_bytes > most:
        raise ValueError(
            f"a replay buffer of {c.buffer_size:,} transitions would take "
            f"{buffer_bytes / 2**30:,.1f} GB (at most {most // 2**30}): use a smaller buffer_size."
        )


class DQNAgent(NetworkAgent):
    """DQN with a target network, Double-DQN targets and a replay buffer.

    Args:
        observation: the observation space, as :func:`agents.base.describe_space` gives it.
        n_actions: size of the discrete action space.
        config: hyperparameters.
        seed: seeds the network initialisation, exploration and replay sampling.
    """

    _held_n: np.ndarray | None = None
    """Each env's held exploring move's steps left (``act_n``), made for ``n_envs`` rows."""

    kind = DQN_KIND
    exercise: Any = None
    """A learner's target in place of :func:`target_of`, called as it is (``--exercise``:
    agents/exercises/live.py)."""

    def __init__(
        self, observation: dict[str, Any], n_actions: int, config: DQNConfig | None = None, seed: int | None = None
    ) -> None:
        self.config = c = config or DQNConfig()
        require_device(c.device)
        if c.loss not in ("huber", "mse"):
            raise ValueError(f"loss must be huber or mse, not '{c.loss}'.")
        self.device = torch.device(c.device)
        self.observation = observation
        self.n_actions = n_actions
        self._features = nets.Features(observation)
        self.obs_dim = self._features.dim
        self.frames = self._features.frames
        """The observations are stacked frames: a convolutional network and a frame replay."""
        self._check_frames(c)
        _check_size(self._features, n_actions, c)  # before anything is allocated
        if seed is not None:
            torch.manual_seed(seed)
        self.q_network = self._network().to(self.device)
        self.target_network = self._network().to(self.device)
        self.target_network.load_state_dict(self.q_network.state_dict())
        self._params = list(self.q_network.parameters())
        self._target_params: list[torch.Tensor] = list(self.target_network.parameters())
        self.optimizer = Adam(self._params, lr=c.learning_rate)
        self.buffer = self._buffer(seed)
        self.rng = np.random.default_rng(seed)
        self.steps = 0
        self.episodes = 0
        self.updates = 0
        self.track_td = False
        """Report the TD target and error of each observed transition (costs a forward pass)."""
        self._last_batch: tuple[torch.Tensor, torch.Tensor] | None = None
        self._loss_fn = _LOSSES[c.loss]
        self._layers: tuple[nets.Layers | None, nets.Layers | None] | None = None
        """The Q-network's and the target network's weights as numpy views (see :mod:`agents.nets`)."""
        self._held = 0
        """Steps the current exploring action still holds (``explore_repeat``)."""
        self._held_action = 0

    def _check_frames(self, c: DQNConfig) -> None:
        if self.frames and c.n_envs > 1:  # the frame replay keeps one stream of frames
            raise ValueError("frames are learned from one env at a time for now: --envs (n_envs) must be 1.")

    def _network(self) -> nn.Module:
        if self.frames:
            return nets.NatureCNN(self._features.shape, self.n_actions, self.config.hidden)
        return QNetwork(self.obs_dim, self.n_actions, self.config.hidden)

    def _buffer(self, seed: int | None) -> ReplayBuffer | FrameReplay:
        if self.frames:
            return FrameReplay(self.config.buffer_size, self._features.shape, seed)
        return ReplayBuffer(self.config.buffer_size, self.obs_dim, seed)

    def _online(self, x: torch.Tensor) -> torch.Tensor:
        """Q(x, ·) of the Q-network, with gradients (an MLP called as functions: see :mod:`agents.nets`)."""
        return self.q_network(x) if self.frames else nets.forward(self._params, x)

    def _target(self, x: torch.Tensor) -> torch.Tensor:
        return self.target_network(x) if self.frames else nets.forward(self._target_params, x)

    # --- acting --------------------------------------------------------------

    @property
    def epsilon(self) -> float:
        c = self.config
        return linear_schedule(c.epsilon_start, c.epsilon_end, c.epsilon_decay_steps, self.steps)

    def q_values(self, obs: Any) -> np.ndarray:
        return self._q(self._features(obs))

    def _q(self, x: np.ndarray, target: bool = False) -> np.ndarray:
        """Q(x, ·) of the Q-network (or the target network) for one feature row or several, as
        float64 without gradients: numpy on views of the weights on the CPU (a sixth of torch's
        time for one observation, see :mod:`agents.nets`), torch otherwise."""
        if self._layers is None and not self.frames:
            self._layers = (
                nets.numpy_layers(cast(nn.Sequential, self.q_network.net)),
                nets.numpy_layers(cast(nn.Sequential, self.target_network.net)),
            )
        layers = None if self._layers is None else self._layers[target]
        if layers is not None:
            return nets.numpy_forward(layers, x).astype(np.float64)
        one = x.shape == self._features.shape
        with torch.no_grad():
            t = torch.from_numpy(x).to(self.device)
            q = (self.target_network if target else self.q_network)(t.unsqueeze(0) if one else t)
            return (q[0] if one else q).cpu().numpy().astype(np.float64)

    def act_greedy_batch(self, observations: list[Any]) -> list[int]:
        """The greedy action for each of several observations, with one forward pass."""
        q = self._q(np.stack([self._features(o) for o in observations]))
        return [int(a) for a in q.argmax(axis=1)]

    def act(self, obs: Any, explore: bool) -> int:
        if explore and self._held > 0:
            self._held -= 1
            return self._held_action
        if explore and (self.steps < self.config.learning_starts or self.rng.random() < self.epsilon):
            action = int(self.rng.integers(self.n_actions))
            self._held, self._held_action = self.config.explore_repeat - 1, action
            return action
        return int(np.argmax(self.q_values(obs)))

    def act_batch(self, observations: Any) -> np.ndarray:
        """One exploring action per env (``n_envs`` rows), with one forward pass for the
        greedy ones; each env holds its own exploring move (``explore_repeat``)."""
        n = len(observations)
        if self._held_n is None or len(self._held_n) != n:
            self._held_n = np.zeros(n, dtype=np.int64)
            self._held_action_n = np.zeros(n, dtype=np.int64)
        actions = np.asarray(self.act_greedy_batch(list(observations)), dtype=np.int64)
        warm = self.steps < self.config.learning_starts
        for i in range(n):
            if self._held_n[i] > 0:
                self._held_n[i] -= 1
                actions[i] = self._held_action_n[i]
            elif warm or self.rng.random() < self.epsilon:
                actions[i] = self._held_action_n[i] = int(self.rng.integers(self.n_actions))
                self._held_n[i] = self.config.explore_repeat - 1
        return actions

    def observe_batch(self, i: int, step: Transition) -> dict[str, float]:
        """Env ``i``'s step, learned as any other (its held exploring move ends with its episode)."""
        if (step.terminated or step.truncated) and self._held_n is not None:
            self._held_n[i] = 0
        return self.observe(step)

    # --- learning ------------------------------------------------------------

    def observe(self, step: Transition) -> dict[str, float]:
        c = self.config
        metrics: dict[str, float] = {}
        x, x2 = self._features(step.obs), self._features(step.next_obs)
        reward = float(np.sign(step.reward)) if c.clip_reward else step.reward
        if self.track_td:
            metrics.update(self._td(x, step.action, reward, x2, step.terminated))
        # Truncated is not terminal: a time limit does not end the MDP, so we bootstrap.
        self.buffer.add(x, step.action, reward, x2, step.terminated)
        self.steps += 1
        if step.terminated or step.truncated:
            self.episodes += 1
            self._held = 0  # a held exploring move ends with its episode
        for _ in range(off_policy_updates(c, self.steps, self.buffer.size, least=c.batch_size)):
            metrics["loss"] = self.update()
            if self.track_td:
                metrics.update(self.last_batch())
        if c.tau >= 1.0 and self.steps % c.target_update_interval == 0:
            self.sync_target()
        return metrics

    def _td(self, x: np.ndarray, action: int, reward: float, x2: np.ndarray, terminated: bool) -> dict[str, float]:
        """The TD target and error of one transition, by :func:`target_of` as :meth:`update`'s
        (the app asks on every step: numpy on the CPU, as acting does), with the numbers that
        explain it (Q(s,a), a*, Q'(s',a*))."""
        q, q_next = self._q(np.stack([x, x2]))
        target_next = self._q(x2, target=True)[None]
        chooser = q_next[None] if self.config.double_dqn else None
        target = target_of if self.exercise is None else self.exercise
        y = float(target(np.array([reward]), np.array([float(terminated)]), self.config.gamma, target_next, chooser)[0])
        a_star = int((target_next if chooser is None else chooser).argmax(1)[0])
        said = {} if self.exercise is None else self.exercise.said(self.steps + 1)
        return {
            **said,
            "td_target": y,
            "td_error": y - float(q[action]),
            "q_sa": float(q[action]),
            "a_star": a_star,
            "q_target_next": float(target_next[0, a_star]),
            "reward": reward,
        }

    def td_numbers(self, step: Transition) -> dict[str, float]:
        """What :meth:`_td` records for ``step``, with the networks as they are now (changes nothing)."""
        reward = float(np.sign(step.reward)) if self.config.clip_reward else float(step.reward)
        return self._td(self._features(step.obs), step.action, reward, self._features(step.next_obs), step.terminated)

    def last_batch(self) -> dict[str, float]:
        """The last gradient step's batch: its mean target and the gradient's norm before
        clipping (kept as tensors by :meth:`update`, read only when asked)."""
        kept = self._last_batch
        return {} if kept is None else {"batch_target": float(kept[0]), "grad_norm": float(kept[1])}

    def update(self) -> float:
        """One gradient step on a replay batch; returns the loss.

        Written for a small network, where the cost is torch's per-operation overhead rather
        than arithmetic: one forward pass over s and s' together, the layers called as
        functions (not modules), the gradient taken with ``autograd.grad`` (nothing to zero),
        clipped with two fused operations and handed to :class:`agents.optim.Adam`. Together
        a third less time per step than the textbook module-``backward``-``torch.optim``
        version (0.49 against 0.72 ms for two layers of 64 on this project's benchmark
        machine).
        """
        c = self.config
        batch = self.buffer.sample(c.batch_size, self.device)
        n = c.batch_size
        params = self._params
        if self.frames:  # s' with no gradient: a convolution's backward pass is most of the cost
            q_all = self._online(batch.observations)
            with torch.no_grad():
                online_next = self._online(batch.next_observations) if c.double_dqn else None
        else:  # one pass over s and s' together: a small network's cost is per operation
            both = self._online(torch.cat((batch.observations, batch.next_observations)))
            q_all, online_next = both[:n], both[n:]
        with torch.no_grad():
            td_target = (target_of if self.exercise is None else self.exercise)(
                batch.rewards,
                batch.terminated,
                c.gamma,
                self._target(batch.next_observations),
                online_next if c.double_dqn else None,
            )
        q = q_all.gather(1, batch.actions.unsqueeze(1)).squeeze(1)
        loss = self._loss_fn(q, td_target)
        grads = torch.autograd.grad(loss, params)
        norm = nets.clip_grad_norm(grads, c.max_grad_norm)
        if self.track_td:  # the app explains steps: keep what the batch was (no sync here)
            self._last_batch = (td_target.mean(), norm if norm is not None else nets.grad_norm(grads))
        self.optimizer.step(grads)
        self.updates += 1
        if c.tau < 1.0:
            self.sync_target(c.tau)
        return float(loss.detach())

    def sync_target(self, tau: float = 1.0) -> None:
        """Copy (tau = 1) or blend (tau < 1) the Q-network into the target network."""
        with torch.no_grad():
            if tau >= 1.0:
                self.target_network.load_state_dict(self.q_network.state_dict())
                return
            for target, online in zip(self.target_network.parameters(), self.q_network.parameters()):
                target.mul_(1.0 - tau).add_(online, alpha=tau)

    def reconfigure(self, config: DQNConfig) -> None:
        """Go on with new settings (on resume, see :meth:`NetworkAgent.reconfigure`); the loss
        and the buffer follow them too."""
        self._check_frames(config)
        super().reconfigure(config)

    def _reconfigured(self, old: DQNConfig) -> None:
        self._loss_fn = _LOSSES[self.config.loss]
        if self.config.buffer_size != old.buffer_size:
            self.buffer = self._buffer(int(self.rng.integers(2**31)))

    # --- persistence -------------------------------------------------------------

    def networks(self) -> dict[str, nn.Module]:
        return {"q_network": self.q_network, "target_network": self.target_network}

    def optimizers(self) -> dict[str, Adam]:
        return {"optimizer": self.optimizer}


CONFIG = DQNConfig
build, restore = nets.registry_hooks(DQNAgent)
