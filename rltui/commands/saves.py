"""``rltui saves``: the saved agents and episodes, with what each is."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rltui.commands.common import print_json, saves_dir


def add_parser(sub: Any) -> None:
    p = sub.add_parser("saves", help="list the saved agents in saves/ and episodes in saves/episodes/")
    p.add_argument("--json", action="store_true", help="one JSON list on the last line")


def list_saves() -> list[dict[str, Any]]:
    """Every ``*.safetensors`` under the saves folder, with its metadata or why it is unreadable."""
    from agents.persistence import SUFFIX, SaveError, read_metadata

    rows = []
    directory = saves_dir()
    paths = sorted(directory.glob(f"*{SUFFIX}"), key=lambda p: p.stem) if directory.is_dir() else []
    for path in paths:
        try:
            meta = read_metadata(path)
        except SaveError as exc:
            rows.append({"file": str(path), "error": str(exc)})
            continue
        evaluation = meta.get("evaluation") or {}
        rows.append({
            "file": str(path),
            "env": meta["env_id"],
            "agent": meta["kind"],
            "steps": meta["counters"].get("steps"),
            "eval_return": evaluation.get("return_mean"),
            "date": meta.get("created"),
        })
    return rows


def list_episodes() -> list[dict[str, Any]]:
    """Every episode file under ``saves/episodes/``, read (not replayed), or why it is unreadable."""
    from rltui.core.episodes import SUFFIX, EpisodeFileError, read

    directory = saves_dir() / "episodes"
    paths = sorted(directory.glob(f"*{SUFFIX}")) if directory.is_dir() else []
    rows: list[dict[str, Any]] = []
    for path in paths:
        try:
            record = read(path)
        except EpisodeFileError as exc:
            rows.append({"file": str(path), "error": str(exc)})
            continue
        rows.append({
            "file": str(path),
            "env": record.env,
            "steps": record.steps,
            "return": record.return_,
            "played_by": "+".join(sorted(set(record.actors))) or "nobody",
            "ended": "terminated" if record.terminated else "truncated" if record.truncated else "no",
        })
    return rows


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

    table = Table(title=f"Saved episodes in {saves_dir() / 'episodes'}/ (rltui play --replay FILE)",
                  title_justify="left", box=box.SIMPLE_HEAD)
    cells = [(Path(row["file"]).name, row["env"], f"{row['steps']:,}", f"{row['return']:.4g}",
              row["played_by"], row["ended"]) for row in rows if "error" not in row]
    # The file name is what a person copies into --replay: it stays whole, the others give way.
    columns = ["file", "env", "steps", "return", "played by", "ended"]
    widths = [max([len(col)] + [len(c[i]) for c in cells]) + 2 for i, col in enumerate(columns)]
    for name in ("ended", "env"):
        if sum(widths) + 4 <= console.width:
            break
        drop = columns.index(name)
        del columns[drop], widths[drop]
    for col in columns:
        table.add_column(col, justify="right" if col in ("steps", "return") else "left", no_wrap=True)
    keep = [("file", "env", "steps", "return", "played by", "ended").index(col) for col in columns]
    for c in cells:
        table.add_row(*(c[i] for i in keep))
    if table.row_count:
        console.print(table)
    for row in rows:
        if "error" in row:
            console.print(f"[red]unreadable:[/] {row['error']}")
