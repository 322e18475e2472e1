"""Saves: identical agents after a round trip; hostile and broken files refused in one sentence."""

from __future__ import annotations

import json
import pickle
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from agents.persistence import (
    FORMAT_VERSION,
    SaveError,
    load_agent,
    read_metadata,
    save_agent,
)
from rltui.envs import catalog
from rltui.training.agent_factory import make_agent_for
from rltui.training.loop import train


def _trained(env_id: str, kind: str, steps: int = 2_000):
    entry = catalog.resolve(env_id)
    env = catalog.make_env(entry, render=False)
    agent = make_agent_for(entry, kind, seed=0, env=env)
    if steps:
        train(agent, entry, steps=steps, seed=0, final_eval_episodes=1)
    return agent, env


@pytest.mark.parametrize(
    ("env_id", "kind"),
    [
        ("Taxi-v4", "q-learning"),
        ("Blackjack-v1", "sarsa"),
        ("CartPole-v1", "expected-sarsa"),
        ("FrozenLake-v1", "value-iteration"),
        ("CartPole-v1", "dqn"),
    ],
)
def test_save_then_load_gives_identical_actions_and_q_values(tmp_path: Path, env_id: str, kind: str) -> None:
    agent, env = _trained(env_id, kind, 0 if kind == "value-iteration" else 2_000)
    path = save_agent(agent, tmp_path / "agent", env_id, {"return_mean": 1.5})
    assert path.suffix == ".safetensors" and path.exists()
    loaded, meta = load_agent(path, expect_env=env_id)
    assert meta["kind"] == kind and meta["env_id"] == env_id and meta["format_version"] == FORMAT_VERSION
    assert meta["counters"]["steps"] == agent.steps
    for seed in range(10):
        obs, _ = env.reset(seed=seed)
        assert np.array_equal(agent.q_values(obs), loaded.q_values(obs))
        assert agent.act(obs, False) == loaded.act(obs, False)


def test_resuming_continues_counters_and_epsilon(tmp_path: Path) -> None:
    agent, _ = _trained("Taxi-v4", "q-learning", steps=30_000)
    path = save_agent(agent, tmp_path / "taxi.safetensors", "Taxi-v4")
    loaded, _ = load_agent(path)
    assert loaded.steps == 30_000 and loaded.epsilon == pytest.approx(agent.epsilon)
    assert loaded.epsilon < 0.8  # not back at the start of exploration
    train(loaded, catalog.resolve("Taxi-v4"), steps=1_000, seed=1, final_eval_episodes=1)
    assert loaded.steps == 31_000


def test_dqn_resume_keeps_optimizer_state(tmp_path: Path) -> None:
    agent, _ = _trained("CartPole-v1", "dqn", steps=1_500)
    path = save_agent(agent, tmp_path / "cp", "CartPole-v1")
    loaded, _ = load_agent(path)
    saved_state, loaded_state = agent.optimizer.arrays(), loaded.optimizer.arrays()
    assert saved_state.keys() == loaded_state.keys() and saved_state
    for k in saved_state:
        assert np.array_equal(saved_state[k], loaded_state[k])
    assert loaded.optimizer.steps == agent.optimizer.steps > 0
    assert loaded.updates == agent.updates


def test_atomic_write_leaves_no_temporary_files(tmp_path: Path) -> None:
    agent, _ = _trained("FrozenLakeNotSlippery-v1", "q-learning", steps=100)
    save_agent(agent, tmp_path / "a.safetensors", "FrozenLakeNotSlippery-v1")
    save_agent(agent, tmp_path / "a.safetensors", "FrozenLakeNotSlippery-v1")  # overwrite in place
    assert [p.name for p in tmp_path.iterdir()] == ["a.safetensors"]


@pytest.fixture
def good_save(tmp_path: Path) -> Path:
    agent, _ = _trained("FrozenLakeNotSlippery-v1", "q-learning", steps=100)
    return save_agent(agent, tmp_path / "good.safetensors", "FrozenLakeNotSlippery-v1")


def _refused(path: Path, match: str, **kwargs) -> None:
    with pytest.raises(SaveError, match=match) as info:
        load_agent(path, **kwargs)
    assert "\n" not in str(info.value)


