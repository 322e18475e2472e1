"""``rltui envs``: the catalog, as a table or as JSON."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(sub: Any) -> None:
    envs = sub.add_parser("envs", help="list the environments rltui knows")
    envs.add_argument("--json", action="store_true", help="print the catalog as JSON")


def run(args: argparse.Namespace) -> int:
    as_json = args.json
    from rltui.envs import catalog

    rows = [
        {
            "id": e.id,
            "group": e.group,
            "description": e.description,
            "actions": list(e.action_names),
            "keys": {e.action_names[ak.action]: ak.label for ak in e.keys},
            "render": e.render,
            "gamma": e.gamma,
            "available": e.available,
        }
        for _, entries in catalog.catalog_by_group()
        for e in entries
    ]
    if as_json:
        import json

        print(json.dumps(rows))
        return 0
    from rich.console import Console
    from rich.table import Table

    from rltui.ui.render.palette import LABEL

    table = Table(title="rltui environments", title_justify="left", show_lines=False)
    table.add_column("id", style="bold", no_wrap=True)
    table.add_column("γ", justify="right", no_wrap=True)  # the discount agents and the G_t panel use
    table.add_column("description", ratio=3)
    table.add_column("keys", ratio=2)
    group = None
    for row in rows:
        if row["group"] != group:
            group = row["group"]
            if table.row_count:
                table.add_section()
            table.add_row(f"[{LABEL}]{group.upper()}[/]", "", "", "")
        keys = "  ".join(f"{k} {name}" for name, k in row["keys"].items())
        desc = row["description"]
        if not row["available"]:
            desc += " [italic](not installed)[/]"
        table.add_row(row["id"], f"{row['gamma']:g}", desc, keys)
    Console().print(table)
    print("Any other registered Gymnasium id with discrete actions plays too, with number keys.")
    return 0
