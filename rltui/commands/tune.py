"""``rltui tune ENV --agent KIND``: a hyperparameter sweep on Optuna (see :mod:`rltui.training.tuning`)."""

from __future__ import annotations

import argparse
import io
import sys
import threading
import time
from typing import Any

from rltui.commands.common import EXIT_USAGE, UsageError


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "tune",
        help="sweep an agent's hyperparameters (Optuna)",
        description="Optuna study: TPE sampler, median pruner on the periodic greedy "
        "evaluations. The study lives in saves/tune/ENV-KIND.db unless --storage says "
        "otherwise: the same command again resumes it. Needs the tune extra.",
    )
    p.add_argument("env", help="environment id")
    p.add_argument("--agent", required=True, help="the agent kind to tune")
    p.add_argument("--trials", type=int, default=20, help="trials to run now (default 20; split among --jobs)")
    p.add_argument(
        "--budget",
        type=int,
        default=None,
        help="environment steps per trial (default: a fifth of the env's training budget for the kind)",
    )
    p.add_argument("--storage", help="an Optuna storage URL (default: an SQLite file under saves/tune/)")
    p.add_argument("--study", help="the study's name (default ENV-KIND)")
    p.add_argument(
        "--seed",
        type=int,
        default=0,
        help="the seed: the sampler's (with the trials so far), and each trial's plus its number (default 0)",
    )
    p.add_argument(
        "--space", action="append", metavar="KEY=LOW:HIGH[:log]", help="search KEY over this range instead (repeatable)"
    )
    p.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="processes running trials side by side on the same study (default 1; at most one per core is useful)",
    )
    p.add_argument("--save-best", metavar="FILE", help="save the best trial's agent (of this run) here")
    p.add_argument(
        "--ray",
        nargs="?",
        const="",
        default=None,
        metavar="ADDRESS",
        help="run the trials as Ray tasks, one per CPU (--jobs of them if given): a local Ray "
        "started now, or the cluster at ADDRESS (whose machines must all reach --storage); "
        "needs the ray extra",
    )
    p.add_argument(
        "--watch",
        action="store_true",
        help="watch the sweep in the app: the trials live, the best one's learning curve, its agent one key away",
    )
    p.add_argument("--json", action="store_true", help="one JSON object on the last line")
    p.add_argument("--worker", type=int, default=0, help=argparse.SUPPRESS)  # i > 0: one of --jobs' processes


