"""A panel the play screen redraws from every snapshot.

A widget that subclasses :class:`SnapshotPanel` (before its Textual base) is found by the
play screen wherever it is composed and handed each :class:`~rltui.live.snapshot.Snapshot`:
adding a panel is its widget, its group of the snapshot (and the one place the publisher
fills it), and where the screen lays it out; the screen's drawing code is not touched.
"""

from __future__ import annotations

from typing import ClassVar

from rltui.live.snapshot import Snapshot


class SnapshotPanel:
    """Redrawn from each snapshot the play screen applies."""

    GROUPS: ClassVar[tuple[str, ...]] = ()
    """The groups of the snapshot this panel draws (fields of :class:`Snapshot`)."""

    def show(self, snap: Snapshot) -> None:
        raise NotImplementedError
