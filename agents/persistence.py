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
import os
import platform
import stat
import struct
from pathlib import Path
from typing import Any

import numpy as np

from agents.base import INT64_MAX, SettingError, apply_settings
from agents.files import parse_json, short
from agents.save_checks import MAX_FILE, _arrays_problem, _number, _whole, meta_problem
from rltui.fileio import read_problem, write_atomic

FORMAT = "rltui-agent"
FORMAT_VERSION = 1
META_KEY = "rltui"
SUFFIX = ".safetensors"
MAX_HEADER = 16 * 1024 * 1024


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


def save_agent(
    agent: Any,
    path: str | os.PathLike[str],
    env_id: str,
    evaluation: dict[str, Any] | None = None,
    interrupted: bool = False,
) -> Path:
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

    from rltui.paths import PathError, confined

    target = Path(path)
    if not target.suffix:
        target = target.with_suffix(SUFFIX)
    try:
        confined(target, "The save", write=True)
    except PathError as exc:
        raise SaveError(str(exc)) from None
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
    exercise = getattr(agent, "exercise", None)
    if exercise is not None:  # trained with a learner's function in place (agents/exercises/live.py)
        meta["exercise"] = exercise.describe()
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
        SaveError: missing, not a save, a pickle, truncated, corrupt or a newer format, or
            (on a shared server) outside the visitor's folder and the shipped saves.
    """
    from rltui.paths import PathError, confined

    p = Path(path)
    try:
        confined(p, "The save")
    except PathError as exc:
        raise SaveError(str(exc)) from None
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
        raise SaveError(
            f"{p} was written by a newer rltui (save format {version}); "
            f"this one reads up to format {FORMAT_VERSION}: upgrade rltui."
        )
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


def _not_a_save(p: Path, head: bytes, size: int) -> str:
    """One sentence for a file that is not laid out as a safetensors file: what it is instead."""
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return f"{p} is a Python pickle; rltui never loads pickles, since loading one can run any code."
    if head[:4] == b"PK\x03\x04":
        return (
            f"{p} is a zip archive (a PyTorch checkpoint holds a pickle); rltui only loads its own .safetensors saves."
        )
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
            ok = (
                isinstance(value, list)
                and len(value) <= 64
                and all((_whole(v, -INT64_MAX, INT64_MAX) if element is int else _number(v)) for v in value)
            )
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
