"""Episodes on disk: JSON Lines that replay, and feed agents as demonstrations.

An episode file holds what it takes to play an episode again, and nothing that
could run code: a header line, then one line per step::

    {"rltui": "episode", "format": 1, "env": "Taxi-v4", "seed": 1831, "gamma": 0.99,
     "steps": 13, "return": 8.0, "terminated": true, "truncated": false,
     "agent": "q-learning", "saved": "2026-11-22T01:30:00+00:00"}
    {"t": 0, "action": 1, "reward": -1.0, "actor": "human"}

(a continuous env's agent writes its action vector: ``"action": [0.53, -1.0]``)
    ...

Observations are not stored: :func:`replay` resets the env with the seed and
takes the actions again, checking every reward against the file, so a file the
env no longer agrees with is refused rather than shown wrong.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

import numpy as np

from agents.files import parse_json, short, unused_path
from rltui.envs.catalog import LONGEST_EPISODE
from rltui.envs.session import AGENT, HUMAN, Episode, Transition
from rltui.envs.wrappers import named_actions_of
from rltui.fileio import UnreadableFile, read_limited, read_problem, write_atomic

FORMAT = "episode"
FORMAT_VERSION = 1
SUFFIX = ".jsonl"
MAX_LINE = 4096
"""Longer than any line rltui writes (a header is ~250 characters, a step ~60)."""
MAX_FILE = (LONGEST_EPISODE + 1) * MAX_LINE
ACTORS = (HUMAN, AGENT)


class EpisodeFileError(Exception):
    """An episode file that cannot be read, written or replayed; the message is one sentence."""


class EpisodeAlreadySaved(EpisodeFileError):
    """The episode asked to be saved is, unchanged, already in :attr:`path`."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"This episode is already saved as {path}; it is saved anew once it changes.")
        self.path = path


@dataclass(frozen=True)
class EpisodeRecord:
    """One episode as it is written to disk."""

    env: str
    seed: int
    gamma: float
    actions: tuple[Any, ...]
    """Each step's action index, or a continuous action's vector (a tuple of floats)."""
    rewards: tuple[float, ...]
    actors: tuple[str, ...]
    terminated: bool = False
    truncated: bool = False
    agent: str | None = None
    """The kind of agent that played along, if any."""
    source: str = ""
    """Where it was read from (for messages); empty for a record made in memory."""

    @property
    def steps(self) -> int:
        return len(self.actions)

    @property
    def return_(self) -> float:
        return float(sum(self.rewards))

    @property
    def name(self) -> str:
        return self.source or f"the {self.env} episode"


def record_of(episode: Episode, env_id: str, agent_kind: str | None = None) -> EpisodeRecord:
    """The record of an episode played in a :class:`~rltui.envs.session.Session`.

    Raises:
        EpisodeFileError: the episode has no seed, so it could not be replayed.
    """
    if episode.seed is None:
        raise EpisodeFileError("This episode was not seeded, so it cannot be replayed.")
    return EpisodeRecord(
        env=env_id,
        seed=int(episode.seed),
        gamma=float(episode.gamma),
        actions=tuple(_action_data(a) for a in episode.actions),
        rewards=tuple(float(r) for r in episode.rewards),
        actors=tuple(episode.actors),
        terminated=episode.terminated,
        truncated=episode.truncated,
        agent=agent_kind,
    )


# --- writing -------------------------------------------------------------------------


def to_jsonl(record: EpisodeRecord) -> str:
    header = {
        "rltui": FORMAT,
        "format": FORMAT_VERSION,
        "env": record.env,
        "seed": record.seed,
        "gamma": record.gamma,
        "steps": record.steps,
        "return": record.return_,
        "terminated": record.terminated,
        "truncated": record.truncated,
        "agent": record.agent,
        "saved": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }
    lines = [json.dumps(header)]
    lines.extend(
        json.dumps({"t": t, "action": a, "reward": r, "actor": who})
        for t, (a, r, who) in enumerate(zip(record.actions, record.rewards, record.actors))
    )
    return "\n".join(lines) + "\n"


def save(record: EpisodeRecord, directory: Path) -> Path:
    """Write ``record`` to a new ``DIR/ENV-YYYYMMDD-HHMMSS.jsonl`` (atomically, numbered so an
    existing file is never overwritten); returns its path.

    Raises:
        EpisodeFileError: the episode is empty or the file cannot be written.
    """
    if record.steps == 0:
        raise EpisodeFileError("There is nothing to save yet: this episode has no steps.")
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    from rltui.paths import id_stem

    path = unused_path(directory, f"{id_stem(record.env)}-{stamp}", SUFFIX)
    try:
        write_atomic(path, to_jsonl(record).encode("utf-8"))
    except OSError as exc:
        raise EpisodeFileError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    return path


# --- reading -------------------------------------------------------------------------


