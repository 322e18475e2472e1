"""Files the user keeps: a fresh name never over another's, JSON read without a crash, names cut
short for a message. Writing them whole (and reading them bounded) is :mod:`rltui.fileio`'s."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any


def unused_path(directory: Path, stem: str, suffix: str, beside: tuple[Path, ...] = ()) -> Path:
    """``DIR/STEM.SUFFIX``, or ``DIR/STEM-2.SUFFIX``, ``-3`` ... : the first whose name is taken
    neither in ``directory`` nor in the folders ``beside`` it (listed with it)."""
    name, n = f"{stem}{suffix}", 2
    while any((folder / name).exists() for folder in (directory, *beside)):
        name, n = f"{stem}-{n}{suffix}", n + 1
    return directory / name


def parse_json(text: str | bytes) -> Any:
    """``json.loads`` that fails with ValueError, never RecursionError: a file of a hundred
    thousand nested brackets or a 5,000-digit integer is damaged, not a crash."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    # json.JSONDecodeError and int-too-long are ValueErrors already


def short(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters for a message (an env id of 10,000 characters is not
    echoed back whole), on one line: a control character (a newline, an escape that would
    clear the terminal) is shown escaped, ``\\x1b``, never sent to the terminal."""
    text = "".join(ascii(ch)[1:-1] if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
