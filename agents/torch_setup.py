"""How rltui runs torch: how many threads, and on which devices.

rltui's networks are small (two layers of 128 units, batches of 64). For them,
torch's intra-op thread pool only costs: the work per operation is too small to
split, and the pool's threads spin waiting for each other. On a busy machine
(another training run, a browser, the UI thread of the app itself) a spinning
thread that loses its core stalls every operation: with torch's default of one
thread per core, CartPole DQN ran 20x slower with one other busy process on a
2-core machine. One thread gives the same learning curve, idle or busy.

``RLTUI_TORCH_THREADS=N`` overrides the choice (say, for much wider networks on
a many-core machine with nothing else running).
"""

from __future__ import annotations

import os

THREADS_ENV = "RLTUI_TORCH_THREADS"
DEFAULT_THREADS = 1
MAX_THREADS = 256
DEVICES = ("cpu", "cuda")
"""Devices a ``device`` setting may name (``cuda:N`` picks one GPU)."""

_configured = False


def threads_problem() -> str | None:
    """One sentence if ``$RLTUI_TORCH_THREADS`` is set to something unusable, else None."""
    raw = os.environ.get(THREADS_ENV)
    if raw is None or raw.strip() == "":
        return None
    try:
        n = int(raw)
    except ValueError:
        n = 0
    if not 1 <= n <= MAX_THREADS:
        return f"{THREADS_ENV} must be a whole number from 1 to {MAX_THREADS}, not '{raw}'."
    return None


def thread_count() -> int:
    """Intra-op threads torch gets: ``$RLTUI_TORCH_THREADS`` if usable, else 1."""
    if threads_problem() is not None or not os.environ.get(THREADS_ENV, "").strip():
        return DEFAULT_THREADS
    return int(os.environ[THREADS_ENV])


def configure_torch() -> None:
    """Set torch's thread counts once per process, before its first operation."""
    global _configured
    if _configured:
        return
    import torch

    torch.set_num_threads(thread_count())
    try:
        # Inter-op parallelism only serves graphs of independent operations; an MLP has none.
        torch.set_num_interop_threads(1)
    except RuntimeError:  # already fixed once torch has run anything in parallel
        pass
    _configured = True


def device_problem(device: str) -> str | None:
    """One sentence if ``device`` is not one rltui can run on here, else None.

    Checks the name without importing torch; asks torch only when CUDA is named.
    """
    name = device.strip().lower()
    base, _, index = name.partition(":")
    if base not in DEVICES or (index and (base != "cuda" or not index.isdigit())):
        return f"device must be cpu or cuda (cuda:N for one GPU), not '{device}'."
    if base == "cuda":
        import torch

        if not torch.cuda.is_available():
            return "CUDA is not available on this machine; use device=cpu."
        if index and int(index) >= torch.cuda.device_count():
            return f"There is no {name}: this machine has {torch.cuda.device_count()} GPU(s)."
    return None


def require_device(device: str) -> None:
    """Raise ValueError with :func:`device_problem`'s sentence if ``device`` is unusable here."""
    problem = device_problem(device)
    if problem is not None:
        raise ValueError(problem)
