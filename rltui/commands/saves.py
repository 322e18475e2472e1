"""``rltui saves``: the saved agents, with what each is."""

from __future__ import annotations

import argparse
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
    if not rows:
        console.print(f"No saved agents in {saves_dir()}/ yet: `rltui train ENV --agent KIND` makes one.")
        return 0
    table = Table(title=f"Saved agents in {saves_dir()}/", title_justify="left")
    for col in ("file", "env", "agent", "steps", "eval return", "date"):
        table.add_column(col, justify="right" if col in ("steps", "eval return") else "left")
    for row in rows:
        if "error" in row:
            table.add_row(row["file"], f"[red]{row['error']}[/]", "", "", "", "")
            continue
        ev = row["eval_return"]
        table.add_row(row["file"], row["env"], row["agent"], f"{row['steps']:,}",
                      "—" if ev is None else f"{ev:.3g}", (row["date"] or "")[:16].replace("T", " "))
    console.print(table)
    return 0
