"""The property every file reader keeps: a mutant loads, or is refused with exit status 2 and
one line; never a traceback, a hang or a blow-up (generator in tests/fuzz.py, seeded)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rltui.cli import main
from rltui.envs import catalog
from rltui.envs.session import Session
from rltui.training.agent_factory import make_agent_for
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
        print(
            f"\nfuzz seed {SEED}: {len(CASES)} cases "
            + ", ".join(f"{command} exit {code}: {n}" for (command, code), n in sorted(by.items()))
        )
        print(
            f"slowest case {max(t for *_, t in CASES):.2f} s; "
            f"largest peak growth {max(PEAKS, default=0) / 2**20:.0f} MiB"
        )


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


@pytest.mark.parametrize(
    ("env_id", "kind", "n"),
    [
        ("CartPole-v1", "q-learning", 150),
        ("Taxi-v4", "value-iteration", 50),
        ("CartPole-v1", "dqn", 100),
    ],
)
def test_mutated_saves_load_or_are_refused_in_one_line(
    env_id: str, kind: str, n: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from agents.persistence import read_metadata, save_agent
    from rltui.training.loop import train

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
            _check(["train", env_id, "--load", str(mutant), "--steps", "300", "--no-save", "--json", "--quiet"], capsys)


def test_mutated_episodes_replay_or_are_refused_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from rltui.formats import episodes

    session = Session(catalog.resolve("CliffWalking-v1"), seed=3, render=False)
    for action in (0, 1, 1, 2):
        session.step(action)
    good = episodes.save(episodes.record_of(session.episode, "CliffWalking-v1"), tmp_path)
    text = good.read_text()
    mutant = tmp_path / "mutant.jsonl"
    for blob in fuzz.episode_mutants(text, 200 * SCALE, SEED):
        mutant.write_text(blob)
        _check(
            [
                "train",
                "CliffWalking-v1",
                "--agent",
                "q-learning",
                "--demos",
                str(mutant),
                "--steps",
                "0",
                "--no-save",
                "--json",
                "--quiet",
            ],
            capsys,
        )


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


@pytest.mark.parametrize(
    ("env_id", "kind", "n"),
    [
        ("FrozenLake-v1", "q-learning", 120),
        ("CartPole-v1", "dqn", 60),
        ("Pendulum-v1", "sac", 24),
    ],
)
def test_mutated_minari_datasets_are_learned_from_or_refused_in_one_line(
    env_id: str, kind: str, n: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("minari")
    pytest.importorskip("h5py")
    import numpy as np

    from rltui.formats import episodes

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
            _check(
                [
                    "train",
                    env_id,
                    "--agent",
                    kind,
                    "--demos",
                    f"minari:{dataset_id}",
                    "--steps",
                    "0",
                    "--no-save",
                    "--json",
                    "--quiet",
                ],
                capsys,
            )
            signal.alarm(0)
            refused += CASES[-1][1] == 2
    finally:
        signal.alarm(0)
    assert refused > n * SCALE // 2  # nearly every mutant is damaged past learning from


def _generated_paths(root: Path, n: int, seed: int) -> list[str]:
    """``n`` paths a person might give, seeded: odd places (a file, a FIFO, a device, a link
    loop or a link to nothing where a folder must be, /proc, /sys, ~someone) joined to odd
    names (over 255 bytes, bytes that are not UTF-8, spaces, newlines, dots, accents), and
    plain ones that must be accepted."""
    import random

    rng = random.Random(seed)
    (root / "afile").write_text("a file")
    os.mkfifo(root / "fifo")
    (root / "loop1").symlink_to(root / "loop2")
    (root / "loop2").symlink_to(root / "loop1")
    (root / "dangling").symlink_to(root / "nowhere")
    (root / "dir").mkdir()
    bases = [
        root / "dir",
        root / "afile",
        root / "fifo",
        root / "loop1",
        root / "dangling",
        root / "new",
        "/dev/null",
        "/dev/zero",
        "/proc",
        "/proc/self",
        "/sys/kernel",
        "~nosuchuser-rltui",
        "~",
        root,
    ]
    names = [
        lambda: "x",
        lambda: "a" * rng.randint(250, 400),
        lambda: "tb" + os.fsdecode(bytes([rng.randint(128, 255)])),
        lambda: "with space",
        lambda: "line\nbreak",
        lambda: "..",
        lambda: ".",
        lambda: "é" * rng.randint(60, 140),
        lambda: "",
        lambda: "runs.gif",
        lambda: "/".join(["d" * 200] * rng.randint(1, 25)),
    ]
    paths = []
    for _ in range(n):
        parts = [str(rng.choice(bases))] + [rng.choice(names)() for _ in range(rng.randint(0, 3))]
        path = "/".join(parts) + rng.choice(["", "", "/"])
        paths.append(path)
    return paths


def test_generated_paths_are_checked_before_anything_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every path option, given generated paths: accepted, or refused in one line with exit 2 and
    nothing made; refused whenever rltui/paths.py refuses it."""
    import random

    from agents.persistence import SaveError
    from rltui.formats import episodes
    from rltui.formats.saves import save_place
    from rltui.paths import PathError, file_to_write, folder_to_write, user_path
    from rltui.ui.app import RLTuiApp

    class Opened(Exception):
        """The app would open: the path was accepted."""

    def opened(self: object) -> None:
        raise Opened

    monkeypatch.setattr(RLTuiApp, "run", opened)
    play = tmp_path / "play"
    play.mkdir()
    session = Session(catalog.resolve("CliffWalking-v1"), seed=3, render=False)
    session.step(0)
    episode = str(episodes.save(episodes.record_of(session.episode, "CliffWalking-v1"), tmp_path / "play"))
    root = tmp_path / "places"
    root.mkdir()
    monkeypatch.chdir(root)
    monkeypatch.setenv("RLTUI_SAVES", str(tmp_path / "saves"))
    monkeypatch.delenv("RLTUI_TENSORBOARD", raising=False)
    train = ["train", "CliffWalking-v1", "--agent", "q-learning", "--steps", "5", "--quiet"]
    options = [  # (argv and environment for a path, the check that path must pass)
        (lambda p, i: ([*train, "--no-save", "--tensorboard", p], {}), folder_to_write),
        (lambda p, i: ([*train, "--save", p], {}), save_place),
        (lambda p, i: (["play", "CliffWalking-v1", "--tensorboard", p], {}), folder_to_write),
        (lambda p, i: (["play", "CliffWalking-v1"], {"RLTUI_TENSORBOARD": p}), folder_to_write),
        (lambda p, i: (["play", "CliffWalking-v1"], {"RLTUI_SAVES": p}), folder_to_write),
        (lambda p, i: (["play", "--map", p], {}), user_path),  # read, not written: its name is checked
        (lambda p, i: (train, {"RLTUI_SAVES": p}), folder_to_write),
        (lambda p, i: (["episodes", "gif", episode, "--out", p], {}), file_to_write),
        (
            lambda p, i: (["episodes", "export", episode, "--minari", f"rltui/fuzz{i}-v0", "--dir", p], {}),
            folder_to_write,
        ),
    ]
    places = _generated_paths(root, 200 * SCALE, SEED)
    pick = random.Random(SEED + 1)
    refused = accepted = 0
    for i, path in enumerate(places):
        option, check = pick.choice(options)
        if check is file_to_write:
            path = path.rstrip("/") + ".gif"
        argv, env = option(path, i)
        with monkeypatch.context() as m:
            for name, value in env.items():
                m.setenv(name, value)
            try:
                verdict = check(path, "-")
            except (PathError, SaveError):
                verdict = "refused"
            before = {str(p) for p in root.rglob("*")}
            capsys.readouterr()
            start = time.perf_counter()
            try:
                code = main(argv)
            except Opened:
                code = 0
            elapsed = time.perf_counter() - start
        err = capsys.readouterr().err.strip()
        CASES.append((argv[0], code, elapsed))
        assert code in (0, 2), (argv, env, code, err)
        assert elapsed < CASE_SECONDS
        if code == 2:
            assert len(err.splitlines()) == 1 and err.startswith("rltui: ") and "Traceback" not in err, (argv, err)
            assert {str(p) for p in root.rglob("*")} == before, (argv, env)  # nothing made
        if verdict == "refused":
            assert code == 2, (argv, env, err)
            refused += 1
        else:
            accepted += code == 0
    assert refused > len(places) // 4 and accepted > 0, (refused, accepted)


