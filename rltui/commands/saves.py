"""``rltui saves``: the saved agents, with what each is."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rltui.commands.common import print_json, saves_dir


def add_parser(sub: Any) -> None:
    p = sub.add_parser("saves", help="list the saved agents in saves/")
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


def run(args: argparse.Namespace) -> int:
    rows = list_saves()
    if args.json:
        print_json({"saves": rows})
        return 0
    from rich.console import Console
    from rich.table import Table

    console = Console()
    good = [row for row in rows if "error" not in row]
    broken = [row for row in rows if "error" in row]
    if not rows:
        console.print(f"No saved agents in {saves_dir()}/ yet: `rltui train ENV --agent KIND` makes one.")
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
    return 0
