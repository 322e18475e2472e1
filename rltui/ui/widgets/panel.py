"""A panel the play screen redraws from every snapshot.

A widget that subclasses :class:`SnapshotPanel` (before its Textual base) is found by the
play screen wherever it is composed and handed each :class:`~rltui.live.snapshot.Snapshot`.
Adding a panel is two things, and nothing else is touched:

1. its group of the snapshot: a frozen dataclass with a ``fill(parts)`` classmethod,
   registered with :func:`rltui.live.snapshot.snapshot_group` (it runs in the owner thread and
   reads the owner's parts, never a widget);
2. its widget, a module in ``rltui/ui/widgets/``: a :class:`SnapshotPanel` that names its
   group in ``GROUPS``, says where it goes (``AREA``: ``"side"``, under the Returns panel, or
   ``"left"``, under the Training panel), gives its height in ``DEFAULT_CSS`` (the screen frames
   it as the other panels are: ``.placed-panel`` in ``app.tcss``) and draws ``snap.group(name)``
   in :meth:`~SnapshotPanel.show`.

The play screen composes every placed panel for which :meth:`~SnapshotPanel.for_env` gives a
widget, and the owner fills only the groups the panels shown read.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any, ClassVar

from rltui.live.snapshot import BUILT_IN_GROUPS, GROUPS, Snapshot

AREAS = ("side", "left")
"""Where a placed panel can go: the side column (under the Returns panel) or the left one
(under the Training panel)."""
PLACED: list[type[SnapshotPanel]] = []
"""Panels that say where they go (``AREA``), in the order they were defined."""


class SnapshotPanel:
    """Redrawn from each snapshot the play screen applies."""

    GROUPS: ClassVar[tuple[str, ...]] = ()
    """The groups of the snapshot this panel draws (fields of :class:`Snapshot`, or names
    registered with :func:`~rltui.live.snapshot.snapshot_group`)."""
    AREA: ClassVar[str | None] = None
    """Where the play screen composes it (one of :data:`AREAS`); None: the screen lays it out
    itself (the built-in panels)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("AREA") is not None:
            if cls.AREA not in AREAS:
                raise ValueError(f"{cls.__name__}.AREA is {cls.AREA!r}; a panel goes in one of {', '.join(AREAS)}.")
            PLACED.append(cls)

    @classmethod
    def for_env(cls, entry: Any) -> SnapshotPanel | None:
        """The panel for the env ``entry`` is played in (None: it has nothing to show there)."""
        return cls()

    def show(self, snap: Snapshot) -> None:
        raise NotImplementedError


def unknown_groups(panel: type[SnapshotPanel]) -> list[str]:
    """The groups a panel names that no snapshot has (neither built in nor registered)."""
    return [name for name in panel.GROUPS if name not in BUILT_IN_GROUPS and name not in GROUPS]


def placed_panels(area: str) -> list[type[SnapshotPanel]]:
    """The panels that go in ``area``: every module of this package is imported (a panel is
    found by being there), then those defined anywhere that name the area."""
    package = importlib.import_module(__package__ or "rltui.ui.widgets")
    for module in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{module.name}")
    panels = [panel for panel in PLACED if panel.AREA == area]
    for panel in panels:
        if unknown := unknown_groups(panel):
            raise LookupError(f"{panel.__name__} reads the snapshot group {unknown[0]!r}, which nothing registers.")
    return panels
