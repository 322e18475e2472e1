"""Files from strangers beyond rltui's own formats' headers: planner saves whose arrays do not
fit the env, Minari datasets, and numbers too big for the settings, GIFs and episodes. Each is
refused with exit status 2 and one sentence, never a traceback (issue 28)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rltui.cli import main
from rltui.core import catalog
from rltui.core.agent_factory import make_agent_for


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code = main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 2, (argv, code, err)
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


# --- planner saves -------------------------------------------------------------------


def _planner_save(kind: str, folder: Path) -> tuple[dict, dict[str, np.ndarray]]:
    from agents.persistence import read_metadata, save_agent
    from safetensors.numpy import load_file

    entry = catalog.resolve("FrozenLake-v1")
    path = save_agent(make_agent_for(entry, kind, seed=0), folder / f"{kind}.safetensors", entry.id)
    return read_metadata(path), load_file(str(path))


def _doctored(folder: Path, name: str, meta: dict, arrays: dict[str, np.ndarray]) -> str:
    from safetensors.numpy import save_file

    path = folder / f"{name}.safetensors"
    save_file(arrays, str(path), metadata={"rltui": json.dumps(meta)})
    return str(path)


@pytest.mark.parametrize("kind", ["value-iteration", "policy-iteration"])
def test_a_planner_save_is_checked_against_the_env_like_every_kind(
        kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    meta, arrays = _planner_save(kind, tmp_path)
    assert meta["observation_space"] == {"type": "Discrete", "n": 16}  # recorded, as other kinds do
    good = _doctored(tmp_path, "good", meta, arrays)
    assert main(["eval", good, "--episodes", "1", "--json"]) == 0
    capsys.readouterr()
    q = arrays["q_table"]
    old = {**meta, "observation_space": None}  # a save from before planners recorded their states
    cases = [
        ({**meta, "env_id": "CliffWalking-v1"}, arrays, "holds an agent for 16 states, but CliffWalking-v1 has 48"),
        ({**meta, "env_id": "map:BridgeGrid"}, arrays, "but map:BridgeGrid has"),
        ({**meta, "env_id": "Acrobot-v1"}, arrays, "another way"),  # a Box observation, as LunarLander's
        (meta, {**arrays, "q_table": np.vstack([q, q[:1]])}, "17 rows, but it was saved for 16 states"),
        (meta, {**arrays, "q_table": q[:-1]}, "15 rows"),
        (old, {**arrays, "q_table": np.vstack([q, q[:1]])}, "17 states"),
        (old, {**arrays, "q_table": q[:-1]}, "15 states"),
        ({**meta, "observation_space": {"type": "Box", "shape": [16], "low": [0] * 16, "high": [1] * 16}},
         arrays, "plans over discrete states"),
        (meta, {**arrays, "q_table": np.where(q == q.max(), np.inf, q)}, "not finite"),
        (meta, {**arrays, "extra": np.zeros(3)}, "never writes"),
    ]
    if kind == "policy-iteration":
        policy, v = arrays["policy"], arrays["v"]
        cases += [
            (meta, {k: a for k, a in arrays.items() if k != "policy"}, "lacks its policy array"),
            (meta, {k: a for k, a in arrays.items() if k != "v"}, "lacks its v array"),
            (meta, {**arrays, "policy": np.where(policy == policy.max(), 4, policy)}, "its policy is not"),
            (meta, {**arrays, "policy": -np.ones_like(policy)}, "its policy is not"),
            (meta, {**arrays, "policy": policy[:-1]}, "its policy is not"),
            (meta, {**arrays, "policy": policy.astype(np.float64)}, "its policy is not"),
            (meta, {**arrays, "v": np.full_like(v, np.nan)}, "its values v are not"),
            (meta, {**arrays, "v": v[:3]}, "its values v are not"),
        ]
    for i, (doctored_meta, doctored_arrays, said) in enumerate(cases):
        path = _doctored(tmp_path, f"case-{i}", doctored_meta, doctored_arrays)
        err = _refused(["eval", path, "--episodes", "1"], capsys)
        assert said in err, (i, err)
