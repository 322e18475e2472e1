"""rltui's own Gymnasium environments (PortalRescue, grid worlds from maps, the calm lake),
registered with Gymnasium when this module is imported (the catalog imports it before it
makes an env)."""

from __future__ import annotations

import gymnasium as gym

PORTAL_RESCUE_ID = "PortalRescue-v0"
FROZEN_LAKE_CALM_ID = "FrozenLakeNotSlippery-v1"
GRID_MAP_ID = "rltui/GridMap-v0"


def register_envs() -> None:
    """Register rltui's environments with Gymnasium (idempotent)."""
    if PORTAL_RESCUE_ID not in gym.registry:
        gym.register(
            id=PORTAL_RESCUE_ID,
            entry_point="rltui.envs.portal_rescue:PortalRescueEnv",
            max_episode_steps=200,
        )
    if GRID_MAP_ID not in gym.registry:
        # A grid world from a map (rltui.envs.gridmap): made with grid_map=... and its own
        # max_episode_steps.
        gym.register(id=GRID_MAP_ID, entry_point="rltui.envs.gridmap:GridMapEnv")
    if FROZEN_LAKE_CALM_ID not in gym.registry:
        # The 4x4 lake with deterministic moves: the first world to learn on.
        gym.register(
            id=FROZEN_LAKE_CALM_ID,
            entry_point="gymnasium.envs.toy_text.frozen_lake:FrozenLakeEnv",
            kwargs={"map_name": "4x4", "is_slippery": False},
            max_episode_steps=100,
            reward_threshold=1.0,
        )


register_envs()
