"""agents.optim.Adam computes what torch.optim.Adam computes, and saves as it does."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch

from agents.optim import Adam


def _net(seed: int) -> torch.nn.Module:
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))


@pytest.mark.parametrize("lr", [1e-3, 3e-2])
def test_matches_torch_adam_step_by_step(lr: float) -> None:
    ours, theirs = _net(0), _net(0)
    mine = Adam(list(ours.parameters()), lr=lr)
    reference = torch.optim.Adam(theirs.parameters(), lr=lr)
    rng = np.random.default_rng(0)
    for _ in range(50):
        x = torch.from_numpy(rng.normal(size=(16, 3)).astype(np.float32))
        loss = ours(x).pow(2).mean()
        mine.step(torch.autograd.grad(loss, list(ours.parameters())))
        reference.zero_grad()
        theirs(x).pow(2).mean().backward()
        reference.step()
        for a, b in zip(ours.parameters(), theirs.parameters()):
            assert torch.allclose(a, b, atol=1e-6, rtol=1e-5)
    state = reference.state_dict()["state"]
    saved = mine.arrays()
    for i, param_state in state.items():
        assert float(saved[f"optimizer.{i}.step"]) == float(param_state["step"]) == 50
        for name in ("exp_avg", "exp_avg_sq"):
            assert np.allclose(saved[f"optimizer.{i}.{name}"], param_state[name].numpy(), atol=1e-7)


def test_load_round_trip_continues_identically() -> None:
    net_a, net_b = _net(1), _net(1)
    a = Adam(list(net_a.parameters()), lr=1e-2)
    x = torch.ones(4, 3)
    for _ in range(5):
        a.step(torch.autograd.grad(net_a(x).sum(), list(net_a.parameters())))
    net_b.load_state_dict(net_a.state_dict())
    b = Adam(list(net_b.parameters()), lr=1e-2)
    assert a.expected().keys() == a.arrays().keys()
    b.load(a.arrays())
    for net, opt in ((net_a, a), (net_b, b)):
        opt.step(torch.autograd.grad(net(x).sum(), list(net.parameters())))
    for p, q in zip(net_a.parameters(), net_b.parameters()):
        assert torch.equal(p, q)


def test_making_a_dqn_does_not_import_the_compiler() -> None:
    """torch.optim imports torch._dynamo (over a second) when an optimizer is made."""
    code = (
        "import sys; from agents.dqn import DQNAgent; "
        "a = DQNAgent({'type': 'Box', 'shape': [4]}, 2, seed=0); "
        "[a.buffer.add([0.0] * 4, 0, 1.0, [0.0] * 4, False) for _ in range(64)]; a.update(); "
        "print('torch._dynamo' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
