"""Small networks for rltui's torch agents: building them, running them cheaply, saving them.

rltui's networks are small (two layers of 64-256 units) and act one observation at a time,
where torch's per-operation overhead is most of the cost. So each network here is an
``nn.Sequential`` of linear layers for saving and the optimizer, run two cheaper ways:

- :func:`forward` for learning: the layers called as functions over the parameter list,
  without module calls;
- :func:`numpy_forward` for acting: the same product in numpy over views of the weights
  (:func:`numpy_layers`), a sixth of torch's time for one observation (6 against 36-41 µs on
  this project's benchmark machine). Views, not copies: optimizers and ``load_state_dict``
  write the weights in place, so the views always see the current network.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

ACTIVATIONS = ("relu", "tanh")

_TORCH_ACTIVATION = {"relu": torch.relu, "tanh": torch.tanh}
_MODULE_ACTIVATION = {"relu": nn.ReLU, "tanh": nn.Tanh}

MAX_PARAMETERS = 20_000_000
"""Weights of one network (80 MB; with a copy and Adam's moments, 320 MB)."""

Layers = list[tuple[np.ndarray, np.ndarray]]


def mlp(sizes: tuple[int, ...], activation: str = "relu") -> nn.Sequential:
    """Linear layers of ``sizes`` (input first, output last) with ``activation`` between."""
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(_MODULE_ACTIVATION[activation]())
    return nn.Sequential(*layers)


def orthogonal_init(net: nn.Sequential, hidden_gain: float, last_gain: float) -> None:
    """Orthogonal weights and zero biases, as PPO implementations start (hidden layers
    ``hidden_gain``, the output layer ``last_gain``)."""
    linears = [m for m in net if isinstance(m, nn.Linear)]
    for i, layer in enumerate(linears):
        nn.init.orthogonal_(layer.weight, gain=last_gain if i == len(linears) - 1 else hidden_gain)
        nn.init.zeros_(layer.bias)


def check_size(sizes: tuple[int, ...]) -> None:
    """Refuse, in one sentence, a network too big for memory."""
    parameters = sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))
    if parameters > MAX_PARAMETERS:
        raise ValueError(
            f"a network of {parameters:,} weights is too big (at most {MAX_PARAMETERS:,}): use smaller hidden layers."
        )


def forward(params: Sequence[torch.Tensor], x: torch.Tensor, activation: str = "relu") -> torch.Tensor:
    """An :func:`mlp`'s forward pass from its parameter list, without module calls."""
    act = _TORCH_ACTIVATION[activation]
    last = len(params) // 2 - 1
    for i in range(last + 1):
        x = nn.functional.linear(x, params[2 * i], params[2 * i + 1])
        if i < last:
            x = act(x)
    return x


def numpy_layers(net: nn.Sequential) -> Layers | None:
    """The weights of ``net`` as numpy views of the same memory (None off the CPU)."""
    linears = [m for m in net if isinstance(m, nn.Linear)]
    if not linears or linears[0].weight.device.type != "cpu":
        return None
    return [(m.weight.detach().numpy().T, m.bias.detach().numpy()) for m in linears]


def numpy_forward(layers: Layers, x: np.ndarray, activation: str = "relu") -> np.ndarray:
    """The forward pass in numpy (one observation or a batch)."""
    last = len(layers) - 1
    for i, (weight_t, bias) in enumerate(layers):
        x = x @ weight_t + bias
        if i < last:
            if activation == "relu":
                np.maximum(x, 0.0, out=x)
            else:
                np.tanh(x, out=x)
    return x


# --- observations ----------------------------------------------------------------


NATURE_CONV = ((32, 8, 4), (64, 4, 2), (64, 3, 1))
"""The Nature DQN's convolutions: (filters, kernel size, stride) each."""


