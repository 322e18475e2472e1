"""Files from strangers beyond rltui's own formats' headers: planner saves whose arrays do not
fit the env, Minari datasets, and numbers too big for the settings, GIFs and episodes. Each is
refused with exit status 2 and one sentence, never a traceback (issue 28)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from rltui.cli import main
from rltui.envs import catalog
from rltui.training.agent_factory import make_agent_for


def _refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    code = main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 2, (argv, code, err)
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


# --- planner saves -------------------------------------------------------------------


def _planner_save(kind: str, folder: Path) -> tuple[dict, dict[str, np.ndarray]]:
    from safetensors.numpy import load_file

    from agents.persistence import read_metadata, save_agent

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
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
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
        (
            {**meta, "observation_space": {"type": "Box", "shape": [16], "low": [0] * 16, "high": [1] * 16}},
            arrays,
            "plans over discrete states",
        ),
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


# --- numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "env_id"),
    [("dqn", "CartPole-v1"), ("ppo", "CartPole-v1"), ("reinforce", "CartPole-v1"), ("sac", "Pendulum-v1")],
)
def test_a_huge_network_size_is_one_sentence(kind: str, env_id: str, capsys: pytest.CaptureFixture[str]) -> None:
    for value in ("1e308", "9" * 30, "64,1e20", "-1e19"):
        err = _refused(
            ["train", env_id, "--agent", kind, "--set", f"hidden={value}", "--steps", "10", "--no-save"], capsys
        )
        assert "Setting 'hidden' takes whole numbers below 2^63" in err, err
    err = _refused(
        [
            "train",
            env_id,
            "--agent",
            kind,
            "--set",
            "value_iterations=1e30" if kind == "reinforce" else "batch_size=1e30",
            "--steps",
            "10",
            "--no-save",
        ],
        capsys,
    )
    assert "below 2^63" in err


def test_a_limit_names_a_huge_integer_instead_of_failing() -> None:
    from agents.base import Limit

    for value in (10**30, -(10**30), 2**64, float("inf"), float("nan")):
        said = Limit(1, 4096).problem("hidden", value)
        assert said is not None and said.startswith("Setting 'hidden' must be a finite number below 2^63"), said
        assert Limit(1, 4096).problem("hidden", (64, value)) == said  # a tuple's elements alike
    assert Limit(1, 4096).problem("hidden", 64) is None


def _taxi_episode(folder: Path) -> Path:
    from rltui.envs.session import Session
    from rltui.formats import episodes

    session = Session(catalog.resolve("Taxi-v4"), seed=1, render=False)
    for t in range(3):
        session.step(t % 4)
    return episodes.save(episodes.record_of(session.episode, "Taxi-v4"), folder)


def test_a_gif_frame_rate_is_bounded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("PIL")
    from rltui.formats import episodes
    from rltui.formats.gif import MAX_FPS, MIN_FPS, GifError, episode_frames, write_gif

    file = _taxi_episode(tmp_path)
    for fps in ("0.001", "0", "-1", "nan", "inf", "1e308", "51"):
        err = _refused(["episodes", "gif", str(file), "--fps", fps, "--out", str(tmp_path / "x.gif")], capsys)
        assert f"--fps must be from {MIN_FPS:g} to {MAX_FPS:g} frames per second" in err
    assert not (tmp_path / "x.gif").exists()
    frames = episode_frames(episodes.read(file), catalog.resolve("Taxi-v4"))
    with pytest.raises(GifError):  # the writer itself refuses, whoever calls it
        write_gif(frames, tmp_path / "y.gif", 0.001)
    assert main(["episodes", "gif", str(file), "--fps", str(MIN_FPS), "--out", str(tmp_path / "slow.gif")]) == 0
    from PIL import Image

    with Image.open(tmp_path / "slow.gif") as gif:
        assert gif.info["duration"] == round(1000 / MIN_FPS)


def _pendulum_episode(folder: Path) -> Path:
    from rltui.envs.session import Session
    from rltui.formats import episodes

    session = Session(catalog.resolve("Pendulum-v1"), seed=1, render=False)
    for t in range(4):
        session.step(np.asarray([0.5 * (t % 3) - 0.5], dtype=np.float32), actor="agent")
    return episodes.save(episodes.record_of(session.episode, "Pendulum-v1", agent_kind="sac"), folder)


def test_a_continuous_action_past_32_bit_floats_is_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = _pendulum_episode(tmp_path)
    lines = file.read_text().splitlines()
    step = json.loads(lines[2])
    assert isinstance(step["action"], list)  # the vector, as a continuous agent writes it
    for value in ("1e308", "-4e38", "1" + "0" * 400):
        mutant = tmp_path / "mutant.jsonl"
        lines[2] = json.dumps(step).replace(json.dumps(step["action"]), f"[{value}]")
        mutant.write_text("\n".join(lines) + "\n")
        for argv in (
            ["train", "Pendulum-v1", "--agent", "sac", "--demos", str(mutant), "--steps", "0", "--no-save"],
            ["episodes", "gif", str(mutant), "--out", str(tmp_path / "m.gif")],
        ):
            err = _refused(argv, capsys)
            assert "step 1's action holds a value that is not a finite number within ±3.4e+38" in err, err
    # Within the float32 range but outside the box: the env clips it, as it did when recorded.
    lines[2] = json.dumps(step).replace(json.dumps(step["action"]), "[1e30]")
    mutant.write_text("\n".join(lines) + "\n")
    code = main(["train", "Pendulum-v1", "--agent", "sac", "--demos", str(mutant), "--steps", "0", "--no-save"])
    assert code == 2 and "Traceback" not in capsys.readouterr().err  # its rewards no longer match


@pytest.mark.parametrize(("kind", "env_id"), [("sac", "Pendulum-v1"), ("dqn", "CartPole-v1")])
def test_a_network_save_whose_numbers_overflow_is_refused(
    kind: str, env_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each weight finite, 3e38 (or ±1e17, under the bound on a saved weight's size) still makes
    an action of NaN: no env takes one, so the load refuses it, before any episode."""
    from safetensors.numpy import load_file

    from agents.persistence import read_metadata, save_agent

    entry = catalog.resolve(env_id)
    path = save_agent(make_agent_for(entry, kind, seed=0), tmp_path / "agent.safetensors", entry.id)
    meta, arrays = read_metadata(path), load_file(str(path))
    floats = [k for k, a in arrays.items() if a.dtype.kind == "f" and "optimizer" not in k]

    def alternating(a: np.ndarray, size: float) -> np.ndarray:
        return (size * np.where(np.arange(a.size) % 2, 1.0, -1.0)).reshape(a.shape).astype(a.dtype)

    cases = [
        ({k: np.full_like(a, 3e38) for k, a in arrays.items() if k in floats}, "beyond ±1e+18"),
        ({k: alternating(a, 1e17) for k, a in arrays.items() if k in floats}, "not finite numbers"),
    ]
    for changed, said in cases:
        doctored = _doctored(tmp_path, "huge", meta, {**arrays, **changed})
        for argv in (
            ["eval", doctored, "--episodes", "1"],
            ["train", env_id, "--load", doctored, "--steps", "10", "--no-save"],
        ):
            err = _refused(argv, capsys)
            assert said in err, err
    assert main(["eval", str(path), "--episodes", "1", "--json"]) == 0  # the save as written plays


