"""MkDocs hooks (registered in mkdocs.yml): the generated parts of the pages and the screenshots.

- ``on_config`` takes the screenshots (docs/screenshots.py) into a folder of this build's own,
  so every picture is the current code's screen;
- ``on_files`` adds them to the site as ``img/NAME.svg`` (a page that shows a picture the
  script no longer makes is a broken link, which ``mkdocs build --strict`` fails on);
- ``on_page_markdown`` replaces each ``<!-- gen:NAME -->`` marker with docs/gen.py's output.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent
if str(DOCS.parent) not in sys.path:
    sys.path.insert(0, str(DOCS.parent))
if str(DOCS) not in sys.path:
    sys.path.insert(0, str(DOCS))

import gen  # noqa: E402  (docs/gen.py, found through the path above)
import screenshots  # noqa: E402

_shots: dict[str, Path] = {}
_made: dict[str, str] = {}
_folder: list[str] = []


def on_config(config: Any) -> Any:
    _made.clear()
    _shots.clear()
    folder = tempfile.mkdtemp(prefix="rltui-docs-shots-")
    _folder.append(folder)
    start = time.monotonic()
    for path in screenshots.shoot(Path(folder)):
        _shots[path.name] = path
    missing = sorted(set(screenshots.SHOTS) - set(_shots))
    if missing:
        raise SystemExit(f"docs/screenshots.py did not make {', '.join(missing)}")
    print(f"INFO    -  rltui: {len(_shots)} screenshots in {time.monotonic() - start:.1f} s", file=sys.stderr)
    return config


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File

    for name, path in _shots.items():
        files.append(File.generated(config, f"img/{name}", abs_src_path=str(path)))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    return gen.fill(markdown, _made)


def on_post_build(config: Any) -> None:
    while _folder:
        shutil.rmtree(_folder.pop(), ignore_errors=True)
