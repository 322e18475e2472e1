"""Hyperparameters that solve each catalog environment, per agent kind.

``rltui train ENV --agent KIND`` with no flags uses these; ``--set`` overrides
any of them. Budgets are environment steps. The discount γ is not here: it
belongs to the environment (its catalog entry), so that the agent's targets and
the returns the panels show use the same one. Figures measured on a 2-core CPU
machine are in the README's "Agents" section.
"""

from __future__ import annotations

from typing import Any

# Settings shared by the three tabular kinds on an env, then per-kind changes.
TABULAR: dict[str, dict[str, Any]] = {
    # Deterministic: a TD target is exact, so alpha = 1 learns fastest.
    "Taxi-v4": {"alpha": 1.0, "epsilon_decay_steps": 100_000},
    "FrozenLakeNotSlippery-v1": {"alpha": 1.0, "epsilon_decay_steps": 5_000},
    # Slippery lakes: small steps average the noise; a long horizon finds the safe path.
    "FrozenLake-v1": {"alpha": 0.05, "epsilon_decay_steps": 200_000},
    "FrozenLake8x8-v1": {"alpha": 0.1, "epsilon_decay_steps": 500_000},
    "CliffWalking-v1": {"alpha": 0.5, "epsilon_start": 0.5, "epsilon_end": 0.0,
                        "epsilon_decay_steps": 40_000},
    "PortalRescue-v0": {"alpha": 1.0, "epsilon_decay_steps": 150_000},
    "Blackjack-v1": {"alpha": 0.01, "epsilon_end": 0.05,
                     "epsilon_decay_steps": 300_000},
    "CartPole-v1": {"alpha": 0.1, "epsilon_end": 0.01,
                    "epsilon_decay_steps": 300_000, "bins": 8,
                    "low": (-2.4, -3.0, -0.21, -3.5), "high": (2.4, 3.0, 0.21, 3.5)},
    "MountainCar-v0": {"alpha": 0.1, "epsilon_end": 0.01,
                       "epsilon_decay_steps": 300_000, "bins": 20},
    "Acrobot-v1": {"alpha": 0.1, "epsilon_end": 0.01,
                   "epsilon_decay_steps": 300_000, "bins": 6},
    "Pendulum-v1": {"alpha": 0.1, "epsilon_end": 0.01,
                    "epsilon_decay_steps": 300_000, "bins": 12},
}

TABULAR_BUDGET: dict[str, int] = {
    "Taxi-v4": 200_000,
    "FrozenLakeNotSlippery-v1": 10_000,
    "FrozenLake-v1": 300_000,
    "FrozenLake8x8-v1": 1_000_000,
    "CliffWalking-v1": 50_000,
    "PortalRescue-v0": 250_000,
    "Blackjack-v1": 500_000,
    "CartPole-v1": 500_000,
    "MountainCar-v0": 500_000,
    "Acrobot-v1": 500_000,
    "Pendulum-v1": 500_000,
}

DQN: dict[str, dict[str, Any]] = {
    "CartPole-v1": {"learning_rate": 2e-3},
    "Acrobot-v1": {"epsilon_decay_steps": 20_000},
    "MountainCar-v0": {"learning_rate": 4e-3, "epsilon_end": 0.07, "epsilon_decay_steps": 40_000,
                       "buffer_size": 10_000, "hidden": (256, 256), "target_update_interval": 600},
    "LunarLander-v3": {"learning_rate": 6.3e-4, "epsilon_decay_steps": 12_000, "hidden": (256, 256),
                       "buffer_size": 50_000, "target_update_interval": 250},
    "Pendulum-v1": {"epsilon_decay_steps": 20_000},
}

DQN_BUDGET: dict[str, int] = {
    "CartPole-v1": 50_000,
    "Acrobot-v1": 100_000,
    "MountainCar-v0": 120_000,
    "LunarLander-v3": 200_000,
    "Pendulum-v1": 60_000,
}
DEFAULT_BUDGET = 100_000


def defaults_for(env_id: str, kind: str) -> dict[str, Any]:
    """Typed overrides of the agent's config for ``env_id`` (empty: the config's own)."""
    if kind == "dqn":
        return dict(DQN.get(env_id, {}))
    if kind == "value-iteration":
        return {}
    return dict(TABULAR.get(env_id, {}))


def budget_for(env_id: str, kind: str) -> int:
    """Default number of training steps."""
    if kind == "dqn":
        return DQN_BUDGET.get(env_id, DEFAULT_BUDGET)
    if kind == "value-iteration":
        return 0
    return TABULAR_BUDGET.get(env_id, DEFAULT_BUDGET)
