"""Saving and loading agents: safetensors arrays plus JSON metadata, no pickle anywhere.

A save is one ``.safetensors`` file. Its header's ``__metadata__`` holds one
key, ``rltui``, whose value is a JSON document (format version, agent kind,
env id, spaces, hyperparameters, counters, evaluation, library versions);
the arrays hold the Q-table or the networks and the optimizer state.

Loading parses the header by hand before anything else, so a pickle, a
PyTorch checkpoint, a truncated file or a newer format is named in one
sentence; no code from a file is ever run. Loading a tabular agent does not
import torch.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import math
import os
import platform
import stat
import struct
from pathlib import Path
from typing import Any

import numpy as np

from agents.base import INT64_MAX, SettingError, apply_settings
from agents.files import parse_json, short
from rltui.fileio import read_problem, write_atomic

FORMAT = "rltui-agent"
FORMAT_VERSION = 1
META_KEY = "rltui"
SUFFIX = ".safetensors"
MAX_HEADER = 16 * 1024 * 1024
MAX_FILE = 512 * 1024 * 1024
"""No rltui agent comes near this (a LunarLander DQN is 1.5 MB); a bigger file is not one."""
MAX_ACTIONS = 100_000
MAX_OBS_VALUES = 100_000
"""Values in one observation (a Box's product of its shape), or discrete sub-spaces of a Tuple."""
COUNTERS = ("steps", "episodes", "updates", "sweeps", "improvements")


class SaveError(Exception):
    """A save that cannot be read or written; the message is one sentence for the user."""


# --- writing -------------------------------------------------------------------


def versions() -> dict[str, str]:
    """Library versions recorded in a save."""
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for name in ("rltui", "numpy", "gymnasium", "safetensors", "torch"):
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            continue
    return out


def save_agent(agent: Any, path: str | os.PathLike[str], env_id: str,
               evaluation: dict[str, Any] | None = None, interrupted: bool = False) -> Path:
    """Write ``agent`` to ``path`` atomically (a temporary file beside it, then a rename).

    Args:
        agent: a tabular, value-iteration or DQN agent.
        path: where to write; ``.safetensors`` is added when it has no suffix.
        env_id: the environment the agent was trained on.
        evaluation: e.g. ``{"return_mean": ..., "return_std": ..., "episodes": ...}``.
        interrupted: training was stopped early (Ctrl+C); kept in the metadata.

    Returns:
        The path written.
    """
    from safetensors.numpy import save

    target = Path(path)
    if not target.suffix:
        target = target.with_suffix(SUFFIX)
    counters = dict(agent.counters())
    if agent.epsilon is not None:  # a policy agent explores by sampling, without ε
        counters["epsilon"] = float(agent.epsilon)
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "kind": agent.kind,
        "env_id": env_id,
        "observation_space": getattr(agent, "observation", None),
        "n_actions": int(agent.n_actions),
        "action_space": getattr(agent, "action", None),
        "config": agent.config_dict(),
        "counters": counters,
        "evaluation": evaluation,
        "interrupted": interrupted,
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "versions": versions(),
    }
    arrays = {k: np.ascontiguousarray(v) for k, v in agent.arrays().items()}
    data = save(arrays, metadata={META_KEY: json.dumps(meta)})
    try:
        write_atomic(target, data)
    except OSError as exc:
        raise SaveError(f"Cannot write {target}: {exc.strerror or exc}.") from None
    return target


# --- reading -----------------------------------------------------------------------


