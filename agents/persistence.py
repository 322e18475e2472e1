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
import struct
from pathlib import Path
from typing import Any

import numpy as np

from agents.base import apply_settings
from agents.files import read_problem, write_atomic

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
    counters["epsilon"] = float(agent.epsilon)
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "kind": agent.kind,
        "env_id": env_id,
        "observation_space": getattr(agent, "observation", None),
        "n_actions": int(agent.n_actions),
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
        with p.open("rb") as fh:
            head = fh.read(9)
            size = p.stat().st_size
            # Recognised by structure, safetensors first: a little-endian header length, then a
            # JSON object. Its first byte is that length's low byte, so it can be anything,
            # \x80 (a pickle's first opcode) included.
            n = struct.unpack("<Q", head[:8])[0] if len(head) >= 8 else -1
            if not (len(head) == 9 and head[8:9] == b"{" and 0 < n <= MAX_HEADER and n + 8 <= size):
                raise SaveError(_not_a_save(p, head, size))
            fh.seek(8)
            header = json.loads(fh.read(n).decode("utf-8"))
    except OSError as exc:
        raise SaveError(read_problem(p, exc, "a save file")) from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise SaveError(f"{p} is corrupt or is not an rltui save.") from None
    raw = header.get("__metadata__", {}).get(META_KEY) if isinstance(header, dict) else None
    if raw is None:
        raise SaveError(f"{p} is a safetensors file but not an rltui save (no rltui metadata).")
    try:
        meta = json.loads(raw)
    except json.JSONDecodeError:
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
    return meta


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
        raise SaveError(f"{path} does not hold a consistent {meta['kind']} agent: {exc}") from None
    return agent, meta


def _config(cls: Any, saved: dict[str, Any]) -> Any:
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(saved) - names
    if unknown:
        raise ValueError(f"unknown settings {sorted(unknown)}")
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in saved.items()}
    config = dataclasses.replace(cls(), **values)
    # Round-trip through the CLI parser's type checks: a hand-edited save cannot smuggle odd types.
    return apply_settings(config, {})


def _rebuild(meta: dict[str, Any], arrays: dict[str, np.ndarray]) -> Any:
    kind = meta["kind"]
    counters = meta["counters"]
    if kind == "value-iteration":
        from agents.value_iteration import ValueIterationConfig, from_table

        return from_table(arrays["q_table"], _config(ValueIterationConfig, meta["config"]), counters)
    if kind in ("q-learning", "sarsa", "expected-sarsa"):
        from agents.tabular import TabularAgent, TabularConfig

        agent = TabularAgent(kind, meta["observation_space"], int(meta["n_actions"]),
                             _config(TabularConfig, meta["config"]))
        agent.load_arrays(arrays, counters)
        return agent
    if kind == "dqn":
        from agents.dqn import DQNAgent, DQNConfig

        config = _config(DQNConfig, meta["config"])
        if config.device.startswith("cuda"):
            config = dataclasses.replace(config, device="cpu")  # load anywhere; --device moves it
        agent = DQNAgent(meta["observation_space"], int(meta["n_actions"]), config)
        agent.load_arrays(arrays, counters)
        return agent
    raise ValueError(f"unknown agent kind '{kind}'")
