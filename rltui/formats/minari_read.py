"""Minari datasets to an agent's demonstrations (``train --demos minari:ID``), read as a
file from a stranger: every structure, size and value is checked before it is used.

The writing side, and what both share, is :mod:`rltui.formats.minari_io`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from agents.base import Transition
from rltui.formats.minari_io import DATASET_ID, MinariError, need_minari

MAX_METADATA = 1 << 20
"""Bytes of a dataset's metadata.json: Minari writes a few kilobytes."""
MAX_DATASET_STEPS = 1_000_000
"""Steps of demonstrations read at once (each becomes a transition in memory)."""
EXPANSION = 64
"""How many times its file's size a dataset's arrays may hold: HDF5 can declare an array of any
size in a few bytes (unwritten chunks read as zeros), so the file's real size bounds what is read."""


def _datasets_root(directory: str | Path | None) -> Path:
    """The datasets folder: ``directory`` (``--dir``), else Minari's own as Minari finds it
    (``MINARI_DATASETS_PATH``, else ``~/.minari/datasets``), without creating it as Minari's
    own lookup does."""
    if directory is not None:
        return Path(directory).expanduser().resolve()
    chosen = os.environ.get("MINARI_DATASETS_PATH")
    return Path(chosen) if chosen is not None else Path(os.path.expanduser("~")) / ".minari" / "datasets"


def _file_size(path: Path, dataset_id: str, what: str) -> int:
    """The size of a dataset's file, refused unless it is a regular one (a FIFO would block
    the read for ever, a device would never end)."""
    import stat

    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise MinariError(f"Minari dataset {dataset_id} has no {what}: its folder is incomplete.") from None
    except OSError as exc:
        raise MinariError(f"Minari dataset {dataset_id}'s {what} cannot be read: {exc.strerror or exc}.") from None
    if not stat.S_ISREG(info.st_mode):
        raise MinariError(f"Minari dataset {dataset_id}'s {what} is not a regular file.")
    return info.st_size


