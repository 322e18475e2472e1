"""Hyperparameter sweeps on Optuna: a TPE sampler, a median pruner fed by ``train``'s periodic
greedy evaluations, a search space per agent kind, the study in an SQLite file unless a
storage URL says otherwise (the optional ``tune`` extra).
"""

from __future__ import annotations

import contextlib
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


def default_storage(env_id: str, kind: str) -> tuple[str, str]:
    """(storage URL, study name): an SQLite file under ``saves/tune/``."""
    from rltui.paths import id_stem, saves_dir

    folder = saves_dir() / "tune"  # made only when the study is opened there (study_for)
    name = f"{id_stem(env_id)}-{kind}"
    return f"sqlite:///{(folder / f'{name}.db').resolve()}", name


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


METRIC = "greedy return"
"""The objective's name in the study (what optuna-dashboard labels its axis): each trial's
final greedy mean return."""
HEARTBEAT_SECONDS = 10
SQLITE_WAIT_SECONDS = 60
"""How long a process waits for another's write to an SQLite study (``--jobs``) before failing."""


def study_for(
    env_id: str, kind: str, storage: str | None, name: str | None, seed: int, budget: int | None = None, worker: int = 0
) -> tuple[Any, str, str]:
    """(the study, its storage URL, its name): resumed when it exists. A new study records the
    env, kind and budget it is for; a study made for others is refused (its trials' values
    would not compare). The sampler is seeded from ``seed``, the ``--jobs`` process
    (``worker``) and the trials already in the study (:func:`sampler_seed`).

    Raises:
        TuneError: a storage that cannot be opened, or a study made for another env, kind or
            budget (one sentence; the study is left as it was).
    """
    optuna = optuna_module()
    default_url, default_name = default_storage(env_id, kind)
    url, study_name = storage or default_url, name or default_name
    made: list[str] = []  # the folders made for the default storage, removed if it cannot be opened
    if storage is None:
        folder = os.path.dirname(url[len("sqlite:///") :])
        while not os.path.isdir(folder) and folder != os.path.dirname(folder):
            made.insert(0, folder)
            folder = os.path.dirname(folder)
        try:
            for folder in made:
                os.mkdir(folder)
        except OSError as exc:
            raise TuneError(f"The study's folder {folder[:80]} cannot be made: {exc.strerror or exc}.") from None
    check_sqlite_file(url)
    new_file = sqlite_file(url)
    if new_file is not None and os.path.exists(new_file):
        new_file = None  # an existing storage: SQLite's own journal keeps it whole
    storage_: Any = None
    problem = None
    try:
        if in_memory(url):  # nothing to share or resume: no heartbeat (its thread has no tables)
            storage_ = optuna.storages.InMemoryStorage()
        else:
            engine = {"connect_args": {"timeout": SQLITE_WAIT_SECONDS}} if url.startswith("sqlite") else {}
            # The heartbeat marks a trial whose process was killed (SIGKILL, a lost machine) as
            # failed once it falls silent, when the study next runs, instead of running forever.
            storage_ = optuna.storages.RDBStorage(
                url, engine_kwargs=engine, heartbeat_interval=HEARTBEAT_SECONDS, grace_period=3 * HEARTBEAT_SECONDS
            )
        study = optuna.create_study(
            study_name=study_name,
            storage=storage_,
            direction="maximize",
            load_if_exists=True,
            pruner=optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=1),
        )
        # Seeded once the trials already there are known: a resumed study draws new points.
        study.sampler = optuna.samplers.TPESampler(
            seed=sampler_seed(seed, worker, len(study.get_trials(deepcopy=False)))
        )
    except Exception as exc:  # any storage's own error: said in one sentence
        problem = storage_reason(exc)
    if problem is not None:  # out of the except block: the failure's frames (and connections) are let go
        engine_ = getattr(storage_, "engine", None)
        if engine_ is not None:
            with contextlib.suppress(Exception):
                engine_.dispose()  # no connection stays open on a file about to be removed
        import gc

        gc.collect()  # a storage that failed half made holds its connection in a cycle
        if new_file is not None:  # a new SQLite file the failure left half made (a full disk)
            for leftover in (new_file, new_file + "-journal"):
                with contextlib.suppress(OSError):
                    os.unlink(leftover)
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                os.rmdir(folder)
        raise TuneError(f"The study's storage {url[:80]} cannot be opened: {problem}.")
    wanted = {"env": env_id, "agent": kind, "budget": budget}
    made_for = {key: study.user_attrs.get(key) for key in wanted}
    if all(value is None for value in made_for.values()):
        if not study.trials:
            for key, value in wanted.items():
                study.set_user_attr(key, value)
    elif made_for != wanted:
        differs = " and ".join(key for key in wanted if made_for[key] != wanted[key])
        raise TuneError(
            f"Study {study_name} was made for {made_for['env']} with {made_for['agent']} and "
            f"--budget {made_for['budget']}, not this run's {differs}: name a new --study."
        )
    if study.metric_names is None:  # written only once the study is known to be this run's
        study.set_metric_names([METRIC])
    return study, url, study_name


