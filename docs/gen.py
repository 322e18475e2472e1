"""The generated parts of the docs, read from the code each time the site is built.

A page asks for one with a marker line, ``<!-- gen:NAME -->``, which the build (docs/hooks.py)
replaces with ``GENERATORS[NAME]()``. Each generator reads the thing it documents — the
Textual bindings of the screens, the env catalog, the agent registry and its config
dataclasses, the argparse parsers — so a page cannot fall behind the program: there is no
copy to go stale. ``python docs/gen.py NAME`` prints one.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import inspect
import re
import sys
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MARKER = re.compile(r"^<!-- gen:([a-z0-9-]+) -->$", re.MULTILINE)


def cell(text: object) -> str:
    """``text`` as one Markdown table cell: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def table(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    head = list(header)
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def code(text: str) -> str:
    """Inline code, safe for any text (backticks inside get a longer fence)."""
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# --- keys ------------------------------------------------------------------------------------


def key_label(key: str) -> str:
    """A Textual key name as it is pressed: ``plus`` → ``+``, ``left_square_bracket`` → ``[``."""
    from textual.keys import format_key

    return format_key(key.strip())


def bindings(screen: type) -> list[tuple[list[str], str, str, bool]]:
    """A widget's or screen's own BINDINGS: (keys, description, action, shown in the footer)."""
    from textual.binding import Binding

    out = []
    for b in screen.__dict__.get("BINDINGS", []):
        if isinstance(b, Binding):
            keys, description, action, show = b.key, b.description, b.action, b.show
        else:  # a (key, action, description) tuple
            keys, action, description = (list(b) + ["", ""])[:3]
            show = True
        out.append(([key_label(k) for k in keys.split(",")], description, action, show))
    return out


def screens() -> list[tuple[str, type]]:
    """Every screen (and focused widget) with keys of its own, in the order a person meets them."""
    from rltui.ui.app import RLTuiApp
    from rltui.ui.screens import dialogs, editor, help, launcher, play, sweep

    found: list[tuple[str, type]] = [
        ("Launcher (the environment list)", launcher.EnvList),
        ("Launcher", launcher.LauncherScreen),
        ("Play screen", play.PlayScreen),
        ("Help (`?`)", help.HelpScreen),
        ("Map editor: the map", editor.MapCanvas),
        ("Map editor", editor.MapEditorScreen),
        ("Sweep (`rltui tune --watch`)", sweep.SweepScreen),
    ]
    for name, obj in vars(dialogs).items():
        if isinstance(obj, type) and obj.__module__ == dialogs.__name__ and "BINDINGS" in obj.__dict__:
            found.append((f"Dialog: {name}", obj))
    found.append(("Everywhere", RLTuiApp))
    return found


def gen_keys() -> str:
    """Every key binding of every screen, as Textual has it."""
    parts = []
    for title, screen in screens():
        rows = [
            (" / ".join(code(k) for k in keys), description, code(action), "yes" if show else "")
            for keys, description, action, show in bindings(screen)
        ]
        if rows:
            parts.append(f"### {title}\n\n" + table(["keys", "name", "action", "in the footer"], rows))
    return "\n\n".join(parts)


def gen_help_keys() -> str:
    """The help screen's own words for the play screen's keys and the panels' names."""
    from rltui.ui.screens.help import APP_KEYS, DEFINITIONS

    return (
        table(["keys", "what they do"], ((code(k), v) for k, v in APP_KEYS))
        + "\n\nWhat the panels' names mean, as the help screen says it:\n\n"
        + table(["name", "meaning"], ((code(k), v) for k, v in DEFINITIONS))
    )


def gen_definitions() -> str:
    from rltui.ui.screens.help import DEFINITIONS

    return table(["name", "meaning"], ((code(k), v) for k, v in DEFINITIONS))


# --- environments ----------------------------------------------------------------------------


def _kinds_that_play(entry: Any) -> tuple[list[str], str] | None:
    """The kinds that can play ``entry`` and the one tab brings, or None where it cannot be made."""
    from agents.registry import default_kind, kinds_for
    from rltui.envs import catalog

    if not entry.available:
        return None
    try:
        env = catalog.make_env(entry, render=False)
    except Exception:  # noqa: BLE001 - a page says "not installed here" rather than fail the build
        return None
    try:
        return kinds_for(env), default_kind(env)
    finally:
        env.close()


def _drawn(entry: Any) -> str:
    from rltui.envs import catalog

    how = {
        catalog.GRID: "as coloured cells",
        catalog.CARDS: "as cards",
        catalog.PIXELS: "from its `rgb_array` frames in half blocks",
        catalog.ANSI: "from its `ansi` text",
    }
    return how.get(entry.render, entry.render)


def env_section(entry: Any) -> str:
    from agents.registry import KINDS

    lines = [f"### {entry.id}", "", entry.description, ""]
    facts = [
        ("γ", f"{entry.gamma:g}"),
        ("solved at", "—" if entry.solved_at is None else f"greedy mean return ≥ {entry.solved_at:g}"),
        ("drawn", _drawn(entry)),
        ("pace", f"real time ({entry.rest_description} with no key held)" if entry.realtime else "turn by turn"),
    ]
    if entry.min_eval_episodes:
        facts.append(("evaluations", f"at least {entry.min_eval_episodes:,} episodes"))
    if entry.extra:
        facts.append(("needs", f"the `{entry.extra}` extra: `.venv/bin/pip install -e '.[{entry.extra}]'`"))
    plays = _kinds_that_play(entry)
    if plays is not None:
        kinds, default = plays
        facts.append(("kinds", ", ".join(f"`{k}`" for k in kinds)))
        facts.append(("tab brings", f"`{default}`"))
        budget_kinds = kinds
    else:
        facts.append(("kinds", "not installed here: the kinds that play it are listed where it is"))
        budget_kinds = [k for k in KINDS]
    lines += [table(["fact", "value"], facts), ""]
    keys = [
        (
            code(ak.label),
            entry.action_names[ak.action]
            + (
                ""
                if entry.action_vectors is None
                else "  (" + ", ".join(f"{v:+g}" for v in entry.action_vectors[ak.action]) + ")"
            ),
        )
        for ak in entry.keys
    ]
    lines += ["Keys:", "", table(["keys", "action"], keys), ""]
    rows = []
    for kind in budget_kinds:
        tuned = entry.defaults_for(kind)
        budget = entry.budget_for(kind)
        rows.append(
            (
                f"`{kind}`",
                f"{budget:,}" if budget else "— (plans from the model)",
                " ".join(f"`{k}={_setting(v)}`" for k, v in tuned.items()) or "the kind's own",
            )
        )
    lines += [
        "Training budgets and tuned settings (`rltui train` with no `--steps`):",
        "",
        table(["kind", "steps", "settings"], rows),
    ]
    return "\n".join(lines)


def _setting(value: Any) -> str:
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value) or "(empty)"
    if isinstance(value, bool):
        return str(value).lower()
    return f"{value:g}" if isinstance(value, float) else str(value)