def read(path: str | Path) -> EpisodeRecord:
    """Read and check an episode file (not yet replayed: see :func:`replay`).

    Raises:
        EpisodeFileError: missing, not an episode file, a newer format, truncated or damaged.
    """
    from rltui.paths import PathError, confined

    p = Path(path)
    try:
        confined(p, "The episode file")
    except PathError as exc:
        raise EpisodeFileError(str(exc)) from None
    try:
        text = read_limited(p, MAX_FILE, "an episode file").decode("utf-8")
    except OSError as exc:
        raise EpisodeFileError(read_problem(p, exc, "an episode file")) from None
    except UnreadableFile as exc:
        raise EpisodeFileError(str(exc)) from None
    except UnicodeDecodeError:
        raise EpisodeFileError(f"{p} is not an rltui episode file (it is not text).") from None
    lines = text.split("\n")
    complete = text.endswith("\n")
    if complete:
        lines.pop()  # the empty string after the last newline
    if not lines or not lines[0].strip():
        raise EpisodeFileError(f"{p} is empty: it is not an rltui episode file.")
    if any(len(line) > MAX_LINE for line in lines):
        raise EpisodeFileError(f"{p} is not an rltui episode file (a line is longer than any it writes).")
    try:
        header = parse_json(lines[0])
    except ValueError:
        if len(lines) == 1 and not complete and lines[0].startswith('{"rltui"'):
            raise EpisodeFileError(f"{p} is truncated: its header is cut short.") from None
        raise EpisodeFileError(f"{p} is not an rltui episode file.") from None
    if not isinstance(header, dict) or header.get("rltui") != FORMAT:
        raise EpisodeFileError(f"{p} is not an rltui episode file.")
    version = header.get("format")
    if not isinstance(version, int) or version < 1:
        raise EpisodeFileError(f"{p} has no valid episode format number.")
    if version > FORMAT_VERSION:
        raise EpisodeFileError(
            f"{p} was written by a newer rltui (episode format {version}); "
            f"this one reads up to format {FORMAT_VERSION}: upgrade rltui."
        )
    env, seed, steps = header.get("env"), header.get("seed"), header.get("steps")
    gamma = header.get("gamma", 1.0)
    if not isinstance(env, str) or not env or len(env) > 200 or not env.isprintable():
        raise EpisodeFileError(f"{p} does not say which environment it was played in.")
    if not _is_int(seed) or not 0 <= seed < 2**63:
        raise EpisodeFileError(f"{p} has a damaged header (its seed must be a whole number from 0 to 2^63-1).")
    if not _is_int(steps) or not 0 <= steps <= LONGEST_EPISODE:
        raise EpisodeFileError(
            f"{p} has a damaged header (its step count must be a whole number from 0 to {LONGEST_EPISODE:,})."
        )
    if not isinstance(gamma, (int, float)) or isinstance(gamma, bool) or not 0 <= gamma <= 1:
        raise EpisodeFileError(f"{p} has a damaged header (gamma must be between 0 and 1).")
    body = lines[1:]
    actions: list[Any] = []
    rewards: list[float] = []
    actors: list[str] = []
    for i, line in enumerate(body):
        lineno = i + 2
        try:
            row = parse_json(line)
        except ValueError:
            if i == len(body) - 1 and not complete:
                break  # a last line cut short: reported as truncated below
            raise EpisodeFileError(f"{p} is damaged: line {lineno} is not valid JSON.") from None
        action, reward, actor = (
            (row.get(k) for k in ("action", "reward", "actor")) if isinstance(row, dict) else (None, None, None)
        )
        if (
            isinstance(action, list)
            and 0 < len(action) <= 64
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in action)
        ):
            if not all(_action_value(v) for v in action):
                raise EpisodeFileError(
                    f"{p} is damaged: step {i}'s action holds a value that is not a "
                    f"finite number within ±{ACTION_LIMIT:.3g}, as every env's actions are."
                )
            action = tuple(float(v) for v in action)
        elif not _is_int(action) or action < 0:
            action = None
        if (
            action is None
            or actor not in ACTORS
            or not isinstance(reward, (int, float))
            or isinstance(reward, bool)
            or not math.isfinite(reward)
            or row.get("t", i) != i
        ):
            raise EpisodeFileError(
                f"{p} is damaged: line {lineno} is not step {i} (an action, a reward and who acted)."
            )
        actions.append(action)
        rewards.append(float(reward))
        actors.append(actor)
    if len(actions) < steps:
        raise EpisodeFileError(f"{p} is truncated: it holds {len(actions)} of its {steps} steps.")
    if len(actions) > steps:
        raise EpisodeFileError(f"{p} is damaged: it holds {len(actions)} steps but says {steps}.")
    agent = header.get("agent")
    return EpisodeRecord(
        env=env,
        seed=seed,
        gamma=float(gamma),
        actions=tuple(actions),
        rewards=tuple(rewards),
        actors=tuple(actors),
        terminated=header.get("terminated") is True,
        truncated=header.get("truncated") is True,
        agent=agent if isinstance(agent, str) else None,
        source=str(p),
    )