def read_metadata(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The JSON metadata of a save, checked, without reading the arrays.

    Raises:
        SaveError: missing, not a save, a pickle, truncated, corrupt or a newer format.
    """
    p = Path(path)
    try:
        info = os.stat(p)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "Is a directory", str(p))
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block the open below for ever
            raise SaveError(f"{p} is not a regular file, so it is not an rltui save.")
        if info.st_size > MAX_FILE:
            raise SaveError(f"{p} is {info.st_size / 2**20:,.0f} MB: no rltui save is that big.")
        with p.open("rb") as fh:
            head = fh.read(9)
            size = info.st_size
            # Recognised by structure, safetensors first: a little-endian header length, then a
            # JSON object. Its first byte is that length's low byte, so it can be anything,
            # \x80 (a pickle's first opcode) included.
            n = struct.unpack("<Q", head[:8])[0] if len(head) >= 8 else -1
            if not (len(head) == 9 and head[8:9] == b"{" and 0 < n <= MAX_HEADER and n + 8 <= size):
                raise SaveError(_not_a_save(p, head, size))
            fh.seek(8)
            header = parse_json(fh.read(n).decode("utf-8"))
    except OSError as exc:
        raise SaveError(read_problem(p, exc, "a save file")) from None
    except ValueError:  # bad UTF-8, bad JSON, nested too deep, an integer too long
        raise SaveError(f"{p} is corrupt or is not an rltui save.") from None
    own = header.get("__metadata__") if isinstance(header, dict) else None
    raw = own.get(META_KEY) if isinstance(own, dict) else None
    if not isinstance(raw, str):
        raise SaveError(f"{p} is a safetensors file but not an rltui save (no rltui metadata).")
    try:
        meta = parse_json(raw)
    except ValueError:
        raise SaveError(f"{p} has corrupt metadata.") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise SaveError(f"{p} is not an rltui agent save.")
    version = meta.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise SaveError(f"{p} was written by a newer rltui (save format {version}); "
                        f"this one reads up to format {FORMAT_VERSION}: upgrade rltui.")
    for key in ("kind", "env_id", "n_actions", "config", "counters"):
        if key not in meta:
            raise SaveError(f"{p} is missing '{key}' in its metadata.")
    problem = meta_problem(meta)
    if problem is not None:
        raise SaveError(f"{p} has damaged metadata: {problem}.")
    problem = _arrays_problem(header)
    if problem is not None:
        raise SaveError(f"{p} has a damaged array table: {problem}.")
    return meta


NUMPY_DTYPES = frozenset({"F16", "F32", "F64", "I8", "I16", "I32", "I64", "U8", "U16", "U32", "U64",
                          "BOOL"})
"""The safetensors dtypes numpy can hold (bfloat16 and the float8s need torch to read)."""


def _arrays_problem(header: dict[str, Any]) -> str | None:
    """What is wrong with the header's array entries, before safetensors allocates any of them."""
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("shape"), list):
            return f"array '{short(name)}' has no shape"
        if entry.get("dtype") not in NUMPY_DTYPES:
            return f"array '{short(name)}' has type {short(str(entry.get('dtype')))}, which rltui never writes"
        if not all(_whole(d, 0, MAX_FILE) for d in entry["shape"]) or len(entry["shape"]) > 8:
            return f"array '{short(name)}' has the shape {short(str(entry['shape']))}"
    return None


