"""The docs site: its generated parts cover the program (every flag, every ``--set`` key, every
key binding), are made from the code rather than kept as copies that go stale, and the README
stays short. ``mkdocs build --strict`` itself runs in .ci/run (it takes the screenshots)."""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import ClassVar

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"rltui_docs_{name}", DOCS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _load("gen")


def _page(name: str) -> str:
    """A docs page as the build renders it: its markers filled from the code."""
    return gen.fill((DOCS / f"{name}.md").read_text())


def _section(page: str, heading: str) -> str:
    """The text under ``heading`` (a whole line) up to the next heading of its level or above."""
    level = heading.split(" ", 1)[0]
    start = page.index(f"\n{heading}\n")
    rest = page[start + len(heading) + 2 :]
    stop = re.search(rf"^#{{1,{len(level)}}} ", rest, re.MULTILINE)
    return rest[: stop.start()] if stop else rest


def test_every_cli_flag_has_help_and_is_on_the_cli_page() -> None:
    from rltui.cli import build_parser

    page = _page("cli")
    commands = gen.subcommands(build_parser())
    assert {line for line, _, _ in commands} >= {
        "rltui play",
        "rltui train",
        "rltui tune",
        "rltui eval",
        "rltui episodes gif",
        "rltui episodes export",
        "rltui bench",
    }
    for line, parser, _ in commands:
        level = "##" if line.count(" ") <= 1 else "###"
        section = _section(page, f"{level} {line}")
        for action in parser._actions:
            if isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)):
                continue
            name = action.option_strings[0] if action.option_strings else gen._argument(action)
            assert action.help, f"{line} {name} has no help text"
            assert name in section, f"{line} {name} is not on the CLI page"
            assert gen.cell(gen._help(action)) in section


def test_every_set_key_of_every_kind_is_on_the_agents_page_with_its_range() -> None:
    from agents.base import Limit
    from agents.registry import KINDS, default_config

    source = (DOCS / "agents.md").read_text()
    page = _page("agents")
    for kind in KINDS:
        assert f"<!-- gen:settings-{kind} -->" in source, f"the agents page has no settings for {kind}"
        section = _section(page, f"## {kind}")
        config = default_config(kind)
        limits: dict[str, Limit] = getattr(config, "LIMITS", {})
        for f in dataclasses.fields(config):
            row = next((r for r in section.splitlines() if r.startswith(f"| `{f.name}` |")), None)
            assert row is not None, f"--set {f.name} of {kind} is not on the agents page"
            if f.name in limits:
                assert limits[f.name].describe() in row


def test_every_key_binding_is_on_the_playing_page() -> None:
    from rltui.envs import catalog

    page = _page("playing")
    screens = gen.screens()
    assert any(title == "Play screen" for title, _ in screens)
    for title, screen in screens:
        section = _section(page, f"### {title}")
        for keys, _description, action, _ in gen.bindings(screen):
            row = next((r for r in section.splitlines() if f"| {gen.code(action)} |" in r), None)
            assert row is not None, f"{title}: {action} is not on the playing page"
            for key in keys:
                assert gen.code(key) in row, f"{title}: key {key} of {action} is not on the playing page"
    for _, entries in catalog.catalog_by_group():
        for entry in entries:
            row = next(r for r in page.splitlines() if r.startswith(f"| [`{entry.id}`]"))
            for ak in entry.keys:
                assert f"{gen.code(ak.label)} {entry.action_names[ak.action]}" in row


def test_the_environments_page_has_every_catalog_env_with_its_gamma() -> None:
    from rltui.envs import catalog

    page = _page("environments")
    for group, entries in catalog.catalog_by_group():
        assert f"\n## {group}\n" in page
        for entry in entries:
            section = _section(page, f"### {entry.id}")
            assert f"| γ | {entry.gamma:g} |" in section


def test_the_pages_are_made_from_the_code_not_copies_of_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """A page holds markers, not generated text, so a change to the code shows on the next build:
    a new binding appears, and a stale copy of a table in a page is caught."""
    from textual.binding import Binding

    from rltui.ui.screens.play import PlayScreen

    monkeypatch.setattr(PlayScreen, "BINDINGS", [*PlayScreen.BINDINGS, Binding("ctrl+y", "yank", "Yank")])
    assert "| `ctrl+y` | Yank | `yank` |" in gen.gen_keys()
    generated = {name: make() for name, make in gen.generators().items()}
    used = set()
    for source in DOCS.glob("*.md"):
        text = source.read_text()
        used |= set(gen.MARKER.findall(text))
        for name, made in generated.items():
            # No page keeps a generated table itself (it would go stale): its header and first
            # rows appear only where a marker brings them.
            first_rows = "\n".join(made.splitlines()[:4])
            assert first_rows not in text, f"{source.name} holds a copy of gen:{name}; use <!-- gen:{name} -->"
    assert used == set(generated), f"generators no page uses: {set(generated) - used}"
    with pytest.raises(KeyError, match="names no generator"):
        gen.fill("<!-- gen:no-such-part -->")


def test_field_docstrings_and_limits_make_the_settings_rows() -> None:
    from agents.base import Limit

    @dataclass(frozen=True)
    class Config:
        rate: float = 0.5
        """How fast it ``learns``."""
        width: tuple[int, ...] = (8, 8)
        """Layer widths."""
        LIMITS: ClassVar[dict[str, Limit]] = {
            "rate": Limit(0.0, 1.0, low_open=True),
            "width": Limit(1, 64, length=(1, 3)),
        }

    assert gen.settings_rows(Config) == [
        ("`rate`", "`0.5`", "above 0 and at most 1", "How fast it `learns`."),
        ("`width`", "`8,8`", "1 to 3 values, each from 1 to 64", "Layer widths."),
    ]


def test_every_picture_a_page_shows_is_one_the_screenshot_script_makes() -> None:
    shots = _load("screenshots")
    shown = set()
    for source in DOCS.glob("*.md"):
        shown |= set(re.findall(r"\]\(img/([^)]+)\)", source.read_text()))
    assert shown == set(shots.SHOTS), "a page shows a picture the script does not make, or the reverse"
    assert not (DOCS / "img").exists(), "docs/img/ is made by the build; a kept copy would go stale"


def test_mkdocs_lists_every_page_and_runs_the_hooks() -> None:
    config = (ROOT / "mkdocs.yml").read_text()
    assert "hooks:\n  - docs/hooks.py" in config
    for source in DOCS.glob("*.md"):
        assert f": {source.name}\n" in config, f"{source.name} is not in mkdocs.yml's nav"
    assert '--8<-- "CONTRIBUTING.md"' in (DOCS / "internals.md").read_text()


def test_the_readme_is_short_keeps_its_quickstart_and_links_into_the_docs() -> None:
    readme = (ROOT / "README.md").read_text()
    assert len(readme.encode()) < 12_000
    for tag in ("install", "test"):
        assert f"<!-- quickstart:{tag} -->\n```sh\n" in readme
    for link in re.findall(r"\]\(([^)#]+)[^)]*\)", readme):
        if not link.startswith("http"):
            assert (ROOT / link).is_file(), f"the README links to {link}, which is not there"
    picture = (ROOT / "docs" / "readme" / "play-taxi.svg").read_text().replace("&#160;", " ")
    assert picture.startswith('<svg class="rich-terminal"')  # as Textual's save_screenshot writes it
    assert "Taxi-v4" in picture and "Q-values" in picture and "Rewards and returns" in picture
