"""Saved episodes to Minari datasets (reading one back, checked as a stranger's file, is
:mod:`rltui.formats.minari_read`).

Farama's Minari is the standard format for recorded episodes. An export replays each
episode file from its seed (checking every reward), so the dataset holds the env's own
observations; each step's actor (``human`` or ``agent``) goes in the step infos. An episode
saved before the env ended it is truncated on its last step, as Minari's DataCollector marks one. Needs the
optional ``minari`` extra (Minari with its HDF5 storage).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from rltui.extras import missing

MINARI_PREFIX = "minari:"
"""``train --demos minari:DATASET_ID`` names a dataset instead of episode files."""
DATASET_ID = re.compile(r"^([A-Za-z0-9_.-]+/)?([A-Za-z0-9_.-]+/)?[A-Za-z0-9_.]+(-[A-Za-z0-9_.]+)*-v\d+$")


class MinariError(Exception):
    """A dataset that cannot be written or read; the message is one sentence."""


def need_minari() -> Any:
    try:
        import h5py  # noqa: F401  (Minari's default storage)
        import minari
    except ImportError:
        raise MinariError(missing("Minari datasets", "minari")) from None
    return minari


@contextmanager
def datasets_root_at(directory: str | Path | None) -> Iterator[None]:
    """Minari's datasets folder for the duration (``--dir``), else its own (``MINARI_DATASETS_PATH``
    or ``~/.minari/datasets``)."""
    if directory is None:
        yield
        return
    before = os.environ.get("MINARI_DATASETS_PATH")
    os.environ["MINARI_DATASETS_PATH"] = str(Path(directory).expanduser().resolve())
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("MINARI_DATASETS_PATH", None)
        else:
            os.environ["MINARI_DATASETS_PATH"] = before


def _exists(dataset_id: str) -> bool:
    from minari.storage import get_dataset_path

    path = Path(get_dataset_path(dataset_id))
    return path.exists()


def export(records: list[Any], entry: Any, dataset_id: str, directory: str | Path | None = None) -> Path:
    """Write ``records`` (episodes of ``entry``) as the Minari dataset ``dataset_id``; its folder.

    Raises:
        MinariError: episodes of several envs, an id that is malformed or taken (an existing
            dataset is never touched), an episode that no longer replays, or a write that
            failed (a full disk): nothing of the export is left behind.
    """
    minari = need_minari()
    if not DATASET_ID.match(dataset_id):
        raise MinariError(
            f"'{dataset_id[:60]}' is not a Minari dataset id; use NAMESPACE/NAME-v0, such as rltui/taxi-human-v0."
        )
    envs = sorted({r.env for r in records})
    if len(envs) != 1:
        raise MinariError(
            f"The episodes come from {len(envs)} environments ({', '.join(envs)}); "
            "a dataset holds one: export each env's episodes on their own."
        )
    from minari.data_collector import EpisodeBuffer

    root = _datasets_root(directory)
    root_made = None if root.exists() else _first_missing(root)  # Minari makes it at its first look
    try:
        return _export(records, entry, dataset_id, directory, minari, EpisodeBuffer, root_made)
    except BaseException:
        if root_made is not None:  # nothing of this export's stays, not even an empty folder
            import shutil

            shutil.rmtree(root_made, ignore_errors=True)
        raise


def _datasets_root(directory: str | Path | None) -> Path:
    """Minari's datasets folder as :func:`datasets_root_at` and Minari will name it (not made)."""
    if directory is not None:
        return Path(directory).expanduser().resolve()
    given = os.environ.get("MINARI_DATASETS_PATH")
    return Path(given) if given is not None else Path(os.path.expanduser("~"), ".minari", "datasets")


