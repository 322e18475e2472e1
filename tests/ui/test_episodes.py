"""Episodes on disk: ctrl+e saves, --replay opens them in the timeline, --demos teaches agents."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from agents.persistence import load_agent
from rltui.cli import main
from rltui.commands.common import UsageError, read_episode
from rltui.envs import catalog
from rltui.envs.session import AGENT, HUMAN, Session
from rltui.formats import episodes
from rltui.formats.episodes import EpisodeFileError
from rltui.live import timeline
from rltui.live.playalong import PlayAlong
from rltui.training.agent_factory import make_agent_for
from rltui.ui.app import RLTuiApp
from tests.helpers import panel_value, press, settle, wait_for_text

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def saves_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RLTUI_SAVES", str(tmp_path / "saves"))
    return tmp_path / "saves"


def _play(owner: PlayAlong, actions: list[int]) -> None:
    for a in actions:
        owner.commands.act(a)


def _played(env_id: str, seed: int, rng_seed: int = 1, branch: bool = True) -> tuple[PlayAlong, list]:
    """A person plays an episode to its end with random keys, looking back and branching on the way."""
    entry = catalog.resolve(env_id)
    owner = PlayAlong(Session(entry, seed=seed, render=False))
    rng = random.Random(rng_seed)
    n = entry.n_actions
    _play(owner, [rng.randrange(n) for _ in range(4)])
    if branch and not owner.session.episode.done:
        owner.commands.scrub(-2)
        _play(owner, [rng.randrange(n)])  # a branch from step 2
    while not owner.session.episode.done:
        _play(owner, [rng.randrange(n)])
    obs = [entry.obs for entry in owner.timeline.entries]
    return owner, obs


# --- a saved episode replays ---------------------------------------------------------------


@pytest.mark.parametrize(
    "env_id", ["Taxi-v4", "FrozenLake-v1", "CartPole-v1", "Pendulum-v1", "Acrobot-v1", "Blackjack-v1"]
)
def test_a_saved_episode_replays_to_identical_rewards_and_states(env_id: str, tmp_path: Path) -> None:
    # FrozenLake-v1 is slippery: its branch only replays if the env's random draws were put back too.
    owner, observed = _played(env_id, seed=3)
    path, record = owner.save_episode(tmp_path)
    read = episodes.read(path)
    assert read.actions == record.actions and read.actors == record.actors
    assert read.rewards == record.rewards == tuple(owner.session.episode.rewards)
    env = catalog.make_env(catalog.resolve(env_id), render=False)
    replayed = list(episodes.replay(read, env))
    assert [t.reward for t in replayed] == list(read.rewards)
    assert replayed[-1].terminated or replayed[-1].truncated
    states = [replayed[0].obs, *(t.next_obs for t in replayed)]
    assert np.allclose(np.asarray(states, dtype=float), np.asarray(observed, dtype=float))


def test_each_episode_of_a_session_has_its_own_seed_and_replays() -> None:
    entry = catalog.resolve("FrozenLake-v1")
    session = Session(entry, seed=11, render=False)
    seeds = []
    for _ in range(3):
        while not session.episode.done:
            session.step(1)
        seeds.append(session.episode.seed)
        record = episodes.record_of(session.episode, entry.id)
        episodes.check(record, entry)  # raises if it did not replay
        session.reset()
    assert seeds[0] == 11 and len(set(seeds)) == 3
    again = Session(entry, seed=11, render=False)
    again.reset()
    assert again.episode.seed == seeds[1]  # the same --seed gives the same later episodes


def test_the_file_is_json_lines_with_a_header_and_one_line_per_step(tmp_path: Path) -> None:
    owner, _ = _played("CliffWalking-v1", seed=0)
    path, record = owner.save_episode(tmp_path)
    lines = path.read_text().splitlines()
    header = json.loads(lines[0])
    assert header["rltui"] == "episode" and header["env"] == "CliffWalking-v1"
    assert header["seed"] == 0 and header["steps"] == len(lines) - 1 == record.steps
    first = json.loads(lines[1])
    assert set(first) == {"t", "action", "reward", "actor"} and first["actor"] == HUMAN
    assert path.parent == tmp_path and path.suffix == ".jsonl"
    owner.stepper.new_episode()
    _play(owner, [0])
    second, _ = owner.save_episode(tmp_path)
    assert second != path and path.read_text() == "\n".join(lines) + "\n"  # never overwritten


def test_the_same_episode_is_saved_once_until_it_changes(tmp_path: Path) -> None:
    entry = catalog.resolve("CliffWalking-v1")
    owner = PlayAlong(Session(entry, seed=0, render=False))
    _play(owner, [0, 1])
    path, _ = owner.save_episode(tmp_path)
    with pytest.raises(episodes.EpisodeAlreadySaved, match=f"already saved as {path}") as said:
        owner.save_episode(tmp_path)
    assert said.value.path == path and list(tmp_path.iterdir()) == [path]
    _play(owner, [1])  # one step more: another episode's worth of file
    longer, record = owner.save_episode(tmp_path)
    assert longer != path and record.steps == 3
    longer.unlink()  # gone from disk: saved again
    again, _ = owner.save_episode(tmp_path)
    assert again.is_file() and episodes.read(again).actions == (0, 1, 1)


def test_saving_right_after_an_episode_ends_saves_that_episode(tmp_path: Path) -> None:
    owner, _ = _played("CliffWalking-v1", seed=0, branch=False)
    steps = owner.session.episode.steps
    owner.stepper.new_episode()
    _, record = owner.save_episode(tmp_path)
    assert record.steps == steps
    owner.commands.act(0)
    _, record = owner.save_episode(tmp_path)
    assert record.steps == 1


def test_an_empty_episode_is_not_saved(tmp_path: Path) -> None:
    owner = PlayAlong(Session(catalog.resolve("Taxi-v4"), seed=0, render=False))
    with pytest.raises(EpisodeFileError, match="nothing to save"):
        owner.save_episode(tmp_path)
    assert not tmp_path.joinpath("x").exists() and list(tmp_path.iterdir()) == []


# --- bad input -----------------------------------------------------------------------------


def _saved(tmp_path: Path, env_id: str = "Taxi-v4") -> Path:
    owner, _ = _played(env_id, seed=5)
    return owner.save_episode(tmp_path)[0]


def _edit(path: Path, change) -> Path:
    lines = path.read_text().splitlines()
    rows = [json.loads(line) for line in lines]
    change(rows)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda p: p.write_bytes(p.read_bytes()[: len(p.read_bytes()) // 2]), "is truncated"),
        (lambda p: p.write_text("\n".join(p.read_text().splitlines()[:3]) + "\n"), "holds 2 of its"),
        (lambda p: p.write_bytes(p.read_bytes()[:40]), "header is cut short"),
        (lambda p: p.write_bytes(b"\x80\x04\x95garbage"), "not an rltui episode file"),
        (lambda p: p.write_text('{"format": 1}\n'), "not an rltui episode file"),
        (lambda p: p.write_text(""), "is empty"),
        (lambda p: _edit(p, lambda rows: rows[0].update(format=9)), "newer rltui"),
        (lambda p: _edit(p, lambda rows: rows[0].update(env="NoSuchEnv-v0")), "which is not installed here"),
        (lambda p: _edit(p, lambda rows: rows[0].update(env="CartPole-v1")), "no longer replays"),
        (lambda p: _edit(p, lambda rows: rows[2].update(reward=99)), "no longer replays: at step 1"),
        (lambda p: _edit(p, lambda rows: rows[3].update(action=17)), "has 6 actions"),
        (lambda p: _edit(p, lambda rows: rows[3].update(actor="robot")), "line 4 is not step 2"),
        (lambda p: _edit(p, lambda rows: rows[0].update(seed="soon")), "damaged header"),
    ],
)
def test_a_bad_replay_file_is_refused_in_one_sentence_and_left_as_it_was(tmp_path: Path, damage, message: str) -> None:
    path = _saved(tmp_path)
    damage(path)
    before = path.read_bytes()
    with pytest.raises(UsageError) as caught:
        read_episode(str(path))
    text = str(caught.value)
    assert message in text and "\n" not in text
    assert path.read_bytes() == before  # nothing the user saved is touched


def test_an_env_that_ends_sooner_than_the_file_is_named(tmp_path: Path) -> None:
    path = _saved(tmp_path, "CliffWalking-v1")

    def longer(rows: list[dict]) -> None:
        rows.append({"t": len(rows) - 1, "action": 0, "reward": -1.0, "actor": HUMAN})
        rows[0]["steps"] += 1

    _edit(path, longer)
    with pytest.raises(UsageError, match="ends the episode at step"):
        read_episode(str(path))


def test_an_env_whose_dependency_is_missing_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    path = _saved(tmp_path)
    entry = catalog.get("Taxi-v4")
    from rltui.extras import install_hint

    missing = dataclasses.replace(entry, requires="no_such_module_here", extra="box2d")
    monkeypatch.setitem(catalog._BY_ID, "Taxi-v4", missing)
    with pytest.raises(UsageError) as said:
        read_episode(str(path))
    assert str(said.value).endswith(f"needs no_such_module_here (not installed): {install_hint('box2d')}.")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["play", "--replay", "no/such/episode.jsonl"], "No such file"),
        (["play", "CliffWalking-v1", "--replay", "{taxi}"], "was recorded in Taxi-v4, not CliffWalking-v1"),
        (["play", "--replay", "{taxi}", "--seed", "3"], "holds its seed"),
        (["train", "Taxi-v4", "--agent", "sarsa", "--demos", "{taxi}"], "off-policy"),
        (["train", "CliffWalking-v1", "--agent", "q-learning", "--demos", "{taxi}"], "not CliffWalking-v1"),
        (["train", "Taxi-v4", "--agent", "q-learning", "--demos", "{taxi}", "--demo-passes", "0"], "1 or more"),
    ],
)
def test_bad_episode_arguments_exit_2_with_one_line(
    tmp_path: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    taxi = str(_saved(tmp_path))
    assert main([a.replace("{taxi}", taxi) for a in argv]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_a_real_process_refuses_a_truncated_replay_without_a_traceback(tmp_path: Path) -> None:
    path = _saved(tmp_path)
    path.write_bytes(path.read_bytes()[:-30])
    out = subprocess.run(
        [sys.executable, "-m", "rltui", "play", "--replay", str(path)], capture_output=True, text=True, check=False
    )
    assert out.returncode == 2
    assert "truncated" in out.stderr and "Traceback" not in out.stderr


# --- demonstrations --------------------------------------------------------------------------


def test_demonstrations_from_a_played_taxi_episode_change_q_along_its_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    owner, observed = _played("Taxi-v4", seed=2)
    path, record = owner.save_episode(tmp_path)
    out = tmp_path / "taught.safetensors"
    assert (
        main(["train", "Taxi-v4", "--agent", "q-learning", "--demos", str(path), "--steps", "0", "--save", str(out)])
        == 0
    )
    assert f"{record.steps} steps" in capsys.readouterr().out
    taught, _ = load_agent(out)
    fresh = make_agent_for(catalog.resolve("Taxi-v4"), "q-learning")
    path_pairs = set(zip(observed[:-1], record.actions))
    for s, a in path_pairs:
        assert taught.q_values(s)[a] != 0.0 and fresh.q_values(s)[a] == 0.0
    untouched = [s for s in range(500) if s not in observed]
    assert all(not taught.q_values(s).any() for s in untouched[:50])  # only the path moved


def test_demonstrations_fill_a_dqn_replay_buffer(tmp_path: Path) -> None:
    owner, observed = _played("CartPole-v1", seed=4)
    path, record = owner.save_episode(tmp_path)
    entry = catalog.resolve("CartPole-v1")
    agent = make_agent_for(entry, "dqn", seed=0)
    seen = episodes.learn_from(agent, [episodes.read(path)], entry, passes=2)
    assert seen == 2 * record.steps and agent.buffer.size == 2 * record.steps
    first = agent.buffer.observations[0]
    assert np.allclose(first, np.asarray(observed[0], dtype=np.float32))


# --- in the app ----------------------------------------------------------------------------


async def test_ctrl_e_saves_the_episode_being_played(saves_in_tmp: Path) -> None:
    app = RLTuiApp(Session(catalog.resolve("CliffWalking-v1"), seed=0))
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "up", "right", "right", "ctrl+e")
        assert any(n.message.startswith("Saved 3 steps (return -3) to ") for n in app._notifications)
    (path,) = (saves_in_tmp / "episodes").iterdir()
    record = episodes.read(path)
    assert record.actions == (0, 1, 1) and record.actors == (HUMAN,) * 3 and record.rewards == (-1.0,) * 3


async def test_ctrl_e_twice_saves_once_and_says_where(saves_in_tmp: Path) -> None:
    app = RLTuiApp(Session(catalog.resolve("CliffWalking-v1"), seed=0))
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "up", "right", "ctrl+e", "ctrl+e")
        (path,) = (saves_in_tmp / "episodes").iterdir()
        assert any(n.message.startswith(f"This episode is already saved as {path}") for n in app._notifications)
        await press(pilot, "right", "ctrl+e")
    assert len(list((saves_in_tmp / "episodes").iterdir())) == 2


async def test_ctrl_e_says_at_once_that_it_saves_while_the_owner_is_busy(saves_in_tmp: Path) -> None:
    import threading

    app = RLTuiApp(Session(catalog.resolve("CliffWalking-v1"), seed=0))
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "up", "right")
        busy, release = threading.Event(), threading.Event()

        def hold(owner: PlayAlong) -> None:  # the owner thread, busy (learning, say)
            busy.set()
            release.wait(10)

        app.screen.playalong.call(hold)
        assert busy.wait(10)
        try:
            await pilot.press("ctrl+e")  # the UI answers without waiting for the owner
            messages = [n.message for n in app._notifications]
            assert "Saving the episode…" in messages
            assert not any(m.startswith("Saved ") for m in messages)
        finally:
            release.set()
        await settle(pilot)
        assert any(n.message.startswith("Saved 2 steps") for n in app._notifications)


async def test_ctrl_e_with_nothing_played_says_so(saves_in_tmp: Path) -> None:
    app = RLTuiApp(Session(catalog.resolve("CliffWalking-v1"), seed=0))
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "ctrl+e")
        assert any("nothing to save" in n.message for n in app._notifications)
    assert not (saves_in_tmp / "episodes").exists()


async def test_a_replay_opens_at_its_first_step_and_steps_through(tmp_path: Path) -> None:
    entry = catalog.resolve("CliffWalking-v1")
    owner = PlayAlong(Session(entry, seed=0, render=False))
    _play(owner, [0, 1, 1, 1])
    path, _ = owner.save_episode(tmp_path)
    record, entry = read_episode(str(path))
    app = RLTuiApp(Session(entry, seed=record.seed), replay=record)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert any(n.message.startswith("Replaying ") for n in app._notifications)
        assert panel_value(app, "step") == "0/4"
        start = app.screen.snap.step.scene.agent
        await press(pilot, "right_square_bracket")
        assert panel_value(app, "step") == "1/4"
        assert app.screen.snap.step.last.action == 0 and app.screen.snap.step.last.actor == HUMAN
        await press(pilot, "end")
        assert panel_value(app, "step") == "4/4"
        await press(pilot, "home", "up")  # branch from the first step
        assert panel_value(app, "step") == "1/1"
        assert app.screen.snap.step.scene.agent == (start[0] - 1, start[1])


async def test_scrubbing_a_finished_episode_marks_its_row_in_the_g_table() -> None:
    app = RLTuiApp(Session(catalog.resolve("CliffWalking-v1"), seed=0))
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "up", *["right"] * 11, "down")  # along the top row to the goal
        assert app.screen.snap.step.done
        await press(pilot, "home", "right_square_bracket", "right_square_bracket")
        assert app.screen.snap.table.row == 2
        from textual.widgets import DataTable

        table = app.screen.query_one("#returns-table", DataTable)
        assert table.cursor_type == "row" and table.cursor_row == 2
        await press(pilot, "end")
        assert table.cursor_type == "none"


# --- memory --------------------------------------------------------------------------------


def test_the_timeline_is_bounded_and_does_not_grow_across_episodes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timeline, "EPISODE_RECORD_LIMIT", 50)
    entry = catalog.resolve("CartPole-v1")
    session = Session(entry, seed=0, render=False)
    agent = make_agent_for(entry, "q-learning", seed=0)
    owner = PlayAlong(session, agent)
    owner.controller = AGENT
    longest = 0
    for _ in range(3_000):
        owner.stepper.agent()
        longest = max(longest, len(owner.timeline.entries))
    assert longest == 51  # the reset's entry and 50 steps, however long the episode ran
    monkeypatch.setattr(timeline, "EPISODE_RECORD_LIMIT", 10_000)
    tracemalloc.start()
    for _ in range(3_000):  # warm up: tables, caches, the returns history fill
        owner.stepper.agent()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(20_000):
        owner.stepper.agent()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert grown < 2_000_000, f"{grown} bytes more after 20,000 more steps"


def test_an_env_without_a_time_limit_gets_one() -> None:
    from rltui.envs.adapters import time_limit

    assert gym_spec_limit("Blackjack-v1") is None  # Gymnasium registers it without one
    env = catalog.make_env(catalog.resolve("Blackjack-v1"), render=False)
    assert time_limit(env)._max_episode_steps == catalog.LONGEST_EPISODE


def gym_spec_limit(env_id: str) -> int | None:
    import gymnasium as gym

    return gym.spec(env_id).max_episode_steps


def test_saves_lists_episodes_and_names_a_broken_one(saves_in_tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    owner, _ = _played("CliffWalking-v1", seed=0)
    good, record = owner.save_episode(saves_in_tmp / "episodes")
    broken = saves_in_tmp / "episodes" / "cut.jsonl"
    broken.write_bytes(good.read_bytes()[:-20])
    assert main(["saves", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])["episodes"]
    by_file = {Path(row["file"]).name: row for row in listed}
    assert by_file[good.name]["steps"] == record.steps and by_file[good.name]["played_by"] == HUMAN
    assert "truncated" in by_file["cut.jsonl"]["error"]
    assert main(["saves"]) == 0
    out = capsys.readouterr().out
    assert good.name in out and "unreadable" in out


def test_an_episode_file_given_where_an_agent_is_expected_says_what_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _saved(tmp_path)
    assert main(["eval", str(path)]) == 2
    assert f"is a saved episode, not an agent: rltui play --replay {path} opens it" in capsys.readouterr().err


async def _notified(pilot, app, needle: str) -> None:
    """Wait for a notification containing ``needle`` (loading runs in a worker)."""
    for _ in range(500):
        await pilot.pause(0.01)
        if any(needle in n.message for n in app._notifications):
            return
    raise AssertionError(f"no notification with {needle!r}: {[n.message for n in app._notifications]}")


async def test_ctrl_o_lists_saved_episodes_and_opens_one_in_the_timeline(saves_in_tmp: Path) -> None:
    from textual.widgets import OptionList

    app = RLTuiApp(Session(catalog.resolve("CliffWalking-v1"), seed=0))
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "up", "right", "ctrl+e", "r", "up")
        await pilot.press("ctrl+o")
        await wait_for_text(pilot, "CliffWalking-v1-q-learning")  # listed off the UI thread
        options = app.screen.query_one("#load-list", OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        # The user's episode is listed beside the agent rltui ships for this env.
        assert any("CliffWalking-v1-q-learning" in p for p in prompts)
        options.highlighted = next(i for i, p in enumerate(prompts) if p.startswith("episode"))
        await pilot.press("enter")
        await _notified(pilot, app, "Replaying")
        await settle(pilot)
        assert panel_value(app, "step") == "0/2"
        await press(pilot, "end")
        assert app.screen.session.episode.actions == [0, 1]


async def test_ctrl_o_refuses_an_episode_from_another_env(saves_in_tmp: Path, tmp_path: Path) -> None:
    taxi = _saved(tmp_path)
    app = RLTuiApp(Session(catalog.resolve("CliffWalking-v1"), seed=0))
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "up")
        await pilot.press("ctrl+o")
        path_input = app.screen.query_one("#load-path")
        path_input.focus()
        path_input.value = str(taxi)
        await pilot.press("enter")
        # The reason shows in the dialog, which stays open so the path can be fixed.
        await wait_for_text(pilot, "not CliffWalking-v1.", "or a file:")
        await pilot.press("escape")
        await settle(pilot)
        assert panel_value(app, "step") == "1/1"  # the episode being played is untouched


def test_opening_a_replay_mid_training_leaves_the_counters_and_plot_alone(tmp_path: Path) -> None:
    owner, _ = _played("CliffWalking-v1", seed=0, branch=False)
    path, record = owner.save_episode(tmp_path)
    entry = catalog.resolve("CliffWalking-v1")
    agent = make_agent_for(entry, "q-learning", seed=0)
    trainer = PlayAlong(Session(entry, seed=1, render=False), agent)
    trainer.controller = AGENT
    for _ in range(500):
        trainer.stepper.agent()
    trainer.publish(force=True)
    before = trainer.latest
    trainer.open_replay(episodes.read(path))
    trainer.publish(force=True)
    after = trainer.latest
    assert (after.training.episodes, after.training.total_steps, after.training.returns) == (
        before.training.episodes,
        before.training.total_steps,
        before.training.returns,
    )
    assert (after.timeline.shown, after.timeline.recorded) == (0, record.steps)
    assert after.status.controller == HUMAN and after.status.paused
    rows, returns = after.table.finished  # the G_t table is the replayed episode's
    assert [r.action for r in rows] == list(record.actions) and returns[0] == pytest.approx(
        sum(r * entry.gamma**t for t, r in enumerate(record.rewards))
    )
