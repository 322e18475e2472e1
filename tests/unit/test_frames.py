from __future__ import annotations

import numpy as np

from rltui.envs.frames import downsample, fit


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


def test_a_small_bright_object_stays_bright_on_a_frame_with_light_edges() -> None:
    # Pong: a brown field between white walls, and a 2x4 white ball on the field.
    frame = np.zeros((210, 160, 3), dtype=np.uint8)
    frame[:] = (144, 72, 17)
    frame[:34] = frame[194:] = 236  # the walls (and the corners) are light
    frame[100:104, 80:82] = 236  # the ball
    frame[60, :] = (0, 0, 0)  # and a dark one-pixel line on the field
    small = downsample(frame, 50, 66)
    row, col = 100 * 66 // 210, 80 * 50 // 160
    assert small[row, col].min() > 160  # the ball reads as white, not as brown
    assert min(small[r, 10].max() for r in range(17, 21)) < 100  # the dark line stays dark
    assert tuple(small[40, 10]) == (144, 72, 17)  # the plain field is untouched
