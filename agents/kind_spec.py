"""What rltui knows about one agent kind: :class:`KindSpec` (:mod:`agents.registry` holds
them; :mod:`agents.kinds` is the built-in ones)."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType, ModuleType

from agents import search


@dataclass(frozen=True)
class KindSpec:
    """What rltui knows about one agent kind."""

    name: str
    """The name on the command line, in saves and in the launcher."""
    module: str
    """The module that defines ``CONFIG``, ``build`` and ``restore`` for the kind."""
    family: str
    """Whose per-env tuned defaults and budgets the kind takes (catalog entries key them so)."""
    description: str
    """One line for the launcher and the help."""
    off_policy: bool
    """Learns from anyone's moves: a person's, a demonstration's, its own."""
    needs_model: bool = False
    """Needs the env's transition table ``P`` (toy-text envs)."""
    uses_torch: bool = False
    """Runs on a torch device (``--device`` applies)."""
    learns: bool = True
    """Learns from steps (value iteration computes Q* from the model instead)."""
    discrete: bool = True
    """Chooses among discrete actions."""
    continuous: bool = False
    """Chooses continuous action vectors (a Box action space)."""
    frames: bool = False
    """Learns from stacked frames (Atari's pixels) with a convolutional network."""
    twin_critics: bool = False
    """Learns two Q-networks, a policy and an entropy temperature."""
    space: search.Space = field(default_factory=lambda: search.NOTHING)
    """What ``rltui tune`` searches (:mod:`agents.search`); empty: nothing to tune."""
    shape_keys: frozenset[str] = frozenset()
    """Settings that fix the shapes of its saved arrays: they cannot change when training resumes."""
    n_envs: bool = False
    """Steps several envs side by side (its config's ``n_envs``; ``train --envs``)."""
    metric_tags: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """TensorBoard tags of its metrics where it names them otherwise than every kind does (SAC's
    policy loss is its actor's loss)."""
    panel_metrics: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """The Training panel's rows of its latest update's metrics: (label, the metrics shown side
    by side); none: the panel shows ε and the loss (a policy agent's or a planner's rows)."""
    not_knobs: frozenset[str] = frozenset()
    """Settings named as a live knob is that mean something else here (a kind whose ``alpha``
    were not a step size)."""

    def load(self) -> ModuleType:
        return importlib.import_module(self.module)
