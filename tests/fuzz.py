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
    None,
    True,
    -1,
    0,
    1,
    2**63,
    -(2**63) - 1,
    10**6,
    1e400,
    -1e400,
    float("nan"),
    0.5,
    "",
    "x" * 10_000,
    "cuda",
    [],
    [1, 2],
    [10**6, 10**6],
    {},
    {"a": 1},
    [[[[[]]]]],
    "NaN",
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
    header = json.loads(data[8 : 8 + n])
    header["__metadata__"]["rltui"] = json.dumps(meta, allow_nan=True)
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    return struct.pack("<Q", len(raw)) + raw + data[8 + n :]


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
        yield "\n".join([*lines[:i], json.dumps(row, allow_nan=True), *lines[i + 1 :]]) + "\n"


DTYPES = ("F16", "BF16", "F32", "F64", "I8", "U8", "I16", "I32", "I64", "BOOL", "F8_E4M3", "X")
ITEM_SIZE = {
    "F16": 2,
    "BF16": 2,
    "F32": 4,
    "F64": 8,
    "I8": 1,
    "U8": 1,
    "I16": 2,
    "I32": 4,
    "I64": 8,
    "BOOL": 1,
    "F8_E4M3": 1,
}


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
    header = json.loads(data[8 : 8 + n])
    body = data[8 + n :]
    names = [k for k in header if k != "__metadata__"]
    name = rng.choice(names)
    entry = header[name]
    size = ITEM_SIZE.get(entry["dtype"], 4)
    how = rng.choice(("dtype", "dtype", "shape", "shape", "shape", "drop", "rename", "extra", "empty", "offsets"))
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


# --- Minari datasets ------------------------------------------------------------------

DATASET_MEMBERS = ("observations", "actions", "rewards", "terminations", "truncations", "infos/actor")
ODD_NUMBERS = (float("nan"), float("inf"), -1.0, 0.5, 10**6, 1e308, 2.0**62, -(2.0**63), 3e38)


def _odd_array(shape: tuple[int, ...], rng: random.Random) -> Any:
    import numpy as np

    dtype = rng.choice(("f8", "f4", "i8", "u1", "b1", "S3"))
    value = rng.choice(ODD_NUMBERS)
    out = np.zeros(shape, dtype="f8")
    if out.size:
        out.flat[rng.randrange(out.size)] = value
    if dtype == "S3":
        return np.full(shape, b"abc")
    with np.errstate(all="ignore"):
        return out.astype(dtype)


def _mutate_hdf5(path: Any, rng: random.Random, fifo: str) -> None:
    """One structural change to a Minari HDF5 file, made with h5py: a member missing, of odd
    values, another length or shape, another type, declared huge, or a link to elsewhere."""
    import h5py
    import numpy as np

    with h5py.File(path, "r+") as f:
        episodes = sorted(f.keys())
        how = rng.choice(("member",) * 6 + ("drop episode", "extra episode", "rename episode"))
        if how == "drop episode":
            del f[rng.choice(episodes)]
            return
        if how == "extra episode":
            f.copy(episodes[0], f"episode_{len(episodes) + rng.choice((0, 0, 5))}")
            return
        if how == "rename episode":
            f.move(episodes[0], rng.choice(("episode_x", "episode_-1", "other", f"episode_{10**9}")))
            return
        group = f[rng.choice(episodes)]
        name = rng.choice(DATASET_MEMBERS)
        old = group.get(name)
        shape = tuple(old.shape) if isinstance(old, h5py.Dataset) else (3,)
        change = rng.choice(
            ("delete", "values", "values", "values", "length", "dimension", "huge", "link", "group", "compound")
        )
        if name in group:
            del group[name]
        if change == "delete":
            return
        if change == "values":
            group[name] = _odd_array(shape, rng)
        elif change == "length":
            group[name] = np.zeros((max(0, shape[0] + rng.choice((-1, 1, 1000))), *shape[1:]))
        elif change == "dimension":
            group[name] = np.zeros((*shape, rng.choice((1, 2))))
        elif change == "huge":  # a few bytes in the file, terabytes to read
            group.create_dataset(
                name,
                shape=(rng.choice((10**9, 10**12, 2**40)), *shape[1:]),
                maxshape=(None, *shape[1:]),
                chunks=True,
                dtype="f8",
            )
        elif change == "link":
            group[name] = rng.choice(
                (h5py.ExternalLink(fifo, "/x"), h5py.SoftLink("/nowhere"), h5py.ExternalLink("/dev/zero", "/x"))
            )
        elif change == "group":
            group.create_group(name)
        else:
            group[name] = np.zeros(shape[:1], dtype=[("a", "i8"), ("b", "f8")])


def _mutate_metadata(path: Any, rng: random.Random) -> None:
    text = path.read_text()
    draw = rng.random()
    if draw < 0.25:
        path.write_bytes(mutate_bytes(text.encode(), rng))
        return
    meta = json.loads(text)
    if draw < 0.5:
        meta = mutate_meta(meta, rng)
    else:
        key = rng.choice(("total_episodes", "total_steps", "data_format", "env_spec"))
        meta[key] = rng.choice(
            {
                "total_episodes": (10**9, 10**18, -1, 0, meta["total_episodes"] + 1, "1", None),
                "total_steps": (10**12, -1, meta["total_steps"] + 1, 1.5, 10**7),
                "data_format": ("arrow", "", None, 7),
                "env_spec": ("{", "[]", json.dumps({"id": 7}), json.dumps({"id": "CartPole-v1"}), "x" * 10_000, 3),
            }[key]
        )
    path.write_text(json.dumps(meta, allow_nan=True))


