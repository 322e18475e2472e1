"""What to say when an optional feature's package is missing (one sentence, the fix in it).

Every such hint is built here, by :func:`install_hint`: the command names the pip beside the
Python that runs rltui (``.venv/bin/pip``, the venv the README makes), and the project's own
extra, as a source checkout installs it (``-e '.[box2d]'``) or as an installed package does
(``'rltui[box2d]'``).
"""

from __future__ import annotations

import functools
import json
import os
import shlex
import sys
from pathlib import Path


def missing(feature: str, extra: str) -> str:
    """``feature`` needs the optional extra ``extra``: how to install it."""
    return f"{feature} needs the {extra} extra: {install_hint(extra)}."


def install_hint(extra: str) -> str:
    """The command that installs rltui's optional ``extra`` into the Python running now."""
    checkout = source_checkout()
    if checkout is None:
        target = f"rltui[{extra}]"
        return f"{pip_command()} install {shlex.quote(target)}"
    return f"{pip_command()} install -e {shlex.quote(f'{as_typed(checkout)}[{extra}]')}"


def pip_command() -> str:
    """The pip beside ``sys.executable`` (as a person would type it), else ``PYTHON -m pip``."""
    python = Path(sys.executable)
    for name in ("pip", "pip3", "pip.exe"):
        pip = python.parent / name
        if pip.is_file():
            return shlex.quote(as_typed(pip))
    return f"{shlex.quote(as_typed(python))} -m pip"


def executable_beside_python(name: str) -> str | None:
    """A console script installed beside ``sys.executable`` (``tensorboard``), as a person
    would type it, or None when there is none."""
    folder = Path(sys.executable).parent
    for candidate in (name, f"{name}.exe"):
        path = folder / candidate
        if path.is_file() and os.access(path, os.X_OK):
            return shlex.quote(as_typed(path))
    return None


@functools.cache
def source_checkout() -> Path | None:
    """The folder of the source checkout rltui is installed from in editable mode (``pip
    install -e .``), or None when it is installed as a package."""
    from importlib import metadata

    try:
        direct_url = metadata.distribution("rltui").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        direct_url = None
    if direct_url:
        try:
            info = json.loads(direct_url)
        except ValueError:
            info = {}
        if isinstance(info, dict) and (info.get("dir_info") or {}).get("editable"):
            url = str(info.get("url", ""))
            if url.startswith("file://"):
                from urllib.parse import unquote, urlparse

                return Path(unquote(urlparse(url).path))
        return None
    # Not installed at all: run from a checkout (``python -m rltui`` in the clone).
    root = Path(__file__).resolve().parents[1]
    return root if (root / "pyproject.toml").is_file() else None


def as_typed(path: Path) -> str:
    """``path`` as a person types it: relative to the current folder when inside it
    (``.venv/bin/pip``, ``.``), else as it is."""
    try:
        relative = path.relative_to(Path.cwd())
    except ValueError:
        return str(path)
    text = str(relative)
    if text == ".":
        return "."
    return text if relative.parts and relative.parts[0] != ".." else str(path)
