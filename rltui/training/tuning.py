"""Hyperparameter sweeps on Optuna: a TPE sampler, a median pruner fed by ``train``'s periodic
greedy evaluations, a search space per agent kind, the study in an SQLite file unless a
storage URL says otherwise (the optional ``tune`` extra).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from agents.search import Dim
from rltui.extras import missing


class TuneError(Exception):
    """A sweep that cannot run; one sentence."""


def parse_space(kind: str, overrides: list[str] | None) -> dict[str, Dim]:
    """The kind's search space (its spec's) with ``--space key=low:high[:log]`` overrides.

    Raises:
        TuneError: a kind with nothing to tune, or a malformed override (one sentence).
    """
    from agents import registry
    from agents.base import apply_settings
    from agents.registry import default_config

    found = registry.BY_NAME.get(kind)
    if found is None or not found.space:
        tunable = ", ".join(s.name for s in registry.SPECS if s.space)
        raise TuneError(
            f"{kind} has nothing to tune (it plans from the model, or learns nothing); tune one of {tunable}."
        )
    space = dict(found.space)
    config = default_config(kind)
    for text in overrides or []:
        key, sep, value = text.partition("=")
        parts = value.split(":")
        if not sep or len(parts) not in (2, 3) or (len(parts) == 3 and parts[2] != "log"):
            raise TuneError(f"--space {text[:40]} is not key=low:high or key=low:high:log.")
        if not hasattr(config, key):
            raise TuneError(f"--space: {kind} has no setting '{key[:30]}'.")
        current = getattr(config, key)
        integer = isinstance(current, int) and not isinstance(current, bool)
        if not isinstance(current, (int, float)) or isinstance(current, bool):
            raise TuneError(f"--space: '{key}' is not a number, so it has no range.")
        try:
            low, high = (int(p) if integer else float(p) for p in parts[:2])
        except ValueError:
            raise TuneError(
                f"--space {key}: {parts[0]}:{parts[1]} is not two {'whole ' if integer else ''}numbers."
            ) from None
        if not low < high or (len(parts) == 3 and low <= 0):
            raise TuneError(
                f"--space {key}: the low end must be below the high end"
                f"{' and above 0 on a log scale' if len(parts) == 3 else ''}."
            )
        for end in (low, high):  # each end must be a value --set would take
            try:
                apply_settings(config, {key: str(end)})
            except ValueError as exc:
                raise TuneError(f"--space {key}: {exc}") from None
        space[key] = Dim(low, high, log=len(parts) == 3, integer=integer)
    return space


def optuna_module() -> Any:
    try:
        import optuna
    except ImportError:
        raise TuneError(missing("rltui tune", "tune")) from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    import warnings

    # The storage's heartbeat is marked experimental in Optuna; that is Optuna's word to us.
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    return optuna


@dataclass
class Outcome:
    """How a sweep ended."""

    finished: int
    pruned: int
    best_value: float | None
    best_params: dict[str, str]
    best_number: int | None
    best_seed: int | None = None
    """The seed the best trial trained with (``--seed`` plus its number)."""


def trial_seed(seed: int, number: int) -> int:
    """Trial ``number``'s seed: ``seed`` plus its number, so no two trials of a study (resumed,
    or run by several processes) train alike."""
    return (seed + number) % 2**63


def sampler_seed(seed: int, worker: int, trials_so_far: int) -> int:
    """The sampler's seed for a process that joins a study holding ``trials_so_far`` trials:
    a fresh study with one process draws what ``seed`` always drew, a resumed study or another
    ``--jobs`` process draws new points."""
    import numpy as np

    return int(np.random.SeedSequence([seed, worker, trials_so_far]).generate_state(1)[0])


def objective(
    entry: Any,
    kind: str,
    space: dict[str, Dim],
    budget: int,
    seed: int,
    stop: threading.Event,
    on_done: Callable[[Any, float], str | None] | None = None,
) -> Callable[[Any], float]:
    """The function Optuna calls per trial: train with the trial's settings for ``budget``
    steps (seeded with ``seed`` plus the trial's number), report each periodic evaluation,
    prune when the median pruner says so (or when ``stop`` is set: a trial cut short has no
    result); ``on_done`` is handed each finished trial's agent and result, and returns the
    file it saved the agent to, if it did (the trial keeps it as ``agent_file``)."""
    optuna = optuna_module()
    from rltui.training.agent_factory import AgentError, make_agent_for
    from rltui.training.loop import train

    def run(trial: Any) -> float:
        settings = {key: dim.suggest(trial, key, budget) for key, dim in space.items()}
        trial.set_user_attr("settings", settings)
        trial.set_user_attr("process", os.getpid())  # which of --jobs' processes ran it
        seeded = trial_seed(seed, trial.number)
        trial.set_user_attr("seed", seeded)
        try:
            agent = make_agent_for(entry, kind, settings, seed=seeded)
        except AgentError as exc:  # settings that do not fit together: not a result
            trial.set_user_attr("refused", str(exc))
            raise optuna.TrialPruned() from None
        pruned = False

        def evaluated(step: int, mean: float) -> bool:
            nonlocal pruned
            trial.report(mean, step)
            pruned = trial.should_prune() or stop.is_set()
            return pruned

        result = train(
            agent,
            entry,
            steps=budget,
            seed=seeded,
            eval_every=max(1, budget // 10),
            eval_episodes=10,
            final_eval_episodes=20,
            keep_best=False,
            on_eval=evaluated,
            stop=stop,
        )
        if pruned or stop.is_set() or result.eval_return_mean is None:
            raise optuna.TrialPruned()
        value = float(result.eval_return_mean)
        if on_done is not None:
            saved = on_done(agent, value)
            if saved is not None:
                trial.set_user_attr("agent_file", saved)
        return value

    def interruptible(trial: Any) -> float:
        try:
            return run(trial)
        except KeyboardInterrupt:
            # Ctrl+C: the sweep stops, and the trial cut short has no result (Optuna would log a
            # failed trial's traceback for an interrupt that reached it).
            stop.set()
            raise optuna.TrialPruned() from None

    return interruptible


def best_trial(trials: list[Any]) -> Any:
    """The complete trial with the highest value, or None."""
    complete = optuna_module().trial.TrialState.COMPLETE
    return max((t for t in trials if t.state == complete), key=lambda t: t.value, default=None)


def outcome(study: Any) -> Outcome:
    states = optuna_module().trial.TrialState
    trials = study.get_trials(deepcopy=False)  # read from the storage once
    done = sum(t.state == states.COMPLETE for t in trials)
    pruned = sum(t.state == states.PRUNED for t in trials)
    best = best_trial(trials)
    return Outcome(
        done,
        pruned,
        None if best is None else float(best.value),
        dict(best.user_attrs.get("settings", {})) if best else {},
        None if best is None else best.number,
        None if best is None else best.user_attrs.get("seed"),
    )


def best_command(env_id: str, kind: str, budget: int, seed: int, settings: dict[str, str]) -> str:
    import shlex

    sets = " ".join(f"--set {shlex.quote(f'{k}={v}')}" for k, v in settings.items())
    return f"rltui train {shlex.quote(env_id)} --agent {kind} --steps {budget} --seed {seed} {sets}".strip()
