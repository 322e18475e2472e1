"""MuJoCo's bodies with joints (Gymnasium's v5 envs; the ``mujoco`` extra).

Each action dimension is one actuator's torque, in the actuator's control range. A person's
key drives one joint, or a group of joints (a stride, a lean, a trot), at full torque while it
is held (real time's hold rule, as BipedalWalker's); with no key down the body relaxes (no
torque). The frames are drawn in numpy (:mod:`rltui.envs.bodies`), not by MuJoCo's OpenGL
renderer, so no GL library is needed; the camera follows the torso.

Joint signs, as the models define them: the walkers' and Hopper's joints turn about -y, so a
positive thigh torque swings the thigh forward, a negative knee torque bends the knee, a
positive foot torque lifts the toes; HalfCheetah's turn about +y (positive swings back);
Humanoid's hip_y swings the thigh back when positive; Ant's ankles lift legs 1 and 4 when
positive and legs 2 and 3 when negative.
"""

from __future__ import annotations

from typing import Any

from rltui.envs.catalog.entry import PIXELS, EnvEntry, keys
from rltui.envs.catalog.mujoco_setup import EXTRA

GROUP = "MuJoCo"
REQUIRES = "mujoco"


def _vectors(size: int, scale: float, actions: list[dict[int, float]]) -> tuple[tuple[float, ...], ...]:
    """One action vector per named action: the given dimensions at ``value * scale``, the rest 0."""
    out = []
    for pushes in actions:
        vector = [0.0] * size
        for dim, value in pushes.items():
            vector[dim] = value * scale
        out.append(tuple(vector))
    return tuple(out)


# Leg 1 on the left hand (w/s hip, e/d knee, a/z foot), leg 2 on the right (u/j, i/k, y/h), as
# BipedalWalker's; x or ↓ relaxes, ← and → are strides.
_LEG_KEYS = keys(
    ("down,x", 0),
    ("w", 1),
    ("s", 2),
    ("e", 3),
    ("d", 4),
    ("a", 5),
    ("z", 6),
    ("u", 7),
    ("j", 8),
    ("i", 9),
    ("k", 10),
    ("y", 11),
    ("h", 12),
    ("left", 13),
    ("right", 14),
)


def _walker_actions(thigh_forward: float, knee_bend: float, toes_up: float) -> list[dict[int, float]]:
    """Relax, each of six joints both ways, then two strides (one leg forward and bent, the
    other back and straight): for a body whose dimensions are leg 1's (thigh, knee, foot) and
    then leg 2's."""
    actions: list[dict[int, float]] = [{}]
    for leg in (0, 3):
        for joint, sign in enumerate((thigh_forward, knee_bend, toes_up)):
            actions.extend(({leg + joint: sign}, {leg + joint: -sign}))
    for lead, trail in ((0, 3), (3, 0)):
        actions.append({lead: thigh_forward, lead + 1: knee_bend, trail: -thigh_forward, trail + 1: -knee_bend})
    return actions


_WALKER_NAMES = (
    "Relax",
    "Hip 1 forward",
    "Hip 1 back",
    "Knee 1 bend",
    "Knee 1 stretch",
    "Foot 1 toes up",
    "Foot 1 toes down",
    "Hip 2 forward",
    "Hip 2 back",
    "Knee 2 bend",
    "Knee 2 stretch",
    "Foot 2 toes up",
    "Foot 2 toes down",
    "Stride 1",
    "Stride 2",
)

# rl-baselines3-zoo's SAC for the MuJoCo bodies (hyperparams/sac.yml): 1M steps, 10,000 random
# warm-up steps, otherwise Stable-Baselines3's defaults (lr 3e-4, batch 256, γ 0.99, τ 0.005,
# 256x256), with its 1M replay where the observation is small. Its TD3 and DDPG (td3.yml,
# ddpg.yml): the same warm-up, Gaussian exploration noise of 0.1, a 400x300 network, lr 1e-3.
_ZOO_SAC: dict[str, Any] = {
    "learning_starts": 10_000,
    "buffer_size": 1_000_000,
    "batch_size": 256,
    "learning_rate": 3e-4,
    "tau": 0.005,
}
_ZOO_TD3: dict[str, Any] = {
    "learning_starts": 10_000,
    "buffer_size": 1_000_000,
    "batch_size": 256,
    "learning_rate": 1e-3,
    "noise": "normal",
    "action_noise": 0.1,
    "hidden": (400, 300),
}
_ZOO_BUDGETS = {"sac": 1_000_000, "td3": 1_000_000, "ddpg": 1_000_000, "ppo": 1_000_000}