def _ending(terminated: bool, truncated: bool) -> str:
    return "ended" if terminated else "hit its time limit" if truncated else "went on"


def _action_data(action: Any) -> Any:
    """An action as a file keeps it: an int, or a vector's floats."""
    if isinstance(action, (int, np.integer)):
        return int(action)
    return tuple(float(v) for v in np.asarray(action, dtype=np.float64).reshape(-1))


ACTION_LIMIT = float(np.finfo(np.float32).max)
"""An env takes a continuous action as 32-bit floats: 1e308 would become inf there."""


def _action_value(v: int | float) -> bool:
    """A number of a continuous action that stays finite as a 32-bit float."""
    try:
        return abs(float(v)) <= ACTION_LIMIT  # NaN fails too
    except OverflowError:  # an integer of hundreds of digits
        return False


def _is_int(x: Any) -> TypeGuard[int]:
    return isinstance(x, int) and not isinstance(x, bool)


# --- replaying -------------------------------------------------------------------------


def replay(record: EpisodeRecord, env: Any) -> Iterator[Transition]:
    """Play ``record`` again in ``env`` (made for ``record.env``), yielding each step.

    The env is reset with the record's seed; each reward must match the file's.

    Raises:
        EpisodeFileError: an action the env does not have, a different reward, or the
            episode ending before the file does: the env is not the one it was recorded in.
    """
    obs, _ = env.reset(seed=record.seed)
    space = env.action_space
    continuous = not hasattr(space, "n")
    n_actions = named_actions_of(env) if continuous else int(space.n)
    size = int(np.prod(space.shape)) if continuous else 0
    last = record.steps - 1
    for t, (action, expected, actor) in enumerate(zip(record.actions, record.rewards, record.actors)):
        if isinstance(action, tuple):
            if len(action) != size:
                wanted = f"vectors of {size}" if continuous else "discrete ones"
                raise EpisodeFileError(
                    f"{record.name} cannot be replayed: step {t} takes an action of "
                    f"{len(action)} values, but {record.env}'s actions are {wanted}."
                )
            action = np.asarray(action, dtype=np.float32)
        elif action >= n_actions:
            raise EpisodeFileError(
                f"{record.name} cannot be replayed: step {t} takes action "
                f"{action}, but {record.env} has {n_actions} "
                f"{'named actions' if continuous else 'actions'}."
            )
        next_obs, reward, terminated, truncated, info = env.step(action)
        reward = float(reward)
        if not math.isclose(reward, expected, rel_tol=1e-9, abs_tol=1e-9):
            raise EpisodeFileError(
                f"{record.name} no longer replays: at step {t} {record.env} gives reward "
                f"{reward:g} where the file has {expected:g}, so the environment has changed "
                "since it was recorded."
            )
        if (terminated or truncated) and t < last:
            raise EpisodeFileError(
                f"{record.name} no longer replays: {record.env} ends the episode at step {t}, "
                f"but the file goes on to step {last}, so the environment has changed."
            )
        if t == last and (bool(terminated), bool(truncated)) != (record.terminated, record.truncated):
            said = _ending(record.terminated, record.truncated)
            raise EpisodeFileError(
                f"{record.name} no longer replays: after its last step {record.env} "
                f"{_ending(bool(terminated), bool(truncated))}, where the file says it {said}."
            )
        yield Transition(obs, action, reward, next_obs, bool(terminated), bool(truncated), t, actor, info)
        obs = next_obs


def check(record: EpisodeRecord, entry: Any, kind: str | None = None) -> list[Transition]:
    """Replay ``record`` in a fresh headless env for ``entry``: its steps, checked, with the
    observations an agent of ``kind`` sees (:func:`rltui.envs.catalog.observation_for`).

    Raises:
        EpisodeFileError: it was recorded in another env, or (as :func:`replay`) it no
            longer agrees with this one.
    """
    from rltui.envs import catalog

    if record.env != entry.id:
        raise EpisodeFileError(f"{record.name} was recorded in {short(record.env)}, not {entry.id}.")
    env = catalog.make_env(entry, render=False, kind=kind)
    try:
        return list(replay(record, env))
    finally:
        env.close()


def learn_from(agent: Any, records: list[EpisodeRecord], entry: Any, passes: int = 1) -> int:
    """Feed recorded episodes to an (off-policy) agent as demonstrations; how many steps it saw.

    Each record is replayed (and checked) first, so the agent learns from the env's
    real observations, not from anything stored in the file.

    Raises:
        EpisodeFileError: a record from another env, or one that no longer replays.
    """
    transitions = [check(record, entry, agent.kind) for record in records]
    seen = 0
    for _ in range(passes):
        for steps in transitions:
            for transition in steps:
                agent.observe(transition)
                seen += 1
    return seen
