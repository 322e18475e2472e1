"""The comparison screen (``rltui compare --watch``): every run a row, the kinds' curves, `q`
stops the runs."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable
from textual_plotext import PlotextPlot

from rltui.envs import catalog
from rltui.training.compare import RunResult, make_plan
from rltui.training.compare_live import Arena
from rltui.ui.app import RLTuiApp

pytest.importorskip("scipy")


async def test_every_run_is_a_row_and_q_stops_the_runs() -> None:
    plan = make_plan(catalog.resolve("Taxi-v4"), ["q-learning", "sarsa"], 2, 2000, {})
    done = RunResult("q-learning", 0, 2000, -50.0, False, None, 0.5, None, ((1000, -200.0), (2000, -50.0)))
    arena = Arena(plan, [done])
    arena.started("sarsa", 0)
    arena.evaluated("sarsa", 0, 1000, -300.0)
    snap = arena.snapshot()
    assert [b.kind for b in snap.bands] == ["q-learning", "sarsa"]
    assert snap.bands[0].steps == (1000, 2000) and snap.bands[0].mean == (-200.0, -50.0)  # the final return last
    assert snap.bands[1].mean == (-300.0,) == snap.bands[1].low  # one run: no band around it
    app = RLTuiApp(compare=arena)
    async with app.run_test(size=(140, 44)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count == 4
        states = {
            str(table.get_row_at(i)[0]) + str(table.get_row_at(i)[1]): str(table.get_row_at(i)[2]) for i in range(4)
        }
        assert states == {"q-learning0": "done", "sarsa0": "running", "q-learning1": "waiting", "sarsa1": "waiting"}
        await pilot.press("o")  # q-learning seed 0 has no saved agent: a notice, not a play screen
        assert type(app.screen).__name__ == "CompareScreen"
        await pilot.press("q")
    assert arena.stop.is_set()


async def test_the_published_budget_is_a_marker_per_kind_where_the_catalog_has_one() -> None:
    plan = make_plan(catalog.resolve("CartPole-v1"), ["dqn", "ppo"], 1, None, {})
    assert plan.marks == {"dqn": 50_000, "ppo": 100_000}  # the catalog's budgets for CartPole
    arena = Arena(plan, [])
    arena.started("dqn", 0)
    arena.evaluated("dqn", 0, plan.eval_every, 20.0)
    app = RLTuiApp(compare=arena)
    async with app.run_test(size=(140, 44)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.budget_marks() == [("dqn", 50_000), ("ppo", 100_000)]  # type: ignore[attr-defined]
        screen.show(arena.snapshot())  # type: ignore[attr-defined]
        canvas = screen.query_one(PlotextPlot).plt.build()
        assert "dqn budget" in canvas and "ppo budget" in canvas
        await pilot.press("q")
    # No published budget for the kind's family (Taxi's are for tabular kinds only): no marker.
    plain = make_plan(catalog.resolve("Taxi-v4"), ["dqn"], 1, 2000, {})
    assert plain.marks == {}
    arena = Arena(plain, [])
    arena.evaluated("dqn", 0, 1000, -100.0)
    app = RLTuiApp(compare=arena)
    async with app.run_test(size=(140, 44)) as pilot:
        await pilot.pause()
        assert app.screen.budget_marks() == []  # type: ignore[attr-defined]
        assert "budget" not in app.screen.query_one(PlotextPlot).plt.build()
        await pilot.press("q")
