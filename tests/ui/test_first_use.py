"""What a new user met first: the discount on screen, the plot, hand-off while an agent
loads, counters of a loaded agent, the value map's terminal cells and the ice; the rest is
in tests/test_leaving_and_saving.py."""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from agents.persistence import load_agent, save_agent
from rltui.envs import catalog
from rltui.envs.session import AGENT, HUMAN, Session
from rltui.live.playalong import HISTORY, Notice, PlayAlong
from rltui.live.snapshot import Snapshot
from rltui.training.agent_factory import make_agent_for
from rltui.ui.app import RLTuiApp
from tests.helpers import panel_value, screen_text, settle, wait_for_text

SIZE = (120, 40)


def _envs_and_kinds() -> list[tuple[str, str]]:
    """Every catalog env with every agent kind that can play it (from the registry)."""
    from rltui.training.agent_factory import kinds_for_entry

    pairs = []
    for entry in catalog.CATALOG:
        if not entry.available:
            continue
        env = catalog.make_env(entry, render=False)
        pairs += [(entry.id, kind) for kind in kinds_for_entry(entry, env)]
        env.close()
    return pairs


# --- one discount: the panel's is the agent's ---------------------------------------


@pytest.mark.parametrize(("env_id", "kind"), _envs_and_kinds())
def test_the_panels_gamma_is_the_agents_fresh_set_and_loaded(env_id: str, kind: str, tmp_path: Path) -> None:
    entry = catalog.resolve(env_id)
    fresh = make_agent_for(entry, kind, seed=0)
    # The catalog entry owns the env's γ (a kind's tuned settings for the env may set its own).
    assert fresh.config.gamma == entry.defaults_for(kind).get("gamma", entry.gamma)
    custom = make_agent_for(entry, kind, {"gamma": "0.9"}, seed=0)
    path = save_agent(custom, tmp_path / "agent.safetensors", env_id)
    loaded, _ = load_agent(path, expect_env=env_id)
    for agent in (fresh, custom, loaded):
        session = Session(entry, seed=0, render=False)
        owner = PlayAlong(session, agent)
        for _ in range(3):
            if session.episode.done:
                break
            owner.stepper.human(0)
        owner.publish(force=True)
        snap = owner.latest
        assert snap.step.gamma == agent.config.gamma
        # The discounted return so far is counted with that γ too.
        expected = sum(agent.config.gamma**t * r for t, r in enumerate(session.episode.rewards))
        assert snap.step.discounted == pytest.approx(expected)
        session.close()


def test_an_agent_brought_in_later_changes_the_gamma_the_panel_uses_and_says_so() -> None:
    entry = catalog.resolve("Taxi-v4")
    session = Session(entry, seed=0, render=False)
    said: list = []
    owner = PlayAlong(session, deliver=said.append)
    owner.stepper.human(1)
    owner.stepper.human(1)
    assert owner.session.gamma == entry.gamma
    owner._attach(make_agent_for(entry, "q-learning", {"gamma": "0.5"}))
    owner.publish(force=True)
    assert owner.latest.step.gamma == 0.5 and owner.latest.step.discounted == pytest.approx(-1 - 0.5)
    assert any("γ is now 0.5" in m.text for m in said if isinstance(m, Notice))


async def test_the_panel_shows_the_agents_gamma() -> None:
    entry = catalog.resolve("Taxi-v4")
    agent = make_agent_for(entry, "q-learning", {"gamma": "0.9"}, seed=0)
    app = RLTuiApp(Session(entry, seed=0), agent)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert panel_value(app, "γ") == "0.9"
        assert "the agent's" in screen_text(app)


# --- the training plot ---------------------------------------------------------------


def test_nice_ticks_never_run_upside_down_and_keep_zero() -> None:
    from rltui.ui.render.ticks import nice_ticks

    for value in (-200.0, 500.0, 0.0, -59.37, 1e6):
        lo, hi, ticks, labels = nice_ticks(value, value)
        assert lo < value < hi and ticks == sorted(ticks)
        assert [float(label.rstrip("k")) * (1000 if label.endswith("k") else 1) for label in labels] == pytest.approx(
            ticks
        )
    _, _, ticks, labels = nice_ticks(-7.8, 8.2)
    assert 0.0 in ticks and "0" in labels
    rng = np.random.default_rng(0)
    for _ in range(5_000):  # any range, any room: ascending ticks that cover it, never too many
        a, b = sorted(rng.normal(0, 10.0 ** rng.integers(-4, 7), size=2))
        most = int(rng.integers(3, 9))
        lo, hi, ticks, labels = nice_ticks(float(a), float(b), most=most)
        assert lo <= a and hi >= b and len(ticks) <= most and ticks == sorted(ticks)
        assert len(labels) == len(ticks)
    _, _, ticks, _ = nice_ticks(-300, -100)
    assert ticks[0] <= -300 and ticks[-1] >= -100 and len(ticks) <= 5


