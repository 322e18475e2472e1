"""MuJoCo's bodies drawn in numpy: the frames the terminal shows of Walker2d, Humanoid & co.

MuJoCo's own renderer needs OpenGL; on a machine with no display that is EGL or OSMesa in
software, about 70 ms for a 240x160 frame here, while real time asks for 8-15 ms a frame
(``docs/benchmarks.md``, "MuJoCo frames"). These bodies are a handful of capsules, spheres and
boxes on a plane, so they are drawn directly: each geom's world position and orientation
(``data.geom_xpos``, ``data.geom_xmat``) and its size and colour (``model.geom_size``,
``model.geom_rgba``) are projected through a pinhole camera and filled into an RGB array,
far geoms first. A capsule (a segment swept by a ball) is drawn as its two projected
end circles joined, radii scaled by their depth; a sphere as a disc; a box as its visible
faces; a cylinder as a capsule and an ellipsoid as a sphere of its largest radius. Each is
shaded as a rounded surface under one light, casts a shadow straight down onto the floor,
and the floor is a checkerboard that fades with distance, so motion and height read at a
glance. About 1-3 ms a frame (numpy only, no GL library).

The camera follows the first body (the torso): from the side for the planar walkers
(Walker2d, Hopper, HalfCheetah, InvertedPendulum; it moves along x only), and from behind
and above for Ant and Humanoid (a chase view; it follows x and y). Its height stays fixed, so
the floor holds still while a body jumps or falls.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import mujoco
import numpy as np

WIDTH, HEIGHT = 240, 160
"""The frame's size in pixels; the play screen shrinks it to its half-block grid."""

_PLANE, _SPHERE, _CAPSULE, _ELLIPSOID, _CYLINDER, _BOX = 0, 2, 3, 4, 5, 6
_SKY_TOP = np.array([70.0, 96.0, 130.0])
_SKY_LOW = np.array([168.0, 190.0, 210.0])
_FLOOR_LIGHT = np.array([196.0, 214.0, 196.0])
_FLOOR_DARK = np.array([86.0, 104.0, 92.0])
_LIGHT = np.array([-0.35, -0.55, 0.76])
"""Screen-space light: from the upper left and in front (x right, y down, z towards the eye)."""
_AMBIENT = 0.32
_SHADOW = 0.6


@dataclass(frozen=True)
class Camera:
    """Where a body is seen from."""

    azimuth: float
    """The direction the camera looks in the ground plane, degrees from +x (90: along +y, from
    the side of a body that walks along +x)."""
    elevation: float
    """Degrees the camera looks down from the horizontal."""
    distance: float
    """Metres from the eye to the point it looks at."""
    height: float
    """Height of the point it looks at (fixed, so the floor stays still)."""
    chase: bool = False
    """Follow the tracked body in x and y (Ant, Humanoid); otherwise in x only (planar walkers)."""
    fov: float = 45.0
    """Vertical field of view, degrees."""
    tile: float = 1.0
    """The floor's checker size, metres."""
    track: int = 1
    """The body followed (1: the first after the world, the torso)."""


