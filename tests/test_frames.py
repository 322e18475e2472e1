from __future__ import annotations

import numpy as np

from rltui.core.frames import downsample, fit


def test_fit_keeps_aspect_and_fills_whole_cells() -> None:
    width, height = fit((400, 600, 3), 120, 40)
    assert (width, height) == (120, 80)
    width, height = fit((400, 600, 3), 200, 20)  # height-bound
    assert height == 40 and width == 60
    assert height % 2 == 0


def test_downsample_blends_each_block_towards_its_extreme() -> None:
    frame = np.zeros((4, 4, 3), dtype=np.uint8)  # a dark frame: bright details stand out
    frame[:2, :2] = 200  # top-left block
    frame[0, 3] = 100  # one pixel of the top-right block
    small = downsample(frame, 2, 2)
    assert small.shape == (2, 2, 3)
    assert small[0, 0, 0] == 200
    assert small[0, 1, 0] == (25 + 2 * 100) // 3  # the mean, pulled towards the bright pixel
    assert small[1, 1, 0] == 0


def test_downsample_keeps_thin_lines_visible_on_light_and_dark_frames() -> None:
    frame = np.full((100, 100, 3), 255, dtype=np.uint8)
    frame[51] = 0  # a one-pixel black line on white (MountainCar's slope, CartPole's track)
    small = downsample(frame, 10, 10)
    assert small[5, :, 0].max() < 100  # dark enough to read as a line, not a faint grey
    assert small[0, 0, 0] == 255
    dark = 255 - frame  # a one-pixel white line on black (LunarLander's ground)
    assert downsample(dark, 10, 10)[5, :, 0].min() > 155
