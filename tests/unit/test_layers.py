"""The house's layers: every import (at the top of a module or inside a function) points down
the layer order or within its own room, and no modules import each other in a circle.

Read statically from the source, so a lazy import inside a function counts as much as one at
the top: a circle through a function-level import is still a circle for whoever reads the code.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

LAYERS: list[tuple[str, ...]] = [
    ("rltui.paths", "rltui.fileio", "rltui.extras", "rltui.returns"),  # leaves
    ("agents", "rltui"),  # the package's face imports agents first (BLAS held to one thread)
    ("rltui.envs",),
    ("rltui.formats",),
    ("rltui.training",),
    ("rltui.live",),
    ("rltui.ui",),
    ("rltui.commands",),
    ("rltui.bench",),
    ("rltui.cli", "rltui.__main__"),
]
"""From the bottom up: a module may import its own layer's modules and those below, never above."""


def _modules() -> dict[str, Path]:
    found = {}
    for top in ("rltui", "agents"):
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _imports(name: str, path: Path) -> set[str]:
    """The project's modules that ``name`` imports, anywhere in it."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _layer(name: str) -> int:
    best, depth = -1, -1
    for i, layer in enumerate(LAYERS):
        for room in layer:
            if (name == room or name.startswith(room + ".")) and room.count(".") > depth:
                best, depth = i, room.count(".")
    return best


def test_every_module_has_a_layer() -> None:
    assert [name for name in MODULES if _layer(name) < 0] == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_point_down(name: str) -> None:
    upward = sorted(t for t in GRAPH[name] if _layer(t) > _layer(name))
    assert upward == [], f"{name} (layer {_layer(name)}) imports from above: {upward}"


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of more than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return circles


def test_no_import_circles() -> None:
    assert _circles(GRAPH) == []


def test_the_checks_see_what_they_look_for() -> None:
    """The readers are not blind: a circle through three modules is found, a lazy import
    inside a function is read, and the layers are in the order the house is built."""
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert "rltui.paths" in GRAPH["rltui.formats.saves"]
    assert "rltui.envs.catalog" in GRAPH["rltui.commands.envs"]  # imported inside a function
    assert _layer("rltui.ui.app") > _layer("rltui.live.playalong") > _layer("rltui.envs.session")