@pytest.mark.parametrize("kind", ["value-iteration", "policy-iteration"])
def test_mutated_planner_saves_are_refused_unless_they_fit(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from safetensors.numpy import load_file, save_file

    from agents.persistence import read_metadata, save_agent

    entry = catalog.resolve("FrozenLake-v1")
    path = save_agent(make_agent_for(entry, kind, seed=0), tmp_path / "agent.safetensors", entry.id)
    meta, arrays = read_metadata(path), load_file(str(path))
    fits = {}
    for env_id in (
        "FrozenLake-v1",
        "FrozenLake8x8-v1",
        "CliffWalking-v1",
        "Taxi-v4",
        "map:BridgeGrid",
        "CartPole-v1",
        "Acrobot-v1",
    ):
        env = catalog.make_env(catalog.resolve(env_id), render=False)
        fits[env_id] = (getattr(env.observation_space, "n", None), getattr(env.action_space, "n", None)) == (16, 4)
        env.close()
    mutant = tmp_path / "mutant.safetensors"
    for m, a, refuse in fuzz.planner_mutants(meta, arrays, fits, 120 * SCALE, SEED):
        save_file(a, str(mutant), metadata={"rltui": json.dumps(m)})
        _check(["eval", str(mutant), "--episodes", "1", "--json"], capsys)
        assert not refuse or CASES[-1][1] == 2, (m["env_id"], sorted(a), {k: v.shape for k, v in a.items()})


def test_odd_numbers_are_taken_or_refused_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--set values for the network kinds, GIF frame rates, and a continuous episode's action
    numbers, generated: each is taken or refused in one sentence."""
    import dataclasses
    import random

    from agents import registry
    from rltui.formats import episodes
    from rltui.formats.gif import MAX_FPS, MIN_FPS

    rng = random.Random(SEED)
    for _ in range(60 * SCALE):
        kind, env_id = rng.choice(
            (("dqn", "CartPole-v1"), ("ppo", "CartPole-v1"), ("reinforce", "CartPole-v1"), ("sac", "Pendulum-v1"))
        )
        config = registry.spec(kind).load().CONFIG
        keys = [
            f.name
            for f in dataclasses.fields(config)
            if isinstance(f.default, (int, float, tuple)) and not isinstance(f.default, bool)
        ]
        key = "hidden" if rng.random() < 0.4 else rng.choice(keys)
        _check(
            [
                "train",
                env_id,
                "--agent",
                kind,
                f"--set={key}={fuzz.number_text(rng)}",
                "--steps",
                "0",
                "--no-save",
                "--json",
                "--quiet",
            ],
            capsys,
        )
    session = Session(catalog.resolve("Taxi-v4"), seed=1, render=False)
    for t in range(3):
        session.step(t)
    taxi = episodes.save(episodes.record_of(session.episode, "Taxi-v4"), tmp_path)
    for i in range(30 * SCALE):
        text = rng.choice((fuzz.number_text(rng), f"{10 ** rng.uniform(-6, 6):g}"))
        try:
            fps = float(text)
        except ValueError:
            continue  # argparse's own usage message
        _check(["episodes", "gif", str(taxi), f"--fps={text}", "--out", str(tmp_path / f"{i}.gif")], capsys)
        if not MIN_FPS <= fps <= MAX_FPS:
            assert CASES[-1][1] == 2, text
    session = Session(catalog.resolve("Pendulum-v1"), seed=1, render=False)
    for _ in range(3):
        session.step(np.asarray([0.5], dtype=np.float32), actor="agent")
    lines = episodes.to_jsonl(episodes.record_of(session.episode, "Pendulum-v1")).splitlines()
    mutant = tmp_path / "swing.jsonl"
    for _ in range(30 * SCALE):
        row = json.loads(lines[1])
        row["action"] = "@"
        text = json.dumps(row).replace('"@"', f"[{fuzz.number_text(rng) or '0'}]")
        mutant.write_text("\n".join([lines[0], text, *lines[2:]]) + "\n")
        _check(
            [
                "train",
                "Pendulum-v1",
                "--agent",
                "sac",
                "--demos",
                str(mutant),
                "--steps",
                "0",
                "--no-save",
                "--json",
                "--quiet",
            ],
            capsys,
        )


def test_mutated_study_storages_are_used_or_refused_and_a_refused_one_is_left_as_it_was(tmp_path: Path) -> None:
    """Seeded storages for `tune --storage`: an Optuna study's file cut short or with bytes
    flipped, another program's database, random bytes, an empty file, a folder, a FIFO. Each is
    opened as a study or refused with one sentence (TuneError), and a refused file is left byte
    for byte as it was."""
    import hashlib
    import random
    import sqlite3

    pytest.importorskip("optuna")
    from rltui.training.studies import study_for
    from rltui.training.tuning import TuneError

    good = tmp_path / "good.db"
    study_for("CliffWalking-v1", "q-learning", f"sqlite:///{good}", "s", 0, 3000)
    original = good.read_bytes()
    rng = random.Random(SEED + 2)
    cases = 0
    for i in range(40):
        path = tmp_path / f"case{i}.db"
        kind = rng.choice(["cut", "flip", "foreign", "random", "empty", "folder", "fifo"])
        if kind == "cut":
            path.write_bytes(original[: rng.randrange(1, len(original))])
        elif kind == "flip":
            data = bytearray(original)
            for _ in range(rng.randrange(1, 20)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            path.write_bytes(bytes(data))
        elif kind == "foreign":
            with sqlite3.connect(path) as db:
                db.execute(f"CREATE TABLE t{rng.randrange(99)} (x)")
        elif kind == "random":
            path.write_bytes(rng.randbytes(rng.randrange(1, 5000)))
        elif kind == "empty":
            path.write_bytes(b"")
        elif kind == "folder":
            path.mkdir()
        else:
            os.mkfifo(path)
        before = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() and kind != "empty" else None
        try:
            study_for("CliffWalking-v1", "q-learning", f"sqlite:///{path}", "s", 0, 3000)
        except TuneError as exc:
            assert "\n" not in str(exc)
            if before is not None:
                assert hashlib.sha256(path.read_bytes()).hexdigest() == before, (kind, str(exc))
        else:
            assert kind in ("cut", "flip", "empty"), kind  # what SQLite itself can still read
        cases += 1
    assert cases == 40


def test_generated_hosts_are_taken_or_refused_in_one_line() -> None:
    """`serve --host`: seeded names of every shape (labels too long, empty, non-ASCII,
    control characters) are an address or one sentence, never an idna traceback."""
    import random

    from rltui.commands.common import UsageError
    from rltui.commands.serve import check_host

    rng = random.Random(SEED + 3)
    alphabet = "abc-.09:[]é\x00\x01 ΩZ_"
    for _ in range(500):
        host = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 80)))
        if rng.random() < 0.2:
            host = ".".join("a" * rng.randrange(0, 70) for _ in range(rng.randrange(1, 6)))
        try:
            taken = check_host(host)
        except UsageError as exc:
            assert "\n" not in str(exc)
        else:
            assert taken.isascii()
            taken.encode("idna")  # what the server's resolver will do with it
