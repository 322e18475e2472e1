"""TensorBoard event files of a training run, with Stable-Baselines3's scalar names.

Written with the ``tensorboard`` package's own record framing and protocol buffers (the
optional ``tensorboard`` extra): the same package reads the files (``tensorboard --logdir``),
and it imports neither torch nor TensorFlow, so a tabular run stays torch-free (tensorboardX
imports torch whenever it is installed). Each row is written and flushed where it is made, not
by the package's background thread: a disk that fills or a folder that turns read-only is met
there, said once (``warn``), and the log stops whole (cut back to its last full record) while
training goes on.

One run per sub-directory, ``ENV-KIND-SEED-YYYYMMDD-HHMMSS``, so runs compare side by side.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import socket
import statistics
import time
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from agents.protocols import Optimized
from rltui.extras import missing

LOG_EVERY = 1_000
"""Environment steps between two rows of training scalars (SB3 logs every few episodes)."""

TAGS = {
    "rollout/ep_rew_mean": "mean return of the last 100 episodes (SB3's name)",
    "rollout/ep_len_mean": "mean length of the last 100 episodes (SB3's name)",
    "rollout/exploration_rate": "ε now (SB3's name)",
    "train/loss": "the latest loss of a value-based network agent (SB3's name)",
    "train/learning_rate": "the learning rate the optimiser last used (α for tabular agents) (SB3's name)",
    "time/fps": "environment steps per second of training (SB3's name)",
    "eval/mean_return": "mean greedy return of the periodic evaluation",
    "train/td_error": "mean |TD error| of the steps since the last row (tabular agents only; "
    "a network agent's is its train/loss)",
    "train/policy_gradient_loss": "a policy agent's policy loss (SB3's name)",
    "train/value_loss": "a policy agent's value loss (SB3's name)",
    "train/entropy": "the policy's entropy",
    "train/entropy_loss": "PPO's entropy loss, the negative of its entropy (SB3's name)",
    "train/approx_kl": "approximate KL of the update (SB3's name)",
    "train/clip_fraction": "the share of steps PPO clipped (SB3's name)",
    "train/clip_range": "PPO's clip range ε (SB3's name)",
    "train/explained_variance": "how much of the returns' variance V explains (SB3's name)",
    "train/ent_coef": "SAC's temperature α (SB3's name)",
    "train/ent_coef_loss": "the loss α is tuned on (SB3's name; with a fixed α, none)",
    "train/actor_loss": "the actor's loss of SAC (its policy loss), TD3 and DDPG (SB3's name)",
    "train/critic_loss": "the critics' loss of SAC, TD3 and DDPG, all together (SB3's name)",
    "train/q1_loss": "the first critic's loss (SAC, TD3, DDPG)",
    "train/q2_loss": "the second critic's loss (SAC, TD3)",
    "train/policy_objective": "TRPO's surrogate objective after its step (sb3-contrib's name)",
    "train/kl_divergence_loss": "the mean KL of TRPO's accepted step, 0 when none was (sb3-contrib's name)",
    "train/is_line_search_success": "whether TRPO's line search found a step (sb3-contrib's name)",
    "train/std": "a Gaussian policy's mean standard deviation σ (sb3-contrib's name)",
}
"""Every tag rltui writes, and what it holds (the README lists them)."""

_FROM_METRICS = {
    "total_loss": "train/loss",
    "policy_loss": "train/policy_gradient_loss",
    "value_loss": "train/value_loss",
    "entropy": "train/entropy",
    "entropy_loss": "train/entropy_loss",
    "approx_kl": "train/approx_kl",
    "clip_fraction": "train/clip_fraction",
    "clip_range": "train/clip_range",
    "explained_variance": "train/explained_variance",
    "ent_coef": "train/ent_coef",
    "ent_coef_loss": "train/ent_coef_loss",
    "critic_loss": "train/critic_loss",
    "q1_loss": "train/q1_loss",
    "q2_loss": "train/q2_loss",
}
"""The tag of each of an agent's update metrics (``last_metrics``); a kind's spec may name one
otherwise (``KindSpec.metric_tags``: SAC's policy loss is its actor's)."""


class TensorBoardError(Exception):
    """Event files cannot be written; the message is one sentence."""


def run_name(env_id: str, kind: str, seed: int | None) -> str:
    from rltui.paths import id_stem

    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return f"{id_stem(env_id)}-{kind}-{'noseed' if seed is None else seed}-{stamp}"


class RunLog:
    """The scalars of one training run, written as it goes.

    Args:
        root: the folder given to ``--tensorboard``; the run gets a sub-directory of its own.
        agent: the agent the run starts from (see :meth:`start`); None: a fresh one.
        clock: seconds, for ``time/fps``.

    Raises:
        TensorBoardError: the ``tensorboard`` package is missing or the folder cannot be
            written.
    """

    def __init__(
        self,
        root: str | Path,
        env_id: str,
        kind: str,
        seed: int | None,
        every: int = LOG_EVERY,
        agent: Any = None,
        clock: Callable[[], float] = time.perf_counter,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        root = check_writable(root)
        try:
            from tensorboard.compat.proto.event_pb2 import Event
            from tensorboard.compat.proto.summary_pb2 import Summary
            from tensorboard.summary.writer.record_writer import RecordWriter
        except ImportError:
            raise TensorBoardError(missing("--tensorboard", "tensorboard")) from None
        self._Event, self._Summary = Event, Summary
        self._warn = warn
        self.problem: str | None = None
        """Why the log stopped early (a full disk, a read-only folder), once it has; said once."""
        self.closed = False
        self.root = root
        name = run_name(env_id, kind, seed)
        self.dir = self.root / name
        from rltui.paths import PathError, user_path

        try:  # the run's folder fits under the root, numbered as far as it may go
            user_path(self.root / f"{name}-999", "--tensorboard")
        except PathError as exc:
            raise TensorBoardError(str(exc)) from None
        made = _missing_from(self.root)  # the folders made here, removed again if the run cannot start
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            for n in range(2, 1000):  # two runs in one second keep folders of their own
                try:
                    self.dir.mkdir()
                    break
                except FileExistsError:
                    self.dir = self.root / f"{name}-{n}"
            made.append(self.dir)
            self.file = self.dir / f"events.out.tfevents.{int(time.time()):010d}.{socket.gethostname()}.{os.getpid()}.0"
            self._fd = os.open(self.file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            self._records = RecordWriter(_WholeWrites(self._fd))
            self._add(Event(wall_time=time.time(), file_version="brain.Event:2"))
        except OSError as exc:
            from rltui.paths import shown

            with contextlib.suppress(AttributeError, OSError):
                os.close(self._fd)
            self._drop(made)
            raise TensorBoardError(f"{shown(self.root)} cannot hold TensorBoard logs: {exc.strerror or exc}.") from None
        self.every = every
        self._clock = clock
        self.returns: deque[float] = deque(maxlen=100)
        self.lengths: deque[int] = deque(maxlen=100)
        self._td_sum = 0.0
        self._td_n = 0
        self._tabular = not _uses_torch(kind)
        self.start(agent)

    def start(self, agent: Any) -> None:
        """This run starts now, from where ``agent`` stands: `train` (``--load`` or not) and
        the app (a loaded agent or a fresh one) share the rule, Stable-Baselines3's with
        ``reset_num_timesteps=False``. The step axis goes on from the agent's lifetime count of
        steps, so a resumed run continues its earlier one's curves; ``time/fps`` is this run's
        steps over this run's seconds, never the steps of earlier sessions."""
        self.first_step = _steps(agent)
        self.started = self._clock()
        self.next_row = self.first_step + self.every

    # --- what the training loop tells it ---------------------------------------------------------

    def episode(self, episode_return: float, length: int) -> None:
        self.returns.append(float(episode_return))
        self.lengths.append(int(length))

    def td(self, td_error: float | None) -> None:
        """A step's TD error, kept for ``train/td_error``: a tabular agent's tag. A network
        agent's TD errors (DQN's, shown in the app) are what its ``train/loss`` is made of,
        in `train` and the app alike."""
        if td_error is not None and self._tabular:
            self._td_sum += abs(float(td_error))
            self._td_n += 1

    def maybe_row(self, agent: Any, loss: float | None = None) -> None:
        """A row of training scalars, at the agent's step count, once :attr:`every` steps
        have passed since the last."""
        step = _steps(agent)
        if step < self.next_row:
            return
        self.next_row = step + self.every
        seconds = self._clock() - self.started
        values: dict[str, float | None] = {
            "time/fps": (step - self.first_step) / seconds if seconds > 0 else None,
            "train/loss": loss,
            "train/learning_rate": _learning_rate(agent),
        }
        if self.returns:
            values["rollout/ep_rew_mean"] = statistics.fmean(self.returns)
            values["rollout/ep_len_mean"] = statistics.fmean(self.lengths)
        epsilon = agent.epsilon
        if epsilon is not None:
            values["rollout/exploration_rate"] = float(epsilon)
        if self._td_n:
            values["train/td_error"] = self._td_sum / self._td_n
            self._td_sum, self._td_n = 0.0, 0
        metrics = dict(agent.last_metrics)
        tags = {**_FROM_METRICS, **_metric_tags(agent.kind)}
        for name, tag in tags.items():
            if name in metrics:
                values[tag] = metrics[name]
        self.write(step, values)

    def evaluation(self, agent: Any, mean_return: float) -> None:
        """A greedy evaluation's mean return, at the agent's step count."""
        self.write(_steps(agent), {"eval/mean_return": mean_return})

    # --- writing -----------------------------------------------------------------------------------

    def write(self, step: int, values: dict[str, float | None]) -> None:
        shown = [
            self._Summary.Value(tag=tag, simple_value=float(v))
            for tag, v in values.items()
            if v is not None and abs(float(v)) < float("inf")
        ]
        if shown and not self.closed:
            event = self._Event(wall_time=time.time(), step=int(step), summary=self._Summary(value=shown))
            try:
                self._add(event)
            except OSError as exc:
                self._stop(exc)

    def _add(self, event: Any) -> None:
        """One record, whole on disk or, if the write fails, cut away (so a reader never meets
        half a record): a full disk keeps the rows before it."""
        end = os.lseek(self._fd, 0, os.SEEK_CUR)
        try:  # unbuffered: a TensorBoard watching the folder sees each row as it is made
            self._records.write(event.SerializeToString())
        except OSError:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, end)
            raise

    def _stop(self, exc: OSError) -> None:
        """The log cannot go on: stop it, say so once; training goes on."""
        from rltui.paths import shown

        self.problem = (
            f"The TensorBoard log in {shown(self.dir)} stopped at its last whole row "
            f"({exc.strerror or exc}); training goes on."
        )
        self.close()
        if self._warn is not None:
            self._warn(self.problem)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            with contextlib.suppress(OSError):  # each row was written as it was made
                os.close(self._fd)

    @staticmethod
    def _drop(made: list[Path]) -> None:
        """Remove what a run that could not start made: its event file and folders (only ours)."""
        for folder in reversed(made):
            with contextlib.suppress(OSError):
                for leftover in folder.glob("events.out.tfevents.*") if folder.is_dir() else ():
                    leftover.unlink()
                folder.rmdir()


