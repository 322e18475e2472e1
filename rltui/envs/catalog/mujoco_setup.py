"""How MuJoCo's bodies are seen and made: each one's camera, and one sentence for a body that
could not be made (a package or a graphics library missing). Plain data and text: importing it
loads neither MuJoCo nor numpy."""

from __future__ import annotations

from typing import Any

EXTRA = "mujoco"
"""rltui's optional extra that installs the package (and Gymnasium's MuJoCo dependencies)."""

_SIDE = {"azimuth": 90.0, "elevation": 12.0, "distance": 4.0, "height": 0.9}
CAMERAS: dict[str, dict[str, Any]] = {
    "Walker2d-v5": _SIDE,
    "Hopper-v5": _SIDE,
    "HalfCheetah-v5": {**_SIDE, "distance": 3.6, "height": 0.6},
    "InvertedPendulum-v5": {"azimuth": 90.0, "elevation": 8.0, "distance": 2.6, "height": 0.2, "tile": 0.5},
    "Ant-v5": {"azimuth": 60.0, "elevation": 35.0, "distance": 5.0, "height": 0.4, "chase": True},
    "Humanoid-v5": {"azimuth": 70.0, "elevation": 18.0, "distance": 4.2, "height": 0.9, "chase": True},
}
"""How each body is seen (:class:`rltui.envs.bodies.Camera`'s fields): from the side (the planar
ones), or chased from behind and above (kept as plain data: the catalog imports no numpy)."""


def make_problem(env_id: str, exc: BaseException) -> str:
    """One sentence for a MuJoCo env that could not be made: a Python package missing (the
    extra installs it), a system graphics library that MuJoCo's or Gymnasium's modules load
    (GLFW, OpenGL, EGL) missing, or anything else, with the exception's first line."""
    from rltui.extras import install_hint

    lines = str(exc).strip().splitlines()
    detail = lines[0] if lines else type(exc).__name__
    name = getattr(exc, "name", None)
    if isinstance(exc, ImportError) and name and not any(gl in detail for gl in ("GL", "gl")):
        return f"{env_id} needs {name.split('.')[0]}, which is not installed: {install_hint(EXTRA)}"
    if any(gl in detail for gl in ("GLFW", "OpenGL", "EGL", "libGL", "OSMesa", "glfw")):
        return (
            f"{env_id} cannot be made here: a graphics library MuJoCo loads is missing ({detail}); "
            "install it with `sudo apt-get install libgl1 libegl1 libglfw3` (rltui draws the bodies "
            "itself, but Gymnasium's MuJoCo module loads GLFW)."
        )
    return f"{env_id} cannot be made here: {detail}"
