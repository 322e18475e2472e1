"""Shrinking ``rgb_array`` frames to the terminal's half-block pixel grid.

A terminal cell shows two pixels stacked (the upper half block with a
foreground and a background colour), so a widget of ``cols x rows`` cells is a
``cols x 2*rows`` pixel canvas of roughly square pixels.
"""

from __future__ import annotations

import numpy as np


def fit(frame_shape: tuple[int, ...], cols: int, rows: int) -> tuple[int, int]:
    """The (width, height) in half-block pixels that fits the frame into cols x rows cells.

    Keeps the frame's aspect ratio; height is even so it fills whole cells.
    """
    height, width = frame_shape[0], frame_shape[1]
    max_w, max_h = max(1, cols), max(2, 2 * rows)
    scale = min(max_w / width, max_h / height)
    out_w = max(1, min(max_w, round(width * scale)))
    out_h = max(2, min(max_h, round(height * scale)))
    return out_w, out_h - out_h % 2


def downsample(frame: np.ndarray, width: int, height: int) -> np.ndarray:
    """Shrink ``frame`` (H, W, 3) to (height, width, 3) uint8, keeping thin lines and small
    objects visible.

    Each cell is the area average pulled two thirds of the way towards the block's pixel
    that stands out from it most: its darkest where something dark crosses a light block,
    its lightest where something light crosses a dark one. A plain average turns a one-pixel
    line such as MountainCar's slope or CartPole's track into a faint grey on white, which
    is no line at all, and Pong's ball into a faint brown on brown; one rule for the whole
    frame (from its corners) cannot serve both, as Pong's white walls and brown field show.
    """
    src_h, src_w = frame.shape[:2]
    if width >= src_w and height >= src_h:
        return _upsample(frame, width, height)
    row_edges = np.linspace(0, src_h, height + 1).astype(np.intp)
    col_edges = np.linspace(0, src_w, width + 1).astype(np.intp)
    summed = _blocks(np.add, _blocks(np.add, frame, row_edges, 0, np.uint32), col_edges, 1, np.uint32)
    counts = np.outer(np.maximum(np.diff(row_edges), 1), np.maximum(np.diff(col_edges), 1))
    mean = (summed // counts[:, :, None]).astype(np.int32)
    light = _blocks(np.maximum, _blocks(np.maximum, frame, row_edges, 0), col_edges, 1).astype(np.int32)
    dark = _blocks(np.minimum, _blocks(np.minimum, frame, row_edges, 0), col_edges, 1).astype(np.int32)
    lighter = (light - mean).sum(axis=2) > (mean - dark).sum(axis=2)
    extreme = np.where(lighter[:, :, None], light, dark)
    return ((mean + 2 * extreme) // 3).astype(np.uint8)


def _blocks(ufunc: np.ufunc, a: np.ndarray, edges: np.ndarray, axis: int, dtype: type | None = None) -> np.ndarray:
    """``ufunc`` over each block ``[edge_i, edge_i+1)`` along ``axis``.

    Equal blocks (a frame shrunk by a whole factor, the common case) go through a reshape,
    several times faster than ``reduceat``; ``reduceat`` takes a lone element where two
    edges meet (one axis upscaled), which the caller's counts of 1 account for.
    """
    n, count = a.shape[axis], len(edges) - 1
    k = n // count
    if k and n == count * k and np.array_equal(edges, np.arange(0, n + 1, k)):
        shape = a.shape[:axis] + (count, k) + a.shape[axis + 1 :]
        return ufunc.reduce(a.reshape(shape), axis=axis + 1, dtype=dtype)
    return ufunc.reduceat(a, edges[:-1], axis=axis, dtype=dtype)


def _upsample(frame: np.ndarray, width: int, height: int) -> np.ndarray:
    rows = np.linspace(0, frame.shape[0] - 1, height).round().astype(np.intp)
    cols = np.linspace(0, frame.shape[1] - 1, width).round().astype(np.intp)
    return frame[rows][:, cols]


def quantize(pixels: np.ndarray, bits: int = 5) -> np.ndarray:
    """Drop the low bits of each channel so neighbouring cells share colours (and styles)."""
    mask = np.uint8((0xFF << (8 - bits)) & 0xFF)
    return pixels & mask