def sqlite_file(url: str) -> str | None:
    """The file of an SQLite storage URL (``sqlite:///study.db``); None for another storage or
    one in memory."""
    if not url.startswith("sqlite:///") or in_memory(url):
        return None
    return url[len("sqlite:///") :].split("?", 1)[0]


def storage_reason(exc: BaseException) -> str:
    """Why a storage failed, in a few words: the database's own reason (``database or disk is
    full``, ``attempt to write a readonly database``) rather than the wrappers around it."""
    import sqlite3

    seen: BaseException | None = exc
    for _ in range(8):  # Optuna wraps SQLAlchemy, which wraps the database's own error
        if seen is None:
            break
        if isinstance(seen, sqlite3.Error) and str(seen):
            return str(seen).splitlines()[0][:160].rstrip(".")
        seen = seen.__cause__ or seen.__context__
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if first.startswith("(") and ") " in first:  # SQLAlchemy's "(sqlite3.OperationalError) ..."
        first = first.split(") ", 1)[1]
    return first[:160].rstrip(".")


def storage_failure(exc: BaseException) -> bool:
    """Whether ``exc``, raised while a sweep ran, is its storage failing to write (a full disk,
    a file that went read-only), not a trial's own error."""
    import sqlite3

    try:
        import optuna
        from sqlalchemy.exc import SQLAlchemyError
    except ImportError:  # pragma: no cover - the tune extra brings both
        return isinstance(exc, sqlite3.Error)
    return isinstance(exc, (optuna.exceptions.StorageInternalError, SQLAlchemyError, sqlite3.Error))


def in_memory(url: str) -> bool:
    """Whether ``url`` is an SQLite database in memory (``sqlite://``, ``sqlite:///:memory:``)."""
    return url in ("sqlite://", "sqlite:///:memory:") or url.startswith("sqlite:///:memory:?")


OPTUNA_TABLES = frozenset({"studies", "trials", "version_info"})
"""Tables every Optuna storage has: an SQLite file holding other tables is someone else's."""


def check_sqlite_file(url: str) -> None:
    """Refuse, before Optuna opens it (and migrates or adds its tables), an SQLite file that is
    not an Optuna storage: not a regular file, not a database, or another program's database.
    A missing or empty file is a new storage.

    Raises:
        TuneError: one sentence; the file is left byte for byte as it was.
    """
    path = sqlite_file(url)
    if path is None:
        return
    import sqlite3
    import stat
    from urllib.parse import quote

    from rltui.paths import PathError, folder_to_write

    try:  # SQLite writes a journal beside the file: its folder must take new files
        folder_to_write(os.path.dirname(path) or ".", "The study's folder")
    except PathError as exc:
        raise TuneError(str(exc)) from None
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise TuneError(f"The study's storage {path[:80]} cannot be read: {exc.strerror}.") from None
    if not stat.S_ISREG(info.st_mode):
        raise TuneError(f"The study's storage {path[:80]} is not a file.")
    if not os.access(path, os.R_OK | os.W_OK):
        raise TuneError(
            f"The study's storage {path[:80]} cannot be written (permission denied or a read-only file system)."
        )
    if info.st_size == 0:
        return
    try:
        # Read-only and immutable: opening it changes nothing, not even a journal.
        with contextlib.closing(
            sqlite3.connect(f"file:{quote(os.path.abspath(path))}?mode=ro&immutable=1", uri=True)
        ) as db:
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError:
        raise TuneError(f"The study's storage {path[:80]} is not an SQLite database: name another --storage.") from None
    if tables and not OPTUNA_TABLES <= tables:
        raise TuneError(
            f"The study's storage {path[:80]} is another program's database (it has no "
            "Optuna study tables): name another --storage."
        )
