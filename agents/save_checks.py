"""What a save's header must hold before anything of it is used: its arrays' table (dtypes,
shapes) and every metadata field (kind, counters, spaces, evaluation), each checked for type
and range; the reasons are phrases :mod:`agents.persistence` puts into one sentence."""

from __future__ import annotations

import math
from typing import Any

from agents.base import INT64_MAX
from agents.files import short

MAX_FILE = 512 * 1024 * 1024
"""No rltui agent comes near this (a LunarLander DQN is 1.5 MB); a bigger file is not one."""
MAX_ACTIONS = 100_000
MAX_OBS_VALUES = 100_000
"""Values in one observation (a Box's product of its shape), or discrete sub-spaces of a Tuple."""
COUNTERS = ("steps", "episodes", "updates", "sweeps", "improvements")


NUMPY_DTYPES = frozenset({"F16", "F32", "F64", "I8", "I16", "I32", "I64", "U8", "U16", "U32", "U64", "BOOL"})
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
        if (
            problem is not None
            or action_space.get("type") != "Box"
            or len(action_space["shape"]) != 1
            or not all(math.isfinite(v) for v in action_space["low"] + action_space["high"])
        ):
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
    if evaluation is not None and (
        not isinstance(evaluation, dict) or not all(v is None or _number(v) for v in evaluation.values())
    ):
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
        return (
            None
            if _whole(space.get("n"), 1, 10**9)
            else "has a Discrete size that is not a whole number from 1 to 10^9"
        )
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
        if (
            not isinstance(shape, list)
            or not 0 < len(shape) <= 4
            or not all(_whole(d, 1, MAX_OBS_VALUES) for d in shape)
        ):
            return "has a Box shape that is not 1 to 4 positive sizes"
        size = math.prod(shape)
        if size > MAX_OBS_VALUES:
            return f"has {size:,} values, more than {MAX_OBS_VALUES:,}"
        frames = space.get("dtype") == "uint8"
        if "dtype" in space and (not frames or len(shape) != 3):
            return "has a Box dtype other than uint8 frames (channels, height, width)"
        count = 1 if frames else size  # frames share one bound
        for bound in (low, high):
            if (
                not isinstance(bound, list)
                or len(bound) != count
                or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and not math.isnan(v) for v in bound)
            ):
                return f"has Box bounds that are not {count} number{'s' if count > 1 else ''} each"
        return None
    return f"has an unknown type {short(repr(kind))}"