def run(args: argparse.Namespace) -> int:
    from rltui.commands.common import check_seed, print_json, resolve_env
    from rltui.commands.tune_jobs import gather, start_ray, start_workers, work
    from rltui.training.studies import in_memory, study_for
    from rltui.training.sweep_view import SweepView
    from rltui.training.tuning import TuneError, best_command, objective, outcome, parse_space

    check_seed(args.seed)
    if not 1 <= args.trials <= 100_000:
        raise UsageError(f"--trials must be from 1 to 100000, not {args.trials}.")
    if not 1 <= args.jobs <= 64:
        raise UsageError(f"--jobs must be from 1 to 64, not {args.jobs}.")
    _check_paths(args)
    entry = resolve_env(args.env)
    from agents.registry import AgentError, spec

    try:
        kind = spec(args.agent).name
    except AgentError as exc:
        raise UsageError(str(exc)) from None
    if not args.worker:  # a kind that cannot play the env is one sentence, not a sweep of refusals
        from rltui.training.agent_factory import make_agent_for

        try:
            make_agent_for(entry, kind, seed=args.seed)
        except AgentError as exc:
            raise UsageError(str(exc)) from None
    budget = args.budget if args.budget is not None else max(1_000, entry.budget_for(kind) // 5)
    if budget < 100:
        raise UsageError(f"--budget must be 100 steps or more, not {budget}.")
    if args.watch and args.json:
        raise UsageError("--watch shows the sweep in the app; --json prints it: choose one.")
    if args.storage is not None and in_memory(args.storage) and (args.jobs > 1 or args.ray is not None):
        raise UsageError(
            f"--storage {args.storage} lives in this process's memory: other processes "
            "cannot share it; give a file (sqlite:///study.db) or a database server."
        )
    save_to = None
    if args.watch and not args.save_best and not args.worker:
        from rltui.paths import saves_dir

        (saves_dir() / "tune").mkdir(parents=True, exist_ok=True)
        args.save_best = str(saves_dir() / "tune" / f"{_stem(args.study, entry.id, kind)}-best")
    if args.save_best:
        from agents.persistence import SaveError
        from rltui.formats.saves import save_target

        try:
            save_to = save_target(args.save_best, entry.id, kind, "--save-best")
        except SaveError as exc:
            raise UsageError(str(exc)) from None
    try:
        space = parse_space(kind, args.space)
        study, url, name = study_for(entry.id, kind, args.storage, args.study, args.seed, budget, args.worker)
    except TuneError as exc:
        raise UsageError(str(exc)) from None
    before = outcome(study)
    stop = threading.Event()
    start = time.perf_counter()
    saved: list[float] = []
    if args.worker:
        keep = keep_in(save_to, entry.id)
        return work(study, objective(entry, kind, space, budget, args.seed, stop, keep), args.trials, stop, keep.saved)
    ray = start_ray(args.ray) if args.ray is not None else None
    if ray is not None:  # every trial in a Ray task; this process only watches
        tasks = args.jobs if args.jobs > 1 else max(1, int(ray.cluster_resources().get("CPU", 1)))
        shares = [0] + [args.trials // tasks + (i < args.trials % tasks) for i in range(tasks)]
    else:
        shares = [args.trials // args.jobs + (i < args.trials % args.jobs) for i in range(args.jobs)]
    workers = start_workers(args, url, name, budget, shares, save_to, ray, task=run_share)

    keep = keep_in(save_to, entry.id, saved)

    said = io.StringIO() if args.watch else sys.stderr if args.json else sys.stdout
    runners = len(workers) + bool(shares[0])
    jobs = f" in {runners} {'Ray tasks' if ray is not None else 'processes'}" if workers else ""
    trials = study.trials
    told: set[int] = {t.number for t in trials if t.state.is_finished()}

    def progress(study: Any, trial: Any = None) -> None:
        """Say each newly finished trial, this process's and the others' alike."""
        new = [t for t in study.get_trials(deepcopy=False) if t.state.is_finished() and t.number not in told]
        if not new:
            return  # the half-second poll: one read of the storage
        now = outcome(study)
        best = "—" if now.best_value is None else f"{now.best_value:.4g} (trial {now.best_number})"
        for t in new:
            told.add(t.number)
            value = "" if t.value is None else f" {t.value:.4g}"
            print(
                f"trial {t.number}: {t.state.name.lower()}{value}   best {best}   "
                f"[{time.perf_counter() - start:.0f} s]",
                file=said,
                flush=True,
            )

    finished = threading.Event()
    broke: list[str] = []
    """The storage's failure to write (a full disk, a file gone read-only), said once at the end."""

    def sweep() -> None:
        """This process's share of the trials, then the wait for the others'."""
        from rltui.training.studies import storage_failure, storage_reason

        try:
            if shares[0]:
                study.optimize(
                    objective(entry, kind, space, budget, args.seed, stop, keep),
                    n_trials=shares[0],
                    callbacks=[progress, lambda study, trial: stop.is_set() and study.stop()],
                    gc_after_trial=False,
                )
            while any(w.poll() is None for w in workers) and not stop.is_set():
                progress(study)
                time.sleep(0.5)  # polling other processes' trials in the study, not synchronising
        except Exception as exc:
            if not storage_failure(exc):
                raise
            stop.set()  # the other processes stop too: their trials could not be kept either
            broke.append(
                f"The study's storage {url[:80]} could not be written ({storage_reason(exc)}): "
                "the sweep stopped, and the trials finished before are kept in it."
            )
        finally:
            finished.set()

    try:  # from the first word of the sweep on, ctrl+c stops it and the summary follows
        print(
            f"Study {name} in {url} ({len(trials)} trials so far): {args.trials} more of {budget:,} "
            f"steps each{jobs}, searching {', '.join(space)}.",
            file=said,
            flush=True,
        )
        if args.watch:
            _watch(SweepView(study, entry, kind, budget, name, args.trials, stop, finished), sweep, workers)
        else:
            sweep()
    except KeyboardInterrupt:
        stop.set()
    if stop.is_set() and not broke:  # ctrl+c, here or inside a trial (which the objective turns into a stop)
        print("Interrupted: the finished trials are kept in the study.", file=said, flush=True)
    moved, failed = gather(workers, save_to, saved)
    if ray is not None:
        ray.shutdown()
    saved += moved
    if broke:
        kept = f" The best agent of this run ({saved[-1]:.4g}) is saved in {save_to}." if saved else ""
        raise UsageError(broke[0] + kept)
    unsaved = max(keep.unsaved, default=None)
    if unsaved is not None and (not saved or unsaved[0] > saved[-1]):
        value, problem = unsaved
        kept = f"; {save_to} holds the best one that could ({saved[-1]:.4g})" if saved else ""
        not_saved = f"The best agent of this run ({value:.4g}) could not be saved: {problem.rstrip('.')}{kept}."
    else:
        not_saved = ""
    if failed and not stop.is_set():
        print(
            f"{failed} of the other processes ended with an error; their trials may be missing "
            "(the study holds every finished one).",
            file=said,
            flush=True,
        )
    progress(study)
    result = outcome(study)
    seconds = time.perf_counter() - start
    seed = args.seed if result.best_seed is None else result.best_seed  # a study from before trials had seeds
    command = best_command(entry.id, kind, budget, seed, result.best_params) if result.best_params else None
    summary = {
        "env": entry.id,
        "agent": kind,
        "study": name,
        "storage": url,
        "trials_finished": result.finished,
        "trials_pruned": result.pruned,
        "best_value": None if result.best_value is None else round(result.best_value, 4),
        "best_params": result.best_params,
        "best_command": command,
        "seconds": round(seconds, 1),
        "jobs": runners,
        "ray": ray is not None,
    }
    if not_saved:
        summary["save_error"] = not_saved
    if args.json:
        print_json(summary)
        if not_saved:
            print(f"rltui: {not_saved}", file=sys.stderr)
        return EXIT_USAGE if not_saved else 0
    _table(study, entry.id)
    print(
        f"{result.finished - before.finished} finished and {result.pruned - before.pruned} pruned now; "
        f"{result.finished} finished in the study."
    )
    if command:
        print(f"Best: {result.best_value:.4g}. To train it: {command}")
    if not_saved:
        print(f"rltui: {not_saved}", file=sys.stderr)
        return EXIT_USAGE
    if saved:
        print(f"Saved the best agent of this run ({saved[-1]:.4g}) to {save_to}.")
    elif save_to is not None:
        print("Nothing saved: no trial of this run finished (all pruned or refused).")
    return 0


def run_share(argv: list[str]) -> tuple[int, str]:
    """A Ray task: one share of the trials (``tune ... --worker I``), in the task's process, as
    ``rltui`` would run it from the command line. (The exit code, what it printed.)"""
    from rltui.commands.common import run_in_task

    return run_in_task(add_parser, run, argv)


def _check_paths(args: argparse.Namespace) -> None:
    """The places the sweep will write, checked before any work (see :mod:`rltui.paths`):
    ``--save-best``'s file or folder, and the saves folder when the study or the watched
    sweep's best agent goes there."""
    from agents.persistence import SaveError
    from rltui.formats.saves import save_place
    from rltui.paths import PathError, check_saves_dir

    try:
        if args.save_best is not None:
            save_place(args.save_best, "--save-best")
        if args.storage is None or (args.watch and args.save_best is None):
            check_saves_dir()
    except (PathError, SaveError) as exc:
        raise UsageError(str(exc)) from None


def _stem(study: str | None, env_id: str, kind: str) -> str:
    from rltui.paths import id_stem

    return id_stem(study) if study else f"{id_stem(env_id)}-{kind}"


def _watch(view: Any, sweep: Any, workers: list[Any]) -> None:
    """Run the sweep in a thread while the app shows it; leaving the app stops the sweep (this
    process's running trial at its next evaluation, the other processes as ctrl+c would)."""
    import signal

    from rltui.ui.app import RLTuiApp

    runner = threading.Thread(target=sweep, name="sweep", daemon=True)
    runner.start()
    try:
        RLTuiApp(sweep=view).run()
    finally:
        view.stop.set()
        for worker in workers:
            if worker.poll() is None:
                worker.send_signal(signal.SIGINT)
        runner.join()


def keep_in(save_to: Any, env_id: str, saved: list[float] | None = None) -> Any:
    """A trial's ``on_done``: save its agent to ``save_to`` when it beats those saved so far
    (their values are appended to ``saved``)."""
    saved = [] if saved is None else saved
    unsaved: list[tuple[float, str]] = []  # (value, why) of each best agent that could not be saved

    def keep(agent: Any, value: float) -> str | None:
        if save_to is not None and (not saved or value > saved[-1]):
            from agents.persistence import SaveError, save_agent

            try:
                save_agent(agent, save_to, env_id, {"return_mean": value})
            except SaveError as exc:  # the disk filled, the folder went: the sweep goes on
                unsaved.append((value, str(exc)))
                print(
                    f"rltui: warning: the best agent so far ({value:.4g}) could not be saved: {exc} "
                    "The sweep goes on; its trials are kept in the study.",
                    file=sys.stderr,
                    flush=True,
                )
                return None
            saved.append(value)
            return str(save_to)
        return None

    keep.saved = saved  # type: ignore[attr-defined]
    keep.unsaved = unsaved  # type: ignore[attr-defined]
    return keep


def _table(study: Any, env_id: str, top: int = 5) -> None:
    from rich.console import Console
    from rich.table import Table

    from rltui.training.tuning import optuna_module

    optuna = optuna_module()
    done = sorted(
        (t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE), key=lambda t: t.value, reverse=True
    )[:top]
    if not done:
        print("No trial has finished yet.")
        return
    table = Table(title=f"Top trials on {env_id}")
    table.add_column("trial", justify="right")
    table.add_column("return", justify="right")
    table.add_column("settings")
    for t in done:
        table.add_row(
            str(t.number), f"{t.value:.4g}", " ".join(f"{k}={v}" for k, v in t.user_attrs.get("settings", {}).items())
        )
    Console().print(table)