def _export(
    records: list[Any],
    entry: Any,
    dataset_id: str,
    directory: str | Path | None,
    minari: Any,
    EpisodeBuffer: Any,  # noqa: N803 - Minari's class
    root_made: Path | None,
) -> Path:
    import warnings

    from rltui import __version__
    from rltui.formats.episodes import EpisodeFileError, check

    with datasets_root_at(directory):
        if _exists(dataset_id):
            raise MinariError(f"A Minari dataset {dataset_id} exists already; choose another id (nothing was changed).")
        buffers = []
        actors: dict[str, int] = {}
        for i, record in enumerate(records):
            try:
                steps = check(record, entry)
            except EpisodeFileError as exc:
                raise MinariError(str(exc)) from None
            observations = [steps[0].obs, *(s.next_obs for s in steps)] if steps else []
            if not steps:
                raise MinariError(f"{record.name} has no steps to export.")
            actions = [_env_action(s.action, entry) for s in steps]
            for s in steps:
                actors[s.actor] = actors.get(s.actor, 0) + 1
            truncations = [s.truncated for s in steps]
            if not steps[-1].terminated:  # saved mid-way: cut short, as Minari's DataCollector marks it
                truncations[-1] = True
            buffers.append(
                EpisodeBuffer(
                    id=i,
                    seed=record.seed,
                    observations=_stacked(observations),
                    actions=np.asarray(actions),
                    rewards=[s.reward for s in steps],
                    terminations=[s.terminated for s in steps],
                    truncations=truncations,
                    infos={"actor": np.asarray([s.actor.encode() for s in steps])},
                )
            )
        who = ", ".join(f"{n:,} steps by {actor}" for actor, n in sorted(actors.items()))
        spaces = _spaces(entry)
        from minari.storage import get_dataset_path

        folder = Path(get_dataset_path(dataset_id))
        made = root_made or _first_missing(folder)  # the dataset's folder, or the namespace above it
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Minari warns that no evaluation env was given
            try:
                minari.create_dataset_from_buffers(
                    dataset_id=dataset_id,
                    buffer=buffers,
                    env=_spec(entry),
                    algorithm_name=f"rltui ({who})",
                    author=f"rltui {__version__}",
                    description=f"{len(records)} episode(s) of {entry.id} played in rltui {__version__} "
                    f"({who}), replayed from their seeds by `rltui episodes export`; "
                    "infos['actor'] names who took each step.",
                    **spaces,
                )
            except BaseException as exc:
                # Nothing half-written stays: neither the dataset's folder nor a namespace (its
                # namespace_metadata.json) or datasets folder made for it existed before.
                import shutil

                shutil.rmtree(made, ignore_errors=True)
                if isinstance(exc, (ValueError, OSError, TypeError, NotImplementedError)):
                    raise MinariError(f"Minari could not write {dataset_id}: {_reason(exc)}.") from None
                raise
        return folder


def _first_missing(folder: Path) -> Path:
    """The outermost folder of ``folder``'s path that does not exist yet (``folder`` itself when
    its parent exists): everything under it is this export's."""
    while not folder.parent.exists() and folder.parent != folder.parent.parent:
        folder = folder.parent
    return folder


def _reason(exc: BaseException) -> str:
    """Why a write failed, in a few words: the system's own for an OS error (h5py's message
    runs on with timestamps and file names), else the first line."""
    import os

    if isinstance(exc, OSError) and isinstance(exc.errno, int) and exc.errno > 0:
        return os.strerror(exc.errno)
    return (str(exc).splitlines() or [type(exc).__name__])[0][:160].rstrip(".")


def _stacked(observations: list[Any]) -> Any:
    """Observations as Minari stores them: an array, or for a Tuple space (Blackjack, MiniGrid's
    symbolic state) a tuple of arrays, one per part."""
    if isinstance(observations[0], tuple):
        return tuple(np.asarray([o[i] for o in observations]) for i in range(len(observations[0])))
    return np.asarray(observations)


def _env_action(action: Any, entry: Any) -> Any:
    """The action as the env takes it: a continuous env's named action as its vector."""
    if entry.action_vectors is not None and not isinstance(action, np.ndarray):
        return np.asarray(entry.action_vectors[int(action)], dtype=np.float32)
    return action


def _spec(entry: Any) -> Any:
    """The Gymnasium spec the dataset names (None for a map world: its map is no registered env)."""
    import dataclasses

    import gymnasium as gym

    if entry.gym_id is not None:
        return None
    spec = gym.spec(entry.id)
    steps = entry.make_kwargs.get("max_episode_steps")
    if steps is not None:
        spec = dataclasses.replace(spec, max_episode_steps=steps)
    return spec


def _spaces(entry: Any) -> dict[str, Any]:
    """Spaces to name when the dataset's env spec does not give the ones recorded: a map world
    has no spec, and a MiniGrid world's agents see its symbolic state, not its own observation."""
    if entry.gym_id is None and entry.group != "MiniGrid":
        return {}
    from rltui.envs import catalog

    env = catalog.make_env(entry, render=False)
    try:
        return {"observation_space": env.observation_space, "action_space": env.action_space}
    finally:
        env.close()
