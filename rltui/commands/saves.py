"""``rltui saves``: the saved agents and episodes, with what each is."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rltui.commands.common import episodes_dir, print_json, saves_dir


def add_parser(sub: Any) -> None:
    p = sub.add_parser("saves", help="list the saved agents in saves/ and episodes in saves/episodes/")
    p.add_argument("--json", action="store_true", help="one JSON list on the last line")


def _listing(directory: Path, suffix: str, read: Callable[[Path], Any], error: type[Exception],
             describe: Callable[[Any], dict[str, Any]]) -> list[dict[str, Any]]:
    """A row per ``*suffix`` file in ``directory``: what ``describe`` says of it, or why ``read``
    could not read it."""
    rows: list[dict[str, Any]] = []
    paths = directory.glob(f"*{suffix}") if directory.is_dir() else []
    for path in sorted(paths, key=lambda p: p.stem):  # NAME before NAME-2
        try:
            item = read(path)
        except error as exc:
            rows.append({"file": str(path), "error": str(exc)})
        else:
            rows.append({"file": str(path), **describe(item)})
    return rows


def list_saves() -> list[dict[str, Any]]:
    """Every ``*.safetensors`` under the saves folder, with its metadata or why it is unreadable."""
    from agents.persistence import SUFFIX, SaveError, read_metadata

    def describe(meta: dict[str, Any]) -> dict[str, Any]:
        return {
            "env": meta["env_id"],
            "agent": meta["kind"],
            "steps": meta["counters"].get("steps"),
            "eval_return": (meta.get("evaluation") or {}).get("return_mean"),
            "date": meta.get("created"),
        }

    return _listing(saves_dir(), SUFFIX, read_metadata, SaveError, describe)


def list_episodes() -> list[dict[str, Any]]:
    """Every episode file under ``saves/episodes/``, read (not replayed), or why it is unreadable."""
    from rltui.core.episodes import SUFFIX, EpisodeFileError, EpisodeRecord, read

    def describe(record: EpisodeRecord) -> dict[str, Any]:
        return {
            "env": record.env,
            "steps": record.steps,
            "return": record.return_,
            "played_by": "+".join(sorted(set(record.actors))) or "nobody",
            "ended": "terminated" if record.terminated else "truncated" if record.truncated else "no",
        }

    return _listing(episodes_dir(), SUFFIX, read, EpisodeFileError, describe)


def run(args: argparse.Namespace) -> int:
    rows = list_saves()
    recorded = list_episodes()
    if args.json:
        print_json({"saves": rows, "episodes": recorded})
        return 0
    from rich.console import Console
    from rich.table import Table

    console = Console()
    good = [row for row in rows if "error" not in row]
    broken = [row for row in rows if "error" in row]
    if not rows:
        console.print(f"No saved agents in {saves_dir()}/ yet: `rltui train ENV --agent KIND` makes one.")
        _print_episodes(console, recorded)
        return 0
    from rich import box

    columns = ["name", "env", "agent", "steps", "eval"] + (["date"] if console.width >= 100 else [])
    table = Table(title=f"Saved agents in {saves_dir()}/", title_justify="left", box=box.SIMPLE_HEAD)
    cells = []
    for row in good:
        ev = row["eval_return"]
        cells.append((Path(row["file"]).stem, row["env"], row["agent"], f"{row['steps']:,}",
                      "—" if ev is None else f"{ev:.3g}", (row["date"] or "")[:10]))
    for i, col in enumerate(columns):
        # Only the name gives way on a narrow terminal; the rest keep their width.
        widest = max([len(col)] + [len(c[i]) for c in cells])
        table.add_column(col, justify="right" if col in ("steps", "eval") else "left",
                         no_wrap=True, overflow="ellipsis", min_width=None if i == 0 else widest)
    for c in cells:
        table.add_row(*c[: len(columns)])
    if good:
        console.print(table)
    for row in broken:
        console.print(f"[red]unreadable:[/] {row['error']}")
    _print_episodes(console, recorded)
    return 0


def _print_episodes(console: Any, rows: list[dict[str, Any]]) -> None:
    """The saved episodes (ctrl+e in the play screen), if there are any."""
    if not rows:
        return
    from rich import box
    from rich.table import Table

    table = Table(title=f"Saved episodes in {episodes_dir()}/ (rltui play --replay FILE)",
                  title_justify="left", box=box.SIMPLE_HEAD)
    cells = [{"file": Path(row["file"]).name, "env": row["env"], "steps": f"{row['steps']:,}",
              "return": f"{row['return']:.4g}", "played by": row["played_by"], "ended": row["ended"]}
             for row in rows if "error" not in row]
    # The file name is what a person copies into --replay: it stays whole, the others give way.
    columns = list(cells[0]) if cells else []
    width = {col: max(len(col), *(len(c[col]) for c in cells)) + 2 for col in columns}
    for name in ("ended", "env"):
        if sum(width[col] for col in columns) + 4 > console.width:
            columns.remove(name)
    for col in columns:
        table.add_column(col, justify="right" if col in ("steps", "return") else "left", no_wrap=True)
    for c in cells:
        table.add_row(*(c[col] for col in columns))
    if table.row_count:
        console.print(table)
    for row in rows:
        if "error" in row:
            console.print(f"[red]unreadable:[/] {row['error']}")