class NatureCNN(nn.Module):
    """The convolutional Q-network of Mnih et al. (2015), "Human-level control through deep
    reinforcement learning": 32 filters 8x8 stride 4, 64 4x4 stride 2, 64 3x3 stride 1, then
    fully connected layers of ``hidden`` (512 in the paper) and one output per action. It takes
    uint8 frames (batch, channels, height, width) and scales them to [0, 1] itself, so replay
    keeps frames as bytes.
    """

    def __init__(self, shape: tuple[int, int, int], n_actions: int, hidden: tuple[int, ...]) -> None:
        super().__init__()
        channels, height, width = shape
        if height < 36 or width < 36:
            raise ValueError(
                f"frames of {height}x{width} are too small for the convolutional network (at least 36x36)."
            )
        layers: list[nn.Module] = []
        for filters, kernel, stride in NATURE_CONV:
            layers += [nn.Conv2d(channels, filters, kernel, stride=stride), nn.ReLU()]
            channels = filters
        self.conv = nn.Sequential(*layers, nn.Flatten())
        self.head = mlp((NatureCNN.flat_size(shape), *hidden, n_actions))
        # Channels last: oneDNN's convolutions run a quarter faster on the CPU in that layout
        # (34 against 45 ms for a batch of 64 forward and back, on this project's benchmark
        # machine). Loading weights copies into these tensors and keeps their layout.
        self.conv.to(memory_format=torch.channels_last)  # type: ignore[call-overload]  # torch's stubs lack it

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        x = (frames.float() / 255.0).contiguous(memory_format=torch.channels_last)
        return self.head(self.conv(x))

    @staticmethod
    def flat_size(shape: tuple[int, int, int]) -> int:
        """Values the convolutions give the fully connected layers for frames of ``shape``."""
        _, height, width = shape
        for _, kernel, stride in NATURE_CONV:
            height, width = (height - kernel) // stride + 1, (width - kernel) // stride + 1
        return NATURE_CONV[-1][0] * height * width

    @staticmethod
    def parameters_for(shape: tuple[int, int, int], n_actions: int, hidden: tuple[int, ...]) -> int:
        """Weights of a network of this shape, before any is allocated."""
        count, channels = 0, shape[0]
        for filters, kernel, _ in NATURE_CONV:
            count += (channels * kernel * kernel + 1) * filters
            channels = filters
        sizes = (NatureCNN.flat_size(shape), *hidden, n_actions)
        return count + sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))


def flat_dim(observation: dict[str, Any]) -> int:
    """Inputs a network needs for an observation space (as ``describe_space`` gives it)."""
    if observation["type"] == "Box":
        return int(np.prod(observation["shape"]))
    if observation["type"] == "Discrete":
        return int(observation["n"])  # one-hot
    if observation["type"] == "Tuple":
        return len(observation["spaces"])
    raise ValueError(f"a network does not handle {observation['type']} observations.")


class Features:
    """Observation -> float32 input vector: a Box flattened, a Discrete one-hot, a Tuple as is;
    stacked frames stay uint8 frames, for a convolutional network."""

    def __init__(self, observation: dict[str, Any]) -> None:
        from agents.base import is_frames

        self.dim = flat_dim(observation)
        self.one_hot = observation["type"] == "Discrete"
        self.frames = is_frames(observation)
        self.shape = tuple(observation["shape"]) if self.frames else (self.dim,)

    def __call__(self, obs: Any) -> np.ndarray:
        if self.frames:
            return np.asarray(obs, dtype=np.uint8).reshape(self.shape)
        if self.one_hot:
            x = np.zeros(self.dim, dtype=np.float32)
            x[int(obs)] = 1.0
            return x
        return np.asarray(obs, dtype=np.float32).reshape(-1)


# --- saving ----------------------------------------------------------------------


def module_arrays(prefix: str, net: nn.Module) -> dict[str, np.ndarray]:
    """``net``'s weights as arrays named ``{prefix}.{name}``."""
    return {f"{prefix}.{name}": tensor.detach().cpu().numpy().copy() for name, tensor in net.state_dict().items()}


def renamed(arrays: dict[str, np.ndarray], names: dict[str, str]) -> dict[str, np.ndarray]:
    """``arrays`` with the old names in ``names`` given their new ones (an old name ending in a
    dot renames every array it begins), so a save from before a rename still loads."""
    if not names:
        return arrays
    out = {}
    for key, value in arrays.items():
        for old, new in names.items():
            if key == old or (old.endswith(".") and key.startswith(old)):
                key = new + key[len(old) :]
                break
        out[key] = value
    return out


def load_module(arrays: dict[str, np.ndarray], prefix: str, net: nn.Module) -> None:
    """Restore ``net`` from arrays named ``{prefix}.{name}``, each checked first (see :func:`checked`).

    Raises:
        ValueError: a missing, misshapen or non-finite array, in a few words.
    """
    loaded = {}
    for name, tensor in net.state_dict().items():
        key = f"{prefix}.{name}"
        loaded[name] = torch.from_numpy(checked(arrays, key, tuple(tensor.shape))).to(tensor.device)
    net.load_state_dict(loaded)


