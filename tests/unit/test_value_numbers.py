"""A value map writes all its numbers in one format: the same decimals, the same leading zero."""

from __future__ import annotations

import re

import numpy as np
import pytest

from rltui.envs.scenes import Cell, GridScene
from rltui.envs.valuemap import ValueMap
from rltui.ui.render.grid import number_format, render_grid

VALUES = (0.893, 0.72, 0.5, 0.0614, 0.9, 0.3)


def _numbers(width: int, height: int, view: str) -> list[str]:
    scene = GridScene(cells=(tuple(Cell(" ", "floor") for _ in VALUES),), agent=(5, 5))
    values = np.array([VALUES])
    q = np.stack([values, values / 2, values / 3, values / 4], axis=-1)
    vmap = ValueMap(values=values, greedy=np.zeros((1, len(VALUES)), dtype=int), q=q)
    lines = render_grid(scene, width, height, vmap, ("←", "↓", "→", "↑"), view)
    grid = ["".join(s.text for s in line) for line in lines if line and line[0].text == "│"]
    return re.findall(r"-?\d*\.\d+|-?\d+", " ".join(grid))


def _form(text: str) -> tuple[int, bool]:
    """(decimals, written with a leading 0) of one number."""
    decimals = len(text.split(".")[1]) if "." in text else 0
    return decimals, text.lstrip("-").startswith("0.")


@pytest.mark.parametrize(("width", "height"), [(80, 12), (50, 12), (40, 12), (30, 12)])
def test_the_numbers_view_writes_every_value_alike(width: int, height: int) -> None:
    numbers = _numbers(width, height, "numbers")
    assert len(numbers) == len(VALUES), numbers
    assert len({_form(n) for n in numbers if float(n) != 0}) == 1, numbers  # not ".893" beside "0.72"
    assert sorted(float(n) for n in numbers) == pytest.approx(sorted(VALUES), abs=0.051)


def test_the_q_view_writes_every_side_alike() -> None:
    numbers = _numbers(80, 40, "q")
    assert len(numbers) == 4 * len(VALUES), numbers
    assert len({_form(n) for n in numbers if float(n) != 0}) == 1, numbers


def test_one_format_is_as_precise_as_the_widest_value_allows() -> None:
    number = number_format([0.893, 0.72, -13.5], 5)
    assert [number(x) for x in (0.893, 0.72, -13.5)] == ["0.9", "0.7", "-13.5"]  # -13.50 would not fit
    number = number_format([0.893, 0.72], 4)
    assert [number(0.893), number(0.72)] == [".893", ".720"]
    assert number_format([0.5, 1234.5], 3)(1234.5) == "1e3"