class BodyPainter:
    """Draws one model's geoms from its data, as one :class:`Camera` sees them."""

    def __init__(self, model: Any, camera: Camera, width: int = WIDTH, height: int = HEIGHT) -> None:
        self.model, self.camera, self.width, self.height = model, camera, width, height
        a, e = math.radians(camera.azimuth), math.radians(camera.elevation)
        self.forward = np.array([math.cos(e) * math.cos(a), math.cos(e) * math.sin(a), -math.sin(e)])
        self.right = np.array([math.sin(a), -math.cos(a), 0.0])
        self.up = np.cross(self.right, self.forward)
        self.basis = np.stack([self.right, self.up, self.forward])  # rows: camera axes in the world
        self.focal = (height / 2) / math.tan(math.radians(camera.fov) / 2)
        types = np.asarray(model.geom_type)
        rgba = np.asarray(model.geom_rgba)
        visible = (rgba[:, 3] > 0) & (np.asarray(model.geom_group) < 3)
        self.geoms = [
            g for g in range(model.ngeom) if visible[g] and types[g] in (_SPHERE, _CAPSULE, _ELLIPSOID, _CYLINDER, _BOX)
        ]
        self.floor = bool(np.any(visible & (types == _PLANE)))
        self.colours = rgba[:, :3] * 255.0
        self._background()

    def _background(self) -> None:
        """The sky, and where each pixel's ray meets the floor relative to the eye."""
        w, h, f = self.width, self.height, self.focal
        xs = (np.arange(w) + 0.5 - w / 2) / f
        ys = (np.arange(h) + 0.5 - h / 2) / f
        rays = self.forward[None, None, :] + xs[None, :, None] * self.right - ys[:, None, None] * self.up
        eye_z = self.camera.height + self.camera.distance * math.sin(math.radians(self.camera.elevation))
        down = rays[:, :, 2]
        self.hits = down < -1e-6
        t = np.where(self.hits, -eye_z / np.where(self.hits, down, -1.0), 0.0)
        self.ground_x = (t * rays[:, :, 0])[self.hits]
        self.ground_y = (t * rays[:, :, 1])[self.hits]
        far = 12.0 * self.camera.distance / 4.0
        self.fog = np.clip(t * np.linalg.norm(rays, axis=2) / far, 0.0, 1.0)[self.hits][:, None] ** 1.5
        # The sky darkens upwards from the horizon, whose colour the far floor fades into.
        horizon = h / 2 - f * math.tan(math.radians(self.camera.elevation))
        height = np.clip((np.arange(h) + 0.5) / max(horizon, 1.0), 0.0, 1.0)[:, None, None]
        self.sky = np.broadcast_to(_SKY_TOP * (1 - height) + _SKY_LOW * height, (h, w, 3)).astype(np.uint8)
        self.horizon_colour = _SKY_LOW

    def eye(self, data: Any) -> np.ndarray:
        """Where the eye is for ``data``: behind the tracked body, at the camera's fixed height."""
        body = np.asarray(data.xpos[self.camera.track])
        look = np.array([body[0], body[1] if self.camera.chase else 0.0, self.camera.height])
        return np.asarray(look - self.camera.distance * self.forward)

    def paint(self, data: Any) -> np.ndarray:
        """The frame for ``data`` as it is now: (height, width, 3) uint8."""
        eye = self.eye(data)
        frame = self.sky.copy()
        if self.floor:
            x = eye[0] + self.ground_x
            y = eye[1] + self.ground_y
            tile = self.camera.tile
            checker = ((np.floor(x / tile) + np.floor(y / tile)).astype(np.int64) & 1).astype(bool)
            colour = np.where(checker[:, None], _FLOOR_LIGHT, _FLOOR_DARK)
            frame[self.hits] = (colour * (1 - self.fog) + self.horizon_colour * self.fog).astype(np.uint8)
        positions = np.asarray(data.geom_xpos)
        rotations = np.asarray(data.geom_xmat).reshape(-1, 3, 3)
        sizes = np.asarray(self.model.geom_size)
        types = np.asarray(self.model.geom_type)
        if self.floor:
            for g in self.geoms:
                self._geom(frame, eye, types[g], positions[g] * (1, 1, 0), rotations[g], sizes[g], None, flat=True)
        depth = (positions[self.geoms] - eye) @ self.forward
        for i in np.argsort(-depth, kind="stable"):
            g = self.geoms[i]
            self._geom(frame, eye, types[g], positions[g], rotations[g], sizes[g], self.colours[g])
        return frame

    # --- one geom ------------------------------------------------------------------------

    def _project(self, eye: np.ndarray, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Screen positions (n, 2) and depths (n,) of world ``points`` (n, 3)."""
        cam = (points - eye) @ self.basis.T
        depth = cam[:, 2]
        safe = np.maximum(depth, 1e-3)
        screen = np.stack(
            [self.width / 2 + self.focal * cam[:, 0] / safe, self.height / 2 - self.focal * cam[:, 1] / safe], axis=1
        )
        return screen, depth

    def _geom(
        self,
        frame: np.ndarray,
        eye: np.ndarray,
        kind: int,
        pos: np.ndarray,
        rot: np.ndarray,
        size: np.ndarray,
        colour: np.ndarray | None,
        flat: bool = False,
    ) -> None:
        """Draw one geom (``colour`` None: its shadow on the floor, ``flat``: squashed to z=0)."""
        if kind == _BOX:
            corners = np.array([[sx, sy, sz] for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)]) * size
            points = pos + corners @ rot.T
            if flat:
                points[:, 2] = 0.0
            self._box(frame, eye, points, rot, colour)
            return
        if kind in (_CAPSULE, _CYLINDER):
            half = rot[:, 2] * size[1]
            ends = np.stack([pos - half, pos + half])
            radius = float(size[0])
        else:
            ends = np.stack([pos, pos])
            radius = float(size[0] if kind == _SPHERE else max(size))
        if flat:
            ends[:, 2] = 0.0
        screen, depth = self._project(eye, ends)
        if np.any(depth < 0.05):
            return
        radii = self.focal * radius / depth
        if flat:
            radii = radii * abs(self.forward[2]) ** 0.5  # a disc on the floor, seen at a slant
        self._stadium(frame, screen[0], screen[1], float(radii[0]), float(radii[1]), colour)

    def _stadium(
        self, frame: np.ndarray, a: np.ndarray, b: np.ndarray, ra: float, rb: float, colour: np.ndarray | None
    ) -> None:
        """Fill the pixels within the radius (``ra`` at ``a`` to ``rb`` at ``b``) of the segment
        ``a``-``b``, shaded as a rounded surface (or darkened, for a shadow)."""
        h, w = frame.shape[:2]
        r = max(ra, rb)
        x0, x1 = max(int(min(a[0], b[0]) - r), 0), min(int(max(a[0], b[0]) + r) + 2, w)
        y0, y1 = max(int(min(a[1], b[1]) - r), 0), min(int(max(a[1], b[1]) + r) + 2, h)
        if x0 >= x1 or y0 >= y1 or r < 0.3:
            return
        px = np.arange(x0, x1) + 0.5 - a[0]
        py = (np.arange(y0, y1) + 0.5 - a[1])[:, None]
        dx, dy = b[0] - a[0], b[1] - a[1]
        length2 = dx * dx + dy * dy
        t = np.clip((px * dx + py * dy) / length2, 0.0, 1.0) if length2 > 1e-9 else np.zeros((y1 - y0, 1))
        ex, ey = px - t * dx, py - t * dy
        radius = np.maximum(ra + t * (rb - ra), 0.5)
        d2 = (ex * ex + ey * ey) / (radius * radius)
        inside = d2 < 1.0
        if not inside.any():
            return
        region = frame[y0:y1, x0:x1]
        if colour is None:
            region[inside] = (region[inside] * _SHADOW).astype(np.uint8)
            return
        nx, ny = ex / radius, ey / radius
        nz = np.sqrt(np.maximum(1.0 - d2, 0.0))
        lit = np.maximum(nx * _LIGHT[0] + ny * _LIGHT[1] + nz * _LIGHT[2], 0.0)
        shade = (_AMBIENT + (1 - _AMBIENT) * lit)[inside]
        region[inside] = np.clip(colour * shade[:, None], 0, 255).astype(np.uint8)

    def _box(self, frame: np.ndarray, eye: np.ndarray, points: np.ndarray, rot: np.ndarray, colour: Any) -> None:
        """A box's faces that look towards the eye (all of its outline, for a shadow)."""
        screen, depth = self._project(eye, points)
        if np.any(depth < 0.05):
            return
        centre = points.mean(axis=0)
        # Corner index bits: x is 4, y is 2, z is 1. Each face: its axis, its side, its corners in order.
        faces = []
        for axis, bit in ((0, 4), (1, 2), (2, 1)):
            others = [b for b in (4, 2, 1) if b != bit]
            ring = [0, others[0], others[0] | others[1], others[1]]
            for side in (0, bit):
                faces.append((axis, side, [side | c for c in ring]))
        for axis, side, ring in faces:
            normal = rot[:, axis] * (1 if side else -1)
            face_centre = points[ring].mean(axis=0)
            if colour is not None and np.dot(normal, face_centre - eye) >= 0:
                continue
            if colour is None and np.dot(face_centre - centre, normal) <= 0:
                continue
            cam_normal = self.basis @ normal
            lit = max(cam_normal[0] * _LIGHT[0] - cam_normal[1] * _LIGHT[1] - cam_normal[2] * _LIGHT[2], 0.0)
            shade = None if colour is None else colour * (_AMBIENT + (1 - _AMBIENT) * lit)
            self._polygon(frame, screen[ring], shade)

    def _polygon(self, frame: np.ndarray, corners: np.ndarray, colour: np.ndarray | None) -> None:
        """Fill a convex polygon (screen ``corners`` in order, either winding)."""
        h, w = frame.shape[:2]
        x0, x1 = max(int(corners[:, 0].min()), 0), min(int(corners[:, 0].max()) + 2, w)
        y0, y1 = max(int(corners[:, 1].min()), 0), min(int(corners[:, 1].max()) + 2, h)
        if x0 >= x1 or y0 >= y1:
            return
        px = np.arange(x0, x1) + 0.5
        py = (np.arange(y0, y1) + 0.5)[:, None]
        sides = []
        for i in range(len(corners)):
            (ax, ay), (bx, by) = corners[i], corners[(i + 1) % len(corners)]
            sides.append((bx - ax) * (py - ay) - (by - ay) * (px - ax))
        stacked = np.stack(np.broadcast_arrays(*sides))
        inside = np.all(stacked >= 0, axis=0) | np.all(stacked <= 0, axis=0)
        region = frame[y0:y1, x0:x1]
        if colour is None:
            region[inside] = (region[inside] * _SHADOW).astype(np.uint8)
        else:
            region[inside] = np.clip(colour, 0, 255).astype(np.uint8)


def quiet_warnings() -> None:
    """Send MuJoCo's own warnings (a deprecated attribute in Humanoid's model, an unstable
    simulation) to the ``rltui.mujoco`` logger at debug level: MuJoCo prints them to fd 1, over
    the app's screen or into ``--json`` output, and appends them to ``MUJOCO_LOG.TXT`` in
    whatever folder rltui runs in."""
    mujoco.set_mju_user_warning(_log_warning)


def _log_warning(message: str) -> None:
    logging.getLogger("rltui.mujoco").debug("MuJoCo: %s", message)


class BodyFrames(gym.Wrapper):
    """``render()`` as the numpy painter's frame of a MuJoCo env made without a render mode
    (so MuJoCo opens no GL context)."""

    def __init__(self, env: gym.Env, camera: Camera, width: int = WIDTH, height: int = HEIGHT) -> None:
        super().__init__(env)
        from rltui.envs import adapters

        self._model, self._data = adapters.mujoco_model_data(env)
        self._scratch = mujoco.MjData(self._model)
        self.painter = BodyPainter(self._model, camera, width, height)

    @property  # Wrapper's reads the env's, which was made without one
    def render_mode(self) -> str | None:  # type: ignore[override]
        return "rgb_array"

    def render(self) -> Any:
        # The bodies where the positions are now: after a step MuJoCo's data holds them as the
        # last substep began. Kinematics on a scratch copy of the positions (microseconds): the
        # env's own data is left as it is, since its next step reads those positions to
        # measure progress (and a frame would otherwise change a reward).
        scratch = self._scratch
        scratch.qpos[:] = self._data.qpos
        scratch.mocap_pos[:] = self._data.mocap_pos
        scratch.mocap_quat[:] = self._data.mocap_quat
        mujoco.mj_kinematics(self._model, scratch)
        return self.painter.paint(scratch)