class _WholeWrites:
    """A file descriptor as the record writer's file: each write all of its bytes (a short
    write goes on; a failure raises), nothing buffered, so nothing is left to flush later."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


def _missing_from(folder: Path) -> list[Path]:
    """The folders of ``folder``'s path that do not exist yet, outermost first."""
    missing_: list[Path] = []
    while not folder.exists() and folder.parent != folder:
        missing_.insert(0, folder)
        folder = folder.parent
    return missing_


def _uses_torch(kind: str) -> bool:
    from agents.registry import has

    return has(kind, "uses_torch")


def _metric_tags(kind: str) -> Mapping[str, str]:
    from agents.registry import BY_NAME

    found = BY_NAME.get(kind)
    return found.metric_tags if found is not None else {}


def _steps(agent: Any) -> int:
    """The agent's lifetime count of environment steps (0 for none yet): the step axis."""
    return 0 if agent is None else int(agent.steps)


def _learning_rate(agent: Any) -> float | None:
    """The step size the agent's optimiser last stepped with (as SB3 logs the one it sets):
    PPO anneals it, so its config's value is only where it started; a tabular agent's α."""
    if isinstance(agent, Optimized):
        for optimizer in agent.optimizers().values():
            value = getattr(optimizer, "lr", None)
            if isinstance(value, (int, float)):
                return float(value)
    config = agent.config
    for name in ("learning_rate", "alpha"):
        value = getattr(config, name, None)
        if isinstance(value, (int, float)):
            return float(value)
    return None


def open_run(root: str | Path | None, env_id: str, kind: str, seed: int | None) -> RunLog | None:
    """A :class:`RunLog` under ``root``, or None without a root."""
    return None if root is None else RunLog(root, env_id, kind, seed)


def check_writable(root: str | Path, what: str = "--tensorboard") -> Path:
    """Before any work (`train`'s, the app's): the package is there and ``root`` can hold runs,
    checked as :func:`rltui.paths.folder_to_write` checks every folder a person gives;
    nothing is made. ``what`` names the setting in the message (``$RLTUI_TENSORBOARD``).

    Returns:
        ``root``, ``~`` expanded.

    Raises:
        TensorBoardError: in one sentence.
    """
    from rltui.paths import PathError, folder_to_write

    try:
        path = folder_to_write(root, what)
    except PathError as exc:
        raise TensorBoardError(str(exc)) from None
    try:
        import tensorboard  # noqa: F401
    except ImportError:
        raise TensorBoardError(missing("--tensorboard", "tensorboard")) from None
    return path
