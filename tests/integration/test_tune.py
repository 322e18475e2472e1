"""`rltui tune`: an Optuna study that resumes, prunes on the periodic evaluations, and says
how to train its best trial."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from rltui.cli import main
from rltui.envs import catalog
from rltui.training.agent_factory import make_agent_for
from rltui.training.loop import train

optuna = pytest.importorskip("optuna")


def _tune(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["tune", "CliffWalking-v1", "--agent", "q-learning", "--budget", "3000", "--json", *argv]) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_a_study_resumes_and_names_its_best_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    first = _tune(capsys, "--trials", "3")
    db = Path(first["storage"].removeprefix("sqlite:///"))
    assert db.is_file() and db.parent.name == "tune" and first["study"] == "CliffWalking-v1-q-learning"
    assert first["trials_finished"] + first["trials_pruned"] == 3
    again = _tune(capsys, "--trials", "2")  # the same command: the same study, two more trials
    assert again["trials_finished"] + again["trials_pruned"] == 5
    assert again["best_value"] >= first["best_value"]
    study = optuna.load_study(study_name=again["study"], storage=again["storage"])
    assert len(study.trials) == 5 and study.best_value == pytest.approx(again["best_value"], abs=1e-3)
    # The best command trains with exactly the best trial's settings.
    argv = shlex.split(again["best_command"])
    assert argv[:4] == ["rltui", "train", "CliffWalking-v1", "--agent"]
    assert main([*argv[1:], "--no-save", "--quiet"]) == 0
    settings = dict(kv.split("=", 1) for kv in argv[argv.index("--set") + 1 :: 2])
    assert settings == again["best_params"]


def test_the_search_space_can_be_narrowed(capsys: pytest.CaptureFixture[str]) -> None:
    out = _tune(capsys, "--trials", "2", "--study", "narrow", "--space", "alpha=0.4:0.5")
    study = optuna.load_study(study_name="narrow", storage=out["storage"])
    assert all(0.4 <= t.params["alpha"] <= 0.5 for t in study.trials)


def test_an_evaluation_callback_can_stop_training_early() -> None:
    entry = catalog.resolve("Taxi-v4")
    agent = make_agent_for(entry, "q-learning", seed=0)
    seen = []
    result = train(
        agent,
        entry,
        steps=10_000,
        eval_every=1_000,
        eval_episodes=2,
        on_eval=lambda step, mean: seen.append(step) or step >= 2_000,
    )
    assert seen == [1_000, 2_000] and result.steps == 2_000 and result.stopped


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--agent", "value-iteration"], "value-iteration has nothing to tune"),
        (["--agent", "q-learning", "--space", "alfa=0.1:0.2"], "q-learning has no setting 'alfa'"),
        (["--agent", "q-learning", "--space", "alpha=0.5:0.1"], "the low end must be below the high end"),
        (["--agent", "q-learning", "--space", "alpha=0.1"], "is not key=low:high"),
        (["--agent", "q-learning", "--space", "alpha=0.5:2"], "--space alpha: Setting 'alpha'"),
        (["--agent", "q-learning", "--trials", "0"], "--trials must be from 1"),
        (["--agent", "q-learning", "--budget", "10"], "--budget must be 100 steps or more"),
        (["--agent", "q-learning", "--jobs", "0"], "--jobs must be from 1 to 64"),
        (["--agent", "sac"], "sac is for continuous actions and CliffWalking-v1's are discrete"),
        (["--agent", "q-learning", "--storage", "sqlite:////no/such/folder/x.db"], "cannot be opened"),
    ],
)
def test_bad_sweeps_say_one_sentence(argv: list[str], said: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tune", "CliffWalking-v1", *argv]) == 2
    err = capsys.readouterr().err
    assert said in err and len(err.strip().splitlines()) == 1


def test_jobs_run_trials_in_several_processes_on_one_study_and_keep_the_best_agent(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from agents.persistence import load_agent

    out = _tune(
        capsys, "--trials", "6", "--jobs", "2", "--study", "jobs", "--save-best", str(tmp_path / "best.safetensors")
    )
    assert out["jobs"] == 2 and out["trials_finished"] + out["trials_pruned"] == 6
    study = optuna.load_study(study_name="jobs", storage=out["storage"])
    assert len({t.user_attrs["process"] for t in study.trials}) == 2  # both processes ran trials
    _, meta = load_agent(tmp_path / "best.safetensors")
    assert meta["evaluation"]["return_mean"] == pytest.approx(out["best_value"], abs=1e-3)
    assert [p.name for p in tmp_path.iterdir()] == ["best.safetensors"]  # the other process's file is gone


def test_a_study_made_for_another_env_or_budget_is_refused_and_left_as_it_was(
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = _tune(capsys, "--trials", "1", "--study", "mine")
    for argv in (
        ["tune", "Taxi-v4", "--agent", "q-learning", "--budget", "3000"],
        ["tune", "CliffWalking-v1", "--agent", "q-learning", "--budget", "4000"],
    ):
        assert main([*argv, "--study", "mine", "--storage", first["storage"]]) == 2
        err = capsys.readouterr().err
        assert "Study mine was made for CliffWalking-v1 with q-learning and --budget 3000" in err
        assert len(err.strip().splitlines()) == 1
    assert len(optuna.load_study(study_name="mine", storage=first["storage"]).trials) == 1


def _swept(tmp_path: Path, trials: int = 3):
    """A small finished sweep whose best agent was saved, as ``tune --watch`` leaves one."""
    import threading

    from rltui.commands.tune import keep_in
    from rltui.training.studies import study_for
    from rltui.training.sweep_view import SweepView
    from rltui.training.tuning import objective, parse_space

    entry = catalog.resolve("CliffWalking-v1")
    study, _, name = study_for(entry.id, "q-learning", f"sqlite:///{tmp_path / 's.db'}", "watched", 0, 3000)
    stop, finished = threading.Event(), threading.Event()
    keep = keep_in(tmp_path / "best.safetensors", entry.id)
    study.optimize(
        objective(entry, "q-learning", parse_space("q-learning", None), 3000, 0, stop, keep), n_trials=trials
    )
    finished.set()
    return SweepView(study, entry, "q-learning", 3000, name, trials, stop, finished)


def test_the_sweep_snapshot_lists_every_trial_and_the_best_ones_curve_and_agent(tmp_path: Path) -> None:
    view = _swept(tmp_path)
    snap = view.snapshot()
    assert [r.number for r in snap.rows] == [0, 1, 2] and snap.finished + snap.pruned == 3
    best = view.study.best_trial
    assert snap.best_number == best.number and snap.best_value == pytest.approx(best.value)
    assert snap.best_curve == tuple(sorted((int(k), float(v)) for k, v in best.intermediate_values.items()))
    assert snap.best_curve[-1][0] == 3000 and snap.best_agent == str(tmp_path / "best.safetensors")
    assert all(r.settings for r in snap.rows)


async def test_the_sweep_screen_shows_the_trials_and_plays_the_best_agent(tmp_path: Path) -> None:
    from rltui.ui.app import RLTuiApp
    from rltui.ui.screens.play import PlayScreen
    from rltui.ui.screens.sweep import SweepScreen
    from tests.helpers import settle, wait_for_text

    view = _swept(tmp_path)
    app = RLTuiApp(sweep=view)
    async with app.run_test(size=(130, 40)) as pilot:
        best = view.snapshot().best_number
        text = await wait_for_text(pilot, "Sweep watched", "DONE", f"★ {best}", "alpha=")
        assert f"best {view.snapshot().best_value:.4g}" in text.replace("−", "-")
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, PlayScreen)
        for _ in range(500):  # the agent loads in a worker
            if app.screen.playalong.agent is not None:
                break
            await pilot.pause(0.01)
        assert app.screen.playalong.agent.kind == "q-learning"
        await pilot.press("escape")
        await wait_for_text(pilot, "Sweep watched", "DONE")
        assert isinstance(app.screen, SweepScreen)
        await pilot.press("q")
        await pilot.pause()
    assert view.stop.is_set()


def test_watch_and_json_together_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tune", "CliffWalking-v1", "--agent", "q-learning", "--watch", "--json"]) == 2
    assert "--watch shows the sweep in the app; --json prints it" in capsys.readouterr().err


def test_ray_runs_the_trials_as_tasks_on_one_study(capsys: pytest.CaptureFixture[str]) -> None:
    import os

    pytest.importorskip("ray")
    out = _tune(capsys, "--trials", "4", "--ray", "--jobs", "2", "--study", "on-ray")
    assert out["ray"] and out["jobs"] == 2 and out["trials_finished"] + out["trials_pruned"] == 4
    study = optuna.load_study(study_name="on-ray", storage=out["storage"])
    processes = {t.user_attrs["process"] for t in study.trials}
    assert len(processes) == 2 and os.getpid() not in processes  # two tasks ran them, not this process


def test_ray_refuses_an_address_nothing_answers_on(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("ray")
    assert main(["tune", "CliffWalking-v1", "--agent", "q-learning", "--ray", "127.0.0.1:1"]) == 2
    err = capsys.readouterr().err
    assert "Ray at 127.0.0.1:1 cannot be reached" in err and len(err.strip().splitlines()) == 1


def test_ray_without_its_extra_names_the_install(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "ray", None)  # as if it were not installed
    assert main(["tune", "CliffWalking-v1", "--agent", "q-learning", "--ray"]) == 2
    from rltui.extras import install_hint

    assert f"rltui tune --ray needs the ray extra: {install_hint('ray')}." in capsys.readouterr().err


def test_a_deliberately_bad_trial_is_pruned_and_the_sweep_goes_on(tmp_path: Path) -> None:
    """Three good trials set the median; a trial that learns nothing (α near 0) trails it at an
    evaluation and is pruned; the trial after it still runs."""
    import threading

    from rltui.training.studies import study_for
    from rltui.training.tuning import objective, parse_space

    entry = catalog.resolve("CliffWalking-v1")
    study, _, _ = study_for(entry.id, "q-learning", f"sqlite:///{tmp_path / 'p.db'}", "prunes", 0, 3000)
    good = {"alpha": 0.85, "epsilon_end": 0.0076, "epsilon_decay_steps": 1920, "gamma": 0.95}
    for params in (good, good, good, {**good, "alpha": 0.0101}, good):
        study.enqueue_trial(params)
    stop = threading.Event()
    study.optimize(objective(entry, "q-learning", parse_space("q-learning", None), 3000, 0, stop), n_trials=5)
    states = [t.state.name for t in study.trials]
    assert states == ["COMPLETE", "COMPLETE", "COMPLETE", "PRUNED", "COMPLETE"], states
    assert not stop.is_set()  # pruning one trial is not stopping the sweep


def test_a_resumed_study_draws_new_points_and_seeds_each_trial_by_its_number(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The same command twice on one study: the second run's trials are new points (its sampler
    is seeded from the trials already there), and each trial trains with seed + its number."""
    first = _tune(capsys, "--trials", "2", "--study", "again")
    second = _tune(capsys, "--trials", "2", "--study", "again")
    trials = optuna.load_study(study_name="again", storage=second["storage"]).trials
    assert len(trials) == 4 and first["storage"] == second["storage"]
    drawn = [tuple(sorted(t.params.items())) for t in trials]
    assert len(set(drawn)) == 4, drawn  # the resumed run repeated none of the first run's points
    assert [t.user_attrs["seed"] for t in trials] == [0, 1, 2, 3]
    best = max((t for t in trials if t.value is not None), key=lambda t: t.value)
    assert f"--seed {best.user_attrs['seed']} " in second["best_command"]


