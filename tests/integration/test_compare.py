"""`rltui compare`: kinds and seeds side by side, kept in an SQLite store that resumes, with
SciPy's statistics."""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rltui.cli import main

stats = pytest.importorskip("scipy.stats")

TINY = ["Taxi-v4", "--agents", "q-learning,sarsa", "--seeds", "2", "--steps", "1500"]


def _compare(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["compare", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def _rows(store: Path) -> dict[tuple[str, int], dict]:
    db = sqlite3.connect(store)
    try:
        return {(k, s): json.loads(r) for k, s, r in db.execute("SELECT kind, seed, result FROM runs")}
    finally:
        db.close()


def _figures(out: dict) -> dict:
    """The figures that do not depend on the clock."""
    keep = ("kind", "runs", "mean", "mean_ci", "iqm", "iqm_ci", "solved", "steps_to_solve", "steps_range")
    return {"kinds": [{k: f[k] for k in keep} for f in out["kinds"]], "improvement": out["improvement"]}


def test_a_tiny_comparison_end_to_end_in_two_processes(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    store, table = tmp_path / "arena.db", tmp_path / "figures.csv"
    out = _compare(capsys, *TINY, "--jobs", "2", "--store", str(store), "--csv", str(table))
    assert out["runs"] == out["runs_planned"] == 4 and out["jobs"] == 2
    rows = _rows(store)
    assert sorted(rows) == [("q-learning", 0), ("q-learning", 1), ("sarsa", 0), ("sarsa", 1)]
    for row in rows.values():
        assert row["steps"] == 1500 and row["curve"] and row["curve"][0][0] == 1000  # the one schedule
        assert Path(row["agent_file"]).is_file()  # the run's agent, for the watch screen's `o`
    by_kind = {f["kind"]: f for f in out["kinds"]}
    finals = {k: [rows[(k, s)]["final"] for s in (0, 1)] for k in ("q-learning", "sarsa")}
    assert by_kind["sarsa"]["mean"] == pytest.approx(np.mean(finals["sarsa"]), abs=1e-3)
    p = {(i["x"], i["y"]): i["p"] for i in out["improvement"]}
    assert p[("q-learning", "sarsa")] + p[("sarsa", "q-learning")] == pytest.approx(1.0)
    lines = list(csv.reader(table.open()))
    assert lines[0][:3] == ["kind", "runs", "mean"] and [r[0] for r in lines[1:3]] == ["q-learning", "sarsa"]
    # One process gives the same runs: each is seeded alone, wherever it runs.
    again = _compare(capsys, *TINY, "--store", str(tmp_path / "here.db"))
    assert _figures(again) == _figures(out)


def test_the_statistics_are_scipys() -> None:
    from rltui.training.compare_stats import improvement, interval, iqm

    x = np.array([3.0, 9.0, 1.0, 4.0, 7.0, 5.0, 12.0, 2.0])
    y = np.array([2.0, 6.0, 4.0, 1.0, 3.0, 8.0, 2.5, 0.5])
    assert iqm(x) == pytest.approx(stats.trim_mean(x, 0.25)) == pytest.approx(np.mean([3.0, 4.0, 5.0, 7.0]))
    # P(X > Y): every pair of runs, a tie a half.
    pairs = np.mean([(a > b) + 0.5 * (a == b) for a in x for b in y])
    assert improvement(x, y) == pytest.approx(pairs)
    assert improvement(np.array([1.0, 2.0]), np.array([2.0, 0.0])) == pytest.approx(0.625)

    def trimmed(a: np.ndarray, axis: int = -1) -> np.ndarray:
        return stats.trim_mean(a, 0.25, axis=axis)

    expected = stats.bootstrap(
        (x,), trimmed, n_resamples=2000, confidence_level=0.95, method="percentile", rng=np.random.default_rng(7)
    ).confidence_interval
    assert interval((x,), iqm, seed=7) == pytest.approx((expected.low, expected.high))
    z = np.random.default_rng(0).normal(size=40)
    mean = stats.bootstrap(
        (z,), np.mean, n_resamples=2000, confidence_level=0.95, method="percentile", rng=np.random.default_rng(3)
    ).confidence_interval
    assert interval((z,), lambda a, axis=-1: np.mean(a, axis=axis), seed=3) == pytest.approx((mean.low, mean.high))
    assert interval((x[:1],), iqm, seed=0) is None  # one run: no interval


def test_a_killed_comparison_resumes_and_ends_as_an_uninterrupted_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store = tmp_path / "killed.db"
    argv = [sys.executable, "-m", "rltui", "compare", *TINY, "--store", str(store)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=os.environ.copy())
    assert proc.stdout is not None
    for line in proc.stdout:
        if " seed " in line:  # a run finished (and was kept before it was said)
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait()
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    kept = _rows(store)
    assert 1 <= len(kept) < 4
    resumed = _compare(capsys, *TINY, "--store", str(store))
    rows = _rows(store)
    assert len(rows) == 4 and all(rows[run] == kept[run] for run in kept)  # the finished runs, not re-run
    whole = _compare(capsys, *TINY, "--store", str(tmp_path / "whole.db"))
    assert _figures(resumed) == _figures(whole)


def test_a_store_made_for_another_comparison_is_refused_untouched(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    store = tmp_path / "arena.db"
    _compare(capsys, *TINY, "--seeds", "1", "--store", str(store))
    before = store.read_bytes()
    assert main(["compare", "Taxi-v4", "--agents", "q-learning,sarsa", "--steps", "2000", "--store", str(store)]) == 2
    err = capsys.readouterr().err.strip()
    assert (
        "was made for Taxi-v4 with q-learning (1,500 steps)" in err and "budgets" in err and len(err.splitlines()) == 1
    )
    assert store.read_bytes() == before
    other = tmp_path / "other.db"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    for path in (other, tmp_path / "notes.txt"):
        if not path.exists():
            path.write_text("not a database\n")
        before = path.read_bytes()
        assert main(["compare", *TINY, "--store", str(path)]) == 2
        assert "is not a comparison store" in capsys.readouterr().err
        assert path.read_bytes() == before


def test_a_study_names_the_store_under_the_saves_folder_and_refuses_another_env_or_budget(
    capsys: pytest.CaptureFixture[str],
) -> None:
    store = Path(os.environ["RLTUI_SAVES"]) / "compare" / "my-arena.db"
    out = _compare(capsys, *TINY, "--seeds", "1", "--study", "my/arena")
    assert out["store"] == str(store) and sorted(_rows(store)) == [("q-learning", 0), ("sarsa", 0)]
    again = _compare(capsys, *TINY, "--seeds", "1", "--study", "my/arena")  # the same study resumes
    assert _figures(again) == _figures(out)
    before = store.read_bytes()
    for other in (["Taxi-v4", "--steps", "2000"], ["FrozenLake-v1", "--steps", "1500"]):
        argv = [other[0], "--agents", "q-learning,sarsa", "--seeds", "1", *other[1:], "--study", "my/arena"]
        assert main(["compare", *argv]) == 2
        err = capsys.readouterr().err.strip()
        assert "was made for Taxi-v4" in err and "--study" in err and len(err.splitlines()) == 1
        assert store.read_bytes() == before


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--agents", "q-learning,nonsense"], "nonsense"),
        (["--agents", "q-learning,sac"], "sac"),
        (["--agents", "q-learning", "--seeds", "0"], "--seeds must be from 1 to 1000"),
        (["--agents", "q-learning", "--set", "alpha=0.5"], "--set takes KIND.KEY=VALUE"),
        (["--agents", "q-learning", "--set", "sarsa.alpha=0.5"], "not one of --agents"),
        (["--agents", "q-learning", "--set", "q-learning.alpha=7"], "alpha"),
        (["--agents", "q-learning,q-learning"], "twice"),
    ],
)
def test_bad_input_is_one_sentence_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], said: str
) -> None:
    saves = Path(os.environ["RLTUI_SAVES"])
    before = sorted(saves.rglob("*")) if saves.exists() else []
    assert main(["compare", "Taxi-v4", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert said in err and len(err.splitlines()) == 1 and "Traceback" not in err
    assert (sorted(saves.rglob("*")) if saves.exists() else []) == before


def test_the_ray_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pytest.importorskip("ray")
    store = tmp_path / "ray.db"
    out = _compare(capsys, *TINY, "--ray", "--store", str(store))
    assert out["ray"] and out["runs"] == 4 and len(_rows(store)) == 4
    here = _compare(capsys, *TINY, "--store", str(tmp_path / "here.db"))
    assert _figures(out) == _figures(here)
