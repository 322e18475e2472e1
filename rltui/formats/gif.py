"""Saved episodes as animated GIFs: replayed from their seeds, a frame per step.

Pixel envs give their ``rgb_array`` frames; grid worlds are drawn from their cells (the
colours the terminal uses); cards and text envs as their text. Each frame carries a band
with the step, the action, the reward and the return so far. Pillow draws and encodes
(the optional ``gif`` extra).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from rltui.extras import missing
from rltui.fileio import write_atomic

BAND = 22
"""Pixels of the text band above each frame."""
CELL = 48
"""Pixels of a grid world's cell side."""
MAX_FRAMES = 10_000
MIN_FPS, MAX_FPS = 0.1, 50.0
"""Frame rates a GIF is written at: at most 10 s a frame (the format stores a delay of up to
655.35 s, and a GIF slower than a slide show is no animation), at least 0.02 s (viewers stretch
shorter delays)."""

# The terminal palette's colours (rltui.ui.render.palette), as RGB: the core draws no terminal.
_CELL_RGB = {
    "floor": (38, 43, 51),
    "stand": (38, 43, 51),
    "wall": (38, 43, 51),
    "wall_cell": (107, 90, 69),
    "ice": (156, 203, 227),
    "start": (127, 167, 189),
    "hole": (13, 27, 74),
    "goal": (46, 125, 50),
    "cliff": (142, 27, 27),
    "exit_bad": (142, 27, 27),
    "passenger": (21, 101, 192),
    "destination": (142, 36, 170),
    "friend": (21, 101, 192),
    "spot": (38, 43, 51),
    "signal": (142, 36, 170),
    "agent": (249, 198, 35),
    "agent_loaded": (76, 175, 80),
}


class GifError(Exception):
    """An episode that cannot become a GIF; one sentence."""


def _pil() -> Any:
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError:
        raise GifError(missing("rltui episodes gif", "gif")) from None
    return Image, ImageDraw, ImageFont


def episode_frames(record: Any, entry: Any) -> list[tuple[Any, str]]:
    """(scene, caption) for the start and after each step of ``record``, replayed from its seed.

    Raises:
        GifError: the env no longer gives the recorded rewards (one sentence).
    """
    from rltui.envs.session import Session
    from rltui.formats.episodes import EpisodeFileError, check

    try:
        check(record, entry)  # the recorded rewards, or one sentence why not
    except EpisodeFileError as exc:
        raise GifError(str(exc)) from None
    session = Session(entry, seed=record.seed)
    names = entry.action_names
    try:
        frames = [(session.scene(), f"{entry.id}  step 0/{record.steps}")]
        total = 0.0
        for t, action in enumerate(record.actions[:MAX_FRAMES], 1):
            step = session.step(
                action if isinstance(action, int) else np.asarray(action, dtype=np.float32), actor=record.actors[t - 1]
            )
            total += step.reward
            shown = (
                names[action]
                if isinstance(action, int) and 0 <= action < len(names)
                else ", ".join(f"{a:+.2f}" for a in np.atleast_1d(action))
            )
            frames.append(
                (
                    session.scene(),
                    f"step {t}/{record.steps}  {shown} by {step.actor}  r {step.reward:+.3g}  return {total:.4g}",
                )
            )
    finally:
        session.close()
    return frames


