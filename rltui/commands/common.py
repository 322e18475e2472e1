"""What the commands share: user errors, env look-up, settings, JSON output."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from agents.files import short
from rltui.envs.catalog import EnvEntry

EXIT_USAGE = 2
"""The exit code of a command given a bad input (argparse's own)."""


class UsageError(Exception):
    """Bad input from the user: one sentence, exit status 2."""


def resolve_env(env_id: str) -> EnvEntry:
    from rltui.envs import catalog

    try:
        return catalog.resolve(env_id)
    except catalog.CatalogError as exc:
        raise UsageError(str(exc)) from None


def check_seed(seed: int | None) -> None:
    """Seeds are whole numbers from 0 to 2^63-1 (what numpy and gymnasium take)."""
    if seed is not None and not 0 <= seed < 2**63:
        raise UsageError(f"--seed must be a whole number from 0 to 2^63-1, not {short(str(seed))}.")


def parse_settings(pairs: Sequence[str] | None) -> dict[str, str]:
    """``["alpha=0.5", "gamma=0.9"]`` → ``{"alpha": "0.5", "gamma": "0.9"}``."""
    settings: dict[str, str] = {}
    for pair in pairs or ():
        key, sep, value = pair.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise UsageError(f"--set takes key=value, not '{pair}'.")
        settings[key.strip()] = value.strip()
    return settings


def print_json(obj: dict[str, Any]) -> None:
    """The one JSON object a --json run prints, on the last line of stdout."""
    print(json.dumps(obj), flush=True)


def round_or_none(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(float(x), digits)


def read_episode(path: str, entry: EnvEntry | None = None) -> tuple[Any, EnvEntry]:
    """Read an episode file and check that it still replays: (record, env entry).

    Args:
        path: the file.
        entry: the env it must have been recorded in; None: whichever it names.

    Raises:
        UsageError: one sentence for a missing, damaged, truncated or foreign file, an env
            that is not installed, or actions that no longer give the recorded rewards.
    """
    from rltui.envs import catalog
    from rltui.formats import episodes

    try:
        record = episodes.read(path)
    except episodes.EpisodeFileError as exc:
        raise UsageError(str(exc)) from None
    if entry is None:
        known = catalog.get(record.env)
        if known is not None and not known.available:
            raise UsageError(
                f"{path} was recorded in {short(record.env)}, which needs {known.requires} "
                f"(not installed): {known.install_hint}."
            )
        try:
            entry = catalog.resolve(record.env)
        except catalog.CatalogError:
            raise UsageError(f"{path} was recorded in {short(record.env)}, which is not installed here.") from None
    try:
        episodes.check(record, entry)
    except (episodes.EpisodeFileError, catalog.CatalogError) as exc:
        raise UsageError(str(exc)) from None
    return record, entry


def kind_list() -> str:
    """The agent kinds, for help texts: ``q-learning, sarsa, … or ppo``."""
    from agents.registry import KINDS

    return ", ".join(KINDS[:-1]) + " or " + KINDS[-1]


def run_in_task(add_parser: Any, run: Any, argv: list[str]) -> tuple[int, str]:
    """Run one subcommand (its ``add_parser`` and ``run``) on ``argv`` in this process, as
    ``rltui`` would from the command line, for a Ray task: (the exit code, what it printed)."""
    import argparse
    import contextlib
    import io
    import sys

    from rltui.paths import PathError

    parser = argparse.ArgumentParser(prog="rltui")
    add_parser(parser.add_subparsers(dest="command"))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            code = run(parser.parse_args(argv))
        except (UsageError, PathError) as exc:
            print(f"rltui: {exc}", file=sys.stderr)
            code = EXIT_USAGE
    return code, out.getvalue()