def test_jobs_on_a_resumed_study_draw_new_points(capsys: pytest.CaptureFixture[str]) -> None:
    _tune(capsys, "--trials", "2", "--study", "both")
    out = _tune(capsys, "--trials", "2", "--jobs", "2", "--study", "both")
    trials = optuna.load_study(study_name="both", storage=out["storage"]).trials
    drawn = [tuple(sorted(t.params.items())) for t in trials]
    assert len(trials) == 4 and len(set(drawn)) == 4, drawn


def test_the_study_names_its_objective_and_stores_numbers_as_numbers_and_steps_as_steps(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """What optuna-dashboard (or any reader of the study) sees: the objective's name, a numeric
    choice as the number it is, ``epsilon_decay_steps`` as the steps the trial trained with."""
    out = _tune(capsys, "--trials", "2", "--study", "read-back")
    study = optuna.load_study(study_name="read-back", storage=out["storage"])
    assert study.metric_names == ["greedy return"]
    for t in study.trials:
        steps = t.params["epsilon_decay_steps"]
        assert isinstance(steps, int) and 0.05 * 3000 <= steps <= 0.8 * 3000
        assert t.user_attrs["settings"]["epsilon_decay_steps"] == str(steps)
    assert (
        main(
            [
                "tune",
                "CartPole-v1",
                "--agent",
                "dqn",
                "--budget",
                "200",
                "--trials",
                "1",
                "--json",
                "--study",
                "dqn-read-back",
                "--storage",
                out["storage"],
            ]
        )
        == 0
    )
    (trial,) = optuna.load_study(study_name="dqn-read-back", storage=out["storage"]).trials
    for key in ("batch_size", "train_freq", "target_update_interval"):
        assert type(trial.params[key]) is int, (key, trial.params[key])
        assert trial.user_attrs["settings"][key] == str(trial.params[key])
    assert isinstance(trial.params["hidden"], str)  # a width list stays text


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_storage_that_is_not_an_optuna_study_is_refused_and_left_byte_for_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import os
    import sqlite3

    foreign = tmp_path / "notes.db"
    with sqlite3.connect(foreign) as db:  # another program's database
        db.execute("CREATE TABLE notes (text)")
        db.execute("INSERT INTO notes VALUES ('keep me')")
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database " * 100)
    fifo = tmp_path / "fifo.db"
    os.mkfifo(fifo)
    for path, says in (
        (foreign, "another program's database"),
        (garbage, "not an SQLite database"),
        (fifo, "not a file"),
    ):
        before = None if path is fifo else _sha(path)
        assert (
            main(
                [
                    "tune",
                    "CliffWalking-v1",
                    "--agent",
                    "q-learning",
                    "--budget",
                    "3000",
                    "--storage",
                    f"sqlite:///{path}",
                ]
            )
            == 2
        )
        err = capsys.readouterr().err.strip()
        assert says in err and len(err.splitlines()) == 1
        if before is not None:
            assert _sha(path) == before


def test_a_study_refused_for_its_budget_leaves_its_file_byte_for_byte(capsys: pytest.CaptureFixture[str]) -> None:
    first = _tune(capsys, "--trials", "1", "--study", "kept")
    db = Path(first["storage"].removeprefix("sqlite:///"))
    before = _sha(db)
    assert (
        main(
            [
                "tune",
                "CliffWalking-v1",
                "--agent",
                "q-learning",
                "--budget",
                "4000",
                "--study",
                "kept",
                "--storage",
                first["storage"],
            ]
        )
        == 2
    )
    assert _sha(db) == before


def test_an_in_memory_storage_has_no_heartbeat_and_is_not_shared(capsys: pytest.CaptureFixture[str]) -> None:
    from optuna.storages._heartbeat import is_heartbeat_enabled

    from rltui.training.studies import study_for

    study, _, _ = study_for("CliffWalking-v1", "q-learning", "sqlite://", None, 0, 3000)
    assert not is_heartbeat_enabled(study._storage)  # its thread found no tables: a traceback
    summary = _tune(capsys, "--trials", "1", "--storage", "sqlite://")
    assert summary["trials_finished"] + summary["trials_pruned"] == 1
    assert main(["tune", "CliffWalking-v1", "--agent", "q-learning", "--storage", "sqlite://", "--jobs", "2"]) == 2
    assert "lives in this process's memory" in capsys.readouterr().err


def test_a_best_agent_that_cannot_be_written_is_a_warning_and_the_sweep_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from rltui.commands.tune import keep_in

    entry = catalog.resolve("CliffWalking-v1")
    (tmp_path / "a-file").write_text("in the way")
    keep = keep_in(tmp_path / "a-file" / "best.safetensors", entry.id)
    assert keep(make_agent_for(entry, "q-learning", seed=0), -13.0) is None
    err = capsys.readouterr().err
    assert "could not be saved" in err and "Traceback" not in err and keep.saved == []


def test_ctrl_c_stops_a_sweep_without_a_traceback(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    env = {**os.environ, "RLTUI_SAVES": str(tmp_path)}
    sweep = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rltui",
            "tune",
            "Taxi-v4",
            "--agent",
            "q-learning",
            "--trials",
            "3",
            "--budget",
            "400000",
            "--storage",
            f"sqlite:///{tmp_path / 'c.db'}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        # As from a terminal: a test run in the background inherits SIGINT ignored, and Python
        # then never turns ctrl+c into KeyboardInterrupt.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        assert sweep.stdout.readline().startswith("Study ")  # the sweep has begun
        sweep.send_signal(signal.SIGINT)
        out, err = sweep.communicate(timeout=120)
    finally:
        sweep.kill()
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "Interrupted: the finished trials are kept in the study." in out