def picture(scene: Any) -> np.ndarray:
    """An RGB array of a scene (a frame's pixels as they are)."""
    from rltui.envs.scenes import CardsScene, GridScene, PixelFrame, TextFrame

    if isinstance(scene, PixelFrame):
        return np.asarray(scene.pixels, dtype=np.uint8)
    Image, ImageDraw, ImageFont = _pil()
    font = ImageFont.load_default(size=18)
    if isinstance(scene, GridScene):
        rows, cols = scene.shape
        image = Image.new("RGB", (cols * CELL, rows * CELL), (20, 24, 31))
        draw = ImageDraw.Draw(image)
        for r in range(rows):
            for c in range(cols):
                cell = scene.cells[r][c]
                kind, glyph = cell.kind, cell.glyph
                if (r, c) == scene.agent:
                    kind, glyph = scene.avatar, "@"
                box = (c * CELL + 1, r * CELL + 1, (c + 1) * CELL - 2, (r + 1) * CELL - 2)
                draw.rectangle(box, fill=_CELL_RGB.get(kind, (38, 43, 51)))
                if glyph.strip():
                    text = glyph if glyph.isascii() else {"★": "*", "○": "o", "☺": "@"}.get(glyph, "#")
                    draw.text(
                        ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2),
                        text,
                        fill=(240, 240, 240),
                        font=font,
                        anchor="mm",
                    )
        for r, c in scene.east_walls:
            x = (c + 1) * CELL - 1
            draw.line((x, r * CELL, x, (r + 1) * CELL), fill=(201, 162, 107), width=4)
        return np.asarray(image)
    if isinstance(scene, CardsScene):
        text = (
            f"you: {' '.join(map(str, scene.player))} ({scene.player_sum})\n"
            f"dealer: {' '.join(map(str, scene.dealer)) if scene.reveal_dealer else scene.dealer[0]}"
        )
    elif isinstance(scene, TextFrame):
        text = scene.text or ""
    else:
        text = str(scene)
    lines = text.splitlines() or [""]
    image = Image.new("RGB", (max(240, 11 * max(len(line) for line in lines) + 20), 22 * len(lines) + 20), (20, 24, 31))
    ImageDraw.Draw(image).multiline_text((10, 10), text, fill=(230, 230, 230), font=font)
    return np.asarray(image)


def check_fps(fps: float, name: str = "--fps") -> None:
    """Refuse a frame rate no GIF is written at (a frame of 1000 s overflows the format's delay).

    Raises:
        GifError: one sentence naming the range.
    """
    if not MIN_FPS <= fps <= MAX_FPS:  # NaN fails both
        raise GifError(f"{name} must be from {MIN_FPS:g} to {MAX_FPS:g} frames per second, not {fps:g}.")


def frame_seconds(fps: float) -> float:
    """How long each frame shows in a GIF written at ``fps``: GIF delays are whole hundredths
    of a second, and viewers stretch delays under 0.02 s, so the nearest such delay, 0.02 s or more."""
    return max(2, round(100 / fps)) / 100


def play_seconds(frames: int, fps: float) -> float:
    """How long a GIF of ``frames`` frames written at ``fps`` plays (once through)."""
    return frames * frame_seconds(fps)


def write_gif(frames: list[tuple[Any, str]], path: str | Path, fps: float) -> Path:
    """Draw each (scene, caption) with its caption band and write them as a looping GIF
    (whole or not at all: :func:`rltui.fileio.write_atomic`).

    Raises:
        GifError: ``fps`` outside :data:`MIN_FPS` .. :data:`MAX_FPS` (NaN included).
    """
    check_fps(fps)
    Image, ImageDraw, ImageFont = _pil()
    font = ImageFont.load_default(size=14)
    images = []
    pictures = [picture(scene) for scene, _ in frames]
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    # One size for every frame: wide enough for the longest caption.
    width = max(max(p.shape[1] for p in pictures), *(int(measure.textlength(c, font=font)) + 12 for _, c in frames))
    for pixels, (_, caption) in zip(pictures, frames):
        h, w = pixels.shape[:2]
        canvas = Image.new("RGB", (width, h + BAND), (20, 24, 31))
        canvas.paste(Image.fromarray(pixels), ((width - w) // 2, BAND))
        ImageDraw.Draw(canvas).text((6, BAND // 2), caption, fill=(249, 198, 35), font=font, anchor="lm")
        images.append(canvas.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE))
    p = Path(path)
    duration = round(frame_seconds(fps) * 1000)  # ms, a whole number of hundredths as the GIF stores
    write_atomic(
        p,
        lambda fh: images[0].save(
            fh, format="GIF", save_all=True, append_images=images[1:], duration=duration, loop=0, optimize=False
        ),
    )
    return p
