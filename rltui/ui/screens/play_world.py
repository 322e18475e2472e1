"""K, P and E on the play screen: the agent's knobs, and the grid world painted while it
learns or edited to play anew (a part of :class:`rltui.ui.screens.play.PlayScreen`, as
:mod:`rltui.ui.screens.play_files` is for the files)."""

from __future__ import annotations

from typing import Any


class WorldKeys:
    """K (knobs, a map's slip and living reward), P (paint the live world), E (edit the map)."""

    def action_knobs(self) -> None:
        """K: the agent's knobs (α, ε, γ, the learning rate …), turned while it runs, and in
        real time the env's pace, and a grid map's slip and living reward (next episode on)."""
        from rltui.live.knobs import PACE, WORLD_KEYS, check_pace, check_world, knobs_for, world_knobs_for
        from rltui.ui.screens.dialogs import KnobsDialog

        agent = self.playalong.agent
        snap = self.playalong.latest
        pace = snap.realtime.fps if snap is not None and snap.realtime.on and snap.realtime.fps else None
        world = world_knobs_for(self.playalong.world.now())
        if agent is None and pace is None and not world:
            self.notify("There is no agent to tune: press tab to bring one in.")
            return
        if pace is None and not world and not knobs_for(agent):
            self.notify(
                f"The {agent.kind} agent has no knobs to turn while it runs "
                "(it plans from the model; --set gamma=… makes a new one)."
            )
            return

        def answered(changes: dict[str, str] | None) -> None:
            if not changes:
                return
            if PACE.key in changes:
                self.playalong.set_pace(check_pace(changes.pop(PACE.key)))
            if worlds := {key: changes.pop(key) for key in list(changes) if key in WORLD_KEYS}:
                self.playalong.set_world(check_world(worlds))
            if changes:
                self.playalong.retune(changes)

        self.app.push_screen(KnobsDialog(agent, pace, world), answered)

    def action_paint(self) -> None:
        """P: paint the live world (a reward, a wall, a hole, an exit; slip, living reward) while
        the agent learns: the world changes at the next episode, the agent keeps its values."""
        from rltui.live.world import NOT_A_MAP
        from rltui.ui.screens.editor import MapEditorScreen

        grid_map = self.playalong.world.now()
        if grid_map is None:
            self.notify(NOT_A_MAP)
            return

        def painted(changed: Any) -> None:
            if changed is not None:
                self.playalong.change_world(changed)

        self.app.push_screen(MapEditorScreen(grid_map, grid_map.name, None, live=True), painted)

    def action_edit_map(self) -> None:
        """E: edit this grid world's map (a map's, FrozenLake's, CliffWalking's); p in the
        editor saves it and plays it here instead."""
        from rltui.envs.catalog.maps import editable

        found = editable(self.session.entry, self.session.env)
        if isinstance(found, str):
            self.notify(found)
            return
        from rltui.ui.screens.editor import MapEditorScreen

        def edited(name: str | None) -> None:
            if name is not None:
                self._leave(lambda: self.app.play_map(name), "y")  # type: ignore[attr-defined]

        self.app.push_screen(MapEditorScreen(*found), edited)
