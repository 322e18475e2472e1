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
    """Area-average ``frame`` (H, W, 3) down to (height, width, 3) uint8.

    Averaging (rather than picking every n-th pixel) keeps one-pixel lines such
    as CartPole's track visible as a blend instead of dropping them.
    """
    src_h, src_w = frame.shape[:2]
    if width >= src_w and height >= src_h:
        return _upsample(frame, width, height)
    row_edges = np.linspace(0, src_h, height + 1).astype(np.intp)
    col_edges = np.linspace(0, src_w, width + 1).astype(np.intp)
    # reduceat sums [edge_i, edge_{i+1}) and, where two edges meet (upscaling
    # one axis), takes the single element at edge_i: a count of 1.
    summed = np.add.reduceat(frame.astype(np.uint32), row_edges[:-1], axis=0)
    summed = np.add.reduceat(summed, col_edges[:-1], axis=1)
    counts = np.outer(np.maximum(np.diff(row_edges), 1), np.maximum(np.diff(col_edges), 1))
    return (summed // counts[:, :, None]).astype(np.uint8)


def _upsample(frame: np.ndarray, width: int, height: int) -> np.ndarray:
    rows = np.linspace(0, frame.shape[0] - 1, height).round().astype(np.intp)
    cols = np.linspace(0, frame.shape[1] - 1, width).round().astype(np.intp)
    return frame[rows][:, cols]


def quantize(pixels: np.ndarray, bits: int = 5) -> np.ndarray:
    """Drop the low bits of each channel so neighbouring cells share colours (and styles)."""
    mask = np.uint8((0xFF << (8 - bits)) & 0xFF)
    return pixels & mask
