"""Several kinds and seeds side by side (``rltui compare``): every (kind, seed) is one training
run with the same greedy-evaluation schedule; the runs are kept in one SQLite file as they
finish (a re-run of the same comparison resumes it); the statistics come from SciPy
(:func:`scipy.stats.bootstrap`, :func:`scipy.stats.trim_mean`, :func:`scipy.stats.mannwhitneyu`),
as rliable (Agarwal et al. 2021) defines them: the mean and the interquartile mean of the final
greedy returns with 95% bootstrap confidence intervals, and the probability of improvement."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

STORE_FORMAT = "rltui-compare-1"
"""What the store's ``meta`` table says it is; any other SQLite file is not a comparison store."""

CONFIDENCE = 0.95
RESAMPLES = 2_000
"""Bootstrap resamples of the final table's intervals (the live curves' bands use fewer)."""


class CompareError(Exception):
    """A comparison that cannot be set up or stored (one sentence)."""


@dataclass(frozen=True)
class Plan:
    """What a comparison runs: the env, the kinds, how many seeds, each kind's budget and
    settings, and the one evaluation schedule every run shares."""

    env_id: str
    kinds: tuple[str, ...]
    seeds: int
    budgets: dict[str, int]
    settings: dict[str, dict[str, str]]
    eval_every: int
    eval_episodes: int
    solved_at: float | None
    marks: dict[str, int] = field(default_factory=dict)
    """Per kind, where the catalog publishes one: the env's step budget for the kind's family
    (rl-baselines3-zoo's, as the catalog keeps them), shown as a marker on the curves. Not part
    of :meth:`identity`: it says where a kind is expected to be done, not what was run."""

    def identity(self) -> dict[str, Any]:
        """What a store must have been made for to be resumed by this plan."""
        return {
            "env": self.env_id,
            "kinds": list(self.kinds),
            "budgets": {k: self.budgets[k] for k in self.kinds},
            "settings": {k: self.settings.get(k, {}) for k in self.kinds},
            "eval_every": self.eval_every,
            "eval_episodes": self.eval_episodes,
        }

    def runs(self) -> list[tuple[str, int]]:
        """Every (kind, seed), seed by seed (so a stopped comparison has some of every kind)."""
        return [(kind, seed) for seed in range(self.seeds) for kind in self.kinds]


def make_plan(entry: Any, kinds: list[str], seeds: int, steps: int | None, settings: dict[str, dict[str, str]]) -> Plan:
    """The plan for ``kinds`` on ``entry``: each kind's catalog budget, or ``steps`` for all; the
    schedule ``train`` uses for the smallest budget (so every kind is evaluated as often)."""
    from rltui.training.evaluation import eval_schedule

    budgets = {k: steps if steps is not None else entry.budget_for(k) for k in kinds}
    schedule = eval_schedule(min(budgets.values()), entry.solved_at, entry.min_eval_episodes)
    return Plan(
        entry.id,
        tuple(kinds),
        seeds,
        budgets,
        {k: dict(settings.get(k, {})) for k in kinds},
        schedule["eval_every"],
        schedule["eval_episodes"],
        entry.solved_at,
        published_budgets(entry, kinds),
    )


def published_budgets(entry: Any, kinds: list[str]) -> dict[str, int]:
    """Each kind's budget where ``entry.budgets`` has one for its family (none: no marker)."""
    from agents.registry import spec

    return {k: int(entry.budgets[spec(k).family]) for k in kinds if spec(k).family in entry.budgets}


@dataclass(frozen=True)
class RunResult:
    """One finished run."""

    kind: str
    seed: int
    steps: int
    final: float
    """The final greedy evaluation's mean return."""
    solved: bool
    solved_step: int | None
    """The step it reached the solved mark at (None: it did not)."""
    seconds: float
    solved_seconds: float | None
    curve: tuple[tuple[int, float], ...]
    """(step, mean greedy return) of its periodic evaluations."""
    agent_file: str | None = None


def run_one(
    plan: Plan,
    kind: str,
    seed: int,
    stop: threading.Event | None = None,
    on_eval: Callable[[int, float], None] | None = None,
    on_steps: Callable[[int], None] | None = None,
    save_to: str | None = None,
) -> RunResult | None:
    """Train one (kind, seed) as ``train ENV --agent KIND --seed SEED`` does (to the budget, or
    until the solved mark is reached and confirmed), evaluated on the plan's schedule. None
    when ``stop`` ended it (a stopped run is not a result)."""
    from rltui.envs import catalog
    from rltui.training.agent_factory import make_agent_for
    from rltui.training.loop import train

    entry = catalog.resolve(plan.env_id)
    agent = make_agent_for(entry, kind, plan.settings.get(kind) or None, seed=seed)
    curve: list[tuple[int, float]] = []
    stop = stop or threading.Event()
    start = time.perf_counter()

    def evaluated(step: int, mean: float) -> bool:
        curve.append((int(step), float(mean)))
        if on_eval is not None:
            on_eval(int(step), float(mean))
        return False

    result = train(
        agent,
        entry,
        steps=plan.budgets[kind],
        target_return=plan.solved_at,
        seed=seed,
        stop=stop,
        eval_every=plan.eval_every,
        eval_episodes=plan.eval_episodes,
        on_eval=evaluated,
        on_progress=None if on_steps is None else (lambda p: on_steps(p.steps)),
        progress_interval=1.0,
    )
    if result.stopped or result.eval_return_mean is None:
        return None
    reached = result.solved and result.stopped_early
    saved = None
    if save_to is not None:
        from agents.persistence import SaveError, save_agent

        try:
            saved = str(save_agent(agent, save_to, entry.id, {"return_mean": result.eval_return_mean}))
        except SaveError:
            saved = None  # the result stands without its agent
    return RunResult(
        kind,
        seed,
        result.steps,
        float(result.eval_return_mean),
        bool(result.solved),
        result.steps if reached else None,
        round(elapsed(start), 3),
        round(result.seconds, 3) if reached else None,
        tuple(curve),
        saved,
    )