def load_optimizer(optimizer: Any, arrays: dict[str, np.ndarray], prefix: str = "optimizer") -> None:
    """Restore an :class:`agents.optim.Adam` from its arrays, if the save has them (a save made
    before the first update has none). Every array is checked (shape, dtype, finite, second
    moments not negative) before torch sees it.

    Raises:
        ValueError: an array missing, misshapen, damaged or not part of this optimizer.
    """
    from agents.files import short

    expected = optimizer.expected(prefix)
    given = {key for key in arrays if key.startswith(prefix + ".")}
    if given - set(expected):
        raise ValueError(f"{short(sorted(given - set(expected))[0])} is not part of this network's optimizer")
    if not given:
        return
    if given != set(expected):
        raise ValueError(f"{sorted(set(expected) - given)[0]} is missing")
    values = {key: checked(arrays, key, shape) for key, shape in expected.items()}
    for key, value in values.items():
        if key.endswith("exp_avg_sq") and (value < 0).any():
            raise ValueError(f"{key} has negative values")
    optimizer.load(values, prefix)


def checked(arrays: dict[str, np.ndarray], key: str, shape: tuple[int, ...]) -> np.ndarray:
    """``arrays[key]`` as float32 of ``shape``, all finite, or ValueError."""
    if key not in arrays:
        raise ValueError(f"{key} is missing")
    value = arrays[key]
    if shape == () and tuple(value.shape) == (1,):
        value = value.reshape(())  # safetensors keeps a scalar as one element
    if tuple(value.shape) != shape:
        raise ValueError(f"{key} has shape {tuple(value.shape)}, not {shape}")
    if value.dtype.kind != "f":
        raise ValueError(f"{key} is not floating point")
    if not np.isfinite(value).all():
        raise ValueError(f"{key} holds values that are not finite numbers")
    if (np.abs(value) > MAX_WEIGHT).any():
        raise ValueError(f"{key} holds values beyond ±{MAX_WEIGHT:.0e}, which no trained network has")
    return np.array(value, dtype=np.float32)


MAX_WEIGHT = 1e18
"""The largest magnitude a saved network's array may hold (weights, Adam's moments, its step
count): a trained one stays far below, and 3e38, finite as each is, overflows a forward pass."""


def registry_hooks(agent_class: Any) -> tuple[Any, Any]:
    """``build`` and ``restore`` (see :mod:`agents.registry`) for an agent class made as
    ``agent_class(observation, n_actions, config, seed=...)`` with ``load_arrays``; a
    continuous action space (a Box description) is passed as ``action=`` when there is one."""

    def build(kind: str, space: Any, env: Any, config: Any, seed: int | None) -> Any:
        """A fresh agent (see :mod:`agents.registry`)."""
        extra = {} if space.action is None else {"action": space.action}
        return agent_class(space.observation, space.n_actions, config, seed=seed, **extra)

    def restore(kind: str, meta: dict[str, Any], arrays: dict[str, np.ndarray], config: Any) -> Any:
        """A saved agent with its optimizers' state (see :mod:`agents.registry`)."""
        action = meta.get("action_space")
        extra = {} if action is None else {"action": action}
        agent = agent_class(meta["observation_space"], int(meta["n_actions"]), config, **extra)
        agent.load_arrays(arrays, meta["counters"])
        return agent

    return build, restore


def replay_problems(config: Any) -> list[str]:
    """A replay agent's settings that must agree (a batch within the buffer), and its device."""
    from agents.torch_setup import device_problem

    out = []
    if config.batch_size > config.buffer_size:
        out.append(
            f"Setting 'batch_size' ({config.batch_size}) cannot exceed 'buffer_size' "
            f"({config.buffer_size}): a batch is drawn from the buffer."
        )
    problem = device_problem(config.device)
    if problem is not None:
        out.append(problem)
    return out


def grad_norm(grads: tuple[torch.Tensor, ...] | list[torch.Tensor]) -> torch.Tensor:
    """The global norm of ``grads`` (as :func:`clip_grad_norm` measures it), a tensor."""
    return torch.linalg.vector_norm(torch.stack(torch._foreach_norm(grads)))


def clip_grad_norm(grads: tuple[torch.Tensor, ...] | list[torch.Tensor], max_norm: float) -> torch.Tensor | None:
    """Scale ``grads`` in place so their global norm is at most ``max_norm`` (as
    ``torch.nn.utils.clip_grad_norm_`` does; 0: no clipping); the norm before clipping, as a
    tensor (None when not clipping: nothing measured it)."""
    if max_norm > 0:
        total = grad_norm(grads)
        torch._foreach_mul_(grads, torch.clamp(max_norm / (total + 1e-6), max=1.0))
        return total
    return None
