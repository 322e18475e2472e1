"""The one way to make a fresh agent for an environment.

The CLI (``play --agent``, ``train``), the launcher, the tab key and the
benchmarks all come here, so every agent gets the env's discount γ from its
catalog entry and is seeded the same way.
"""

from __future__ import annotations

from typing import Any

from agents.registry import AgentError, make_agent
from rltui.envs import catalog
from rltui.envs.catalog import EnvEntry

__all__ = ["AgentError", "kinds_for_entry", "make_agent_for", "watched"]


def kinds_for_entry(entry: EnvEntry, env: Any) -> list[str]:
    """The agent kinds that can play ``env`` (an env of ``entry``)."""
    from agents.registry import kinds_for

    return kinds_for(env)


def watched(kind: str, settings: dict[str, str] | None) -> dict[str, str]:
    """``settings`` for an agent that plays in the app: a planner there plans sweep by sweep,
    one per agent step, so a person watches the values spread (``--set watch=false`` plans at
    once, as ``train`` does)."""
    from agents.registry import spec

    out = dict(settings or {})
    if spec(kind).needs_model:
        out.setdefault("watch", "true")
    return out


def make_agent_for(
    entry: EnvEntry, kind: str, settings: dict[str, str] | None = None, seed: int | None = None, env: Any = None
) -> Any:
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
    own = env is None or not catalog.observes_for(env, kind)
    if own:  # (a person's MiniGrid session shows a network kind's view only once it joins)
        env = catalog.make_env(entry, render=False, kind=kind)
    try:
        return make_agent(
            kind, env, entry.id, gamma=entry.gamma, defaults=entry.defaults_for(kind), settings=settings, seed=seed
        )
    finally:
        if own:
            env.close()


def load_agent_for(path: str, entry: EnvEntry | None = None, env_id: str | None = None) -> tuple[Any, dict[str, Any]]:
    """A saved agent and its metadata, refused unless it fits ``entry`` (the save's own env
    when None; ``env_id``: the env the save must be for): its env id, and the actions a kind
    like it sees there (a policy saved for Pendulum-v1's five named torques does not play the
    continuous Pendulum-v1 a fresh one would).

    Raises:
        SaveError: any problem, as one sentence.
    """
    from agents.persistence import SaveError, load_agent

    agent, meta = load_agent(path, expect_env=entry.id if entry is not None else env_id)
    if entry is None:
        try:
            entry = catalog.resolve(meta["env_id"])
        except catalog.CatalogError:
            return agent, meta  # the caller says why the env cannot be played
    problem = fit_problem(agent, entry)
    if problem is not None:
        raise SaveError(f"{path} {problem}.")
    return agent, meta


def fit_problem(agent: Any, entry: EnvEntry) -> str | None:
    """Why a saved ``agent`` cannot act in ``entry``'s env (words after the file's name), or None."""
    from agents.base import SpaceInfo
    from agents.registry import agent_space, named_actions, spec

    env = catalog.make_env(entry, render=False, kind=agent.kind)
    try:
        expected = agent_space(spec(agent.kind), SpaceInfo.from_env(env), entry.id, named_actions(env))
        problem = _spaces_problem(agent, entry, expected)
        return problem if problem is not None else _output_problem(agent, env)
    except AgentError as exc:
        return f"holds a {agent.kind} agent, which cannot play {entry.id}: {exc}"
    finally:
        env.close()


def _output_problem(agent: Any, env: Any) -> str | None:
    """Whether the agent gives finite numbers on the env's first observations (three seeds):
    weights that are each finite can still overflow to an action of NaN, which no env takes."""
    import numpy as np

    from agents.protocols import ValueAgent

    kind = agent.kind
    for seed in range(3):
        obs, _ = env.reset(seed=seed)
        with np.errstate(all="ignore"):
            if agent.action is not None:
                if not np.isfinite(np.asarray(agent.act(obs, explore=False), dtype=np.float64)).all():
                    return (
                        f"holds a {kind} agent whose network gives actions that are not finite "
                        "numbers (its weights are damaged)"
                    )
            elif isinstance(agent, ValueAgent):
                if not np.isfinite(np.asarray(agent.q_values(obs), dtype=np.float64)).all():
                    return f"holds a {kind} agent whose values are not finite numbers (its weights are damaged)"
    return None


def _spaces_problem(agent: Any, entry: EnvEntry, expected: Any) -> str | None:
    """Why the saved agent's spaces are not those a ``kind`` agent sees of the env, or None."""
    seen = agent.observation
    if (
        seen is not None
        and seen.get("type") == expected.observation.get("type") == "Discrete"
        and (seen.get("n") != expected.observation.get("n"))
    ):
        return f"holds an agent for {seen.get('n')} states, but {entry.id} has {expected.observation.get('n')}"
    if seen is not None and _shape(seen) != _shape(expected.observation):
        return (
            f"holds a {agent.kind} agent that sees {entry.id} another way than a {agent.kind} agent "
            "does now (its observations have another shape): train a new one"
        )
    saved_continuous = agent.action is not None
    if expected.continuous and not saved_continuous:
        return (
            f"holds a {agent.kind} agent that chooses among {agent.n_actions} named actions, but a "
            f"{agent.kind} agent plays {entry.id}'s continuous actions now: train a new one"
        )
    if saved_continuous and not expected.continuous:
        return f"holds a {agent.kind} agent for continuous actions, but {entry.id}'s are discrete"
    if not expected.continuous and agent.n_actions != expected.n_actions:
        return f"holds an agent for {agent.n_actions} actions, but {entry.id} has {expected.n_actions}"
    if expected.continuous and len(agent.action["low"]) != len(expected.action["low"]):
        return (
            f"holds an agent for actions of {len(agent.action['low'])} values, but {entry.id}'s "
            f"have {len(expected.action['low'])}"
        )
    return None


def _shape(observation: dict[str, Any]) -> Any:
    """A described observation space's kind and size, without its bounds."""
    if observation.get("type") == "Tuple":
        return "Tuple", tuple(_shape(part) for part in observation.get("spaces", ()))
    return observation.get("type"), observation.get("n"), tuple(observation.get("shape", ()))
