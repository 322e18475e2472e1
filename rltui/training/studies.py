"""Where a sweep's trials are kept: an Optuna study in an SQLite file under ``saves/tune/``
unless a storage URL says otherwise, resumed when it exists and refused when it was made for
another env, kind or budget; the storage's failures said in one sentence.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

from rltui.training.tuning import TuneError, optuna_module, sampler_seed


def default_storage(env_id: str, kind: str) -> tuple[str, str]:
    """(storage URL, study name): an SQLite file under ``saves/tune/``."""
    from rltui.paths import id_stem, saves_dir

    folder = saves_dir() / "tune"  # made only when the study is opened there (study_for)
    name = f"{id_stem(env_id)}-{kind}"
    return f"sqlite:///{(folder / f'{name}.db').resolve()}", name


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