def _special_file(path: Any, rng: random.Random, fifo: str) -> None:
    """``path`` replaced by what no reader should open blindly: nothing, a FIFO, a folder, a
    link to a device or to itself, an empty file, garbage."""
    import os

    path.unlink()
    how = rng.choice(("missing", "fifo", "folder", "device", "loop", "empty", "garbage", "huge-garbage"))
    if how == "fifo":
        os.mkfifo(path)
    elif how == "folder":
        path.mkdir()
    elif how == "device":
        path.symlink_to("/dev/zero")
    elif how == "loop":
        path.symlink_to(path.name)
    elif how == "empty":
        path.write_bytes(b"")
    elif how == "garbage":
        path.write_bytes(bytes(rng.randrange(256) for _ in range(rng.choice((7, 512, 4096)))))
    elif how == "huge-garbage":
        with path.open("wb") as fh:  # sparse: 2 MB of zeros, taking no disk
            fh.truncate(2 * 2**20)
    del fifo


def dataset_mutants(good: Any, root: Any, n: int, seed: int) -> Iterator[str]:
    """Damaged copies of the Minari dataset folder ``good``, written under ``root`` (Minari's
    datasets folder); yields each copy's dataset id. The folder of the last one is replaced by
    the next."""
    import shutil

    rng = random.Random(seed)
    fifo = str(root / "a-fifo")
    import os

    if not os.path.exists(fifo):
        os.mkfifo(fifo)
    for i in range(n):
        dataset_id = f"fuzz/case-v{i}"
        folder = root / dataset_id
        shutil.rmtree(root / "fuzz", ignore_errors=True)
        shutil.copytree(good, folder)
        data = folder / "data"
        draw = rng.random()
        if draw < 0.45:
            _mutate_hdf5(data / "main_data.hdf5", rng, fifo)
        elif draw < 0.7:
            _mutate_metadata(data / "metadata.json", rng)
        elif draw < 0.85:
            hdf5 = data / "main_data.hdf5"
            hdf5.write_bytes(mutate_bytes(hdf5.read_bytes(), rng))
        else:
            _special_file(data / rng.choice(("main_data.hdf5", "metadata.json")), rng, fifo)
        yield dataset_id


# --- planner saves ----------------------------------------------------------------------


def planner_mutants(
    meta: dict[str, Any], arrays: dict[str, Any], fits: dict[str, bool], n: int, seed: int
) -> Iterator[tuple[dict[str, Any], dict[str, Any], bool]]:
    """A planner save's metadata and arrays changed one way, and whether the change must be
    refused: relabelled for another env (``fits`` says which envs have its states and actions),
    a Q-table row too many or too few, an array dropped, added, retyped or holding values out of
    range, its recorded states or actions changed."""
    import numpy as np

    rng = random.Random(seed)
    names = sorted(arrays)
    for _ in range(n):
        m, a = json.loads(json.dumps(meta)), {k: v.copy() for k, v in arrays.items()}
        how = rng.choice(("env", "env", "rows", "drop", "extra", "odd", "policy", "dtype", "states", "actions"))
        refuse = True
        if how == "env":
            m["env_id"] = rng.choice(sorted(fits))
            refuse = not fits[m["env_id"]]
        elif how == "rows":
            k = rng.choice((-3, -1, 1, 2, 100))
            for name in [rng.choice(names)] if rng.random() < 0.5 else names:
                v = a[name]
                a[name] = v[:k] if k < 0 else np.concatenate([v, v[:1].repeat(k, axis=0)])
        elif how == "drop":
            del a[rng.choice(names)]
        elif how == "extra":
            a[rng.choice(("extra", "q_table_", "v2"))] = np.zeros(3)
        elif how == "odd":
            name = rng.choice([k for k in names if a[k].dtype.kind == "f"])
            a[name].flat[rng.randrange(a[name].size)] = rng.choice((np.nan, np.inf, -np.inf))
        elif how == "policy":
            if "policy" not in a:
                continue
            a["policy"][rng.randrange(a["policy"].size)] = rng.choice((-1, int(meta["n_actions"]), 10**9))
        elif how == "dtype":
            name = rng.choice(names)
            a[name] = a[name].astype(
                rng.choice(("i8", "f4", "u1", "b1")) if a[name].dtype.kind == "f" else rng.choice(("f8", "f4"))
            )
            refuse = a[name].dtype.kind != "f" or name == "policy"  # f4 values are still values
        elif how == "states":
            m["observation_space"] = rng.choice(
                (
                    {"type": "Discrete", "n": meta["observation_space"]["n"] + 1},
                    {"type": "Discrete", "n": 0},
                    {"type": "Box"},
                    7,
                )
            )
        else:
            m["n_actions"] = rng.choice((meta["n_actions"] + 1, meta["n_actions"] - 1, 0))
        yield m, a, refuse


# --- numbers ----------------------------------------------------------------------------


def number_text(rng: random.Random) -> str:
    """A number as a person or a script might type it, often one too big, small or odd for
    any setting: 1e308, thirty nines, NaN, a hex literal, a list with one huge element."""
    return rng.choice(
        (
            "1e308",
            "-1e308",
            "1e400",
            "9" * rng.randint(19, 60),
            "-" + "9" * 30,
            "nan",
            "inf",
            "-inf",
            "1e-400",
            "0",
            "-0",
            "1e18",
            "9.3e18",
            "0x10",
            "1_000",
            "64,1e20",
            "1e19,1e19",
            ",",
            "",
            " 64 ",
            f"{rng.uniform(-1e20, 1e20):g}",
            str(10 ** rng.randint(0, 30)),
            f"{rng.random():.3f}",
            str(rng.randint(-5, 5000)),
            f"{rng.randint(1, 512)},{rng.randint(1, 512)}",
        )
    )
