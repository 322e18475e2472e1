"""``rltui train``: headless training with a progress bar, a final table and a save."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path
from typing import Any

from rltui.commands.common import (
    UsageError,
    check_seed,
    kind_list,
    parse_settings,
    print_json,
    resolve_env,
    round_or_none,
)


def add_parser(sub: Any) -> None:
    from agents.registry import OFF_POLICY, SPECS

    side_by_side = _and([s.name for s in SPECS if s.n_envs])
    p = sub.add_parser(
        "train",
        help="train an agent headless, then save it",
        description="Train an agent without the UI. Saves to ENV-KIND.safetensors in "
        "your saves folder (see `rltui saves`) unless --save or --no-save says "
        "otherwise. Ctrl+C stops early and saves what was learned.",
    )
    p.add_argument("env", help="environment id (see `rltui envs`)")
    p.add_argument("--agent", help=kind_list())
    budget = p.add_mutually_exclusive_group()
    budget.add_argument(
        "--steps",
        type=int,
        help="environment steps to train (default: per env, stopping early once the env counts as solved)",
    )
    budget.add_argument("--episodes", type=int, help="episodes to train")
    p.add_argument("--target-return", type=float, help="stop once a greedy evaluation reaches this mean")
    p.add_argument("--seed", type=int, default=0, help="seed for the env, exploration and the network")
    p.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        dest="settings",
        help="override a hyperparameter (repeatable); bad keys list the valid ones",
    )
    p.add_argument("--device", help="cpu (default) or cuda, for dqn")
    p.add_argument(
        "--envs",
        type=int,
        metavar="N",
        help=f"step N envs side by side ({side_by_side}; Gymnasium's sync vector env): the same as --set n_envs=N",
    )
    p.add_argument("--load", metavar="FILE", help="continue training a saved agent where it left off")
    p.add_argument(
        "--demos",
        nargs="+",
        metavar="FILE",
        help="episodes saved with ctrl+e (or "
        "minari:DATASET_ID, a local Minari dataset) to learn from before training "
        f"(off-policy agents: {', '.join(OFF_POLICY)})",
    )
    p.add_argument(
        "--demo-passes", type=int, default=1, metavar="N", help="times to go through the demonstrations (default 1)"
    )
    save = p.add_mutually_exclusive_group()
    save.add_argument(
        "--save",
        metavar="FILE",
        help="where to save: a file, or a folder to save in (default: ENV-KIND.safetensors in your saves folder)",
    )
    save.add_argument("--no-save", action="store_true", help="do not save the trained agent")
    p.add_argument(
        "--json", action="store_true", help="one JSON object on the last line of stdout (progress goes to stderr)"
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar or progress lines")
    p.add_argument(
        "--exercise",
        metavar="NAME=FILE",
        help="train with your own function from FILE in place of the agent's (see `rltui exercise`)",
    )
    p.add_argument(
        "--tensorboard",
        metavar="DIR",
        help="write TensorBoard event files to a run folder "
        "in DIR as training goes (needs the tensorboard extra); tensorboard --logdir DIR shows them",
    )


def run(args: argparse.Namespace) -> int:
    from agents import registry
    from agents.persistence import SaveError, save_agent
    from rltui.formats.saves import save_target
    from rltui.training.evaluation import eval_schedule
    from rltui.training.loop import train

    check_paths(args)
    entry = resolve_env(args.env)
    settings = parse_settings(args.settings)
    if args.device:
        settings["device"] = args.device
    if args.envs is not None:
        if not 1 <= args.envs <= 256:
            raise UsageError(f"--envs must be from 1 to 256, not {args.envs}.")
        if args.agent is not None and not registry.has(args.agent, "n_envs"):
            side_by_side = _and([s.name for s in registry.SPECS if s.n_envs])
            raise UsageError(f"--envs applies to {side_by_side} agents only, not {args.agent}.")
        settings["n_envs"] = str(args.envs)
    for name in ("steps", "episodes"):
        value = getattr(args, name)
        if value is not None and value < 0:
            raise UsageError(f"--{name} must be zero or more, not {value}.")
    check_seed(args.seed)
    if args.demo_passes < 1:
        raise UsageError(f"--demo-passes must be 1 or more, not {args.demo_passes}.")
    if args.demos and args.agent:
        _check_off_policy(args.agent)  # before reading any file: the kind rules them all out
    demos = _read_demos(args.demos) if args.demos else []
    agent = _agent(args, entry, settings)
    kind = agent.kind
    if args.exercise is not None:
        _attach_exercise(agent, args.exercise)
    destination: Path | None = None
    if not args.no_save:
        # Where the save goes is settled before any training is spent on it.
        try:
            destination = save_target(args.save, entry.id, kind, "--save") if args.save is not None else None
        except SaveError as exc:
            raise UsageError(str(exc)) from None
    log = None
    if args.tensorboard is not None:
        from rltui.formats.tensorboard import RunLog, TensorBoardError

        try:
            log = RunLog(args.tensorboard, entry.id, kind, args.seed, warn=_warn)
        except TensorBoardError as exc:
            raise UsageError(str(exc)) from None
    if demos:
        _learn_from_demos(agent, demos, entry, args.demo_passes, quiet=args.json or args.quiet)
    steps, target = args.steps, args.target_return
    if steps is None and args.episodes is None:
        # No budget given: the default one, stopping as soon as the env counts as solved,
        # so a lucky peak is kept rather than trained past.
        steps = entry.budget_for(kind)
        if target is None:
            target = entry.solved_at
    from rltui.commands.progress import TrainingDisplay, interrupt_stops

    display = None if args.quiet else TrainingDisplay(entry.id, kind, steps, args.episodes, to_stderr=args.json)
    with interrupt_stops() as stop:
        try:
            if display:
                display.start()
            result = train(
                agent,
                entry,
                steps=steps,
                episodes=args.episodes,
                target_return=target,
                seed=args.seed,
                stop=stop,
                on_progress=display.update if display else None,
                log=log,
                **eval_schedule(steps, target, entry.min_eval_episodes),
            )
        finally:
            if display:
                display.stop()
            if log is not None:
                log.close()
    if result.stopped and not args.json:
        what = "nothing is saved (--no-save)" if args.no_save else "saving what it learned"
        print(f"Interrupted after {result.steps:,} steps: {what}.", flush=True)
    evaluation = {"return_mean": result.eval_return_mean, "return_std": result.eval_return_std}
    save_path: Path | None = None
    if not args.no_save:
        from rltui.formats.saves import fresh_save_path

        try:
            save_path = save_agent(
                agent, destination or fresh_save_path(entry.id, kind), entry.id, evaluation, interrupted=result.stopped
            )
        except SaveError as exc:
            raise UsageError(str(exc)) from None
    summary = {
        "env": entry.id,
        "agent": kind,
        "steps": result.steps,
        "episodes": result.episodes,
        "seconds": round(result.seconds, 3),
        "eval_return_mean": round_or_none(result.eval_return_mean),
        "eval_return_std": round_or_none(result.eval_return_std),
        "solved": result.solved,
        "best_step": result.best_step,
        "save": str(save_path) if save_path else None,
    }
    if log is not None:
        summary["tensorboard"] = str(log.dir)
        if log.problem is not None:
            summary["tensorboard_error"] = log.problem
    if result.stopped:
        summary["interrupted"] = True
    if args.exercise is not None:
        summary["exercise"] = agent.exercise.describe()
    if args.json:
        print_json(summary)
    else:
        from rltui.commands.progress import print_summary

        print_summary("Training interrupted" if result.stopped else "Training finished", summary, agent)
        if log is not None:
            from rltui.extras import executable_beside_python

            viewer = executable_beside_python("tensorboard") or "tensorboard"
            print(f"TensorBoard: {viewer} --logdir {shlex.quote(str(log.root))}")
    return 130 if result.stopped else 0


def _attach_exercise(agent: Any, spec: str) -> None:
    """The learner's function in the agent's place (a failure later is one line on stderr)."""
    import sys

    from agents.exercises.live import ExerciseError, attach

    try:
        swap = attach(agent, spec, say=lambda text: print(f"rltui: {text}", file=sys.stderr, flush=True))
    except ExerciseError as exc:
        raise UsageError(str(exc)) from None
    print(f"rltui: {swap.note()}.", file=sys.stderr, flush=True)


def check_paths(args: argparse.Namespace) -> None:
    """The places this run will write, checked before any work (see :mod:`rltui.paths`):
    ``--tensorboard``'s folder, ``--save``'s file or folder, else the saves folder."""
    from agents.persistence import SaveError
    from rltui.formats.saves import save_place
    from rltui.formats.tensorboard import TensorBoardError, check_writable
    from rltui.paths import PathError, check_saves_dir

    try:
        if args.tensorboard is not None:
            check_writable(args.tensorboard)
        if args.save is not None:
            save_place(args.save, "--save")
        elif not args.no_save:
            check_saves_dir()
    except (PathError, SaveError, TensorBoardError) as exc:
        raise UsageError(str(exc)) from None


def _warn(problem: str) -> None:
    """A problem that does not stop training (TensorBoard's logs stopping), said once."""
    import sys

    print(f"rltui: warning: {problem}", file=sys.stderr, flush=True)


def _read_demos(paths: list[str]) -> list[Any]:
    """The demonstration files, read (they are replayed and checked as the agent learns), and
    the Minari datasets named (``minari:ID``), as they are."""
    from rltui.formats import episodes
    from rltui.formats.minari_io import MINARI_PREFIX

    try:
        return [path if path.startswith(MINARI_PREFIX) else episodes.read(path) for path in paths]
    except episodes.EpisodeFileError as exc:
        raise UsageError(str(exc)) from None


def _and(names: list[str]) -> str:
    """``dqn and ppo``; ``a, b and c``."""
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


def _check_off_policy(kind: str) -> None:
    from agents.registry import OFF_POLICY

    if kind not in OFF_POLICY:
        raise UsageError(
            f"--demos needs an off-policy agent ({', '.join(sorted(OFF_POLICY))}): "
            f"{kind} learns only from its own moves."
        )


def _learn_from_demos(agent: Any, demos: list[Any], entry: Any, passes: int, quiet: bool) -> None:
    """Feed the demonstrations (episode files, Minari datasets) to the agent before it trains
    on its own."""
    from rltui.formats import episodes
    from rltui.formats.minari_io import MINARI_PREFIX, MinariError
    from rltui.formats.minari_read import dataset_transitions

    _check_off_policy(agent.kind)
    files = [d for d in demos if not isinstance(d, str)]
    count = len(files)
    try:
        seen = episodes.learn_from(agent, files, entry, passes) if files else 0
        for name in (d for d in demos if isinstance(d, str)):
            steps = dataset_transitions(name.removeprefix(MINARI_PREFIX), entry, kind=agent.kind)
            count += len(steps)
            for _ in range(passes):
                for episode in steps:
                    for transition in episode:
                        agent.observe(transition)
                        seen += 1
    except (episodes.EpisodeFileError, MinariError) as exc:
        raise UsageError(str(exc)) from None
    if not quiet:
        times = "" if passes == 1 else f" ({passes} passes)"
        print(f"Learned from {count} demonstration episode{'s' if count != 1 else ''}: {seen} steps{times}.")


def _agent(args: argparse.Namespace, entry: Any, settings: dict[str, str]) -> Any:
    from agents import registry
    from agents.base import apply_settings
    from agents.persistence import SaveError
    from rltui.training.agent_factory import load_agent_for, make_agent_for

    if args.load:
        try:
            agent, meta = load_agent_for(args.load, entry)
        except SaveError as exc:
            raise UsageError(str(exc)) from None
        if args.agent and args.agent != agent.kind:
            raise UsageError(f"{args.load} holds a {agent.kind} agent, not {args.agent}.")
        if args.device and not registry.spec(agent.kind).uses_torch:
            raise UsageError(
                f"--device does not apply here: {args.load} holds a {agent.kind} agent, which runs on the CPU."
            )
        fixed = registry.spec(agent.kind).shape_keys & set(settings)
        if fixed:
            raise UsageError(
                f"{', '.join(sorted(fixed))} cannot change when resuming: the saved arrays have that shape."
            )
        if settings:
            try:
                agent.reconfigure(apply_settings(agent.config, settings))
            except ValueError as exc:  # SettingError included
                raise UsageError(str(exc)) from None
        return agent
    if not args.agent:
        raise UsageError(f"--agent is required: choose from {', '.join(registry.KINDS)}.")
    kind = registry.BY_NAME.get(args.agent)
    if args.device and kind is not None and not kind.uses_torch:
        torch_kinds = ", ".join(s.name for s in registry.SPECS if s.uses_torch)
        raise UsageError(f"--device applies to {torch_kinds} agents only: {args.agent} runs on the CPU.")
    try:
        return make_agent_for(entry, args.agent, settings, seed=args.seed)
    except registry.AgentError as exc:
        raise UsageError(str(exc)) from None