def meta_problem(meta: dict[str, Any]) -> str | None:
    """What is wrong with a save's metadata, checked field by field before any is used (a save
    can come from a stranger), or None. Hyperparameters are checked when the config is built."""
    from agents.registry import BY_NAME, KINDS

    kind, env_id, n_actions = meta["kind"], meta["env_id"], meta["n_actions"]
    if not isinstance(kind, str) or kind not in KINDS:
        return f"its agent kind {short(repr(kind))} is not one of {', '.join(KINDS)}"
    if not isinstance(env_id, str) or not 0 < len(env_id) <= 200 or not env_id.isprintable():
        return f"its env id {short(repr(env_id))} is not an environment id"
    action_space = meta.get("action_space")
    if action_space is not None:
        problem = _space_problem(action_space, depth=1)
        if problem is not None or action_space.get("type") != "Box" or len(action_space["shape"]) != 1 or not all(
                math.isfinite(v) for v in action_space["low"] + action_space["high"]):
            return "its action space is not a bounded Box of one dimension's vectors"
        if not BY_NAME[kind].continuous:
            return f"a {kind} agent does not choose continuous actions"
        if n_actions != 0:
            return "n_actions must be 0 for continuous actions"
    elif not _whole(n_actions, 1, MAX_ACTIONS):
        return f"n_actions must be a whole number from 1 to {MAX_ACTIONS:,}"
    elif not BY_NAME[kind].discrete:
        return f"a {kind} agent needs its continuous action space, which the save does not name"
    if not isinstance(meta["config"], dict):
        return "its settings ('config') are not an object"
    counters = meta["counters"]
    if not isinstance(counters, dict):
        return "its counters are not an object"
    for name in COUNTERS:
        if name in counters and not _whole(counters[name], 0, INT64_MAX):
            return f"the counter '{name}' must be a whole number from 0 to 2^63-1"
    epsilon = counters.get("epsilon", 0.0)
    if not _number(epsilon) or not 0 <= epsilon <= 1:
        return "the counter 'epsilon' must be a number from 0 to 1"
    observation = meta.get("observation_space")
    if not BY_NAME[kind].needs_model:
        space_problem = _space_problem(observation, depth=0)
        if space_problem is not None:
            return f"its observation space {space_problem}"
    elif observation is not None:  # a planner's states (saves before it was recorded name none)
        if _space_problem(observation, depth=1) is not None or observation.get("type") != "Discrete":
            return f"a {kind} agent plans over discrete states, and its observation space names none"
    evaluation = meta.get("evaluation")
    if evaluation is not None and (not isinstance(evaluation, dict) or not all(
            v is None or _number(v) for v in evaluation.values())):
        return "its evaluation is not an object of numbers"
    if not isinstance(meta.get("interrupted", False), bool):
        return "'interrupted' must be true or false"
    for key in ("created",):
        if key in meta and not isinstance(meta[key], (str, type(None))):
            return f"'{key}' must be text"
    return None


def _whole(x: Any, low: int, high: int) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and low <= x <= high


def _number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _space_problem(space: Any, depth: int) -> str | None:
    """What is wrong with a described observation space (see ``agents.base.describe_space``)."""
    if not isinstance(space, dict):
        return "is missing"
    kind = space.get("type")
    if kind == "Discrete":
        return None if _whole(space.get("n"), 1, 10**9) else "has a Discrete size that is not a whole number from 1 to 10^9"
    if kind == "Tuple" and depth == 0:
        parts = space.get("spaces")
        if not isinstance(parts, list) or not 0 < len(parts) <= 16:
            return "is a Tuple of 1 to 16 spaces only"
        for part in parts:
            if not isinstance(part, dict) or part.get("type") != "Discrete":
                return "is a Tuple of Discrete spaces only"
            problem = _space_problem(part, depth + 1)
            if problem is not None:
                return problem
        return None
    if kind == "Box":
        shape, low, high = space.get("shape"), space.get("low"), space.get("high")
        if not isinstance(shape, list) or not 0 < len(shape) <= 4 or not all(
                _whole(d, 1, MAX_OBS_VALUES) for d in shape):
            return "has a Box shape that is not 1 to 4 positive sizes"
        size = math.prod(shape)
        if size > MAX_OBS_VALUES:
            return f"has {size:,} values, more than {MAX_OBS_VALUES:,}"
        frames = space.get("dtype") == "uint8"
        if "dtype" in space and (not frames or len(shape) != 3):
            return "has a Box dtype other than uint8 frames (channels, height, width)"
        count = 1 if frames else size  # frames share one bound
        for bound in (low, high):
            if not isinstance(bound, list) or len(bound) != count or not all(
                    isinstance(v, (int, float)) and not isinstance(v, bool) and not math.isnan(v) for v in bound):
                return f"has Box bounds that are not {count} number{'s' if count > 1 else ''} each"
        return None
    return f"has an unknown type {short(repr(kind))}"


