"""The snapshot in groups: each panel names the groups it draws, and they are the snapshot's."""

from __future__ import annotations

import dataclasses

from rltui.live.snapshot import Snapshot
from rltui.ui.widgets.panel import SnapshotPanel
from rltui.ui.widgets.q_values import QValuesPanel
from rltui.ui.widgets.returns_panel import ReturnsPanel
from rltui.ui.widgets.training_panel import ReturnsPlot, TrainingPanel


def test_every_panel_draws_groups_the_snapshot_has() -> None:
    fields = {f.name for f in dataclasses.fields(Snapshot)}
    panels = (QValuesPanel, ReturnsPanel, TrainingPanel)
    for panel in panels:
        assert issubclass(panel, SnapshotPanel) and panel.GROUPS and set(panel.GROUPS) <= fields, panel
    # The plot is drawn by its panel (it paces itself), not by the screen as well.
    assert not issubclass(ReturnsPlot, SnapshotPanel)


def test_each_group_is_frozen() -> None:
    from rltui.live.snapshot import BeliefsView, RealTimeView, Status, StepView, TableView, TimelineView, TrainingView

    for group in (Snapshot, BeliefsView, RealTimeView, Status, StepView, TableView, TimelineView, TrainingView):
        assert group.__dataclass_params__.frozen, group
