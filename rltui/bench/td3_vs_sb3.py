"""TD3 and DDPG against Stable-Baselines3 on Pendulum-v1, alternating per seed, one torch thread
each: the whole process's wall seconds until a greedy evaluation reaches the solved mark, and
that evaluation's mean, for (a) equal settings (rltui's no-flag defaults on both sides) and
(b) each side's own recipe (rltui with no flags, SB3 with rl-baselines3-zoo's).

Run from the repository root with rltui's venv, naming a Python that has ``stable-baselines3``::

    OMP_NUM_THREADS=1 python -m rltui.bench.td3_vs_sb3 /tmp/sb3/bin/python [seeds] [kinds]

It prints one JSON line per run as it goes, then a summary line per (kind, settings).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ENV = "Pendulum-v1"
PEER = Path(__file__).with_name("peer_sb3_td3.py")
THREADS = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def rltui_run(kind: str, seed: int) -> dict:
    """``rltui train ENV --agent KIND --seed SEED`` with no flags, the whole process timed."""
    start = time.perf_counter()
    argv = [str(Path(sys.executable).with_name("rltui")), "train", ENV, "--agent", kind, "--seed", str(seed)]
    out = subprocess.run(
        [*argv, "--json", "--no-save", "--quiet"], capture_output=True, text=True, env={**os.environ, **THREADS}
    )
    wall = time.perf_counter() - start
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    greedy = summary["eval_return_mean"]
    return {
        "side": "rltui",
        "kind": kind,
        "seed": seed,
        "steps": summary["steps"],
        "solved": summary["solved"],
        "greedy": None if greedy is None else round(greedy, 1),
        "wall_s": round(wall, 1),
    }


def peer_run(python: str, kind: str, seed: int, settings: str) -> dict:
    out = subprocess.run(
        [python, str(PEER), kind, ENV, str(seed), settings],
        capture_output=True,
        text=True,
        env={**os.environ, **THREADS},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(python: str, seeds: int = 5, kinds: tuple[str, ...] = ("td3", "ddpg")) -> None:
    rows: dict[tuple[str, str, str], list[dict]] = {}
    for kind in kinds:
        for seed in range(seeds):
            mine = rltui_run(kind, seed)  # the same run stands for both comparisons
            for settings in ("equal", "zoo"):
                peer = peer_run(python, kind, seed, settings)
                for run, side in ((mine, "rltui"), (peer, "sb3")):
                    rows.setdefault((kind, settings, side), []).append(run)
                    print(json.dumps({**run, "settings": settings if side == "sb3" else "rltui defaults"}), flush=True)
    for (kind, settings, side), runs in rows.items():
        print(
            json.dumps(
                {
                    "kind": kind,
                    "peer_settings": settings,
                    "side": side,
                    "solved": f"{sum(r['solved'] for r in runs)}/{len(runs)}",
                    "median_wall_s": statistics.median(r["wall_s"] for r in runs),
                    "median_steps": statistics.median(r["steps"] for r in runs),
                    "wall_s": [r["wall_s"] for r in runs],
                    "greedy": [r["greedy"] for r in runs],
                }
            )
        )


if __name__ == "__main__":
    main(
        sys.argv[1],
        int(sys.argv[2]) if len(sys.argv) > 2 else 5,
        tuple(sys.argv[3].split(",")) if len(sys.argv) > 3 else ("td3", "ddpg"),
    )