def result_json(result: RunResult) -> dict[str, Any]:
    out = asdict(result)
    out["curve"] = [list(p) for p in result.curve]
    return out


def result_from_json(data: dict[str, Any]) -> RunResult:
    data = dict(data)
    data["curve"] = tuple((int(s), float(m)) for s, m in data.get("curve", ()))
    return RunResult(**data)


def default_store(env_id: str, kinds: tuple[str, ...], study: str | None = None) -> Path:
    """``saves/compare/ENV-KIND-KIND….db``, or ``saves/compare/NAME.db`` for the study ``NAME``
    (named as ``tune``'s studies are: the name as a file name's part)."""
    from rltui.paths import id_stem, saves_dir

    return saves_dir() / "compare" / f"{id_stem(study) if study else id_stem(env_id) + '-' + '-'.join(kinds)}.db"


class Store:
    """The comparison's SQLite file: what it was made for (``meta``), and every finished run."""

    def __init__(self, path: Path, plan: Plan) -> None:
        self.path = Path(path)
        self.plan = plan
        self._lock = threading.Lock()
        if self.path.exists():
            self._check()
        self.db = self._open()

    def _check(self) -> None:
        """Refuse, without writing a byte, a file that is not a store for this plan."""
        where = str(self.path)[:100]
        if not self.path.is_file():
            raise CompareError(f"The comparison store {where} is not a file.")
        try:
            db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                rows = dict(db.execute("SELECT key, value FROM meta").fetchall())
            finally:
                db.close()
        except sqlite3.Error:
            raise CompareError(f"{where} is not a comparison store (rltui compare's SQLite file).") from None
        if rows.get("format") != STORE_FORMAT:
            raise CompareError(f"{where} is not a comparison store (rltui compare's SQLite file).")
        made = json.loads(rows.get("plan", "{}"))
        mine = self.plan.identity()
        if made != mine:
            differs = [k for k in mine if made.get(k) != mine[k]]
            raise CompareError(
                f"The comparison store {where} was made for {_describe(made)}, not {_describe(mine)} "
                f"({', '.join(differs) or 'its plan'} differ): give another --store or --study, or the same settings."
            )

    def _open(self) -> sqlite3.Connection:
        new = not self.path.exists()
        try:
            if new:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30)
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            db.execute(
                "CREATE TABLE IF NOT EXISTS runs (kind TEXT, seed INTEGER, result TEXT, PRIMARY KEY (kind, seed))"
            )
            if new:
                db.executemany(
                    "INSERT INTO meta VALUES (?, ?)",
                    [("format", STORE_FORMAT), ("plan", json.dumps(self.plan.identity(), sort_keys=True))],
                )
            db.commit()
        except (sqlite3.Error, OSError) as exc:
            raise CompareError(f"The comparison store {str(self.path)[:100]} cannot be written: {exc}.") from None
        return db

    def results(self) -> list[RunResult]:
        with self._lock:
            rows = self.db.execute("SELECT result FROM runs ORDER BY kind, seed").fetchall()
        return [result_from_json(json.loads(r)) for (r,) in rows]

    def done(self) -> set[tuple[str, int]]:
        return {(r.kind, r.seed) for r in self.results()}

    def put(self, result: RunResult) -> None:
        """Keep a finished run (one transaction: a kill leaves it whole or absent)."""
        with self._lock:
            self.db.execute(
                "INSERT OR REPLACE INTO runs VALUES (?, ?, ?)",
                (result.kind, result.seed, json.dumps(result_json(result))),
            )
            self.db.commit()

    def close(self) -> None:
        self.db.close()


def _describe(identity: dict[str, Any]) -> str:
    budgets = identity.get("budgets", {})
    kinds = ", ".join(f"{k} ({budgets.get(k, '?'):,} steps)" for k in identity.get("kinds", []))
    return f"{identity.get('env', '?')} with {kinds or 'no kinds'}"


def watch_parent(stop: threading.Event) -> None:
    """In a worker process: set ``stop`` once the process that started it is gone (killed)."""
    parent = os.getppid()

    def watch() -> None:
        while not stop.wait(1.0):
            if os.getppid() != parent:
                stop.set()

    threading.Thread(target=watch, daemon=True).start()


def elapsed(start: float) -> float:
    return time.perf_counter() - start
