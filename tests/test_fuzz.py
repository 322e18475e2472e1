"""The property every file reader keeps: a mutant loads, or is refused with exit status 2 and
one line; never a traceback, a hang or a blow-up (generator in tests/fuzz.py, seeded)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from rltui.cli import main
from rltui.core import catalog
from rltui.core.agent_factory import make_agent_for
from rltui.core.session import Session
from tests import fuzz

SEED = int(os.environ.get("RLTUI_FUZZ_SEED", "20261123"))
SCALE = max(1, int(os.environ.get("RLTUI_FUZZ_SCALE", "1")))
"""A longer campaign: RLTUI_FUZZ_SCALE=10 runs ten times the cases (and prints the figures)."""
CASE_SECONDS = 10.0
"""A bound far above any honest case (a few milliseconds): only a hang gets near it."""
CASE_MEMORY = 512 * 2**20
"""How far one case may raise the process's peak resident memory: a save that talks the
reader into a huge table, network or buffer goes far past it; honest cases stay under 100 MiB."""
_STATUS, _CLEAR_REFS = Path("/proc/self/status"), Path("/proc/self/clear_refs")
PEAKS: list[int] = []
CASES: list[tuple[str, int, float]] = []


def teardown_module() -> None:
    if SCALE > 1 and CASES:
        by: dict[tuple[str, int], int] = {}
        for command, code, _ in CASES:
            by[command, code] = by.get((command, code), 0) + 1
        print(f"\nfuzz seed {SEED}: {len(CASES)} cases " + ", ".join(
            f"{command} exit {code}: {n}" for (command, code), n in sorted(by.items())))
        print(f"slowest case {max(t for *_, t in CASES):.2f} s; "
              f"largest peak growth {max(PEAKS, default=0) / 2**20:.0f} MiB")


def _resident(field: str) -> int:
    for line in _STATUS.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise LookupError(field)


def _reset_peak() -> bool:
    """Reset the kernel's peak-resident mark (Linux): the next read is this case's own peak."""
    try:
        _CLEAR_REFS.write_text("5")
        return True
    except OSError:
        return False


def _check(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    measured = _reset_peak()
    before = _resident("VmRSS") if measured else 0
    start = time.perf_counter()
    code = main(argv)
    elapsed = time.perf_counter() - start
    if measured:
        grew = _resident("VmHWM") - before
        PEAKS.append(grew)
        assert grew < CASE_MEMORY, (argv, grew)
    CASES.append((argv[0], code, elapsed))
    err = capsys.readouterr().err.strip()
    assert code in (0, 2), (argv, code, err)
    if code == 2:
        assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert elapsed < CASE_SECONDS


@pytest.mark.parametrize(("env_id", "kind", "n"), [
    ("CartPole-v1", "q-learning", 150),
    ("Taxi-v4", "value-iteration", 50),
    ("CartPole-v1", "dqn", 100),
])
def test_mutated_saves_load_or_are_refused_in_one_line(env_id: str, kind: str, n: int, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from agents.persistence import read_metadata, save_agent
    from rltui.core.training import train

    entry = catalog.resolve(env_id)
    settings = {"learning_starts": "64"} if kind == "dqn" else {}
    agent = make_agent_for(entry, kind, settings, seed=0)
    if kind != "value-iteration":
        train(agent, entry, steps=300, seed=0, final_eval_episodes=1)  # a DQN with Adam's state
    path = save_agent(agent, tmp_path / "agent.safetensors", env_id)
    data, meta = path.read_bytes(), read_metadata(path)
    mutant = tmp_path / "mutant.safetensors"
    for i, blob in enumerate(fuzz.save_mutants(data, meta, n * SCALE, SEED)):
        mutant.write_bytes(blob)
        _check(["eval", str(mutant), "--episodes", "1", "--json"], capsys)
        _check(["saves", "--json"], capsys)
        if i % 4 == 0:  # resuming: the optimizer state meets torch here
            _check(["train", env_id, "--load", str(mutant), "--steps", "300", "--no-save", "--json",
                    "--quiet"], capsys)


def test_mutated_episodes_replay_or_are_refused_in_one_line(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    from rltui.core import episodes

    session = Session(catalog.resolve("CliffWalking-v1"), seed=3, render=False)
    for action in (0, 1, 1, 2):
        session.step(action)
    good = episodes.save(episodes.record_of(session.episode, "CliffWalking-v1"), tmp_path)
    text = good.read_text()
    mutant = tmp_path / "mutant.jsonl"
    for blob in fuzz.episode_mutants(text, 200 * SCALE, SEED):
        mutant.write_text(blob)
        _check(["train", "CliffWalking-v1", "--agent", "q-learning", "--demos", str(mutant),
                "--steps", "0", "--no-save", "--json", "--quiet"], capsys)


async def test_the_app_survives_loading_mutants_through_ctrl_o(tmp_path: Path) -> None:
    from agents.persistence import read_metadata, save_agent
    from rltui.ui.app import RLTuiApp
    from rltui.ui.screens.dialogs import LoadDialog
    from tests.helpers import settle

    entry = catalog.resolve("Taxi-v4")
    path = save_agent(make_agent_for(entry, "q-learning", seed=0), tmp_path / "agent.safetensors", entry.id)
    data, meta = path.read_bytes(), read_metadata(path)
    app = RLTuiApp(Session(entry, seed=0))
    outcomes = {"loaded": 0, "refused": 0}
    async with app.run_test(size=(120, 40)) as pilot:
        for i, blob in enumerate(fuzz.save_mutants(data, meta, 30 * SCALE, SEED)):
            mutant = tmp_path / f"mutant-{i}.safetensors"
            mutant.write_bytes(blob)
            await pilot.press("ctrl+o")
            dialog = app.screen
            assert isinstance(dialog, LoadDialog)
            field = dialog.query_one("#load-path")
            field.focus()
            field.value = str(mutant)
            error = dialog.query_one("#load-error")
            await pilot.press("enter")
            refused = False
            for _ in range(500):  # read in a worker: wait for its word
                await pilot.pause(0.01)
                said = str(error.render())
                if app.screen is not dialog:
                    break
                if said and not said.startswith("Reading"):
                    refused = True
                    break
            if refused:
                outcomes["refused"] += 1
                await pilot.press("escape")
            else:
                assert app.screen is not dialog
                outcomes["loaded"] += 1
            await settle(pilot)
        assert app._exception is None and app.screen.snap is not None
    assert outcomes["loaded"] and outcomes["refused"]


def _signal_after(seconds: int) -> Any:
    """A SIGALRM that ends a hang (a FIFO opened for reading) as a test failure, not a stuck run."""
    import signal

    def hung(*_: object) -> None:
        raise AssertionError(f"a case ran past {seconds} s")

    signal.signal(signal.SIGALRM, hung)
    return signal


@pytest.mark.parametrize(("env_id", "kind", "n"), [
    ("FrozenLake-v1", "q-learning", 120),
    ("CartPole-v1", "dqn", 60),
    ("Pendulum-v1", "sac", 24),
])
def test_mutated_minari_datasets_are_learned_from_or_refused_in_one_line(
        env_id: str, kind: str, n: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("minari")
    pytest.importorskip("h5py")
    import numpy as np

    from rltui.core import episodes

    root = tmp_path / "minari"
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(root))
    entry = catalog.resolve(env_id)
    session = Session(entry, seed=2, render=False)
    for t in range(30):
        if session.episode.done:
            break
        session.step(np.asarray([np.sin(t)], dtype=np.float32) if kind == "sac" else t % 2, actor="agent")
    file = episodes.save(episodes.record_of(session.episode, env_id), tmp_path)
    assert main(["episodes", "export", str(file), "--minari", "rltui/good-v0"]) == 0
    capsys.readouterr()
    signal = _signal_after(int(CASE_SECONDS))
    refused = 0
    try:
        for dataset_id in fuzz.dataset_mutants(root / "rltui" / "good-v0", root, n * SCALE, SEED):
            signal.alarm(int(CASE_SECONDS))
            _check(["train", env_id, "--agent", kind, "--demos", f"minari:{dataset_id}", "--steps", "0",
                    "--no-save", "--json", "--quiet"], capsys)
            signal.alarm(0)
            refused += CASES[-1][1] == 2
    finally:
        signal.alarm(0)
    assert refused > n * SCALE // 2  # nearly every mutant is damaged past learning from
