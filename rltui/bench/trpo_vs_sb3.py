"""TRPO against sb3-contrib's, alternating per seed, one torch thread each: the whole process's
wall seconds until a greedy evaluation reaches the solved mark, and that evaluation's mean, for
(a) equal settings (rltui's no-flag settings on both sides) and (b) each side's own recipe
(rltui with no flags, sb3-contrib with rl-baselines3-zoo's).

Run from the repository root with rltui's venv, naming a Python that has ``sb3-contrib``::

    OMP_NUM_THREADS=1 python -m rltui.bench.trpo_vs_sb3 /tmp/sb3/bin/python [seeds] [envs]

(``envs``: comma-separated, ``CartPole-v1,Pendulum-v1`` unless said). It prints one JSON line
per run as it goes, then a summary line per (env, peer settings, side).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

PEER = Path(__file__).with_name("peer_sb3_trpo.py")
THREADS = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def rltui_run(env_id: str, seed: int) -> dict:
    """``rltui train ENV --agent trpo --seed SEED`` with no flags, the whole process timed."""
    start = time.perf_counter()
    argv = [str(Path(sys.executable).with_name("rltui")), "train", env_id, "--agent", "trpo", "--seed", str(seed)]
    out = subprocess.run(
        [*argv, "--json", "--no-save", "--quiet"], capture_output=True, text=True, env={**os.environ, **THREADS}
    )
    wall = time.perf_counter() - start
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    greedy = summary["eval_return_mean"]
    return {
        "side": "rltui",
        "env": env_id,
        "seed": seed,
        "steps": summary["steps"],
        "solved": summary["solved"],
        "greedy": None if greedy is None else round(greedy, 1),
        "wall_s": round(wall, 1),
    }


def peer_run(python: str, env_id: str, seed: int, settings: str) -> dict:
    out = subprocess.run(
        [python, str(PEER), env_id, str(seed), settings], capture_output=True, text=True, env={**os.environ, **THREADS}
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(python: str, seeds: int = 5, envs: tuple[str, ...] = ("CartPole-v1", "Pendulum-v1")) -> None:
    rows: dict[tuple[str, str, str], list[dict]] = {}
    for env_id in envs:
        for seed in range(seeds):
            mine = rltui_run(env_id, seed)  # the same run stands for both comparisons
            print(json.dumps({**mine, "settings": "rltui defaults"}), flush=True)
            rows.setdefault((env_id, "-", "rltui"), []).append(mine)
            for settings in ("equal", "zoo"):
                peer = peer_run(python, env_id, seed, settings)
                rows.setdefault((env_id, settings, "sb3-contrib"), []).append(peer)
                print(json.dumps(peer), flush=True)
    for (env_id, settings, side), runs in rows.items():
        print(
            json.dumps(
                {
                    "env": env_id,
                    "peer_settings": settings,
                    "side": side,
                    "solved": f"{sum(r['solved'] for r in runs)}/{len(runs)}",
                    "median_wall_s": statistics.median(r["wall_s"] for r in runs),
                    "median_steps": statistics.median(r["steps"] for r in runs),
                    "wall_s": [r["wall_s"] for r in runs],
                    "steps": [r["steps"] for r in runs],
                    "greedy": [r["greedy"] for r in runs],
                }
            )
        )


if __name__ == "__main__":
    main(
        sys.argv[1],
        int(sys.argv[2]) if len(sys.argv) > 2 else 5,
        tuple(sys.argv[3].split(",")) if len(sys.argv) > 3 else ("CartPole-v1", "Pendulum-v1"),
    )
