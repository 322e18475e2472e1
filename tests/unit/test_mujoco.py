"""MuJoCo's bodies (the ``mujoco`` extra): each env makes, draws, steps by keys and comes back
exactly; the numpy painter draws each kind of geom where the camera sees it."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from rltui.envs import catalog
from rltui.envs.catalog import CatalogError
from rltui.envs.catalog.mujoco_entries import ENTRIES
from rltui.envs.catalog.mujoco_setup import CAMERAS, make_problem

IDS = [entry.id for entry in ENTRIES]


def test_without_the_extra_each_env_is_listed_and_names_the_install(monkeypatch: pytest.MonkeyPatch) -> None:
    """No mujoco needed for this one: the launcher lists them as needing it, resolve says how."""
    assert [e.id for e in catalog.CATALOG if e.group == "MuJoCo"] == IDS
    assert all(e.requires == "mujoco" and e.extra == "mujoco" and e.continuous for e in ENTRIES)
    assert set(CAMERAS) == set(IDS)
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name == "mujoco" else real(name))
    for env_id in IDS:
        assert not catalog.get(env_id).available
        with pytest.raises(CatalogError, match=rf"^{env_id} needs mujoco, which is not installed: .*\[mujoco\]"):
            catalog.resolve(env_id)


def test_a_missing_package_or_graphics_library_is_one_sentence_naming_the_install() -> None:
    said = make_problem("Walker2d-v5", ModuleNotFoundError("No module named 'imageio'", name="imageio"))
    assert said.startswith("Walker2d-v5 needs imageio, which is not installed: ") and "[mujoco]" in said
    said = make_problem("Humanoid-v5", ImportError("Failed to load GLFW3 shared library."))
    assert "apt-get install" in said and "GLFW3" in said and "\n" not in said
    assert make_problem("Ant-v5", ValueError("odd\nmore")) == "Ant-v5 cannot be made here: odd"


mujoco = pytest.importorskip("mujoco")
pytest.importorskip("imageio")  # Gymnasium's MuJoCo module imports it

from rltui.envs.bodies import BodyFrames, BodyPainter, Camera  # noqa: E402
from rltui.envs.restore import capture, restore  # noqa: E402
from rltui.envs.scenes import PixelFrame  # noqa: E402
from rltui.envs.session import Session  # noqa: E402


@pytest.mark.parametrize("env_id", IDS)
def test_each_body_draws_a_frame_and_every_key_drives_its_joints(env_id: str) -> None:
    entry = catalog.resolve(env_id)
    session = Session(entry, seed=0)
    try:
        frame = session.scene()
        assert isinstance(frame, PixelFrame) and frame.pixels.shape == (160, 240, 3)
        assert frame.pixels.dtype == np.uint8 and len(np.unique(frame.pixels.reshape(-1, 3), axis=0)) > 20
        space = session.env.action_space
        assert space.shape == (len(entry.action_dims),)
        data = session.env.unwrapped.data
        for key, action in entry.key_map().items():
            if session.episode.done:
                session.reset()
            vector = session.action_vector(action)
            assert np.all(vector >= space.low) and np.all(vector <= space.high)
            session.step(action)
            assert np.array_equal(data.ctrl, vector), key  # the key's torques are what the body got
        assert session.action_vector(entry.rest_actions[0]).tolist() == [0.0] * space.shape[0]
        assert session.env.render_mode == "rgb_array"
    finally:
        session.close()


@pytest.mark.parametrize("env_id", IDS)
def test_a_restored_body_steps_on_exactly_as_before_and_draws_the_same(env_id: str) -> None:
    """The timeline's branching: step, capture, step on, restore; the same actions then give
    the same observations and rewards bit for bit (positions, velocities, the solver's warm start, the
    contact forces Ant's and Humanoid's observations read), the same frame and step count."""
    session = Session(catalog.resolve(env_id), seed=0)
    env = session.env
    rng = np.random.default_rng(0)
    low, high = env.action_space.low, env.action_space.high
    for _ in range(3):
        session.step(0)
    saved = capture(env)
    assert saved is not None and saved["elapsed"] == 3
    frame = session.scene().pixels.copy()
    actions = [rng.uniform(low, high).astype(np.float32) * 0.3 for _ in range(8)]
    first = [env.step(a)[:2] for a in actions]
    assert not np.array_equal(first[0][0], first[-1][0])  # the body did move
    restore(env, saved)
    assert np.array_equal(session.scene().pixels, frame)
    again = [env.step(a)[:2] for a in actions]
    assert all(np.array_equal(x[0], y[0]) and x[1] == y[1] for x, y in zip(first, again))
    assert saved["elapsed"] == 3 and capture(env)["elapsed"] == 11
    session.close()


_SCENE = """
<mujoco>
  <worldbody>
    <geom name="floor" type="plane" size="10 10 0.1" rgba="0.8 0.9 0.8 1"/>
    <body name="torso" pos="0 0 1">
      <freejoint/>
      <geom name="box" type="box" pos="-0.6 0 0" size="0.15 0.15 0.15" rgba="1 0 0 1"/>
      <geom name="ball" type="sphere" pos="0 0 0" size="0.15" rgba="0 1 0 1"/>
      <geom name="rod" type="capsule" pos="0.6 0 0" size="0.08 0.2" rgba="0 0 1 1"/>
    </body>
  </worldbody>