def _not_a_save(p: Path, head: bytes, size: int) -> str:
    """One sentence for a file that is not laid out as a safetensors file: what it is instead."""
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return f"{p} is a Python pickle; rltui never loads pickles, since loading one can run any code."
    if head[:4] == b"PK\x03\x04":
        return (f"{p} is a zip archive (a PyTorch checkpoint holds a pickle); "
                "rltui only loads its own .safetensors saves.")
    if head.startswith(b'{"rltui"'):
        return f"{p} is a saved episode, not an agent: rltui play --replay {p} opens it."
    if size < 9:
        return f"{p} is empty or truncated: it is not an rltui save."
    if len(head) >= 9 and head[8:9] == b"{":
        return f"{p} is truncated or is not an rltui save."
    return f"{p} is not an rltui save (not a safetensors file)."


def load_agent(path: str | os.PathLike[str], expect_env: str | None = None) -> tuple[Any, dict[str, Any]]:
    """Load a saved agent.

    Args:
        path: the save file.
        expect_env: refuse a save made for another env id.

    Returns:
        (agent, metadata).

    Raises:
        SaveError: any problem, as one sentence.
    """
    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    meta = read_metadata(path)
    if expect_env is not None and meta["env_id"] != expect_env:
        raise SaveError(f"{path} holds an agent for {meta['env_id']}, not {expect_env}.")
    try:
        arrays = load_file(str(path))
    except (SafetensorError, OSError, ValueError) as exc:
        raise SaveError(f"{path} is truncated or corrupt ({str(exc).splitlines()[0]}).") from None
    try:
        agent = _rebuild(meta, arrays)
    except (KeyError, TypeError, ValueError) as exc:
        reason = str(exc).strip("'\"").rstrip(".") or type(exc).__name__
        raise SaveError(f"{path} does not hold a consistent {meta['kind']} agent: {reason}.") from None
    return agent, meta


def _config(cls: Any, saved: dict[str, Any]) -> Any:
    """The config a save names, each value checked for its type and then for its range, as
    ``--set`` checks them (a hand-edited save cannot smuggle a string, a 0 train_freq or a
    network of a million units into the agent)."""
    defaults = cls()
    names = {f.name for f in dataclasses.fields(cls)}
    renamed: dict[str, str] = getattr(cls, "RENAMED", {})  # old name -> new (SAC's alpha)
    saved = {renamed[k] if k in renamed and renamed[k] not in saved else k: v for k, v in saved.items()}
    unknown = set(saved) - names
    if unknown:
        raise ValueError(f"unknown settings {short(str(sorted(unknown)))}")
    values: dict[str, Any] = {}
    for key, value in saved.items():
        current = getattr(defaults, key)
        if isinstance(current, bool):
            ok = isinstance(value, bool)
        elif isinstance(current, int):
            ok = isinstance(value, int) and not isinstance(value, bool) and abs(value) <= INT64_MAX
        elif isinstance(current, float):
            ok = _number(value)
            value = float(value) if ok else value
        elif isinstance(current, tuple):
            element = type(current[0]) if current else float
            ok = isinstance(value, list) and len(value) <= 64 and all(
                (_whole(v, -INT64_MAX, INT64_MAX) if element is int else _number(v)) for v in value)
            value = tuple(element(v) for v in value) if ok else value
        else:
            ok = isinstance(value, str) and len(value) <= 100
        if not ok:
            raise ValueError(f"setting '{key}' is not {type(current).__name__} data")
        values[key] = value
    if str(values.get("device", "cpu")).startswith("cuda"):
        values["device"] = "cpu"  # trained on a GPU, loaded anywhere; --device moves it back
    config = dataclasses.replace(defaults, **values)
    try:
        return apply_settings(config, {})  # the ranges --set enforces
    except SettingError as exc:
        said = str(exc).rstrip(".")
        raise ValueError(said[:1].lower() + said[1:]) from None  # it follows a colon


def _rebuild(meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> Any:
    """The agent of the save's kind (checked by :func:`meta_problem`), its settings checked."""
    from agents.registry import BY_NAME

    module = BY_NAME[meta["kind"]].load()
    return module.restore(meta["kind"], meta, arrays, _config(module.CONFIG, meta["config"]))
