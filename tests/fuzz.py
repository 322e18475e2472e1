"""Seeded mutants of rltui's file formats, for the fuzz tests: every field of a save's metadata
and of an episode file gets values of the wrong type, out of range, huge, nested or missing,
and the bytes get cut and flipped. New fields are fuzzed as soon as a save carries them."""

from __future__ import annotations

import json
import random
import struct
from collections.abc import Iterator
from typing import Any

ODD_VALUES: tuple[Any, ...] = (
    None, True, -1, 0, 1, 2**63, -(2**63) - 1, 10**6, 1e400, -1e400, float("nan"), 0.5, "",
    "x" * 10_000, "cuda", [], [1, 2], [10**6, 10**6], {}, {"a": 1}, [[[[[]]]]], "NaN",
)


def _paths(obj: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """Every key path in a JSON object (dicts and lists)."""
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield (*prefix, key)
            yield from _paths(value, (*prefix, key))
    elif isinstance(obj, list) and obj:
        yield (*prefix, 0)
        yield from _paths(obj[0], (*prefix, 0))


def _set(obj: Any, path: tuple, value: Any, delete: bool = False) -> None:
    for key in path[:-1]:
        obj = obj[key]
    if delete and isinstance(obj, dict):
        del obj[path[-1]]
    else:
        obj[path[-1]] = value


def mutate_meta(meta: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A copy of ``meta`` with one or two fields given odd values (or removed)."""
    out = json.loads(json.dumps(meta))
    paths = list(_paths(out))
    for _ in range(rng.choice((1, 1, 2))):
        path = rng.choice(paths)
        try:
            _set(out, path, rng.choice(ODD_VALUES), delete=rng.random() < 0.1)
        except (KeyError, IndexError, TypeError):
            pass
        paths = list(_paths(out))
    return out


def save_with_meta(data: bytes, meta: dict[str, Any]) -> bytes:
    """The save ``data`` with its rltui metadata replaced (the arrays kept)."""
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    header["__metadata__"]["rltui"] = json.dumps(meta, allow_nan=True)
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw + data[8 + n:]


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    """``data`` cut short, or with a few bytes flipped."""
    if rng.random() < 0.5:
        return data[: rng.randrange(len(data))]
    out = bytearray(data)
    for _ in range(rng.randrange(1, 8)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def save_mutants(data: bytes, meta: dict[str, Any], n: int, seed: int) -> Iterator[bytes]:
    rng = random.Random(seed)
    for _ in range(n):
        draw = rng.random()
        if draw < 0.6:
            yield save_with_meta(data, mutate_meta(meta, rng))
        elif draw < 0.85:
            yield mutate_tensors(data, rng)
        else:
            yield mutate_bytes(data, rng)


def episode_mutants(text: str, n: int, seed: int) -> Iterator[str]:
    """An episode file's text with its header or a step line mutated, or cut."""
    rng = random.Random(seed)
    lines = text.splitlines()
    for _ in range(n):
        if rng.random() < 0.2:
            yield text[: rng.randrange(len(text))]
            continue
        i = 0 if rng.random() < 0.6 else rng.randrange(1, len(lines))
        row = mutate_meta(json.loads(lines[i]), rng)
        yield "\n".join([*lines[:i], json.dumps(row, allow_nan=True), *lines[i + 1:]]) + "\n"


DTYPES = ("F16", "BF16", "F32", "F64", "I8", "U8", "I16", "I32", "I64", "BOOL", "F8_E4M3", "X")
ITEM_SIZE = {"F16": 2, "BF16": 2, "F32": 4, "F64": 8, "I8": 1, "U8": 1, "I16": 2, "I32": 4, "I64": 8,
             "BOOL": 1, "F8_E4M3": 1}


def _reshaped(shape: list[int], rng: random.Random) -> list[int]:
    """Another shape with the same number of elements, so the file stays well-formed."""
    n = 1
    for d in shape:
        n *= d
    choices: list[list[int]] = [[n], [1, n], [n, 1], list(reversed(shape)), [*shape, 1], []]
    if n % 2 == 0 and n:
        choices += [[2, n // 2], [n // 2, 2, 1]]
    return rng.choice([c for c in choices if c != shape] or [[n]])


def mutate_tensors(data: bytes, rng: random.Random) -> bytes:
    """``data`` with one array's header entry changed: another dtype, another shape (with the same
    byte count, so only rltui's own checks can tell), a missing, renamed, extra or empty array."""
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    names = [k for k in header if k != "__metadata__"]
    name = rng.choice(names)
    entry = header[name]
    size = ITEM_SIZE.get(entry["dtype"], 4)
    how = rng.choice(("dtype", "dtype", "shape", "shape", "shape", "drop", "rename", "extra", "empty",
                      "offsets"))
    if how == "dtype":
        new = rng.choice(DTYPES)
        entry["dtype"] = new
        if new in ITEM_SIZE and ITEM_SIZE[new] != size:  # keep the byte count: re-shape to fit
            total = entry["data_offsets"][1] - entry["data_offsets"][0]
            if total % ITEM_SIZE[new] == 0:
                entry["shape"] = [total // ITEM_SIZE[new]]
    elif how == "shape":
        entry["shape"] = _reshaped(entry["shape"], rng)
    elif how == "drop":
        del header[name]
    elif how == "rename":
        header[name + "_"] = header.pop(name)
    elif how == "extra":
        header["extra"] = {"dtype": "F32", "shape": [1], "data_offsets": [len(body), len(body) + 4]}
        body += b"\0\0\0\0"
    elif how == "empty":
        entry["shape"] = [0] * max(1, len(entry["shape"]))
        start = entry["data_offsets"][0]
        entry["data_offsets"] = [start, start]
    else:
        start, end = entry["data_offsets"]
        entry["data_offsets"] = rng.choice(([end, start], [start, end + 10**12], [-1, end], [start, None]))
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw + body
