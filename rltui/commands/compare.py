"""``rltui compare ENV --agents dqn,ppo``: several kinds and seeds side by side, with the
statistics (see :mod:`rltui.training.compare`)."""

from __future__ import annotations

import argparse
import io
import sys
import threading
import time
from pathlib import Path
from typing import Any

from rltui.commands.common import UsageError


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "compare",
        help="several agent kinds and seeds side by side, with bootstrap statistics",
        description="Every (kind, seed) runs as its own `train` with one greedy-evaluation schedule; "
        "the runs are kept in an SQLite file (saves/compare/ENV-KINDS.db unless --store says "
        "otherwise) as they finish, so the same command again resumes. The table gives each kind's "
        "mean and IQM of the final greedy return with 95% bootstrap CIs, steps and seconds to the "
        "solved mark, and the probability of improvement of each kind over each other. Needs the "
        "compare extra (SciPy).",
    )
    p.add_argument("env", help="environment id")
    p.add_argument("--agents", required=True, metavar="KIND,KIND[,...]", help="the kinds to compare, comma-separated")
    p.add_argument("--seeds", type=int, default=5, help="runs per kind, seeds 0 to N-1 (default 5)")
    p.add_argument("--steps", type=int, default=None, help="steps per run (default: the env's budget for each kind)")
    p.add_argument("--jobs", type=int, default=1, help="runs side by side, each in its own process (default 1)")
    p.add_argument(
        "--ray",
        nargs="?",
        const="",
        default=None,
        metavar="ADDRESS",
        help="run every run as a Ray task: a local Ray started now, or the cluster at ADDRESS; needs the ray extra",
    )
    p.add_argument(
        "--set", dest="settings", action="append", metavar="KIND.KEY=VALUE", help="a setting for one kind (repeatable)"
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument("--store", metavar="PATH", help="the comparison's SQLite file (default under saves/compare/)")
    where.add_argument(
        "--study", metavar="NAME", help="name the comparison: its store is saves/compare/NAME.db (default ENV-KINDS)"
    )
    p.add_argument("--csv", metavar="FILE", help="write the per-kind figures to FILE as CSV")
    p.add_argument("--seed", type=int, default=0, help="the bootstrap's seed (default 0)")
    p.add_argument("--watch", action="store_true", help="watch the runs in the app: every run, each kind's curve")
    p.add_argument("--json", action="store_true", help="one JSON object with the figures on the last line")
    p.add_argument("--worker-run", default=None, help=argparse.SUPPRESS)  # KIND:SEED, one run in this process
    p.add_argument("--worker-save", default=None, help=argparse.SUPPRESS)


def _kinds(text: str) -> list[str]:
    from agents.registry import AgentError, spec

    names = [t.strip() for t in text.split(",") if t.strip()]
    if not names:
        raise UsageError("--agents takes kinds separated by commas, such as dqn,ppo.")
    kinds: list[str] = []
    for name in names:
        try:
            kind = spec(name).name
        except AgentError as exc:
            raise UsageError(str(exc)) from None
        if kind in kinds:
            raise UsageError(f"--agents names {kind} twice.")
        kinds.append(kind)
    return kinds


def _settings(pairs: list[str] | None, kinds: list[str]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for pair in pairs or ():
        target, sep, value = pair.partition("=")
        kind, dot, key = target.partition(".")
        if not sep or not dot or not kind.strip() or not key.strip() or not value.strip():
            raise UsageError(f"--set takes KIND.KEY=VALUE (such as dqn.lr=0.001), not '{pair[:60]}'.")
        if kind.strip() not in kinds:
            raise UsageError(
                f"--set {pair[:60]} names {kind.strip()[:30]}, which is not one of --agents ({', '.join(kinds)})."
            )
        out.setdefault(kind.strip(), {})[key.strip()] = value.strip()
    return out


def prepare(args: argparse.Namespace) -> tuple[Any, Any]:
    """(the env's entry, the plan): every input checked, nothing written."""
    from agents.registry import AgentError
    from rltui.commands.common import check_seed, resolve_env
    from rltui.training.agent_factory import make_agent_for
    from rltui.training.compare import make_plan

    check_seed(args.seed)
    if not 1 <= args.seeds <= 1_000:
        raise UsageError(f"--seeds must be from 1 to 1000, not {args.seeds}.")
    if not 1 <= args.jobs <= 64:
        raise UsageError(f"--jobs must be from 1 to 64, not {args.jobs}.")
    if args.steps is not None and args.steps < 100:
        raise UsageError(f"--steps must be 100 or more, not {args.steps}.")
    if args.watch and args.json:
        raise UsageError("--watch shows the comparison in the app; --json prints it: choose one.")
    entry = resolve_env(args.env)
    kinds = _kinds(args.agents)
    settings = _settings(args.settings, kinds)
    if not args.worker_run:
        for kind in kinds:  # a kind that cannot play the env, or a bad setting: one sentence now
            try:
                make_agent_for(entry, kind, settings.get(kind) or None, seed=0)
            except AgentError as exc:
                raise UsageError(str(exc)) from None
    return entry, make_plan(entry, kinds, args.seeds, args.steps, settings)


def run(args: argparse.Namespace) -> int:
    entry, plan = prepare(args)
    if args.worker_run:
        from rltui.commands.compare_runs import worker

        return worker(args, plan)
    try:
        import scipy  # noqa: F401
    except ImportError:
        from rltui.extras import missing

        raise UsageError(missing("rltui compare", "compare")) from None
    from rltui.training.compare import CompareError, Store, default_store
    from rltui.training.compare_live import Arena
    from rltui.training.compare_stats import figures

    store_path = _store_path(args, plan)
    if args.csv:
        _check_csv(args.csv)
    ray = _ray(args.ray) if args.ray is not None else None
    try:
        store = Store(store_path, plan)
    except CompareError as exc:
        if ray is not None:
            ray.shutdown()
        raise UsageError(str(exc)) from None
    del default_store
    kept = store.results()
    arena = Arena(plan, kept)
    todo = [run for run in plan.runs() if run not in {(r.kind, r.seed) for r in kept}]
    said = io.StringIO() if args.watch else sys.stderr if args.json else sys.stdout
    how = "as Ray tasks" if ray is not None else f"{args.jobs} at a time" if args.jobs > 1 else "one at a time"
    print(
        f"Comparing {', '.join(plan.kinds)} on {entry.id}: {len(todo)} runs to go {how}, {len(kept)} kept in "
        f"{store_path}; a greedy evaluation every {plan.eval_every:,} steps.",
        file=said,
        flush=True,
    )
    start = time.perf_counter()

    def say(kind: str, seed: int, result: Any) -> None:
        if result is None:
            return
        store.put(result)
        mark = f", solved at {result.solved_step:,} steps" if result.solved_step is not None else ""
        print(
            f"{kind} seed {seed}: greedy {result.final:.4g} after {result.steps:,} steps{mark} "
            f"({result.seconds:.1f} s)   [{time.perf_counter() - start:.0f} s]",
            file=said,
            flush=True,
        )

    agents_dir = store_path.with_name(store_path.stem + "-agents")

    from rltui.commands.compare_runs import run_here, run_processes, run_ray

    def execute() -> None:
        try:
            if ray is not None:
                run_ray(ray, run_task, args, plan, todo, arena, say)
            elif args.jobs > 1:
                run_processes(args, plan, todo, arena, say, agents_dir)
            else:
                run_here(plan, todo, arena, say, agents_dir)
        finally:
            arena.finished.set()

    try:
        if args.watch:
            _watch(arena, execute)
        else:
            execute()
    except KeyboardInterrupt:
        arena.stop.set()
    if ray is not None:
        ray.shutdown()
    results = store.results()
    if arena.stop.is_set() and len(results) < len(plan.runs()):
        print(
            "Stopped: the finished runs are kept in the store; the same command resumes.",
            file=sys.stdout if args.watch else said,
            flush=True,
        )
    store.close()
    figs = figures(plan, results, seed=args.seed)
    seconds = time.perf_counter() - start
    if args.csv:
        _write_csv(args.csv, figs)
    if args.json:
        from rltui.commands.common import print_json

        out = figs.as_json()
        out.update(
            store=str(store_path),
            runs=len(results),
            runs_planned=len(plan.runs()),
            seconds=round(seconds, 1),
            jobs=args.jobs,
            ray=ray is not None,
        )
        print_json(out)
        return 0
    _table(figs, plan, entry)
    print(f"{len(results)} of {len(plan.runs())} runs in {store_path} ({seconds:.1f} s now).")
    return 0


def _store_path(args: argparse.Namespace, plan: Any) -> Path:
    from rltui.paths import PathError, check_saves_dir, file_to_write
    from rltui.training.compare import default_store

    try:
        if args.store is None:
            check_saves_dir()
            return default_store(plan.env_id, plan.kinds, getattr(args, "study", None))
        return file_to_write(args.store, "--store")
    except PathError as exc:
        raise UsageError(str(exc)) from None


def _check_csv(path: str) -> None:
    from rltui.paths import PathError, file_to_write

    try:
        file_to_write(path, "--csv")
    except PathError as exc:
        raise UsageError(str(exc)) from None


def _ray(address: str) -> Any:
    try:
        import ray  # noqa: F401
    except ImportError:
        from rltui.extras import missing

        raise UsageError(missing("rltui compare --ray", "ray")) from None
    from rltui.commands.tune_jobs import start_ray

    return start_ray(address)


def run_task(argv: list[str]) -> tuple[int, str]:
    """A Ray task: one run (``compare ... --worker-run KIND:SEED``) in the task's process.
    (The exit code, what it printed.)"""
    from rltui.commands.common import run_in_task

    return run_in_task(add_parser, run, argv)


def _watch(arena: Any, execute: Any) -> None:
    from rltui.ui.app import RLTuiApp

    runner = threading.Thread(target=execute, name="compare", daemon=True)
    runner.start()
    try:
        RLTuiApp(compare=arena).run()
    finally:
        arena.stop.set()
        runner.join()


def _fmt(v: float | None) -> str:
    return "—" if v is None else f"{v:.4g}"


def _ci(ci: Any) -> str:
    return "—" if ci is None else f"[{ci[0]:.4g}, {ci[1]:.4g}]"


def _table(figs: Any, plan: Any, entry: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 120))
    if not figs.kinds:
        print("No run has finished yet.")
        return
    mark = "" if plan.solved_at is None else f" (solved at {plan.solved_at:g})"
    table = Table(title=f"{entry.id}: final greedy return{mark}")
    for name in ("kind", "solved", "mean [95% CI]", "IQM [95% CI]", "steps to solve", "s to solve", "s a run"):
        table.add_column(name, justify="left" if name == "kind" else "right")
    for f in figs.kinds:
        steps = (
            "—" if f.steps_to_solve is None else f"{f.steps_to_solve:,.0f} ({f.steps_range[0]:,}–{f.steps_range[1]:,})"
        )
        secs = (
            "—"
            if f.seconds_to_solve is None
            else f"{f.seconds_to_solve:.1f} ({f.seconds_range[0]:.1f}–{f.seconds_range[1]:.1f})"
        )
        table.add_row(
            f.kind,
            f"{f.solved}/{f.runs}",
            f"{_fmt(f.mean)} {_ci(f.mean_ci)}",
            f"{_fmt(f.iqm)} {_ci(f.iqm_ci)}",
            steps,
            secs,
            f"{f.wall_seconds:.1f}",
        )
    console.print(table)
    if figs.improvement:
        pairs = Table(title="P(X > Y): the chance a run of X ends above a run of Y")
        for name in ("X", "Y", "P", "95% CI"):
            pairs.add_column(name, justify="left" if name in "XY" else "right")
        for p in figs.improvement:
            pairs.add_row(p["x"], p["y"], f"{p['p']:.3f}", _ci(p["ci"]))
        console.print(pairs)


def _write_csv(path: str, figs: Any) -> None:
    import csv

    from rltui.fileio import write_atomic

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(
        [
            "kind",
            "runs",
            "mean",
            "mean_low",
            "mean_high",
            "iqm",
            "iqm_low",
            "iqm_high",
            "solved",
            "steps_to_solve",
            "seconds_to_solve",
        ]
    )
    for f in figs.kinds:
        m = f.mean_ci or (None, None)
        q = f.iqm_ci or (None, None)
        w.writerow(
            [f.kind, f.runs, f.mean, m[0], m[1], f.iqm, q[0], q[1], f.solved, f.steps_to_solve, f.seconds_to_solve]
        )
    for p in figs.improvement:
        ci = p["ci"] or (None, None)
        w.writerow([f"P({p['x']}>{p['y']})", "", p["p"], ci[0], ci[1], "", "", "", "", "", ""])
    try:
        write_atomic(Path(path).expanduser(), buf.getvalue().encode())
    except OSError as exc:
        raise UsageError(f"--csv {path[:80]} cannot be written: {exc.strerror or exc}.") from None
