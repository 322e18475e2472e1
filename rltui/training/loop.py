"""The headless training loop (greedy evaluation is :mod:`rltui.training.evaluation`).

Terminal-free: the CLI draws a progress bar from the :class:`Progress`
callbacks and the app (later) publishes them as snapshots. Training stops when
the budget is spent, a greedy evaluation reaches the target, or the plain
``threading.Event`` passed in is set.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from agents.protocols import Resumable, Scheduled
from agents.registry import has
from rltui.envs.catalog import EnvEntry
from rltui.training.collectors import collector_for
from rltui.training.evaluation import StopFlag, evaluate, start_states


class AnyOf:
    """A stop flag that is set once any of its flags is (quitting, or a key to answer)."""

    def __init__(self, *flags: StopFlag) -> None:
        self.flags = flags

    def is_set(self) -> bool:
        return any(flag.is_set() for flag in self.flags)


@dataclass(frozen=True)
class Progress:
    """How training stands, published a few times a second."""

    steps: int
    episodes: int
    seconds: float
    steps_per_second: float
    epsilon: float | None
    """None for a policy agent (it explores by sampling π)."""
    last_return: float | None
    mean_return: float | None
    """Mean of the last 100 episode returns."""
    eval_return: float | None
    """The latest greedy-evaluation mean."""
    loss: float | None


@dataclass(frozen=True)
class TrainResult:
    steps: int
    episodes: int
    seconds: float
    eval_return_mean: float | None
    """The final greedy evaluation's mean; when ``stop`` ended training, the latest periodic
    one (None if there was none): whoever stopped it wants out now, not after 100 episodes."""
    eval_return_std: float | None
    solved: bool
    stopped_early: bool
    """The target was reached (or the stop event set) before the budget ran out."""
    stopped: bool = False
    """The stop event ended training."""
    best_step: int | None = None
    """When the best greedy evaluation's weights were kept instead of the last ones: the step
    they come from (None: the agent is as training left it)."""


def train(
    agent: Any,
    entry: EnvEntry,
    *,
    steps: int | None = None,
    episodes: int | None = None,
    target_return: float | None = None,
    seed: int | None = None,
    stop: threading.Event | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    eval_every: int = 10_000,
    eval_episodes: int = 20,
    final_eval_episodes: int = 100,
    progress_interval: float = 0.1,
    keep_best: bool = True,
    log: Any = None,
    on_eval: Callable[[int, float], bool] | None = None,
) -> TrainResult:
    """Train ``agent`` on a fresh env for ``entry`` until a budget, a target or ``stop``.

    Args:
        agent: any agent of the :class:`agents.base.Agent` protocol.
        entry: the environment.
        steps: budget in environment steps (None: no step budget).
        episodes: budget in episodes (None: no episode budget).
        target_return: stop as soon as a greedy evaluation's mean reaches it.
        seed: seeds the env's first reset (evaluations use their own seeds).
        stop: set from another thread to stop after the current step.
        on_progress: called at most every ``progress_interval`` seconds.
        eval_every: steps between greedy evaluations (for the target and the curve).
        eval_episodes: episodes per periodic evaluation.
        final_eval_episodes: episodes of the evaluation reported at the end.
        keep_best: when a budget (not a target or ``stop``) ends training, leave the agent with
            the weights of its best greedy evaluation, the last ones included (as a best-model
            callback does), so a policy that solved is not trained past into a collapse.
        log: a :class:`rltui.formats.tensorboard.RunLog` to write TensorBoard scalars to as it goes.
        on_eval: told (step, mean greedy return) after each periodic evaluation; returning
            True stops training there, as ``stop`` does (a tuner's pruner).
    """
    if steps is None and episodes is None and target_return is None and stop is None:
        raise ValueError("train needs a budget (steps or episodes), a target or a stop event.")
    stop = stop or threading.Event()
    recent: deque[float] = deque(maxlen=100)
    eval_mean: float | None = None
    loss: float | None = None
    start = time.perf_counter()
    last_report = start
    final: list[float] = []
    step_count = episode_count = ticks = 0
    next_eval = eval_every
    reached = halted = False
    best = _Best(agent) if keep_best else None
    exhaustive = target_return is not None  # every start of a grid world only for a target
    starts = start_states(entry) if exhaustive else None
    full = starts or max(eval_episodes, entry.min_eval_episodes)  # episodes of an uncut evaluation
    n_envs = int(agent.config.n_envs or 1) if has(agent.kind, "n_envs") else 1
    collector = collector_for(agent, entry, n_envs, seed)
    collector.log = log
    if log is not None:
        log.start(agent)  # after any demonstrations: this run's steps and seconds from here
    if steps is not None and isinstance(agent, Scheduled):
        agent.plan(steps)  # schedules over the budget (PPO's learning-rate annealing)
    try:
        while not stop.is_set():
            if steps is not None and step_count >= steps:
                break
            if episodes is not None and episode_count >= episodes:
                break
            taken, finished, step_loss = collector.step()
            step_count += taken
            ticks += 1
            if step_loss is not None:
                loss = step_loss
            for episode_return, length in finished:
                episode_count += 1
                recent.append(episode_return)
                if log is not None:
                    log.episode(episode_return, length)
            if log is not None:
                log.maybe_row(agent, loss)
            if step_count >= next_eval:
                next_eval += eval_every
                returns = evaluate(agent, entry, eval_episodes, target=target_return, exhaustive=exhaustive)
                eval_mean = statistics.fmean(returns)
                if log is not None:
                    log.evaluation(agent, eval_mean)
                if on_eval is not None and on_eval(step_count, eval_mean):
                    halted = True  # as a stop would (the caller's stop event is left alone)
                    break
                if target_return is not None and eval_mean >= target_return:
                    # Confirmed over the final evaluation's episodes before stopping: a lucky
                    # handful (Pendulum's starts vary a lot) must not end training.
                    final = evaluate(agent, entry, final_eval_episodes)
                    if statistics.fmean(final) >= target_return:
                        reached = True
                        break
                    eval_mean = statistics.fmean(final)
                if best is not None and len(returns) == full:
                    best.offer(eval_mean, step_count)  # (one cut short below the target is not)
            if on_progress is not None and (ticks & 255) == 0:
                now = time.perf_counter()
                if now - last_report >= progress_interval:
                    last_report = now
                    on_progress(_progress(agent, step_count, episode_count, now - start, recent, eval_mean, loss))
    finally:
        collector.close()
    seconds = time.perf_counter() - start
    stopped = (stop.is_set() or halted) and not reached
    best_step = None
    if best is not None and not stopped and not reached and best.step is not None:
        # The last weights compete on the same footing (the same episodes) as the periodic ones.
        last = statistics.fmean(evaluate(agent, entry, eval_episodes, exhaustive=exhaustive))
        best_step = best.restore_if_better_than(last)
    mean: float | None
    std: float | None
    if stopped:
        mean, std = eval_mean, None
    else:
        if not reached:
            final = evaluate(agent, entry, final_eval_episodes)
        mean = statistics.fmean(final)
        std = statistics.pstdev(final) if len(final) > 1 else 0.0
    if on_progress is not None:
        on_progress(_progress(agent, step_count, episode_count, seconds, recent, mean, loss))
    return TrainResult(
        steps=step_count,
        episodes=episode_count,
        seconds=seconds,
        eval_return_mean=mean,
        eval_return_std=std,
        solved=mean is not None and (entry.is_solved(mean) if target_return is None else mean >= target_return),
        stopped_early=reached or stop.is_set(),
        stopped=stopped,
        best_step=best_step,
    )


class _Best:
    """The weights of the best greedy evaluation so far (a copy: training goes on)."""

    def __init__(self, agent: Any) -> None:
        self.agent = agent
        self.usable = agent.learns and isinstance(agent, Resumable)
        self.mean = float("-inf")
        self.step: int | None = None
        self.arrays: dict[str, Any] | None = None

    def offer(self, mean: float, step: int) -> None:
        if self.usable and mean > self.mean:
            self.mean, self.step = mean, step
            self.arrays = {k: np.array(v, copy=True) for k, v in self.agent.arrays().items()}

    def restore_if_better_than(self, last_mean: float) -> int | None:
        """Put the best weights back if they beat ``last_mean``; the step they come from, or
        None when the last weights stay. Counters (steps, ε) stay where training left them."""
        if self.arrays is None or self.mean <= last_mean:
            return None
        self.agent.load_arrays(self.arrays, self.agent.counters())
        return self.step


def _progress(
    agent: Any,
    steps: int,
    episodes: int,
    seconds: float,
    recent: deque[float],
    eval_mean: float | None,
    loss: float | None,
) -> Progress:
    return Progress(
        steps=steps,
        episodes=episodes,
        seconds=seconds,
        steps_per_second=steps / seconds if seconds > 0 else 0.0,
        epsilon=None if agent.epsilon is None else float(agent.epsilon),
        last_return=recent[-1] if recent else None,
        mean_return=statistics.fmean(recent) if recent else None,
        eval_return=eval_mean,
        loss=loss,
    )
