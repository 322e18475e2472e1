"""Colours are spelled in two places only: app.tcss's variables and the palette's names."""

from __future__ import annotations

import re
from pathlib import Path

from rltui.ui.render import palette

ROOT = Path(__file__).resolve().parents[2]
HEX = re.compile(r"#[0-9a-fA-F]{6}\b")
ALLOWED = {ROOT / "rltui/ui/render/palette.py", ROOT / "rltui/ui/app.tcss"}


def test_no_colour_is_spelled_outside_the_palette_and_the_stylesheet() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()}"
        for top in ("rltui", "agents")
        for path in sorted((ROOT / top).rglob("*"))
        if path.suffix in {".py", ".tcss"} and path not in ALLOWED
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if HEX.search(line)
    ]
    assert found == []


def test_the_stylesheets_accent_is_the_palettes() -> None:
    tcss = (ROOT / "rltui/ui/app.tcss").read_text()
    assert f"$accent-soft: {palette.ACCENT};" in tcss
