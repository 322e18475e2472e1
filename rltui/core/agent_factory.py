"""The one way to make a fresh agent for an environment.

The CLI (``play --agent``, ``train``), the launcher, the tab key and the
benchmarks all come here, so every agent gets the env's discount γ from its
catalog entry and is seeded the same way.
"""

from __future__ import annotations

from typing import Any

from agents.registry import AgentError, make_agent
from rltui.core import catalog
from rltui.core.catalog import EnvEntry

__all__ = ["AgentError", "make_agent_for"]


def make_agent_for(entry: EnvEntry, kind: str, settings: dict[str, str] | None = None,
                   seed: int | None = None, env: Any = None) -> Any:
    """A fresh agent of ``kind`` for ``entry``, with the env's γ and the settings tuned for it.

    Args:
        entry: the environment.
        kind: an agent kind (``agents.registry.KINDS``).
        settings: ``key=value`` overrides, checked against the kind's ranges.
        seed: seeds the agent's exploration (and network initialisation).
        env: an env of ``entry`` to read spaces and the model from; a fresh headless one
            (closed again) when None.

    Raises:
        AgentError: unknown kind, a bad setting, or a kind that cannot handle this env.
        CatalogError: the env cannot be made here.
    """
    own = env is None
    if own:
        env = catalog.make_env(entry, render=False)
    try:
        return make_agent(kind, env, entry.id, gamma=entry.gamma, defaults=entry.defaults_for(kind),
                          settings=settings, seed=seed)
    finally:
        if own:
            env.close()
