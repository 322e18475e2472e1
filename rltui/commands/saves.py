"""``rltui saves``: the saved agents and episodes, with what each is."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from rltui.commands.common import print_json
from rltui.formats.saves import list_episodes, list_saves, listed_name
from rltui.paths import agent_dirs


def add_parser(sub: Any) -> None:
    p = sub.add_parser("saves", help="list the saved agents and episodes (yours, then the shipped ones)")
    p.add_argument("--json", action="store_true", help="one JSON list on the last line")


def run(args: argparse.Namespace) -> int:
    from rltui.commands.common import UsageError
    from rltui.paths import PathError, saves_dir

    try:
        saves_dir()  # $RLTUI_SAVES, checked as every path a person gives
    except PathError as exc:
        raise UsageError(str(exc)) from None
    rows = list_saves()
    recorded = list_episodes()
    if args.json:
        print_json({"saves": rows, "episodes": recorded})
        return 0
    from rich.console import Console

    console = Console()
    if not rows:
        console.print(f"No saved agents in {_folders()} yet: `rltui train ENV --agent KIND` makes one.")
    # One table per folder: each row then needs only the file's name, which stays whole.
    # Yours first, agents and episodes, then the ones rltui ships.
    for folder in agent_dirs():
        _print_agents(console, folder, [r for r in rows if Path(r["file"]).parent == folder])
        episodes = folder / "episodes"
        _print_episodes(console, episodes, [r for r in recorded if Path(r["file"]).parent == episodes])
    return 0


def _print_agents(console: Any, folder: Path, rows: list[dict[str, Any]]) -> None:
    from rich import box
    from rich.table import Table

    good = [row for row in rows if "error" not in row]
    columns = ["name", "env", "agent", "steps", "eval"] + (["date"] if console.width >= 100 else [])
    table = Table(title=f"Saved agents in {_short(str(folder))}/", title_justify="left", box=box.SIMPLE_HEAD)
    cells = []
    for row in good:
        ev = row["eval_return"]
        name = listed_name(row)
        steps = row["steps"]
        cells.append(
            (
                name,
                str(row["env"]),
                str(row["agent"]),
                f"{steps:,}" if isinstance(steps, int) else "—",
                f"{ev:.3g}" if isinstance(ev, (int, float)) else "—",
                str(row["date"] or "")[:10],
            )
        )
    for i, col in enumerate(columns):
        # Only the name gives way on a narrow terminal; the rest keep their width.
        widest = max([len(col)] + [len(c[i]) for c in cells])
        table.add_column(
            col,
            justify="right" if col in ("steps", "eval") else "left",
            no_wrap=True,
            overflow="ellipsis",
            min_width=None if i == 0 else widest,
        )
    for c in cells:
        table.add_row(*c[: len(columns)])
    if good:
        console.print(table)
    for row in rows:
        if "error" in row:
            console.print(f"[red]unreadable:[/] {row['error']}", highlight=False)


def _print_episodes(console: Any, folder: Path, rows: list[dict[str, Any]]) -> None:
    """The saved episodes (ctrl+e in the play screen) in ``folder``, if there are any."""
    if not rows:
        return
    from rich import box
    from rich.table import Table

    table = Table(
        title=f"Saved episodes in {_short(str(folder))}/ (rltui play --replay FILE)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )
    cells = [
        {
            "file": Path(row["file"]).name,
            "env": row["env"],
            "steps": f"{row['steps']:,}",
            "return": f"{row['return']:.4g}",
            "played by": row["played_by"],
            "ended": row["ended"],
        }
        for row in rows
        if "error" not in row
    ]
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
            console.print(f"[red]unreadable:[/] {row['error']}", highlight=False)


def _folders() -> str:
    return " and ".join(f"{_short(str(d))}/" for d in agent_dirs())


def _short(path: str) -> str:
    """A path as a person types it: relative to here when inside it, ~ for the home folder."""
    p = Path(path)
    real = Path(os.path.realpath(p))  # never raises, a symbolic link loop included
    try:
        return str(real.relative_to(os.path.realpath(Path.cwd()))) or "."
    except (ValueError, OSError):
        pass
    try:
        return "~/" + str(real.relative_to(os.path.realpath(Path.home())))
    except (ValueError, RuntimeError):  # no home folder
        return str(p)