async def _plot_text(snap: Snapshot, size: tuple[int, int]) -> str:
    """The screen of an app that shows only the returns plot, drawn from ``snap``."""
    from textual.app import App, ComposeResult

    from rltui.ui.widgets.training_panel import ReturnsPlot

    class PlotApp(App[None]):
        def compose(self) -> ComposeResult:
            yield ReturnsPlot(id="plot")

    app = PlotApp()
    async with app.run_test(size=size) as pilot:
        app.query_one(ReturnsPlot).show(snap)
        await pilot.pause()
        return screen_text(app)


async def test_a_flat_return_curve_gets_ascending_labels_around_it() -> None:
    entry = catalog.resolve("MountainCar-v0")
    owner = PlayAlong(Session(entry, seed=0, render=False))
    owner.publish(force=True)
    training = dataclasses.replace(
        owner.latest.training,
        returns=tuple((e, -200.0) for e in range(1, 41)),
        evals=((20, -200.0), (40, -200.0)),
        solved_at=None,
    )
    snap = dataclasses.replace(owner.latest, training=training)
    text = await _plot_text(snap, (80, 14))
    numbers = []
    for line in text.splitlines():
        if "┤" in line:  # a y-axis tick
            numbers.append(float(line.split("┤")[0]))
    assert len(numbers) >= 3 and numbers == sorted(numbers, reverse=True)  # top to bottom: falling
    assert numbers[0] > -200 > numbers[-1]


def test_the_plot_shows_one_window_of_episodes_for_every_series() -> None:
    entry = catalog.resolve("FrozenLakeNotSlippery-v1")
    session = Session(entry, seed=0, render=False)
    owner = PlayAlong(session, make_agent_for(entry, "q-learning", seed=0))
    owner.controller = AGENT
    while session.episodes_finished < 2 * HISTORY + 100:
        owner.stepper.agent()
    owner.publish(force=True)
    snap = owner.latest
    episodes = [e for e, _ in snap.training.returns]
    assert len(episodes) == HISTORY and episodes[-1] == snap.training.episodes
    assert episodes == list(range(episodes[0], episodes[-1] + 1))
    assert snap.training.evals and all(episodes[0] <= e <= episodes[-1] for e, _ in snap.training.evals)


# --- hand-off while an agent loads ---------------------------------------------------------


def _run(owner: PlayAlong) -> tuple[threading.Thread, threading.Event]:
    stop = threading.Event()
    thread = threading.Thread(target=owner.run, args=(stop,), daemon=True)
    thread.start()
    return thread, stop


def _wait(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.002)


def test_tab_while_the_agent_loads_shows_loading_keeps_keys_and_is_idempotent() -> None:
    entry = catalog.resolve("CartPole-v1")
    session = Session(entry, seed=0, render=False)
    release = threading.Event()
    made: list[object] = []

    def slow_agent():  # stands in for torch's first import
        release.wait(10)
        made.append(make_agent_for(entry, "q-learning", seed=0, env=session.env))
        return made[-1]

    owner = PlayAlong(session, make_agent=slow_agent)
    thread, stop = _run(owner)
    try:
        owner.toggle_control()
        _wait(lambda: owner.inbox.handled >= 1)
        owner.toggle_control()  # impatient: must not hand control straight back
        owner.toggle_full_speed()  # pressed while loading: applied when the agent arrives
        _wait(lambda: owner.inbox.handled >= 3)
        snap = owner.latest
        assert snap.status.loading and snap.status.controller == HUMAN and not snap.status.has_agent
        release.set()
        _wait(lambda: owner.settled)
        snap = owner.latest
        assert len(made) == 1 and snap.status.has_agent and not snap.status.loading
        assert snap.status.controller == AGENT and snap.status.full_speed and not snap.status.paused
    finally:
        release.set()
        stop.set()
        thread.join(2)


