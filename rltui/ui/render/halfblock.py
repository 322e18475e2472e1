"""Pixel frames as half-block characters: two pixels per terminal cell."""

from __future__ import annotations

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from rltui.envs.frames import downsample, fit, quantize

UPPER_HALF = "▀"

_style_cache: dict[int, Style] = {}


def _style(key: int) -> Style:
    """The style for a packed (top << 24 | bottom) colour pair, cached."""
    style = _style_cache.get(key)
    if style is None:
        top, bottom = key >> 24, key & 0xFFFFFF
        fg = Color.from_rgb(top >> 16, (top >> 8) & 0xFF, top & 0xFF)
        bg = Color.from_rgb(bottom >> 16, (bottom >> 8) & 0xFF, bottom & 0xFF)
        style = Style(color=fg, bgcolor=bg)
        if len(_style_cache) > 65536:  # frames with endless gradients must not grow this forever
            _style_cache.clear()
        _style_cache[key] = style
    return style


def frame_to_strips(frame: np.ndarray, cols: int, rows: int) -> list[Strip]:
    """Fit ``frame`` into ``cols x rows`` cells, centred, as one Strip per row.

    Runs of cells with the same pair of colours become one segment, so a
    mostly plain frame (CartPole's white sky) costs a few segments a row.
    """
    if cols < 1 or rows < 1:
        return []
    width, height = fit(frame.shape, cols, rows)
    pixels = quantize(downsample(frame[:, :, :3], width, height)).astype(np.int64)
    packed = (pixels[:, :, 0] << 16) | (pixels[:, :, 1] << 8) | pixels[:, :, 2]
    pairs = (packed[0::2] << 24) | packed[1::2]  # (height/2, width): top over bottom
    pad_left = (cols - width) // 2
    pad_right = cols - width - pad_left
    left = Segment(" " * pad_left) if pad_left else None
    right = Segment(" " * pad_right) if pad_right else None
    strips: list[Strip] = []
    blank_top = (rows - pairs.shape[0]) // 2
    blank = Strip.blank(cols)
    strips.extend([blank] * blank_top)
    for line in pairs:
        starts = np.flatnonzero(np.diff(line, prepend=-1))
        ends = np.append(starts[1:], width)
        segments = [left] if left else []
        for start, end, key in zip(starts.tolist(), ends.tolist(), line[starts].tolist()):
            segments.append(Segment(UPPER_HALF * (end - start), _style(key)))
        if right:
            segments.append(right)
        strips.append(Strip(segments, cols))
    strips.extend([blank] * (rows - len(strips)))
    return strips