def gen_env_keys() -> str:
    """Each catalog env's action keys, one row an env."""
    from rltui.envs import catalog

    rows = []
    for _, entries in catalog.catalog_by_group():
        for e in entries:
            rows.append(
                (
                    f"[`{e.id}`](environments.md#{_anchor(e.id)})",
                    ", ".join(f"{code(ak.label)} {e.action_names[ak.action]}" for ak in e.keys),
                )
            )
    return table(["env", "keys"], rows)


def _anchor(heading: str) -> str:
    """The id Python-Markdown's toc gives a heading."""
    from markdown.extensions.toc import slugify

    return slugify(heading, "-")


def gen_environments() -> str:
    from rltui.envs import catalog

    parts = []
    for group, entries in catalog.catalog_by_group():
        parts.append(f"## {group}\n\n" + table(["id", "description"], ((f"`{e.id}`", e.description) for e in entries)))
        parts += [env_section(e) for e in entries]
    return "\n\n".join(parts)


# --- agents ----------------------------------------------------------------------------------


def field_docs(cls: type) -> dict[str, str]:
    """The attribute docstrings of a dataclass (the string literal under each field)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    body = tree.body[0].body  # type: ignore[attr-defined]
    docs: dict[str, str] = {}
    for node, after in zip(body, body[1:]):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            docs[node.target.id] = rst_to_md(after.value.value)
    return docs


def rst_to_md(text: str) -> str:
    """A docstring on one line, its reST ``literals`` and :role:`names` as Markdown code."""
    text = re.sub(r":[a-z]+:`~?([^`]+)`", r"`\1`", " ".join(text.split()))
    return text.replace("``", "`")


def settings_rows(config_cls: type) -> list[tuple[str, str, str, str]]:
    """(name, default, range, docstring) for every ``--set`` key of a config dataclass."""
    limits = getattr(config_cls, "LIMITS", {})
    docs = field_docs(config_cls)
    default = config_cls()
    rows = []
    for f in dataclasses.fields(config_cls):
        limit = limits.get(f.name)
        if limit is not None:
            allowed = limit.describe()
            if limit.length is not None:
                allowed = f"{limit.length[0]} to {limit.length[1]} values, each {allowed}"
        else:
            value = getattr(default, f.name)
            allowed = "true or false" if isinstance(value, bool) else "any"
        rows.append((f"`{f.name}`", f"`{_setting(getattr(default, f.name))}`", allowed, docs.get(f.name, "")))
    return rows


def gen_agent_kinds() -> str:
    from agents.registry import SPECS

    return table(
        ["kind", "what it is", "learns from your moves", "needs the env's model"],
        (
            (
                f"[`{s.name}`](#{s.name})",
                s.description,
                "yes" if s.off_policy else "no",
                "yes" if s.needs_model else "no",
            )
            for s in SPECS
        ),
    )


def gen_agent_settings(kind: str) -> str:
    from agents.registry import spec

    config_cls = spec(kind).load().CONFIG
    doc = rst_to_md(config_cls.__doc__ or "")
    return f"Settings (`--set key=value`, from `{config_cls.__module__}.{config_cls.__name__}`). {doc}\n\n" + table(
        ["setting", "default", "range", "what it is"], settings_rows(config_cls)
    )


# --- command line ----------------------------------------------------------------------------


def subcommands(
    parser: argparse.ArgumentParser, prefix: str = "rltui"
) -> list[tuple[str, argparse.ArgumentParser, str]]:
    """(command line, parser, help) for ``parser`` and every subcommand under it, depth first."""
    out: list[tuple[str, argparse.ArgumentParser, str]] = [(prefix, parser, parser.description or "")]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            for name, sub in action.choices.items():
                for line, p, h in subcommands(sub, f"{prefix} {name}"):
                    out.append((line, p, h if line != f"{prefix} {name}" else helps.get(name, h)))
    return out


def flags(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """The arguments a person types (not --help, not the subcommand slot)."""
    return [a for a in parser._actions if not isinstance(a, (argparse._HelpAction, argparse._SubParsersAction))]


def _argument(action: argparse.Action) -> str:
    if action.option_strings:
        names = ", ".join(action.option_strings)
        if action.nargs == 0:
            return names
        metavar = action.metavar or (
            ("{" + ",".join(map(str, action.choices)) + "}") if action.choices else action.dest.upper()
        )
        if isinstance(metavar, tuple):
            metavar = " ".join(metavar)
        suffix = " ..." if action.nargs in ("+", "*") else (f" [{metavar}]" if action.nargs == "?" else "")
        return f"{names} {metavar}" + suffix if not suffix.startswith(" [") else names + suffix
    metavar = action.metavar or action.dest.upper()
    if action.choices and not action.metavar:
        metavar = "{" + ",".join(map(str, action.choices)) + "}"
    return str(metavar) + (" ..." if action.nargs in ("+", "*") else "")


def _help(action: argparse.Action) -> str:
    text = action.help or ""
    if "%(default)" in text:
        text = text % {"default": action.default}
    if (
        action.default not in (None, False, argparse.SUPPRESS)
        and action.option_strings
        and action.nargs != 0
        and "default" not in text
        and not isinstance(action.default, list)
    ):
        text += f" (default {action.default})"
    return text


def gen_cli() -> str:
    from rltui.cli import build_parser

    parts = []
    for line, parser, help_text in subcommands(build_parser()):
        usage = " ".join(parser.format_usage().split())
        usage = usage.removeprefix("usage: ")
        rows = [(code(_argument(a)), _help(a)) for a in flags(parser)]
        level = "##" if line.count(" ") <= 1 else "###"
        section = [f"{level} {line}", "", help_text, "", "```", usage, "```"]
        if rows:
            section += ["", table(["argument", "what it does"], rows)]
        parts.append("\n".join(section))
    return "\n\n".join(parts)


# --- the table -------------------------------------------------------------------------------


def gen_exercises() -> str:
    """The exercises of ``rltui exercise``: name, what it computes, the agents it runs in live."""
    from agents.exercises import all_exercises

    return table(
        ["exercise", "what you write", "live in"],
        [
            (f"`{e.name}`", e.summary, ", ".join(f"`{k}`" for k in e.agents) or "— (checked only)")
            for e in all_exercises()
        ],
    )


def _agent_generators() -> dict[str, Callable[[], str]]:
    from agents.registry import KINDS

    return {f"settings-{k}": (lambda k=k: gen_agent_settings(k)) for k in KINDS}


def generators() -> dict[str, Callable[[], str]]:
    """Every generated part, by the name its marker gives."""
    return {
        "keys": gen_keys,
        "help-keys": gen_help_keys,
        "definitions": gen_definitions,
        "environments": gen_environments,
        "env-keys": gen_env_keys,
        "agent-kinds": gen_agent_kinds,
        "cli": gen_cli,
        "exercises": gen_exercises,
        **_agent_generators(),
    }


def fill(markdown: str, made: dict[str, str] | None = None) -> str:
    """``markdown`` with each marker line replaced by its generator's output.

    Raises:
        KeyError: a marker names no generator (a typo, or a generator that was removed).
    """
    gens = generators()
    cache = made if made is not None else {}

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in gens:
            raise KeyError(f"docs marker <!-- gen:{name} --> names no generator; known: {', '.join(gens)}")
        if name not in cache:
            cache[name] = gens[name]()
        return cache[name]

    return MARKER.sub(one, markdown)


if __name__ == "__main__":
    names = sys.argv[1:] or list(generators())
    for n in names:
        print(generators()[n]())