def test_truncated_file_is_refused(good_save: Path, tmp_path: Path) -> None:
    data = good_save.read_bytes()
    for cut in (0, 5, 40, len(data) - 10):
        bad = tmp_path / f"cut{cut}.safetensors"
        bad.write_bytes(data[:cut])
        _refused(bad, "truncated|empty|corrupt")


def test_corrupt_bytes_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "noise.safetensors"
    bad.write_bytes(struct.pack("<Q", 20) + b"\xff" * 40)
    _refused(bad, "corrupt")


class _Exploit:
    def __reduce__(self):
        return (Path.touch, (Path(self.marker),))


def test_a_pickle_is_refused_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    exploit = _Exploit()
    exploit.marker = str(marker)
    bad = tmp_path / "agent.safetensors"
    bad.write_bytes(pickle.dumps(exploit))
    _refused(bad, "pickle")
    assert not marker.exists()


def test_a_torch_checkpoint_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "model.pt"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("archive/data.pkl", b"\x80\x02}q\x00.")
    _refused(bad, "zip archive")


def test_a_save_for_another_env_is_refused(good_save: Path) -> None:
    _refused(good_save, "not Taxi-v4", expect_env="Taxi-v4")


def test_a_newer_format_is_refused(tmp_path: Path) -> None:
    from safetensors.numpy import save_file

    meta = {
        "format": "rltui-agent",
        "format_version": FORMAT_VERSION + 1,
        "kind": "q-learning",
        "env_id": "Taxi-v4",
        "n_actions": 6,
        "config": {},
        "counters": {},
    }
    path = tmp_path / "future.safetensors"
    save_file({"q_table": np.zeros((500, 6))}, str(path), metadata={"rltui": json.dumps(meta)})
    _refused(path, "newer rltui")


def test_a_foreign_safetensors_file_is_refused(tmp_path: Path) -> None:
    from safetensors.numpy import save_file

    path = tmp_path / "other.safetensors"
    save_file({"w": np.zeros(3)}, str(path))
    _refused(path, "not an rltui save")


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    _refused(tmp_path / "nope.safetensors", "No such file")


def test_inconsistent_arrays_are_refused(good_save: Path, tmp_path: Path) -> None:
    from safetensors.numpy import save_file

    meta = read_metadata(good_save)
    path = tmp_path / "shape.safetensors"
    save_file({"q_table": np.zeros((3, 3))}, str(path), metadata={"rltui": json.dumps(meta)})
    _refused(path, "consistent")


def test_loading_a_tabular_save_does_not_import_torch(good_save: Path) -> None:
    code = (
        "import sys; from agents.persistence import load_agent; "
        f"load_agent({str(good_save)!r}); print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_header_length_loads_whatever_its_first_byte(tmp_path: Path) -> None:
    """A save's first byte is its header length's low byte: 896 = 0x380 starts with \\x80, which
    a sniff for pickles took for one. Saves are recognised by their structure."""
    import struct

    agent, _ = _trained("FrozenLakeNotSlippery-v1", "q-learning", steps=0)
    data = save_agent(agent, tmp_path / "base.safetensors", "FrozenLakeNotSlippery-v1").read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header, body = data[8 : 8 + n].rstrip(b" "), data[8 + n :]
    lengths = range(len(header), 1025 + 256)
    assert any(length % 256 == 128 for length in lengths)
    for length in lengths:
        path = tmp_path / f"padded-{length}.safetensors"
        path.write_bytes(struct.pack("<Q", length) + header.ljust(length, b" ") + body)
        assert read_metadata(path)["env_id"] == "FrozenLakeNotSlippery-v1", length
        if length % 256 == 128:
            loaded, _ = load_agent(path)
            assert np.array_equal(loaded.q_table(), agent.q_table())
    for cut in range(0, len(header) + 8, 37):  # any shorter file is refused in one sentence
        path = tmp_path / f"cut-{cut}.safetensors"
        path.write_bytes(data[:cut])
        with pytest.raises(SaveError) as caught:
            read_metadata(path)
        assert "\n" not in str(caught.value)
