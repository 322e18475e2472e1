"""The Training plot shows returns that happened: a point (or bar) per real episode, the moving
average as the line, greedy evaluations as their own marks, the legend above the data."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
from textual.app import App, ComposeResult

from rltui.ui.render.returns_plot import FEW_EPISODES, MOVING_AVERAGE, plot_data
from rltui.ui.widgets.training_panel import ReturnsPlot


def _episodes(values) -> list[tuple[int, float]]:
    return [(i + 1, float(v)) for i, v in enumerate(values)]


def test_every_plotted_return_is_an_episode_that_happened() -> None:
    rng = np.random.default_rng(0)
    returns = _episodes(rng.normal(size=5_000).round(3))
    data = plot_data(returns, columns=60)
    pairs = set(zip(*data.returns))
    assert pairs and pairs <= set(returns)  # real episodes with their real returns
    assert len(pairs) <= 2 * 60  # no more than the plot has room for


def test_downsampling_keeps_each_columns_lowest_and_highest_return() -> None:
    rng = np.random.default_rng(1)
    values = rng.integers(-100, 100, size=3_001)
    data = plot_data(_episodes(values), columns=40)
    for bucket in np.array_split(np.arange(len(values)), 40):
        shown = {y for x, y in zip(*data.returns) if bucket[0] + 1 <= x <= bucket[-1] + 1}
        assert shown == {float(values[bucket].min()), float(values[bucket].max())}


def test_returns_of_zero_or_one_are_plotted_at_zero_or_one_only() -> None:
    rng = np.random.default_rng(2)
    data = plot_data(_episodes(rng.integers(0, 2, size=4_000)), columns=80)
    assert set(data.returns[1]) == {0.0, 1.0}  # no 0.17, no 0.33


def test_few_episodes_are_bars_one_per_episode() -> None:
    returns = _episodes([-1, 1, 0])
    data = plot_data(returns, columns=80)
    assert data.bars and list(zip(*data.returns)) == returns  # three episodes: three marks
    assert 0.0 in data.values  # a bar rises from zero
    more = plot_data(_episodes(range(FEW_EPISODES + 1)), columns=80)
    assert not more.bars


def test_the_line_is_the_moving_average_ending_at_the_latest_episode() -> None:
    values = np.arange(500, dtype=float) ** 0.5
    data = plot_data(_episodes(values), columns=50)
    xs, ys = data.average
    assert data.window == MOVING_AVERAGE
    assert xs[-1] == 500 and np.isclose(ys[-1], values[-MOVING_AVERAGE:].mean())
    assert xs[0] == MOVING_AVERAGE and np.isclose(ys[0], values[:MOVING_AVERAGE].mean())
    assert len(xs) <= 51
    few = plot_data(_episodes([3.0, 5.0]), columns=50)
    assert few.window == 2 and few.average == ((2.0,), (4.0,))
    assert plot_data(_episodes([3.0])).average == ((), ())


def test_evaluations_are_their_own_series_and_no_returns_means_nothing_to_plot() -> None:
    data = plot_data([], [(10, 0.5)])
    assert data.episodes is None and data.returns == ((), ()) and data.evals == ((10.0,), (0.5,))
    assert plot_data(_episodes([1.0, float("nan"), 2.0]), few=0).values == [1.0, 2.0]  # the axis: finite ones


class _PlotApp(App):
    def compose(self) -> ComposeResult:
        yield ReturnsPlot(id="plot")


def _snap(returns, evals=()) -> SimpleNamespace:
    return SimpleNamespace(
        training=SimpleNamespace(returns=tuple(returns), evals=tuple(evals), knob_marks=(), solved_at=None),
        status=SimpleNamespace(full_speed=False, paused=True),
    )


async def test_the_plot_draws_no_return_between_zero_and_one_and_the_legend_above_it() -> None:
    rng = np.random.default_rng(3)
    app = _PlotApp()
    async with app.run_test(size=(70, 14)) as pilot:
        plot = app.query_one(ReturnsPlot)
        plot.show(_snap(_episodes(rng.integers(0, 2, size=600)), [(300, 0.5)]))
        await pilot.pause()
        lines = plot.render().plain.splitlines()
        assert "• return" in lines[0] and "mean of 20" in lines[0] and "greedy eval" in lines[0]
        rows = [line for line in lines[1:] if "┤" in line]
        top, bottom = rows[0], rows[-1]
        assert top.split("┤")[0].strip() == "1" and bottom.split("┤")[0].strip() == "0"
        between = lines[lines.index(top) + 1 : lines.index(bottom)]
        assert between and not any("•" in line for line in between)
        assert "•" in top and "•" in bottom and "◆" in "".join(between)
