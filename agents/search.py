"""What ``rltui tune`` searches: one :class:`Dim` per searched setting, and the search space of
each built-in kind (its :class:`agents.registry.KindSpec` holds it).

The spaces are rl-baselines3-zoo's choices, trimmed. ``epsilon_decay_steps`` spans a share of
the budget (5-80% of it), searched and stored as steps. A :class:`Dim` asks Optuna's trial by
its methods alone, so this module imports no Optuna.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class Dim:
    """One searched setting: a float or int range (``log`` for a log scale), or choices. A
    range with ``share`` is a share of the trial's budget, searched as whole steps."""

    low: float | None = None
    high: float | None = None
    log: bool = False
    integer: bool = False
    choices: tuple[str | int | float, ...] = ()
    share: bool = False

    def suggest(self, trial: Any, name: str, budget: int) -> str:
        """The trial's value, as ``--set`` text (the study keeps it as the number it is)."""
        if self.choices:
            return str(trial.suggest_categorical(name, list(self.choices)))
        low, high = float(self.low or 0.0), float(self.high or 0.0)  # a range has both ends
        if self.share:
            first = max(1, round(low * budget))
            return str(trial.suggest_int(name, first, max(first, round(high * budget)), log=self.log))
        if self.integer:
            return str(trial.suggest_int(name, int(low), int(high), log=self.log))
        return repr(trial.suggest_float(name, low, high, log=self.log))


Space = Mapping[str, Dim]
"""A kind's search space: setting name -> how it is searched."""

NOTHING: Space = MappingProxyType({})
"""The space of a kind with nothing to tune (it plans from the model, or learns nothing)."""

_WIDTHS = ("64,64", "128,128", "256,256")

TABULAR: Space = MappingProxyType(
    {
        "alpha": Dim(0.01, 1.0, log=True),
        "epsilon_end": Dim(0.001, 0.2, log=True),
        "epsilon_decay_steps": Dim(0.05, 0.8, share=True),
        "gamma": Dim(0.9, 0.9999),
    }
)
DQN: Space = MappingProxyType(
    {
        "learning_rate": Dim(1e-5, 1e-2, log=True),
        "gamma": Dim(0.9, 0.9999),
        "batch_size": Dim(choices=(32, 64, 128, 256)),
        "epsilon_end": Dim(0.001, 0.1, log=True),
        "epsilon_decay_steps": Dim(0.05, 0.5, share=True),
        "target_update_interval": Dim(50, 2_000, log=True, integer=True),
        "train_freq": Dim(choices=(1, 4, 8)),
        "hidden": Dim(choices=_WIDTHS),
    }
)
PPO: Space = MappingProxyType(
    {
        "learning_rate": Dim(1e-5, 1e-2, log=True),
        "gamma": Dim(0.9, 0.9999),
        "n_steps": Dim(choices=(128, 256, 512, 1024, 2048)),
        "batch_size": Dim(choices=(32, 64, 128)),
        "n_epochs": Dim(3, 20, integer=True),
        "gae_lambda": Dim(0.8, 1.0),
        "clip_range": Dim(choices=(0.1, 0.2, 0.3)),
        "entropy_coef": Dim(1e-8, 0.1, log=True),
        "hidden": Dim(choices=_WIDTHS),
    }
)
TRPO: Space = MappingProxyType(
    {
        "learning_rate": Dim(1e-5, 1e-2, log=True),
        "gamma": Dim(0.9, 0.9999),
        "n_steps": Dim(choices=(256, 512, 1024, 2048)),
        "batch_size": Dim(choices=(32, 64, 128, 256)),
        "gae_lambda": Dim(0.8, 1.0),
        "n_critic_updates": Dim(5, 30, integer=True),
        "cg_max_steps": Dim(5, 30, integer=True),
        "target_kl": Dim(choices=(0.1, 0.05, 0.03, 0.02, 0.01, 0.005, 0.001)),
        "hidden": Dim(choices=_WIDTHS),
    }
)
REINFORCE: Space = MappingProxyType(
    {"learning_rate": Dim(1e-5, 1e-2, log=True), "gamma": Dim(0.9, 0.9999), "hidden": Dim(choices=_WIDTHS)}
)
SAC: Space = MappingProxyType(
    {
        "learning_rate": Dim(1e-5, 1e-2, log=True),
        "gamma": Dim(0.9, 0.9999),
        "tau": Dim(0.001, 0.05, log=True),
        "batch_size": Dim(choices=(64, 128, 256)),
        "hidden": Dim(choices=_WIDTHS),
    }
)
DDPG: Space = MappingProxyType(
    {
        "learning_rate": Dim(1e-5, 1e-2, log=True),
        "gamma": Dim(0.9, 0.9999),
        "tau": Dim(0.001, 0.05, log=True),
        "batch_size": Dim(choices=(64, 128, 256)),
        "action_noise": Dim(0.05, 0.5, log=True),
        "noise": Dim(choices=("normal", "ou")),
        "hidden": Dim(choices=_WIDTHS),
    }
)
TD3: Space = MappingProxyType({**DDPG, "policy_delay": Dim(choices=(1, 2, 3)), "target_policy_noise": Dim(0.05, 0.5)})
