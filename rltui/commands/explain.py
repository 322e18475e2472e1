"""``rltui explain``: the update a saved agent makes from one step of a recorded episode,
printed as the play screen's ``X`` panel shows it (for course notes), or as JSON."""

from __future__ import annotations

import argparse
import copy
from typing import Any

from rltui.commands.common import UsageError, print_json


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "explain",
        help="explain the update a saved agent makes from one step of an episode file",
        description="Replay an episode file (ctrl+e in the app saves one) and show the learning update "
        "the saved agent makes from its step N: the equation as the literature writes it, the same "
        "with its numbers, and the result. The save is read, never changed.",
    )
    p.add_argument("episode", help="an episode file (saves/episodes/*.jsonl)")
    p.add_argument("--load", required=True, metavar="SAVE", help="the agent's save (saves/*.safetensors)")
    p.add_argument(
        "--step",
        type=int,
        required=True,
        metavar="N",
        help="which step: 1 is the episode's first move (a planner: 0 is its first state)",
    )
    p.add_argument("--json", action="store_true", help="one JSON object instead of text")
    p.add_argument("--width", type=int, default=100, help="columns of the text (default 100)")


def run(args: argparse.Namespace) -> int:
    from agents.base import Transition
    from agents.explain import as_text, explain
    from agents.persistence import SaveError
    from agents.protocols import Planner, TracksTD
    from rltui.envs import catalog
    from rltui.formats import episodes
    from rltui.training.agent_factory import load_agent_for

    if args.width < 20:
        raise UsageError(f"--width must be at least 20 columns, not {args.width}.")
    try:
        record = episodes.read(args.episode)
    except episodes.EpisodeFileError as exc:
        raise UsageError(str(exc)) from None
    try:
        entry = catalog.resolve(record.env)
    except catalog.CatalogError as exc:
        raise UsageError(str(exc)) from None
    try:
        agent, _ = load_agent_for(args.load, entry)
    except SaveError as exc:
        raise UsageError(str(exc)) from None
    try:
        steps = episodes.check(record, entry, agent.kind)
    except episodes.EpisodeFileError as exc:
        raise UsageError(str(exc)) from None
    planner = isinstance(agent, Planner)
    first = 0 if planner else 1
    if not first <= args.step <= len(steps):
        raise UsageError(
            f"--step must be from {first} to {len(steps)} ({record.name} has {len(steps)} steps), not {args.step}."
        )
    if args.step == 0:
        obs = steps[0].obs
        step = Transition(obs, 0, 0.0, obs, False, False)
    else:
        step = steps[args.step - 1]
    # What the agent records as it learns from the step, on a copy: the save and the agent
    # explained stay as they were.
    learner = copy.deepcopy(agent)
    if isinstance(learner, TracksTD):
        learner.track_td = True
    recorded = learner.observe(step) if args.step > 0 and not planner else {}
    explanation = explain(agent, step, recorded, steps[max(0, args.step - 1) :])
    if explanation is None:
        raise UsageError(f"The {agent.kind} agent has no update to explain.")
    if args.json:
        print_json({"episode": str(args.episode), "save": str(args.load), "step": args.step, **explanation.as_dict()})
    else:
        print(f"{record.name}, step {args.step} of {len(steps)} · {args.load}\n")
        print(as_text(explanation, args.width), end="")
    return 0
