"""Changing the world while the agent learns: a grid map's cells (a reward, a wall, a hole, an
exit) and its slip and living reward, painted from the play screen (``P``) or turned in the
knobs dialog (``K``).

:class:`World` is a part of :class:`rltui.live.playalong.PlayAlong` (owner thread). A change is
kept until the next episode begins (the episode being played ends in the world it began in),
then made: the env plays the new map (:meth:`rltui.envs.gridmap.GridMapEnv.remap`), the
session's entry says it (so greedy evaluations play it too), a planner re-plans from the new
model, and the change is marked on the timeline (the new episode's first step) and on the
training plot, as a turn of the agent's knobs is. The agent keeps its values: its arrays are
neither reset nor reshaped, which is why a change keeps the map's size.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from agents.protocols import Planner
from rltui.envs.gridmap import SETTINGS, GridMap, GridMapEnv, MapError
from rltui.live.context import Context
from rltui.live.progress import Progress
from rltui.live.timeline import Timeline

NOT_A_MAP = (
    "Only a grid map's world can change while the agent learns (the Grid maps in the launcher); "
    "E opens FrozenLake or CliffWalking as a map to save and play, and P paints that one live."
)


def live_map(env: Any) -> GridMap | None:
    """The map ``env`` plays, or None for an env not drawn from one."""
    u = env.unwrapped
    return u.map if isinstance(u, GridMapEnv) else None


def describe(before: GridMap, after: GridMap) -> str:
    """What changed from ``before`` to ``after``, in a few words (``exit +10 → -10 at row 1,
    column 6``; ``slip 0.2 → 0``), for the marks and the notices."""
    said = []
    changed = [
        (r, c) for r, row in enumerate(before.cells) for c, token in enumerate(row) if after.cells[r][c] != token
    ]
    if len(changed) == 1:
        r, c = changed[0]
        said.append(f"{_cell(before, r, c)} → {_cell(after, r, c)} at row {r}, column {c}")
    elif changed:
        said.append(f"{len(changed)} cells")
    for key in SETTINGS:
        old, new = getattr(before, key), getattr(after, key)
        if old != new:
            said.append(f"{key.replace('_', ' ')} {old:g} → {new:g}")
    return ", ".join(said)


def _cell(m: GridMap, r: int, c: int) -> str:
    reward = m.exit_reward(r, c)
    if reward is not None:
        return f"exit {reward:+g}"
    return {"#": "wall", "S": "start", "H": "hole", "C": "cliff"}.get(m.cells[r][c], "floor")


class World:
    """The change waiting for the next episode, and making it (owner thread)."""

    def __init__(self, ctx: Context, timeline: Timeline, progress: Progress) -> None:
        self.ctx, self.timeline, self.progress = ctx, timeline, progress
        self.pending: GridMap | None = None
        """The map the next episode plays (None: no change waits)."""

    def now(self) -> GridMap | None:
        """The map a change starts from: the one waiting, else the one in play (None: no map)."""
        return self.pending if self.pending is not None else live_map(self.ctx.session.env)

    def change(self, grid_map: GridMap) -> None:
        """Play ``grid_map`` from the next episode on (a second change before then replaces the
        first); a map of another size, or one that cannot be played, is refused in one sentence."""
        playing = live_map(self.ctx.session.env)
        if playing is None:
            self.ctx.say("error", NOT_A_MAP)
            return
        if grid_map.shape != playing.shape:
            (rows, cols), (new_rows, new_cols) = playing.shape, grid_map.shape
            self.ctx.say(
                "error",
                f"Not changed: the agent holds a row per state of this {rows}x{cols} world, so a live "
                f"change keeps its size, not {new_rows}x{new_cols} (E edits a copy of any size).",
            )
            return
        # Its discount and time limit are the agent's and the running env's: they stay.
        grid_map = replace(
            grid_map,
            name=playing.name,
            description=playing.description,
            gamma=playing.gamma,
            max_steps=playing.max_steps,
        )
        what = describe(playing, grid_map)
        if not what:
            self.pending = None
            self.ctx.say("information", "The world is as it was: nothing to change.")
            return
        self.pending = grid_map
        self.ctx.say("information", f"The world changes at the next episode: {what}.")

    def set(self, settings: dict[str, Any]) -> None:
        """The world's knobs (slip, living reward; checked: :func:`rltui.live.knobs.check_world`)
        from the next episode on."""
        start = self.now()
        if start is None:
            self.ctx.say("error", NOT_A_MAP)
            return
        self.change(replace(start, **settings))

    def begin_episode(self) -> str | None:
        """Before the next episode's reset: make the change waiting, if one is; what changed,
        in words (None: nothing), to :meth:`mark` once the episode has begun."""
        grid_map, self.pending = self.pending, None
        if grid_map is None:
            return None
        session = self.ctx.session
        u = session.env.unwrapped
        before = u.map
        try:
            u.remap(grid_map)
        except MapError as exc:
            self.ctx.say("error", f"Not changed: {exc}.")
            return None
        from rltui.envs.catalog.maps import with_map

        session.entry = with_map(session.entry, grid_map)
        agent = self.ctx.agent
        if isinstance(agent, Planner):
            agent.replan(u.P)  # it plans from the model: the new one, from its values now
        return f"world: {describe(before, grid_map)}"

    def mark(self, text: str) -> None:
        """The change made: marked on the training plot and on the new episode's first step."""
        self.progress.knob_turned(text)
        live = self.timeline.live()
        if live is not None:
            live.knob = text