def _zoo(buffer_size: int | None = None) -> dict[str, dict[str, Any]]:
    """rl-zoo's SAC, TD3 and DDPG settings, with a smaller replay where the observation is big."""
    out = {}
    for family, settings in (("sac", _ZOO_SAC), ("td3", _ZOO_TD3), ("ddpg", _ZOO_TD3)):
        tuned = dict(settings)
        if buffer_size is not None:
            tuned["buffer_size"] = buffer_size
        out[family] = tuned
    return out


ENTRIES: tuple[EnvEntry, ...] = (
    EnvEntry(
        id="Walker2d-v5",
        group=GROUP,
        description="Teach a two-legged body (leg 1 tan, leg 2 purple) to walk forward without falling.",
        action_names=_WALKER_NAMES,
        keys=_LEG_KEYS,
        render=PIXELS,
        gamma=0.99,
        solved_at=3_500.0,  # no official mark; rl-zoo's SAC reaches about 3,900 at 1M steps
        tuned=_zoo(),
        budgets=dict(_ZOO_BUDGETS),
        requires=REQUIRES,
        extra=EXTRA,
        action_vectors=_vectors(6, 1.0, _walker_actions(1.0, -1.0, 1.0)),
        action_dims=("hip 1", "knee 1", "foot 1", "hip 2", "knee 2", "foot 2"),
        realtime=True,
    ),
    EnvEntry(
        id="Hopper-v5",
        group=GROUP,
        description="Make the one-legged body hop forward as far and fast as it can without falling.",
        action_names=("Relax", "Hip forward", "Hip back", "Knee bend", "Knee stretch", "Toes up", "Toes down", "Hop"),
        keys=keys(("down,x", 0), ("w", 1), ("s", 2), ("e", 3), ("d", 4), ("a", 5), ("z", 6), ("up", 7)),
        render=PIXELS,
        gamma=0.99,
        solved_at=3_000.0,  # no official mark; rl-zoo's SAC reaches about 2,600-3,500
        tuned=_zoo(),
        budgets=dict(_ZOO_BUDGETS),
        requires=REQUIRES,
        extra=EXTRA,
        action_vectors=_vectors(
            3,
            1.0,
            [{}, {0: 1}, {0: -1}, {1: -1}, {1: 1}, {2: 1}, {2: -1}, {1: 1, 2: -1}],
        ),
        action_dims=("hip", "knee", "foot"),
        realtime=True,
    ),
    EnvEntry(
        id="HalfCheetah-v5",
        group=GROUP,
        description="Make the two-legged cheetah run forward as fast as it can (it cannot fall).",
        action_names=(
            "Relax",
            "Back thigh forward",
            "Back thigh back",
            "Back shin forward",
            "Back shin back",
            "Back foot forward",
            "Back foot back",
            "Front thigh forward",
            "Front thigh back",
            "Front shin forward",
            "Front shin back",
            "Front foot forward",
            "Front foot back",
            "Gather",
            "Stretch out",
        ),
        keys=_LEG_KEYS,
        render=PIXELS,
        gamma=0.99,
        solved_at=4_800.0,  # Gymnasium's reward_threshold
        tuned=_zoo(),
        budgets=dict(_ZOO_BUDGETS),
        requires=REQUIRES,
        extra=EXTRA,
        # Its joints turn about +y: positive swings a part back. Gather brings both legs in
        # under the body, stretch out reaches them apart (a gallop's two halves).
        action_vectors=_vectors(
            6,
            1.0,
            [{}] + [{dim: sign} for dim in range(6) for sign in (-1.0, 1.0)] + [{0: -1, 3: 1}, {0: 1, 3: -1}],
        ),
        action_dims=("back thigh", "back shin", "back foot", "front thigh", "front shin", "front foot"),
        realtime=True,
    ),
    EnvEntry(
        id="Ant-v5",
        group=GROUP,
        description="Make the four-legged ant walk forward (+x) on the plane without flipping over.",
        action_names=(
            "Relax",
            "Stand tall",
            "Crouch",
            "Turn left",
            "Turn right",
            "Trot 1",
            "Trot 2",
            "Lift leg 1",
            "Lift leg 2",
            "Lift leg 3",
            "Lift leg 4",
        ),
        keys=keys(
            ("down,x", 0),
            ("w", 1),
            ("s", 2),
            ("a", 3),
            ("d", 4),
            ("left", 5),
            ("right", 6),
            ("1", 7),
            ("2", 8),
            ("3", 9),
            ("4", 10),
        ),
        render=PIXELS,
        gamma=0.99,
        solved_at=6_000.0,  # Gymnasium's reward_threshold
        # Its 105-number observation: rl-zoo's 1M replay would be 0.9 GB here; 300k.
        tuned=_zoo(300_000),
        budgets=dict(_ZOO_BUDGETS),
        requires=REQUIRES,
        extra=EXTRA,
        # Dimensions: (hip 4, ankle 4, hip 1, ankle 1, hip 2, ankle 2, hip 3, ankle 3). Lifting is
        # + for legs 1 and 4, - for 2 and 3; a trot lifts and swings one diagonal pair (1 and 3,
        # or 2 and 4) and plants the other.
        action_vectors=_vectors(
            8,
            1.0,
            [
                {},
                {1: -1, 3: -1, 5: 1, 7: 1},
                {1: 1, 3: 1, 5: -1, 7: -1},
                {0: 1, 2: 1, 4: 1, 6: 1},
                {0: -1, 2: -1, 4: -1, 6: -1},
                {3: 1, 2: 1, 7: -1, 6: 1, 1: -1, 0: -1, 5: 1, 4: -1},
                {3: -1, 2: -1, 7: 1, 6: -1, 1: 1, 0: 1, 5: -1, 4: 1},
                {3: 1},
                {5: -1},
                {7: -1},
                {1: 1},
            ],
        ),
        action_dims=("hip 4", "ankle 4", "hip 1", "ankle 1", "hip 2", "ankle 2", "hip 3", "ankle 3"),
        realtime=True,
    ),
    EnvEntry(
        id="Humanoid-v5",
        group=GROUP,
        description="Teach a virtual human (17 joints) to walk forward without falling.",
        action_names=(
            "Relax",
            "Right hip forward",
            "Right hip back",
            "Right knee bend",
            "Right knee stretch",
            "Left hip forward",
            "Left hip back",
            "Left knee bend",
            "Left knee stretch",
            "Lean forward",
            "Lean back",
            "Twist left",
            "Twist right",
            "Step right",
            "Step left",
        ),
        # The right leg on the left hand (w/s hip, e/d knee), the left leg on the right (u/j, i/k);
        # ↑/↓ lean, a/c twist, ←/→ step.
        keys=keys(
            ("x", 0),
            ("w", 1),
            ("s", 2),
            ("e", 3),
            ("d", 4),
            ("u", 5),
            ("j", 6),
            ("i", 7),
            ("k", 8),
            ("up", 9),
            ("down", 10),
            ("a", 11),
            ("c", 12),
            ("left", 13),
            ("right", 14),
        ),
        render=PIXELS,
        gamma=0.99,
        solved_at=6_000.0,  # no official mark; rl-zoo's SAC reaches about 6,000 at 2M steps
        # 348 numbers an observation: a 200k replay is 0.6 GB (rl-zoo's 1M would be 2.9 GB).
        tuned=_zoo(200_000),
        budgets={family: 2_000_000 for family in _ZOO_BUDGETS},
        requires=REQUIRES,
        extra=EXTRA,
        # Its torques range over ±0.4. Dimensions: abdomen (y, z, x), right hip (x, z, y), right
        # knee, left hip (x, z, y), left knee, then the arms (right shoulder 1, 2, elbow, left ...).
        action_vectors=_vectors(
            17,
            0.4,
            [
                {},
                {5: -1},
                {5: 1},
                {6: -1},
                {6: 1},
                {9: -1},
                {9: 1},
                {10: -1},
                {10: 1},
                {0: 1},
                {0: -1},
                {1: 1},
                {1: -1},
                {5: -1, 6: -1, 9: 1, 10: 1},
                {9: -1, 10: -1, 5: 1, 6: 1},
            ],
        ),
        action_dims=(
            "abdomen y",
            "abdomen z",
            "abdomen x",
            "r hip x",
            "r hip z",
            "r hip y",
            "r knee",
            "l hip x",
            "l hip z",
            "l hip y",
            "l knee",
            "r shoulder 1",
            "r shoulder 2",
            "r elbow",
            "l shoulder 1",
            "l shoulder 2",
            "l elbow",
        ),
        realtime=True,
    ),
    EnvEntry(
        id="InvertedPendulum-v5",
        group=GROUP,
        description="Slide the cart to keep the pole upright (MuJoCo's CartPole, with a continuous push).",
        action_names=("Coast", "Push left", "Push right", "Nudge left", "Nudge right"),
        keys=keys(("down,s", 0), ("left,a", 1), ("right,d", 2), ("z", 3), ("c", 4)),
        render=PIXELS,
        gamma=0.99,
        solved_at=950.0,  # Gymnasium's reward_threshold
        budgets={"sac": 20_000, "td3": 20_000, "ddpg": 20_000, "ppo": 100_000},
        requires=REQUIRES,
        extra=EXTRA,
        action_vectors=_vectors(1, 3.0, [{}, {0: -1}, {0: 1}, {0: -0.3}, {0: 0.3}]),
        action_dims=("push",),
        realtime=True,
    ),
)