def test_a_move_while_the_agent_loads_keeps_the_person_in_control() -> None:
    entry = catalog.resolve("Taxi-v4")
    session = Session(entry, seed=0, render=False)
    release = threading.Event()
    owner = PlayAlong(session, make_agent=lambda: (release.wait(10), make_agent_for(entry, "q-learning"))[1])
    thread, stop = _run(owner)
    try:
        owner.toggle_control()
        owner.act(1)
        release.set()
        _wait(lambda: owner.settled)
        assert owner.latest.status.has_agent and owner.latest.status.controller == HUMAN
    finally:
        stop.set()
        thread.join(2)


async def test_the_status_says_loading_at_once() -> None:
    entry = catalog.resolve("CartPole-v1")
    app = RLTuiApp(Session(entry, seed=0))
    release = threading.Event()
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        screen.playalong.make_agent = lambda: (release.wait(10), make_agent_for(entry, "q-learning"))[1]
        await pilot.press("tab")
        await wait_for_text(pilot, "Loading the agent", "loading…")
        release.set()
        await settle(pilot)
        assert screen.snap.status.controller == AGENT and "Loading" not in screen_text(app)


# --- counters, rate, speed -------------------------------------------------------------------


def test_a_loaded_agent_keeps_its_counters_and_pausing_reads_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    from rltui.live import playalong

    clock = [100.0]
    monkeypatch.setattr(playalong.time, "perf_counter", lambda: clock[0])
    entry = catalog.resolve("Taxi-v4")
    agent, _ = load_agent("saves/Taxi-v4-q-learning.safetensors")
    session = Session(entry, seed=0, render=False)
    owner = PlayAlong(session, agent)
    owner.commands.toggle_learning()  # a loaded agent comes greedy: t trains it on
    owner.controller = AGENT
    for _ in range(50):
        owner.stepper.agent()
        clock[0] += 0.01
    owner.publish(force=True)
    assert owner.latest.training.total_steps == 116_000 + 50 and owner.latest.training.total_steps == agent.steps
    assert owner.latest.training.steps_per_second > 0
    owner.commands.pause()
    owner.publish(force=True)
    assert owner.latest.status.paused and owner.latest.training.steps_per_second == 0.0


def test_slower_from_full_speed_is_the_fastest_counted_speed() -> None:
    from rltui.live.playalong import SPEEDS

    owner = PlayAlong(
        Session(catalog.resolve("Taxi-v4"), seed=0, render=False),
        make_agent_for(catalog.resolve("Taxi-v4"), "q-learning"),
    )
    owner.commands.toggle_full_speed()
    owner.commands.slower()
    owner.publish(force=True)
    assert not owner.latest.status.full_speed and owner.latest.status.speed == SPEEDS[-1]


def test_in_app_evaluations_are_the_figures_rltui_eval_gives() -> None:
    from rltui.training.evaluation import evaluate

    entry = catalog.resolve("CartPole-v1")
    agent = make_agent_for(entry, "q-learning", seed=0)
    owner = PlayAlong(Session(entry, seed=0, render=False), agent)
    assert owner.progress.evaluate() == pytest.approx(float(np.mean(evaluate(agent, entry, 10))))


# --- what the grid worlds show ----------------------------------------------------------------


def test_the_value_map_draws_holes_and_the_goal_as_themselves() -> None:
    from rltui.envs.valuemap import value_map_for
    from rltui.ui.render.grid import render_grid

    entry = catalog.resolve("FrozenLake-v1")
    agent, _ = make_agent_for(entry, "value-iteration"), None
    session = Session(entry, seed=0, render=False)
    values = value_map_for(entry, session.env)(agent)
    lines = render_grid(session.scene(), 60, 30, values, ("←", "↓", "→", "↑"))
    text = "\n".join("".join(seg.text for seg in line) for line in lines)
    assert text.count("○") == 4 and text.count("★") == 1  # the lake's holes and goal
    hole = session.scene().cells[1][1]
    assert hole.kind == "hole" and not hole.has_value


def _lake_views(view: str, size: tuple[int, int] = (60, 30)) -> tuple[list[str], Any, Any]:
    from rltui.envs.valuemap import value_map_for
    from rltui.ui.render.grid import render_grid

    entry = catalog.resolve("FrozenLake-v1")
    agent = make_agent_for(entry, "value-iteration")
    session = Session(entry, seed=0, render=False)
    values = value_map_for(entry, session.env)(agent)
    lines = render_grid(session.scene(), *size, values, ("←", "↓", "→", "↑"), view)
    return ["".join(seg.text for seg in line) for line in lines], values, session.scene()


