"""MuJoCo's bodies in the app: keys for joints in the help, real time's hold rule, the timeline's
branching from an earlier step, and a saved episode that replays."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("mujoco")
pytest.importorskip("imageio")

from rltui.envs import catalog  # noqa: E402
from rltui.envs.session import Session  # noqa: E402
from rltui.formats import episodes  # noqa: E402
from rltui.live.playalong import PlayAlong  # noqa: E402
from rltui.ui.app import RLTuiApp  # noqa: E402
from rltui.ui.screens.help import HelpScreen  # noqa: E402
from tests.helpers import press, wait_for_text  # noqa: E402

SIZE = (120, 40)


async def test_help_lists_walker2ds_joint_keys_and_a_key_drives_its_joint() -> None:
    app = RLTuiApp(Session(catalog.resolve("Walker2d-v5"), seed=0))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await wait_for_text(pilot, "Hip 1 forward", "Knee 2 bend", "Foot 1 toes up", "Stride 1")
        await pilot.press("escape")
        owner = app.screen.playalong
        assert owner.realtime  # a body is driven in real time, a held key pushing
        await press(pilot, "e")
        await wait_for_text(pilot, "Knee 1 bend")
        assert 3 in owner.session.episode.actions


def test_keys_hold_for_the_hold_time_then_the_body_relaxes() -> None:
    entry = catalog.resolve("Hopper-v5")
    session = Session(entry, seed=0)
    owner = PlayAlong(session, realtime=True)
    owner.commands.act(entry.key_map()["w"])  # hip forward, held
    for _ in range(3):
        owner.stepper.frame()
    ctrl = session.env.unwrapped.data.ctrl
    assert session.episode.actions[:3] == [1, 1, 1] and ctrl.tolist() == [1.0, 0.0, 0.0]
    owner.clock.hold.release()
    owner.stepper.frame()
    assert session.episode.actions[3] == 0 and ctrl.tolist() == [0.0, 0.0, 0.0]
    session.close()


@pytest.mark.parametrize("env_id", ["Walker2d-v5", "Humanoid-v5"])
def test_a_branch_from_an_earlier_step_goes_on_as_a_fresh_run_of_its_actions(env_id: str, tmp_path: Path) -> None:
    """Play, look back four steps, act there: the episode is the kept steps then the new ones,
    and a saved file of it replays to the same observations and rewards."""
    entry = catalog.resolve(env_id)
    owner = PlayAlong(Session(entry, seed=3, render=False))
    keys = [1, 3, 5, 2, 4, 6, 1, 3]
    for a in keys:
        owner.commands.act(a)
    owner.commands.scrub(-4)
    for a in (7, 7, 2):
        owner.commands.act(a)
    episode = owner.session.episode
    assert list(episode.actions) == keys[:4] + [7, 7, 2]
    observed = [e.obs for e in owner.timeline.entries]
    path, record = owner.save_episode(tmp_path)
    replayed = list(episodes.replay(episodes.read(path), catalog.make_env(entry, render=False)))
    assert [t.reward for t in replayed] == list(record.rewards) == list(episode.rewards)
    states = [replayed[0].obs, *(t.next_obs for t in replayed)]
    assert all(np.array_equal(a, b) for a, b in zip(states, observed, strict=True))
