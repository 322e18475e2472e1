"""The core and the agents know no terminal; the CLI and launcher load no torch."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest


def _loaded_after(code: str) -> set[str]:
    script = textwrap.dedent(code) + textwrap.dedent(
        """
        import json, sys
        print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def _terminal_free_modules() -> list[str]:
    """Every module of the core, the bundled envs and the agents (found, so none is forgotten)."""
    import pkgutil

    import agents
    import rltui.envs
    import rltui.formats
    import rltui.live
    import rltui.training

    found = ["rltui.paths", "rltui.extras", "rltui.returns"]
    for package in (rltui.envs, rltui.formats, rltui.live, rltui.training, agents):
        found.append(package.__name__)
        found += [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
    return sorted(found)


OPTIONAL = {"rltui.envs.bodies": "mujoco"}
"""Modules that import an optional extra's package at the top (the rest import theirs lazily)."""


@pytest.mark.parametrize("module", _terminal_free_modules())
def test_core_module_imports_no_terminal_library(module: str) -> None:
    for needs, package in OPTIONAL.items():
        if module.startswith(needs):
            pytest.importorskip(package)  # the module of an optional extra, without it
    loaded = _loaded_after(f"import {module}")
    assert not loaded & {"textual", "rich"}, f"{module} pulled in {loaded & {'textual', 'rich'}}"


def test_playing_every_env_headless_imports_no_terminal_library() -> None:
    loaded = _loaded_after(
        """
        from rltui.envs import catalog
        from rltui.envs.session import Session
        for entry in catalog.CATALOG:
            if entry.available:
                s = Session(catalog.resolve(entry.id), seed=0)
                s.step(0)
                s.scene()
                s.close()
        """
    )
    assert not loaded & {"textual", "rich", "torch"}


def test_training_a_tabular_agent_imports_no_torch_nor_terminal_library() -> None:
    loaded = _loaded_after(
        """
        from rltui.training.agent_factory import make_agent_for
        from rltui.envs import catalog
        from rltui.training.loop import train
        entry = catalog.resolve("Taxi-v4")
        env = catalog.make_env(entry, render=False)
        agent = make_agent_for(entry, "q-learning", seed=0, env=env)
        train(agent, entry, steps=500, final_eval_episodes=1)
        """
    )
    assert not loaded & {"textual", "rich", "torch"}


def test_tensorboard_logs_of_a_tabular_agent_import_no_torch(tmp_path: Path) -> None:
    pytest.importorskip("tensorboard")
    loaded = _loaded_after(
        f"""
        from rltui.training.agent_factory import make_agent_for
        from rltui.envs import catalog
        from rltui.formats.tensorboard import RunLog
        from rltui.training.loop import train
        entry = catalog.resolve("Taxi-v4")
        agent = make_agent_for(entry, "q-learning", seed=0)
        log = RunLog({str(tmp_path)!r}, entry.id, "q-learning", 0)
        train(agent, entry, steps=2_000, final_eval_episodes=1, log=log)
        log.close()
        """
    )
    assert "tensorboard" in loaded and not loaded & {"torch", "tensorflow"}


def test_cli_and_launcher_do_not_import_torch() -> None:
    loaded = _loaded_after(
        """
        import rltui.cli
        rltui.cli.build_parser()
        import rltui.ui.app
        """
    )
    assert "torch" not in loaded
    assert "textual" in loaded  # the check itself would notice an import


def test_help_imports_neither_torch_nor_gymnasium() -> None:
    script = (
        "import sys, rltui.cli\n"
        "try:\n    rltui.cli.main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('|'.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    loaded = set(out.stdout.strip().splitlines()[-1].split("|"))
    assert not loaded & {"torch", "gymnasium", "textual"}


def _imports(path: Path) -> set[str]:
    """Every module a source file imports, at the top or inside a function."""
    import ast

    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


UI = Path(__file__).resolve().parents[2] / "rltui" / "ui"


@pytest.mark.parametrize("path", sorted(UI.rglob("*.py")), ids=lambda p: str(p.relative_to(UI)))
def test_the_ui_never_imports_the_cli_layer(path: Path) -> None:
    cli = {n for n in _imports(path) if n == "rltui.cli" or n.startswith(("rltui.commands", "rltui.cli."))}
    assert not cli, f"{path.name} imports {sorted(cli)}"


def test_the_launcher_and_play_screens_do_not_import_each_other() -> None:
    screens = UI / "screens"
    launcher, play = _imports(screens / "launcher.py"), _imports(screens / "play.py")
    assert not {n for n in launcher if n.startswith("rltui.ui.screens.play")}
    assert not {n for n in play if n.startswith("rltui.ui.screens.launcher")}
