"""The agent panel's ★ (greedy) and ▶ (just taken) marks each keep a column of their own."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from rltui.live.snapshot import BeliefsView, PolicyView
from rltui.ui.widgets.q_values import QValuesPanel

NAMES = ("Left", "Down", "Right", "Up")


def _snap(greedy: int, taken: int, policy=None) -> SimpleNamespace:
    return SimpleNamespace(
        policy=policy,
        beliefs=BeliefsView(q_values=np.array([0.1, 0.5, 0.2, 0.3]), greedy=greedy),
        step=SimpleNamespace(last=SimpleNamespace(action=taken)),
    )


@pytest.mark.parametrize("kind", ["q", "policy"])
def test_greedy_and_taken_on_one_row_line_up_with_the_others(kind: str) -> None:
    policy = None
    if kind == "policy":
        policy = PolicyView(pi=np.array([0.1, 0.5, 0.2, 0.2]), value=0.0, advantage=None, phase="", updates=0)
    panel = QValuesPanel(NAMES)
    both = panel.render_snapshot(_snap(1, 1, policy)).plain.splitlines()[:4]
    apart = panel.render_snapshot(_snap(1, 3, policy)).plain.splitlines()[:4]
    assert both[1].startswith("★▶ Down") and apart[1].startswith("★  Down") and apart[3].startswith(" ▶ Up")
    # Every row as long as the others, the numbers in one column: nothing pushed to the end.
    assert len({len(row.rstrip()) for row in both}) == 1, both
    assert [row.rstrip() for row in both] != [row.rstrip() for row in apart]
