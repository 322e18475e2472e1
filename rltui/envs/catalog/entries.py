"""The catalog: every environment rltui knows, with what it knows about each.

An entry holds the env's actions and keys, how it is drawn, its discount γ, its
solved mark, the settings tuned to solve it per agent family with their step
budgets, and the functions that read its scene and value-map cells. Adding an
env is one entry here (plus a renderer only for a new kind of picture).
Budgets are environment steps; figures measured on a 2-core CPU machine are in
the README's "Agents" section.
"""

from __future__ import annotations

from rltui.envs import scenes, valuemap
from rltui.envs.catalog.control_entries import ENTRIES as CONTROL
from rltui.envs.catalog.entry import CARDS, GRID, EnvEntry, keys

_FROZEN_KEYS = keys(("left,a", 0), ("down,s", 1), ("right,d", 2), ("up,w", 3))
_FROZEN_NAMES = ("Left", "Down", "Right", "Up")
CATALOG: tuple[EnvEntry, ...] = (
    EnvEntry(
        id="Taxi-v4",
        group="Grid worlds",
        description="Drive the taxi to the passenger, pick up, drop off at the destination.",
        action_names=("South", "North", "East", "West", "Pickup", "Dropoff"),
        # `d` is Dropoff here, so East is the arrow key alone.
        keys=keys(("down,s", 0), ("up,w", 1), ("right", 2), ("left,a", 3), ("p", 4), ("d", 5)),
        render=GRID,
        gamma=0.99,
        solved_at=7.9,
        # Deterministic: a TD target is exact, so alpha = 1 learns fastest.
        tuned={"tabular": {"alpha": 1.0, "epsilon_decay_steps": 100_000}},
        budgets={"tabular": 200_000},
        scene=scenes.taxi_scene,
        value_cells=valuemap.taxi_cells,
    ),
    EnvEntry(
        id="FrozenLake-v1",
        group="Grid worlds",
        description="Cross a slippery 4x4 lake to the goal without falling into a hole.",
        action_names=_FROZEN_NAMES,
        keys=_FROZEN_KEYS,
        render=GRID,
        gamma=0.999,
        solved_at=0.70,
        # Slippery lakes: small steps average the noise; a long horizon finds the safe path.
        tuned={"tabular": {"alpha": 0.05, "epsilon_decay_steps": 200_000}},
        budgets={"tabular": 300_000},
        scene=scenes.frozen_lake_scene,
        value_cells=valuemap.lake_cells,
        step_note=scenes.lake_slide,
    ),
    EnvEntry(
        id="FrozenLakeNotSlippery-v1",
        group="Grid worlds",
        description="The 4x4 lake with sure footing: every move goes where it is aimed.",
        action_names=_FROZEN_NAMES,
        keys=_FROZEN_KEYS,
        render=GRID,
        gamma=0.95,
        solved_at=1.0,
        tuned={"tabular": {"alpha": 1.0, "epsilon_decay_steps": 5_000}},
        budgets={"tabular": 10_000},
        scene=scenes.frozen_lake_scene,
        value_cells=valuemap.lake_cells,
    ),
    EnvEntry(
        id="FrozenLake8x8-v1",
        group="Grid worlds",
        description="The slippery 8x8 lake: a long, uncertain walk to the goal.",
        action_names=_FROZEN_NAMES,
        keys=_FROZEN_KEYS,
        render=GRID,
        gamma=0.999,
        solved_at=0.85,
        tuned={"tabular": {"alpha": 0.1, "epsilon_decay_steps": 500_000}},
        budgets={"tabular": 1_000_000},
        scene=scenes.frozen_lake_scene,
        value_cells=valuemap.lake_cells,
        step_note=scenes.lake_slide,
    ),
    EnvEntry(
        id="CliffWalking-v1",
        group="Grid worlds",
        description="Walk along the cliff edge to the goal; a fall costs -100 (capped at 200 steps).",
        action_names=("Up", "Right", "Down", "Left"),
        keys=keys(("up,w", 0), ("right,d", 1), ("down,s", 2), ("left,a", 3)),
        render=GRID,
        gamma=0.99,
        solved_at=-13.0,
        tuned={"tabular": {"alpha": 0.5, "epsilon_start": 0.5, "epsilon_end": 0.0, "epsilon_decay_steps": 40_000}},
        budgets={"tabular": 50_000},
        scene=scenes.cliff_scene,
        value_cells=valuemap.cliff_cells,
        # CliffWalking has no time limit of its own; a wandering agent needs one.
        make_kwargs={"max_episode_steps": 200},
    ),
    *CONTROL,
    EnvEntry(
        id="Blackjack-v1",
        group="Cards",
        description="Hit or stick: beat the dealer without going over 21.",
        action_names=("Stick", "Hit"),
        keys=keys(("s,down", 0), ("h,up", 1)),
        render=CARDS,
        gamma=1.0,
        # No official mark. Sutton & Barto's optimal policy (their figure 5.2) scores -0.042
        # (200k hands, standard error 0.002); within 0.02 of it counts. A hand is ±1, so a
        # figure needs many: 10,000 give a standard error under 0.01.
        solved_at=-0.06,
        min_eval_episodes=10_000,
        tuned={"tabular": {"alpha": 0.01, "epsilon_end": 0.05, "epsilon_decay_steps": 300_000}},
        budgets={"tabular": 500_000},
        scene=scenes.blackjack_scene,
    ),
    EnvEntry(
        id="PortalRescue-v0",
        group="Custom",
        description="Pick up your friend, then fire the portal gun at the signal to escape.",
        action_names=("Up", "Down", "Right", "Left", "Pickup", "Portal"),
        keys=keys(("up,w", 0), ("down,s", 1), ("right,d", 2), ("left,a", 3), ("p", 4), ("g", 5)),
        render=GRID,
        gamma=0.99,
        solved_at=8.6,  # over all 120 starts; the optimum is 8.7
        tuned={"tabular": {"alpha": 1.0, "epsilon_decay_steps": 150_000}},
        budgets={"tabular": 250_000},
        scene=scenes.portal_rescue_scene,
        value_cells=valuemap.portal_cells,
    ),
)
