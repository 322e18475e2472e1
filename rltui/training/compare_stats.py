"""The statistics of a comparison (:mod:`rltui.training.compare`): IQM, bootstrap intervals and
the probability of improvement, from SciPy."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from rltui.training.compare import CONFIDENCE, RESAMPLES, Plan, RunResult

# ---- statistics -------------------------------------------------------------------------------


def iqm(x: Any, axis: int = -1) -> Any:
    """The interquartile mean: the mean of the middle 50% (``scipy.stats.trim_mean``, a quarter
    cut from each end, as rliable's ``aggregate_iqm``)."""
    from scipy import stats

    return stats.trim_mean(x, 0.25, axis=axis)


def mean_of(x: Any, axis: int = -1) -> Any:
    return np.mean(x, axis=axis)


def improvement(x: Any, y: Any, axis: int = -1) -> Any:
    """P(X > Y) over every pair of runs, a tie counting a half: the Mann-Whitney U statistic
    over the number of pairs (rliable's probability of improvement on one task)."""
    from scipy import stats

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return stats.mannwhitneyu(x, y, axis=axis).statistic / (x.shape[axis] * y.shape[axis])


def interval(
    samples: tuple[Any, ...], statistic: Any, seed: int, resamples: int = RESAMPLES
) -> tuple[float, float] | None:
    """The 95% percentile-bootstrap interval of ``statistic`` (``scipy.stats.bootstrap``,
    seeded; each sample resampled on its own); None with fewer than two runs in a sample."""
    from scipy import stats

    if any(len(s) < 2 for s in samples):
        return None
    if all(np.ptp(s) == 0 for s in samples) and len(samples) == 1:
        value = float(statistic(np.asarray(samples[0], dtype=float)))
        return (value, value)  # every run the same: nothing to resample
    res = stats.bootstrap(
        tuple(np.asarray(s, dtype=float) for s in samples),
        statistic,
        n_resamples=resamples,
        confidence_level=CONFIDENCE,
        method="percentile",
        vectorized=True,
        paired=False,
        rng=np.random.default_rng(seed),
    )
    low, high = float(res.confidence_interval.low), float(res.confidence_interval.high)
    return (low, high) if math.isfinite(low) and math.isfinite(high) else None


@dataclass
class KindFigures:
    kind: str
    runs: int
    mean: float
    mean_ci: tuple[float, float] | None
    iqm: float
    iqm_ci: tuple[float, float] | None
    solved: int
    """Runs that reached the solved mark."""
    steps_to_solve: float | None
    """The median step the runs that reached it reached it at."""
    steps_range: tuple[int, int] | None
    seconds_to_solve: float | None
    seconds_range: tuple[float, float] | None
    wall_seconds: float
    """The median wall time of a run."""


@dataclass
class Figures:
    env: str
    kinds: list[KindFigures]
    improvement: list[dict[str, Any]] = field(default_factory=list)
    """One per ordered pair: ``{"x", "y", "p", "ci"}``, P(x's final return > y's)."""

    def as_json(self) -> dict[str, Any]:
        def r(v: Any) -> Any:
            if isinstance(v, float):
                return round(v, 4)
            if isinstance(v, (tuple, list)):
                return [r(i) for i in v]
            return v

        kinds = [{k: r(v) for k, v in asdict(f).items()} for f in self.kinds]
        return {
            "env": self.env,
            "kinds": kinds,
            "improvement": [{k: r(v) for k, v in p.items()} for p in self.improvement],
        }


def figures(plan: Plan, results: list[RunResult], seed: int = 0) -> Figures:
    """The comparison's statistics over the finished runs (kinds without any are left out)."""
    by_kind = {k: sorted((r for r in results if r.kind == k), key=lambda r: r.seed) for k in plan.kinds}
    out = []
    finals: dict[str, np.ndarray] = {}
    for i, kind in enumerate(plan.kinds):
        runs = by_kind[kind]
        if not runs:
            continue
        x = np.array([r.final for r in runs], dtype=float)
        finals[kind] = x
        steps = [r.solved_step for r in runs if r.solved_step is not None]
        secs = [r.solved_seconds for r in runs if r.solved_seconds is not None]
        out.append(
            KindFigures(
                kind,
                len(runs),
                float(np.mean(x)),
                interval((x,), mean_of, seed + i),
                float(iqm(x)),
                interval((x,), iqm, seed + i),
                len(steps),
                float(np.median(steps)) if steps else None,
                (min(steps), max(steps)) if steps else None,
                float(np.median(secs)) if secs else None,
                (min(secs), max(secs)) if secs else None,
                float(np.median([r.seconds for r in runs])),
            )
        )
    pairs = []
    names = [k for k in plan.kinds if k in finals]
    for a in names:
        for b in names:
            if a == b:
                continue
            p = float(improvement(finals[a], finals[b]))
            pairs.append({"x": a, "y": b, "p": p, "ci": interval((finals[a], finals[b]), improvement, seed + 1000)})
    return Figures(plan.env_id, out, pairs)