def _metadata(folder: Path, dataset_id: str) -> dict[str, Any]:
    """The dataset's metadata.json, each field rltui uses checked."""
    from agents.files import parse_json

    path = folder / "data" / "metadata.json"
    bad = f"Minari dataset {dataset_id} has a damaged metadata.json"
    if _file_size(path, dataset_id, "metadata.json") > MAX_METADATA:
        raise MinariError(f"{bad}: it is over {MAX_METADATA // 1024:,} KB.")
    try:
        meta = parse_json(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise MinariError(
            f"Minari dataset {dataset_id}'s metadata.json cannot be read: {exc.strerror or exc}."
        ) from None
    except ValueError:  # bad UTF-8 or JSON
        raise MinariError(f"{bad}: it is not JSON.") from None
    if not isinstance(meta, dict):
        raise MinariError(f"{bad}: it is not a JSON object.")
    fmt = meta.get("data_format", "hdf5")
    if fmt != "hdf5":
        raise MinariError(
            f"Minari dataset {dataset_id} is stored as {str(fmt)[:20]!r}; rltui reads Minari's hdf5 datasets."
        )
    for key in ("total_episodes", "total_steps"):
        value = meta.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise MinariError(f"{bad}: its {key} is not a whole number.")
    if meta["total_steps"] > MAX_DATASET_STEPS:
        raise MinariError(
            f"Minari dataset {dataset_id} holds {meta['total_steps']:,} steps; rltui learns "
            f"from at most {MAX_DATASET_STEPS:,} at once."
        )
    spec = meta.get("env_spec")
    recorded = None
    if spec is not None:
        try:
            parsed = parse_json(spec) if isinstance(spec, str) else None
        except ValueError:
            parsed = None
        recorded = parsed.get("id") if isinstance(parsed, dict) else None
        if not isinstance(recorded, str):
            raise MinariError(f"{bad}: its env_spec names no environment.")
    meta["recorded"] = recorded
    return meta


def _member(group: Any, name: str, what: str) -> Any:
    """``group[name]`` when it is stored in this file (an external or soft link could name any
    file, a FIFO included), a plain dataset or group, else MinariError."""
    import h5py

    link = group.get(name, getlink=True)
    if link is None:
        raise MinariError(f"{what} is missing")
    if not isinstance(link, h5py.HardLink):
        raise MinariError(f"{what} is a link to elsewhere")
    item = group[name]
    if isinstance(item, h5py.Dataset) and (item.is_virtual or item.external):
        raise MinariError(f"{what} is kept outside the file")
    return item


def _leaf(group: Any, name: str, what: str, length: int, shape: tuple[int, ...], kinds: str) -> Any:
    """An array of ``length`` rows of ``shape`` whose dtype kind is one of ``kinds``."""
    import h5py

    item = _member(group, name, what)
    if not isinstance(item, h5py.Dataset):
        raise MinariError(f"{what} is not an array")
    if tuple(item.shape) != (length, *shape):
        raise MinariError(f"{what} has shape {tuple(item.shape)}, not {(length, *shape)}")
    if item.dtype.kind not in kinds or item.dtype.itemsize > 8:
        raise MinariError(f"{what} holds {item.dtype}, not numbers")
    return item


def _space_leaves(group: Any, name: str, what: str, space: Any, length: int) -> list[tuple[Any, Any]]:
    """The arrays that hold ``length`` values of ``space`` (a Tuple's parts in a group
    ``_index_0``, ``_index_1``...), each with its part's space."""
    import h5py
    from gymnasium import spaces

    if isinstance(space, spaces.Tuple):
        item = _member(group, name, what)
        if not isinstance(item, h5py.Group) or len(item) != len(space.spaces):
            raise MinariError(f"{what} is not {len(space.spaces)} parts, as the env's are")
        return [
            leaf
            for i, part in enumerate(space.spaces)
            for leaf in _space_leaves(item, f"_index_{i}", f"{what} part {i}", part, length)
        ]
    if isinstance(space, spaces.Discrete):
        return [(_leaf(group, name, what, length, (), "iuf"), space)]
    if isinstance(space, spaces.Box):
        return [(_leaf(group, name, what, length, tuple(space.shape), "iufb"), space)]
    raise MinariError(f"{what} is of a {type(space).__name__} space, which rltui does not learn from")


def _values_problem(values: np.ndarray, space: Any) -> str | None:
    """What about ``values`` (rows of ``space``) no env would give or take, or None."""
    from gymnasium import spaces

    if np.issubdtype(values.dtype, np.floating) and not np.isfinite(values).all():
        return "holds values that are not finite numbers"
    if isinstance(space, spaces.Discrete):
        low, high = int(space.start), int(space.start) + int(space.n) - 1
        if values.size and ((values != np.round(values)).any() or values.min() < low or values.max() > high):
            return f"holds values that are not whole numbers from {low} to {high}"
    elif (
        values.size
        and np.dtype(space.dtype).kind in "iu"
        and ((values < space.low).any() or (values > space.high).any())
    ):
        return "holds values outside the env's bounds"
    elif np.issubdtype(values.dtype, np.floating) and values.size and np.abs(values).max() > np.finfo(np.float32).max:
        return "holds values past 32-bit floats"
    return None


def _read_episodes(file: Any, dataset_id: str, meta: dict[str, Any], env: Any, budget: int) -> list[dict[str, Any]]:
    """Each episode's arrays, checked for structure and size before any is read, then for values."""
    import h5py

    count = meta["total_episodes"]
    if len(file) != count:
        raise MinariError(f"its metadata says {count:,} episodes and its data holds {len(file):,}")
    plans, steps, size = [], 0, 0
    for i in range(count):
        what = f"episode {i}"
        group = _member(file, f"episode_{i}", what)
        if not isinstance(group, h5py.Group):
            raise MinariError(f"{what} is not a group")
        rewards = _member(group, "rewards", f"{what}'s rewards")
        length = rewards.shape[0] if isinstance(rewards, h5py.Dataset) and rewards.ndim == 1 else -1
        if length < 1:
            raise MinariError(f"{what}'s rewards are not a list of numbers")
        leaves = {
            "rewards": [(_leaf(group, "rewards", f"{what}'s rewards", length, (), "iuf"), None)],
            "terminations": [(_leaf(group, "terminations", f"{what}'s terminations", length, (), "biu"), None)],
            "truncations": [(_leaf(group, "truncations", f"{what}'s truncations", length, (), "biu"), None)],
            "observations": _space_leaves(
                group, "observations", f"{what}'s observations", env.observation_space, length + 1
            ),
            "actions": _space_leaves(group, "actions", f"{what}'s actions", env.action_space, length),
        }
        actors = None
        if "infos" in group:
            infos = _member(group, "infos", f"{what}'s infos")
            if isinstance(infos, h5py.Group) and "actor" in infos:
                actor = _member(infos, "actor", f"{what}'s actors")
                if (
                    isinstance(actor, h5py.Dataset)
                    and actor.shape == (length,)
                    and np.issubdtype(actor.dtype, np.bytes_)
                    and actor.dtype.itemsize <= 16
                ):
                    actors = actor
        steps += length
        size += sum(leaf.size * leaf.dtype.itemsize for parts in leaves.values() for leaf, _ in parts)
        if steps > MAX_DATASET_STEPS:
            raise MinariError(f"it holds over {MAX_DATASET_STEPS:,} steps, more than rltui learns from at once")
        if size > budget:
            raise MinariError("its arrays are far bigger than its file: it is damaged")
        plans.append((leaves, actors))
    if steps != meta["total_steps"]:
        raise MinariError(f"its metadata says {meta['total_steps']:,} steps and its episodes hold {steps:,}")
    out = []
    for i, (leaves, actors) in enumerate(plans):
        episode: dict[str, Any] = {}
        for key, parts in leaves.items():
            arrays = []
            for leaf, space in parts:
                values = np.asarray(leaf[()])
                problem = (
                    _values_problem(values, space)
                    if space is not None
                    else (
                        "holds values that are not finite numbers"
                        if key == "rewards"
                        and np.issubdtype(values.dtype, np.floating)
                        and not np.isfinite(values).all()
                        else "holds values other than 0 and 1"
                        if key != "rewards"
                        and not np.issubdtype(values.dtype, np.bool_)
                        and not np.isin(values, (0, 1)).all()
                        else None
                    )
                )
                if problem is not None:
                    raise MinariError(f"episode {i}'s {key} {problem}")
                if space is not None:  # as the env gives them: a Discrete space's ints, a Box's dtype
                    values = values.astype(np.int64 if type(space).__name__ == "Discrete" else space.dtype)
                arrays.append(values)
            episode[key] = arrays
        names = [a.decode("utf-8", "replace") for a in actors[()]] if actors is not None else None
        episode["actors"] = names
        out.append(episode)
    return out


def dataset_transitions(
    dataset_id: str, entry: Any, directory: str | Path | None = None, kind: str | None = None
) -> list[list[Transition]]:
    """Each episode of a local Minari dataset as transitions, for an agent of ``kind`` to
    learn from.

    A dataset is a file from a stranger, like a save: its metadata, the HDF5 file's groups,
    arrays, shapes and types, and its size are checked before any array is read (an array
    may hold at most :data:`EXPANSION` times the file's size, :data:`MAX_DATASET_STEPS` steps
    in all), then every observation and action against the env's spaces (a continuous action
    past the env's bounds is clipped to them, as the env would).

    Raises:
        MinariError: no such dataset here, one recorded in another env, one that is damaged
            or does not fit the env's spaces, or (a MiniGrid world's, which holds its compact
            state) one for a kind that sees another observation; one sentence.
    """
    from rltui.envs.catalog import STATE, observation_for
    from rltui.envs.session import AGENT, HUMAN

    need_minari()
    root = _datasets_root(directory)
    folder = root / dataset_id
    if not _valid_id(dataset_id):
        raise MinariError(f"There is no local Minari dataset {dataset_id[:60]} (minari list local shows them).")
    try:
        exists = os.path.isdir(folder)
    except (OSError, ValueError):
        exists = False
    if not exists:
        raise MinariError(f"There is no local Minari dataset {dataset_id[:60]} (minari list local shows them).")
    meta = _metadata(folder, dataset_id)
    recorded = meta["recorded"]
    if recorded is not None and recorded != entry.id:
        raise MinariError(f"Minari dataset {dataset_id} was recorded in {recorded[:60]}, not {entry.id}.")
    if entry.group == "MiniGrid" and observation_for(kind) != STATE:
        raise MinariError(
            f"Minari dataset {dataset_id} holds {entry.id}'s compact state, and a {kind} "
            "agent learns from its partial view: learn from the episode files instead."
        )
    data = folder / "data" / "main_data.hdf5"
    budget = EXPANSION * _file_size(data, dataset_id, "main_data.hdf5") + (1 << 20)
    import h5py

    from rltui.envs import catalog

    env = catalog.make_env(entry, render=False)
    try:
        with h5py.File(data, "r", locking=False) as file:
            episodes = _read_episodes(file, dataset_id, meta, env, budget)
        low = high = None
        if type(env.action_space).__name__ == "Box":
            low, high = env.action_space.low, env.action_space.high
        parts = type(env.observation_space).__name__ == "Tuple"
    except MinariError as exc:
        said = str(exc)
        raise MinariError(
            said
            if said.startswith("Minari")
            else f"Minari dataset {dataset_id} does not fit {entry.id} or is damaged: {said}."
        ) from None
    except (OSError, ValueError, KeyError, TypeError, RuntimeError, IndexError) as exc:
        reason = (str(exc).splitlines() or [type(exc).__name__])[0][:120]
        raise MinariError(
            f"Minari dataset {dataset_id}'s main_data.hdf5 is damaged or is not an HDF5 file ({reason})."
        ) from None
    finally:
        env.close()
    out = []
    for episode in episodes:
        (rewards,), (terminations,), (truncations,) = (episode[k] for k in ("rewards", "terminations", "truncations"))
        observations, actions = episode["observations"], episode["actions"]
        # A Tuple space's observations as tuples of ints (Blackjack's hands), others as the
        # array's rows (an int for a Discrete space, a vector for a Box).
        obs = list(zip(*(a.tolist() for a in observations))) if parts else observations[0]
        if len(actions) != 1:
            raise MinariError(
                f"Minari dataset {dataset_id}'s actions are of a Tuple space, which rltui does not learn from."
            )
        acts = actions[0]
        if low is not None:
            acts = np.clip(acts.astype(np.float32), low, high)
        names = episode["actors"]
        steps = []
        for t in range(len(rewards)):
            action = acts[t]
            action = int(action) if np.ndim(action) == 0 else np.asarray(action, dtype=np.float32)
            actor = names[t] if names is not None and names[t] in (HUMAN, AGENT) else "dataset"
            steps.append(
                Transition(
                    obs[t],
                    action,
                    float(rewards[t]),
                    obs[t + 1],
                    bool(terminations[t]),
                    bool(truncations[t]),
                    t,
                    actor,
                    {},
                )
            )
        out.append(steps)
    return out


def _valid_id(dataset_id: str) -> bool:
    """A Minari dataset id, with no ``.`` or ``..`` part to climb out of the datasets folder."""
    return bool(DATASET_ID.match(dataset_id)) and not any(part in (".", "..") for part in dataset_id.split("/"))