# --- Minari datasets ------------------------------------------------------------------


def _minari_dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Path:
    """A good dataset of a FrozenLake episode, exported by rltui, in a datasets folder of the test's own."""
    pytest.importorskip("minari")
    pytest.importorskip("h5py")
    from rltui.envs.session import Session
    from rltui.formats import episodes

    root = tmp_path / "minari"
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(root))
    session = Session(catalog.resolve("FrozenLake-v1"), seed=0, render=False)
    for t in range(6):
        if not session.episode.done:
            session.step(t % 3)
    file = episodes.save(episodes.record_of(session.episode, "FrozenLake-v1"), tmp_path)
    assert main(["episodes", "export", str(file), "--minari", "rltui/good-v0"]) == 0
    capsys.readouterr()
    return root


def test_a_damaged_minari_dataset_is_refused_in_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import os
    import shutil
    import signal

    import h5py

    root = _minari_dataset(tmp_path, monkeypatch, capsys)
    good = root / "rltui" / "good-v0"
    train = ["train", "FrozenLake-v1", "--agent", "q-learning", "--steps", "0", "--no-save", "--quiet", "--demos"]
    assert main([*train, "minari:rltui/good-v0"]) == 0
    capsys.readouterr()

    def meta(**changes: object):
        def change(data: Path) -> None:
            path = data / "metadata.json"
            path.write_text(json.dumps({**json.loads(path.read_text()), **changes}))

        return change

    def hdf5(member: str, value: object):
        def change(data: Path) -> None:
            with h5py.File(data / "main_data.hdf5", "r+") as f:
                del f["episode_0"][member]
                if isinstance(value, dict):
                    f["episode_0"].create_dataset(member, **value)
                elif value is not None:
                    f["episode_0"][member] = value

        return change

    def replace(name: str, how: str):
        def change(data: Path) -> None:
            path = data / name
            path.unlink()
            if how == "fifo":
                os.mkfifo(path)
            elif how == "truncated":
                path.write_bytes((good / "data" / name).read_bytes()[:1000])
            elif how == "garbage":
                path.write_bytes(b"\x89HDF garbage" * 100)
            elif how == "not json":
                path.write_text('{"total_episodes": 1,')

        return change

    def declared(length: int):
        """Every array of the episode declared ``length`` steps long, none of them written."""

        def change(data: Path) -> None:
            with h5py.File(data / "main_data.hdf5", "r+") as f:
                episode = f["episode_0"]
                for member, extra in (
                    ("rewards", 0),
                    ("terminations", 0),
                    ("truncations", 0),
                    ("actions", 0),
                    ("observations", 1),
                ):
                    dtype = episode[member].dtype
                    del episode[member]
                    episode.create_dataset(member, shape=(length + extra,), maxshape=(None,), chunks=True, dtype=dtype)

        return change

    steps = json.loads((good / "data" / "metadata.json").read_text())["total_steps"]
    cases = [
        (replace("main_data.hdf5", "fifo"), "main_data.hdf5 is not a regular file"),
        (replace("metadata.json", "fifo"), "metadata.json is not a regular file"),
        (replace("main_data.hdf5", "missing"), "has no main_data.hdf5"),
        (replace("metadata.json", "missing"), "has no metadata.json"),
        (replace("main_data.hdf5", "truncated"), "main_data.hdf5 is damaged or is not an HDF5 file"),
        (replace("main_data.hdf5", "garbage"), "main_data.hdf5 is damaged or is not an HDF5 file"),
        (replace("metadata.json", "not json"), "has a damaged metadata.json: it is not JSON"),
        (meta(total_episodes=10**9), "its metadata says 1,000,000,000 episodes and its data holds 1"),
        (meta(total_episodes="1"), "its total_episodes is not a whole number"),
        (meta(total_steps=10**12), "rltui learns from at most 1,000,000"),
        (meta(total_steps=steps + 1), f"its metadata says {steps + 1:,} steps and its episodes hold {steps:,}"),
        (meta(env_spec="{"), "its env_spec names no environment"),
        (meta(env_spec=json.dumps({"id": "Taxi-v4"})), "was recorded in Taxi-v4, not FrozenLake-v1"),
        (meta(data_format="arrow"), "is stored as 'arrow'"),
        (hdf5("actions", np.full(steps, 4)), "episode 0's actions holds values that are not whole numbers from 0 to 3"),
        (hdf5("actions", np.full(steps, 0.5)), "not whole numbers from 0 to 3"),
        (
            hdf5("observations", np.full(steps + 1, 16)),
            "observations holds values that are not whole numbers from 0 to 15",
        ),
        (hdf5("observations", np.full(steps + 1, np.nan)), "observations holds values that are not finite numbers"),
        (hdf5("observations", np.zeros(steps)), f"observations has shape ({steps},), not ({steps + 1},)"),
        (hdf5("rewards", np.full(steps, np.inf)), "rewards holds values that are not finite numbers"),
        (hdf5("terminations", np.full(steps, 2)), "terminations holds values other than 0 and 1"),
        (hdf5("actions", None), "episode 0's actions is missing"),
        (hdf5("actions", np.full(steps, b"up")), "actions holds |S2, not numbers"),
        (hdf5("actions", h5py.ExternalLink(str(tmp_path / "fifo"), "/x")), "actions is a link to elsewhere"),
        (
            hdf5("observations", {"shape": (10**12,), "maxshape": (None,), "chunks": True, "dtype": "i8"}),
            "observations has shape (1000000000000,)",
        ),
        (
            hdf5("rewards", {"shape": (10**9,), "maxshape": (None,), "chunks": True, "dtype": "f8"}),
            "terminations has shape (6,), not (1000000000,)",
        ),
        (declared(500_000), "its arrays are far bigger than its file"),  # unwritten chunks: a few bytes
        (declared(2_000_000), "over 1,000,000 steps"),
    ]
    os.mkfifo(tmp_path / "fifo")

    def hung(*_: object) -> None:
        raise AssertionError("reading the dataset hung")

    signal.signal(signal.SIGALRM, hung)
    try:
        for i, (change, said) in enumerate(cases):
            dataset_id = f"bad/case-v{i}"
            shutil.copytree(good, root / dataset_id)
            change(root / dataset_id / "data")
            signal.alarm(10)
            err = _refused([*train, f"minari:{dataset_id}"], capsys)
            signal.alarm(0)
            assert said in err, (i, err)
    finally:
        signal.alarm(0)


def test_a_continuous_dataset_action_past_the_bounds_is_clipped_as_the_env_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import h5py

    from rltui.formats.minari_read import dataset_transitions

    pytest.importorskip("minari")
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "minari"))
    file = _pendulum_episode(tmp_path)
    assert main(["episodes", "export", str(file), "--minari", "rltui/swing-v0"]) == 0
    data = tmp_path / "minari" / "rltui" / "swing-v0" / "data" / "main_data.hdf5"
    with h5py.File(data, "r+") as f:
        f["episode_0/actions"][0] = [7.5]
    (steps,) = dataset_transitions("rltui/swing-v0", catalog.resolve("Pendulum-v1"), kind="sac")
    assert steps[0].action.tolist() == [2.0] and steps[0].action.dtype == np.float32
    with h5py.File(data, "r+") as f:
        del f["episode_0/actions"]
        f["episode_0/actions"] = np.full((4, 1), 1e300)
    capsys.readouterr()
    err = _refused(
        ["train", "Pendulum-v1", "--agent", "sac", "--steps", "0", "--no-save", "--demos", "minari:rltui/swing-v0"],
        capsys,
    )
    assert "actions holds values past 32-bit floats" in err
