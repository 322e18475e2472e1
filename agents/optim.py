"""Adam, as ``torch.optim.Adam`` computes it, without ``torch.optim``.

Two reasons, both measured on this project's 2-core benchmark machine:

- **Start-up.** Constructing any ``torch.optim`` optimizer imports ``torch._dynamo``
  (the compiler stack): 1.2 s, every time a network agent is made. In the app that
  is a pause when a person presses tab; in ``rltui train CartPole-v1`` it was a
  tenth of the whole run.
- **Per step.** A small network's update is mostly per-operation overhead, and
  ``Optimizer.step`` spends about 0.1 ms in Python (hooks, grouping, checks) around
  its kernel. Here a step is that kernel, ``torch._fused_adam_`` (what
  ``torch.optim.Adam(fused=True)`` calls, on the CPU as on CUDA), and the increment of
  its step counters. (Seven ``torch._foreach_*`` calls, the other way torch writes it,
  were half again as slow: on the CPU they loop over the tensors one by one.)

The update is Kingma & Ba's, bias-corrected, as torch writes it (no weight decay,
no AMSGrad); ``tests/test_optim.py`` checks it against ``torch.optim.Adam`` step by
step. Its state saves as ``optimizer.{i}.step``, ``.exp_avg`` and ``.exp_avg_sq`` per
parameter, the names a ``torch.optim`` state dict gives, so files stay readable
both ways.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import torch

MOMENTS = ("exp_avg", "exp_avg_sq")


class Adam:
    """Adam over a fixed list of parameters; :meth:`step` takes their gradients.

    Args:
        params: the tensors to update in place.
        lr: step size (change it at any time through :attr:`lr`).
        betas: decay rates of the first and second moment estimates.
        eps: added to the denominator.
    """

    def __init__(
        self, params: Iterable[torch.Tensor], lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8
    ) -> None:
        self.params = list(params)
        self.lr = lr
        self.beta1, self.beta2 = betas
        self.eps = eps
        self._steps = [torch.zeros((), dtype=torch.float32, device=p.device) for p in self.params]
        self.exp_avg = [torch.zeros_like(p, memory_format=torch.preserve_format) for p in self.params]
        self.exp_avg_sq = [torch.zeros_like(p, memory_format=torch.preserve_format) for p in self.params]

    @property
    def steps(self) -> int:
        """Steps taken (restored with the state)."""
        return int(self._steps[0]) if self._steps else 0

    @torch.no_grad()
    def step(self, grads: Sequence[torch.Tensor]) -> None:
        """One Adam step of every parameter along its gradient."""
        torch._foreach_add_(self._steps, 1)
        torch._fused_adam_(
            self.params,
            list(grads),
            self.exp_avg,
            self.exp_avg_sq,
            [],
            self._steps,
            amsgrad=False,
            lr=self.lr,
            beta1=self.beta1,
            beta2=self.beta2,
            weight_decay=0.0,
            eps=self.eps,
            maximize=False,
            grad_scale=None,
            found_inf=None,
        )

    def to(self, device: torch.device) -> None:
        """Move the state to ``device`` (after the parameters went there)."""
        self._steps = [t.to(device) for t in self._steps]
        self.exp_avg = [m.to(device) for m in self.exp_avg]
        self.exp_avg_sq = [m.to(device) for m in self.exp_avg_sq]

    def arrays(self, prefix: str = "optimizer") -> dict[str, np.ndarray]:
        """The state as arrays named ``{prefix}.{i}.step|exp_avg|exp_avg_sq``; nothing before
        the first step (as a fresh ``torch.optim`` state dict)."""
        if self.steps == 0:
            return {}
        out: dict[str, np.ndarray] = {}
        for i, (n, m, v) in enumerate(zip(self._steps, self.exp_avg, self.exp_avg_sq)):
            out[f"{prefix}.{i}.step"] = np.asarray(float(n), dtype=np.float32)
            out[f"{prefix}.{i}.step"] = np.asarray(float(self.steps), dtype=np.float32)
            out[f"{prefix}.{i}.exp_avg"] = m.detach().cpu().numpy().copy()
            out[f"{prefix}.{i}.exp_avg_sq"] = v.detach().cpu().numpy().copy()
        return out

    def expected(self, prefix: str = "optimizer") -> dict[str, tuple[int, ...]]:
        """Every array :meth:`arrays` writes, with its shape."""
        return {
            f"{prefix}.{i}.{name}": shape
            for i, p in enumerate(self.params)
            for name, shape in (("step", ()), ("exp_avg", tuple(p.shape)), ("exp_avg_sq", tuple(p.shape)))
        }

    def load(self, arrays: dict[str, np.ndarray], prefix: str = "optimizer") -> None:
        """Restore from checked float32 arrays named as :meth:`arrays` names them (the caller
        checks shapes, finiteness and signs first)."""
        device = self.params[0].device if self.params else torch.device("cpu")
        steps = [float(arrays[f"{prefix}.{i}.step"]) for i in range(len(self.params))]
        if any(n < 0 or n != int(n) for n in steps):
            raise ValueError(f"{prefix} step counts must be whole numbers of at least 0")
        self._steps = [torch.tensor(n, dtype=torch.float32, device=device) for n in steps]
        self.exp_avg = [
            torch.from_numpy(np.array(arrays[f"{prefix}.{i}.exp_avg"], dtype=np.float32)).to(device)
            for i in range(len(self.params))
        ]
        self.exp_avg_sq = [
            torch.from_numpy(np.array(arrays[f"{prefix}.{i}.exp_avg_sq"], dtype=np.float32)).to(device)
            for i in range(len(self.params))
        ]
