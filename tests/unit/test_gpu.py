"""`--device cuda`: DQN (both networks) and PPO learn on a GPU where there is one; skipped here
otherwise (this project's machines have none)."""

from __future__ import annotations

import pytest
import torch

from rltui.envs import catalog
from rltui.training.agent_factory import make_agent_for
from rltui.training.loop import train

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU on this machine")


@pytest.mark.parametrize("kind", ["dqn", "ppo"])
def test_a_network_agent_trains_on_the_gpu(kind: str) -> None:
    entry = catalog.resolve("CartPole-v1")
    agent = make_agent_for(
        entry,
        kind,
        {"device": "cuda", "learning_starts": "100"} if kind == "dqn" else {"device": "cuda", "n_steps": "128"},
        seed=0,
    )
    result = train(agent, entry, steps=2_000, seed=0, eval_every=1_000, eval_episodes=2, final_eval_episodes=2)
    assert result.steps == 2_000 and result.eval_return_mean is not None
    assert next(iter(agent.arrays().values())).dtype.kind == "f"  # saved from the GPU to numpy


def test_the_atari_dqn_updates_on_the_gpu() -> None:
    pytest.importorskip("ale_py")
    entry = catalog.resolve("ALE/Pong-v5")
    agent = make_agent_for(entry, "dqn", {"device": "cuda", "learning_starts": "64", "buffer_size": "1000"}, seed=0)
    result = train(agent, entry, steps=300, seed=0, eval_every=10**9, final_eval_episodes=1)
    assert result.steps == 300 and agent.updates > 0
