"""What every network agent (DQN, REINFORCE, PPO, SAC) does alike, written once.

A kind *declares* what it holds: :meth:`NetworkAgent.networks` (save prefix -> module),
:meth:`NetworkAgent.tensors` (array name -> a learned tensor outside any network: SAC's
log entropy coefficient, a Gaussian policy's log σ), :meth:`NetworkAgent.optimizers` (save
prefix -> :class:`agents.optim.Adam`) and :meth:`NetworkAgent.learning_rates` (which setting
each optimizer steps with). From these the base saves (:meth:`~NetworkAgent.arrays`), loads
(:meth:`~NetworkAgent.load_arrays`, every array checked before torch sees it), moves to
another device and goes on with new settings (:meth:`~NetworkAgent.reconfigure`).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, ClassVar

import numpy as np
import torch
from torch import nn

from agents import nets
from agents.base import AgentBase
from agents.optim import Adam
from agents.torch_setup import require_device


class NetworkAgent(AgentBase):
    """A network agent: its settings as saved, its counters of steps, episodes and updates,
    and its networks, tensors and optimizers as it declares them (see the module docstring)."""

    config: Any
    device: torch.device
    steps: int
    episodes: int
    updates: int
    fixed: ClassVar[tuple[str, ...]] = ("hidden",)
    """Settings that cannot change once trained: the weights are made for them."""
    renamed_arrays: ClassVar[dict[str, str]] = {}
    """Arrays' names in saves from before a rename -> their names now (a prefix ends in a dot)."""

    # --- what a kind declares ------------------------------------------------------------

    def networks(self) -> dict[str, nn.Module]:
        """Its networks by save prefix (their weights are saved as ``{prefix}.{name}``)."""
        raise NotImplementedError

    def tensors(self) -> dict[str, torch.Tensor]:
        """Learned tensors outside its networks, by array name (each is saved whole)."""
        return {}

    def optimizers(self) -> dict[str, Adam]:
        """Its optimizers by save prefix (their state saves as ``{prefix}.{i}.step`` ...)."""
        raise NotImplementedError

    def learning_rates(self, config: Any) -> dict[str, float]:
        """The step size each optimizer takes under ``config``: all ``learning_rate`` unless a
        kind says otherwise (one whose update sets its own, as PPO's anneals, names none)."""
        return {name: config.learning_rate for name in self.optimizers()}

    def _drop_caches(self) -> None:
        """Forget what was computed from the weights where they were (the numpy views acting
        runs on): after a load or a move to another device."""
        self._layers: Any = None

    def _reconfigured(self, old: Any) -> None:
        """What else follows new settings (a kind's loss, its buffer's size ...); ``old``: the
        settings before."""

    # --- written once ---------------------------------------------------------------------

    def config_dict(self) -> dict[str, Any]:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self.config).items()}

    def counters(self) -> dict[str, Any]:
        return {"steps": self.steps, "episodes": self.episodes, "updates": self.updates}

    def _set_counters(self, counters: dict[str, Any]) -> None:
        self.steps = int(counters.get("steps", 0))
        self.episodes = int(counters.get("episodes", 0))
        self.updates = int(counters.get("updates", 0))

    def arrays(self) -> dict[str, np.ndarray]:
        """The networks' weights, the tensors and the optimizers' state (none before a step)."""
        out: dict[str, np.ndarray] = {}
        for prefix, net in self.networks().items():
            out.update(nets.module_arrays(prefix, net))
        for name, tensor in self.tensors().items():
            out[name] = tensor.detach().cpu().numpy().copy()
        for prefix, optimizer in self.optimizers().items():
            out.update(optimizer.arrays(prefix))
        return out

    def load_arrays(self, arrays: dict[str, np.ndarray], counters: dict[str, Any]) -> None:
        """Restore the networks, the tensors, the optimizers' state and the counters. Every
        array is checked (shape, dtype, finite; Adam's second moments not negative) before torch
        sees it: a moment of the wrong shape would corrupt memory in the fused Adam step. What
        is not saved (a replay buffer, a rollout) starts afresh.

        Raises:
            ValueError: a missing, misshapen, damaged or foreign array, in a few words.
        """
        arrays = nets.renamed(arrays, self.renamed_arrays)
        tensors = self.tensors()
        known = tuple(prefix + "." for prefix in (*self.networks(), *self.optimizers()))
        foreign = sorted(k for k in arrays if not k.startswith(known) and k not in tensors)
        if foreign:
            raise ValueError(f"{foreign[0]} is not part of a {self.kind} agent")
        for prefix, net in self.networks().items():
            nets.load_module(arrays, prefix, net)
        for name, tensor in tensors.items():
            tensor.data.copy_(torch.from_numpy(nets.checked(arrays, name, tuple(tensor.shape))))
        for prefix, optimizer in self.optimizers().items():
            nets.load_optimizer(optimizer, arrays, prefix)
        self._set_counters(counters)
        self._drop_caches()

    def to_device(self, device: torch.device) -> None:
        """Move the networks, the tensors and the optimizers' state to ``device``."""
        self.device = device
        for net in self.networks().values():
            net.to(device)
        for tensor in self.tensors().values():
            tensor.data = tensor.data.to(device)
        for optimizer in self.optimizers().values():
            optimizer.to(device)
        self._drop_caches()

    def reconfigure(self, config: Any) -> None:
        """Go on with new settings (on resume): the networks keep their weights and Adam its
        moments; the device and the learning rates follow the new settings.

        Raises:
            ValueError: a change of a :attr:`fixed` setting, or a device this machine does not
                have.
        """
        old = self.config
        for key in self.fixed:
            if getattr(config, key) != getattr(old, key):
                raise ValueError(f"'{key}' cannot change once trained: the networks' weights are made for it.")
        require_device(config.device)
        self.config = config
        if config.device != old.device:
            self.to_device(torch.device(config.device))
        optimizers = self.optimizers()
        for name, lr in self.learning_rates(config).items():
            optimizers[name].lr = lr
        self._reconfigured(old)
