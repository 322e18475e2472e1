"""The built-in agent kinds, one :class:`~agents.kind_spec.KindSpec` each (a plugin adds its
own with :func:`agents.registry.register`)."""

from __future__ import annotations

from types import MappingProxyType

from agents import search
from agents.kind_spec import KindSpec

_TABLE_SHAPE = frozenset({"bins", "low", "high", "coding", "tilings", "tiles"})
"""A tabular agent's table: how observations are binned or tile-coded."""
_NET_SHAPE = frozenset({"hidden", "activation"})
"""A network agent's layers."""
BUILT_IN: tuple[KindSpec, ...] = (
    KindSpec(
        "q-learning",
        "agents.tabular",
        "tabular",
        "Q-learning: off-policy TD control, target r + γ max Q(s',·)",
        off_policy=True,
        space=search.TABULAR,
        shape_keys=_TABLE_SHAPE,
    ),
    KindSpec(
        "sarsa",
        "agents.tabular",
        "tabular",
        "SARSA: on-policy TD control, target r + γ Q(s',a')",
        off_policy=False,
        space=search.TABULAR,
        shape_keys=_TABLE_SHAPE,
    ),
    KindSpec(
        "expected-sarsa",
        "agents.tabular",
        "tabular",
        "Expected SARSA: target r + γ E_π[Q(s',·)]",
        off_policy=True,
        space=search.TABULAR,
        shape_keys=_TABLE_SHAPE,
    ),
    KindSpec(
        "value-iteration",
        "agents.value_iteration",
        "value-iteration",
        "Value iteration: Q* from the env's model P (no learning needed)",
        off_policy=False,
        needs_model=True,
        learns=False,
    ),
    KindSpec(
        "policy-iteration",
        "agents.value_iteration",
        "value-iteration",
        "Policy iteration: evaluate π, improve it, until it is stable (from the model P)",
        off_policy=False,
        needs_model=True,
        learns=False,
    ),
    KindSpec(
        "dqn",
        "agents.dqn",
        "dqn",
        "DQN: a neural Q-network with replay and a target network",
        off_policy=True,
        uses_torch=True,
        frames=True,
        space=search.DQN,
        shape_keys=_NET_SHAPE,
        n_envs=True,
    ),
    KindSpec(
        "reinforce",
        "agents.reinforce",
        "reinforce",
        "REINFORCE: policy gradient on the reward-to-go, baseline V(s)",
        off_policy=False,
        uses_torch=True,
        continuous=True,
        space=search.REINFORCE,
        shape_keys=_NET_SHAPE,
    ),
    KindSpec(
        "ppo",
        "agents.ppo",
        "ppo",
        "PPO: clipped policy-gradient epochs on GAE advantages",
        off_policy=False,
        uses_torch=True,
        continuous=True,
        space=search.PPO,
        shape_keys=_NET_SHAPE,
        n_envs=True,
    ),
    KindSpec(
        "trpo",
        "agents.trpo",
        "trpo",
        "TRPO: a natural-gradient step inside a KL trust region, on GAE advantages",
        off_policy=False,
        uses_torch=True,
        continuous=True,
        space=search.TRPO,
        shape_keys=_NET_SHAPE,
        n_envs=True,
        metric_tags=MappingProxyType(
            {
                "policy_objective": "train/policy_objective",
                "kl_divergence_loss": "train/kl_divergence_loss",
                "is_line_search_success": "train/is_line_search_success",
                "std": "train/std",
            }
        ),
        panel_metrics=(
            ("surrogate", ("policy_objective",)),
            ("KL|step", ("kl_divergence_loss", "is_line_search_success")),
            ("V loss", ("value_loss",)),
            ("entropy", ("entropy",)),
        ),
    ),
    KindSpec(
        "sac",
        "agents.sac",
        "sac",
        "SAC: soft actor-critic for continuous actions, twin Q and a tuned entropy",
        off_policy=True,
        uses_torch=True,
        discrete=False,
        continuous=True,
        twin_critics=True,
        space=search.SAC,
        shape_keys=_NET_SHAPE,
        metric_tags=MappingProxyType({"policy_loss": "train/actor_loss"}),
        panel_metrics=(
            ("ent coef", ("ent_coef",)),
            ("Q1|Q2", ("q1_loss", "q2_loss")),
            ("π loss", ("policy_loss",)),
            ("entropy", ("entropy",)),
        ),
    ),
    KindSpec(
        "ddpg",
        "agents.ddpg",
        "ddpg",
        "DDPG: a deterministic actor μ(s) on a Q-critic, replay and noisy actions",
        off_policy=True,
        uses_torch=True,
        discrete=False,
        continuous=True,
        space=search.DDPG,
        shape_keys=_NET_SHAPE,
        metric_tags=MappingProxyType({"actor_loss": "train/actor_loss"}),
        panel_metrics=(("critic loss", ("critic_loss",)), ("actor loss", ("actor_loss",))),
    ),
    KindSpec(
        "td3",
        "agents.td3",
        "td3",
        "TD3: DDPG with twin critics, a smoothed target and a delayed actor",
        off_policy=True,
        uses_torch=True,
        discrete=False,
        continuous=True,
        space=search.TD3,
        shape_keys=_NET_SHAPE,
        metric_tags=MappingProxyType({"actor_loss": "train/actor_loss"}),
        panel_metrics=(
            ("Q1|Q2", ("q1_loss", "q2_loss")),
            ("critic loss", ("critic_loss",)),
            ("actor loss", ("actor_loss",)),
        ),
    ),
)
