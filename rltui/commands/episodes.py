"""``rltui episodes gif|export``: saved episodes (ctrl+e in the app) as animated GIFs, or as
a Minari dataset."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rltui.commands.common import UsageError
from rltui.formats.gif import MAX_FPS, MIN_FPS


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "episodes",
        help="saved episodes as GIFs or a Minari dataset",
        description="Saved episodes (ctrl+e in the app writes them to saves/episodes/).",
    )
    what = p.add_subparsers(dest="episodes_command", metavar="WHAT", required=True)
    gif = what.add_parser("gif", help="an episode as an animated GIF, replayed from its seed")
    gif.add_argument("file", help="an episode file (.jsonl)")
    gif.add_argument(
        "--out",
        metavar="FILE",
        help="where to write the GIF (default: beside the episode, its name with .gif, never over an existing file)",
    )
    gif.add_argument(
        "--fps",
        type=float,
        default=None,
        help=f"frames per second (default: the env's own, at most 30; grid worlds 4; {MIN_FPS:g} to {MAX_FPS:g})",
    )
    export = what.add_parser("export", help="episodes of one env as a Minari dataset, replayed from their seeds")
    export.add_argument("files", nargs="+", metavar="FILE", help="episode files (.jsonl) of one environment")
    export.add_argument(
        "--minari",
        metavar="DATASET_ID",
        required=True,
        help="the new dataset's id, e.g. rltui/taxi-human-v0 (an existing one is never touched)",
    )
    export.add_argument(
        "--dir", metavar="DIR", help="Minari's datasets folder (default: $MINARI_DATASETS_PATH or ~/.minari/datasets)"
    )


def run(args: argparse.Namespace) -> int:
    if args.episodes_command == "gif":
        return _gif(args)
    if args.episodes_command == "export":
        return _export(args)
    raise UsageError(f"Unknown episodes command {args.episodes_command}.")


def _gif(args: argparse.Namespace) -> int:
    from rltui.commands.common import read_episode
    from rltui.formats.gif import GifError, check_fps, episode_frames, play_seconds, write_gif

    if args.fps is not None:
        try:
            check_fps(args.fps)  # before the episode is replayed
        except GifError as exc:
            raise UsageError(str(exc)) from None
    from rltui.paths import PathError, file_to_write, shown

    try:  # where the GIF goes is settled before the episode is read and replayed
        out = file_to_write(args.out, "--out") if args.out is not None else None
    except PathError as exc:
        raise UsageError(str(exc)) from None
    if out is not None and out.suffix.lower() != ".gif":
        raise UsageError(f"--out must name a .gif file, not {shown(out.name)}.")
    record, entry = read_episode(args.file)
    if out is None:
        try:
            out = file_to_write(_beside(Path(args.file)), "The GIF beside the episode")
        except PathError as exc:
            raise UsageError(str(exc)) from None
    if out.exists():
        raise UsageError(f"{shown(out)} exists already; choose another --out (nothing was overwritten).")
    try:
        frames = episode_frames(record, entry)
        fps = args.fps if args.fps is not None else _default_fps(entry)
        path = write_gif(frames, out, fps)
    except GifError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(f"{shown(out)} cannot be written: {exc.strerror or exc}.") from None
    print(f"Wrote {path}: {len(frames)} frames at {fps:g} fps; it plays {play_seconds(len(frames), fps):.1f} s.")
    return 0


def _beside(episode: Path) -> Path:
    from agents.files import unused_path

    return unused_path(episode.parent, episode.stem, ".gif")


def _default_fps(entry: Any) -> float:
    from rltui.envs import catalog
    from rltui.live.realtime import frame_rate

    if entry.render != catalog.PIXELS:
        return 4.0
    env = catalog.make_env(entry, render=False)
    try:
        return min(30.0, frame_rate(env))
    finally:
        env.close()


def _export(args: argparse.Namespace) -> int:
    import os

    from rltui.envs import catalog
    from rltui.formats import episodes
    from rltui.formats.minari_io import MinariError, export
    from rltui.paths import PathError, folder_to_write, user_path

    # Minari's datasets folder, checked before any episode is read or anything is made.
    given, what = args.dir, "--dir"
    if given is None and os.environ.get("MINARI_DATASETS_PATH"):
        given, what = os.environ["MINARI_DATASETS_PATH"], "$MINARI_DATASETS_PATH"
    try:
        directory = None if given is None else folder_to_write(given, what)
        if directory is not None:  # and the dataset's own folder in it (its id may hold a /)
            user_path(directory / args.minari, what)
    except PathError as exc:
        raise UsageError(str(exc)) from None
    try:
        records = [episodes.read(path) for path in args.files]
    except episodes.EpisodeFileError as exc:
        raise UsageError(str(exc)) from None
    envs = sorted({r.env for r in records})
    if len(envs) > 1:  # said before any env is made
        raise UsageError(
            f"The episodes come from {len(envs)} environments ({', '.join(envs)}); "
            "a dataset holds one: export each env's episodes on their own."
        )
    try:
        entry = catalog.resolve(envs[0])
        path = export(records, entry, args.minari, None if args.dir is None else directory)
    except (MinariError, catalog.CatalogError) as exc:
        raise UsageError(str(exc)) from None
    steps = sum(r.steps for r in records)
    print(
        f"Wrote Minari dataset {args.minari} ({len(records)} episodes, {steps:,} steps) to {path}; "
        f"minari.load_dataset({args.minari!r}) reads it."
    )
    return 0