</mujoco>
"""


def test_the_painter_draws_each_geom_in_its_colour_where_the_camera_sees_it() -> None:
    model = mujoco.MjModel.from_xml_string(_SCENE)
    data = mujoco.MjData(model)
    mujoco.mj_forward(model, data)
    painter = BodyPainter(model, Camera(azimuth=90.0, elevation=10.0, distance=3.0, height=1.0))
    frame = painter.paint(data)
    assert frame.shape == (160, 240, 3)
    eye = painter.eye(data)
    for name, channel in (("box", 0), ("ball", 1), ("rod", 2)):
        screen, depth = painter._project(eye, data.geom(name).xpos[None, :])
        assert depth[0] > 0
        pixel = frame[int(screen[0, 1]), int(screen[0, 0])].astype(int)
        assert pixel.argmax() == channel and pixel[channel] > 2 * max(np.delete(pixel, channel)), name
    # Left to right on screen as along +x in the world, seen from -y.
    xs = [painter._project(eye, data.geom(n).xpos[None, :])[0][0, 0] for n in ("box", "ball", "rod")]
    assert xs == sorted(xs)
    # The camera follows the body: moved 5 m along x, it is drawn where it was; the floor went by.
    data.qpos[0] += 5.0
    mujoco.mj_kinematics(model, data)
    moved = painter.paint(data)
    assert not np.array_equal(moved, frame)
    painter.floor = False
    body = (painter.paint(data) != painter.sky).any(axis=2)
    assert body.sum() > 100
    assert np.array_equal(moved[body], frame[body])


@pytest.mark.parametrize("env_id", ["HalfCheetah-v5", "Ant-v5", "Humanoid-v5"])
def test_a_frame_shows_the_bodies_where_they_are_now_and_changes_no_reward(env_id: str) -> None:
    """A frame is drawn from where ``qpos`` puts the bodies now (a step leaves MuJoCo's data as
    its last substep began), and drawing it leaves the env's data alone: Ant and Humanoid read
    those positions before a step to measure progress, so the rewards are the same drawn or not."""
    entry = catalog.resolve(env_id)
    drawn, plain = catalog.make_env(entry), catalog.make_env(entry, render=False)
    assert isinstance(drawn.env, BodyFrames)
    rng = np.random.default_rng(0)
    drawn.reset(seed=0)
    plain.reset(seed=0)
    model, data = drawn.unwrapped.model, drawn.unwrapped.data
    for _ in range(12):
        action = rng.uniform(drawn.action_space.low, drawn.action_space.high).astype(np.float32)
        before = data.xpos.copy()
        frame = drawn.render()
        assert np.array_equal(data.xpos, before)
        assert drawn.step(action)[1] == plain.step(action)[1]
    now = mujoco.MjData(model)
    now.qpos[:] = data.qpos
    mujoco.mj_kinematics(model, now)
    assert not np.allclose(now.geom_xpos, data.geom_xpos)  # the data's positions lag a substep
    assert np.array_equal(drawn.render(), drawn.env.painter.paint(now))
    assert frame.shape == (160, 240, 3)