def test_the_numbers_view_prints_every_cells_value_readable_without_colour() -> None:
    from rltui.ui.render.grid import fit_number

    text, values, scene = _lake_views("numbers")
    plain = "\n".join(text)
    for r in range(4):
        row = " ".join(line for line in text if "│" in line)  # the grid's lines, as plain text
        for c in range(4):
            if scene.cells[r][c].has_value:
                assert fit_number(values.values[r, c], 8) in row
    assert plain.count("○") == 4 and plain.count("★") == 1 and not any(a in plain for a in "←↓→↑")
    assert "numbers: V(s)" in plain


def test_the_q_view_puts_each_moves_value_on_its_side_of_the_cell() -> None:
    from rltui.ui.render.grid import number_format

    text, values, scene = _lake_views("q", (80, 40))
    drawn = np.array([[cell.has_value for cell in row] for row in scene.cells])
    number = number_format(values.q[drawn].ravel(), 3)  # one format per map, for its narrowest place
    # 9x4 cells: the top line of a cell holds Q(s, Up), the bottom Q(s, Down), the middle
    # Q(s, Left) at the left edge and Q(s, Right) at the right.
    grid = [line[1:-1] for line in text if line.startswith("│")]
    cell = lambda r, c: [row[c * 9 : (c + 1) * 9] for row in grid[r * 4 : (r + 1) * 4]]  # noqa: E731
    q = values.q[2, 1]  # a cell the agent is not in
    top, _, middle, bottom = cell(2, 1)
    assert top.strip() == number(q[3]) and bottom.strip() == number(q[1])
    left, right = middle.split()
    assert left == number(q[0]) and right == number(q[2])
    assert "each move's value on the side it leads to" in "\n".join(text)


@pytest.mark.parametrize(
    ("x", "width", "shown"),
    [
        (0.8532, 8, "0.853"),
        (0.8532, 4, ".853"),
        (0.8532, 3, ".85"),
        (-13.0, 4, "-13"),
        (-112.13, 4, "-112"),
        (1234.5, 3, "1e3"),
        (-0.0001, 4, "0"),
        (0.0, 5, "0"),
    ],
)
def test_numbers_fit_their_cells(x: float, width: int, shown: str) -> None:
    from rltui.ui.render.grid import fit_number

    assert fit_number(x, width) == shown


def test_a_slide_on_the_ice_is_named() -> None:
    from rltui.envs.scenes import lake_slide

    env = catalog.make_env(catalog.resolve("FrozenLake-v1"), render=False)
    assert lake_slide(env, 0, 1, 4) is None  # Down, and down it went
    assert lake_slide(env, 0, 1, 1) == "slid right on the ice"
    assert lake_slide(env, 0, 0, 0) is None  # Left into the wall: as aimed
    assert lake_slide(env, 5, 2, 5) == "stayed put on the ice"


def test_taxi_says_when_the_passenger_is_delivered() -> None:
    from rltui.envs.scenes import taxi_scene

    env = catalog.make_env(catalog.resolve("Taxi-v4"), render=False)
    env.reset(seed=0)
    u = env.unwrapped
    u.s = u.encode(0, 0, 0, 0)
    scene = taxi_scene(env)
    assert scene.caption == "Passenger delivered to R."
    u.s = u.encode(2, 2, 2, 1)
    scene = taxi_scene(env)
    assert [m for _, _, m in scene.legend] == ["taxi", "passenger", "destination", "wall"]
    assert [g for g, _, _ in scene.legend][1:3] == ["Y", "G"]


async def test_the_plot_draws_the_solved_mark() -> None:
    entry = catalog.resolve("CartPole-v1")
    owner = PlayAlong(Session(entry, seed=0, render=False))
    owner.publish(force=True)
    assert owner.latest.training.solved_at == 475
    training = dataclasses.replace(
        owner.latest.training, returns=tuple((e, 20.0 + e) for e in range(1, 41)), evals=((20, 30.0), (40, 500.0))
    )
    snap = dataclasses.replace(owner.latest, training=training)
    text = await _plot_text(snap, (100, 16))
    assert "solved 475" in text
    top = [float(line.split("┤")[0]) for line in text.splitlines() if "┤" in line][0]
    assert top >= 475  # the mark is within the plot, with the evaluation above it
